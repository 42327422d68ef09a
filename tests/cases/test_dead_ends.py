"""Where a new user lost what they had or hit a dead end (issue 10): duplicate drafts, a
signed-out owner, POST-only addresses and a way back through the start questions."""

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import Case
from providers.models import ServiceKind
from tests import factories

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
