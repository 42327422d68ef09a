"""Random sequences of moves by random people, with time passing, keep the case consistent."""

import datetime as dt
import itertools

import pytest
import time_machine
from hypothesis import HealthCheck, event
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from cases import services
from cases.models import Case, CaseEvent, Evidence, Reminder
from cases.transitions import MOVES, CaseChanged, TransitionNotAllowed, allowed_targets, role_of
from providers.models import ServiceKind
from tests import factories

S = Case.Status
Role = CaseEvent.Actor
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
ROLES = ("customer", "agent", "system", "stranger")
# From a moment to weeks: enough to cross mail hours, stall times and the billing cycle.
HOURS = st.sampled_from([0, 1, 9, 30, 24 * 8, 24 * 40])
TIME_ZONES = ("UTC", "Europe/London", "Asia/Shanghai", "America/Los_Angeles")


class CaseMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = time_machine.travel(START, tick=False)
        self.traveller = self.clock.start()
        self.moves = 0

    def teardown(self) -> None:
        self.clock.stop()

    # --- setup -------------------------------------------------------------------------------

    @initialize(
        service_kind=st.sampled_from([ServiceKind.VIRTUAL, *ServiceKind.values]),
        time_zone=st.sampled_from(TIME_ZONES),
        listed=st.booleans(),
        provider_days=st.sampled_from([None, 1, 10]),
    )
    def start(self, service_kind, time_zone, listed, provider_days):
        self.owner = factories.UserFactory()
        self.agent = factories.AgentFactory()
        self.stranger = factories.UserFactory()
        provider = (
            factories.ProviderFactory(
                typical_review_days=provider_days, typical_operator_days=provider_days
            )
            if listed
            else None
        )
        self.case = services.start_case(
            service_kind=service_kind,
            owner=self.owner,
            provider=provider,
            provider_name="" if listed else "Tiny Mobile",
            time_zone=time_zone,
        )

    # --- rules -------------------------------------------------------------------------------

    # Two rules only, each moving the clock first: hypothesis picks rules evenly, so every
    # extra rule would thin out the moves and keep sequences from reaching deep statuses.

    @rule(
        to=st.sampled_from(S.values),
        who=st.sampled_from(ROLES),
        note=st.sampled_from(["", "The provider asked for a bill."]),
        reference=st.sampled_from(["", "REF-42"]),
        hours=HOURS,
        stale=st.integers(0, 4).map(lambda n: n == 0),
    )
    def any_move(self, to, who, note, reference, hours, stale):
        """Any target by anyone, mostly refused; sometimes from a page showing an old version."""
        self.traveller.shift(dt.timedelta(hours=hours))
        if stale:
            self._stale_move(to=to)
        else:
            self._move(to=to, who=who, note=note, reference=reference)

    @rule(
        data=st.data(),
        who=st.sampled_from(("customer", "agent", "system")),
        proof=st.sampled_from(("none", "reference", "confirmation", "agent_note")),
        hours=HOURS,
    )
    def a_step_forward(self, data, who, proof, hours):
        """A move the machine offers, other than withdrawing."""
        self.traveller.shift(dt.timedelta(hours=hours))
        role = role_of(self.person(who), self.case)
        targets = sorted(set(allowed_targets(case=self.case, role=role)) - {S.WITHDRAWN})
        if not targets:
            return
        if proof == "confirmation":
            self._upload_confirmation()
        self._move(
            to=data.draw(st.sampled_from(targets), label="to"),
            who=who,
            note="Because the provider said so." if proof == "agent_note" else "",
            reference="REF-7" if proof == "reference" else "",
        )

    # --- helpers -----------------------------------------------------------------------------

    def person(self, who: str):
        return {
            "customer": self.owner,
            "agent": self.agent,
            "system": None,
            "stranger": self.stranger,
        }[who]

    def _upload_confirmation(self) -> None:
        Evidence.objects.create(
            case=self.case,
            kind=Evidence.Kind.CONFIRMATION,
            uploaded_by=self.owner,
            file="evidence/ab/confirmation",
            original_name="confirmation.eml",
            size=100,
            content_type="message/rfc822",
            sha256="0" * 64,
        )

    def _stale_move(self, *, to: str) -> None:
        before = self.snapshot()
        with pytest.raises(CaseChanged):
            services.move_case(
                case=self.case, to=to, by=self.agent, version=self.case.version - 1, note="n"
            )
        assert self.snapshot() == before

    def _move(self, *, to: str, who: str, note: str, reference: str) -> None:
        # Every move is its own request: never two at the same instant.
        self.traveller.shift(dt.timedelta(seconds=1))
        before = self.snapshot()
        source = self.case.status
        try:
            moved = services.move_case(
                case=self.case,
                to=to,
                by=self.person(who),
                version=self.case.version,
                note=note,
                provider_reference=reference,
            )
        except TransitionNotAllowed as refused:
            self._refused(message=str(refused), before=before)
            return
        # Moves outside the diagram, by a stranger, or by the system where only people may
        # act, must never succeed.
        move = MOVES.get((source, to))
        assert move is not None, f"{source}->{to} is not in the diagram"
        assert who != "stranger"
        assert role_of(self.person(who), self.case) in move.who
        self.moves += 1
        assert moved.version == before["version"] + 1
        self.case = moved
        event(f"reached {to}")

    def _refused(self, *, message: str, before: dict) -> None:
        assert message, "a refusal always says why"
        assert self.snapshot() == before, "a refused move changed the case"

    def snapshot(self) -> dict:
        case = Case.objects.get(pk=self.case.pk)
        return {
            "status": case.status,
            "version": case.version,
            "status_changed_at": case.status_changed_at,
            "events": CaseEvent.objects.filter(case=case).count(),
            "reminders": sorted(
                Reminder.objects.filter(case=case).values_list("id", "state", "due_at")
            ),
        }

    # --- invariants --------------------------------------------------------------------------

    @invariant()
    def events_mirror_the_status_changes(self):
        case = Case.objects.get(pk=self.case.pk)
        events = list(
            CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.STATUS).order_by("id")
        )
        assert len(events) == self.moves
        assert case.version == 1 + self.moves
        if not events:
            assert case.status == S.DRAFT
            return
        assert events[0].status_from == S.DRAFT
        for earlier, later in itertools.pairwise(events):
            assert earlier.status_to == later.status_from, "the timeline skips a status"
        assert events[-1].status_to == case.status
        assert case.status_changed_at == events[-1].created_at

    @invariant()
    def ladder_exists_exactly_for_the_current_wait(self):
        case = Case.objects.get(pk=self.case.pk)
        ladder = list(Reminder.objects.pending().filter(case=case, kind=Reminder.Kind.LADDER))
        if case.is_waiting:
            assert case.waiting_since is not None
            assert case.stall_at > case.waiting_since
            assert [(r.sequence, r.period_started_at) for r in ladder] == [(0, case.waiting_since)]
            # Its due time is never before the provider's typical time has passed.
            assert ladder[0].due_at >= case.expected_by
        else:
            assert ladder == []
            assert case.waiting_since is None
            assert case.stall_at is None
            assert not case.is_stalled
            assert case.expected_by is None

    @invariant()
    def billing_check_only_when_completed(self):
        case = Case.objects.get(pk=self.case.pk)
        checks = list(
            Reminder.objects.pending().filter(case=case, kind=Reminder.Kind.BILLING_CHECK)
        )
        if case.status == S.COMPLETED:
            assert case.completed_at is not None
            assert [r.period_started_at for r in checks] == [case.completed_at]
        else:
            assert checks == []

    @invariant()
    def withdrawn_case_has_nothing_pending(self):
        if self.case.status != S.WITHDRAWN:
            return
        pending = Reminder.objects.pending().filter(case=self.case)
        assert not pending.exclude(kind=Reminder.Kind.AGENT_MESSAGE).exists()

    @invariant()
    def waiting_status_matches_the_journey(self):
        if self.case.status == S.AWAITING_REVIEW:
            assert self.case.service_kind == ServiceKind.VIRTUAL
        if self.case.status == S.AWAITING_OPERATOR:
            assert self.case.service_kind in (ServiceKind.ESIM, ServiceKind.PHYSICAL_SIM)


@pytest.mark.django_db
def test_random_sequences_of_moves_keep_the_case_consistent():
    run_state_machine_as_test(
        CaseMachine,
        settings=hypothesis_settings(
            max_examples=30,
            stateful_step_count=15,
            deadline=None,
            database=None,  # no .hypothesis/ folder in the shared working tree
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
