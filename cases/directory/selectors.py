"""The reads of the public provider directory and provider pages: fixed query counts.

The figures come from the newest stats snapshot (cases/stats.py, computed by the beat task,
already rounded and left out below the minimum count), never from the cases table.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.fields import PositiveIntegerField
from django.http import Http404, QueryDict
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from cases import access, stats
from cases.directory.filters import DirectoryFilter
from cases.models import Case, ProviderStats, StatsSnapshot
from providers.models import (
    OFFER_FIELDS,
    ContactChannel,
    Playbook,
    PlaybookStep,
    Provider,
    ServiceKind,
    StepKind,
    localized,
)


def _official() -> Prefetch:
    channels = ContactChannel.objects.filter(is_official=True).order_by("position", "id")
    return Prefetch("channels", queryset=channels, to_attr="official_channels")


def kinds_of(provider: Provider) -> list[StrOrPromise]:
    """The kinds its official pages confirm; a kind we have not checked is never claimed."""
    kinds: list[StrOrPromise] = [kind.label for kind in OFFER_FIELDS if provider.offers(kind)]
    if not provider.service_kinds_checked:
        kinds.append(_("other kinds not checked yet"))
    return kinds


def newest_snapshot() -> StatsSnapshot | None:
    return (
        StatsSnapshot.objects.order_by("-computed_at", "-id")
        .only("id", "computed_at", "window_days", "public_min_cases")
        .first()
    )


@dataclass(frozen=True)
class Entry:
    """One provider of the list, its words already in the active language: the list is the
    longest public page, and formatting here is much cheaper than template tags per entry."""

    provider: Provider
    summary: str  # country · kinds
    median_days: int | None
    median_text: str
    official_channels: int
    channels_text: str


def _entry(provider: Provider) -> Entry:
    kinds = ", ".join(str(kind) for kind in kinds_of(provider))
    median = provider.public_median  # type: ignore[attr-defined]
    official = provider.official  # type: ignore[attr-defined]
    if median is None:
        median_text = gettext("Median: not enough finished cases yet")
    else:
        median_text = ngettext(
            "Median: %(days)s day to confirm", "Median: %(days)s days to confirm", median
        ) % {"days": median}
    channels_text = (
        ngettext(
            "%(counter)s official channel, with its source",
            "%(counter)s official channels, each with its source",
            official,
        )
        % {"counter": official}
        if official
        else gettext("No official channels on record yet.")
    )
    return Entry(
        provider=provider,
        summary=f"{provider.country_name} · {kinds}" if provider.country else kinds,
        median_days=median,
        median_text=median_text,
        official_channels=official,
        channels_text=channels_text,
    )


@dataclass
class DirectoryPage:
    entries: list[Entry]
    filters: DirectoryFilter
    snapshot: StatsSnapshot | None
    query: str


def directory(*, data: QueryDict) -> DirectoryPage:
    """The active providers as the URL filters and sorts them, each with its published median
    and how many official channels it has (they are listed on its own page, which keeps this
    one short however many providers there are): three queries (the snapshot, the countries,
    the providers)."""
    snapshot = newest_snapshot()
    median: Subquery | Value
    if snapshot is not None:
        median = Subquery(
            ProviderStats.objects.filter(snapshot_id=snapshot.pk, provider=OuterRef("pk")).values(
                "public_median_days"
            )[:1],
            output_field=PositiveIntegerField(),
        )
    else:
        median = Value(None, output_field=PositiveIntegerField())
    active = Provider.objects.active()
    countries = list(active.order_by().values_list("country", flat=True).distinct())
    providers = active.annotate(
        public_median=median, official=Count("channels", filter=Q(channels__is_official=True))
    )
    filters = DirectoryFilter(data, queryset=providers, countries=countries)
    entries = [_entry(provider) for provider in filters.qs]
    return DirectoryPage(
        entries=entries, filters=filters, snapshot=snapshot, query=data.get("q", "")[:100]
    )


# --- One provider's page -----------------------------------------------------------------------


@dataclass(frozen=True)
class HowTo:
    """How cancelling a kind of line works there: the playbook's steps, titles only."""

    kind: str
    label: StrOrPromise
    is_own: bool  # the provider's own playbook, not the generic one
    steps: list[str]


@dataclass(frozen=True)
class KindFigures:
    kind: str
    label: StrOrPromise
    cases: int
    median_days: int
    p90_days: int
    buckets: list[int]


@dataclass(frozen=True)
class Bucket:
    label: str
    shares: list[tuple[KindFigures, int]]


