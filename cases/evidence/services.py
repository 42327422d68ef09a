"""The writes of evidence: add, delete, view an ID document, record a proof pack, purge.

Each write to a case locks its row, checks the version the person saw, writes one CaseEvent
and bumps the version (STYLE.md "A service"). Files are written through the evidence
storage under a random key; a file written by a transaction that then fails is deleted
again (`_files_kept_on_commit`), and a deleted file leaves storage only once its deletion is
committed.

Large proof packs are made by a worker (`request_proof_pack` queues, `build_proof_pack` is
the task's body) and kept for PROOF_PACK_KEEP_SECONDS.
"""

import datetime as dt
import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from accounts.models import User
from cases import access, locking, once, services, transitions
from cases.events import record_event
from cases.evidence import proof_pack
from cases.evidence.files import CheckedFile, NewEvidence, megabytes
from cases.evidence.proof_pack import ProofPack
from cases.models import Case, CaseEvent, CaseStep, ContactAttempt, Evidence, ProofPackBuild
from cases.reminders import outbox
from cases.transitions import Outcome
from config.celery import app as celery_app

log = logging.getLogger(__name__)

S = Case.Status
IDENTITY = Evidence.Kind.IDENTITY
BUILD = ProofPackBuild.State


class QuotaExceeded(transitions.TransitionNotAllowed):
    """The case or the customer has no room for these files."""


def can_add(*, case: Case, by: User) -> bool:
    """The owner and agents add proof while the case is not deleted."""
    return case.purged_at is None and access.can_act_on_case(by, case)


def can_delete(*, evidence: Evidence, by: User) -> bool:
    """Agents delete any file; the owner until the case is closed."""
    if access.is_cleared_agent(by):
        return True
    return access.is_owner(by, evidence.case) and evidence.case.is_open


def _check_quota(case: Case, files: list[NewEvidence]) -> None:
    existing = Evidence.objects.filter(case=case).aggregate(n=Count("id"), size=Sum("size"))
    count, size = existing["n"], existing["size"] or 0
    incoming = sum(item.checked.size for item in files)
    if count + len(files) > settings.EVIDENCE_MAX_FILES_PER_CASE:
        limit = settings.EVIDENCE_MAX_FILES_PER_CASE
        raise QuotaExceeded(
            ngettext(
                "A case holds at most %(count)d file. Delete one you no longer need first.",
                "A case holds at most %(count)d files. Delete one you no longer need first.",
                limit,
            )
            % {"count": limit}
        )
    if size + incoming > settings.EVIDENCE_MAX_BYTES_PER_CASE:
        raise QuotaExceeded(
            _("A case holds at most %(size)s of files. Delete one you no longer need first.")
            % {"size": megabytes(settings.EVIDENCE_MAX_BYTES_PER_CASE)}
        )
    if case.owner_id is not None:
        owned = Evidence.objects.filter(case__owner_id=case.owner_id).aggregate(size=Sum("size"))
        if (owned["size"] or 0) + incoming > settings.EVIDENCE_MAX_BYTES_PER_CUSTOMER:
            raise QuotaExceeded(
                _(
                    "Your cases hold at most %(size)s of files together. Delete files you no "
                    "longer need, or download a proof pack and delete a finished case."
                )
                % {"size": megabytes(settings.EVIDENCE_MAX_BYTES_PER_CUSTOMER)}
            )


def add_evidence(
    *,
    case: Case,
    by: User,
    version: int,
    files: list[NewEvidence],
    step: CaseStep | None = None,
    form_token: str = "",
) -> tuple[Case, list[Evidence]]:
    """Keep checked files on the case: one event listing them, quotas checked under the lock."""
    with _files_kept_on_commit():
        submission = once.claim(token=form_token, case=case, kind=once.Kind.EVIDENCE)
        locked, added = _add_evidence(case=case, by=by, version=version, files=files, step=step)
        if added:
            once.made(submission, added[0].pk)
        return locked, added


