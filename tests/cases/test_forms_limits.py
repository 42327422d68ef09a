"""Typed text is never cut without a word: each limit is shown, and a longer value is refused
beside its field and kept there for editing."""

import pytest
from django.urls import reverse

from cases.models import Case
from providers.models import ServiceKind
from tests.cases.test_views_journey import build_case

pytestmark = pytest.mark.django_db
S = Case.Status


def url(name: str, case: Case, **kwargs) -> str:
    return reverse(f"cases:{name}", kwargs={"ref": case.reference, **kwargs})


@pytest.fixture
def draft(client, provider):
    client.get(reverse("cases:start"))
    client.post(reverse("cases:start"), {"service_kind": ServiceKind.VIRTUAL})
    case = Case.objects.get()
    client.post(url("provider", case), {"version": case.version, "provider": provider.pk})
    case.refresh_from_db()
    return case


def test_a_long_paste_into_anything_to_add_is_refused_and_kept(client, draft):
    pasted = "word " * 1000  # 5,000 characters
    response = client.post(
        url("line_details", draft),
        {
            "version": draft.version,
            "phone_number": "07700 900123",
            "reason": "cost",
            "reason_detail": pasted,
        },
    )

    assert response.status_code == 200
    assert "the limit is 300" in response.text
    assert 'id="id_reason_detail_error"' in response.text
    assert pasted.strip() in response.text  # kept in the field for editing
    assert "<textarea" in response.text.split('id="id_reason_detail"')[0][-200:]
    draft.refresh_from_db()
    assert draft.reason_detail == ""


def test_the_limit_is_shown_and_the_browser_does_not_cut_a_paste(client, draft):
    page = client.get(url("line_details", draft)).text

    assert "Up to 300 characters." in page
    assert ' maxlength="300"' not in page
    assert 'data-maxlength="300"' in page


def test_a_long_provider_name_is_refused_and_kept(client):
    client.get(reverse("cases:start"))
    client.post(reverse("cases:start"), {"service_kind": ServiceKind.VIRTUAL})
    case = Case.objects.get()
    name = "N" * 121

    response = client.post(url("provider", case), {"version": case.version, "provider_name": name})

    assert "the limit is 120" in response.text
    assert f'value="{name}"' in response.text
    assert ' maxlength="120"' not in response.text


def test_a_long_step_note_and_reference_are_refused_and_kept(client, customer):
    case = build_case(owner=customer, status=S.IN_PROGRESS)
    client.force_login(customer)
    note, reference = "n" * 2001, "R" * 101

    response = client.post(
        url("step", case, number=1),
        {"version": case.version, "note": note, "reference": reference},
    )

    assert "the limit is 2000" in response.text
    assert "the limit is 100" in response.text
    assert note in response.text
    assert reference in response.text
    assert case.steps.get(position=2).state == "todo"


def test_a_counter_enhances_each_limited_field(client, draft):
    page = client.get(url("line_details", draft)).text

    assert 'data-count-for="id_reason_detail"' in page
    assert "js/char-count.js" in page
