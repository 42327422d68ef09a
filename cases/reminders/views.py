"""Stopping and snoozing reminder emails: the one-click link in each email, and the case page's
"stop reminders" / "snooze until…" actions."""

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from cases import access, selectors
from cases.models import Case
from cases.reminders import controls, emails
from cases.reminders.forms import SnoozeForm
from cases.reminders.schedule import snooze_end
from config.http import AuthenticatedHttpRequest

ACTIONS_TEMPLATE = "reminders/case_actions.html"


# CSRF-exempt on purpose, the one exception in Closeout: RFC 8058 one-click unsubscribe has the
# mail provider POST "List-Unsubscribe=One-Click" with no cookie and no token. The signed token in
# the URL is the proof instead: it can only stop reminders, and only for the case it names.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def stop(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (a link scanner must not stop anything); POST stops the case's emails."""
    try:
        case_id = emails.case_id_from_stop_token(token)
    except signing.SignatureExpired:
        return render(request, "reminders/invalid_link.html", {"expired": True}, status=400)
    except signing.BadSignature:
        return render(request, "reminders/invalid_link.html", {"expired": False}, status=400)
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        return render(request, "reminders/invalid_link.html", {"expired": False}, status=404)
    if request.method == "POST":
        controls.stop_reminders(case=case, by=None)
        return redirect("reminders:stop", token=token)
    template = "reminders/stopped.html" if case.reminders_stopped_at else "reminders/stop.html"
    return render(request, template, {"case": case, "token": token})


def _owned_case(request: AuthenticatedHttpRequest, ref: str) -> Case:
    # The same 404 whether the case does not exist or belongs to someone else.
    return access.case_for_owner(Case.objects.all(), ref=ref, user=request.user)


def _done(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    """After a change: the refreshed panel for htmx, else back to the case page (PRG).

    The htmx answer also swaps the case page's timeline (out of band), so the change shows
    there at once rather than after a reload.
    """
    if request.htmx:
        case.refresh_from_db()
        context = {"case": case, "snooze_form": SnoozeForm(case=case)}
        panel = render_to_string(f"{ACTIONS_TEMPLATE}#reminder-actions", context, request)
        page = selectors.case_page(ref=case.reference, user=request.user)
        timeline, has_more = selectors.timeline_preview(page)
        timeline_context = {
            "case": page,
            "timeline": timeline,
            "timeline_has_more": has_more,
            "oob": True,
        }
        refreshed = render_to_string("cases/detail.html#case-timeline", timeline_context, request)
        return HttpResponse(panel + refreshed)
    return redirect(emails.case_path(case))


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def case_stop(request: AuthenticatedHttpRequest, ref: str) -> HttpResponse:
    case = _owned_case(request, ref)
    if request.method != "POST":
        return redirect(emails.case_path(case))  # a reload or a sign-in's `next`
    controls.stop_reminders(case=case, by=request.user)
    return _done(request, case)


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def case_resume(request: AuthenticatedHttpRequest, ref: str) -> HttpResponse:
    case = _owned_case(request, ref)
    if request.method != "POST":
        return redirect(emails.case_path(case))  # a reload or a sign-in's `next`
    controls.resume_reminders(case=case, by=request.user)
    return _done(request, case)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def case_snooze(request: AuthenticatedHttpRequest, ref: str) -> HttpResponse:
    case = _owned_case(request, ref)
    data = request.POST if request.method == "POST" else None
    form = SnoozeForm(data, case=case)
    if form.is_valid():
        until = snooze_end(case=case, day=form.cleaned_data["until"])
        controls.snooze_reminders(case=case, until=until, by=request.user)
        return _done(request, case)
    context = {"case": case, "snooze_form": form, "case_url": emails.case_path(case)}
    if request.htmx:
        return render(request, f"{ACTIONS_TEMPLATE}#reminder-actions", context)
    return render(request, "reminders/snooze.html", context)
