"""The customer's contact log: log a contact with the provider, edit it, with the scam guard.

A typed contact (or a summary) that is not an official channel gets a confirm step before it
is saved: why, the official channels, and that nobody legitimate asks for codes. Nothing the
customer typed ever becomes a tel:, mailto: or link.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cases import once
from cases import selectors as case_selectors
from cases.claims import session_draft_tokens
from cases.contacts import selectors, services
from cases.contacts.forms import ContactForm
from cases.models import Case, ContactAttempt
from cases.reminders.schedule import zone
from cases.transitions import CaseChanged, TransitionNotAllowed
from config.http import HtmxHttpRequest, go, private_page


def _case(request: HtmxHttpRequest, ref: str) -> Case:
    """The customer's own case with its official channels; 404 for anyone else."""
    tokens = session_draft_tokens(request)
    case = case_selectors.case_with_steps(ref=ref, user=request.user, draft_tokens=tokens)
    if case.status == Case.Status.DRAFT:
        raise Http404
    return case


def _contact_form(request: HtmxHttpRequest, ref: str, contact_pk: int | None) -> HttpResponse:
    case = _case(request, ref)
    contact: ContactAttempt | None = None
    if contact_pk is not None:
        contact = selectors.contact_of(case=case, pk=contact_pk)
        if contact is None or contact.created_by_id != request.user.pk:
            raise Http404
    back_url = reverse("cases:detail", kwargs={"ref": case.reference})
    return contact_page(
        request,
        case=case,
        contact=contact,
        back_url=back_url,
        reload=lambda: _case(request, ref),
    )


def contact_page(
    request: HtmxHttpRequest,
    *,
    case: Case,
    contact: ContactAttempt | None,
    back_url: str,
    reload: Callable[[], Case],
    on_staff_page: bool = False,
) -> HttpResponse:
    """The log-a-contact page for whoever may write to `case` (its owner, or an agent on the
    staff dashboard): the form, the scam guard's confirm step, then back to `back_url`."""
    token = once.page_token(request)
    if request.method == "GET" and contact is None and token is None:
        return once.with_new_token(request)
    channels = selectors.official_channels(case.provider if case.provider_id else None)
    context: dict = {
        "case": case,
        "contact": contact,
        "channels": channels,
        "back_url": back_url,
        "on_staff_page": on_staff_page,
        "viewer_zone": timezone.get_current_timezone_name(),  # the form is in the case's
    }
    with timezone.override(zone(case.time_zone)):
        data = request.POST if request.method == "POST" else None
        form = ContactForm(
            data, case=case, channels=channels, initial=ContactForm.initial_for(contact)
        )
        form.fields["version"].initial = case.version
        if token is not None:
            form.fields["form_token"].initial = token
        if on_staff_page:
            form.fields["follow_up_on"].help_text = _(
                "The customer gets a reminder email at 09:00 that day, and the case joins "
                "“Needs attention” if nothing has happened by then."
            )
        if form.is_valid():
            confirmed = request.POST.get("confirmed") == "1"
            if form.verdict.is_suspicious and not confirmed:
                context["warning"] = form.verdict  # the confirm step: nothing saved yet
            else:
                try:
                    _save(request, case, contact, form, warning_shown=confirmed)
                except once.AlreadySubmitted as replay:
                    # Back, then submit again: show the entry the first submission made.
                    messages.info(request, _("This contact was already logged: here it is."))
                    anchor = f"contact-{replay.object_id}" if replay.object_id else "contacts"
                    url = f"{back_url}#{anchor}"
                    return go(request, url)
                except CaseChanged:
                    context["changed"] = True
                except TransitionNotAllowed as refused:
                    context["not_allowed"] = str(refused)
                else:
                    return go(request, back_url + "#contacts")
                case = reload()
        context.update(case=case, form=form)
        template = "contacts/contact_form.html"
        if request.htmx:
            template += "#contact-form"
        return render(request, template, context)


def _save(request, case, contact, form, *, warning_shown: bool) -> None:
    version = form.cleaned_data["version"]
    if contact is None:
        services.log_contact(
            case=case,
            by=request.user,
            version=version,
            entry=form.entry(),
            warning_shown=warning_shown,
            form_token=form.cleaned_data["form_token"],
        )
    else:
        services.edit_contact(
            case=case,
            contact=contact,
            by=request.user,
            version=version,
            entry=form.entry(),
            warning_shown=warning_shown,
        )


@require_http_methods(["GET", "POST"])
@login_required
@private_page
def new(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    return _contact_form(request, ref, None)


@require_http_methods(["GET", "POST"])
@login_required
@private_page
def edit(request: HtmxHttpRequest, ref: str, pk: int) -> HttpResponse:
    return _contact_form(request, ref, pk)
