"""The journey services: each one checks the version, writes its event, moves only via move_case."""

import pytest

from cases import services
from cases.models import Case, CaseEvent, CaseStep, Reminder
from cases.transitions import CaseChanged, Outcome, TransitionNotAllowed
from providers.models import ServiceKind, StepKind
from tests import factories

pytestmark = pytest.mark.django_db
S = Case.Status


def test_choose_provider_clears_the_free_text_name(customer, provider):
    case = services.start_case(service_kind=ServiceKind.VIRTUAL, owner=customer)
    case = services.choose_provider(case=case, by=customer, version=1, provider_name="Tiny")
    case = services.choose_provider(case=case, by=customer, version=2, provider=provider)

    case.refresh_from_db()
    assert case.provider == provider
    assert case.provider_name == ""
    assert case.version == 3


def test_stale_version_raises_case_changed_and_writes_nothing(customer):
    case = factories.CaseFactory(owner=customer, status=S.DRAFT)

    with pytest.raises(CaseChanged):
        services.set_details(
            case=case, by=customer, version=case.version + 1, phone_number="+1", reason="cost"
        )
    case.refresh_from_db()
    assert case.reason == Case.Reason.NOT_NEEDED


def test_set_details_keeps_identifiers_out_of_the_timeline(customer):
    case = factories.CaseFactory(owner=customer, status=S.DRAFT)

    services.set_details(
        case=case,
        by=customer,
        version=case.version,
        phone_number="+447700900999",
        reason="cost",
        imei="490154203237518",
    )

    messages = " ".join(CaseEvent.objects.filter(case=case).values_list("message", flat=True))
    assert "0999" not in messages
    assert "490154203237518" not in messages


def test_steps_wait_for_the_precautions(customer):
    case = factories.CaseFactory(owner=customer, status=S.PREPARING)
    precaution = factories.CaseStepFactory(case=case, position=1, kind=StepKind.CHECKLIST)
    action = factories.CaseStepFactory(case=case, position=2)

    with pytest.raises(TransitionNotAllowed):
        services.complete_step(case=case, step=action, by=customer, version=case.version)
    with pytest.raises(TransitionNotAllowed):
        services.start_steps(case=case, by=customer, version=case.version)
    case = services.skip_step(case=case, step=precaution, by=customer, version=case.version)
    case = services.start_steps(case=case, by=customer, version=case.version)

    assert case.status == S.IN_PROGRESS
    precaution.refresh_from_db()
    assert precaution.state == CaseStep.State.SKIPPED
    assert precaution.skip_acknowledged


@pytest.mark.parametrize(
    ("kind", "waiting"),
    [(ServiceKind.VIRTUAL, S.AWAITING_REVIEW), (ServiceKind.ESIM, S.AWAITING_OPERATOR)],
)
def test_submit_step_starts_the_right_wait(customer, kind, waiting):
    case = factories.CaseFactory(owner=customer, status=S.IN_PROGRESS, service_kind=kind)
    submit = factories.CaseStepFactory(case=case, starts_waiting=True)

    case = services.complete_step(
        case=case, step=submit, by=customer, version=case.version, reference="R-1"
    )

    assert case.status == waiting
    assert case.provider_reference == "R-1"
    assert case.expected_by is not None


def test_confirmed_outcome_completes_and_ticks_the_wait_step(customer):
    case = factories.CaseFactory(owner=customer, status=S.AWAITING_REVIEW)
    wait = factories.CaseStepFactory(case=case, kind=StepKind.WAIT)

    case = services.record_outcome(
        case=case, by=customer, version=case.version, outcome=Outcome.CONFIRMED, reference="C-1"
    )

    assert case.status == S.COMPLETED
    wait.refresh_from_db()
    assert wait.state == CaseStep.State.DONE
    assert Reminder.objects.filter(case=case, kind=Reminder.Kind.BILLING_CHECK).exists()


def test_refused_outcome_keeps_what_they_said(customer):
    case = factories.CaseFactory(owner=customer, status=S.AWAITING_REVIEW)

    case = services.record_outcome(
        case=case, by=customer, version=case.version, outcome=Outcome.REFUSED, note="Unpaid bill"
    )

    assert case.status == S.NEEDS_ACTION
    assert "Unpaid bill" in case.needs_action_detail


def test_billing_no_verifies_closed_and_cancels_the_check(customer):
    case = factories.CaseFactory(owner=customer, status=S.AWAITING_REVIEW)
    case = services.record_outcome(
        case=case, by=customer, version=case.version, outcome=Outcome.CONFIRMED, reference="C"
    )

    case = services.answer_billing_check(
        case=case, by=customer, version=case.version, still_charged=False
    )

    assert case.status == S.COMPLETED
    assert case.billing_verified_at is not None
    assert not Reminder.objects.pending().filter(case=case).exists()
    assert case.events.filter(kind=CaseEvent.Kind.BILLING).exists()


def test_billing_yes_reopens_as_still_charged(customer):
    case = factories.CaseFactory(owner=customer, status=S.AWAITING_REVIEW)
    case = services.record_outcome(
        case=case, by=customer, version=case.version, outcome=Outcome.CONFIRMED, reference="C"
    )

    case = services.answer_billing_check(
        case=case, by=customer, version=case.version, still_charged=True
    )

    assert case.status == S.NEEDS_ACTION
    assert case.provider_reference == "C"  # the confirmation stays on file as proof


def test_profile_deleted_and_contract_ended_are_two_facts(customer):
    case = factories.CaseFactory(
        owner=customer, status=S.AWAITING_OPERATOR, service_kind=ServiceKind.ESIM
    )

    case = services.mark_profile_deleted(case=case, by=customer, version=case.version)

    assert case.esim_profile_deleted_at is not None
    assert case.contract_ended_at is None
    case = services.mark_contract_ended(case=case, by=customer, version=case.version)
    assert case.contract_ended_at is not None
    assert case.status == S.AWAITING_OPERATOR
