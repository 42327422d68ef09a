"""Admin for cases: built to stay fast at a million cases and to keep the case invariants.

No full result counts (a capped count paginator), autocomplete for users and providers,
list_select_related for every `__str__`, search by indexed columns only, no filters over
huge foreign-key sets. Status, version and the dates belong to the status machine, so they
are read-only here; an admin edit of a case's details writes a CaseEvent like any change.
A case's other rows (steps, files, contacts, events, reminders) are read-only: what an admin
may do to them is an action that calls the same service as the pages (tombstones, file
removal, events), never a direct edit or delete.
"""

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.admin import CappedCountPaginator
from accounts.models import User
from cases import services
from cases.evidence import services as evidence_services
from cases.models import (
    AgentDigest,
    Case,
    CaseEvent,
    CaseStep,
    ContactAttempt,
    Evidence,
    InboundMessage,
    ProofPackBuild,
    ProviderSuggestion,
    Reminder,
    normalize_reference,
)
from cases.reminders import controls
from cases.transitions import CaseChanged, TransitionNotAllowed
from config.http import signed_in_user


def search_by_case_reference(queryset: QuerySet, term: str, path: str = "case__reference"):
    reference = normalize_reference(term)
    return queryset.filter(**{path: reference}) if reference else queryset.none()


class CaseChildAdmin:
    """For models that belong to a case: searched by the case's reference, which they show."""

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        return (search_by_case_reference(queryset, term), False) if term else (queryset, False)

    @admin.display(description=_("case"), ordering="case__reference")
    def case_reference(self, obj) -> str:
        return obj.case.reference


class FastChangeList(ChangeList):
    """Row links built once per page, not once per row.

    Django resolves every row's change URL again to add the list's filters to it (about a
    fifth of a filtered list's rendering); here each link is the page's one change URL with
    the row's id put in, and the filters already added, in the same form.
    """

    def __init__(self, request: HttpRequest, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        # items_for_result() only resolves the row's URL when this is set: it is in the URL.
        self.row_link_query, self.preserved_filters = self.preserved_filters, ""
        self.row_link = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=(ROW_ID,),
            current_app=self.model_admin.admin_site.name,
        )

    def url_for_result(self, result) -> str:
        pk = getattr(result, self.pk_attname)
        # An integer id needs no quoting; any other key goes through reverse() as in Django.
        url = (
            self.row_link.replace(ROW_ID, str(pk))
            if isinstance(pk, int)
            else super().url_for_result(result)
        )
        return f"{url}?{self.row_link_query}" if self.row_link_query else url


ROW_ID = "__row_id__"  # a stand-in that reverse() and quote() leave as it is


class FastAdmin(admin.ModelAdmin):
    paginator = CappedCountPaginator
    show_full_result_count = False
    # Rendering a row costs more than fetching it: 50 rows keep a page well under 50 ms.
    list_per_page = 50

    def get_changelist(self, request: HttpRequest, **kwargs) -> type[ChangeList]:
        return FastChangeList

    def get_empty_value_display(self) -> SafeString:
        # Asked once per cell; Django marks the same text safe again each time.
        return self.empty_value_safe

    @cached_property
    def empty_value_safe(self) -> SafeString:
        return super().get_empty_value_display()

    def action_label(self, obj) -> str:
        """What a row's checkbox is named for a screen reader."""
        return str(obj)

    def action_checkbox(self, obj) -> SafeString:
        # The markup Django's CheckboxInput renders, without a template render per row.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(gettext("Select this object for an action - {}"), self.action_label(obj)),
        )


class ReadOnlyAdmin(FastAdmin):
    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class CaseRowsFormSet(BaseInlineFormSet):
    """Hands every row the case being edited: a row's __str__ and change link read its case,
    which would otherwise be fetched once per row (165 of 173 queries for 150 events)."""

    # _construct_form is Django's private hook, not in django-stubs.
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)  # type: ignore[misc]
        setattr(form.instance, self.fk.name, self.instance)
        return form