def add_received_evidence(*, case: Case, files: list[NewEvidence]) -> tuple[Case, list[Evidence]]:
    """Keep files that reached the case by email (cases/inbound/): added by the system, under
    the same checks and quotas as an upload."""
    with _files_kept_on_commit():
        return _add_evidence(case=case, by=None, version=None, files=files, step=None)


def _add_evidence(
    *,
    case: Case,
    by: User | None,
    version: int | None,
    files: list[NewEvidence],
    step: CaseStep | None,
) -> tuple[Case, list[Evidence]]:
    locked = locking.lock(case, version, by=by)
    allowed = locked.purged_at is None if by is None else can_add(case=locked, by=by)
    if not allowed:
        raise transitions.TransitionNotAllowed(_("Files cannot be added to this case."))
    if not files:
        return locked, []
    _check_quota(locked, files)
    now = timezone.now()
    added = []
    for item in files:
        evidence = Evidence(
            case=locked,
            step=step if step is not None and step.case_id == locked.pk else None,
            kind=item.kind,
            uploaded_by=by,
            original_name=item.checked.original_name,
            size=item.checked.size,
            content_type=item.checked.content_type,
            sha256=item.checked.sha256,
            note=item.note[:500],
            retain_until=now + dt.timedelta(days=settings.IDENTITY_DOCUMENT_RETENTION_DAYS)
            if item.kind == IDENTITY
            else None,
        )
        _save_files(evidence, item.checked)
        evidence.save()
        added.append(evidence)
    names = ", ".join(evidence.original_name for evidence in added)
    record_event(
        case=locked,
        kind=CaseEvent.Kind.EVIDENCE,
        by=by,
        message=names,
    )
    locking.update(locked)
    return locked, added


# The files written inside the outermost `_files_kept_on_commit` block, as (storage, name).
_written: ContextVar[list[tuple[Storage, str]] | None] = ContextVar("written", default=None)


@contextmanager
def _files_kept_on_commit() -> Iterator[None]:
    """One transaction; files stored in it (`_store`) are deleted again if it does not commit.

    Storage is not transactional: a file saved before a failed INSERT, or before a commit
    that fails, would stay behind under a key no row points to. Nested blocks (a service
    calling another) share the outermost block's list, so a failure anywhere removes them all.
    """
    if _written.get() is not None:
        with transaction.atomic():
            yield
        return
    written: list[tuple[Storage, str]] = []
    token = _written.set(written)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        for storage, name in written:
            try:
                storage.delete(name)
            except Exception:
                log.exception("Could not delete the orphaned file %s", name)
        raise
    finally:
        _written.reset(token)


def _store(field, name: str, content: File) -> None:
    """Save `content` under the field's random key, remembered for `_files_kept_on_commit`."""
    field.save(name, content, save=False)
    written = _written.get()
    if written is None:
        raise RuntimeError("Store files inside _files_kept_on_commit()")
    written.append((field.storage, field.name))


def _save_files(evidence: Evidence, checked: CheckedFile) -> None:
    # Written after the lock and the checks, so a refusal leaves no file to clean up.
    _store(evidence.file, "evidence", ContentFile(checked.content))
    if checked.thumbnail:
        _store(evidence.thumbnail, "thumbnail", ContentFile(checked.thumbnail))


def _delete_stored(storage, names: Iterable[str]) -> None:
    for name in names:
        storage.delete(name)


def _delete_files_on_commit(evidence: Evidence) -> None:
    storage = evidence.file.storage
    names = [name for name in (evidence.file.name, evidence.thumbnail.name) if name]
    transaction.on_commit(partial(_delete_stored, storage, names), robust=True)


