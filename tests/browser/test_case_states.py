"""Every state a case page can be in, in Chromium, in English and Chinese: no console error, no
Content-Security-Policy violation, nothing wider than the screen, and the words that state calls
for. The customer's page at 360 px, the staff page at 1280 px; then the pages that swap in place,
after their swap.

Building the cases takes seconds, so the module builds them once (through the services, as the
journey would) and serves them from its own live server; pytest-django's `live_server` would
empty the database after every test. When the module ends, the database is put back as found.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from cases import services
from cases.models import Case
from cases.transitions import Outcome
from providers.models import Provider, ServiceKind
from tests.browser import site as pages
from tests.cases.staff.conftest import agents_group_as_migrated

# The marker has pytest-django set the test database up; each test's own transaction stays
# empty: the cases are the module's, written before it, and the live server has its own
# connection.
# PostgreSQL only: the cases are written once for the module, outside the tests' transactions,
# and on SQLite the live server's own connection then waits on the test's write lock.
pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db]

LANGUAGES = ["en", "zh-hans"]

# Chromium logs a violation to the console itself; the event also names the directive and the
# source, and catches what a future Chromium might only report as an event.
HEAR_CSP_VIOLATIONS = """
document.addEventListener('securitypolicyviolation', event => console.error(
  'CSP violation: ' + event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline')
  + ' at ' + event.sourceFile + ':' + event.lineNumber));
