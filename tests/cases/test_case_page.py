"""What the case page keeps and shows: every reference, labelled, and the notes typed at steps."""

import pytest
from django.urls import reverse

from cases.models import Case
from providers.models import StepKind
from tests import factories
from tests.cases.test_views_journey import build_case

pytestmark = pytest.mark.django_db
S = Case.Status


def url(name: str, case: Case, **kwargs) -> str:
    return reverse(f"cases:{name}", kwargs={"ref": case.reference, **kwargs})


@pytest.fixture
def submitted(client, customer):
    """A case whose submit step took the request reference DNA-778812; then a wait step."""
    case = build_case(owner=customer, status=S.IN_PROGRESS, steps=2)
    factories.CaseStepFactory(case=case, position=4, kind=StepKind.WAIT)
    client.force_login(customer)
    client.post(url("step", case, number=1), {"version": case.version})
    case.refresh_from_db()
    client.post(url("step", case, number=2), {"version": case.version, "reference": "DNA-778812"})
    case.refresh_from_db()
    assert case.status == S.AWAITING_REVIEW
    return case


def test_the_request_reference_stays_once_the_confirmation_is_recorded(client, submitted):
    client.post(
        url("outcome", submitted),
        {"version": submitted.version, "outcome": "confirmed", "reference": "CONF-5521"},
    )

    page = client.get(url("detail", submitted)).text
    assert "DNA-778812" in page
    assert "CONF-5521" in page
    assert "Request reference" in page
    assert "Confirmation reference" in page


def test_a_reference_given_with_another_outcome_is_kept_as_other(client, submitted):
    client.post(
        url("outcome", submitted),
        {
            "version": submitted.version,
            "outcome": "needs_more",
            "reference": "TICKET-9",
            "note": "A copy of the bill",
        },
    )

    page = client.get(url("detail", submitted)).text
    assert "TICKET-9" in page
    assert "Other reference" in page
    assert "DNA-778812" in page


def test_a_step_note_shows_under_its_step_and_in_the_timeline(client, customer):
    case = build_case(owner=customer, status=S.IN_PROGRESS, steps=3)
    client.force_login(customer)

    client.post(
        url("step", case, number=1),
        {"version": case.version, "note": "Spoke to Amy at the shop"},
    )

    page = client.get(url("detail", case)).text
    steps = page.split('id="steps-heading"')[1].split("</section>")[0]
    timeline = page.split('id="timeline-heading"')[1]
    assert "Spoke to Amy at the shop" in steps
    assert "Spoke to Amy at the shop" in timeline