def confirm_with_evidence(
    *,
    case: Case,
    by: User,
    version: int,
    files: list[NewEvidence],
    reference: str = "",
    note: str = "",
) -> Case:
    """ "They confirmed": the confirmation file (or pasted message) counts as the proof."""
    # One block: if the outcome is refused, the files just stored go too.
    with _files_kept_on_commit():
        locked, _added = add_evidence(case=case, by=by, version=version, files=files)
        return services.record_outcome(
            case=locked,
            by=by,
            version=locked.version,
            outcome=Outcome.CONFIRMED,
            reference=reference,
            note=note,
        )


@transaction.atomic
def delete_evidence(*, evidence: Evidence, by: User, version: int | None) -> Case:
    """Remove a file; the timeline keeps its name and SHA-256 (a tombstone). `version` is None
    only for the admin's action, which acts on the file, not on a page of the case."""
    locked = locking.lock(evidence.case, version, by=by)
    evidence = Evidence.objects.select_for_update().get(pk=evidence.pk, case=locked)
    evidence.case = locked
    if not can_delete(evidence=evidence, by=by):
        raise transitions.TransitionNotAllowed(
            _("Files on a closed case can only be deleted by an agent.")
        )
    record_event(
        case=locked,
        kind=CaseEvent.Kind.EVIDENCE_DELETED,
        by=by,
        text=gettext_noop("%(name)s (SHA-256 %(sha256)s)"),
        params={"name": evidence.original_name, "sha256": evidence.sha256},
    )
    _delete_files_on_commit(evidence)
    evidence.delete()
    _discard_builds(locked)  # a kept pack holds the file too
    locking.update(locked)
    return locked


def record_identity_view(*, evidence: Evidence, by: User) -> None:
    """Every agent view of an identity document is on the record (internal).

    Anyone but the owner counts: the access rule lets only agents that far, and an agent who
    also owns the case is looking at their own papers.
    """
    access.check_can_act(by=by, case=evidence.case)
    if evidence.kind != IDENTITY or access.is_owner(by, evidence.case):
        return
    with transaction.atomic():
        record_event(
            case=evidence.case,
            kind=CaseEvent.Kind.EVIDENCE_VIEWED,
            by=by,
            message=evidence.original_name,
            visibility=CaseEvent.Visibility.INTERNAL,
        )


@transaction.atomic
def record_proof_pack(*, case: Case, by: User | None, pack: ProofPack) -> CaseEvent:
    """The pack's time and its manifest's SHA-256 on the case, so a copy can be checked later."""
    return _record_proof_pack(locking.lock(case, None, by=by), by=by, pack=pack)


def _record_proof_pack(locked: Case, *, by: User | None, pack: ProofPack) -> CaseEvent:
    # The worker's part too: `by` is who asked, checked when they asked (request_proof_pack).
    event = record_event(
        case=locked,
        kind=CaseEvent.Kind.PROOF_PACK,
        by=by,
        text=gettext_noop("Fingerprint (SHA-256 of manifest.sha256): %(sha256)s"),
        params={"sha256": pack.manifest_sha256, "files": str(len(pack.files))},
    )
    locking.update(locked)
    return event


# --- Proof packs made by a worker ------------------------------------------------------------

# A queued build nobody started after this long is queued again (Redis was down, say) when
# someone asks for the pack again; a build whose worker died is taken over after the lease.
REQUEUE_AFTER = dt.timedelta(minutes=2)
BUILD_LEASE = dt.timedelta(minutes=15)


def _queue_build(build: ProofPackBuild) -> None:
    send = partial(
        celery_app.send_task, "cases.tasks.build_proof_pack", kwargs={"build_id": build.pk}
    )
    transaction.on_commit(send, robust=True)


def is_stuck(build: ProofPackBuild, *, now: dt.datetime) -> bool:
    """Queued and never started (the broker was down), or its worker died: ask again."""
    if build.state == BUILD.QUEUED:
        return build.created_at < now - REQUEUE_AFTER
    if build.state == BUILD.BUILDING:
        return build.started_at is not None and build.started_at < now - BUILD_LEASE
    return False