@dataclass(frozen=True)
class Figures:
    snapshot: StatsSnapshot
    period_start: dt.date
    period_end: dt.date
    minimum: int
    cases: int | None
    kinds: list[KindFigures]
    reminder_share: int | None
    notice_share: int | None
    escalation_share: int | None
    refused_share: int | None
    buckets: list[Bucket]

    @property
    def has_any(self) -> bool:
        return self.cases is not None or bool(self.kinds)


def bucket_label(low: int, high: int | None) -> str:
    if high is None:
        return gettext("over %(days)d days") % {"days": low - 1}
    return gettext("%(low)d–%(high)d days") % {"low": low, "high": high}


def figures_of(row: ProviderStats | None, snapshot: StatsSnapshot | None) -> Figures | None:
    """The published figures of one stats row, as the page and its chart read them."""
    if snapshot is None:
        return None
    data = row.public_figures if row is not None else {}
    kinds = [
        KindFigures(
            kind=item["kind"],
            label=ServiceKind(item["kind"]).label,
            cases=item["cases"],
            median_days=item["median_days"],
            p90_days=item["p90_days"],
            buckets=item["buckets"],
        )
        for item in data.get("kinds", [])
        if item.get("kind") in ServiceKind.values
    ]
    buckets = [
        Bucket(
            label=bucket_label(low, high),
            shares=[(kind, kind.buckets[index]) for kind in kinds if index < len(kind.buckets)],
        )
        for index, (low, high) in enumerate(stats.BUCKETS)
    ]
    end = snapshot.computed_at.date()
    return Figures(
        snapshot=snapshot,
        period_start=end - dt.timedelta(days=snapshot.window_days),
        period_end=end,
        minimum=snapshot.public_min_cases,
        cases=data.get("cases"),
        kinds=kinds,
        reminder_share=data.get("reminder_share"),
        notice_share=data.get("notice_share"),
        escalation_share=data.get("escalation_share"),
        refused_share=data.get("refused_share"),
        buckets=buckets,
    )


@dataclass
class ProviderPage:
    provider: Provider
    kinds: list[StrOrPromise]
    channels: list[ContactChannel]
    how_to: list[HowTo]
    figures: Figures | None


def _how_to(provider: Provider, playbooks: Sequence[Playbook]) -> list[HowTo]:
    own = {book.service_kind: book for book in playbooks if book.provider_id == provider.pk}
    generic = {book.service_kind: book for book in playbooks if book.provider_id is None}
    found = []
    for kind in ServiceKind:
        if not (provider.offers(kind) or provider.is_unchecked_for(kind)):
            continue
        book = own.get(kind) or generic.get(kind)
        if book is None:
            continue
        steps = [
            localized(step, "title")
            for step in getattr(book, "step_list", [])
            if step.kind != StepKind.CHECKLIST and step.region in ("", provider.country)
        ]
        found.append(HowTo(kind=kind, label=kind.label, is_own=kind in own, steps=steps))
    return found


def provider_page(*, slug: str) -> ProviderPage:
    """An active provider's public page: five queries (the provider, its channels, the
    playbooks, their steps, its stats row with the snapshot)."""
    provider = Provider.objects.active().filter(slug=slug).prefetch_related(_official()).first()
    if provider is None:
        raise Http404
    steps = PlaybookStep.objects.order_by("position")
    playbooks = list(
        Playbook.objects.filter(Q(provider=provider) | Q(provider__isnull=True), is_active=True)
        .prefetch_related(Prefetch("steps", queryset=steps, to_attr="step_list"))
        .order_by("service_kind")
    )
    newest = StatsSnapshot.objects.order_by("-computed_at", "-id").values("id")[:1]
    row = (
        ProviderStats.objects.filter(snapshot_id__in=newest, provider=provider)
        .select_related("snapshot")
        .first()
    )
    snapshot = row.snapshot if row is not None else None
    if snapshot is None:
        # No row for this provider (no case yet): the page still says when figures were made.
        snapshot = newest_snapshot()
    return ProviderPage(
        provider=provider,
        kinds=kinds_of(provider),
        channels=provider.official_channels,
        how_to=_how_to(provider, playbooks),
        figures=figures_of(row, snapshot),
    )


def channel_to_report(*, slug: str, channel_id: int) -> ContactChannel:
    channel = (
        ContactChannel.objects.select_related("provider")
        .filter(pk=channel_id, provider__slug=slug, provider__is_active=True, is_official=True)
        .first()
    )
    if channel is None:
        raise Http404
    return channel


def own_cases_with(*, user, provider: Provider) -> list[Case]:
    """The signed-in customer's cases with the provider, for "which case?": one query."""
    return list(
        Case.objects.filter(access.owned(user), provider=provider).only("reference", "status")[:20]
    )
