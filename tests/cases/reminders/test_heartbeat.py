"""The staff dashboard's "reminders are not being sent": worker and sweep heartbeats."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import WorkerHeartbeat
from cases.reminders import heartbeat

pytestmark = pytest.mark.django_db


def test_nothing_ever_answered_means_reminders_are_not_sent():
    assert heartbeat.reminders_not_sent()


def test_a_live_worker_and_a_recent_sweep_mean_reminders_are_sent(django_assert_num_queries):
    now = timezone.now()
    heartbeat.record(name="celery@a", now=now - dt.timedelta(seconds=20))
    heartbeat.record(name=WorkerHeartbeat.SWEEP, now=now - dt.timedelta(minutes=4))
    with django_assert_num_queries(1):
        health = heartbeat.reminder_health(now=now)
    assert health.is_worker_alive
    assert health.is_sweep_running
    assert not heartbeat.reminders_not_sent(now=now)


def test_a_worker_silent_for_three_beats_is_reported(settings):
    settings.WORKER_HEARTBEAT_SECONDS = 30
    now = timezone.now()
    heartbeat.record(name="celery@a", now=now - dt.timedelta(seconds=91))
    heartbeat.record(name=WorkerHeartbeat.SWEEP, now=now)
    health = heartbeat.reminder_health(now=now)
    assert not health.is_worker_alive
    assert health.worker_seen_at == now - dt.timedelta(seconds=91)
    assert heartbeat.reminders_not_sent(now=now)


def test_a_sweep_missing_twice_is_reported_even_with_a_live_worker(settings):
    settings.REMINDER_SWEEP_SECONDS = 300
    now = timezone.now()
    heartbeat.record(name="celery@a", now=now)
    heartbeat.record(name=WorkerHeartbeat.SWEEP, now=now - dt.timedelta(seconds=661))
    assert not heartbeat.reminder_health(now=now).is_sweep_running
    assert heartbeat.reminders_not_sent(now=now)


def test_any_one_live_worker_is_enough_and_a_beat_updates_its_row():
    now = timezone.now()
    heartbeat.record(name="celery@old", now=now - dt.timedelta(hours=1))
    heartbeat.record(name="celery@new", now=now - dt.timedelta(minutes=5))
    heartbeat.record(name="celery@new", now=now)
    heartbeat.record(name=WorkerHeartbeat.SWEEP, now=now)
    assert WorkerHeartbeat.objects.get(name="celery@new").seen_at == now
    assert heartbeat.reminder_health(now=now).is_worker_alive


def test_the_sweep_forgets_workers_gone_for_a_week():
    now = timezone.now()
    heartbeat.record(name="celery@gone", now=now - dt.timedelta(days=8))
    heartbeat.record(name="celery@here", now=now)
    heartbeat.record(name=WorkerHeartbeat.SWEEP, now=now)
    assert set(WorkerHeartbeat.objects.values_list("name", flat=True)) == {"celery@here", "sweep"}
