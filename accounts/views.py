from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods


@require_http_methods(["GET"])
@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/preferences.html")
