"""Every page of Closeout with realistic data behind it, for the accessibility checks and the
screenshots: a customer with cases in each state, an agent, the shipped directory.

`build_site()` writes the data (through the services, as the journey would); `customer_pages`
and `staff_pages` list what to open, each page with an optional `prepare` that brings it into
the state worth checking (a scam warning shown, a code requested).
"""

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page, expect

from accounts.models import User
from cases import services, stats
from cases.contacts import services as contact_services
from cases.contacts.services import ContactEntry
from cases.escalation import selectors as escalation_selectors
from cases.escalation import services as escalation_services
from cases.evidence import services as evidence_services
from cases.models import Case, CaseStep, ContactAttempt, Evidence, ProviderSuggestion
from cases.notices import services as notice_services
from cases.transitions import Outcome
from providers import services as provider_services
from providers.models import ContactChannel, EvidenceKind, Provider, ServiceKind, StepKind
from tests import factories
from tests.cases.evidence import samples
from tests.cases.evidence.test_proof_pack import add_evidence

_VISITORS = itertools.count(1)
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@dataclass(frozen=True)
class Site:
    customer: User
    agent: User
    draft: Case
    preparing: Case
    in_progress: Case
    waiting: Case
    completed: Case
    evidence: Evidence
    contact: ContactAttempt
    suggestion: ProviderSuggestion | None = None
    channel: ContactChannel | None = None


@dataclass(frozen=True)
class SitePage:
    name: str
    path: str
    prepare: Callable[[Page], None] | None = None


def _walk_to_the_wait(case: Case, by: User, *, stop_before_steps: bool = False) -> Case:
    """Tick the precautions, start the steps, then do each step until the provider waits."""
    for step in case.steps.filter(kind=StepKind.CHECKLIST).order_by("position"):
        case = services.complete_step(case=case, step=step, by=by, version=case.version)
    case = services.start_steps(case=case, by=by, version=case.version)
    if stop_before_steps:
        return case
    for step in case.steps.exclude(kind=StepKind.CHECKLIST).order_by("position"):
        case = services.complete_step(
            case=case, step=step, by=by, version=case.version, reference="REQ-2026-118"
        )
        if step.starts_waiting:
            break
    return case


def _saved_case(customer: User, provider: Provider, kind: str) -> Case:
    case = services.start_case(
        service_kind=kind, owner=customer, provider=provider, time_zone="Asia/Shanghai"
    )
    case = services.set_details(
        case=case, by=customer, version=case.version, phone_number="+8613800138000",
        reason=Case.Reason.MOVING_ABROAD, device_model="Pixel 9", imei="490154203237518",
    )  # fmt: skip
    return services.prepare_case(case=case, by=customer, version=case.version)


def build_site() -> Site:
    """The data behind every page (call after the shipped data is loaded)."""
    customer = factories.UserFactory(
        email="li.wei@example.com", display_name="Li Wei", time_zone="Asia/Shanghai"
    )
    agent = factories.AgentFactory(email="ana@closeout.example", display_name="Ana")
    mobile = Provider.objects.get(slug="demo-mobile")
    app = Provider.objects.get(slug="demo-numbers-app")

    draft = services.start_case(service_kind=ServiceKind.ESIM, owner=customer)
    preparing = _saved_case(customer, app, ServiceKind.VIRTUAL)
    in_progress = _walk_to_the_wait(
        _saved_case(customer, app, ServiceKind.VIRTUAL), customer, stop_before_steps=True
    )
    waiting = _walk_to_the_wait(_saved_case(customer, mobile, ServiceKind.ESIM), customer)
    contact = contact_services.log_contact(
        case=waiting, by=customer, version=waiting.version,
        entry=ContactEntry(
            occurred_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1), direction="inbound",
            outcome="needs_more", channel_text="WeChat: kefu_closeout2026",
            spoke_to="Mr Zhang", summary="They asked for a photo of my ID card.",
            follow_up_on=dt.date.today() + dt.timedelta(days=3),
        ),
        warning_shown=True,
    )  # fmt: skip
    waiting.refresh_from_db()
    evidence = add_evidence(
        waiting, samples.pdf_document(), "final-bill.pdf", kind=EvidenceKind.FINAL_BILL
    )

    completed = _walk_to_the_wait(_saved_case(customer, app, ServiceKind.VIRTUAL), customer)
    completed = services.record_outcome(
        case=completed, by=customer, version=completed.version,
        outcome=Outcome.CONFIRMED, reference="CONF-9981",
    )  # fmt: skip
    suggestion, channel = _directory_data(mobile, agent)
    return Site(
        suggestion=suggestion,
        channel=channel,
        customer=customer,
        agent=agent,
        draft=draft,
        preparing=preparing,
        in_progress=in_progress,
        waiting=waiting,
        completed=completed,
        evidence=evidence,
        contact=contact,
    )


