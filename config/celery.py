"""The Celery app: configured from Django settings (CELERY_*), tasks found in each app."""

import os
from pathlib import Path

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("closeout")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# By name: the worker loads it once Django is set up. Records the heartbeat the staff dashboard
# reads ("reminders are not being sent") and the container health check's file.
app.steps["consumer"].add("cases.reminders.heartbeat:HeartbeatStep")
# Gives back prefetch slots whose acknowledgement was lost in a broker outage, or the worker
# could stop taking tasks without exiting (docs/worker-broker-crash.md).
app.steps["consumer"].add("config.worker:LostAckStep")


@app.on_after_configure.connect
def make_broker_folders(sender: Celery, **kwargs) -> None:
    """The file broker's folders, made when a process first uses Celery (not on settings import):
    kombu's filesystem transport expects them to exist."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if folder := options.get(key):
            Path(folder).mkdir(parents=True, exist_ok=True)


@beat_init.connect
def compute_stats_at_start(sender, **kwargs) -> None:
    """Beat's first tick runs an interval task only after a whole interval: compute the staff
    numbers once at start too, so a restart never leaves the Numbers page an hour behind."""
    entry = sender.app.conf.beat_schedule.get("compute-stats", {})
    sender.app.send_task(entry.get("task", "cases.tasks.compute_stats"), **entry.get("options", {}))
