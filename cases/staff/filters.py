"""The list's filters and sort, all in the URL (django-filter)."""

import datetime as dt

import django_filters
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles
from cases.models import Case
from cases.staff import selectors
from providers.models import Provider, ServiceKind


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight in the agent's time zone: a plain range on created_at, which an index serves."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _keep(queryset, name, value):
    # Read by the view (sort, page size), not a filter on the rows.
    return queryset


class CaseFilter(django_filters.FilterSet):
    """Choice lists are built once per request from one query each, so checking a submitted
    provider or agent never needs another query."""

    status = django_filters.ChoiceFilter(label=_("Status"), choices=Case.Status.choices)
    provider = django_filters.ChoiceFilter(label=_("Provider"), field_name="provider_id")
    service_kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ServiceKind.choices)
    agent = django_filters.ChoiceFilter(label=_("Assigned agent"), field_name="assigned_agent_id")
    stalled = django_filters.BooleanFilter(
        label=_("Stalled"),
        field_name="is_stalled",
        widget=forms.Select(choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))]),
    )
    language = django_filters.ChoiceFilter(label=_("Language"), choices=settings.LANGUAGES)
    created_after = django_filters.DateFilter(
        label=_("Created from"),
        method="filter_created_after",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    created_before = django_filters.DateFilter(
        label=_("Created until"),
        method="filter_created_before",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort"), choices=selectors.SORT_CHOICES, method=_keep, empty_label=None
    )
    size = django_filters.ChoiceFilter(
        label=_("Rows"),
        choices=[(str(size), str(size)) for size in selectors.PAGE_SIZES],
        method=_keep,
        empty_label=None,
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        active = Provider.objects.active().only("name", "name_zh")
        providers = [(provider.pk, provider.display_name) for provider in active]
        self.agents = [(agent.pk, agent.get_short_name()) for agent in roles.support_agents()]
        self.filters["provider"].extra["choices"] = [(str(pk), name) for pk, name in providers]
        self.filters["agent"].extra["choices"] = [(str(pk), name) for pk, name in self.agents]

    def filter_created_after(self, queryset, name, value: dt.date):
        return queryset.filter(created_at__gte=_start_of(value))

    def filter_created_before(self, queryset, name, value: dt.date):
        return queryset.filter(created_at__lt=_start_of(value + dt.timedelta(days=1)))

    def filtered(self, queryset):
        """`queryset` with this request's filters, as `qs` filters the one given at creation."""
        if not self.is_bound:
            return queryset.all()
        self.errors  # noqa: B018 - validates the form, as `qs` does first
        return self.filter_queryset(queryset.all())

    def choice(self, name: str, default):
        """A valid value of sort / size, or `default`."""
        if self.form.is_valid():
            return self.form.cleaned_data.get(name) or default
        return default
