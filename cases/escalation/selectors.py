"""When a case may be escalated, and to whom: from the shipped, sourced escalation data.

Escalation opens when the provider refused, or when the case has waited past the region's
waiting time since the provider was first asked (UK: 8 weeks from the complaint, the figure
in providers/data/escalation.yaml), or, where the region sets none, past the case's own stall
point. Routes are offered only where a sourced entry exists; elsewhere the page says to
contact the national telecoms regulator.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.utils import timezone

from cases.models import Case
from providers.models import EscalationRegion, EscalationRoute


@dataclass(frozen=True)
class Region:
    """A region's rules and its routes, each route marked for the case's provider."""

    rules: EscalationRegion
    routes: Sequence[EscalationRoute]


def rules_for(case: Case) -> EscalationRegion | None:
    """The region's rules alone (the notice period for the cancellation notice): one query."""
    country = case.provider.country if case.provider_id and case.provider else ""
    return EscalationRegion.objects.filter(country=country).first() if country else None


def region_for(case: Case) -> Region | None:
    """The escalation region of the case's provider with its routes: one query.

    Each route carries `is_member` (it names the case's provider) and `has_members`.
    """
    country = case.provider.country if case.provider_id and case.provider else ""
    if not country:
        return None
    members = EscalationRoute.providers.through.objects.filter(escalationroute=OuterRef("pk"))
    routes = list(
        EscalationRoute.objects.filter(region__country=country)
        .select_related("region")
        .annotate(
            is_member=Exists(members.filter(provider=case.provider)),
            has_members=Exists(members),
        )
        .order_by("position", "id")
    )
    # The importer never writes a region without routes; one left without them is no route.
    return Region(rules=routes[0].region, routes=routes) if routes else None


class Reason:
    REFUSED = "refused"
    REGION_WAIT = "region_wait"
    STALLED = "stalled"


@dataclass(frozen=True)
class Escalation:
    """What the case page offers after the provider would not move."""

    is_open: bool  # escalation may be offered now
    reason: str = ""
    opens_at: dt.datetime | None = None
    region: EscalationRegion | None = None
    routes: list[EscalationRoute] = field(default_factory=list)
    # Several schemes and none names the provider: the provider must say which it belongs to.
    ask_provider_which: bool = False

    @property
    def has_routes(self) -> bool:
        return bool(self.routes)


def opens_at(case: Case, region: EscalationRegion | None) -> tuple[dt.datetime | None, str]:
    """When escalation opens for the case, and why; (None, "") when it cannot yet be known."""
    if case.refused_at is not None:
        return case.refused_at, Reason.REFUSED
    if region is not None and region.wait_days is not None:
        asked = case.first_asked_at
        if asked is None:
            return None, ""
        return asked + dt.timedelta(days=region.wait_days), Reason.REGION_WAIT
    if case.stall_at is not None and case.is_waiting:
        return case.stall_at, Reason.STALLED
    return None, ""


def routes_for(region: Region | None) -> tuple[list[EscalationRoute], bool]:
    """The region's routes open to the case's provider, and whether to ask it which applies."""
    if region is None:
        return [], False
    routes = list(region.routes)
    members = [route for route in routes if getattr(route, "is_member", False)]
    if members:
        return members, False
    # A route naming no members is open to every provider of the region.
    open_to_all = [route for route in routes if not getattr(route, "has_members", False)]
    if open_to_all:
        return open_to_all, False
    return routes, len(routes) > 1


def escalation_for(
    case: Case, *, region: Region | None, now: dt.datetime | None = None
) -> Escalation:
    """Whether the case may be escalated now, and the routes to offer."""
    now = now or timezone.now()
    rules = region.rules if region is not None else None
    if case.is_escalated or not (case.is_waiting or case.needs_action):
        return Escalation(is_open=False, region=rules)
    moment, reason = opens_at(case, rules)
    routes, ask = routes_for(region)
    return Escalation(
        is_open=moment is not None and now >= moment,
        reason=reason,
        opens_at=moment,
        region=rules,
        routes=routes,
        ask_provider_which=ask,
    )
