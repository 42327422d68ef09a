from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django_stubs_ext import StrOrPromise

from providers.models import OFFER_FIELDS, ContactChannel, Provider


def _kinds(provider: Provider) -> list[StrOrPromise]:
    """The kinds its official pages confirm; a kind we have not checked is never claimed."""
    kinds: list[StrOrPromise] = [kind.label for kind in OFFER_FIELDS if provider.offers(kind)]
    if not provider.service_kinds_checked:
        kinds.append(_("other kinds not checked yet"))
    return kinds


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    """Every active provider with its official channels, one entry (#provider-slug) each."""
    official = ContactChannel.objects.filter(is_official=True).order_by("position", "id")
    providers = list(
        Provider.objects.active()
        .by_name()
        .prefetch_related(Prefetch("channels", queryset=official, to_attr="official_channels"))
    )
    entries = [(provider, _kinds(provider)) for provider in providers]
    return render(request, "providers/directory.html", {"entries": entries})