def _directory_data(mobile: Provider, agent: User) -> tuple[ProviderSuggestion, ContactChannel]:
    """Published figures for Demo Mobile, a suggested provider and a reported channel."""
    someone = factories.UserFactory(email="figures@example.com")
    done = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    for n in range(settings.PUBLIC_STATS_MIN_CASES + 5):
        factories.CaseFactory(
            provider=mobile, owner=someone, service_kind=ServiceKind.ESIM,
            status=Case.Status.COMPLETED, completed_at=done,
            submitted_at=done - dt.timedelta(days=2 + n % 12),
        )  # fmt: skip
    stats.compute(now=dt.datetime.now(dt.UTC))
    named = services.start_case(service_kind=ServiceKind.ESIM, owner=someone)
    named = services.choose_provider(
        case=named, by=someone, version=named.version, provider_name="Tiny Telecom",
        country="GB", website="https://tiny.example/",
    )  # fmt: skip
    channel = mobile.channels.filter(is_official=True).first()
    assert channel is not None
    provider_services.report_channel(channel=channel, text="The hours changed.", by=someone)
    agent.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_provider", "add_contactchannel"])
    )
    return named.provider_suggestion, channel


@dataclass(frozen=True)
class CaseStates:
    """A case in every state its page can be in, beyond those of `Site`."""

    refused: Case
    escalated: Case
    notice_sent: Case
    billing_check: Case
    withdrawn: Case
    deleted: Case

    def customer_cases(self) -> dict[str, Case]:
        """The states the customer still sees (a deleted case is gone for them)."""
        return {
            "refused": self.refused,
            "escalated": self.escalated,
            "notice-sent": self.notice_sent,
            "billing-check": self.billing_check,
            "withdrawn": self.withdrawn,
        }


def _refused(customer: User, provider: Provider) -> Case:
    case = _walk_to_the_wait(_saved_case(customer, provider, ServiceKind.ESIM), customer)
    services.record_outcome(
        case=case, by=customer, version=case.version, outcome=Outcome.REFUSED,
        note="They said the contract cannot end before its minimum term.",
    )  # fmt: skip
    return Case.objects.get(pk=case.pk)


def build_case_states(site: Site) -> CaseStates:
    """Cases refused, escalated, with a notice sent, asking the billing check, withdrawn and
    deleted (call after `build_site`)."""
    customer = site.customer
    mobile = Provider.objects.get(slug="demo-mobile")
    app = Provider.objects.get(slug="demo-numbers-app")
    refused = _refused(customer, mobile)

    escalated = _refused(customer, mobile)
    offer = escalation_selectors.escalation_for(
        escalated, region=escalation_selectors.region_for(escalated)
    )
    escalated = escalation_services.escalate(
        case=escalated, by=customer, version=escalated.version, route_id=offer.routes[0].pk,
        note="Sent the complaint form with the proof pack attached.",
    )  # fmt: skip

    notice_sent = _walk_to_the_wait(_saved_case(customer, mobile, ServiceKind.ESIM), customer)
    notice_sent = notice_services.save_details(
        case=notice_sent, by=customer, version=notice_sent.version, name="Li Wei",
        address="12 Example Street\nLondon N1 1AA", effective_on=None,
    )  # fmt: skip
    notice_sent = notice_services.record_sent(
        case=notice_sent, by=customer, version=notice_sent.version,
        sending=notice_services.Sending(sent_on=dt.date.today(), channel_text="Recorded post"),
    )  # fmt: skip

    billing = _walk_to_the_wait(_saved_case(customer, app, ServiceKind.VIRTUAL), customer)
    billing = services.record_outcome(
        case=billing, by=customer, version=billing.version,
        outcome=Outcome.CONFIRMED, reference="CONF-4410",
    )  # fmt: skip
    cycle_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=settings.BILLING_CYCLE_DAYS + 1)
    Case.objects.filter(pk=billing.pk).update(completed_at=cycle_ago)

    withdrawn = _walk_to_the_wait(_saved_case(customer, app, ServiceKind.VIRTUAL), customer)
    withdrawn = services.record_outcome(
        case=withdrawn, by=customer, version=withdrawn.version, outcome=Outcome.GAVE_UP,
        note="Found a cheaper plan with the same provider.",
    )  # fmt: skip

    deleted = _walk_to_the_wait(_saved_case(customer, app, ServiceKind.VIRTUAL), customer)
    deleted = services.record_outcome(
        case=deleted, by=customer, version=deleted.version,
        outcome=Outcome.CONFIRMED, reference="CONF-7002",
    )  # fmt: skip
    deleted = evidence_services.delete_case(case=deleted, by=customer, version=deleted.version)
    return CaseStates(
        refused=refused,
        escalated=escalated,
        notice_sent=Case.objects.get(pk=notice_sent.pk),
        billing_check=Case.objects.get(pk=billing.pk),
        withdrawn=withdrawn,
        deleted=deleted,
    )


