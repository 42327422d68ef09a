import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.models.case import (
    Case,
)
from cases.models.contacts import ContactAttempt
from cases.models.evidence import Evidence, evidence_storage
from cases.models.suggestions import INBOUND_TOKEN_ALPHABET


def new_inbound_token() -> str:
    return "".join(secrets.choice(INBOUND_TOKEN_ALPHABET) for _ in range(26))


class InboundAddress(models.Model):
    """A case's private email address, case-<token>@INBOUND_DOMAIN; reset at will (old mail then
    goes to the agents' Unmatched queue)."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="inbound_address", verbose_name=_("case")
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_inbound_token)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    reset_at = models.DateTimeField(_("last reset"), null=True, blank=True)
    # When mail last reached the case: the case pages skip the mail query for a case with none.
    last_message_at = models.DateTimeField(_("last email"), null=True, blank=True)

    class Meta:
        verbose_name = _("case email address")
        verbose_name_plural = _("case email addresses")

    def __str__(self) -> str:
        return f"Address of {self.case_id}"

    @property
    def address(self) -> str:
        return f"case-{self.token}@{settings.INBOUND_DOMAIN}"


def inbound_key(instance: "InboundMessage", filename: str) -> str:
    """A random storage key for a received message, as private as evidence."""
    return f"inbound/{secrets.token_hex(2)}/{secrets.token_urlsafe(24)}.eml"


class InboundMessageQuerySet(models.QuerySet):
    def unmatched(self) -> "InboundMessageQuerySet":
        return self.filter(state=InboundMessage.State.UNMATCHED)

    def waiting_to_process(self, received_before) -> "InboundMessageQuerySet":
        """Received and not processed by then: queuing failed (Redis down) or the task died."""
        return self.filter(state=InboundMessage.State.RECEIVED, received_at__lt=received_before)


class InboundMessage(models.Model):
    """One email that reached a case address, stored raw first and processed by a worker."""

    class State(models.TextChoices):
        RECEIVED = "received", _("Waiting to be processed")
        PROCESSED = "processed", _("On the case")
        UNMATCHED = "unmatched", _("Unmatched")
        DROPPED = "dropped", _("Dropped")
        DISCARDED = "discarded", _("Discarded by an agent")
        FAILED = "failed", pgettext_lazy("inbound email", "Failed")

    class Via(models.TextChoices):
        WEBHOOK = "webhook", _("Webhook")
        PIPE = "pipe", _("Mail server pipe")
        SMTP = "smtp", _("SMTP listener")

    class Drop(models.TextChoices):
        AUTO_REPLY = "auto_reply", _("Automatic reply")
        BOUNCE = "bounce", _("Delivery report (bounce)")
        LOOP = "loop", _("Our own email came back")
        RATE_LIMIT = "rate_limit", _("Too many emails to this address")
        TOO_COMPLEX = "too_complex", _("Too many parts or too deeply nested")
        UNREADABLE = "unreadable", _("Not a readable email")

    class Suggestion(models.TextChoices):
        CONFIRMED = "confirmed", _("Cancellation confirmed")
        NEEDS_MORE = "needs_more", _("They need more information")
        REFUSED = "refused", _("Refused")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        ACCEPTED = "accepted", _("Recorded")
        DISMISSED = "dismissed", _("Dismissed")

    case = models.ForeignKey(
        Case,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="inbound_messages",
        verbose_name=_("case"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.RECEIVED
    )
    via = models.CharField(_("received by"), max_length=10, choices=Via.choices)
    # The address it was sent to (the envelope recipient when known): the key of the match and of
    # the per-address rate limit.
    recipient = models.CharField(_("sent to"), max_length=320)
    envelope_from = models.CharField(_("envelope sender"), max_length=320, blank=True)
    raw = models.FileField(_("raw message"), upload_to=inbound_key, storage=evidence_storage)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    message_id = models.CharField(_("Message-ID"), max_length=998, blank=True)
    # The Message-ID, or the SHA-256 of a message without one: the same message delivered twice
    # (a webhook retried, a pipe run again) is kept once per address.
    dedupe_key = models.CharField(max_length=998)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    from_address = models.CharField(_("from"), max_length=320, blank=True)
    from_name = models.CharField(_("sender's name"), max_length=200, blank=True)
    # Who wrote it: the original sender of a forwarded message, else the From address.
    sender = models.CharField(_("original sender"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    excerpt = models.TextField(_("text"), blank=True)
    drop_reason = models.CharField(
        _("why it was dropped"), max_length=20, choices=Drop.choices, blank=True
    )
    scam_verdict = models.JSONField(_("scam guard verdict"), default=dict, blank=True)
    # Attachments that did not pass the upload checks: [{"name": ..., "reason": ...}].
    refused_files = models.JSONField(_("attachments not kept"), default=list, blank=True)
    evidence = models.ForeignKey(
        Evidence,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("the email as evidence"),
    )
    contact = models.ForeignKey(
        ContactAttempt,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact log entry"),
    )
    suggestion = models.CharField(
        _("suggested outcome"), max_length=20, choices=Suggestion.choices, blank=True
    )
    suggested_reference = models.CharField(_("reference found"), max_length=100, blank=True)
    quote = models.CharField(_("quote"), max_length=500, blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("attached or discarded by"),
    )
    handled_at = models.DateTimeField(_("attached or discarded"), null=True, blank=True)

    objects = InboundMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="inbound_once_per_address"
            )
        ]
        indexes = [
            models.Index(fields=["case", "-received_at"], name="inbound_case_idx"),
            models.Index(
                fields=["-received_at", "-id"],
                name="inbound_unmatched_idx",
                condition=Q(state="unmatched"),
            ),
            models.Index(
                fields=["received_at"],
                name="inbound_received_idx",
                condition=Q(state="received"),
            ),
            models.Index(fields=["recipient", "-received_at"], name="inbound_recipient_idx"),
            models.Index(
                fields=["case"],
                name="inbound_suggestion_idx",
                condition=Q(decision="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.received_at:%Y-%m-%d %H:%M} ({self.state})"

    @property
    def has_pending_suggestion(self) -> bool:
        return self.decision == self.Decision.PENDING

    @property
    def shown_sender(self) -> str:
        return self.sender or self.from_address