class EvidenceInline(admin.TabularInline):
    formset = CaseRowsFormSet
    model = Evidence
    extra = 0
    fields = ("kind", "original_name", "file_size", "content_type", "uploaded_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("size"))
    def file_size(self, obj: Evidence) -> str:
        return filesizeformat(obj.size)


class CaseAdminForm(forms.ModelForm):
    """Carries the version the admin saw: a case changed meanwhile is refused, not overwritten."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Case
        fields = ("assigned_agent",)  # the admin passes its fieldsets' fields in

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["seen_version"] = self.instance.version

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        seen = data.get("seen_version")
        if self.instance.pk and seen is not None and seen != self.instance.version:
            raise forms.ValidationError(
                CaseChanged(self.instance).args[0], code="changed_meanwhile"
            )
        return data


def _refusals(modeladmin: admin.ModelAdmin, request: HttpRequest, refused: list[str]) -> None:
    for line in refused:
        modeladmin.message_user(request, line, messages.WARNING)


def _each(items, act: Callable, *, reference: Callable) -> tuple[int, list[str]]:
    """Run a service on each selected row; a refusal is kept with the case's reference."""
    done, refused = 0, []
    for item in items:
        try:
            act(item)
        except TransitionNotAllowed as problem:
            refused.append(f"{reference(item)}: {problem}")
        else:
            done += 1
    return done, refused


@admin.action(
    description=_("Delete the selected finished cases for their customers"), permissions=["erase"]
)
def delete_cases(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet):
    """The customer's own deletion, on their behalf: files, identifiers and timeline go, an
    anonymous row and a tombstone with the files' hashes stay."""
    by = signed_in_user(request)
    done, refused = _each(
        queryset.order_by("pk"),
        lambda case: evidence_services.delete_case(case=case, by=by, version=None),
        reference=lambda case: case.reference,
    )
    modeladmin.message_user(
        request,
        ngettext("%(count)d case deleted.", "%(count)d cases deleted.", done) % {"count": done},
    )
    _refusals(modeladmin, request, refused)


@admin.register(Case)
class CaseAdmin(FastAdmin):
    list_display = (
        "reference",
        "provider_label",
        "service_kind",
        "status",
        "is_stalled",
        "assigned_agent",
        "created_at",
        "last_activity_at",
    )
    list_select_related = ("provider", "assigned_agent")
    # Choice filters only: no filter over owners or providers, whose lists are huge or grow.
    list_filter = ("status", "service_kind", "is_stalled", "language")
    search_fields = ("reference",)
    search_help_text = _(
        "A case reference (CX-4K7M-2QPD), the owner's full email address, or the last 4 "
        "digits of the phone number."
    )
    autocomplete_fields = ("owner", "assigned_agent", "provider")
    # Steps and the latest events are plain read-only tables (two queries, no per-row form or
    # field rendering): 150 inline event rows cost ~450 ms of AdminReadonlyField rendering.
    inlines = (EvidenceInline,)
    recent_event_count = 20
    readonly_fields = (
        "steps_table",
        "recent_events",
        "reference",
        "status",
        "phone_last4",
        "created_at",
        "submitted_at",
        "status_changed_at",
        "waiting_since",
        "expected_by",
        "completed_at",
        "last_activity_at",
        "esim_profile_deleted_at",
        "contract_ended_at",
        "billing_verified_at",
        "reminders_stopped_at",
        "snoozed_until",
        "stall_at",
        "is_stalled",
    )
    fieldsets = (
        (None, {"fields": ("reference", "status", "seen_version", "owner", "assigned_agent")}),
        (
            _("Line"),
            {
                "fields": (
                    ("provider", "provider_name"),
                    "service_kind",
                    ("phone_number", "phone_last4"),
                    ("device_model", "imei"),
                    ("eid", "iccid"),
                    ("reason", "reason_detail"),
                    "provider_reference",
                    "needs_action_detail",
                    ("language", "time_zone"),
                )
            },
        ),
        (
            _("Dates"),
            {
                "classes": ("collapse",),
                "fields": (
                    ("created_at", "submitted_at", "status_changed_at"),
                    ("waiting_since", "expected_by", "completed_at"),
                    ("last_activity_at", "stall_at", "is_stalled"),
                    ("esim_profile_deleted_at", "contract_ended_at", "billing_verified_at"),
                    ("reminders_stopped_at", "snoozed_until"),
                ),
            },
        ),
        (_("Steps and latest events"), {"fields": ("steps_table", "recent_events")}),
    )

    actions = (delete_cases,)

    @admin.display(description=_("steps"))
    def steps_table(self, obj: Case) -> str:
        if not obj.pk:
            return "—"
        steps = (
            CaseStep.objects.filter(case=obj)
            .order_by("position")
            .only("position", "kind", "title", "state", "done_at")
        )
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    step.position,
                    step.title,
                    step.get_state_display(),
                    date_format(localtime(step.done_at), "SHORT_DATETIME_FORMAT")
                    if step.done_at
                    else "—",
                )
                for step in steps
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            gettext("position"),
            gettext("title"),
            gettext("state"),
            gettext("done at"),
            rows,
        )

    @admin.display(description=_("latest events"))
    def recent_events(self, obj: Case) -> str:
        if not obj.pk:
            return "—"
        cap = self.recent_event_count
        events = list(
            CaseEvent.objects.filter(case=obj)
            .order_by("-created_at", "-id")
            .only("created_at", "kind", "text", "status_to")[:cap]
        )
        total = len(events) if len(events) < cap else CaseEvent.objects.filter(case=obj).count()
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    date_format(localtime(event.created_at), "SHORT_DATETIME_FORMAT"),
                    event.kind_label,
                    event.staff_heading,
                )
                for event in events
            ),
        )
        link = reverse("staff:case_timeline", args=[obj.reference])
        return format_html(
            '<table class="recent-events"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr>'
            '</thead><tbody>{}</tbody></table><p><a href="{}">{}</a></p>',
            gettext("time"),
            gettext("kind"),
            gettext("heading"),
            rows,
            link,
            ngettext("Full timeline (%(count)d event)", "Full timeline (%(count)d events)", total)
            % {"count": total},
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Cases start through the customer flow, which builds their steps from a playbook.
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # A plain delete would leave the stored files behind and no tombstone: the action.
        return False

    def has_erase_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("cases.delete_case")

    def action_label(self, obj: Case) -> str:
        # The reference names the row; its provider and status are in the next cells.
        return obj.reference

    # What list_display shows, and no more: the list's top-N sort carried 2.7 kB rows.
    list_columns = (
        "id",
        "reference",
        "provider_name",
        "service_kind",
        "status",
        "is_stalled",
        "created_at",
        "last_activity_at",
        "provider__name",
        "provider__name_zh",
        "assigned_agent__email",
        "assigned_agent__display_name",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        match = request.resolver_match
        if match is not None and match.url_name == "cases_case_changelist":
            queryset = queryset.only(*self.list_columns)
        return queryset

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        if reference := normalize_reference(term):
            return queryset.filter(reference=reference), False
        if re.fullmatch(r"\d{4}", term):
            return queryset.filter(phone_last4=term), False
        if "@" in term:
            owners = User.objects.alias(email_lower=Lower("email")).filter(email_lower=term.lower())
            return queryset.filter(owner__in=owners.values("pk")), False
        return queryset.none(), False

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        kwargs["form"] = CaseAdminForm
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request: HttpRequest, obj: Case, form, change: bool) -> None:
        # Through the service like every other edit: locked, version-checked, one event each.
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        changes.pop("seen_version", None)
        services.edit_case(
            case=obj,
            by=signed_in_user(request),
            version=form.cleaned_data["seen_version"],
            changes=changes,
        )


@admin.register(CaseStep)
class CaseStepAdmin(CaseChildAdmin, ReadOnlyAdmin):
    """Steps change through the journey's services (an event and a new version each)."""

    list_display = ("case_reference", "position", "title", "kind", "state", "done_at")
    list_select_related = ("case",)
    list_filter = ("state", "kind")
    search_fields = ("case__reference",)
    search_help_text = _("A case reference, e.g. CX-4K7M-2QPD.")
    ordering = ("-id",)


@admin.action(
    description=_("Delete the selected files (their names and hashes stay)"), permissions=["erase"]
)
def delete_evidence(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet):
    """Through the upload service's delete: the stored file goes, a tombstone stays."""
    by = signed_in_user(request)
    done, refused = _each(
        queryset.select_related("case").order_by("pk"),
        lambda evidence: evidence_services.delete_evidence(evidence=evidence, by=by, version=None),
        reference=lambda evidence: evidence.case.reference,
    )
    modeladmin.message_user(
        request,
        ngettext("%(count)d file deleted.", "%(count)d files deleted.", done) % {"count": done},
    )
    _refusals(modeladmin, request, refused)


@admin.register(Evidence)
class EvidenceAdmin(CaseChildAdmin, ReadOnlyAdmin):
    """Evidence by its facts only: never a link to the stored file or its storage key."""

    list_display = (
        "case_reference",
        "kind",
        "original_name",
        "file_size",
        "content_type",
        "uploaded_at",
        "retain_until",
    )
    list_select_related = ("case",)
    list_filter = ("kind",)
    search_fields = ("case__reference",)
    search_help_text = _("A case reference, e.g. CX-4K7M-2QPD.")
    ordering = ("-id",)
    fields = (
        "case",
        "step",
        "kind",
        "original_name",
        "file_size",
        "content_type",
        "sha256",
        "uploaded_by",
        "uploaded_at",
        "retain_until",
        "note",
    )
    readonly_fields = fields
    actions = (delete_evidence,)

    def has_erase_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("cases.delete_evidence")

    @admin.display(description=_("size"), ordering="size")
    def file_size(self, obj: Evidence) -> str:
        return filesizeformat(obj.size)


@admin.register(ContactAttempt)
class ContactAttemptAdmin(CaseChildAdmin, ReadOnlyAdmin):
    """Contacts are logged and edited on the case pages, through the contact services."""

    list_display = (
        "case_reference",
        "occurred_at",
        "direction",
        "outcome",
        "channel_display",
        "follow_up_on",
        "scam_warning_shown",
    )
    list_select_related = ("case", "channel", "channel__provider")
    list_filter = ("outcome", "direction", "scam_warning_shown")
    search_fields = ("case__reference",)
    search_help_text = _("A case reference, e.g. CX-4K7M-2QPD.")
    ordering = ("-id",)

    @admin.display(description=_("channel"))
    def channel_display(self, obj: ContactAttempt) -> str:
        return str(obj.channel) if obj.channel_id else obj.channel_text


@admin.register(CaseEvent)
class CaseEventAdmin(CaseChildAdmin, ReadOnlyAdmin):
    """The append-only timeline: viewable, never added, changed or deleted here."""

    list_display = (
        "created_at",
        "case_reference",
        "kind",
        "actor_role",
        "actor",
        "status_from",
        "status_to",
        "visibility",
    )
    list_select_related = ("case", "actor")
    list_filter = ("kind", "actor_role", "visibility")
    search_fields = ("case__reference",)
    search_help_text = _("A case reference, e.g. CX-4K7M-2QPD.")
    ordering = ("-id",)


@admin.action(description=_("Cancel the selected scheduled reminders"), permissions=["change"])
def cancel_reminders(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet):
    count = controls.cancel_scheduled(
        reminder_ids=queryset.values_list("pk", flat=True), by=signed_in_user(request)
    )
    modeladmin.message_user(
        request,
        ngettext("%(count)d reminder cancelled.", "%(count)d reminders cancelled.", count)
        % {"count": count},
    )


@admin.action(description=_("Retry the selected failed reminders now"), permissions=["change"])
def retry_reminders(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet):
    count = controls.retry_failed(
        reminder_ids=queryset.values_list("pk", flat=True), by=signed_in_user(request)
    )
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d reminder scheduled again.", "%(count)d reminders scheduled again.", count
        )
        % {"count": count},
    )


