"""Inbound email on the case pages: reset the address, record or dismiss a suggested outcome;
and the agents' Unmatched queue. Thin views: a selector for access, a service for the write."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from cases import access
from cases.inbound import address, selectors, services
from cases.inbound.forms import DecisionForm, UnmatchedForm
from cases.models import Case
from cases.staff.access import agent_page
from cases.transitions import CaseChanged, TransitionNotAllowed
from config.http import AuthenticatedHttpRequest, HtmxHttpRequest, private_page, signed_in_user


def _case_url(case: Case, user) -> str:
    """The case page this person works from: the staff case page for agents."""
    if access.is_cleared_agent(user):
        return reverse("staff:case_detail", kwargs={"ref": case.reference})
    return reverse("cases:detail", kwargs={"ref": case.reference})


def _go(request: HtmxHttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_POST
@private_page
def reset(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    """A new private address for the case (the owner or an agent); the old one stops."""
    case = access.case_for_owner_or_agent(ref=ref, user=request.user)
    address.reset_address(case=case, by=signed_in_user(request))
    messages.success(
        request,
        _("Done: the case has a new email address. Mail to the old one no longer lands here."),
    )
    return _go(request, _case_url(case, request.user) + "#case-email")


def _decide(request: HtmxHttpRequest, ref: str, pk: int, service) -> HttpResponse:
    case = access.case_for_owner_or_agent(ref=ref, user=request.user)
    form = DecisionForm(request.POST)
    url = _case_url(case, request.user)
    if not form.is_valid():
        return _go(request, url)
    try:
        service(case=case, pk=pk, by=signed_in_user(request), version=form.cleaned_data["version"])
    except CaseChanged:
        messages.error(request, _("This case was changed meanwhile. Here is the latest version."))
    except TransitionNotAllowed as refused:
        messages.error(request, str(refused))
    return _go(request, url)


@require_POST
@private_page
def accept(request: HtmxHttpRequest, ref: str, pk: int) -> HttpResponse:
    return _decide(request, ref, pk, services.accept_suggestion)


@require_POST
@private_page
def dismiss(request: HtmxHttpRequest, ref: str, pk: int) -> HttpResponse:
    return _decide(request, ref, pk, services.dismiss_suggestion)


@require_GET
@agent_page
def unmatched(request: AuthenticatedHttpRequest) -> HttpResponse:
    before = request.GET.get("before", "")
    found = selectors.unmatched(before=int(before) if before.isdigit() else None)
    context = {
        "unmatched": found,
        "next_before": found[-1].pk if len(found) == selectors.UNMATCHED_PAGE else None,
        "form": UnmatchedForm(),
    }
    return render(request, "inbound/unmatched.html", context)


@require_http_methods(["POST"])
@agent_page
def unmatched_action(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    message = selectors.unmatched_message(pk=pk)
    form = UnmatchedForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "discard":
                services.discard_unmatched(pk=message.pk, by=request.user)
                messages.success(request, _("Email discarded."))
            else:
                case = selectors.case_to_attach(reference=data["reference"])
                services.attach_unmatched(pk=message.pk, case=case, by=request.user)
                messages.success(
                    request,
                    _("Email attached to case %(reference)s.") % {"reference": case.reference},
                )
        except TransitionNotAllowed as refused:
            messages.error(request, str(refused))
        return redirect("inbound:unmatched")
    found = selectors.unmatched()
    context = {
        "unmatched": found,
        "next_before": None,
        "form": UnmatchedForm(),
        "failed": message,
        "failed_form": form,
    }
    return render(request, "inbound/unmatched.html", context)
