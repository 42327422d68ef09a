from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from providers.models import Provider


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    providers = Provider.objects.active().by_name()
    return render(request, "providers/directory.html", {"providers": providers})
