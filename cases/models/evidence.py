import secrets
from typing import cast

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q
from django.utils.functional import LazyObject
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.models.case import Case
from cases.models.steps import CaseStep
from providers.models import (
    EvidenceKind,
)


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
