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


def is_mail_hour(hour: int) -> bool:
    """Whether customer emails may go out during local `hour` (the window may cross midnight)."""
    start_hour, end_hour = settings.CUSTOMER_MAIL_HOURS
    if start_hour < end_hour:
        return start_hour <= hour < end_hour
    # 20 → 8: from 20:00 to midnight and from midnight to 08:00. (start == end is refused by
    # the system check in cases.reminders.checks: an empty window would hold every reminder.)
    return hour >= start_hour or hour < end_hour


def within_customer_hours(moment: dt.datetime, *, time_zone: str) -> dt.datetime:
    """`moment`, or the next start of the customer's mail hours if it falls outside them."""
    start_hour, _ = settings.CUSTOMER_MAIL_HOURS
    local = moment.astimezone(zone(time_zone))
    if is_mail_hour(local.hour):
        return moment
    # Outside the window the next opening is today's start hour if it is still to come, else
    # tomorrow's; for a window crossing midnight the hours outside it all lie before its start.
    day = local.date() if local.hour < start_hour else local.date() + dt.timedelta(days=1)
    while True:
        opening = dt.datetime.combine(day, dt.time(start_hour), tzinfo=local.tzinfo)
        # A start hour that the clocks skip that day (spring forward) reads as the hour after
        # it, which a one-hour window leaves out: that day has no mail hour, try the next.
        if is_mail_hour(opening.astimezone(dt.UTC).astimezone(local.tzinfo).hour):
            return opening.astimezone(dt.UTC)
        day += dt.timedelta(days=1)


def snooze_end(*, case: Case, day: dt.date) -> dt.datetime:
    """When a snooze "until `day`" ends: that day's first mail hour, in the case's time zone.

    08:00 for the default 8 → 20 window; midnight for a window that crosses it (20 → 8), whose
    first hours that day are 00:00 to 08:00.
    """
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=zone(case.time_zone))
    return within_customer_hours(midnight.astimezone(dt.UTC), time_zone=case.time_zone)


class Verdict(enum.Enum):
    SEND = "send"
    CANCEL = "cancel"
    LATER = "later"


# What verdict() reads, for the sweep to load no more than that of each claimed row (a case
# row is wide, and building thousands of full instances is most of a sweep's Python). Add a
# field here when verdict() starts reading it: a deferred field would cost a query per row.
VERDICT_FIELDS = (
    "id",
    "kind",
    "period_started_at",
    "case_id",
    "case__id",
    "case__status",
    "case__owner_id",
    "case__reminders_stopped_at",
    "case__waiting_since",
    "case__billing_verified_at",
    "case__snoozed_until",
    "case__time_zone",
)


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
