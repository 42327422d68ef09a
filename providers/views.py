from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from providers.models import OFFER_FIELDS, ContactChannel, Provider


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    """Every active provider with its official channels, one entry (#provider-slug) each."""
    official = ContactChannel.objects.filter(is_official=True).order_by("position", "id")
    providers = list(
        Provider.objects.active()
        .by_name()
        .prefetch_related(Prefetch("channels", queryset=official, to_attr="official_channels"))
    )
    entries = [
        (provider, [kind.label for kind, field in OFFER_FIELDS.items() if getattr(provider, field)])
        for provider in providers
    ]
    return render(request, "providers/directory.html", {"entries": entries})
