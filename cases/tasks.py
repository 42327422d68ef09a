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
from celery.utils import uuid
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


def _batch_publisher(producer: Producer) -> sweep.QueueSend:
    """Publish send_reminder messages exactly as _queue_send's apply_async would, with what
    apply_async works out again for every message (the task's options, its route, the parent
    task, settings) worked out once for the batch: a third of the CPU per message, which was
    most of a sweep's (tests/cases/reminders compare the two messages).

    Not kept, as nothing reads them: the AsyncResult of each message, which apply_async also
    appends to the sweep task's in-memory list of children.
    """
    app, amqp, task = celery_app, celery_app.amqp, send_reminder
    # The options apply_async starts from (Celery's own hook, not in celery-types).
    preset = task._get_exec_options()  # type: ignore[attr-defined]
    options = {key: value for key, value in preset.items() if value is not None}
    options.setdefault("ignore_result", task.ignore_result)
    ignore_result = options.pop("ignore_result")
    limits = {key: options.pop(key, None) for key in ("time_limit", "soft_time_limit", "expires")}
    options = amqp.router.route(options, task.name, (), {}, task)  # type: ignore[arg-type]
    root_id = parent_id = None
    if parent := app.current_worker_task:
        root_id, parent_id = parent.request.root_id or parent.request.id, parent.request.id
        if app.conf.task_inherit_parent_priority:
            delivery = parent.request.delivery_info or {}
            options.setdefault("priority", delivery.get("priority"))
    fixed = {
        "reply_to": app.thread_oid,
        "create_sent_event": app.conf.task_send_sent_event,
        "root_id": root_id,
        "parent_id": parent_id,
        "ignore_result": ignore_result,
        **limits,
    }

    def publish(reminder_id: int, lease: dt.datetime) -> None:
        kwargs = {"reminder_id": reminder_id, "lease": lease.isoformat()}
        # apply_async hands these on to the message's properties too.
        reprs = {"argsrepr": "()", "kwargsrepr": repr(kwargs)}
        task_id = uuid()
        if not ignore_result:
            app.backend.on_task_call(producer, task_id)
        message = amqp.create_task_message(
            task_id, task.name, (), kwargs, **reprs, **fixed, **options
        )
        amqp.send_task_message(
            producer, task.name, message, retry=False, declare=[], **reprs, **options
        )

    return publish


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
            if celery_app.conf.task_always_eager:  # run inline, as apply_async does then
                yield partial(_queue_send, producer=producer)
            else:
                yield _batch_publisher(producer)


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
