from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models.case import Case
from providers.models import (
    ContactChannel,
)


class ContactAttempt(models.Model):
    """One contact with the provider, logged by the customer or an agent."""

    class Direction(models.TextChoices):
        OUTBOUND = "outbound", _("We contacted them")
        INBOUND = "inbound", _("They contacted us")

    class Outcome(models.TextChoices):
        NO_ANSWER = "no_answer", _("No answer")
        IN_PROGRESS = "in_progress", _("Request in progress")
        CONFIRMED = "confirmed", _("Cancellation confirmed")
        NEEDS_MORE = "needs_more", _("They need more information")
        REFUSED = "refused", _("Refused")
        OTHER = "other", _("Other")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    occurred_at = models.DateTimeField(_("when"))
    channel = models.ForeignKey(
        ContactChannel,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("official channel"),
    )
    channel_text = models.CharField(_("other channel"), max_length=300, blank=True)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    spoke_to = models.CharField(_("who you spoke to"), max_length=120, blank=True)
    provider_reference = models.CharField(_("provider's reference"), max_length=100, blank=True)
    summary = models.TextField(_("what happened"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    scam_warning_shown = models.BooleanField(_("scam warning shown"), default=False)
    # What the scam guard found in the channel and the summary (cases.contacts.scam_guard
    # Verdict.as_dict()): its findings, each with a reason code; empty when nothing looked off.
    scam_verdict = models.JSONField(_("scam guard verdict"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("logged"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last edited"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")
        ordering = ["case", "-occurred_at"]
        indexes = [
            models.Index(fields=["case", "-occurred_at"], name="contact_case_idx"),
            models.Index(
                fields=["follow_up_on"],
                name="contact_follow_up_idx",
                condition=Q(follow_up_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.get_outcome_display()} {self.occurred_at:%Y-%m-%d}"