@transaction.atomic
def request_proof_pack(*, case: Case, by: User) -> ProofPackBuild:
    """Queue a pack too large to stream for a worker, or hand back the one on its way."""
    locked = locking.lock(case, None, by=by)  # two clicks at once make one build
    now = timezone.now()
    pending = (
        ProofPackBuild.objects.filter(case=locked, state__in=ProofPackBuild.PENDING)
        .order_by("-created_at", "-id")
        .first()
    )
    if pending is not None:
        if is_stuck(pending, now=now):
            _queue_build(pending)
        return pending
    build = ProofPackBuild.objects.create(
        case=locked,
        requested_by=by,
        files_total=Evidence.objects.filter(case=locked).count(),
        expires_at=now + dt.timedelta(seconds=settings.PROOF_PACK_KEEP_SECONDS),
    )
    _queue_build(build)
    return build


def build_proof_pack(*, build_id: int) -> str:
    """The worker's part: claim the build, write the ZIP with progress, keep it, record it.

    Not one transaction: the progress must be visible to the page while the pack is made.
    Returns what happened ("ready", "failed", "skipped") for the worker's log.
    """
    now = timezone.now()
    claimable = Q(state=BUILD.QUEUED) | Q(state=BUILD.BUILDING, started_at__lt=now - BUILD_LEASE)
    claimed = ProofPackBuild.objects.filter(claimable, pk=build_id).update(
        state=BUILD.BUILDING, started_at=now, files_done=0
    )
    if not claimed:
        return "skipped"  # done, deleted, or being made by a live worker
    build = ProofPackBuild.objects.select_related("case", "case__provider").get(pk=build_id)

    def progress(done: int, total: int) -> None:
        ProofPackBuild.objects.filter(pk=build_id, state=BUILD.BUILDING).update(
            files_done=done, files_total=total
        )

    with tempfile.TemporaryFile() as spool:
        try:
            made = proof_pack.write_proof_pack(case=build.case, out=spool, progress=progress)
        except proof_pack.PackIntegrityError as error:
            _fail_build(build_id, mismatched_name=error.evidence.original_name)
            log.warning("Proof pack %s stopped: %s", build_id, error)
            return "failed"
        except Exception:
            _fail_build(build_id)
            raise
        size = spool.tell()
        spool.seek(0)
        with _files_kept_on_commit():
            return _finish_build(build_id, spool=spool, size=size, pack=made)


def _fail_build(build_id: int, *, mismatched_name: str = "") -> None:
    ProofPackBuild.objects.filter(pk=build_id, state=BUILD.BUILDING).update(
        state=BUILD.FAILED, mismatched_name=mismatched_name[:255], finished_at=timezone.now()
    )


def _finish_build(build_id: int, *, spool, size: int, pack: ProofPack) -> str:
    case_id = ProofPackBuild.objects.filter(pk=build_id).values_list("case_id", flat=True).first()
    if case_id is None:
        return "skipped"  # the case was deleted or purged meanwhile: keep nothing
    # The case first, then the build: the order deleting a case takes them in.
    locked = locking.lock(Case(pk=case_id), None, by=None)
    build = (
        ProofPackBuild.objects.select_for_update(of=("self",))
        .filter(pk=build_id, state=BUILD.BUILDING)
        .select_related("requested_by")
        .first()
    )
    if build is None or locked.purged_at is not None:
        return "skipped"
    _store(build.file, "pack", File(spool))
    _record_proof_pack(locked, by=build.requested_by, pack=pack)
    now = timezone.now()
    build.state = BUILD.READY
    build.size = size
    build.manifest_sha256 = pack.manifest_sha256
    build.files_done = build.files_total = len(pack.files)
    build.finished_at = now
    build.expires_at = now + dt.timedelta(seconds=settings.PROOF_PACK_KEEP_SECONDS)
    build.save()
    return "ready"


