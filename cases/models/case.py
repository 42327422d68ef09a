import datetime as dt
import re
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases import identifiers
from providers.models import (
    EscalationRoute,
    Provider,
    ServiceKind,
)

# No 0/O, 1/I/L or U: a reference is read aloud over the phone and typed from a screen.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference() -> str:
    """A short, unguessable, speakable case reference such as CX-4K7M-2QPD (~39 bits)."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"CX-{chars[:4]}-{chars[4:]}"


REFERENCE_TERM = re.compile(rf"^(?:CX)?([{REFERENCE_ALPHABET}]{{4}})([{REFERENCE_ALPHABET}]{{4}})$")


def normalize_reference(term: str) -> str | None:
    """CX-4K7M-2QPD from any dashes, spaces or case a person might type, else None."""
    match = REFERENCE_TERM.match(re.sub(r"[\s\-]", "", term).upper())
    return f"CX-{match.group(1)}-{match.group(2)}" if match else None


def new_draft_token() -> str:
    return secrets.token_urlsafe(24)


# Open and past the draft: what agents work on. Spelt out (not derived from Case.Status) so the
# partial indexes' conditions, which the queue queries must match, never shift under them.
STAFF_OPEN_STATUSES = (
    "preparing",
    "in_progress",
    "awaiting_review",
    "awaiting_operator",
    "needs_action",
)


class CaseQuerySet(models.QuerySet):
    def open(self) -> "CaseQuerySet":
        return self.exclude(status__in=Case.CLOSED_STATUSES)

    def waiting(self) -> "CaseQuerySet":
        return self.filter(status__in=Case.WAITING_STATUSES)

    def due_to_stall(self, now) -> "CaseQuerySet":
        return self.waiting().filter(stall_at__lte=now, is_stalled=False)

    def retention_due(self, finished_before) -> "CaseQuerySet":
        """Completed or withdrawn before the time, evidence and identifiers not yet purged."""
        return self.filter(purged_at__isnull=True).filter(
            Q(status=Case.Status.COMPLETED, completed_at__lte=finished_before)
            | Q(status=Case.Status.WITHDRAWN, status_changed_at__lte=finished_before)
        )

    def unclaimed_drafts(self, older_than) -> "CaseQuerySet":
        return self.filter(owner__isnull=True, status=Case.Status.DRAFT, created_at__lt=older_than)


class Case(models.Model):
    """One line a person wants to end, tracked until the provider confirms it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PREPARING = "preparing", _("Preparing")
        IN_PROGRESS = "in_progress", _("In progress")
        AWAITING_REVIEW = "awaiting_review", _("Awaiting provider review")
        AWAITING_OPERATOR = "awaiting_operator", _("Awaiting operator processing")
        NEEDS_ACTION = "needs_action", _("Needs action")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Reason(models.TextChoices):
        NOT_NEEDED = "not_needed", _("No longer needed")
        DEVICE_LOST = "device_lost", _("Device lost or stolen")
        SWITCHING = "switching", _("Switching provider")
        COST = "cost", _("Too expensive")
        MOVING_ABROAD = "moving_abroad", _("Moving abroad")
        OTHER = "other", _("Other")

    WAITING_STATUSES = (Status.AWAITING_REVIEW, Status.AWAITING_OPERATOR)
    CLOSED_STATUSES = (Status.COMPLETED, Status.WITHDRAWN)

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=new_reference, editable=False
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("owner"),
    )
    # Held in the anonymous visitor's session; proves the draft is theirs when they sign in.
    draft_token = models.CharField(max_length=64, blank=True, default=new_draft_token)
    provider = models.ForeignKey(
        Provider,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("provider"),
    )
    provider_name = models.CharField(
        _("provider (not listed)"), max_length=120, blank=True, help_text=_("Free text.")
    )
    service_kind = models.CharField(_("service kind"), max_length=20, choices=ServiceKind.choices)

    phone_number = models.CharField(_("phone number"), max_length=20, blank=True)
    phone_last4 = models.CharField(_("last 4 digits"), max_length=4, blank=True, editable=False)
    device_model = models.CharField(_("device model"), max_length=100, blank=True)
    imei = models.CharField(_("IMEI"), max_length=15, blank=True)
    eid = models.CharField(_("EID"), max_length=32, blank=True)
    iccid = models.CharField(_("ICCID"), max_length=22, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, blank=True)
    reason_detail = models.CharField(_("reason, in your words"), max_length=300, blank=True)
    # "Keep the number?" answered no: the steps leave out the advice to move it instead.
    number_can_go = models.BooleanField(_("the number can go"), default=False)

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    assigned_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("assigned agent"),
        limit_choices_to={"is_staff": True},
    )
    provider_reference = models.CharField(_("provider's reference"), max_length=100, blank=True)
    needs_action_detail = models.TextField(_("what the provider asked for"), blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), auto_now_add=True)
    # Start of the current wait on the provider; the key of its reminder period.
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    expected_by = models.DateTimeField(_("expected by"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), auto_now_add=True)
    esim_profile_deleted_at = models.DateTimeField(_("eSIM profile deleted"), null=True, blank=True)
    contract_ended_at = models.DateTimeField(_("contract ended"), null=True, blank=True)
    billing_verified_at = models.DateTimeField(_("billing verified stopped"), null=True, blank=True)
    reminders_stopped_at = models.DateTimeField(_("reminders stopped"), null=True, blank=True)
    snoozed_until = models.DateTimeField(_("snoozed until"), null=True, blank=True)
    stall_at = models.DateTimeField(_("stalls at"), null=True, blank=True)
    is_stalled = models.BooleanField(_("stalled"), default=False)
    # The retention warning (CASE_RETENTION_DAYS) went out; its evidence is purged 14 days on.
    retention_warned_at = models.DateTimeField(_("retention warning sent"), null=True, blank=True)
    # Evidence and line identifiers were purged (retention) or the customer deleted the case.
    purged_at = models.DateTimeField(_("evidence purged"), null=True, blank=True)
    # The customer deleted the case: only an anonymous, read-only row stays (for the numbers).
    deleted_at = models.DateTimeField(_("deleted by the customer"), null=True, blank=True)
    # The cancellation notice (cases/notices/): who signs it and where they live, asked when the
    # notice is made and purged with the line identifiers.
    notice_name = models.CharField(_("your full name"), max_length=200, blank=True)
    notice_address = models.TextField(_("your postal address"), max_length=500, blank=True)
    notice_effective_on = models.DateField(_("notice takes effect on"), null=True, blank=True)
    notice_sent_at = models.DateTimeField(_("notice sent"), null=True, blank=True)
    notice_answer_due_on = models.DateField(_("answer to the notice due"), null=True, blank=True)
    # The provider refused (an outcome, or a contact logged as refused): escalation opens.
    refused_at = models.DateTimeField(_("provider refused"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    # An email to the case's address read as an outcome ("this looks like a confirmation"), not
    # yet confirmed or dismissed: reminders wait while it does (cases/inbound/).
    suggestion_waiting_since = models.DateTimeField(
        _("suggested outcome waiting since"), null=True, blank=True
    )
    escalated_to = models.ForeignKey(
        EscalationRoute,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("escalated to"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = CaseQuerySet.as_manager()

    # Set by the selectors' Prefetch(to_attr=...): the pages read these lists, never a query.
    # Lists of CaseStep, CaseEvent, Reminder, Evidence and ContactAttempt: typed Any because
    # those modules import this one, and even a TYPE_CHECKING import back would be a cycle.
    step_list: list[Any]
    timeline: list[Any]
    billing_checks: list[Any]
    outbox: list[Any]  # the staff case page's reminders
    evidence_list: list[Any]
    contact_list: list[Any]

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-id"]
        constraints = [
            # A draft may not have its provider yet; past the draft it has exactly one.
            models.CheckConstraint(
                condition=(Q(provider__isnull=False) & Q(provider_name=""))
                | (Q(provider__isnull=True) & ~Q(provider_name=""))
                | (Q(status="draft") & Q(provider__isnull=True) & Q(provider_name="")),
                name="case_exactly_one_provider",
                violation_error_message=_("Choose a provider from the list or name it, not both."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-status_changed_at", "-id"], name="case_status_idx"),
            # The admin list filtered by status, in its order: 50 rows read, not every match
            # sorted (a status can hold a tenth of the table).
            models.Index(fields=["status", "-created_at", "-id"], name="case_status_created_idx"),
            models.Index(
                fields=["stall_at"], name="case_stall_at_idx", condition=Q(is_stalled=False)
            ),
            # Stalled cases newest first (the admin's stalled filter) and their count: a small
            # slice, so a partial index.
            models.Index(
                fields=["-created_at", "-id"],
                name="case_stalled_created_idx",
                condition=Q(is_stalled=True),
            ),
            models.Index(fields=["owner", "-created_at", "-id"], name="case_owner_idx"),
            models.Index(fields=["provider", "-created_at", "-id"], name="case_provider_idx"),
            models.Index(
                fields=["assigned_agent", "-last_activity_at", "-id"], name="case_agent_idx"
            ),
            models.Index(fields=["-created_at", "-id"], name="case_created_idx"),
            models.Index(fields=["-last_activity_at", "-id"], name="case_activity_idx"),
            models.Index(fields=["phone_last4"], name="case_phone_last4_idx"),
            # The staff dashboard's queues (cases/staff/selectors.py): each a small slice.
            models.Index(
                fields=["-last_activity_at", "-id"],
                name="case_open_activity_idx",
                condition=Q(status__in=STAFF_OPEN_STATUSES),
            ),
            models.Index(
                fields=["-last_activity_at", "-id"],
                name="case_unassigned_idx",
                condition=Q(status__in=STAFF_OPEN_STATUSES, assigned_agent__isnull=True),
            ),
            models.Index(
                fields=["-last_activity_at", "-id"],
                name="case_attention_idx",
                condition=Q(status__in=STAFF_OPEN_STATUSES)
                & (Q(is_stalled=True) | Q(status="needs_action")),
            ),
            models.Index(
                fields=["waiting_since", "id"],
                name="case_waiting_since_idx",
                condition=Q(waiting_since__isnull=False),
            ),
            # Awaiting review / operator, longest waiting first: the status narrows the index
            # before the order, where waiting_since alone would mix both waits in one scan.
            models.Index(
                fields=["status", "waiting_since", "id"],
                name="case_waiting_queue_idx",
                condition=Q(waiting_since__isnull=False),
            ),
            models.Index(
                fields=["-completed_at", "-id"],
                name="case_completed_idx",
                condition=Q(status="completed"),
            ),
            models.Index(
                fields=["provider_reference"],
                name="case_provider_ref_idx",
                condition=~Q(provider_reference=""),
            ),
            # The staff search's "CX-4K7M…": LIKE 'prefix%' whatever the database's collation.
            models.Index(
                fields=["reference"],
                name="case_reference_prefix_idx",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} · {self.provider_label} · {self.get_status_display()}"

    def save(self, *args, **kwargs) -> None:
        # Derived, not a side effect: the search column always mirrors the number.
        self.phone_last4 = self.phone_number[-4:] if self.phone_number else ""
        if kwargs.get("update_fields") is not None and "phone_number" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "phone_last4"}
        super().save(*args, **kwargs)

    @property
    def provider_label(self) -> str:
        """The provider's name in the active language, or the name the customer typed."""
        return self.provider.display_name if self.provider is not None else self.provider_name

    @property
    def is_open(self) -> bool:
        return self.status not in self.CLOSED_STATUSES

    @property
    def is_waiting(self) -> bool:
        return self.status in self.WAITING_STATUSES

    @property
    def is_operator_journey(self) -> bool:
        return self.service_kind in (ServiceKind.ESIM, ServiceKind.PHYSICAL_SIM)

    @property
    def is_provider_kind_unchecked(self) -> bool:
        """The case's provider is one whose kinds we have not checked, and this one is not
        among those its official pages confirm (chosen from the note in the journey)."""
        return self.provider is not None and self.provider.is_unchecked_for(self.service_kind)

    @property
    def typical_wait_days(self) -> int:
        """How long this case's provider typically takes in the wait this journey has."""
        operator = self.is_operator_journey
        if self.provider_id and self.provider is not None:
            return self.provider.typical_days(waiting_for_operator=operator)
        return settings.TYPICAL_OPERATOR_DAYS if operator else settings.TYPICAL_REVIEW_DAYS

    # What the pages offer, asked of the case rather than spelled as status strings.
    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_preparing(self) -> bool:
        return self.status == self.Status.PREPARING

    @property
    def is_in_progress(self) -> bool:
        return self.status == self.Status.IN_PROGRESS

    @property
    def is_before_submission(self) -> bool:
        """Preparing or going through the steps: the request is not with the provider yet."""
        return self.status in (self.Status.PREPARING, self.Status.IN_PROGRESS)

    @property
    def is_awaiting_operator(self) -> bool:
        return self.status == self.Status.AWAITING_OPERATOR

    @property
    def needs_action(self) -> bool:
        return self.status == self.Status.NEEDS_ACTION

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_refused(self) -> bool:
        """Back with the customer because the provider refused, not because it asked for more."""
        return (
            self.needs_action
            and self.refused_at is not None
            and self.refused_at == self.status_changed_at
        )

    @property
    def is_still_charged(self) -> bool:
        """Back with the customer after the provider had confirmed: the bill still charged it.

        Only the billing check moves a completed case to needs action, and a case keeps its
        completion date until it completes again.
        """
        return self.needs_action and self.completed_at is not None and not self.is_refused

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN

    @property
    def can_record_outcome(self) -> bool:
        """Waiting on the provider, or back with the customer: "what did they say?" applies."""
        return self.is_waiting or self.needs_action

    @property
    def has_reminder_controls(self) -> bool:
        return self.is_waiting or self.needs_action

    @property
    def first_asked_at(self) -> dt.datetime | None:
        """When the provider was first asked to end the line: the request or the notice."""
        times = [t for t in (self.submitted_at, self.notice_sent_at) if t is not None]
        return min(times) if times else None

    @property
    def is_escalated(self) -> bool:
        return self.escalated_at is not None

    @property
    def masked_phone(self) -> str:
        return f"•••• {self.phone_last4}" if self.phone_last4 else ""

    @property
    def masked_imei(self) -> str:
        return identifiers.mask(self.imei)

    @property
    def masked_eid(self) -> str:
        return identifiers.mask(self.eid)

    @property
    def masked_iccid(self) -> str:
        return identifiers.mask(self.iccid)
