"""The status machine: every allowed move, every refused one, and what each move schedules."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from cases import services
from cases.models import Case, CaseEvent, Evidence, Reminder
from cases.transitions import MOVES, CaseChanged, TransitionNotAllowed, allowed_targets
from providers.models import ServiceKind
from tests import factories

S = Case.Status
Role = CaseEvent.Actor
pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)  # a Monday noon in London and UTC


def kind_for(*statuses: str) -> str:
    """A service kind whose journey allows the waiting statuses among `statuses`."""
    return ServiceKind.ESIM if S.AWAITING_OPERATOR in statuses else ServiceKind.VIRTUAL


def case_in(status: str, *, service_kind: str = ServiceKind.VIRTUAL, **fields) -> Case:
    """A case already in `status`, as earlier moves would have left it."""
    extra = {}
    if status in Case.WAITING_STATUSES:
        extra = {"waiting_since": timezone.now(), "submitted_at": timezone.now()}
    if status == S.COMPLETED:
        extra = {"completed_at": timezone.now(), "provider_reference": "REF-1"}
    return factories.CaseFactory(status=status, service_kind=service_kind, **{**extra, **fields})


def actor(role: str, case: Case, agent):
    return {Role.CUSTOMER: case.owner, Role.AGENT: agent, Role.SYSTEM: None}[role]


def status_events(case: Case):
    return CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.STATUS).order_by("id")


ALLOWED = [
    pytest.param(source, to, role, id=f"{source}->{to}-by-{role}")
    for (source, to), move in MOVES.items()
    for role in sorted(move.who)
]
REFUSED_ROLES = [
    pytest.param(source, to, role, id=f"{source}->{to}-by-{role}")
    for (source, to), move in MOVES.items()
    for role in sorted({Role.CUSTOMER, Role.AGENT, Role.SYSTEM} - move.who)
]
NOT_MOVES = [
    pytest.param(source, to, id=f"{source}->{to}")
    for source, to in itertools.product(S.values, S.values)
    if (source, to) not in MOVES
]


@pytest.fixture(autouse=True)
def _frozen_clock(time_machine):
    time_machine.move_to(NOW, tick=False)


class TestEveryAllowedMove:
    @pytest.mark.parametrize(("source", "to", "role"), ALLOWED)
    def test_move_is_made_recorded_and_versioned(self, source, to, role, agent, time_machine):
        case = case_in(source, service_kind=kind_for(source, to))
        version = case.version
        time_machine.move_to(NOW + dt.timedelta(hours=1), tick=False)

        moved = services.move_case(
            case=case,
            to=to,
            by=actor(role, case, agent),
            version=version,
            note="The provider asked for the account PIN.",
            provider_reference="PR-123",
        )

        moved.refresh_from_db()
        assert moved.status == to
        assert moved.version == version + 1
        assert moved.status_changed_at == NOW + dt.timedelta(hours=1)
        [event] = status_events(case)
        assert (event.status_from, event.status_to) == (source, to)
        assert event.actor_role == role
        assert event.actor == actor(role, case, agent)

    @pytest.mark.parametrize(("source", "to", "role"), ALLOWED)
    def test_allowed_targets_offers_the_move(self, source, to, role):
        case = case_in(source, service_kind=kind_for(source, to))
        assert to in allowed_targets(case=case, role=role)


class TestEveryOtherMoveIsRefused:
    @pytest.mark.parametrize(("source", "to"), NOT_MOVES)
    def test_move_outside_the_diagram_is_refused_and_changes_nothing(self, source, to, agent):
        case = case_in(source, service_kind=kind_for(source, to))
        version = case.version

        with pytest.raises(TransitionNotAllowed) as caught:
            services.move_case(
                case=case, to=to, by=agent, version=version, note="n", provider_reference="r"
            )

        assert str(caught.value) == (
            f"A case that is “{S(source).label}” cannot become “{S(to).label}”."
        )
        case.refresh_from_db()
        assert (case.status, case.version) == (source, version)
        assert not status_events(case).exists()

    @pytest.mark.parametrize(("source", "to", "role"), REFUSED_ROLES)
    def test_role_that_may_not_make_the_move_is_told_who_can(self, source, to, role, agent):
        case = case_in(source, service_kind=kind_for(source, to))
        version = case.version

        with pytest.raises(TransitionNotAllowed) as caught:
            services.move_case(
                case=case,
                to=to,
                by=actor(role, case, agent),
                version=version,
                note="n",
                provider_reference="r",
            )

        assert str(caught.value) == "Only the case's owner or an agent can make this change."
        case.refresh_from_db()
        assert (case.status, case.version) == (source, version)
        assert not status_events(case).exists()
        assert to not in allowed_targets(case=case, role=role)

    def test_another_customer_cannot_move_the_case(self, other_customer):
        case = case_in(S.PREPARING)

        with pytest.raises(TransitionNotAllowed, match="Only the case's owner or an agent"):
            services.move_case(case=case, to=S.IN_PROGRESS, by=other_customer, version=case.version)

        case.refresh_from_db()
        assert case.status == S.PREPARING
        assert not status_events(case).exists()

    def test_another_customer_with_an_old_version_is_not_shown_the_fresh_case(self, other_customer):
        case = case_in(S.PREPARING)
        with pytest.raises(TransitionNotAllowed):
            services.move_case(
                case=case, to=S.IN_PROGRESS, by=other_customer, version=case.version - 1
            )

    def test_unknown_status_is_refused_not_a_crash(self, agent):
        case = case_in(S.PREPARING)
        with pytest.raises(TransitionNotAllowed, match="cannot become “closed”"):
            services.move_case(case=case, to="closed", by=agent, version=case.version)

    def test_stale_version_is_told_the_case_changed(self, agent):
        case = case_in(S.PREPARING)
        with pytest.raises(CaseChanged) as caught:
            services.move_case(case=case, to=S.IN_PROGRESS, by=agent, version=case.version - 1)
        assert "changed meanwhile" in str(caught.value)
        assert caught.value.case.version == case.version

    def test_anonymous_draft_must_be_claimed_before_preparing(self, agent):
        case = case_in(S.DRAFT, owner=None)
        with pytest.raises(TransitionNotAllowed, match="Sign in to save the case"):
            services.move_case(case=case, to=S.PREPARING, by=agent, version=case.version)
        assert S.PREPARING not in allowed_targets(case=case, role=Role.AGENT)


class TestCompletionNeedsProof:
    @pytest.mark.parametrize("source", [S.AWAITING_REVIEW, S.AWAITING_OPERATOR])
    @pytest.mark.parametrize("role", [Role.CUSTOMER, Role.AGENT])
    def test_completing_without_proof_is_refused(self, source, role, agent):
        case = case_in(source, service_kind=kind_for(source))
        with pytest.raises(TransitionNotAllowed) as caught:
            services.move_case(
                case=case, to=S.COMPLETED, by=actor(role, case, agent), version=case.version
            )
        assert "add the provider's confirmation" in str(caught.value)
        case.refresh_from_db()
        assert case.status == source
        assert case.completed_at is None

    def test_provider_reference_given_with_the_move_is_kept(self, customer):
        case = case_in(S.AWAITING_REVIEW, owner=customer)
        moved = services.move_case(
            case=case, to=S.COMPLETED, by=customer, version=case.version, provider_reference="X9"
        )
        assert moved.provider_reference == "X9"
        assert moved.completed_at == NOW

    def test_provider_reference_already_on_the_case_is_enough(self, customer):
        case = case_in(S.AWAITING_REVIEW, owner=customer, provider_reference="X9")
        moved = services.move_case(case=case, to=S.COMPLETED, by=customer, version=case.version)
        assert moved.status == S.COMPLETED

    def test_confirmation_evidence_is_enough(self, customer):
        case = case_in(S.AWAITING_OPERATOR, owner=customer, service_kind=ServiceKind.ESIM)
        add_evidence(case, Evidence.Kind.CONFIRMATION)
        moved = services.move_case(case=case, to=S.COMPLETED, by=customer, version=case.version)
        assert moved.status == S.COMPLETED

    def test_cancellation_certificate_is_enough(self, customer):
        case = case_in(S.AWAITING_REVIEW, owner=customer)
        add_evidence(case, Evidence.Kind.CERTIFICATE)
        moved = services.move_case(case=case, to=S.COMPLETED, by=customer, version=case.version)
        assert moved.status == S.COMPLETED

    @pytest.mark.parametrize("kind", [Evidence.Kind.IDENTITY, Evidence.Kind.OTHER])
    def test_other_evidence_is_not_a_confirmation(self, customer, kind):
        case = case_in(S.AWAITING_REVIEW, owner=customer)
        add_evidence(case, kind)
        with pytest.raises(TransitionNotAllowed, match="confirmation"):
            services.move_case(case=case, to=S.COMPLETED, by=customer, version=case.version)

    def test_agent_may_complete_with_a_note(self, agent):
        case = case_in(S.AWAITING_REVIEW)
        note = "Provider confirmed on the phone; letter to follow."
        moved = services.move_case(
            case=case, to=S.COMPLETED, by=agent, version=case.version, note=note
        )
        assert moved.status == S.COMPLETED
        assert status_events(case).get().message == note

    def test_customer_note_alone_is_not_proof(self, customer):
        case = case_in(S.AWAITING_REVIEW, owner=customer)
        with pytest.raises(TransitionNotAllowed, match="confirmation"):
            services.move_case(
                case=case, to=S.COMPLETED, by=customer, version=case.version, note="They said so"
            )


class TestNeedsActionNeedsANote:
    @pytest.mark.parametrize("source", [S.AWAITING_REVIEW, S.AWAITING_OPERATOR, S.COMPLETED])
    def test_without_a_note_it_is_refused(self, source, agent):
        case = case_in(source, service_kind=kind_for(source))
        with pytest.raises(TransitionNotAllowed) as caught:
            services.move_case(case=case, to=S.NEEDS_ACTION, by=None, version=case.version)
        assert str(caught.value) == "Say what the provider asked for or why the case needs action."

    def test_the_note_is_kept_as_what_the_provider_asked(self):
        case = case_in(S.AWAITING_REVIEW)
        moved = services.move_case(
            case=case, to=S.NEEDS_ACTION, by=None, version=case.version, note="Send a photo ID"
        )
        assert moved.needs_action_detail == "Send a photo ID"


class TestWaitingStatusFollowsTheJourney:
    @pytest.mark.parametrize("source", [S.IN_PROGRESS, S.NEEDS_ACTION])
    @pytest.mark.parametrize(
        ("service_kind", "to", "expected"),
        [
            (ServiceKind.VIRTUAL, S.AWAITING_OPERATOR, "self-service case waits on the provider"),
            (ServiceKind.ESIM, S.AWAITING_REVIEW, "eSIM or SIM case waits on the operator"),
            (ServiceKind.PHYSICAL_SIM, S.AWAITING_REVIEW, "eSIM or SIM case waits on the operator"),
        ],
    )
    def test_wrong_waiting_status_is_refused(self, source, service_kind, to, expected, customer):
        case = case_in(source, service_kind=service_kind, owner=customer)
        with pytest.raises(TransitionNotAllowed, match=expected):
            services.move_case(case=case, to=to, by=customer, version=case.version)
        assert to not in allowed_targets(case=case, role=Role.CUSTOMER)

    @pytest.mark.parametrize(
        ("service_kind", "to"),
        [
            (ServiceKind.VIRTUAL, S.AWAITING_REVIEW),
            (ServiceKind.ESIM, S.AWAITING_OPERATOR),
            (ServiceKind.PHYSICAL_SIM, S.AWAITING_OPERATOR),
        ],
    )
    def test_right_waiting_status_is_accepted(self, service_kind, to, customer):
        case = case_in(S.IN_PROGRESS, service_kind=service_kind, owner=customer)
        moved = services.move_case(case=case, to=to, by=customer, version=case.version)
        assert moved.status == to
        assert moved.submitted_at == NOW


def add_evidence(case: Case, kind: str) -> Evidence:
    return Evidence.objects.create(
        case=case,
        kind=kind,
        file="evidence/ab/test",
        original_name="confirmation.pdf",
        size=10,
        content_type="application/pdf",
        sha256="0" * 64,
    )


def pending(case: Case, kind: str | None = None):
    rows = Reminder.objects.pending().filter(case=case)
    return rows.filter(kind=kind) if kind else rows


class TestReminderSideEffects:
    def test_entering_a_wait_schedules_one_ladder_rung(self, customer):
        case = case_in(S.IN_PROGRESS, owner=customer, provider__typical_review_days=None)

        moved = services.move_case(case=case, to=S.AWAITING_REVIEW, by=customer, version=1)

        [rung] = pending(case)
        assert rung.kind == Reminder.Kind.LADDER
        assert rung.sequence == 0
        assert rung.period_started_at == moved.waiting_since == NOW
        assert rung.due_at == NOW + dt.timedelta(days=3)  # noon: inside mail hours
        assert moved.expected_by == NOW + dt.timedelta(days=3)
        assert moved.stall_at == NOW + dt.timedelta(days=6)

    def test_operator_wait_uses_the_operator_days(self, customer):
        case = case_in(
            S.IN_PROGRESS,
            owner=customer,
            service_kind=ServiceKind.ESIM,
            provider__typical_operator_days=None,
        )
        services.move_case(case=case, to=S.AWAITING_OPERATOR, by=customer, version=1)
        assert pending(case).get().due_at == NOW + dt.timedelta(days=7)

    def test_providers_typical_days_win_over_the_setting(self, customer, settings):
        settings.TYPICAL_REVIEW_DAYS = 3
        case = case_in(S.IN_PROGRESS, owner=customer, provider__typical_review_days=5)
        moved = services.move_case(case=case, to=S.AWAITING_REVIEW, by=customer, version=1)
        assert pending(case).get().due_at == NOW + dt.timedelta(days=5)
        assert moved.stall_at == NOW + dt.timedelta(days=10)

    def test_unlisted_provider_uses_the_setting(self, customer, settings):
        settings.TYPICAL_REVIEW_DAYS = 4
        case = case_in(S.IN_PROGRESS, owner=customer, provider=None, provider_name="Tiny Mobile")
        services.move_case(case=case, to=S.AWAITING_REVIEW, by=customer, version=1)
        assert pending(case).get().due_at == NOW + dt.timedelta(days=4)

    @pytest.mark.parametrize(
        ("time_zone", "moved_at", "due_at"),
        [
            # 22:00 in Shanghai three days on: held until 08:00 the next morning there.
            ("Asia/Shanghai", "2026-03-02T14:00Z", "2026-03-06T00:00Z"),
            # 21:30 in London (GMT): 08:00 next morning.
            ("Europe/London", "2026-03-02T21:30Z", "2026-03-06T08:00Z"),
            # 03:00 in London in summer (BST): 08:00 the same morning, 07:00 UTC.
            ("Europe/London", "2026-07-06T02:00Z", "2026-07-09T07:00Z"),
            # 20:00 sharp is already outside the hours.
            ("UTC", "2026-03-02T20:00Z", "2026-03-06T08:00Z"),
            # 19:59 is still inside.
            ("UTC", "2026-03-02T19:59Z", "2026-03-05T19:59Z"),
        ],
    )
    def test_first_rung_waits_for_the_customers_morning(
        self, customer, time_machine, time_zone, moved_at, due_at
    ):
        moved_at = dt.datetime.fromisoformat(moved_at)
        time_machine.move_to(moved_at, tick=False)
        case = case_in(
            S.IN_PROGRESS, owner=customer, time_zone=time_zone, provider__typical_review_days=3
        )

        moved = services.move_case(case=case, to=S.AWAITING_REVIEW, by=customer, version=1)

        rung = pending(case).get()
        assert rung.due_at == dt.datetime.fromisoformat(due_at)
        # The expected date is the provider's, not moved into mail hours.
        assert moved.expected_by == moved_at + dt.timedelta(days=3)

    def test_leaving_the_wait_cancels_its_rung(self, customer):
        case = case_in(S.IN_PROGRESS, owner=customer)
        case = services.move_case(case=case, to=S.AWAITING_REVIEW, by=customer, version=1)
        rung = pending(case).get()

        moved = services.move_case(
            case=case, to=S.NEEDS_ACTION, by=None, version=case.version, note="ID photo"
        )

        rung.refresh_from_db()
        assert rung.state == Reminder.State.CANCELLED
        assert not pending(case).exists()
        assert (moved.waiting_since, moved.stall_at, moved.expected_by) == (None, None, None)

    def test_waiting_again_starts_a_new_period(self, customer, time_machine):
        case = case_in(S.IN_PROGRESS, owner=customer)
        case = services.move_case(case=case, to=S.AWAITING_REVIEW, by=customer, version=1)
        case = services.move_case(
            case=case, to=S.NEEDS_ACTION, by=None, version=case.version, note="ID photo"
        )
        later = NOW + dt.timedelta(days=1)
        time_machine.move_to(later, tick=False)

        case = services.move_case(
            case=case, to=S.AWAITING_REVIEW, by=customer, version=case.version
        )

        [rung] = pending(case)
        assert rung.period_started_at == case.waiting_since == later
        assert rung.sequence == 0
        assert Reminder.objects.filter(case=case, state=Reminder.State.CANCELLED).count() == 1

    def test_stalled_flag_is_cleared_by_leaving_the_wait(self, customer):
        case = case_in(S.AWAITING_REVIEW, owner=customer, is_stalled=True, stall_at=NOW)
        moved = services.move_case(
            case=case, to=S.NEEDS_ACTION, by=None, version=case.version, note="n"
        )
        assert moved.is_stalled is False

    def test_completing_schedules_the_billing_check(self, customer, settings):
        settings.BILLING_CYCLE_DAYS = 30
        case = case_in(S.IN_PROGRESS, owner=customer)
        case = services.move_case(case=case, to=S.AWAITING_REVIEW, by=customer, version=1)

        moved = services.move_case(
            case=case, to=S.COMPLETED, by=customer, version=case.version, provider_reference="R"
        )

        [check] = pending(moved)
        assert check.kind == Reminder.Kind.BILLING_CHECK
        assert check.period_started_at == moved.completed_at == NOW
        assert check.due_at == NOW + dt.timedelta(days=30)
        assert not pending(moved, Reminder.Kind.LADDER).exists()
        assert moved.waiting_since is None

    def test_billing_check_also_waits_for_the_morning(self, customer, time_machine):
        time_machine.move_to(dt.datetime(2026, 3, 2, 23, 0, tzinfo=dt.UTC), tick=False)
        case = case_in(S.AWAITING_REVIEW, owner=customer, time_zone="Europe/London")
        services.move_case(
            case=case, to=S.COMPLETED, by=customer, version=case.version, provider_reference="R"
        )
        check = pending(case).get()
        assert check.due_at == dt.datetime(2026, 4, 7, 7, 0, tzinfo=dt.UTC)  # 08:00 BST

    def test_still_charged_cancels_the_billing_check(self):
        case = case_in(S.AWAITING_REVIEW)
        case = services.move_case(
            case=case, to=S.COMPLETED, by=case.owner, version=case.version, provider_reference="R"
        )
        check = pending(case).get()

        moved = services.move_case(
            case=case, to=S.NEEDS_ACTION, by=None, version=case.version, note="Still charged"
        )

        check.refresh_from_db()
        assert check.state == Reminder.State.CANCELLED
        assert not pending(moved).exists()

    @pytest.mark.parametrize("source", [S.AWAITING_REVIEW, S.NEEDS_ACTION, S.PREPARING])
    def test_withdrawing_cancels_every_pending_reminder(self, source, customer):
        case = case_in(S.IN_PROGRESS, owner=customer)
        case = services.move_case(case=case, to=S.AWAITING_REVIEW, by=customer, version=1)
        if source != S.AWAITING_REVIEW:
            Case.objects.filter(pk=case.pk).update(status=source)
        factories.ReminderFactory(case=case, kind=Reminder.Kind.FOLLOW_UP)
        factories.ReminderFactory(
            case=case, kind=Reminder.Kind.LADDER, sequence=1, state=Reminder.State.SENDING
        )
        sent = factories.ReminderFactory(
            case=case, kind=Reminder.Kind.FOLLOW_UP, sequence=2, state=Reminder.State.SENT
        )
        case.refresh_from_db()

        services.move_case(case=case, to=S.WITHDRAWN, by=customer, version=case.version)

        assert not pending(case).exclude(kind=Reminder.Kind.AGENT_MESSAGE).exists()
        sent.refresh_from_db()
        assert sent.state == Reminder.State.SENT  # history is not rewritten

    def test_reopening_a_withdrawn_case_schedules_nothing(self, customer):
        case = case_in(S.WITHDRAWN, owner=customer)
        moved = services.move_case(case=case, to=S.PREPARING, by=customer, version=case.version)
        assert moved.status == S.PREPARING
        assert not pending(case).exists()
