"""The one way in for a received email: the webhook, `manage.py receive_email` and the SMTP
listener each hand the raw bytes here. The raw message is stored before anything reads it, and
its processing is queued only after that commit; should queuing fail (Redis down), the beat
task `requeue_inbound_mail` finds it waiting and queues it again. Nothing is lost."""

import email.utils
import hashlib
import logging
from collections.abc import Sequence
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from cases.inbound import address, parse
from cases.models import InboundMessage
from config.celery import app as celery_app

log = logging.getLogger(__name__)

PROCESS_TASK = "cases.tasks.process_inbound_mail"


class MessageTooLarge(ValueError):
    """Larger than INBOUND_MAX_BYTES: refused at the door (SMTP 552, the pipe's exit code)."""


class NotAnEmail(ValueError):
    """Empty, or no header block at all."""


def _normalized(recipients: Sequence[str]) -> list[str]:
    found = []
    for value in recipients:
        for _name, addr in email.utils.getaddresses([value or ""]):
            addr = addr.strip().lower()
            if addr and addr not in found:
                found.append(addr[:320])
    return found


def _recipients(raw: bytes, given: Sequence[str]) -> list[str]:
    """Our addresses among those given (the envelope), else among the headers; else the first
    address known, so the mail reaches the Unmatched queue rather than nowhere."""
    given_list = _normalized(given)
    ours = [r for r in given_list if address.is_ours(r)]
    if ours:
        return ours
    in_headers = _normalized(parse.recipients_of(raw))
    ours = [r for r in in_headers if address.is_ours(r)]
    if ours:
        return ours[:1]
    first = (given_list or in_headers or [""])[0]
    return [first]


def queue_processing(message_id: int) -> None:
    send = partial(celery_app.send_task, PROCESS_TASK, kwargs={"message_id": message_id})
    transaction.on_commit(send, robust=True)


def receive(
    *, raw: bytes, via: str, recipients: Sequence[str] = (), envelope_from: str = ""
) -> list[InboundMessage]:
    """Store one raw message (once per case address it was sent to) and queue its processing.

    The same message delivered again (a webhook retried, a pipe run twice) is kept once: the
    second delivery returns the first row. MessageTooLarge / NotAnEmail for what is refused.
    """
    if len(raw) > settings.INBOUND_MAX_BYTES:
        raise MessageTooLarge
    if not raw.strip() or b":" not in raw[:4096]:
        raise NotAnEmail
    message_id = parse.message_id_of(raw)
    sha256 = hashlib.sha256(raw).hexdigest()
    dedupe_key = message_id or f"sha256:{sha256}"
    stored = []
    for recipient in _recipients(raw, recipients):
        stored.append(
            _store(
                raw=raw,
                via=via,
                recipient=recipient,
                envelope_from=envelope_from,
                message_id=message_id,
                sha256=sha256,
                dedupe_key=dedupe_key,
            )
        )
    return stored


def _store(*, raw: bytes, recipient: str, dedupe_key: str, **fields) -> InboundMessage:
    existing = InboundMessage.objects.filter(recipient=recipient, dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    message = InboundMessage(recipient=recipient, dedupe_key=dedupe_key, size=len(raw), **fields)
    message.raw.save("message.eml", ContentFile(raw), save=False)
    stored_as = message.raw.name or ""
    try:
        with transaction.atomic():
            message.save()
            queue_processing(message.pk)
    except IntegrityError:
        # The same delivery, racing this one, was stored first.
        message.raw.storage.delete(stored_as)
        return InboundMessage.objects.get(recipient=recipient, dedupe_key=dedupe_key)
    except BaseException:
        message.raw.storage.delete(stored_as)
        raise
    return message
