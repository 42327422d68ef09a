import contextlib
import datetime as dt
import re
import secrets
from datetime import date, timedelta
from typing import cast

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.functional import LazyObject
from django.utils.translation import get_language, gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from cases import identifiers
from providers import search
from providers.models import (
    ContactChannel,
    EscalationRoute,
    EvidenceKind,
    Provider,
    ServiceKind,
    StepKind,
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
    step_list: list["CaseStep"]
    timeline: list["CaseEvent"]
    billing_checks: list["Reminder"]
    outbox: list["Reminder"]  # the staff case page's reminders
    evidence_list: list["Evidence"]
    contact_list: list["ContactAttempt"]

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
            models.Index(
                fields=["stall_at"], name="case_stall_at_idx", condition=Q(is_stalled=False)
            ),
            models.Index(fields=["is_stalled", "-stall_at"], name="case_stalled_idx"),
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


class CaseStep(models.Model):
    """The case's own copy of a playbook step, so editing a playbook never rewrites history."""

    class State(models.TextChoices):
        TODO = "todo", _("To do")
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Skipped")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=20, choices=StepKind.choices)
    title = models.CharField(_("title"), max_length=200)
    title_zh_hans = models.CharField(_("title (Chinese)"), max_length=200)
    instructions = models.TextField(_("instructions"))
    instructions_zh_hans = models.TextField(_("instructions (Chinese)"))
    evidence_kind = models.CharField(
        _("evidence asked for"), max_length=20, choices=EvidenceKind.choices, blank=True
    )
    starts_waiting = models.BooleanField(default=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.TODO)
    skip_acknowledged = models.BooleanField(_("skip acknowledged"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        ordering = ["case", "position"]
        constraints = [models.UniqueConstraint(fields=["case", "position"], name="casestep_order")]

    def __str__(self) -> str:
        return f"{self.case.reference} step {self.position}: {self.title}"


def evidence_key(instance: "Evidence", filename: str) -> str:
    """A random storage key: the original name is kept in a field, never in the path."""
    return f"evidence/{secrets.token_hex(2)}/{secrets.token_urlsafe(24)}"


class _EvidenceStorage(LazyObject):
    """settings.STORAGES["evidence"] as configured *now*, asked of `storages` on every use.

    A FileField calls its storage callable once, when the model class loads; handing it the
    backend itself would pin the one configured then, and a later change of STORAGES (a test's
    own folder, an S3 bucket in a test) would be ignored. `storages` caches each backend and
    rebuilds it when the setting changes, so every call lands on the current one.
    """

    def _setup(self) -> None:
        self._wrapped = storages["evidence"]

    def __getattr__(self, name: str):
        return getattr(storages["evidence"], name)


_evidence_storage = _EvidenceStorage()


def evidence_storage() -> Storage:
    """The private evidence storage (settings.STORAGES["evidence"]), never under a public URL."""
    return cast(Storage, _evidence_storage)


class Evidence(models.Model):
    Kind = EvidenceKind

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    step = models.ForeignKey(
        CaseStep, on_delete=models.SET_NULL, null=True, blank=True, related_name="evidence"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EvidenceKind.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file = models.FileField(
        _("file"), upload_to=evidence_key, storage=evidence_storage, max_length=200
    )
    original_name = models.CharField(_("original name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    content_type = models.CharField(_("content type"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    note = models.CharField(_("note"), max_length=500, blank=True)
    thumbnail = models.FileField(
        upload_to=evidence_key, storage=evidence_storage, blank=True, max_length=200
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    retain_until = models.DateTimeField(_("keep until"), null=True, blank=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["case", "-uploaded_at"]
        indexes = [
            models.Index(fields=["case", "-uploaded_at"], name="evidence_case_idx"),
            models.Index(
                fields=["retain_until"],
                name="evidence_retention_idx",
                condition=Q(retain_until__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.get_kind_display()} ({self.original_name})"


def proof_pack_key(instance: "ProofPackBuild", filename: str) -> str:
    """A random storage key for a built pack, beside the evidence and as private."""
    return f"proof-packs/{secrets.token_hex(2)}/{secrets.token_urlsafe(24)}.zip"


class ProofPackBuild(models.Model):
    """A proof pack too large to stream at once: made by a worker, kept for a while, then gone.

    The worker writes its progress here (files packed of files to pack) for the pack page to
    poll. The finished ZIP is kept until `expires_at` (PROOF_PACK_KEEP_SECONDS); the case's
    PROOF_PACK event keeps its fingerprint after the file and this row are deleted.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        BUILDING = "building", _("Being made")
        READY = "ready", _("Ready")
        FAILED = "failed", pgettext_lazy("proof pack", "Failed")

    PENDING = (State.QUEUED, State.BUILDING)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="proof_pack_builds")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    files_done = models.PositiveIntegerField(_("files packed"), default=0)
    files_total = models.PositiveIntegerField(_("files to pack"), default=0)
    file = models.FileField(
        _("file"), upload_to=proof_pack_key, storage=evidence_storage, blank=True, max_length=200
    )
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    manifest_sha256 = models.CharField(_("fingerprint"), max_length=64, blank=True)
    # The evidence file that no longer matched its hash, when that stopped the pack.
    mismatched_name = models.CharField(_("mismatched file"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("deleted after"))

    class Meta:
        verbose_name = _("proof pack build")
        verbose_name_plural = _("proof pack builds")
        ordering = ["case", "-created_at"]
        indexes = [
            models.Index(fields=["case", "-created_at"], name="proofpack_case_idx"),
            models.Index(fields=["expires_at"], name="proofpack_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case.reference}: proof pack {self.pk} ({self.state})"

    @property
    def is_pending(self) -> bool:
        return self.state in self.PENDING

    @property
    def fingerprint(self) -> str:
        return self.manifest_sha256[:12]


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


class WorkerHeartbeat(models.Model):
    """When each Celery worker, and the reminder sweep, last showed it is alive.

    A worker writes its row every WORKER_HEARTBEAT_SECONDS while it is connected to the broker;
    the sweep writes the row named "sweep" each time it runs. The staff dashboard reads them to
    say when reminders are not being sent.
    """

    SWEEP = "sweep"

    name = models.CharField(_("name"), max_length=200, unique=True)
    seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.name} {self.seen_at:%Y-%m-%d %H:%M:%S}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A person's private calendar (ICS) address: the token is the only key, reset at will."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("user"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    reset_at = models.DateTimeField(_("last reset"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"


class StatsSnapshot(models.Model):
    """The numbers of the staff stats page, computed by a periodic task (cases/stats.py) and
    never per request: one row per run, the latest one shown."""

    computed_at = models.DateTimeField(_("computed at"))
    took_seconds = models.FloatField(_("took (seconds)"), default=0)
    window_days = models.PositiveSmallIntegerField(_("window (days)"))
    open_by_status = models.JSONField(_("open cases by status"), default=dict)
    stalled_now = models.PositiveIntegerField(_("stalled now"), default=0)
    completed_7_days = models.PositiveIntegerField(_("completed in 7 days"), default=0)
    completed_30_days = models.PositiveIntegerField(_("completed in 30 days"), default=0)
    # The minimum count the public figures of this run were published at (PUBLIC_STATS_MIN_CASES).
    public_min_cases = models.PositiveSmallIntegerField(_("public minimum count"), default=20)

    # Set by a Prefetch(to_attr=...) where a page shows the providers' rows.
    provider_rows: list["ProviderStats"]

    class Meta:
        verbose_name = _("stats snapshot")
        verbose_name_plural = _("stats snapshots")
        ordering = ["-computed_at"]
        indexes = [models.Index(fields=["-computed_at"], name="stats_computed_idx")]

    def __str__(self) -> str:
        return f"Stats {self.computed_at:%Y-%m-%d %H:%M}"


class ProviderStats(models.Model):
    """One provider's figures in a stats snapshot."""

    snapshot = models.ForeignKey(StatsSnapshot, on_delete=models.CASCADE, related_name="providers")
    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="+", verbose_name=_("provider")
    )
    open_cases = models.PositiveIntegerField(_("open cases"), default=0)
    submitted_cases = models.PositiveIntegerField(_("cases submitted in the window"), default=0)
    completed_cases = models.PositiveIntegerField(_("cases completed in the window"), default=0)
    median_days = models.FloatField(_("median days to complete"), null=True, blank=True)
    p90_days = models.FloatField(_("90th percentile days to complete"), null=True, blank=True)
    stalled_share = models.FloatField(_("share stalled"), null=True, blank=True)
    reopened_share = models.FloatField(_("share reopened as still charged"), null=True, blank=True)
    # The public provider page's figures (cases/stats.py "Public figures"): finished cases in the
    # window, exact for agents; the rest already rounded and left out below the minimum count.
    finished_cases = models.PositiveIntegerField(_("cases finished in the window"), default=0)
    public_median_days = models.PositiveIntegerField(
        _("published median days to confirmation"), null=True, blank=True
    )
    public_figures = models.JSONField(_("published figures"), default=dict, blank=True)

    class Meta:
        verbose_name = _("provider stats")
        verbose_name_plural = _("provider stats")
        ordering = ["snapshot", "median_days"]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "provider"], name="providerstats_once_per_snapshot"
            )
        ]
        indexes = [models.Index(fields=["provider", "snapshot"], name="providerstats_provider_idx")]

    def __str__(self) -> str:
        return f"{self.provider_id} in {self.snapshot_id}"


class ProviderSuggestion(models.Model):
    """A customer's provider that the directory lacks, named at the provider question.

    One per case, kept as typed; `name_key` is the name folded (providers.search.fold) so that
    the staff queue groups "giffgaff", "GiffGaff " and "ｇｉｆｆｇａｆｆ" as one provider. An
    agent resolves a group by adding the provider (its cases are linked to it) or dismissing it.
    """

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="provider_suggestion", verbose_name=_("case")
    )
    name = models.CharField(_("name"), max_length=120)
    name_key = models.CharField(_("name, folded"), max_length=120, editable=False)
    country = models.CharField(_("country"), max_length=2)
    service_kind = models.CharField(_("service kind"), max_length=20, choices=ServiceKind.choices)
    website = models.URLField(_("website"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("suggested"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The directory's provider the case was linked to; empty on a dismissed suggestion.
    provider = models.ForeignKey(
        Provider,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added as"),
    )

    class Meta:
        verbose_name = _("suggested provider")
        verbose_name_plural = _("suggested providers")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The staff queue groups the open suggestions by name and country.
            models.Index(
                fields=["name_key", "country"],
                name="suggestion_open_idx",
                condition=Q(resolved_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country}) for {self.case_id}"

    def save(self, *args, **kwargs) -> None:
        # Derived, not a side effect: the grouping key always mirrors the name.
        self.name_key = search.fold(self.name)[:120]
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


# --- Inbound email (cases/inbound/) -----------------------------------------------------------

# Lower case and digits only: mail systems may fold the local part's case. 26 characters of 36
# symbols are about 134 bits, so an address cannot be guessed.
INBOUND_TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"  # noqa: S105 (symbols)


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


class FormSubmission(models.Model):
    """A create form's one-time token, used: a replay (Back, then submit again) finds it and
    is shown what the first submission made instead of making it twice (cases/once.py)."""

    token = models.CharField(_("token"), max_length=64, unique=True)
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="+", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=40)
    object_id = models.BigIntegerField(_("what it made"), null=True, blank=True)
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")
        indexes = [models.Index(fields=["created_at"], name="formsubmission_created_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.token[:8]}…"