def _discard_builds(case: Case) -> None:
    """Drop the case's kept packs (they hold its files); a build in progress keeps nothing."""
    for build in ProofPackBuild.objects.filter(case=case):
        if build.file:
            transaction.on_commit(
                partial(_delete_stored, build.file.storage, [build.file.name or ""]), robust=True
            )
    ProofPackBuild.objects.filter(case=case).delete()


def purge_expired_proof_packs(*, now: dt.datetime) -> int:
    """Beat: delete packs kept past PROOF_PACK_KEEP_SECONDS (and builds that never finished)."""
    removed = 0
    for build in ProofPackBuild.objects.filter(expires_at__lte=now).iterator():
        with transaction.atomic():
            deleted, _rows = ProofPackBuild.objects.filter(pk=build.pk).delete()
            if deleted and build.file:
                transaction.on_commit(
                    partial(_delete_stored, build.file.storage, [build.file.name or ""]),
                    robust=True,
                )
            removed += deleted
    return removed


# --- Deletion and retention ------------------------------------------------------------------

IDENTIFIER_FIELDS = {
    "phone_number": "",
    "device_model": "",
    "imei": "",
    "eid": "",
    "iccid": "",
    "reason_detail": "",
    "provider_reference": "",
    "needs_action_detail": "",
    "notice_name": "",
    "notice_address": "",
}


def _purge(case: Case, *, kind: str, text: str) -> list[Evidence]:
    """Delete the case's files and line identifiers; the event keeps each file's name and hash."""
    evidence = list(Evidence.objects.filter(case=case).order_by("uploaded_at", "id"))
    hashes = "; ".join(f"{item.original_name} {item.sha256}" for item in evidence)
    record_event(
        case=case,
        kind=kind,
        by=None,
        text=text,
        params={"count": str(len(evidence)), "hashes": hashes},
    )
    for item in evidence:
        _delete_files_on_commit(item)
    Evidence.objects.filter(pk__in=[item.pk for item in evidence]).delete()
    _discard_builds(case)
    for name, value in IDENTIFIER_FIELDS.items():
        setattr(case, name, value)
    case.purged_at = timezone.now()
    return evidence


def can_delete_case(*, case: Case, by: User) -> bool:
    """A finished case, by its owner or, at the customer's request, an admin allowed to."""
    if case.is_open or case.purged_at is not None:
        return False
    return access.is_owner(by, case) or (by.is_staff and by.has_perm("cases.delete_case"))


def _tombstone_text(*, by_owner: bool, has_files: bool) -> str:
    """What the one event left on a deleted case says (a msgid, translated when shown)."""
    if not by_owner:
        return gettext_noop(
            "Deleted in the admin at the customer's request with %(count)s files. "
            "Their SHA-256: %(hashes)s"
        )
    if has_files:
        return gettext_noop("Deleted by the customer, with its files. Their SHA-256: %(hashes)s")
    return gettext_noop("Deleted by the customer. It had no files.")


@transaction.atomic
def delete_case(*, case: Case, by: User, version: int | None) -> Case:
    """The customer deletes a finished case: files, identifiers, notes and the timeline go.

    What stays is an anonymised row for statistics (provider, kind, dates, outcome) and one
    tombstone event with the files' hashes. `version` is None only for the admin's action,
    which acts on the case as it is, not on a page someone saw.
    """
    locked = locking.lock(case, version, by=by)
    if not can_delete_case(case=locked, by=by):
        raise transitions.TransitionNotAllowed(_("Only a finished case of yours can be deleted."))
    by_owner = locked.owner_id == by.pk
    outbox.cancel_all(case=locked)
    CaseEvent.objects.filter(case=locked).delete()
    ContactAttempt.objects.filter(case=locked).delete()
    CaseStep.objects.filter(case=locked).update(note="", data={}, done_by=None)
    # The tombstone names no person: the row that stays is anonymous.
    _purge(
        locked,
        kind=CaseEvent.Kind.CASE_DELETED,
        text=_tombstone_text(
            by_owner=by_owner, has_files=Evidence.objects.filter(case=locked).exists()
        ),
    )
    locking.update(
        locked, deleted_at=locked.purged_at, owner=None, draft_token="", assigned_agent=None
    )
    return locked


