from django.db import models
from django.utils.translation import gettext_lazy as _

from providers.models import (
    Provider,
)


class StatsSnapshot(models.Model):
    """The numbers of the staff stats page, computed by a periodic task (cases/stats.py) and
    never per request: one row per run, the latest one shown."""

    computed_at = models.DateTimeField(_("computed at"))
    took_seconds = models.FloatField(_("took (seconds)"), default=0)
    window_days = models.PositiveSmallIntegerField(_("window (days)"))
    open_by_status = models.JSONField(_("open cases by status"), default=dict)
    stalled_now = models.PositiveIntegerField(_("stalled now"), default=0)
    completed_7_days = models.PositiveIntegerField(_("completed in 7 days"), default=0)
    completed_30_days = models.PositiveIntegerField(_("completed in 30 days"), default=0)
    # The minimum count the public figures of this run were published at (PUBLIC_STATS_MIN_CASES).
    public_min_cases = models.PositiveSmallIntegerField(_("public minimum count"), default=20)

    # Set by a Prefetch(to_attr=...) where a page shows the providers' rows.
    provider_rows: list["ProviderStats"]

    class Meta:
        verbose_name = _("stats snapshot")
        verbose_name_plural = _("stats snapshots")
        ordering = ["-computed_at"]
        indexes = [models.Index(fields=["-computed_at"], name="stats_computed_idx")]

    def __str__(self) -> str:
        return f"Stats {self.computed_at:%Y-%m-%d %H:%M}"


class ProviderStats(models.Model):
    """One provider's figures in a stats snapshot."""

    snapshot = models.ForeignKey(StatsSnapshot, on_delete=models.CASCADE, related_name="providers")
    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="+", verbose_name=_("provider")
    )
    open_cases = models.PositiveIntegerField(_("open cases"), default=0)
    submitted_cases = models.PositiveIntegerField(_("cases submitted in the window"), default=0)
    completed_cases = models.PositiveIntegerField(_("cases completed in the window"), default=0)
    median_days = models.FloatField(_("median days to complete"), null=True, blank=True)
    p90_days = models.FloatField(_("90th percentile days to complete"), null=True, blank=True)
    stalled_share = models.FloatField(_("share stalled"), null=True, blank=True)
    reopened_share = models.FloatField(_("share reopened as still charged"), null=True, blank=True)
    # The public provider page's figures (cases/stats.py "Public figures"): finished cases in the
    # window, exact for agents; the rest already rounded and left out below the minimum count.
    finished_cases = models.PositiveIntegerField(_("cases finished in the window"), default=0)
    public_median_days = models.PositiveIntegerField(
        _("published median days to confirmation"), null=True, blank=True
    )
    public_figures = models.JSONField(_("published figures"), default=dict, blank=True)

    class Meta:
        verbose_name = _("provider stats")
        verbose_name_plural = _("provider stats")
        ordering = ["snapshot", "median_days"]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "provider"], name="providerstats_once_per_snapshot"
            )
        ]
        indexes = [models.Index(fields=["provider", "snapshot"], name="providerstats_provider_idx")]

    def __str__(self) -> str:
        return f"{self.provider_id} in {self.snapshot_id}"
