"""Celery tasks: thin wrappers that take ids, call a service and own the retry policy.

Imported by nothing but Celery's autodiscovery and the tests (ruff TID251), so no module of
the app can form an import loop through a task.
"""

import datetime as dt
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from kombu import Producer

from cases import once, services, stats
from cases.evidence import emails as evidence_emails
from cases.evidence import services as evidence_services
from cases.inbound import services as inbound_services
from cases.models import WorkerHeartbeat
from cases.reminders import digest, heartbeat, send, sweep
from config.celery import app as celery_app


def _visibility_timeout() -> int:
    return settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 60 * 60)


# A retry waits in the worker unacknowledged; a wait past the broker's visibility timeout would
# have Redis hand the same task to a second worker.
RETRY_BACKOFF_MAX_SECONDS = min(
    settings.REMINDER_RETRY_BACKOFF_MAX_SECONDS, _visibility_timeout() - 60
)

# Redis commands buffered before an intermediate flush; a sweep batch (REMINDER_SWEEP_BATCH rows)
# normally goes out in one round trip when it closes.
PUBLISH_BATCH = 1000


def _queue_send(reminder_id: int, lease: dt.datetime, *, producer: Producer) -> None:
    kwargs = {"reminder_id": reminder_id, "lease": lease.isoformat()}
    options: dict[str, Any] = {
        # What Celery would log, without its generic repr of every message; the queue was
        # declared once for the batch (send_queue).
        "argsrepr": "()",
        "kwargsrepr": repr(kwargs),
        "declare": [],
    }
    send_reminder.apply_async(kwargs=kwargs, producer=producer, retry=False, **options)


@contextmanager
def send_queue() -> Iterator[sweep.QueueSend]:
    """How the sweep queues a batch's sends: over one producer from the pool, the messages
    pipelined to Redis and written when the batch closes (kombu's Producer.batch).

    No per-message retry: a broker error raises out of the batch, and the sweep hands the rows
    back for its next run.
    """
    queue = celery_app.amqp.router.route({}, send_reminder.name)["queue"]
    with celery_app.producer_or_acquire() as producer:
        producer.maybe_declare(queue)
        with producer.batch(max_size=PUBLISH_BATCH):
            yield partial(_queue_send, producer=producer)


@shared_task
def sweep_reminders() -> int:
    """Beat: claim due reminders and queue their sends. Returns how many were queued."""
    queued = len(sweep.sweep(send_queue=send_queue).queued)
    heartbeat.record(name=WorkerHeartbeat.SWEEP)
    return queued


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    max_retries=max(settings.REMINDER_MAX_ATTEMPTS - 1, 0),
    retry_backoff=settings.REMINDER_RETRY_BACKOFF_SECONDS,
    retry_backoff_max=RETRY_BACKOFF_MAX_SECONDS,
    retry_jitter=True,
)
def send_reminder(self, reminder_id: int, lease: str) -> str:
    """Send one claimed reminder; `lease` is the claim's time, which this delivery must hold."""
    return send.send_reminder(
        reminder_id=reminder_id,
        lease=dt.datetime.fromisoformat(lease),
        final_attempt=self.request.retries >= self.max_retries,
    ).value


@shared_task
def purge_unclaimed_drafts() -> int:
    """Beat: remove anonymous drafts older than the retention period."""
    return services.purge_unclaimed_drafts(now=timezone.now())


@shared_task
def purge_form_submissions() -> int:
    """Beat, daily: delete create forms' used one-time tokens past FORM_SUBMISSION_KEEP_DAYS."""
    return once.purge_old(now=timezone.now())


@shared_task
def purge_expired_evidence() -> dict[str, int]:
    """Beat, daily: warn before retention ends, purge finished cases' evidence and ID documents."""
    return evidence_services.purge_expired(
        now=timezone.now(), send_warning=evidence_emails.send_retention_warning
    )


@shared_task(acks_late=True, reject_on_worker_lost=True)
def build_proof_pack(build_id: int) -> str:
    """Make one large proof pack (queued by the pack page); a lost worker's build is redone."""
    return evidence_services.build_proof_pack(build_id=build_id)


@shared_task
def purge_expired_proof_packs() -> int:
    """Beat, hourly: delete proof packs kept past PROOF_PACK_KEEP_SECONDS."""
    return evidence_services.purge_expired_proof_packs(now=timezone.now())


@shared_task
def send_agent_digest() -> int:
    """Beat: the agents' daily digest, once a day from its hour. Returns the emails sent."""
    return digest.send_digest(now=timezone.now())


@shared_task
def compute_stats() -> int:
    """Beat: recompute the numbers of the staff stats page. Returns the snapshot's id."""
    return stats.compute(now=timezone.now()).pk


@shared_task(acks_late=True, reject_on_worker_lost=True)
def process_inbound_mail(message_id: int) -> str:
    """Read one received email into its case (queued after it was stored); idempotent."""
    return inbound_services.process_message(message_id=message_id)


@shared_task
def requeue_inbound_mail() -> int:
    """Beat: queue again the received emails whose processing never ran (Redis was down)."""
    return inbound_services.requeue_waiting(now=timezone.now())