def sign_in(context: BrowserContext, base_url: str, user: User) -> None:
    """Give the browser the session of `user`, signed in without the code email."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])


def set_language(context: BrowserContext, base_url: str, language: str) -> None:
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base_url}]
    )


def _ref(name: str, case: Case, **kwargs) -> str:
    return reverse(name, kwargs={"ref": case.reference, **kwargs})


case_url = _ref


def _ask_for_a_code(page: Page) -> None:
    # A new address each time: the sign-in rate limit counts per address.
    page.locator("input[type=email]").fill(f"visitor{next(_VISITORS)}@example.com")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("main input[name=code]")).to_be_visible()


def _type_an_unofficial_contact(page: Page) -> None:
    page.locator("input[name=channel][value=other]").check()
    page.locator("input[name=channel_text]").fill("t.me/closeout_help_desk")
    page.locator("input[name=outcome]").first.check()
    page.locator("#contact-form button[type=submit]").click()
    expect(page.locator("#scam-warning")).to_be_visible()


def _paste_a_handle_into_a_step_note(page: Page) -> None:
    page.locator("textarea[name=note]").fill("They said: add WeChat ID kefu_2026 to finish.")
    page.locator("#step-form button[type=submit]").first.click()
    expect(page.locator("#scam-warning")).to_be_visible()


def _see_the_unchecked_operators(page: Page) -> None:
    # The eSIM draft lists operators whose kinds we have not checked, each with its note.
    expect(page.locator("#provider-results .result-note").first).to_be_visible()


def _provider(slug: str) -> str:
    return reverse("providers:provider_detail", kwargs={"slug": slug})


def _report(site: Site) -> str:
    channel = site.channel
    assert channel is not None
    slug = Provider.objects.get(pk=channel.provider_id).slug
    return reverse("providers:report_channel", kwargs={"slug": slug, "channel_id": channel.pk})


def _send_an_empty_report(page: Page) -> None:
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()


def _name_without_a_country(page: Page) -> None:
    page.locator("#id_provider_name").fill("Tiny Telecom")
    page.locator("#provider-name-form button[type=submit]").click()
    expect(page.locator("#provider-name-form .field-error")).to_be_visible()


def _first_todo(case: Case) -> int:
    step = case.steps.filter(state=CaseStep.State.TODO).exclude(kind=StepKind.CHECKLIST)
    return step.order_by("position").first().position


def customer_pages(site: Site) -> list[SitePage]:
    """Every page a customer (or a visitor) sees, at 360 px."""
    draft, waiting, completed = site.draft, site.waiting, site.completed
    step = _first_todo(site.in_progress)
    step_url = _ref("cases:step", site.in_progress, number=step)
    return [
        SitePage("home", reverse("cases:home")),
        SitePage("start", reverse("cases:start")),
        SitePage("keep-number", _ref("cases:keep_number", draft)),
        SitePage("porting", _ref("cases:porting", draft)),
        SitePage("provider", _ref("cases:provider", draft), _see_the_unchecked_operators),
        SitePage(
            "provider-search",
            _ref("cases:provider", draft) + "?q=%E7%A7%BB%E5%8A%A8",
            _see_the_unchecked_operators,
        ),
        SitePage("details", _ref("cases:line_details", draft)),
        SitePage("save", _ref("cases:save", draft)),
        SitePage("my-cases", reverse("cases:my_cases")),
        SitePage("precautions", _ref("cases:precautions", site.preparing)),
        SitePage("step", step_url),
        SitePage("step-note-warning", step_url, _paste_a_handle_into_a_step_note),
        SitePage("case-waiting", _ref("cases:detail", waiting)),
        SitePage("case-completed", _ref("cases:detail", completed)),
        SitePage("timeline", _ref("cases:timeline", waiting)),
        SitePage("contact-new", _ref("contacts:new", waiting)),
        SitePage("contact-warning", _ref("contacts:new", waiting), _type_an_unofficial_contact),
        SitePage("contact-edit", _ref("contacts:edit", waiting, pk=site.contact.pk)),
        SitePage("proof-add", _ref("evidence:add", waiting)),
        SitePage("proof-show", reverse("evidence:show", kwargs={"pk": site.evidence.pk})),
        SitePage("proof-delete", reverse("evidence:delete", kwargs={"pk": site.evidence.pk})),
        SitePage("proof-pack", _ref("evidence:pack", waiting)),
        SitePage("case-delete", _ref("evidence:delete_case", completed)),
        SitePage("directory", reverse("providers:directory")),
        SitePage("directory-search", reverse("providers:directory") + "?q=china"),
        SitePage(
            "directory-filtered",
            reverse("providers:directory") + "?country=GB&kind=esim&sort=median",
        ),
        SitePage("provider-page", _provider("demo-mobile")),
        SitePage("provider-page-thin", _provider("demo-numbers-app")),
        SitePage("report-channel", _report(site)),
        SitePage("report-channel-errors", _report(site), _send_an_empty_report),
        SitePage("provider-not-listed", _ref("cases:provider", draft), _name_without_a_country),
        SitePage("preferences", reverse("accounts:preferences")),
    ]


def visitor_pages() -> list[SitePage]:
    """Pages seen signed out, at 360 px."""
    return [
        SitePage("sign-in", reverse("accounts:login")),
        SitePage("sign-in-code", reverse("accounts:login"), _ask_for_a_code),
    ]


def _type_an_unofficial_contact_as_agent(page: Page) -> None:
    _type_an_unofficial_contact(page)


def staff_pages(site: Site) -> list[SitePage]:
    """Every page of the staff dashboard, at 1280 px."""
    waiting = site.waiting
    contact_new = _ref("staff:contact_new", waiting)
    return [
        SitePage("staff-queue", reverse("staff:case_list")),
        SitePage("staff-all", reverse("staff:case_list") + "?queue=all"),
        SitePage("staff-search", reverse("staff:case_list") + f"?q={waiting.reference}"),
        SitePage("staff-case", _ref("staff:case_detail", waiting)),
        SitePage("staff-case-completed", _ref("staff:case_detail", site.completed)),
        SitePage("staff-timeline", _ref("staff:case_timeline", waiting)),
        SitePage("staff-contact-new", contact_new),
        SitePage("staff-contact-warning", contact_new, _type_an_unofficial_contact_as_agent),
        SitePage("staff-suggestions", reverse("staff:suggestion_list")),
        SitePage(
            "staff-suggestion",
            reverse("staff:suggestion_detail", kwargs={"suggestion_id": site.suggestion.pk})
            if site.suggestion
            else reverse("staff:suggestion_list"),
        ),
        SitePage("staff-reports", reverse("staff:report_list")),
    ]


def case_state_pages(states: CaseStates) -> list[SitePage]:
    """The customer's case page in each state of `states`."""
    return [
        SitePage(f"case-{name}", case_url("cases:detail", case))
        for name, case in states.customer_cases().items()
    ]


def staff_case_state_pages(states: CaseStates) -> list[SitePage]:
    """The staff case page in each state of `states`, the deleted one included."""
    cases = {**states.customer_cases(), "deleted": states.deleted}
    return [
        SitePage(f"staff-case-{name}", case_url("staff:case_detail", case))
        for name, case in cases.items()
    ]


def staff_sign_in_page() -> SitePage:
    return SitePage("staff-sign-in", reverse("accounts:staff_login"))
