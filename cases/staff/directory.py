"""The reads of the agents' provider directory and stats page (issue 15), fixed query counts.

The numbers come from the stats table the periodic task fills (cases/stats.py), never from the
cases table at request time.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Min, Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django_stubs_ext import StrOrPromise

from cases import stats
from cases.models import Case, ProviderStats, StatsSnapshot
from providers import search
from providers.models import ContactChannel, ContactChannelChange, Playbook, Provider

# A channel or provider checked longer ago than this is marked "re-check".
RECHECK_AFTER = dt.timedelta(days=365)
AUDIT_SHOWN = 20
LIST_CAP = 500


def recheck_before(today: dt.date | None = None) -> dt.date:
    """Verified before this day (or never): due for a re-check."""
    return (today or timezone.localdate()) - RECHECK_AFTER


# --- The directory -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderRow:
    provider: Provider
    official_channels: int
    oldest_verified_on: dt.date | None
    needs_recheck: bool
    numbers: ProviderStats | None


def provider_rows(*, q: str) -> list[ProviderRow]:
    """Every provider (or those matching `q`): two queries, the second from the stats table."""
    providers = Provider.objects.order_by("name")
    q = q.strip()[:100]
    if q:
        # Every name the customer's search knows (Chinese, Traditional, aliases), or a country.
        providers = providers.filter(Q(search_text__contains=search.fold(q)) | Q(country__iexact=q))
    providers = providers.annotate(
        official=Count("channels", filter=Q(channels__is_official=True)),
        oldest_verified=Min("channels__verified_on", filter=Q(channels__is_official=True)),
        unverified=Count(
            "channels", filter=Q(channels__is_official=True, channels__verified_on__isnull=True)
        ),
    )[:LIST_CAP]
    found = list(providers)
    numbers = _numbers_for([provider.pk for provider in found])
    stale = recheck_before()
    rows = []
    for provider in found:
        oldest = getattr(provider, "oldest_verified", None)
        rows.append(
            ProviderRow(
                provider=provider,
                official_channels=getattr(provider, "official", 0),
                oldest_verified_on=oldest,
                needs_recheck=bool(getattr(provider, "unverified", 0))
                or (oldest is not None and oldest < stale),
                numbers=numbers.get(provider.pk),
            )
        )
    return rows


def _numbers_for(provider_ids: list[int]) -> dict[int, ProviderStats]:
    if not provider_ids:
        return {}
    newest = StatsSnapshot.objects.order_by("-computed_at", "-id").values("id")[:1]
    rows = ProviderStats.objects.filter(snapshot_id__in=newest, provider_id__in=provider_ids)
    return {row.provider_id: row for row in rows}


@dataclass(frozen=True)
class Change:
    """One audit row, as the page shows it: which fields went from what to what."""

    change: ContactChannelChange
    fields: list[tuple[StrOrPromise, str, str]]


def _field_label(attname: str) -> StrOrPromise:
    try:
        field = ContactChannel._meta.get_field(attname.removesuffix("_id"))
        return getattr(field, "verbose_name", attname)
    except FieldDoesNotExist:  # a field removed since the row was written
        return attname


def _shown(value: object) -> str:
    # Snapshots keep str() of each value: an empty date is "None".
    return "" if value in (None, "None") else str(value)


def describe(change: ContactChannelChange) -> Change:
    before = {name: _shown(value) for name, value in (change.before or {}).items()}
    after = {name: _shown(value) for name, value in (change.after or {}).items()}
    names = [
        name
        for name in (change.after or change.before or {})
        if before.get(name, "") != after.get(name, "")
    ]
    shown = [name for name in names if name not in ("provider_id", "position")]
    return Change(
        change=change,
        fields=[(_field_label(name), before.get(name, ""), after.get(name, "")) for name in shown],
    )


@dataclass
class ProviderPage:
    provider: Provider
    channels: list[ContactChannel]
    playbooks: Sequence[Playbook]
    changes: list[Change]
    numbers: ProviderStats | None
    recheck_before: dt.date


def provider_page(*, slug: str) -> ProviderPage:
    """A provider with every channel, its playbooks, the audit trail and its numbers."""
    changes = ContactChannelChange.objects.select_related("changed_by").order_by(
        "-changed_at", "-id"
    )
    provider = (
        Provider.objects.filter(slug=slug)
        .prefetch_related(
            Prefetch(
                "channels",
                queryset=ContactChannel.objects.order_by("-is_official", "position", "id"),
                to_attr="channel_list",
            ),
            Prefetch(
                "playbooks",
                queryset=Playbook.objects.annotate(step_count=Count("steps")).order_by(
                    "service_kind"
                ),
                to_attr="playbook_list",
            ),
            Prefetch("channel_changes", queryset=changes[:AUDIT_SHOWN], to_attr="change_list"),
        )
        .first()
    )
    if provider is None:
        raise Http404
    numbers = stats.for_provider(provider.pk)
    return ProviderPage(
        provider=provider,
        channels=provider.channel_list,
        playbooks=provider.playbook_list,
        changes=[describe(change) for change in provider.change_list],
        numbers=numbers,
        recheck_before=recheck_before(),
    )


def channel_for_edit(*, slug: str, channel_id: int) -> ContactChannel:
    channel = (
        ContactChannel.objects.select_related("provider")
        .filter(pk=channel_id, provider__slug=slug)
        .first()
    )
    if channel is None:
        raise Http404
    return channel


# --- The stats page ----------------------------------------------------------------------------

CHART_ROWS = 30
CHART_WIDTH = 640
CHART_LABEL_WIDTH = 180
CHART_BAR_HEIGHT = 18
CHART_ROW_HEIGHT = 26
CHART_VALUE_ROOM = 90


@dataclass(frozen=True)
class Bar:
    name: str
    y: int
    text_y: int
    median: float
    p90: float | None
    median_width: int
    p90_x: int | None
    value_x: int

    @property
    def tick_end(self) -> int:
        return self.y + CHART_BAR_HEIGHT


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    label_x: int
    plot_width: int
    ticks: list[tuple[int, int]]  # (x, days)


def chart(rows: list[ProviderStats]) -> Chart:
    """Geometry of the providers' bar chart (median days, a tick at the 90th percentile),
    computed here so the template only prints numbers."""
    ranked = [row for row in rows if row.median_days is not None][:CHART_ROWS]
    plot = CHART_WIDTH - CHART_LABEL_WIDTH - CHART_VALUE_ROOM
    top = max((max(row.p90_days or 0, row.median_days or 0) for row in ranked), default=0)
    scale = plot / top if top else 0
    bars = []
    for index, row in enumerate(ranked):
        y = index * CHART_ROW_HEIGHT + 20
        median = row.median_days or 0
        width = max(int(median * scale), 1)
        p90_x = CHART_LABEL_WIDTH + int(row.p90_days * scale) if row.p90_days is not None else None
        bars.append(
            Bar(
                name=row.provider.display_name,
                y=y,
                text_y=y + CHART_BAR_HEIGHT - 5,
                median=round(median, 1),
                p90=round(row.p90_days, 1) if row.p90_days is not None else None,
                median_width=width,
                p90_x=p90_x,
                # The printed numbers start after the bar and its tick, whichever ends later.
                value_x=max(CHART_LABEL_WIDTH + width, p90_x or 0) + 6,
            )
        )
    step = _tick_step(top)
    ticks = [
        (CHART_LABEL_WIDTH + int(days * scale), days)
        for days in range(0, int(top) + 1, step)
        if step
    ]
    return Chart(
        bars=bars,
        width=CHART_WIDTH,
        height=len(bars) * CHART_ROW_HEIGHT + 30,
        label_width=CHART_LABEL_WIDTH,
        label_x=CHART_LABEL_WIDTH - 8,
        plot_width=plot,
        ticks=ticks,
    )


def _tick_step(top: float) -> int:
    for step in (1, 2, 5, 10, 20, 50, 100):
        if top / step <= 8:
            return step
    return 200


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: StrOrPromise
    count: int


@dataclass
class StatsPage:
    snapshot: StatsSnapshot | None
    rows: list[ProviderStats]
    by_status: list[StatusCount]
    open_total: int
    chart: Chart | None


def stats_page() -> StatsPage:
    snapshot = stats.latest()
    if snapshot is None:
        return StatsPage(snapshot=None, rows=[], by_status=[], open_total=0, chart=None)
    labels = dict(Case.Status.choices)
    by_status = [
        StatusCount(status, labels.get(status, status), int(count))
        for status, count in snapshot.open_by_status.items()
    ]
    rows = snapshot.provider_rows
    return StatsPage(
        snapshot=snapshot,
        rows=rows,
        by_status=by_status,
        open_total=sum(item.count for item in by_status),
        chart=chart(rows),
    )
