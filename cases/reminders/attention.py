"""What waits on an agent besides the flagged cases: a reminder that failed, or a follow-up date
that passed, with nothing done on the case since. Read by the Needs attention queue and the
agents' daily digest, so both mean the same thing."""

import datetime as dt

from django.db.models import F, QuerySet

from cases.models import ContactAttempt, Reminder


def failed_reminders() -> QuerySet:
    """Failed reminders with no activity on their case since they were due (reminder_failed_idx)."""
    return Reminder.objects.filter(
        state=Reminder.State.FAILED, due_at__gte=F("case__last_activity_at")
    )


def overdue_follow_ups(*, today: dt.date) -> QuerySet:
    """Follow-ups due before `today`, nothing done on their case since (contact_follow_up_idx)."""
    return ContactAttempt.objects.filter(
        follow_up_on__lt=today, follow_up_on__gte=F("case__last_activity_at__date")
    )
