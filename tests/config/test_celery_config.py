"""Celery behaviour that must not change silently on upgrade, read from the app's configuration."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from cases import tasks
from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def redis_configuration() -> dict:
    """The app's configuration as a worker on Redis sees it (this process may use another)."""
    code = (
        "import json, django; django.setup();"
        "from config.celery import app; from cases import tasks; c = app.conf;"
        "print(json.dumps({'visibility': c.broker_transport_options.get('visibility_timeout'),"
        " 'backoff_max': tasks.send_reminder.retry_backoff_max}))"
    )
    env = {**os.environ, "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_running_sends_are_not_cancelled_when_the_broker_connection_drops():
    # Celery 6 changes the default to True; ours is set, whatever the version.
    assert "CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS" in dir(settings)
    assert celery_app.conf.worker_cancel_long_running_tasks_on_connection_loss is False


def test_redis_redelivers_only_after_the_longest_retry_wait():
    config = redis_configuration()
    assert config["visibility"] == (
        settings.REMINDER_RETRY_BACKOFF_MAX_SECONDS + settings.REMINDER_LEASE_SECONDS
    )
    assert config["backoff_max"] < config["visibility"]


def test_the_sweep_has_its_own_queue_and_every_worker_consumes_both():
    queues = {queue.name: queue for queue in celery_app.conf.task_queues}
    default, sweep = celery_app.conf.task_default_queue, settings.CELERY_SWEEP_QUEUE
    assert set(queues) == {default, sweep}
    assert queues[default].routing_key != queues[sweep].routing_key
    route = celery_app.amqp.router.route({}, tasks.sweep_reminders.name)
    assert route["queue"].name == sweep
    assert celery_app.amqp.router.route({}, tasks.send_reminder.name)["queue"].name == default


def test_the_worker_opens_no_remote_control_channel():
    # docs/worker-broker-crash.md: the second channel is what lets kombu 5.7 crash the worker.
    assert celery_app.conf.worker_enable_remote_control is False
    procfile = (ROOT / "Procfile").read_text()
    compose = (ROOT / "docker-compose.yml").read_text()
    for text in (procfile, compose):
        assert "--without-gossip" in text
        assert "--without-mingle" in text


def test_beat_computes_the_staff_numbers_as_it_starts():
    """Beat runs an interval task first after one whole interval: the Numbers page would be
    empty for the first hour without this."""
    from types import SimpleNamespace

    from celery import Celery
    from celery.signals import beat_init

    from config.celery import compute_stats_at_start

    app = Celery("beat-start-check")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.broker_url = "memory://"
    assert compute_stats_at_start in [ref() for _key, ref in beat_init.receivers]

    compute_stats_at_start(SimpleNamespace(app=app))

    with app.connection_for_read() as connection:
        queue = connection.SimpleQueue(settings.CELERY_TASK_DEFAULT_QUEUE)
        message = queue.get(timeout=2)
        message.ack()
        queue.close()
    assert message.headers["task"] == "cases.tasks.compute_stats"
