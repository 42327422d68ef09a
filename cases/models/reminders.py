from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models.case import Case


class ReminderQuerySet(models.QuerySet):
    def pending(self) -> "ReminderQuerySet":
        return self.filter(state__in=(Reminder.State.SCHEDULED, Reminder.State.SENDING))

    def due(self, now) -> "ReminderQuerySet":
        """Scheduled rows due by `now`, oldest first: what the sweep claims.

        The predicate is reminder_scheduled_due_idx's own, so PostgreSQL walks that index up to
        `now`. A claimed row leaves the index (it is sending now), so the sweep's next batch
        starts at the next unclaimed row instead of stepping over every row claimed before it.
        """
        return self.filter(state=Reminder.State.SCHEDULED, due_at__lte=now).order_by("due_at")

    def lease_expired(self, now) -> "ReminderQuerySet":
        """Sending rows whose lease ran out by `now`, oldest claim first: the sweep reclaims them
        (through reminder_sending_lease_idx; fresh claims sit at its far end, unread)."""
        lease = timedelta(seconds=settings.REMINDER_LEASE_SECONDS)
        return self.filter(state=Reminder.State.SENDING, sending_since__lt=now - lease).order_by(
            "sending_since"
        )

    def claimable(self, now) -> "ReminderQuerySet":
        """Both of the above: every row a sweep at `now` would take (for counts and pages)."""
        lease = timedelta(seconds=settings.REMINDER_LEASE_SECONDS)
        return self.filter(
            Q(state=Reminder.State.SCHEDULED, due_at__lte=now)
            | Q(state=Reminder.State.SENDING, sending_since__lt=now - lease)
        ).order_by("due_at")


class Reminder(models.Model):
    """The reminder schedule and outbox: one row per email to send, sent at most once."""

    class Kind(models.TextChoices):
        LADDER = "ladder", _("Waiting reminder")
        FOLLOW_UP = "follow_up", _("Follow-up")
        BILLING_CHECK = "billing_check", _("Billing check")
        AGENT_MESSAGE = "agent_message", _("Message from an agent")

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    period_started_at = models.DateTimeField(_("waiting period started"))
    sequence = models.PositiveSmallIntegerField(_("sequence"), default=0)
    due_at = models.DateTimeField(_("due"))
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.SCHEDULED
    )
    sending_since = models.DateTimeField(_("sending since"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Set when a send begins, cleared when it ends either way: still set when the next attempt
    # begins means the last one was cut off mid-send (its worker killed), maybe after the email
    # had left.
    attempt_started_at = models.DateTimeField(_("attempt started"), null=True, blank=True)
    is_possible_duplicate = models.BooleanField(
        _("possible duplicate"),
        default=False,
        help_text=_(
            "An earlier attempt was cut off mid-send and may already have delivered this email, "
            "so the customer may have received it twice."
        ),
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=200, blank=True)
    body = models.TextField(_("message"), blank=True, help_text=_("For agent messages."))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "period_started_at", "sequence"],
                name="reminder_once_per_period_sequence",
            )
        ]
        indexes = [
            # The sweep's two reads (ReminderQuerySet.due and .lease_expired), one index each.
            models.Index(
                fields=["due_at"],
                name="reminder_scheduled_due_idx",
                condition=Q(state="scheduled"),
            ),
            models.Index(
                fields=["sending_since"],
                name="reminder_sending_lease_idx",
                condition=Q(state="sending"),
            ),
            models.Index(fields=["case", "state"], name="reminder_case_state_idx"),
            models.Index(
                fields=["state", "-due_at"], name="reminder_failed_idx", condition=Q(state="failed")
            ),
            # The admin's "possible duplicate" filter: rare rows, newest first.
            models.Index(
                fields=["-id"],
                name="reminder_duplicate_idx",
                condition=Q(is_possible_duplicate=True),
            ),
        ]

    def __str__(self) -> str:
        due = f"{self.due_at:%Y-%m-%d %H:%M}"
        return (
            f"{self.case.reference} {self.get_kind_display()} #{self.sequence} {due} ({self.state})"
        )


class AgentDigest(models.Model):
    """One row per day the agents' digest was sent: makes the daily run idempotent."""

    day = models.DateField(_("day"), unique=True)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    case_count = models.PositiveIntegerField(_("cases listed"), default=0)

    class Meta:
        verbose_name = _("agents' digest")
        verbose_name_plural = _("agents' digests")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"Digest {self.day:%Y-%m-%d}"
