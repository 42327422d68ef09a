"""Reminder scheduling: which rows a waiting period, a completion or a follow-up puts in the
outbox (DESIGN.md "Reminders"). Rows are written in the caller's transaction."""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.utils import timezone

from cases.models import Case, Reminder


def typical_days(case: Case) -> int:
    operator = case.is_operator_journey
    if case.provider_id:
        return case.provider.typical_days(waiting_for_operator=operator)
    return settings.TYPICAL_OPERATOR_DAYS if operator else settings.TYPICAL_REVIEW_DAYS


def ladder_interval(*, case: Case, sequence: int) -> dt.timedelta:
    """The wait before rung `sequence` + 1: the typical time, growing each rung, capped."""
    days = typical_days(case) * settings.REMINDER_INTERVAL_GROWTH ** max(sequence, 0)
    return dt.timedelta(days=min(days, settings.REMINDER_INTERVAL_CAP_DAYS))


def within_customer_hours(moment: dt.datetime, *, time_zone: str) -> dt.datetime:
    """`moment`, or the next start of the customer's mail hours if it falls outside them."""
    start_hour, end_hour = settings.CUSTOMER_MAIL_HOURS
    local = moment.astimezone(zone(time_zone))
    if start_hour <= local.hour < end_hour:
        return moment
    day = local.date() if local.hour < start_hour else local.date() + dt.timedelta(days=1)
    opening = dt.datetime.combine(day, dt.time(start_hour), tzinfo=local.tzinfo)
    return opening.astimezone(dt.UTC)


def zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def start_waiting_period(*, case: Case) -> None:
    """Stamp the wait's clock on `case` (caller saves it) and schedule the ladder's first rung."""
    if case.is_waiting:
        now = timezone.now()
        days = typical_days(case)
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
    pending = Reminder.objects.pending().filter(case=case)
    if case.status == Case.Status.COMPLETED:
        pending = pending.filter(kind=Reminder.Kind.BILLING_CHECK)
    else:
        pending = pending.filter(kind=Reminder.Kind.LADDER)
    cancelled = pending.update(state=Reminder.State.CANCELLED, sending_since=None)
    case.waiting_since = case.stall_at = None
    case.is_stalled = False
    return cancelled


def cancel_all(*, case: Case) -> int:
    """Cancel every pending reminder of `case` (withdrawn, or reminders stopped)."""
    return (
        Reminder.objects.pending()
        .filter(case=case)
        .exclude(kind=Reminder.Kind.AGENT_MESSAGE)
        .update(state=Reminder.State.CANCELLED, sending_since=None)
    )


def schedule_ladder_rung(*, case: Case, sequence: int, due_at: dt.datetime) -> Reminder:
    return Reminder.objects.create(
        case=case,
        kind=Reminder.Kind.LADDER,
        period_started_at=case.waiting_since,
        sequence=sequence,
        due_at=within_customer_hours(due_at, time_zone=case.time_zone),
    )
