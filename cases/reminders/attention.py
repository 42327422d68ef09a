"""What waits on an agent besides the flagged cases: a reminder that failed, or a follow-up date
that passed, with nothing done on the case since. Read by the Needs attention queue and the
agents' daily digest, so both mean the same thing.

Both look back LOOKBACK_DAYS only. Failed reminders pile up on closed cases over the years;
unbounded, this part of the queue read (and looked up the case of) every failure ever, a cost
that grew with history rather than with the queue. A case waiting on the provider that long has
stalled by then and is in the queue for that; older failures stay on the case page.
"""

import datetime as dt

from django.db.models import F, QuerySet

from cases.models import ContactAttempt, Reminder

LOOKBACK_DAYS = 30


def failed_reminders(*, now: dt.datetime) -> QuerySet:
    """Recently failed reminders with nothing done on their case since (reminder_failed_idx)."""
    return Reminder.objects.filter(
        state=Reminder.State.FAILED, due_at__gte=now - dt.timedelta(days=LOOKBACK_DAYS)
    ).filter(due_at__gte=F("case__last_activity_at"))


def overdue_follow_ups(*, today: dt.date) -> QuerySet:
    """Recent follow-ups due before `today`, nothing done on their case since
    (contact_follow_up_idx)."""
    return ContactAttempt.objects.filter(
        follow_up_on__lt=today,
        follow_up_on__gte=today - dt.timedelta(days=LOOKBACK_DAYS),
    ).filter(follow_up_on__gte=F("case__last_activity_at__date"))
