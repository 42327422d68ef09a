"""The writes of inbound email: processing a stored message (on the worker), the customer's or
an agent's answer to a suggested outcome, and the agents' Unmatched queue.

Processing reads the raw message that `receive` stored, so it can run again: the row is locked
and only a message still waiting is processed, which makes a second delivery of the task (or the
beat's re-queue) do nothing. Each message is processed in one transaction: the evidence, the
contact-log entry, the event and the suggestion land together or not at all.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from cases import access, locking, services, transitions
from cases.contacts import selectors as contact_selectors
from cases.contacts import services as contact_services
from cases.events import record_event
from cases.evidence import services as evidence_services
from cases.evidence.files import CheckedFile, NewEvidence, RefusedFile, check_upload
from cases.inbound import address, parse, patterns, receive
from cases.models import (
    Case,
    CaseEvent,
    ContactAttempt,
    Evidence,
    InboundAddress,
    InboundMessage,
)
from cases.transitions import Outcome
from providers.models import ContactChannel

log = logging.getLogger(__name__)

M = InboundMessage
# A message whose processing failed this often is left for an agent (state failed).
MAX_ATTEMPTS = 5
# Waiting this long unprocessed means its task was lost: the beat queues it again.
REQUEUE_AFTER = dt.timedelta(minutes=2)
EXCERPT_CHARS = 5000


class Result:
    SKIPPED = "skipped"


@dataclass(frozen=True)
class _Delivery:
    case: Case
    parsed: parse.ParsedMail
    raw: bytes
    sender: str
    verdict: dict


def site_domain() -> str:
    return (urlsplit(settings.SITE_URL).hostname or "localhost").lower()


def process_message(*, message_id: int) -> str:
    """Read one stored message into its case (or Unmatched, or drop it). Returns its new state.

    A failure is counted on the row and raised (the task logs it); the beat's re-queue tries
    again until MAX_ATTEMPTS, then the message waits for an agent as failed.
    """
    try:
        with transaction.atomic():
            message = M.objects.select_for_update().filter(pk=message_id).first()
            if message is None or message.state != M.State.RECEIVED:
                return Result.SKIPPED
            _process(message)
            return message.state
    except Exception as error:
        with transaction.atomic():
            message = M.objects.select_for_update().get(pk=message_id)
            message.attempts += 1
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.state = M.State.FAILED
            message.save(update_fields=["attempts", "last_error", "state"])
        raise


def _read(message: InboundMessage) -> bytes:
    with message.raw.open("rb") as stored:
        return stored.read()


def _finish(message: InboundMessage, state: str, *, reason: str = "") -> None:
    message.state = state
    message.drop_reason = reason
    message.processed_at = timezone.now()
    message.save()


def _process(message: InboundMessage) -> None:
    raw = _read(message)
    try:
        parsed = parse.parse(
            raw, max_parts=settings.INBOUND_MAX_PARTS, max_depth=settings.INBOUND_MAX_DEPTH
        )
    except parse.TooComplex:
        return _finish(message, M.State.DROPPED, reason=M.Drop.TOO_COMPLEX)
    except (ValueError, LookupError, TypeError, IndexError):
        return _finish(message, M.State.DROPPED, reason=M.Drop.UNREADABLE)
    _describe(message, parsed)
    case = message.case or address.case_for(message.recipient)
    if case is not None and case.purged_at is not None:
        case = None
    message.case = case
    noise = _noise(message, parsed)
    if noise:
        return _drop(message, noise)
    if case is None:
        return _finish(message, M.State.UNMATCHED)
    if message.handled_by_id is None and _over_rate_limit(message):
        return _drop(message, M.Drop.RATE_LIMIT)
    sender = _sender(case, parsed)
    verdict = _verdict(case, sender)
    if parsed.auto_submitted and (verdict or not case.provider_id):
        # Automatic mail is kept only from the provider's own official address (its automatic
        # confirmation); any other is an auto-reply, a newsletter or a loop.
        return _drop(message, M.Drop.AUTO_REPLY)
    _deliver(message, _Delivery(case=case, parsed=parsed, raw=raw, sender=sender, verdict=verdict))


def _touch(case: Case) -> None:
    """Mark that the case has mail, so its pages read it."""
    address.ensure_address(case)
    InboundAddress.objects.filter(case=case).update(last_message_at=timezone.now())


def _drop(message: InboundMessage, reason: str) -> None:
    """Noise is kept as a row (agents see it on the case), never as evidence or a contact."""
    if message.case is not None:
        _touch(message.case)
    _finish(message, M.State.DROPPED, reason=reason)


def _describe(message: InboundMessage, parsed: parse.ParsedMail) -> None:
    message.from_address = parsed.from_address
    message.from_name = parsed.from_name
    message.subject = parsed.subject
    message.sent_at = parsed.sent_at
    message.excerpt = parsed.text[:EXCERPT_CHARS]


def _noise(message: InboundMessage, parsed: parse.ParsedMail) -> str:
    """Why the message is noise (RFC 3834 auto-replies, bounces, our own mail), or ""."""
    own = parsed.message_id.strip("<>").rpartition("@")[2].lower()
    if own and own == site_domain():
        return M.Drop.LOOP
    if parsed.is_bounce or message.envelope_from.strip() == "<>" or parsed.return_path == "<>":
        return M.Drop.BOUNCE
    if parsed.auto_submitted == "auto-replied":
        return M.Drop.AUTO_REPLY
    return ""


def _over_rate_limit(message: InboundMessage) -> bool:
    since = timezone.now() - dt.timedelta(hours=1)
    earlier = (
        M.objects.filter(recipient=message.recipient, received_at__gte=since)
        .exclude(pk=message.pk)
        .exclude(state=M.State.DROPPED)
        .count()
    )
    return earlier >= settings.INBOUND_RATE_LIMIT_PER_HOUR


def _sender(case: Case, parsed: parse.ParsedMail) -> str:
    """Who wrote it: the original sender of a forward, else From."""
    return parsed.original_from or parsed.from_address


def _is_owner(case: Case, sender: str) -> bool:
    owner = case.owner
    return owner is not None and bool(sender) and owner.email.lower() == sender.lower()


def _verdict(case: Case, sender: str) -> dict:
    """The scam guard on the sender, against the provider's official channels (a directory
    provider only: with a free-text one, every address would look unknown)."""
    if not sender or case.provider is None or _is_owner(case, sender):
        return {}
    channels = contact_selectors.official_channels(case.provider)
    verdict = contact_selectors.check_entry(
        provider=case.provider, channels=channels, contact=sender
    )
    return verdict.as_dict() if verdict.is_suspicious else {}


def _official_channel(case: Case, sender: str) -> ContactChannel | None:
    if case.provider is None or not sender:
        return None
    for channel in contact_selectors.official_channels(case.provider):
        if channel.kind == ContactChannel.Kind.EMAIL and channel.value.lower() == sender:
            return channel
    return None


def _checked(content: bytes, name: str) -> CheckedFile:
    if len(content) > settings.EVIDENCE_MAX_UPLOAD_BYTES:
        raise RefusedFile("too large", code="too_large")
    return check_upload(content, name=name)


def _files(message: InboundMessage, delivery: _Delivery) -> list[NewEvidence]:
    """The email itself (.eml) and each attachment that passes the upload checks."""
    subject = delivery.parsed.subject or "email"
    files = []
    refused = []
    try:
        eml = check_upload(delivery.raw, name=f"{subject[:80]}.eml")
    except RefusedFile as error:
        refused.append({"name": f"{subject[:80]}.eml", "reason": error.code or "unknown"})
    else:
        files.append(NewEvidence(checked=eml, kind=Evidence.Kind.CORRESPONDENCE, note=subject))
    for index, item in enumerate(delivery.parsed.attachments):
        if index >= settings.INBOUND_MAX_ATTACHMENTS:
            refused.append({"name": item.name, "reason": "too_many"})
            continue
        try:
            checked = _checked(item.content, item.name)
        except RefusedFile as error:
            refused.append({"name": item.name, "reason": error.code or "unknown"})
            continue
        files.append(NewEvidence(checked=checked, kind=Evidence.Kind.CORRESPONDENCE, note=subject))
    message.refused_files = refused
    return files


def _keep_files(message: InboundMessage, case: Case, files: list[NewEvidence]) -> Evidence | None:
    """Store the files; over the case's quota, the email alone; else nothing (said on the row)."""
    for attempt in (files, files[:1]):
        if not attempt:
            return None
        try:
            _case, added = evidence_services.add_received_evidence(case=case, files=attempt)
        except evidence_services.QuotaExceeded:
            continue
        if len(attempt) < len(files):
            message.refused_files += [
                {"name": item.checked.original_name, "reason": "quota"} for item in files[1:]
            ]
        return added[0] if added and added[0].content_type == "message/rfc822" else None
    message.refused_files += [
        {"name": item.checked.original_name, "reason": "quota"} for item in files
    ]
    return None


