"""The customer-page selectors: who may read a case, and what the page derives from it."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from cases import selectors
from cases.models import Case, Reminder
from providers.models import StepKind
from tests import factories

pytestmark = pytest.mark.django_db
S = Case.Status


def test_owner_reads_their_case(customer):
    case = factories.CaseFactory(owner=customer)

    assert selectors.case_for_owner(ref=case.reference.lower(), user=customer) == case


def test_someone_else_gets_404(customer, other_customer):
    case = factories.CaseFactory(owner=customer)

    with pytest.raises(Http404):
        selectors.case_for_owner(ref=case.reference, user=other_customer)


def test_anonymous_draft_needs_its_token():
    case = factories.CaseFactory(owner=None, status=S.DRAFT)

    with pytest.raises(Http404):
        selectors.case_for_owner(ref=case.reference, user=AnonymousUser(), draft_tokens=["x"])
    found = selectors.case_for_owner(
        ref=case.reference, user=AnonymousUser(), draft_tokens=[case.draft_token]
    )
    assert found == case


def test_claimed_case_is_not_reachable_by_an_old_token(customer):
    case = factories.CaseFactory(owner=customer, status=S.PREPARING)

    with pytest.raises(Http404):
        selectors.case_for_owner(
            ref=case.reference, user=AnonymousUser(), draft_tokens=[case.draft_token]
        )


def test_billing_check_due_once_its_reminder_is_due(customer):
    case = factories.CaseFactory(owner=customer, status=S.COMPLETED, completed_at=timezone.now())
    reminder = factories.ReminderFactory(
        case=case, kind=Reminder.Kind.BILLING_CHECK, due_at=timezone.now() + dt.timedelta(days=3)
    )
    page = selectors.case_page(ref=case.reference, user=customer)
    assert not selectors.billing_check_due(page)

    assert selectors.billing_check_due(page, now=reminder.due_at + dt.timedelta(minutes=1))


def test_numbered_steps_leave_out_the_precautions(customer):
    case = factories.CaseFactory(owner=customer)
    factories.CaseStepFactory(case=case, position=1, kind=StepKind.CHECKLIST)
    second = factories.CaseStepFactory(case=case, position=2)
    page = selectors.case_with_steps(ref=case.reference, user=customer)

    assert selectors.step(case=page, number=1) == second
    with pytest.raises(Http404):
        selectors.step(case=page, number=2)
