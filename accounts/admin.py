from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class CappedCountPaginator(Paginator):
    """Counts at most `cap` rows, so a changelist over a million rows never runs a full COUNT.

    Past the cap the page links stop; narrowing by search or filter brings the rest in reach.
    """

    cap = 10_000

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            # COUNT over a LIMIT subquery: the cost stops at `cap` rows. Without the list's
            # ORDER BY, which would sort every match before the LIMIT (10x the cost).
            return self.object_list.order_by()[: self.cap].count()
        return min(len(self.object_list), self.cap)


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    paginator = CappedCountPaginator
    show_full_result_count = False
    ordering = ("-date_joined", "-id")
    list_display = ("email", "display_name", "is_staff", "is_active", "date_joined", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "preferred_language")
    search_fields = ("email", "display_name")
    search_help_text = _(
        "A full email address finds that account at once; other text matches the start of an "
        "email address or display name."
    )
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name", "preferred_language", "time_zone")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )
    filter_horizontal = ("groups", "user_permissions")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        if "@" in term and " " not in term:
            # Served by the unique index on LOWER(email).
            return queryset.alias(email_lower=Lower("email")).filter(
                email_lower=term.lower()
            ), False
        return (
            queryset.filter(email__istartswith=term)
            | queryset.filter(display_name__istartswith=term),
            False,
        )
