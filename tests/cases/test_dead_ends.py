"""Where a new user lost what they had or hit a dead end: duplicate drafts, a
signed-out owner, POST-only addresses and a way back through the start questions."""

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from cases import services
from cases.models import Case
from providers.models import ServiceKind
from tests import factories
from tests.cases.test_views_journey import build_case

pytestmark = pytest.mark.django_db
S = Case.Status


def url(name: str, case: Case, **kwargs) -> str:
    return reverse(f"cases:{name}", kwargs={"ref": case.reference, **kwargs})


# --- Double submit ------------------------------------------------------------------------------


def test_a_double_click_on_continue_makes_one_draft(client):
    client.get(reverse("cases:start"))
    first = client.post(reverse("cases:start"), {"service_kind": ServiceKind.ESIM})
    second = client.post(reverse("cases:start"), {"service_kind": ServiceKind.ESIM})

    case = Case.objects.get()
    assert first.url == second.url == url("keep_number", case)


def test_back_and_continue_again_returns_the_same_draft(client, provider):
    client.get(reverse("cases:start"))
    client.post(reverse("cases:start"), {"service_kind": ServiceKind.ESIM})
    case = Case.objects.get()
    client.post(url("provider", case), {"version": case.version, "provider": provider.pk})

    again = client.post(reverse("cases:start"), {"service_kind": ServiceKind.ESIM})

    assert Case.objects.count() == 1
    assert again.url == url("keep_number", case)


def test_a_different_answer_starts_a_different_draft(client):
    client.get(reverse("cases:start"))
    client.post(reverse("cases:start"), {"service_kind": ServiceKind.ESIM})
    client.post(reverse("cases:start"), {"service_kind": ServiceKind.VIRTUAL})

    assert Case.objects.count() == 2


def test_a_signed_in_double_submit_makes_one_draft(client, customer):
    client.force_login(customer)
    client.post(reverse("cases:start"), {"service_kind": ServiceKind.VIRTUAL})
    client.post(reverse("cases:start"), {"service_kind": ServiceKind.VIRTUAL})

    assert Case.objects.filter(owner=customer).count() == 1


def test_another_visitor_never_gets_someone_elses_draft(client):
    client.get(reverse("cases:start"))
    client.post(reverse("cases:start"), {"service_kind": ServiceKind.ESIM})
    stranger = Client()
    stranger.get(reverse("cases:start"))
    stranger.post(reverse("cases:start"), {"service_kind": ServiceKind.ESIM})

    assert Case.objects.count() == 2


def test_the_start_button_is_disabled_while_htmx_sends(client):
    page = client.get(reverse("cases:start")).text

    assert 'hx-disabled-elt="find button"' in page


def test_a_draft_can_be_discarded_from_my_cases(client, customer):
    draft = factories.CaseFactory(owner=customer, status=S.DRAFT, provider=None)
    kept = factories.CaseFactory(owner=customer, status=S.PREPARING)
    client.force_login(customer)
    page = client.get(reverse("cases:my_cases")).text
    assert url("discard", draft) in page
    assert url("discard", kept) not in page  # only drafts

    response = client.post(url("discard", draft), {"version": draft.version}, follow=True)

    assert not Case.objects.filter(pk=draft.pk).exists()
    assert Case.objects.filter(pk=kept.pk).exists()
    assert "Draft discarded." in response.text


def test_only_a_draft_is_discarded_and_only_by_its_owner(client, customer, other_customer):
    draft = factories.CaseFactory(owner=customer, status=S.DRAFT, provider=None)
    preparing = factories.CaseFactory(owner=customer, status=S.PREPARING)
    client.force_login(other_customer)
    assert client.post(url("discard", draft), {"version": draft.version}).status_code == 404
    client.force_login(customer)

    client.post(url("discard", preparing), {"version": preparing.version})

    assert Case.objects.filter(pk__in=[draft.pk, preparing.pk]).count() == 2


# --- A signed-out owner ---------------------------------------------------------------------------


