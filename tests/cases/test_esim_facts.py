"""eSIM: deleting the profile is confirmed and can be undone; the operator's confirmation of
the cancellation is the contract's end, recorded once."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseEvent
from providers.models import ServiceKind
from tests.cases.test_views_journey import build_case

pytestmark = pytest.mark.django_db
S = Case.Status


def url(name: str, case: Case) -> str:
    return reverse(f"cases:{name}", kwargs={"ref": case.reference})


@pytest.fixture
def esim_case(client, customer):
    case = build_case(
        owner=customer,
        status=S.AWAITING_OPERATOR,
        service_kind=ServiceKind.ESIM,
        submitted_at=timezone.now(),
    )
    client.force_login(customer)
    return case


def test_the_operators_confirmation_ends_the_contract_without_a_second_button(client, esim_case):
    page = client.get(url("detail", esim_case)).text
    assert "The operator confirmed the contract ended" not in page

    client.post(
        url("outcome", esim_case),
        {"version": esim_case.version, "outcome": "confirmed", "reference": "OP-1"},
    )

    esim_case.refresh_from_db()
    assert esim_case.contract_ended_at is not None
    assert esim_case.events.filter(kind=CaseEvent.Kind.CONTRACT_ENDED).count() == 1
    assert "Contract ended (" in client.get(url("detail", esim_case)).text


def test_deleting_the_profile_asks_to_confirm_first(client, esim_case):
    response = client.post(
        url("esim_fact", esim_case),
        {"version": esim_case.version, "fact": "profile_deleted"},
        HTTP_HX_REQUEST="true",
    )

    esim_case.refresh_from_db()
    assert esim_case.esim_profile_deleted_at is None
    assert response.text.lstrip().startswith('<section id="esim-facts"')
    assert "Deleting the profile does not end the contract" in response.text
    assert 'name="confirm"' in response.text


def test_a_confirmed_deletion_is_recorded_and_can_be_undone(client, esim_case):
    client.post(
        url("esim_fact", esim_case),
        {"version": esim_case.version, "fact": "profile_deleted", "confirm": "yes"},
    )
    esim_case.refresh_from_db()
    assert esim_case.esim_profile_deleted_at is not None
    page = client.get(url("detail", esim_case)).text
    assert 'value="profile_undo"' in page

    client.post(url("esim_fact", esim_case), {"version": esim_case.version, "fact": "profile_undo"})

    esim_case.refresh_from_db()
    assert esim_case.esim_profile_deleted_at is None
    assert esim_case.events.filter(kind=CaseEvent.Kind.PROFILE_DELETED).count() == 2
