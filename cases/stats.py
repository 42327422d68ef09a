"""The numbers agents look at: per provider and overall, computed by a periodic task
into StatsSnapshot / ProviderStats, never per request.

`compute` only reads with plain SELECTs (no row locks: the cases table is never locked, the
journey keeps writing while it runs) and writes the results in one short transaction at the
end. `latest` is what the pages read: two queries, whatever the size of the cases table.
"""

import datetime as dt
import math
import time
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q

from cases.models import (
    STAFF_OPEN_STATUSES,
    Case,
    CaseEvent,
    ProviderStats,
    StatsSnapshot,
)

S = Case.Status
# The figures per provider cover cases submitted (or completed) in this many days: what a
# provider does now, not what it did years ago.
WINDOW_DAYS = 365
# Old snapshots are pruned in the same write; a page reading one just replaced still finds it.
KEEP_SNAPSHOTS = 3


def percentile(ordered: list[float], share: float) -> float | None:
    """The `share` percentile of ascending `ordered`, interpolated as PERCENTILE_CONT does."""
    if not ordered:
        return None
    position = (len(ordered) - 1) * share
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class _Figures:
    open_cases: int = 0
    submitted: int = 0
    stalled: int = 0
    completed: int = 0
    reopened: int = 0


def _provider_figures(*, since: dt.datetime) -> tuple[dict[int, _Figures], dict[int, list]]:
    figures: dict[int, _Figures] = defaultdict(_Figures)
    with_provider = Case.objects.filter(provider__isnull=False).order_by()
    opened = (
        with_provider.filter(status__in=STAFF_OPEN_STATUSES)
        .values_list("provider_id")
        .annotate(count=Count("id"))
    )
    for provider_id, count in opened:
        figures[provider_id].open_cases = count

    stalled = CaseEvent.objects.filter(case=OuterRef("pk"), kind=CaseEvent.Kind.STALLED)
    submitted = (
        with_provider.filter(submitted_at__gte=since)
        .values_list("provider_id")
        .annotate(count=Count("id"), stalled=Count("id", filter=Exists(stalled)))
    )
    for provider_id, count, stalled_count in submitted:
        figures[provider_id].submitted = count
        figures[provider_id].stalled = stalled_count

    # Reopened as still charged: the one move from completed back to needs action.
    reopened = CaseEvent.objects.filter(
        case=OuterRef("pk"),
        kind=CaseEvent.Kind.STATUS,
        status_from=S.COMPLETED,
        status_to=S.NEEDS_ACTION,
    )
    completed = (
        with_provider.filter(completed_at__gte=since)
        .values_list("provider_id")
        .annotate(count=Count("id"), reopened=Count("id", filter=Exists(reopened)))
    )
    for provider_id, count, reopened_count in completed:
        figures[provider_id].completed = count
        figures[provider_id].reopened = reopened_count

    # Days from submission to completion, one provider at a time in a stream, so memory holds
    # one provider's durations, never the whole table's.
    durations: dict[int, list] = {}
    rows = (
        with_provider.filter(completed_at__gte=since, submitted_at__isnull=False)
        .order_by("provider_id")
        .values_list("provider_id", "submitted_at", "completed_at")
        .iterator(chunk_size=5000)
    )
    current: int | None = None
    days: list[float] = []
    for provider_id, submitted_at, completed_at in rows:
        if submitted_at is None or completed_at is None:  # filtered out above; for the types
            continue
        if provider_id != current:
            if current is not None:
                durations[current] = sorted(days)
            current, days = provider_id, []
        days.append(max((completed_at - submitted_at).total_seconds(), 0) / 86400)
    if current is not None:
        durations[current] = sorted(days)
    return figures, durations


@dataclass(frozen=True)
class Overall:
    open_by_status: dict[str, int]
    stalled_now: int
    completed_7_days: int
    completed_30_days: int


def _overall(*, now: dt.datetime) -> Overall:
    opened = Case.objects.filter(status__in=STAFF_OPEN_STATUSES).order_by()
    by_status = dict(opened.values_list("status").annotate(count=Count("id")))
    # Only the last 30 days' completions are read, through case_completed_idx.
    completed = Case.objects.filter(
        status=S.COMPLETED, completed_at__gte=now - dt.timedelta(days=30)
    ).order_by()
    counts = completed.aggregate(
        week=Count("id", filter=Q(completed_at__gte=now - dt.timedelta(days=7))),
        month=Count("id"),
    )
    return Overall(
        open_by_status={status: by_status.get(status, 0) for status in STAFF_OPEN_STATUSES},
        stalled_now=opened.filter(is_stalled=True).count(),
        completed_7_days=counts["week"],
        completed_30_days=counts["month"],
    )


def compute(*, now: dt.datetime) -> StatsSnapshot:
    """Read every figure, then write them as one new snapshot in one transaction."""
    started = time.perf_counter()
    since = now - dt.timedelta(days=WINDOW_DAYS)
    overall = _overall(now=now)
    figures, durations = _provider_figures(since=since)
    rows = []
    for provider_id in sorted(set(figures) | set(durations)):
        numbers = figures[provider_id]
        days = durations.get(provider_id, [])
        rows.append(
            ProviderStats(
                provider_id=provider_id,
                open_cases=numbers.open_cases,
                submitted_cases=numbers.submitted,
                completed_cases=numbers.completed,
                median_days=percentile(days, 0.5),
                p90_days=percentile(days, 0.9),
                stalled_share=_share(numbers.stalled, numbers.submitted),
                reopened_share=_share(numbers.reopened, numbers.completed),
            )
        )
    with transaction.atomic():
        snapshot = StatsSnapshot.objects.create(
            computed_at=now,
            took_seconds=round(time.perf_counter() - started, 3),
            window_days=WINDOW_DAYS,
            open_by_status=overall.open_by_status,
            stalled_now=overall.stalled_now,
            completed_7_days=overall.completed_7_days,
            completed_30_days=overall.completed_30_days,
        )
        for row in rows:
            row.snapshot = snapshot
        ProviderStats.objects.bulk_create(rows, batch_size=500)
        newest = StatsSnapshot.objects.order_by("-computed_at", "-id").values_list("id", flat=True)
        StatsSnapshot.objects.exclude(id__in=list(newest[:KEEP_SNAPSHOTS])).delete()
    return snapshot


def latest() -> StatsSnapshot | None:
    """The newest snapshot with its providers' rows, slowest median first: two queries."""
    rows = ProviderStats.objects.select_related("provider").order_by(
        F("median_days").desc(nulls_last=True), "provider__name"
    )
    # The to_attr list is declared on StatsSnapshot, which django-stubs reports as a redefinition.
    return (
        StatsSnapshot.objects.order_by("-computed_at", "-id")  # type: ignore[no-redef]
        .prefetch_related(Prefetch("providers", queryset=rows, to_attr="provider_rows"))
        .first()
    )


def for_provider(provider_id: int) -> ProviderStats | None:
    """One provider's row in the newest snapshot: one query."""
    newest = StatsSnapshot.objects.order_by("-computed_at", "-id").values("id")[:1]
    return ProviderStats.objects.filter(snapshot_id__in=newest, provider_id=provider_id).first()