CASE_PAGES = [
    ("detail", {}),
    ("timeline", {}),
    ("precautions", {}),
    ("step", {"number": 1}),
    ("keep_number", {}),
    ("save", {}),
    ("start_steps", {}),
    ("outcome", {}),
]


@pytest.mark.parametrize(("name", "extra"), CASE_PAGES)
def test_a_signed_out_visitor_is_asked_to_sign_in_and_comes_back(client, customer, name, extra):
    case = build_case(owner=customer, status=S.AWAITING_REVIEW)

    response = client.get(url(name, case, **extra))

    assert response.status_code == 302
    query = urlencode({"next": url(name, case, **extra)}, safe="/")
    assert response.url == f"{reverse('account_login')}?{query}"


def test_an_unknown_reference_asks_for_sign_in_just_the_same(client):
    response = client.get(reverse("cases:detail", kwargs={"ref": "CX-AAAA-BBBB"}))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login") + "?next=")


def test_after_sign_in_the_owner_lands_on_the_case(client, customer):
    case = build_case(owner=customer, status=S.AWAITING_REVIEW)
    target = parse_qs(urlsplit(client.get(url("detail", case)).url).query)["next"][0]
    client.force_login(customer)

    assert client.get(target).status_code == 200


def test_anyone_else_signed_in_still_gets_404(client, customer, other_customer):
    case = build_case(owner=customer, status=S.AWAITING_REVIEW)
    client.force_login(other_customer)

    assert client.get(url("detail", case)).status_code == 404


# --- POST-only addresses answer a GET with a page ------------------------------------------------


@pytest.mark.parametrize(
    ("name", "status", "lands_on"),
    [
        ("start_steps", S.PREPARING, "precautions"),
        ("outcome", S.AWAITING_REVIEW, "detail"),
        ("billing_check", S.COMPLETED, "detail"),
        ("esim_fact", S.COMPLETED, "detail"),
    ],
)
def test_a_get_on_a_post_address_goes_to_its_page(client, customer, name, status, lands_on):
    case = build_case(owner=customer, status=status)
    client.force_login(customer)

    response = client.get(url(name, case))

    assert response.status_code == 302
    assert response.url == url(lands_on, case)


def test_continue_with_precautions_unfinished_redirects_to_a_page_that_answers_get(
    client, customer
):
    case = build_case(owner=customer, status=S.PREPARING)
    client.force_login(customer)

    response = client.post(url("start_steps", case), {"version": case.version})

    assert response.status_code == 302
    assert response.url == url("precautions", case)
    page = client.get(response.url)
    assert "Tick each precaution" in page.text or "Mark each precaution" in page.text
    # The language switch on that page comes back to the precautions, not to the POST address.
    assert f'name="next" value="{url("precautions", case)}"' in page.text


def test_switching_language_after_a_refused_continue_shows_a_page(client, customer):
    case = build_case(owner=customer, status=S.PREPARING)
    client.force_login(customer)
    client.post(url("start_steps", case), {"version": case.version})

    response = client.post(
        reverse("set_language"), {"language": "zh-hans", "next": url("start_steps", case)}
    )
    page = client.get(response.url, follow=True)

    assert page.status_code == 200
    assert '<html lang="zh-hans">' in page.text


@pytest.mark.parametrize("name", ["case_stop", "case_resume"])
def test_a_get_on_a_reminder_control_goes_to_the_case(client, customer, name):
    case = build_case(owner=customer, status=S.AWAITING_REVIEW)
    client.force_login(customer)

    response = client.get(reverse(f"reminders:{name}", kwargs={"ref": case.reference}))

    assert response.status_code == 302
    assert response.url == url("detail", case)
    case.refresh_from_db()
    assert case.reminders_stopped_at is None


# --- A way back through the start questions ------------------------------------------------


def started(client, provider=None, kind=ServiceKind.VIRTUAL) -> Case:
    client.get(reverse("cases:start"))
    client.post(reverse("cases:start"), {"service_kind": kind})
    case = Case.objects.get()
    if provider is not None:
        client.post(url("provider", case), {"version": case.version, "provider": provider.pk})
        case.refresh_from_db()
    return case