def _deliver(message: InboundMessage, delivery: _Delivery) -> None:
    case = locking.lock(delivery.case, None, by=None)
    message.case = case
    message.sender = delivery.sender[:320]
    message.scam_verdict = delivery.verdict
    message.evidence = _keep_files(message, case, _files(message, delivery))
    occurred_at = delivery.parsed.sent_at or timezone.now()
    if occurred_at > timezone.now():
        occurred_at = timezone.now()
    subject = delivery.parsed.subject
    if case.is_open and case.status != Case.Status.DRAFT:
        with translation.override(case.language):
            message.contact = contact_services.log_received_email(
                case=case,
                sender=delivery.sender,
                subject=subject,
                occurred_at=occurred_at,
                channel=_official_channel(case, delivery.sender),
                scam_verdict=delivery.verdict,
            )
    _suggest(message, case, delivery.parsed)
    record_event(
        case=case,
        kind=CaseEvent.Kind.INBOUND,
        by=None,
        text=gettext_noop("Email received from %(sender)s: %(subject)s"),
        params={"sender": delivery.sender, "subject": subject[:120]},
    )
    if delivery.verdict:
        record_event(
            case=case,
            kind=CaseEvent.Kind.INBOUND,
            by=None,
            text=gettext_noop(
                "The sender %(sender)s is not one of the provider's official addresses."
            ),
            params={"sender": delivery.sender},
            visibility=CaseEvent.Visibility.INTERNAL,
        )
    _touch(case)
    locking.update(case)
    _finish(message, M.State.PROCESSED)


