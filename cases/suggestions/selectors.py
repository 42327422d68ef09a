"""The reads of the agents' "Suggested providers" queue: fixed query counts."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Min
from django.http import Http404

from cases.models import ProviderSuggestion
from providers.models import COUNTRY_NAMES

QUEUE_CAP = 200


@dataclass(frozen=True)
class Group:
    """Open suggestions of one name in one country: how many customers asked, and when."""

    suggestion: ProviderSuggestion  # the first one: its id names the group
    customers: int
    last_asked_at: dt.datetime

    @property
    def country_name(self) -> str:
        code = self.suggestion.country
        return str(COUNTRY_NAMES.get(code, code))


def groups() -> list[Group]:
    """The open groups, most asked first: two queries (the counts, then their first rows),
    through suggestion_open_idx."""
    counted = list(
        ProviderSuggestion.objects.filter(resolved_at__isnull=True)
        .order_by()
        .values("name_key", "country")
        .annotate(customers=Count("id"), first_id=Min("id"), last=Max("created_at"))
        .order_by("-customers", "-last")[:QUEUE_CAP]
    )
    firsts = ProviderSuggestion.objects.in_bulk([row["first_id"] for row in counted])
    return [
        Group(
            suggestion=firsts[row["first_id"]],
            customers=row["customers"],
            last_asked_at=row["last"],
        )
        for row in counted
        if row["first_id"] in firsts
    ]


@dataclass
class GroupPage:
    suggestion: ProviderSuggestion
    members: list[ProviderSuggestion]  # open ones of the group, with their cases

    @property
    def kinds(self) -> list[str]:
        return sorted({member.service_kind for member in self.members})

    @property
    def websites(self) -> list[str]:
        return sorted({member.website for member in self.members if member.website})


def group(*, pk: int) -> GroupPage:
    suggestion = ProviderSuggestion.objects.select_related("provider").filter(pk=pk).first()
    if suggestion is None:
        raise Http404
    members = list(
        ProviderSuggestion.objects.filter(
            resolved_at__isnull=True, name_key=suggestion.name_key, country=suggestion.country
        )
        .select_related("case")
        .order_by("created_at", "id")[:QUEUE_CAP]
    )
    return GroupPage(suggestion=suggestion, members=members)
