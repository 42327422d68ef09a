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
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q

from cases.models import (
    STAFF_OPEN_STATUSES,
    Case,
    CaseEvent,
    ProviderStats,
    Reminder,
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


# --- Public figures ----------------------------------------------------------------------------
#
# What the public provider pages show, from finished cases: submitted, then completed or
# withdrawn within the window (a case reopened as still charged is not finished).
#
# So that no single customer's case can be read from them:
# - a figure is published only when it rests on at least PUBLIC_STATS_MIN_CASES cases (the
#   days per kind of line on that many completed cases of the kind, the shares and the sample
#   size on that many finished cases); below that it is left out (None), never shown small;
# - days are rounded to whole days, half up (0.5 → 1); shares to the nearest 5 %, half up
#   (2.5 % → 5 %, 2.4 % → 0 %), each on its own, so a distribution may not add up to 100;
# - the sample size is rounded down to a multiple of 5 ("at least 45 cases").
# With at least 20 cases one case moves a share by at most 5 points, one rounding step.

SHARE_STEP = 5
SAMPLE_STEP = 5
# Days from submission to confirmation, as the chart groups them: (lowest, highest) whole days.
BUCKETS: tuple[tuple[int, int | None], ...] = (
    (0, 2),
    (3, 7),
    (8, 14),
    (15, 30),
    (31, 60),
    (61, None),
)


def round_days(days: float | None) -> int | None:
    """Whole days, half up (Python's round() would take 2.5 to 2)."""
    return None if days is None else math.floor(days + 0.5)


def round_share(part: int, whole: int) -> int | None:
    """A share in percent, to the nearest SHARE_STEP, half up; None without a whole."""
    if not whole:
        return None
    return math.floor(part * 100 / whole / SHARE_STEP + 0.5) * SHARE_STEP


def round_sample(count: int) -> int:
    return count // SAMPLE_STEP * SAMPLE_STEP


def bucket_of(days: float) -> int:
    whole = math.floor(days)  # 2.9 days is still "0–2 days": not yet the third day
    for index, (_low, high) in enumerate(BUCKETS):
        if high is None or whole <= high:
            return index
    return len(BUCKETS) - 1


@dataclass
class _Finished:
    """One provider's finished cases, as counted for its public page."""

    cases: int = 0
    reminded: int = 0
    noticed: int = 0
    escalated: int = 0
    refused: int = 0
    days: list[float] = field(default_factory=list)  # every completed case's, all kinds
    days_by_kind: dict[str, list[float]] = field(default_factory=dict)

    def add(self, *, kind: str, days: float | None, reminded, noticed, escalated, refused) -> None:
        self.cases += 1
        self.reminded += bool(reminded)
        self.noticed += bool(noticed)
        self.escalated += bool(escalated)
        self.refused += bool(refused)
        if days is not None:
            self.days.append(days)
            self.days_by_kind.setdefault(kind, []).append(days)

    def published(self, *, minimum: int) -> tuple[int | None, dict]:
        """The median over all kinds and the page's figures, rounded, the thin ones left out."""
        enough = self.cases >= minimum
        kinds = []
        for kind, days in sorted(self.days_by_kind.items()):
            if len(days) < minimum:
                continue
            ordered = sorted(days)
            counts = [0] * len(BUCKETS)
            for value in ordered:
                counts[bucket_of(value)] += 1
            kinds.append(
                {
                    "kind": kind,
                    "cases": round_sample(len(ordered)),
                    "median_days": round_days(percentile(ordered, 0.5)),
                    "p90_days": round_days(percentile(ordered, 0.9)),
                    "buckets": [round_share(count, len(ordered)) for count in counts],
                }
            )
        every = sorted(self.days)
        median = round_days(percentile(every, 0.5)) if len(every) >= minimum else None
        figures = {
            "cases": round_sample(self.cases) if enough else None,
            "kinds": kinds,
            "reminder_share": round_share(self.reminded, self.cases) if enough else None,
            "notice_share": round_share(self.noticed, self.cases) if enough else None,
            "escalation_share": round_share(self.escalated, self.cases) if enough else None,
            "refused_share": round_share(self.refused, self.cases) if enough else None,
        }
        return median, figures


def _finished_figures(*, since: dt.datetime) -> dict[int, _Finished]:
    """Every provider's finished cases in the window, read in one stream."""
    reminded = Reminder.objects.filter(
        case=OuterRef("pk"), kind=Reminder.Kind.LADDER, state=Reminder.State.SENT
    )
    rows = (
        Case.objects.filter(provider__isnull=False, submitted_at__isnull=False)
        .filter(
            Q(status=S.COMPLETED, completed_at__gte=since)
            | Q(status=S.WITHDRAWN, status_changed_at__gte=since)
        )
        .annotate(was_reminded=Exists(reminded))
        .order_by()
        .values_list(
            "provider_id",
            "service_kind",
            "status",
            "submitted_at",
            "completed_at",
            "was_reminded",
            "notice_sent_at",
            "escalated_at",
            "refused_at",
        )
        .iterator(chunk_size=5000)
    )
    found: dict[int, _Finished] = defaultdict(_Finished)
    for row in rows:
        provider_id, kind, status, submitted, done, was_reminded, notice, escalated, refused = row
        days = None
        if status == S.COMPLETED and submitted is not None and done is not None:
            days = max((done - submitted).total_seconds(), 0) / 86400
        found[provider_id].add(
            kind=kind,
            days=days,
            reminded=was_reminded,
            noticed=notice is not None,
            escalated=escalated is not None,
            refused=refused is not None,
        )
    return found


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
    finished = _finished_figures(since=since)
    minimum = settings.PUBLIC_STATS_MIN_CASES
    rows = []
    for provider_id in sorted(set(figures) | set(durations) | set(finished)):
        numbers = figures[provider_id]
        days = durations.get(provider_id, [])
        ended = finished.get(provider_id) or _Finished()
        public_median, public_figures = ended.published(minimum=minimum)
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
                finished_cases=ended.cases,
                public_median_days=public_median,
                public_figures=public_figures,
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
            public_min_cases=minimum,
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


def has_snapshot() -> bool:
    return StatsSnapshot.objects.exists()


def next_run_at(snapshot: StatsSnapshot) -> dt.datetime:
    """When beat computes the figures again (every STATS_SECONDS)."""
    return snapshot.computed_at + dt.timedelta(seconds=settings.STATS_SECONDS)


def for_provider(provider_id: int) -> ProviderStats | None:
    """One provider's row in the newest snapshot: one query."""
    newest = StatsSnapshot.objects.order_by("-computed_at", "-id").values("id")[:1]
    return ProviderStats.objects.filter(snapshot_id__in=newest, provider_id=provider_id).first()
