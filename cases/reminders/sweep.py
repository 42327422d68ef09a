"""The sweep: flag stalled cases, claim due reminders batch by batch, queue one send each
(DESIGN.md "Reminders"). Run by the beat task in cases.tasks, which hands in how to queue."""

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Case as SQLCase
from django.db.models import F, Value, When
from django.utils import timezone
from django.utils.translation import gettext_noop

from cases import events
from cases.models import Case, CaseEvent, Reminder
from cases.reminders.schedule import VERDICT_FIELDS, Verdict, verdict

log = logging.getLogger(__name__)

# Queues the send of one claimed reminder: (reminder id, the claim's lease time).
QueueSend = Callable[[int, dt.datetime], object]
# Opens a publishing session for one batch's sends (cases.tasks.send_queue: one producer from the
# pool, the messages pipelined) and yields its QueueSend. A send may be delivered as late as the
# session's close; whatever fails, there or before, raises out of the `with`.
SendQueue = Callable[[], AbstractContextManager[QueueSend]]


@dataclass
class SweepResult:
    queued: list[int] = field(default_factory=list)
    rescheduled: int = 0
    cancelled: int = 0
    stalled: int = 0
    queue_failed: bool = False


def sweep(*, send_queue: SendQueue, now: dt.datetime | None = None) -> SweepResult:
    """Flag stalled cases, then claim due reminders batch by batch and queue one send each."""
    now = now or timezone.now()
    result = SweepResult()
    result.stalled = flag_stalled(now=now)
    # Leases that ran out first (a lost send waited longest), then the rows that fell due.
    for claimable in (Reminder.objects.lease_expired(now), Reminder.objects.due(now)):
        while not result.queue_failed:
            with transaction.atomic():
                # Only what verdict() reads: the send task loads the rest itself.
                batch = list(
                    claimable.select_related("case")
                    .only(*VERDICT_FIELDS)
                    .select_for_update(skip_locked=True, of=("self",))[
                        : settings.REMINDER_SWEEP_BATCH
                    ]
                )
                claimed = _settle_batch(batch, now=now, result=result)
                if claimed:
                    # A row is marked sending in this transaction and queued only once it
                    # commits, so a worker never sees a row it cannot read yet.
                    transaction.on_commit(
                        partial(_queue_sends, claimed, send_queue, lease=now, result=result),
                        robust=True,
                    )
            if len(batch) < settings.REMINDER_SWEEP_BATCH:
                break
    return result


def _settle_batch(batch: list[Reminder], *, now: dt.datetime, result: SweepResult) -> list[int]:
    """Decide each row of a locked batch; mark the sendable ones sending. Returns their ids."""
    claimed, cancelled = [], []
    later: defaultdict[dt.datetime, list[int]] = defaultdict(list)
    for reminder in batch:
        action, due_at = verdict(reminder, now=now)
        if action is Verdict.SEND:
            claimed.append(reminder.pk)
        elif action is Verdict.CANCEL:
            cancelled.append(reminder.pk)
        else:
            assert due_at is not None  # LATER always says until when
            later[due_at].append(reminder.pk)
    if batch:
        # One statement for the whole batch. Rows held for mail hours share a handful of
        # openings (one per time zone and day), so due_at has a branch per opening, not per row.
        Reminder.objects.filter(pk__in=[r.pk for r in batch]).update(
            state=SQLCase(
                When(pk__in=claimed, then=Value(Reminder.State.SENDING)),
                When(pk__in=cancelled, then=Value(Reminder.State.CANCELLED)),
                default=Value(Reminder.State.SCHEDULED),
            ),
            sending_since=SQLCase(When(pk__in=claimed, then=Value(now)), default=None),
            due_at=SQLCase(
                *(When(pk__in=pks, then=Value(due)) for due, pks in later.items()),
                default=F("due_at"),
            ),
        )
    result.cancelled += len(cancelled)
    result.rescheduled += sum(len(pks) for pks in later.values())
    return claimed


def _queue_sends(
    ids: list[int], send_queue: SendQueue, *, lease: dt.datetime, result: SweepResult
) -> None:
    """Queue the batch's sends in one publishing session; if the broker fails, hand them back."""
    try:
        with send_queue() as queue_send:
            for reminder_id in ids:
                queue_send(reminder_id, lease)
    except Exception:
        # Which messages reached the broker is unknown (they go out pipelined), so the whole
        # batch goes back to scheduled (the rows still ours) and the next sweep queues it
        # without waiting out the lease. A task that did arrive then finds no lease and sends
        # nothing; a row whose send already began stays locked and is not handed back. Should
        # this update fail too, the lease's expiry still brings the rows back.
        log.warning("Could not queue reminder sends; the next sweep retries", exc_info=True)
        Reminder.objects.filter(
            pk__in=ids, state=Reminder.State.SENDING, sending_since=lease
        ).update(state=Reminder.State.SCHEDULED, sending_since=None)
        result.queue_failed = True
        return
    result.queued.extend(ids)


def flag_stalled(*, now: dt.datetime) -> int:
    """Flag cases that waited twice the typical time, once each, for the agents' queue."""
    flagged = 0
    while True:
        with transaction.atomic():
            cases = list(
                Case.objects.due_to_stall(now)
                .order_by("stall_at")
                .select_for_update(skip_locked=True)[: settings.REMINDER_SWEEP_BATCH]
                .values_list("pk", flat=True)
            )
            Case.objects.filter(pk__in=cases).update(is_stalled=True)
            events.record_system_events(
                case_ids=cases,
                kind=CaseEvent.Kind.STALLED,
                text=gettext_noop("Waited twice the provider's typical time."),
                visibility=CaseEvent.Visibility.INTERNAL,
            )
        flagged += len(cases)
        if len(cases) < settings.REMINDER_SWEEP_BATCH:
            return flagged