def test_each_question_links_back_to_the_previous_one(client, provider):
    case = started(client, provider)

    assert f'href="{reverse("cases:home")}"' in client.get(reverse("cases:start")).text
    assert f'href="{url("kind", case)}"' in client.get(url("keep_number", case)).text
    assert f'href="{url("keep_number", case)}"' in client.get(url("provider", case)).text
    assert f'href="{url("provider", case)}"' in client.get(url("line_details", case)).text


def test_the_save_page_can_change_the_kind_and_the_provider(client, provider):
    case = started(client, provider)
    client.post(
        url("line_details", case),
        {"version": case.version, "phone_number": "07700 900123", "reason": "cost"},
    )

    page = client.get(url("save", case)).text

    assert f'href="{url("kind", case)}"' in page
    assert f'href="{url("provider", case)}"' in page
    assert f'href="{url("line_details", case)}"' in page


def test_changing_the_kind_of_a_draft_keeps_the_draft(client, provider):
    case = started(client, provider)
    page = client.get(url("kind", case)).text
    assert re.search(r'value="virtual"[^>]*checked', page)

    response = client.post(
        url("kind", case), {"version": case.version, "service_kind": ServiceKind.ESIM}
    )

    case.refresh_from_db()
    assert Case.objects.count() == 1
    assert case.service_kind == ServiceKind.ESIM
    assert response.url == url("keep_number", case)


@pytest.fixture
def two_playbooks():
    """A generic eSIM playbook and a provider's own one, told apart by their step titles."""
    generic = factories.PlaybookFactory(service_kind=ServiceKind.ESIM)
    factories.PlaybookStepFactory(
        playbook=generic, position=1, kind="checklist", title="Back up generic"
    )
    factories.PlaybookStepFactory(playbook=generic, position=2, title="Call generic")
    own_provider = factories.ProviderFactory(name="Own Book Mobile")
    own = factories.PlaybookFactory(provider=own_provider, service_kind=ServiceKind.ESIM)
    factories.PlaybookStepFactory(
        playbook=own, position=1, kind="checklist", title="Back up generic"
    )
    factories.PlaybookStepFactory(playbook=own, position=2, title="Call Own Book")
    return own_provider


def test_a_preparing_case_can_change_its_provider_and_gets_its_steps(
    client, customer, provider, two_playbooks
):
    case = factories.CaseFactory(
        owner=customer, status=S.DRAFT, provider=provider, service_kind=ServiceKind.ESIM
    )
    client.force_login(customer)
    case = services.prepare_case(case=case, by=customer, version=case.version)
    services.complete_step(
        case=case, step=case.steps.get(position=1), by=customer, version=case.version
    )
    case.refresh_from_db()
    page = client.get(url("detail", case)).text
    assert f'href="{url("provider", case)}"' in page
    assert f'href="{url("kind", case)}"' in page

    response = client.post(
        url("provider", case), {"version": case.version, "provider": two_playbooks.pk}
    )

    case.refresh_from_db()
    assert case.status == S.PREPARING
    assert case.provider == two_playbooks
    assert response.url == url("line_details", case)
    titles = list(case.steps.order_by("position").values_list("title", "state"))
    # The precaution already done stays done; the steps are the new provider's.
    assert titles == [("Back up generic", "done"), ("Call Own Book", "todo")]


def test_details_of_a_preparing_case_go_back_to_the_case_page(client, customer, provider):
    case = build_case(owner=customer, status=S.PREPARING)
    client.force_login(customer)

    response = client.post(
        url("line_details", case),
        {"version": case.version, "phone_number": "07700 900999", "reason": "cost"},
    )

    assert response.url == url("detail", case)
    case.refresh_from_db()
    assert case.phone_number == "+447700900999"


def test_kind_and_provider_are_fixed_once_the_steps_started(client, customer, provider):
    case = build_case(owner=customer, status=S.IN_PROGRESS)
    client.force_login(customer)

    assert client.get(url("kind", case)).url == url("detail", case)
    assert client.get(url("provider", case)).url == url("detail", case)
    client.post(url("provider", case), {"version": case.version, "provider": provider.pk})
    case.refresh_from_db()
    assert case.provider != provider
