from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """When each Celery worker, and the reminder sweep, last showed it is alive.

    A worker writes its row every WORKER_HEARTBEAT_SECONDS while it is connected to the broker;
    the sweep writes the row named "sweep" each time it runs. The staff dashboard reads them to
    say when reminders are not being sent.
    """

    SWEEP = "sweep"

    name = models.CharField(_("name"), max_length=200, unique=True)
    seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.name} {self.seen_at:%Y-%m-%d %H:%M:%S}"