@admin.register(Reminder)
class ReminderAdmin(CaseChildAdmin, ReadOnlyAdmin):
    """The reminder outbox: read-only apart from cancelling or retrying through actions."""

    list_display = (
        "case_reference",
        "kind",
        "sequence",
        "due_at",
        "state",
        "attempts",
        "sent_at",
        "is_possible_duplicate",
    )
    list_select_related = ("case",)
    list_filter = ("state", "kind", "is_possible_duplicate")
    search_fields = ("case__reference",)
    search_help_text = _("A case reference, e.g. CX-4K7M-2QPD.")
    ordering = ("-id",)
    actions = (cancel_reminders, retry_reminders)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # The actions need change permission on the list; single rows stay read-only.
        return obj is None and request.user.has_perm("cases.change_reminder")


@admin.register(AgentDigest)
class AgentDigestAdmin(ReadOnlyAdmin):
    list_display = ("day", "sent_at", "case_count")
    ordering = ("-day",)


@admin.register(ProofPackBuild)
class ProofPackBuildAdmin(CaseChildAdmin, ReadOnlyAdmin):
    """Proof packs made by a worker: their progress and fate, never a link to the ZIP (the
    case's pack page serves it to the owner and agents, with its access checks)."""

    list_display = (
        "case_reference",
        "state",
        "progress",
        "pack_size",
        "created_at",
        "finished_at",
        "expires_at",
    )
    list_select_related = ("case",)
    list_filter = ("state",)
    search_fields = ("case__reference",)
    search_help_text = _("A case reference, e.g. CX-4K7M-2QPD.")
    ordering = ("-id",)
    fields = (
        "case",
        "requested_by",
        "state",
        "progress",
        "pack_size",
        "manifest_sha256",
        "mismatched_name",
        "created_at",
        "started_at",
        "finished_at",
        "expires_at",
    )
    readonly_fields = fields

    @admin.display(description=_("files packed"))
    def progress(self, obj: ProofPackBuild) -> str:
        return f"{obj.files_done} / {obj.files_total}"

    @admin.display(description=_("size"), ordering="size")
    def pack_size(self, obj: ProofPackBuild) -> str:
        return filesizeformat(obj.size) if obj.size else "—"


