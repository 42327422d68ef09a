import json

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from providers.models import (
    ContactChannel,
    ContactChannelChange,
    EscalationRegion,
    EscalationRoute,
    Playbook,
    PlaybookStep,
    Provider,
)
from providers.signals import acting_as


class AuditActorMixin(admin.ModelAdmin):
    """Attributes every ContactChannel change made through these admin views to the user."""

    def changeform_view(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        with acting_as(request.user):
            return super().changeform_view(request, *args, **kwargs)

    def delete_view(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        with acting_as(request.user):
            return super().delete_view(request, *args, **kwargs)

    def changelist_view(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # list_editable and the bulk delete action write from the changelist.
        with acting_as(request.user):
            return super().changelist_view(request, *args, **kwargs)


class ContactChannelInline(admin.TabularInline):
    model = ContactChannel
    extra = 0
    fields = (
        "position",
        "kind",
        "value",
        "label",
        "label_zh_hans",
        "hours",
        "hours_zh_hans",
        "languages",
        "is_official",
        "verified_on",
        "source_url",
    )


@admin.register(Provider)
class ProviderAdmin(AuditActorMixin):
    inlines = (ContactChannelInline,)
    show_full_result_count = False
    list_display = (
        "name",
        "name_zh",
        "local_name",
        "country",
        "service_kinds",
        "has_self_service",
        "last_verified_on",
        "is_active",
        "is_demo",
    )
    list_filter = (
        "is_active",
        "is_demo",
        "country",
        "offers_virtual",
        "offers_esim",
        "offers_physical_sim",
        "service_kinds_checked",
        "has_self_service",
    )
    search_fields = ("name", "name_zh", "local_name", "slug", "aliases")
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    "name_zh",
                    "local_name",
                    "aliases",
                    "slug",
                    "country",
                    "is_active",
                    "is_demo",
                )
            },
        ),
        (
            _("Service"),
            {
                "fields": (
                    ("offers_virtual", "offers_esim", "offers_physical_sim"),
                    "service_kinds_checked",
                    "website",
                    "cancellation_url",
                    "has_self_service",
                    ("typical_review_days", "typical_operator_days"),
                    "last_verified_on",
                )
            },
        ),
        (
            _("Guidance (English and Chinese)"),
            {
                "fields": (
                    "identity_checks",
                    "identity_checks_zh_hans",
                    "porting_info",
                    "porting_info_zh_hans",
                    "notes",
                    "notes_zh_hans",
                )
            },
        ),
    )

    @admin.display(description=_("service kinds"))
    def service_kinds(self, obj: Provider) -> str:
        kinds = [
            label
            for offered, label in (
                (obj.offers_virtual, _("virtual")),
                (obj.offers_esim, _("eSIM")),
                (obj.offers_physical_sim, _("SIM")),
            )
            if offered
        ]
        if not obj.service_kinds_checked:
            kinds.append(_("others not checked"))
        return ", ".join(str(kind) for kind in kinds) or "—"


@admin.register(ContactChannel)
class ContactChannelAdmin(AuditActorMixin):
    show_full_result_count = False
    list_display = ("value", "kind", "provider", "label", "is_official", "verified_on")
    list_select_related = ("provider",)
    list_filter = ("kind", "is_official", "provider__country")
    search_fields = ("value", "label", "provider__name", "provider__slug")
    autocomplete_fields = ("provider",)


@admin.register(ContactChannelChange)
class ContactChannelChangeAdmin(admin.ModelAdmin):
    """The audit trail is read-only: it is only ever written by the audit receivers."""

    show_full_result_count = False
    list_display = ("changed_at", "action", "provider", "channel_value", "changed_by")
    list_select_related = ("provider", "changed_by")  # the snapshots name the channel
    list_filter = ("action",)
    search_fields = ("provider__name", "provider__slug")
    ordering = ("-changed_at", "-id")
    fields = ("changed_at", "action", "provider", "channel", "changed_by", "difference")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("channel"))
    def channel_value(self, obj: ContactChannelChange) -> str:
        snapshot = obj.after or obj.before or {}
        return f"{snapshot.get('kind', '')} {snapshot.get('value', '')}".strip()

    @admin.display(description=_("before → after"))
    def difference(self, obj: ContactChannelChange) -> str:
        before, after = obj.before or {}, obj.after or {}
        keys = [key for key in sorted({*before, *after}) if before.get(key) != after.get(key)]
        rows = format_html_join(
            "",
            "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
            ((key, _show(before.get(key)), _show(after.get(key))) for key in keys),
        )
        return format_html(
            "<table><thead><tr><th></th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            _("before"),
            _("after"),
            rows,
        )


def _show(value: object) -> str:
    return "—" if value is None else json.dumps(value, ensure_ascii=False).strip('"')


class PlaybookStepInline(admin.StackedInline):
    model = PlaybookStep
    extra = 0
    fields = (
        ("position", "kind", "region"),
        ("title", "title_zh_hans"),
        ("instructions", "instructions_zh_hans"),
        ("evidence_kind", "starts_waiting"),
        "hidden_when",
    )


@admin.register(Playbook)
class PlaybookAdmin(admin.ModelAdmin):
    inlines = (PlaybookStepInline,)
    show_full_result_count = False
    list_display = ("__str__", "title", "service_kind", "step_count", "is_active", "updated_at")
    list_select_related = ("provider",)
    list_filter = ("service_kind", "is_active", ("provider", admin.EmptyFieldListFilter))
    search_fields = ("title", "title_zh_hans", "provider__name", "provider__slug")
    autocomplete_fields = ("provider",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(step_total=Count("steps"))

    @admin.display(description=_("steps"), ordering="step_total")
    def step_count(self, obj: Playbook) -> int:
        return obj.step_total  # type: ignore[attr-defined]  # annotated by get_queryset


@admin.register(PlaybookStep)
class PlaybookStepAdmin(admin.ModelAdmin):
    show_full_result_count = False
    list_display = ("__str__", "playbook", "kind", "region", "evidence_kind", "starts_waiting")
    list_select_related = ("playbook", "playbook__provider")
    list_filter = ("kind", "playbook__service_kind", "region", "starts_waiting")
    search_fields = ("title", "title_zh_hans", "playbook__title")
    autocomplete_fields = ("playbook",)
    ordering = ("playbook", "position")


class EscalationRouteInline(admin.StackedInline):
    model = EscalationRoute
    extra = 0
    autocomplete_fields = ("providers",)


@admin.register(EscalationRegion)
class EscalationRegionAdmin(admin.ModelAdmin):
    """The shipped escalation data (providers/data/escalation.yaml); the file is the master."""

    inlines = (EscalationRouteInline,)
    list_display = ("country", "regulator", "wait_days", "wait_verified_on", "notice_period_months")
    search_fields = ("country", "regulator", "routes__name")
