"""The agents' directory queues: suggested providers and reported wrong details.

Every view passes agent_page first; reads through selectors, writes through services, every
form a plain POST (post/redirect/get).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from cases.staff import directory
from cases.staff.access import agent_page
from cases.staff.forms import AddProviderForm, LinkProviderForm
from cases.suggestions import selectors as suggestion_selectors
from cases.suggestions import services as suggestion_services
from cases.transitions import TransitionNotAllowed
from config.http import AuthenticatedHttpRequest
from providers import services as provider_services


def _go(request: AuthenticatedHttpRequest, url: str) -> HttpResponse:
    """Post/redirect/get; an HTMX request gets a full-page redirect too."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


ADD_PERMISSIONS = ("providers.add_provider", "providers.add_contactchannel")


@require_GET
@agent_page
def suggestion_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Providers customers named that the directory lacks, most asked first."""
    groups = suggestion_selectors.groups()
    return render(request, "staff/suggestions.html", {"groups": groups})


def _told(request: AuthenticatedHttpRequest, linked: int, name: str) -> None:
    messages.success(
        request,
        ngettext(
            "%(name)s is in the directory; %(count)d open case was linked and its customer told.",
            "%(name)s is in the directory; %(count)d open cases were linked and their customers "
            "told.",
            linked,
        )
        % {"name": name, "count": linked},
    )


@require_http_methods(["GET", "POST"])
@agent_page
def suggestion_detail(request: AuthenticatedHttpRequest, suggestion_id: int) -> HttpResponse:
    """One suggested provider: who asked; add it to the directory, link it, or dismiss it."""
    page = suggestion_selectors.group(pk=suggestion_id)
    suggestion = page.suggestion
    can_add = all(request.user.has_perm(name) for name in ADD_PERMISSIONS)
    action = request.POST.get("action") if request.method == "POST" else None
    initial = {
        "name": suggestion.name,
        "country": suggestion.country,
        "website": page.websites[0] if page.websites else "",
        **{f"offers_{kind}": True for kind in page.kinds},
    }
    add_form = AddProviderForm(request.POST if action == "add" else None, initial=initial)
    link_form = LinkProviderForm(request.POST if action == "link" else None)
    list_url = reverse("staff:suggestion_list")
    try:
        if action == "add":
            if not can_add:
                raise PermissionDenied
            if add_form.is_valid():
                provider = provider_services.add_provider(
                    by=request.user,
                    provider=add_form.save(commit=False),
                    channels=add_form.channels(),
                )
                linked = suggestion_services.link_to_provider(
                    suggestion=suggestion, provider=provider, by=request.user
                )
                _told(request, len(linked), provider.name)
                return _go(request, list_url)
        elif action == "link" and link_form.is_valid():
            provider = link_form.cleaned_data["provider"]
            linked = suggestion_services.link_to_provider(
                suggestion=suggestion, provider=provider, by=request.user
            )
            _told(request, len(linked), provider.name)
            return _go(request, list_url)
        elif action == "dismiss":
            suggestion_services.dismiss(suggestion=suggestion, by=request.user)
            messages.success(request, _("Suggestion dismissed. Its cases keep the general steps."))
            return _go(request, list_url)
    except ValidationError as invalid:
        add_form.add_error(None, invalid)
    except TransitionNotAllowed as refused:
        messages.warning(request, str(refused))
    context = {"page": page, "add_form": add_form, "link_form": link_form, "can_add": can_add}
    return render(request, "staff/suggestion.html", context)


@require_GET
@agent_page
def report_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Wrong details reported on the public provider pages, not yet re-checked."""
    context = {
        "reports": directory.open_reports(),
        "can_edit": request.user.has_perm("providers.change_contactchannel"),
    }
    return render(request, "staff/reports.html", context)


@require_POST
@agent_page
def report_resolve(request: AuthenticatedHttpRequest, report_id: int) -> HttpResponse:
    """The agent re-checked the channel (an edit went through the audited channel form)."""
    provider_services.resolve_report(report=directory.report(pk=report_id), by=request.user)
    messages.success(request, _("Marked as re-checked."))
    return _go(request, reverse("staff:report_list"))