def _retention_cutoff(now: dt.datetime, *, days: int) -> dt.datetime:
    return now - dt.timedelta(days=days)


def cases_to_warn(*, now: dt.datetime):
    """Finished cases whose evidence goes in CASE_RETENTION_WARNING_DAYS, not yet warned."""
    warn_at = _retention_cutoff(
        now, days=settings.CASE_RETENTION_DAYS - settings.CASE_RETENTION_WARNING_DAYS
    )
    return Case.objects.retention_due(warn_at).filter(
        retention_warned_at__isnull=True, owner__isnull=False
    )


def cases_to_purge(*, now: dt.datetime):
    """Finished cases past CASE_RETENTION_DAYS that still hold evidence or identifiers."""
    return Case.objects.retention_due(_retention_cutoff(now, days=settings.CASE_RETENTION_DAYS))


@transaction.atomic
def mark_retention_warned(*, case: Case, now: dt.datetime) -> bool:
    """Claim the warning for one case (once); False if another run already did."""
    claimed = Case.objects.filter(pk=case.pk, retention_warned_at__isnull=True).update(
        retention_warned_at=now
    )
    return bool(claimed)


@transaction.atomic
def purge_case_evidence(*, case: Case, now: dt.datetime) -> int:
    """Retention: delete one finished case's evidence and line identifiers. Returns files."""
    locked = locking.lock(case, None, by=None)
    if locked.purged_at is not None or locked.is_open:
        return 0
    # Warned customers get their full 14 days, even if the warning went out late.
    if locked.owner_id is not None and (
        locked.retention_warned_at is None
        or locked.retention_warned_at
        > now - dt.timedelta(days=settings.CASE_RETENTION_WARNING_DAYS)
    ):
        return 0
    purged = _purge(
        locked,
        kind=CaseEvent.Kind.RETENTION,
        text=gettext_noop(
            "Retention period over: %(count)s files and the line's identifiers deleted. "
            "Their SHA-256: %(hashes)s"
        ),
    )
    locking.update(locked)  # with what _purge cleared
    return len(purged)


@transaction.atomic
def purge_identity_document(*, evidence: Evidence, now: dt.datetime) -> bool:
    """Delete one identity document whose retention date has passed (a tombstone event)."""
    due = Evidence.objects.select_for_update().filter(pk=evidence.pk, retain_until__lte=now)
    found = due.first()
    if found is None:
        return False
    evidence = found
    locked = locking.lock(evidence.case, None, by=None)
    record_event(
        case=locked,
        kind=CaseEvent.Kind.RETENTION,
        by=None,
        text=gettext_noop(
            "Identity document deleted after %(days)s days: %(name)s (SHA-256 %(sha256)s)"
        ),
        params={
            "days": str(settings.IDENTITY_DOCUMENT_RETENTION_DAYS),
            "name": evidence.original_name,
            "sha256": evidence.sha256,
        },
    )
    _delete_files_on_commit(evidence)
    evidence.delete()
    _discard_builds(locked)
    locking.update(locked)
    return True


def purge_expired(*, now: dt.datetime, send_warning: Callable[[Case], None]) -> dict[str, int]:
    """The daily retention run: warn, purge finished cases, purge identity documents."""
    warned = purged_cases = purged_ids = 0
    for case in cases_to_warn(now=now).iterator():
        if mark_retention_warned(case=case, now=now):
            send_warning(case)
            warned += 1
    for case in cases_to_purge(now=now).iterator():
        if purge_case_evidence(case=case, now=now):
            purged_cases += 1
    for evidence in Evidence.objects.filter(retain_until__lte=now).only("pk").iterator():
        purged_ids += purge_identity_document(evidence=evidence, now=now)
    return {"warned": warned, "purged_cases": purged_cases, "purged_identity": purged_ids}
