from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models.case import Case
from providers import search
from providers.models import (
    Provider,
    ServiceKind,
)


class ProviderSuggestion(models.Model):
    """A customer's provider that the directory lacks, named at the provider question.

    One per case, kept as typed; `name_key` is the name folded (providers.search.fold) so that
    the staff queue groups "giffgaff", "GiffGaff " and "ｇｉｆｆｇａｆｆ" as one provider. An
    agent resolves a group by adding the provider (its cases are linked to it) or dismissing it.
    """

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="provider_suggestion", verbose_name=_("case")
    )
    name = models.CharField(_("name"), max_length=120)
    name_key = models.CharField(_("name, folded"), max_length=120, editable=False)
    country = models.CharField(_("country"), max_length=2)
    service_kind = models.CharField(_("service kind"), max_length=20, choices=ServiceKind.choices)
    website = models.URLField(_("website"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("suggested"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The directory's provider the case was linked to; empty on a dismissed suggestion.
    provider = models.ForeignKey(
        Provider,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added as"),
    )

    class Meta:
        verbose_name = _("suggested provider")
        verbose_name_plural = _("suggested providers")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The staff queue groups the open suggestions by name and country.
            models.Index(
                fields=["name_key", "country"],
                name="suggestion_open_idx",
                condition=Q(resolved_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country}) for {self.case_id}"

    def save(self, *args, **kwargs) -> None:
        # Derived, not a side effect: the grouping key always mirrors the name.
        self.name_key = search.fold(self.name)[:120]
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


# --- Inbound email (cases/inbound/) -----------------------------------------------------------

# Lower case and digits only: mail systems may fold the local part's case. 26 characters of 36
# symbols are about 134 bits, so an address cannot be guessed.
INBOUND_TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"  # noqa: S105 (symbols)