@admin.register(ProviderSuggestion)
class ProviderSuggestionAdmin(CaseChildAdmin, ReadOnlyAdmin):
    """Providers customers named; agents add or link them from the staff dashboard ("Suggested
    providers"), which links the cases and tells their customers. Searched by case reference."""

    list_display = ("created_at", "name", "country", "service_kind", "case_reference", "provider")
    list_select_related = ("case", "provider")
    list_filter = (("resolved_at", admin.EmptyFieldListFilter), "country")
    ordering = ("-created_at", "-id")


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdmin):
    """Received email, read only: its state and why it was dropped, never a link to the raw
    message (the case pages serve the evidence it became, with their access checks)."""

    list_display = ("received_at", "recipient", "from_address", "subject", "state", "drop_reason")
    list_filter = ("state", "drop_reason", "via")
    search_fields = ("recipient", "from_address")
    search_help_text = _("The address it was sent to, or the sender's.")
    ordering = ("-id",)
    fields = (
        "case",
        "state",
        "via",
        "recipient",
        "envelope_from",
        "from_address",
        "sender",
        "subject",
        "sent_at",
        "received_at",
        "processed_at",
        "size",
        "sha256",
        "message_id",
        "drop_reason",
        "suggestion",
        "decision",
        "attempts",
        "last_error",
    )
    readonly_fields = fields
