"""Finished cases with known durations, for the public figures and pages."""

import datetime as dt

from cases.models import Case, Reminder
from providers.models import ServiceKind
from tests import factories

S = Case.Status
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def finished(provider, *, days: float, kind=ServiceKind.ESIM, owner=None, ago: int = 10, **fields):
    """A case completed `ago` days before NOW, `days` after it was submitted."""
    done = NOW - dt.timedelta(days=ago)
    fields.setdefault("status", S.COMPLETED)
    case = factories.CaseFactory(
        provider=provider,
        owner=owner,
        service_kind=kind,
        submitted_at=done - dt.timedelta(days=days),
        completed_at=done if fields["status"] == S.COMPLETED else None,
        **fields,
    )
    Case.objects.filter(pk=case.pk).update(status_changed_at=done)
    return case


def reminded(case) -> None:
    factories.ReminderFactory(
        case=case,
        kind=Reminder.Kind.LADDER,
        state=Reminder.State.SENT,
        period_started_at=case.submitted_at,
        due_at=case.submitted_at,
    )


def seed_known_provider(provider, owner=None) -> None:
    """40 finished cases, hand-counted in the tests:

    - eSIM: 20 completed, taking 1, 2, … 20 days; the first three got a reminder, the fourth
      a cancellation notice, the fifth and sixth were escalated;
    - virtual: 19 completed, 30 days each (one short of the minimum count);
    - one withdrawn after the provider refused.
    Not counted: one completed 400 days ago, one open, one reopened as still charged.
    """
    for day in range(1, 21):
        case = finished(provider, days=day, owner=owner)
        if day <= 3:
            reminded(case)
        if day == 4:
            Case.objects.filter(pk=case.pk).update(notice_sent_at=case.submitted_at)
        if day in (5, 6):
            Case.objects.filter(pk=case.pk).update(escalated_at=case.completed_at)
    for _ in range(19):
        finished(provider, days=30, kind=ServiceKind.VIRTUAL, owner=owner)
    finished(
        provider, days=3, status=S.WITHDRAWN, refused_at=NOW - dt.timedelta(days=12), owner=owner
    )
    finished(provider, days=2, ago=400, owner=owner)
    finished(provider, days=2, status=S.AWAITING_REVIEW, owner=owner)
    finished(provider, days=2, status=S.NEEDS_ACTION, owner=owner)
