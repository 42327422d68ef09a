"""The reminder rows a waiting period, a completion or a sent rung puts in the outbox, written
in the caller's transaction (DESIGN.md "Reminders": the rows are the schedule)."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from cases.models import Case, Reminder
from cases.reminders.schedule import ladder_interval, within_customer_hours, zone


def wait_days(case: Case) -> int:
    """How long a wait lasts before its first reminder: slower once the case is escalated."""
    return settings.ESCALATED_REMINDER_DAYS if case.is_escalated else case.typical_wait_days


def start_waiting_period(*, case: Case) -> None:
    """Stamp the wait's clock on `case` (caller saves it) and schedule the ladder's first rung."""
    if case.is_waiting:
        now = timezone.now()
        days = wait_days(case)
        case.waiting_since = now
        case.expected_by = now + dt.timedelta(days=days)
        case.stall_at = now + dt.timedelta(days=2 * days)
        case.is_stalled = False
        schedule_ladder_rung(case=case, sequence=0, due_at=case.expected_by)
    elif case.status == Case.Status.COMPLETED:
        completed_at = case.completed_at or timezone.now()
        due = completed_at + dt.timedelta(days=settings.BILLING_CYCLE_DAYS)
        Reminder.objects.create(
            case=case,
            kind=Reminder.Kind.BILLING_CHECK,
            period_started_at=completed_at,
            due_at=within_customer_hours(due, time_zone=case.time_zone),
        )


def end_waiting_period(*, case: Case) -> int:
    """Cancel what the period `case` is leaving had scheduled; clear its clock. Returns count."""
    kind = Reminder.Kind.BILLING_CHECK if case.status == Case.Status.COMPLETED else None
    cancelled = cancel_pending(case=case, kind=kind or Reminder.Kind.LADDER)
    case.waiting_since = case.stall_at = None
    case.is_stalled = False
    return cancelled


def cancel_pending(*, case: Case, kind: str) -> int:
    """Cancel the case's scheduled or claimed reminders of one kind. Returns the count."""
    return (
        Reminder.objects.pending()
        .filter(case=case, kind=kind)
        .update(state=Reminder.State.CANCELLED, sending_since=None)
    )


def cancel_all(*, case: Case) -> int:
    """Cancel every pending reminder of `case` (withdrawn, or reminders stopped)."""
    return (
        Reminder.objects.pending()
        .filter(case=case)
        .exclude(kind=Reminder.Kind.AGENT_MESSAGE)
        .update(state=Reminder.State.CANCELLED, sending_since=None)
    )


def schedule_ladder_rung(*, case: Case, sequence: int, due_at: dt.datetime) -> Reminder:
    assert case.waiting_since is not None  # a rung belongs to a wait that has started
    return Reminder.objects.create(
        case=case,
        kind=Reminder.Kind.LADDER,
        period_started_at=case.waiting_since,
        sequence=sequence,
        due_at=within_customer_hours(due_at, time_zone=case.time_zone),
    )


def schedule_next_rung(*, sent: Reminder, now: dt.datetime) -> None:
    """After a ladder reminder went out: the next rung, from now, not from the missed due time,
    so a case that fell behind gets one email rather than a burst."""
    case = sent.case
    due_at = now + ladder_interval(case=case, sequence=sent.sequence)
    Reminder.objects.get_or_create(
        case=case,
        kind=Reminder.Kind.LADDER,
        period_started_at=sent.period_started_at,
        sequence=sent.sequence + 1,
        defaults={"due_at": within_customer_hours(due_at, time_zone=case.time_zone)},
    )


def slow_down(*, case: Case, now: dt.datetime) -> Reminder | None:
    """The case was escalated while waiting: its next rung moves to the slower rhythm.

    Stamps the new expected and stall times on `case` (the caller saves them).
    """
    if not (case.is_waiting and case.waiting_since):
        return None
    days = dt.timedelta(days=settings.ESCALATED_REMINDER_DAYS)
    case.expected_by = now + days
    case.stall_at = now + 2 * days
    case.is_stalled = False
    last = (
        Reminder.objects.filter(
            case=case, kind=Reminder.Kind.LADDER, period_started_at=case.waiting_since
        )
        .order_by("-sequence")
        .first()
    )
    cancel_pending(case=case, kind=Reminder.Kind.LADDER)
    sequence = last.sequence + 1 if last else 0
    return schedule_ladder_rung(case=case, sequence=sequence, due_at=case.expected_by)


def resume_ladder(*, case: Case, now: dt.datetime) -> Reminder | None:
    """After reminders were stopped: the waiting case's next rung at the usual interval."""
    if not (case.is_waiting and case.waiting_since):
        return None
    last = (
        Reminder.objects.filter(
            case=case, kind=Reminder.Kind.LADDER, period_started_at=case.waiting_since
        )
        .order_by("-sequence")
        .first()
    )
    if last is None:
        sequence, due_at = 0, max(case.expected_by or now, now)
    else:
        sequence = last.sequence + 1
        due_at = now + ladder_interval(case=case, sequence=last.sequence)
    return schedule_ladder_rung(case=case, sequence=sequence, due_at=due_at)


def hold_until(*, case: Case, due_at: dt.datetime) -> int:
    """Move the case's pending customer reminders due before `due_at` to it. Returns count.

    A row already claimed goes back to scheduled: its queued task then finds no lease and sends
    nothing.
    """
    return (
        Reminder.objects.pending()
        .filter(case=case, due_at__lt=due_at)
        .exclude(kind=Reminder.Kind.AGENT_MESSAGE)
        .update(state=Reminder.State.SCHEDULED, sending_since=None, due_at=due_at)
    )


# --- Follow-ups from the contact log ----------------------------------------------------------
#
# A contact's follow-up rows share its period (the contact's created_at); each reschedule
# cancels the pending row and adds the next sequence, so the sent history stays intact.


def follow_up_due(*, case: Case, day: dt.date, now: dt.datetime | None = None) -> dt.datetime:
    """FOLLOW_UP_HOUR on `day` in the case's time zone, or the next mail hour if that passed."""
    local = dt.datetime.combine(day, dt.time(settings.FOLLOW_UP_HOUR), tzinfo=zone(case.time_zone))
    due = max(local.astimezone(dt.UTC), now or timezone.now())
    return within_customer_hours(due, time_zone=case.time_zone)


def schedule_follow_up(*, case: Case, contact) -> Reminder:
    """The follow-up reminder of a contact (ContactAttempt) with a follow-up date."""
    last = (
        Reminder.objects.filter(
            case=case, kind=Reminder.Kind.FOLLOW_UP, period_started_at=contact.created_at
        )
        .order_by("-sequence")
        .first()
    )
    return Reminder.objects.create(
        case=case,
        kind=Reminder.Kind.FOLLOW_UP,
        period_started_at=contact.created_at,
        sequence=last.sequence + 1 if last else 0,
        due_at=follow_up_due(case=case, day=contact.follow_up_on),
    )


def cancel_follow_up(*, case: Case, contact) -> int:
    """Cancel the contact's pending follow-up reminder. Returns the count."""
    return (
        Reminder.objects.pending()
        .filter(case=case, kind=Reminder.Kind.FOLLOW_UP, period_started_at=contact.created_at)
        .update(state=Reminder.State.CANCELLED, sending_since=None)
    )
