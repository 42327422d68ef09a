"""Are reminders going out? Workers and the sweep leave heartbeats; the staff dashboard asks.

A worker records its heartbeat from a consumer bootstep, so only while it is connected to the
broker and its event loop runs; the sweep records one each time it runs, which also shows that
beat is alive. Rows live in the database (not a process's memory or a per-process cache), so
every web process sees the same answer.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from celery import bootsteps
from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.db.models import Max, Q
from django.utils import timezone

from cases.models import WorkerHeartbeat

log = logging.getLogger(__name__)

# Rows of workers gone for this long (an old container's hostname) are removed by the sweep.
FORGET_AFTER = dt.timedelta(days=7)


def record(*, name: str, now: dt.datetime | None = None) -> None:
    """Note that `name` (a worker's hostname, or WorkerHeartbeat.SWEEP) is alive at `now`."""
    now = now or timezone.now()
    WorkerHeartbeat.objects.bulk_create(
        [WorkerHeartbeat(name=name, seen_at=now)],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["seen_at"],
    )
    if name == WorkerHeartbeat.SWEEP:
        WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()


def worker_stale_after() -> dt.timedelta:
    """No worker heartbeat for this long: no worker is connected (three missed beats)."""
    return dt.timedelta(seconds=3 * settings.WORKER_HEARTBEAT_SECONDS)


def sweep_stale_after() -> dt.timedelta:
    """No sweep for this long: beat or the sweep queue is stuck (two missed sweeps and a minute)."""
    return dt.timedelta(seconds=2 * settings.REMINDER_SWEEP_SECONDS + 60)


@dataclass(frozen=True)
class ReminderHealth:
    """What the staff dashboard says about reminder delivery."""

    worker_seen_at: dt.datetime | None
    sweep_seen_at: dt.datetime | None
    is_worker_alive: bool
    is_sweep_running: bool

    @property
    def are_reminders_sent(self) -> bool:
        return self.is_worker_alive and self.is_sweep_running


def reminder_health(*, now: dt.datetime | None = None) -> ReminderHealth:
    """The latest worker and sweep heartbeats, and whether they are recent enough. One query."""
    now = now or timezone.now()
    seen = WorkerHeartbeat.objects.aggregate(
        worker=Max("seen_at", filter=~Q(name=WorkerHeartbeat.SWEEP)),
        sweep=Max("seen_at", filter=Q(name=WorkerHeartbeat.SWEEP)),
    )
    worker, sweep = seen["worker"], seen["sweep"]
    return ReminderHealth(
        worker_seen_at=worker,
        sweep_seen_at=sweep,
        is_worker_alive=worker is not None and now - worker <= worker_stale_after(),
        is_sweep_running=sweep is not None and now - sweep <= sweep_stale_after(),
    )


def reminders_not_sent(*, now: dt.datetime | None = None) -> bool:
    """True when agents should be told "reminders are not being sent"."""
    return not reminder_health(now=now).are_reminders_sent


class HeartbeatStep(bootsteps.StartStopStep):
    """Worker consumer step: record this worker's heartbeat while it is connected to the broker.

    Registered in config/celery.py. Started after each (re)connection and stopped when the
    connection is lost, so a worker that cannot reach Redis stops beating.
    """

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, parent, **kwargs) -> None:
        super().__init__(parent, **kwargs)
        self.timer_entry = None

    def start(self, parent) -> None:
        self.beat(parent.hostname)
        self.timer_entry = parent.timer.call_repeatedly(
            settings.WORKER_HEARTBEAT_SECONDS, self.beat, (parent.hostname,), priority=10
        )

    def stop(self, parent) -> None:
        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None

    shutdown = stop

    def beat(self, hostname: str) -> None:
        if settings.WORKER_HEARTBEAT_FILE:
            # For the container's health check: the broker connection and event loop are alive.
            Path(settings.WORKER_HEARTBEAT_FILE).touch()
        # The timer runs outside any task, where Celery's Django fixup would tidy connections.
        close_old_connections()
        try:
            record(name=hostname)
        except DatabaseError:
            log.warning("Could not record the worker heartbeat", exc_info=True)
