"""The reminder rules as pure functions: the ladder, the customer's mail hours, time zones, and
whether a due reminder may go out now (DESIGN.md "Reminders"). No database access here."""

import datetime as dt
import enum
import zoneinfo

from django.conf import settings

from cases.models import Case, Reminder


def ladder_interval(*, case: Case, sequence: int) -> dt.timedelta:
    """The wait before rung `sequence` + 1: the typical time, growing each rung, capped.

    An escalated case waits on an ombudsman or regulator: a fixed, slower rhythm.
    """
    if case.is_escalated:
        return dt.timedelta(days=settings.ESCALATED_REMINDER_DAYS)
    days = case.typical_wait_days * settings.REMINDER_INTERVAL_GROWTH ** max(sequence, 0)
    return dt.timedelta(days=min(days, settings.REMINDER_INTERVAL_CAP_DAYS))


def zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def within_customer_hours(moment: dt.datetime, *, time_zone: str) -> dt.datetime:
    """`moment`, or the next start of the customer's mail hours if it falls outside them."""
    start_hour, end_hour = settings.CUSTOMER_MAIL_HOURS
    local = moment.astimezone(zone(time_zone))
    if start_hour <= local.hour < end_hour:
        return moment
    day = local.date() if local.hour < start_hour else local.date() + dt.timedelta(days=1)
    opening = dt.datetime.combine(day, dt.time(start_hour), tzinfo=local.tzinfo)
    return opening.astimezone(dt.UTC)


def snooze_end(*, case: Case, day: dt.date) -> dt.datetime:
    """When a snooze "until `day`" ends: the start of mail hours that day, the case's time."""
    start_hour, _ = settings.CUSTOMER_MAIL_HOURS
    local = dt.datetime.combine(day, dt.time(start_hour), tzinfo=zone(case.time_zone))
    return local.astimezone(dt.UTC)


class Verdict(enum.Enum):
    SEND = "send"
    CANCEL = "cancel"
    LATER = "later"


def verdict(reminder: Reminder, *, now: dt.datetime) -> tuple[Verdict, dt.datetime | None]:
    """Whether `reminder` may go out at `now`: send, cancel it, or move it to a later time."""
    case = reminder.case
    kind = reminder.kind
    if kind != Reminder.Kind.AGENT_MESSAGE and case.reminders_stopped_at is not None:
        return Verdict.CANCEL, None
    if case.owner_id is None:
        return Verdict.CANCEL, None
    if kind == Reminder.Kind.LADDER and not (
        case.is_waiting and case.waiting_since == reminder.period_started_at
    ):
        return Verdict.CANCEL, None
    if kind == Reminder.Kind.BILLING_CHECK and (
        case.status != Case.Status.COMPLETED or case.billing_verified_at is not None
    ):
        return Verdict.CANCEL, None
    if kind == Reminder.Kind.FOLLOW_UP and not case.is_open:
        return Verdict.CANCEL, None
    if kind != Reminder.Kind.AGENT_MESSAGE and case.snoozed_until and case.snoozed_until > now:
        return Verdict.LATER, within_customer_hours(case.snoozed_until, time_zone=case.time_zone)
    opening = within_customer_hours(now, time_zone=case.time_zone)
    if opening != now:
        return Verdict.LATER, opening
    return Verdict.SEND, None