"""


@dataclass(frozen=True)
class State:
    """A state of the case page: its name in the test id and what the page says in it."""

    name: str
    says: str | None  # a msgid, checked in the viewer's language; None: checked otherwise
    where: str = ".now"  # the part of the page that says it


# What the "What to do now" card says in each state, from the case page's template.
CUSTOMER_STATES = [
    State("draft", None),  # a draft's page is its next setup question (cases.views.detail)
    State("preparing", "Open the precautions"),
    State("in-progress", "Step %(number)s: %(title)s"),
    State("waiting-review", "The provider is reviewing your request."),
    State("waiting-operator", "The operator is processing your request."),
    State("needs-action", "They need something from you."),
    State("refused", "The provider refused to cancel the line."),
    State("escalated", "While the complaint is with them, we remind you less often."),
    State("notice-sent", "You sent a notice on %(sent)s; the answer is due by %(due)s.", ".notice"),
    State("billing-check", "Did it really end?", "#billing-form"),
    State("still-charged", "Your latest bill still charged this line."),
    State("completed", "The provider confirmed the cancellation. Keep the confirmation."),
    State("verified-closed", "Verified closed: billing stopped (checked %(when)s)."),
    State("withdrawn", "You withdrew this case. Nothing more will happen unless you reopen it."),
]
# The staff page's header: the status badge (checked from Case.Status) and these.
STAFF_STATES = [
    *(State(state.name, None) for state in CUSTOMER_STATES),
    State("deleted", "deleted by the customer"),
]
STAFF_SAYS = {"escalated": "Escalated to %(name)s on %(when)s", "still-charged": "Still charged"}


@dataclass(frozen=True)
class World:
    base_url: str
    cookies: dict[str, str]  # session cookie value by "customer" / "agent"
    cases: dict[str, Case]
    swaps: dict[tuple[str, str], Case]  # (swap, language) -> a case of its own


def _waiting(customer, provider: Provider, kind: str) -> Case:
    return pages._walk_to_the_wait(pages._saved_case(customer, provider, kind), customer)


def _completed(customer, app: Provider, reference: str) -> Case:
    case = _waiting(customer, app, ServiceKind.VIRTUAL)
    return services.record_outcome(
        case=case, by=customer, version=case.version, outcome=Outcome.CONFIRMED,
        reference=reference,
    )  # fmt: skip


def _build() -> tuple[pages.Site, dict[str, Case], dict[tuple[str, str], Case]]:
    call_command("load_shipped_data", verbosity=0)
    site = pages.build_site()
    states = pages.build_case_states(site)
    customer = site.customer
    mobile = Provider.objects.get(slug="demo-mobile")
    app = Provider.objects.get(slug="demo-numbers-app")

    needs_action = _waiting(customer, mobile, ServiceKind.ESIM)
    needs_action = services.record_outcome(
        case=needs_action, by=customer, version=needs_action.version,
        outcome=Outcome.NEEDS_MORE, note="They want the SIM's packaging photographed.",
    )  # fmt: skip
    still_charged = _completed(customer, app, "CONF-5120")
    still_charged = services.answer_billing_check(
        case=still_charged, by=customer, version=still_charged.version, still_charged=True
    )
    verified = _completed(customer, app, "CONF-5121")
    verified = services.answer_billing_check(
        case=verified, by=customer, version=verified.version, still_charged=False
    )
    cases = {
        "draft": site.draft,
        "preparing": site.preparing,
        "in-progress": site.in_progress,
        "waiting-review": _waiting(customer, app, ServiceKind.VIRTUAL),
        "waiting-operator": site.waiting,
        "needs-action": needs_action,
        "refused": states.refused,
        "escalated": states.escalated,
        "notice-sent": states.notice_sent,
        "billing-check": states.billing_check,
        "still-charged": still_charged,
        "completed": site.completed,
        "verified-closed": verified,
        "withdrawn": states.withdrawn,
        "deleted": states.deleted,
    }
    swaps = {}
    for language in LANGUAGES:
        swaps["precautions", language] = pages._saved_case(customer, app, ServiceKind.VIRTUAL)
        swaps["contact", language] = _waiting(customer, mobile, ServiceKind.ESIM)
        swaps["they-refused", language] = _waiting(customer, mobile, ServiceKind.ESIM)
    return site, cases, swaps


def _session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    storages = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.mktemp("evidence")), "base_url": None},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        override_settings(STORAGES=storages, PASSWORD_HASHERS=fast, LANGUAGE_CODE="en"),
        django_db_blocker.unblock(),
    ):
        found = connection.creation.serialize_db_to_string()
        server = None
        try:
            site, cases, swaps = _build()
            cookies = {"customer": _session(site.customer), "agent": _session(site.agent)}
            server = LiveServer("localhost")
            yield World(base_url=server.url, cookies=cookies, cases=cases, swaps=swaps)
        finally:
            if server is not None:
                server.stop()
            # Leave the database as found, the data migrations' rows included (Django's
            # serialized rollback): the tests run among pytest-django's `db` tests, before
            # the transactional ones.
            call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)
            connection.creation.deserialize_db_from_string(found)
            # The serialized copy brings the agents' group back without its permissions.
            agents_group_as_migrated()


@pytest.fixture(autouse=True)
def _english_and_fast() -> None:
    """The module's settings stand for the whole module (the root conftest's are per test,
    with an evidence folder per test that the module's files would not be in)."""


@dataclass
class Watched:
    page: Page
    problems: list[str]  # console errors, CSP violations and uncaught exceptions


