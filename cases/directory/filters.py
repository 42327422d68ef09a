"""The public directory's search, filters and sort, all in the URL (django-filter)."""

import django_filters
from django.db.models import F, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from providers.models import COUNTRY_NAMES, Provider, ServiceKind

SORTS = [
    ("name", _("Name")),
    ("median", _("Fastest to confirm")),
    ("country", _("Country")),
]


class DirectoryFilter(django_filters.FilterSet):
    """Country choices come from one query over the active providers (set by the selector)."""

    q = django_filters.CharFilter(label=_("Name"), method="filter_q", max_length=100)
    country = django_filters.ChoiceFilter(label=_("Country"), empty_label=_("All countries"))
    kind = django_filters.ChoiceFilter(
        label=_("Kind of line"),
        choices=ServiceKind.choices,
        method="filter_kind",
        empty_label=_("All kinds"),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=SORTS, method="filter_sort", empty_label=None
    )

    class Meta:
        model = Provider
        fields: list[str] = []

    def __init__(self, *args, countries: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        named = [(code, str(COUNTRY_NAMES.get(code, code))) for code in countries if code]
        self.filters["country"].extra["choices"] = sorted(named, key=lambda item: item[1])

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.matching(value)  # type: ignore[attr-defined]

    def filter_kind(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.offering(value)  # type: ignore[attr-defined]

    def filter_sort(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "median":
            return queryset.order_by(F("public_median").asc(nulls_last=True), Lower("name"), "pk")
        if value == "country":
            return queryset.order_by("country", Lower("name"), "pk")
        return queryset.order_by(Lower("name"), "name", "pk")

    @property
    def qs(self) -> QuerySet:
        queryset = super().qs
        if not (self.is_bound and self.form.cleaned_data.get("sort")):
            queryset = self.filter_sort(queryset, "sort", "name")
        return queryset
