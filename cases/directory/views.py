"""The public provider directory and provider pages, and "Report a wrong detail".

Public pages (no sign-in, no JavaScript needed): they read the directory and the newest stats
snapshot through the selectors, never the cases table.
"""

from allauth.core import ratelimit
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cases.directory import chart, selectors
from cases.directory.forms import ReportForm
from providers import services as provider_services


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    """Every active provider (searched, filtered, sorted by the URL) with its official channels
    and published median, one entry (#provider-slug) each."""
    page = selectors.directory(data=request.GET)
    return render(request, "providers/directory.html", {"page": page})


@require_GET
def provider_detail(request: HttpRequest, slug: str) -> HttpResponse:
    page = selectors.provider_page(slug=slug)
    distribution = chart.distribution(page.figures) if page.figures else None
    return render(request, "providers/provider.html", {"page": page, "chart": distribution})


@require_http_methods(["GET", "POST"])
def report_channel(request: HttpRequest, slug: str, channel_id: int) -> HttpResponse:
    channel = selectors.channel_to_report(slug=slug, channel_id=channel_id)
    cases = (
        selectors.own_cases_with(user=request.user, provider=channel.provider)
        if request.user.is_authenticated
        else []
    )
    form = ReportForm(request.POST if request.method == "POST" else None, cases=cases)
    status = 200
    if form.is_valid():
        # Reports are rows anyone may create; the limit (settings.ACCOUNT_RATE_LIMITS) is kept
        # in the shared cache and keyed on the real client address.
        if not ratelimit.consume(request, action="report_channel"):
            form.add_error(None, _("You have sent many reports in a short time. Please wait."))
            status = 429
        else:
            provider_services.report_channel(
                channel=channel,
                text=form.cleaned_data["text"],
                case_reference=form.cleaned_data.get("case") or "",
                by=request.user,
            )
            messages.success(request, _("Thank you. An agent will check this detail."))
            return redirect(reverse("providers:provider_detail", kwargs={"slug": slug}))
    context = {"channel": channel, "provider": channel.provider, "form": form}
    return render(request, "providers/report.html", context, status=status)