@pytest.fixture
def watch(browser: Browser, world: World) -> Iterator[Callable[..., Watched]]:
    """Open a page as the customer or the agent, listening to its console; closed after the
    test, passed or not (an open context keeps the live server's threads and connections)."""
    contexts: list[BrowserContext] = []

    def open_page(*, who: str, language: str, viewport: dict[str, int]) -> Watched:
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        context.add_cookies(
            [
                {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": world.base_url},
                {"name": settings.SESSION_COOKIE_NAME, "value": world.cookies[who],
                 "url": world.base_url},
            ]
        )  # fmt: skip
        context.add_init_script(HEAR_CSP_VIOLATIONS)
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        return Watched(page, problems)

    yield open_page
    for context in contexts:
        context.close()


def _go(watched: Watched, url: str) -> None:
    response = watched.page.goto(url)
    assert response is not None, url
    assert response.ok, f"{url}: {response.status}"


def _check(watched: Watched, width: int) -> None:
    """Nothing wider than the screen, and a quiet console once the network has settled."""
    page = watched.page
    page.wait_for_load_state("networkidle")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{scroll_width} px wide, wider than the screen ({width} px)"
    assert not watched.problems, "\n".join(watched.problems)


def fixed_text(msgid: str, language: str) -> str:
    """The longest piece of `msgid`'s translation between its placeholders."""
    with translation.override(language):
        text = translation.gettext(msgid)
    return max(re.split(r"%\(\w+\)s", text), key=len).strip()


def _ids(states: list[State]) -> list[str]:
    return [state.name for state in states]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("state", CUSTOMER_STATES, ids=_ids(CUSTOMER_STATES))
def test_customer_case_page_is_clean_and_fits_360px(watch, world, state, language):
    case = world.cases[state.name]
    watched = watch(who="customer", language=language, viewport=pages.PHONE)
    detail = world.base_url + pages.case_url("cases:detail", case)

    _go(watched, detail)

    page = watched.page
    if state.says is None:
        assert page.url != detail, "a draft goes on to its next question"
        expect(page.locator("main h1")).to_be_visible()
    else:
        expect(page.locator(state.where)).to_contain_text(fixed_text(state.says, language))
    expect(page.locator("html")).to_have_attribute("lang", language)
    _check(watched, pages.PHONE["width"])


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("state", STAFF_STATES, ids=_ids(STAFF_STATES))
def test_staff_case_page_is_clean_and_fits_1280px(watch, world, state, language):
    case = world.cases[state.name]
    watched = watch(who="agent", language=language, viewport=pages.DESKTOP)

    _go(watched, world.base_url + pages.case_url("staff:case_detail", case))

    badge = watched.page.locator("#case-page .badge-status")
    with translation.override(language):
        expect(badge).to_have_text(str(Case.Status(case.status).label))
    header = watched.page.locator("#case-page .case-header")
    for says in filter(None, [state.says, STAFF_SAYS.get(state.name)]):
        expect(header).to_contain_text(fixed_text(says, language))
    _check(watched, pages.DESKTOP["width"])


def _tick_a_precaution(page: Page) -> None:
    before = page.locator(".checklist-done").count()
    page.locator("#precaution-list .checklist-todo button[type=submit]").first.click()
    expect(page.locator(".checklist-done")).to_have_count(before + 1)


def _say_they_refused(page: Page) -> None:
    page.locator("input[name=outcome][value=refused]").check()
    page.locator("#outcome-form textarea[name=note]").fill("Minimum term not over.")
    page.locator("#outcome-form button[type=submit]").click()
    expect(page.locator("#escalation")).to_be_visible()
    expect(page.locator(".now .warning")).to_be_visible()


SWAPS = {
    "precautions": ("cases:precautions", _tick_a_precaution),
    "contact": ("contacts:new", pages._type_an_unofficial_contact),
    "they-refused": ("cases:detail", _say_they_refused),
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("swap", list(SWAPS))
def test_page_is_clean_and_fits_after_its_swap(watch, world, swap, language):
    name, act = SWAPS[swap]
    watched = watch(who="customer", language=language, viewport=pages.PHONE)
    _go(watched, world.base_url + pages.case_url(name, world.swaps[swap, language]))

    act(watched.page)

    _check(watched, pages.PHONE["width"])


def test_a_csp_violation_is_heard(watch, world):
    """The listener works: an inline style set from script is refused and reported."""
    watched = watch(who="customer", language="en", viewport=pages.PHONE)
    _go(watched, world.base_url + reverse("cases:home"))

    with watched.page.expect_console_message(lambda m: "CSP violation" in m.text) as heard:
        watched.page.evaluate("document.body.setAttribute('style', 'color: red')")

    assert "style-src-attr" in heard.value.text
