"""The scam guard also checks step notes and the outcome note, and warns before saving."""

import pytest
from django.urls import reverse

from cases.models import Case, CaseStep
from tests import factories
from tests.cases.test_views_journey import build_case

pytestmark = pytest.mark.django_db
S = Case.Status
PASTED = "The agent said to finish on Telegram: @fast_cancel_help and send my ID photo."


@pytest.fixture
def case(customer):
    provider = factories.ProviderFactory(country="GB", website="https://demo.example/")
    return build_case(owner=customer, status=S.IN_PROGRESS, provider=provider)


def step_url(case: Case, number: int = 1) -> str:
    return reverse("cases:step", kwargs={"ref": case.reference, "number": number})


def test_a_step_note_with_an_unofficial_contact_is_confirmed_before_saving(client, customer, case):
    client.force_login(customer)
    data = {"version": case.version, "note": PASTED}

    response = client.post(step_url(case), data)

    assert "Check this before you save it" in response.text
    assert "@fast_cancel_help" in response.text
    assert "Save it anyway" in response.text
    assert PASTED in response.text  # nothing typed is lost
    first = case.steps.get(position=2)
    assert first.state == CaseStep.State.TODO

    client.post(step_url(case), {**data, "confirmed": "1"})

    first.refresh_from_db()
    assert first.state == CaseStep.State.DONE
    assert first.note == PASTED


def test_a_plain_step_note_saves_at_once(client, customer, case):
    client.force_login(customer)

    client.post(step_url(case), {"version": case.version, "note": "Called, all fine."})

    assert case.steps.get(position=2).state == CaseStep.State.DONE


def test_the_outcome_note_is_checked_too(client, customer):
    provider = factories.ProviderFactory(country="GB", website="https://demo.example/")
    case = build_case(owner=customer, status=S.AWAITING_REVIEW, provider=provider)
    client.force_login(customer)
    outcome = reverse("cases:outcome", kwargs={"ref": case.reference})
    data = {"version": case.version, "outcome": "needs_more", "note": "Email kefu@163.com"}

    response = client.post(outcome, data)

    assert "Check this before you save it" in response.text
    case.refresh_from_db()
    assert case.status == S.AWAITING_REVIEW

    client.post(outcome, {**data, "confirmed": "1"})

    case.refresh_from_db()
    assert case.status == S.NEEDS_ACTION
