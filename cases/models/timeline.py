import contextlib
from datetime import date

from django.conf import settings
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from cases.models.case import (
    Case,
)


class CaseEvent(models.Model):
    """The append-only timeline and audit trail of a case."""

    # System texts that name the event themselves: the timeline shows them as its heading
    # instead of "Note: Internal note: …" (cases/staff_services.py, cases/reminders/send.py).
    SUPPORT_MESSAGE = gettext_noop("Message from Closeout support")
    INTERNAL_NOTE = gettext_noop("Internal note")
    SUPPORT_MESSAGE_SENT = gettext_noop("Message emailed to the customer.")

    class Kind(models.TextChoices):
        CREATED = "created", _("Case started")
        CLAIMED = "claimed", _("Case saved to account")
        STATUS = "status", _("Status changed")
        STEP = "step", _("Step updated")
        DETAILS = "details", _("Details updated")
        EVIDENCE = "evidence", _("Evidence added")
        EVIDENCE_VIEWED = "evidence_viewed", _("Identity document viewed")
        CONTACT = "contact", _("Contact logged")
        NOTE = "note", _("Note")
        ASSIGNED = "assigned", _("Assigned")
        REMINDER = "reminder", _("Reminder")
        STALLED = "stalled", _("Stalled")
        BILLING = "billing", _("Billing check")
        PROFILE_DELETED = "profile_deleted", _("eSIM profile deleted")
        CONTRACT_ENDED = "contract_ended", _("Contract ended")
        EVIDENCE_DELETED = "evidence_deleted", _("Evidence deleted")
        PROOF_PACK = "proof_pack", _("Proof pack made")
        RETENTION = "retention", _("Evidence deleted after the retention period")
        CASE_DELETED = "case_deleted", _("Case deleted")
        NOTICE = "notice", _("Cancellation notice")
        ESCALATED = "escalated", _("Escalated")
        INBOUND = "inbound", _("Email received")

    class Visibility(models.TextChoices):
        CUSTOMER = "customer", _("Visible to the customer")
        INTERNAL = "internal", _("Internal")

    class Actor(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        AGENT = "agent", _("Agent")
        SYSTEM = "system", _("System")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_role = models.CharField(_("actor"), max_length=10, choices=Actor.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status_from = models.CharField(max_length=20, choices=Case.Status.choices, blank=True)
    status_to = models.CharField(max_length=20, choices=Case.Status.choices, blank=True)
    # What a person typed, kept verbatim.
    message = models.TextField(_("message"), blank=True)
    # What the system says, as an untranslated msgid and its values, so the timeline reads
    # in the language of whoever looks at it, not the one active when it was written.
    text = models.CharField(_("text"), max_length=200, blank=True)
    text_params = models.JSONField(_("text values"), default=dict, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.CUSTOMER
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=False)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["case", "created_at", "id"]
        indexes = [
            models.Index(fields=["case", "created_at", "id"], name="event_case_idx"),
            models.Index(fields=["kind", "-created_at"], name="event_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.created_at:%Y-%m-%d %H:%M} {self.get_kind_display()}"

    # The timeline shows these for every event: an enum lookup, where get_FOO_display()
    # rebuilds a dict of every lazy label on each call.
    @property
    def kind_label(self) -> StrOrPromise:
        return self.Kind(self.kind).label

    @property
    def status_to_label(self) -> StrOrPromise:
        return Case.Status(self.status_to).label if self.status_to else ""

    @property
    def heading(self) -> StrOrPromise:
        """What the customer's timeline line starts with ("" when the detail says it all)."""
        if self.kind == self.Kind.STATUS:
            return self.status_to_label
        if self.kind == self.Kind.NOTE and self.text == self.SUPPORT_MESSAGE:
            return gettext(self.SUPPORT_MESSAGE)
        if self.text == self.SUPPORT_MESSAGE_SENT:
            return ""
        return self.kind_label

    @property
    def line_heading(self) -> StrOrPromise:
        """The customer's timeline line as heading and detail; the proof pack reads the same."""
        if self.kind == self.Kind.STATUS:
            return self.status_to_label
        if self.kind == self.Kind.STEP and self.summary:
            return ""
        return self.heading

    @property
    def line_detail(self) -> str:
        if self.kind in (self.Kind.STATUS, self.Kind.STEP):
            return self.summary
        return self.detail

    @property
    def staff_heading(self) -> StrOrPromise:
        """The heading on the agents' timeline, which says whom a message went to."""
        if self.kind == self.Kind.NOTE and self.text == self.SUPPORT_MESSAGE:
            return _("Message to the customer")
        return self.heading

    @property
    def detail(self) -> str:
        """The rest of the line: what a person typed, or the system text with it."""
        if self.kind == self.Kind.NOTE and self.text in (self.SUPPORT_MESSAGE, self.INTERNAL_NOTE):
            return self.message
        return self.summary

    @property
    def summary(self) -> str:
        """The event's system text in the active language, then what a person typed."""
        text = self.localized_text
        if not (text and self.message):
            return text or self.message
        separator = " " if text.endswith((".", "。", "!", "！", "?", "？")) else ": "
        return f"{text}{separator}{self.message}"

    @property
    def localized_text(self) -> str:
        if not self.text:
            return ""
        chinese = (get_language() or "").lower().startswith("zh")
        params = {
            key: self.text_params.get(f"{key}_zh_hans") or value if chinese else value
            for key, value in self.text_params.items()
        }
        if isinstance(params.get("date"), str):
            # Stored as an ISO date; shown in the viewer's own format ("March 20, 2031").
            with contextlib.suppress(ValueError):
                params["date"] = date_format(date.fromisoformat(params["date"]))
        try:
            return gettext(self.text) % params
        except (KeyError, TypeError, ValueError):
            return gettext(self.text)