def _suggest(message: InboundMessage, case: Case, parsed: parse.ParsedMail) -> None:
    """Offer the outcome the words read as, on a case that waits on the provider."""
    if not case.is_waiting:
        return
    found = patterns.suggest(parsed.all_text, known_reference=case.provider_reference)
    if found is None:
        return
    message.suggestion = found.outcome
    message.quote = found.quote[:500]
    message.suggested_reference = found.reference
    message.decision = M.Decision.PENDING
    case.suggestion_waiting_since = timezone.now()


# --- The suggestion: recorded or dismissed by the customer or an agent -------------------------

OUTCOMES = {
    M.Suggestion.CONFIRMED: Outcome.CONFIRMED,
    M.Suggestion.NEEDS_MORE: Outcome.NEEDS_MORE,
    M.Suggestion.REFUSED: Outcome.REFUSED,
}
CONTACT_OUTCOMES = {
    M.Suggestion.CONFIRMED: ContactAttempt.Outcome.CONFIRMED,
    M.Suggestion.NEEDS_MORE: ContactAttempt.Outcome.NEEDS_MORE,
    M.Suggestion.REFUSED: ContactAttempt.Outcome.REFUSED,
}


def _pending(case: Case, pk: int) -> InboundMessage:
    message = M.objects.select_for_update().filter(pk=pk, case=case).first()
    if message is None or not message.has_pending_suggestion:
        raise transitions.TransitionNotAllowed(_("This suggestion was already answered."))
    return message


def _decided(message: InboundMessage, *, decision: str, by: User) -> None:
    message.decision = decision
    message.decided_by = by
    message.decided_at = timezone.now()
    message.save(update_fields=["decision", "decided_by", "decided_at"])


def _settle_waiting(case: Case) -> None:
    """Reminders resume once no suggestion of the case waits any more."""
    if not M.objects.filter(case=case, decision=M.Decision.PENDING).exists():
        case.suggestion_waiting_since = None
    locking.update(case)


