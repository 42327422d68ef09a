"""The cancellation notice: the signer's details, the letter as PDF or text, "I sent it"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import once
from cases import selectors as case_selectors
from cases.escalation import selectors as escalation_selectors
from cases.inbound import address as inbound_address
from cases.models import Case
from cases.notices import letter, services
from cases.notices.forms import NoticeDetailsForm, NoticeSentForm
from cases.reminders.schedule import zone
from cases.transitions import CaseChanged, TransitionNotAllowed
from config.http import AuthenticatedHttpRequest, go, private_page


def _case(request: AuthenticatedHttpRequest, ref: str) -> Case:
    """The customer's own case past the draft, with its official channels; 404 for anyone else."""
    case = case_selectors.case_with_steps(ref=ref, user=request.user)
    if case.status == Case.Status.DRAFT:
        raise Http404
    return case


def _today(case: Case):
    return timezone.localdate(timezone.now(), zone(case.time_zone))


def _letters(case: Case) -> list[dict]:
    """Each language the notice comes in, with its text; empty without name and address."""
    channels = case_selectors.channels(case)
    region = escalation_selectors.rules_for(case)
    out = []
    for language in letter.languages_for(case):
        try:
            composed = letter.compose(
                case=case,
                language=language,
                today=_today(case),
                channels=channels,
                region=region,
                reply_to=inbound_address.address_for(case).address,
            )
        except letter.MissingDetails:
            return []
        info = get_language_info(language)
        out.append(
            {
                "language": language,
                "name": info["name_local"],
                "text": letter.as_text(composed),
                "is_for_provider": language == letter.provider_language(case),
            }
        )
    return out


def _page(request: AuthenticatedHttpRequest, case: Case, **extra) -> HttpResponse:
    fragment = extra.pop("fragment", "")
    token = extra.pop("token", None)
    channels = case_selectors.channels(case)
    initial = {
        "name": case.notice_name,
        "address": case.notice_address,
        "effective_on": case.notice_effective_on,
    }
    context = {
        "case": case,
        "form": NoticeDetailsForm(initial={**initial, "version": case.version}, today=_today(case)),
        "sent_form": NoticeSentForm(
            initial={"version": case.version, "form_token": token or once.new_token()},
            channels=channels,
        ),
        "letters": _letters(case),
        "addresses": letter.official_addresses(channels),
        "channels": channels,
        "can_make_notice": services.can_make_notice(case),
        "case_email": inbound_address.address_for(case).address,
        **extra,
    }
    template = "notices/notice.html"
    if request.htmx and fragment:
        template += f"#{fragment}"
    return render(request, template, context)


def _back(request: AuthenticatedHttpRequest, case: Case, anchor: str) -> HttpResponse:
    return go(request, reverse("notices:notice", kwargs={"ref": case.reference}) + anchor)


@require_http_methods(["GET", "POST"])
@login_required
@private_page
def notice(request: AuthenticatedHttpRequest, ref: str) -> HttpResponse:
    case = _case(request, ref)
    if request.method == "GET":
        token = once.page_token(request)
        if token is None:
            return once.with_new_token(request)
        return _page(request, case, token=token)
    form = NoticeDetailsForm(request.POST, today=_today(case))
    extra: dict = {"form": form, "fragment": "notice-details"}
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.save_details(
                case=case,
                by=request.user,
                version=data["version"],
                name=data["name"],
                address=data["address"],
                effective_on=data["effective_on"],
            )
        except CaseChanged:
            extra = {"changed": True}
        except TransitionNotAllowed as refused:
            extra["not_allowed"] = str(refused)
        else:
            return _back(request, case, "#notice-ready")
        case = _case(request, ref)
    return _page(request, case, **extra)


def _composed(request: AuthenticatedHttpRequest, ref: str, language: str):
    case = _case(request, ref)
    if language not in letter.languages_for(case):
        raise Http404
    try:
        composed = letter.compose(
            case=case,
            language=language,
            today=_today(case),
            channels=case_selectors.channels(case),
            region=escalation_selectors.rules_for(case),
            reply_to=inbound_address.address_for(case).address,
        )
    except letter.MissingDetails as missing:
        return case, None, _page(request, case, not_allowed=str(missing))
    return case, composed, None


def _attachment(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@login_required
@private_page
def notice_pdf(request: AuthenticatedHttpRequest, ref: str, language: str) -> HttpResponse:
    case, composed, refused = _composed(request, ref, language)
    if composed is None:
        return refused
    return _attachment(
        letter.as_pdf(composed, reference=case.reference),
        content_type="application/pdf",
        filename=f"notice-{case.reference}-{language}.pdf",
    )


@require_GET
@login_required
@private_page
def notice_text(request: AuthenticatedHttpRequest, ref: str, language: str) -> HttpResponse:
    case, composed, refused = _composed(request, ref, language)
    if composed is None:
        return refused
    return _attachment(
        letter.as_text(composed).encode(),
        content_type="text/plain; charset=utf-8",
        filename=f"notice-{case.reference}-{language}.txt",
    )


@require_POST
@login_required
@private_page
def sent(request: AuthenticatedHttpRequest, ref: str) -> HttpResponse:
    case = _case(request, ref)
    form = NoticeSentForm(request.POST, channels=case_selectors.channels(case))
    extra: dict = {"sent_form": form, "fragment": "notice-sent"}
    if form.is_valid():
        data = form.cleaned_data
        sending = services.Sending(
            sent_on=data["sent_on"],
            channel=form.chosen_channel(),
            channel_text=data["channel_text"].strip(),
        )
        try:
            services.record_sent(
                case=case,
                by=request.user,
                version=data["version"],
                sending=sending,
                form_token=data["form_token"],
            )
        except once.AlreadySubmitted:
            messages.info(request, _("You already told us you sent it: it is in your contacts."))
            url = reverse("cases:detail", kwargs={"ref": case.reference}) + "#contacts"
            return go(request, url)
        except CaseChanged:
            extra = {"changed": True}
        except TransitionNotAllowed as refused:
            extra["not_allowed"] = str(refused)
        else:
            return go(request, reverse("cases:detail", kwargs={"ref": case.reference}))
        case = _case(request, ref)
    return _page(request, case, **extra)