@transaction.atomic
def accept_suggestion(*, case: Case, pk: int, by: User, version: int) -> Case:
    """Record the suggested outcome through the usual outcome service (its checks and all)."""
    locked = locking.lock(case, version, by=by)
    transitions.role_of(by, locked)
    message = _pending(locked, pk)
    if message.suggestion == M.Suggestion.CONFIRMED and message.evidence_id:
        # The email is the provider's confirmation: the proof that completing asks for.
        Evidence.objects.filter(pk=message.evidence_id, case=locked).update(
            kind=Evidence.Kind.CONFIRMATION
        )
    note = "" if message.suggestion == M.Suggestion.CONFIRMED else message.quote
    locked = services.record_outcome(
        case=locked,
        by=by,
        version=locked.version,
        outcome=OUTCOMES[M.Suggestion(message.suggestion)],
        reference=message.suggested_reference,
        note=note,
    )
    if message.contact_id:
        ContactAttempt.objects.filter(pk=message.contact_id, case=locked).update(
            outcome=CONTACT_OUTCOMES[M.Suggestion(message.suggestion)],
            provider_reference=message.suggested_reference,
        )
    _decided(message, decision=M.Decision.ACCEPTED, by=by)
    _settle_waiting(locked)
    return locked


@transaction.atomic
def dismiss_suggestion(*, case: Case, pk: int, by: User, version: int) -> Case:
    """Not what the email means: the suggestion goes, the email stays on the case."""
    locked = locking.lock(case, version, by=by)
    transitions.role_of(by, locked)
    message = _pending(locked, pk)
    _decided(message, decision=M.Decision.DISMISSED, by=by)
    record_event(
        case=locked,
        kind=CaseEvent.Kind.INBOUND,
        by=by,
        text=gettext_noop("Suggested outcome dismissed: %(subject)s"),
        params={"subject": message.subject[:120]},
    )
    _settle_waiting(locked)
    return locked


# --- Unmatched mail: attached to a case or discarded by an agent -------------------------------


def _unmatched(pk: int) -> InboundMessage:
    message = M.objects.select_for_update().filter(pk=pk).first()
    if message is None or message.state not in (M.State.UNMATCHED, M.State.FAILED):
        raise transitions.TransitionNotAllowed(_("This email was already dealt with."))
    return message


@transaction.atomic
def attach_unmatched(*, pk: int, case: Case, by: User) -> InboundMessage:
    """An agent puts mail that reached no case onto this one; it is then processed as if it
    had been sent to the case's address (evidence, contact log, suggestion)."""
    if not access.is_cleared_agent(by):
        raise access.AccessDenied("Only an agent may attach or discard unmatched mail.")
    locked = locking.lock(case, None, by=by)
    message = _unmatched(pk)
    message.case = locked
    message.state = M.State.RECEIVED
    message.attempts = 0
    message.handled_by = by
    message.handled_at = timezone.now()
    message.save()
    record_event(
        case=locked,
        kind=CaseEvent.Kind.INBOUND,
        by=by,
        text=gettext_noop("An agent attached an email sent to %(recipient)s: %(subject)s"),
        params={"recipient": message.recipient, "subject": message.subject[:120]},
        visibility=CaseEvent.Visibility.INTERNAL,
    )
    locking.update(locked)
    receive.queue_processing(message.pk)
    return message


@transaction.atomic
def discard_unmatched(*, pk: int, by: User) -> InboundMessage:
    """An agent throws away mail that reached no case; the row stays, with who and when."""
    if not access.is_cleared_agent(by):
        raise access.AccessDenied("Only an agent may attach or discard unmatched mail.")
    message = _unmatched(pk)
    message.state = M.State.DISCARDED
    message.handled_by = by
    message.handled_at = timezone.now()
    message.save(update_fields=["state", "handled_by", "handled_at"])
    log.info("Inbound email %s discarded by agent %s", message.pk, by.pk)
    return message


def requeue_waiting(*, now: dt.datetime) -> int:
    """Queue again every message still waiting after REQUEUE_AFTER (its task never ran)."""
    ids = list(
        M.objects.waiting_to_process(now - REQUEUE_AFTER)
        .order_by("received_at")
        .values_list("pk", flat=True)[:500]
    )
    for pk in ids:
        receive.queue_processing(pk)  # outside a transaction: sent at once, errors logged
    return len(ids)
