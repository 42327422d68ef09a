"""The customer's journey: start, the case page, precautions, steps and outcomes.

Thin views (STYLE.md): parse the request, call a selector or a service, render or redirect.
Every page that takes a reference looks the case up through a selector that answers 404 to
anyone but its owner (or, for an anonymous draft, the session holding its token), by the
rule in cases/access.py.
"""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.models import User
from cases import claims, identifiers, selectors, services
from cases.contacts import selectors as contact_selectors
from cases.escalation import selectors as escalation_selectors
from cases.escalation import services as escalation_services
from cases.evidence import selectors as evidence_selectors
from cases.evidence import services as evidence_services
from cases.evidence.uploads import caps_upload_size, size_capped_upload
from cases.forms import (
    BillingCheckForm,
    ChangeKindForm,
    DetailsForm,
    EscalateForm,
    EsimFactForm,
    KeepNumberForm,
    OutcomeForm,
    PrecautionForm,
    ProviderChoiceForm,
    SaveForm,
    ServiceKindForm,
    StepForm,
)
from cases.models import Case
from cases.notices.services import can_make_notice
from cases.transitions import CaseChanged, Outcome, TransitionNotAllowed
from config.http import AuthenticatedHttpRequest, HtmxHttpRequest, private_page, signed_in_user
from providers.models import localized

S = Case.Status


def journey_page(view: Callable) -> Callable:
    """Private, never cached, and a fragment never stands in for the page (Vary: HX-Request).

    A case address asked by a signed-out visitor who holds no draft of it goes to sign-in and
    back (an owner opening "your case" from an email on another device), for every reference,
    existing or not, so that the answer reveals nothing; anyone signed in still gets a 404.
    """

    @wraps(view)
    def wrapper(request: HtmxHttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Http404:
            if "ref" not in kwargs or request.user.is_authenticated:
                raise
            return redirect_to_login(request.get_full_path())

    return private_page(wrapper)


_tokens = claims.session_draft_tokens


def _go(request: HtmxHttpRequest, url: str) -> HttpResponse:
    """Post/redirect/get; an HTMX request gets a full-page redirect too."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _page(request: HtmxHttpRequest, template: str, fragment: str, context: dict) -> HttpResponse:
    """The whole page, or for HTMX only the fragment it swaps (invalid input stays 200)."""
    name = f"{template}#{fragment}" if request.htmx and fragment else template
    return render(request, name, context)


def _url(name: str, case: Case, **kwargs) -> str:
    return reverse(f"cases:{name}", kwargs={"ref": case.reference, **kwargs})


def _setup_url(case: Case) -> str:
    """Where a draft continues: the first start question still unanswered."""
    if not (case.provider_id or case.provider_name):
        return _url("provider", case)
    if not (case.phone_number and case.reason):
        return _url("details", case)
    return _url("save", case)


def _actor(request: HtmxHttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "cases/home.html")


@require_GET
@login_required
@never_cache
def my_cases(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = selectors.my_cases(user=request.user, cursor=request.GET.get("after", ""))
    return render(
        request,
        "cases/my_cases.html",
        {
            "cases": page.cases,
            "next_cursor": page.next_cursor,
            "is_first_page": "after" not in request.GET,
        },
    )


# --- Start: what, keep the number?, provider, details, save -----------------------------------


@require_http_methods(["GET", "POST"])
@journey_page
def start(request: HtmxHttpRequest) -> HttpResponse:
    form = ServiceKindForm(request.POST if request.method == "POST" else None)
    if form.is_valid() and not ratelimit.consume(request, action="start_case"):
        # Drafts are rows anyone may create; the limit (settings.ACCOUNT_RATE_LIMITS) is kept
        # in the shared cache and keyed on the real client address by allauth's adapter.
        form.add_error(
            None,
            _("You have started many cases in a short time. Please wait a while and try again."),
        )
        response = _page(request, "cases/start.html", "start-form", {"form": form})
        response.status_code = 200 if request.htmx else 429
        return response
    if not request.session.session_key:
        # A double click sends two requests at once: a session from this page ties them together.
        request.session.save()
        request.session.modified = True
    if form.is_valid():
        user = _actor(request)
        case = services.start_or_resume_draft(
            service_kind=form.cleaned_data["service_kind"],
            owner=user,
            session_key=request.session.session_key or "",
            language=get_language() or "en",
            time_zone=user.time_zone if user else "UTC",
        )
        if user is None and case.draft_token not in _tokens(request):
            claims.remember_draft(request, case)  # claimed at sign-in
        return _go(request, _url("keep_number", case))
    return _page(request, "cases/start.html", "start-form", {"form": form})


def _is_changeable(case: Case) -> bool:
    """Kind, provider and line details can change until the steps start."""
    return case.status in (S.DRAFT, S.PREPARING)


@require_http_methods(["GET", "POST"])
@journey_page
def kind(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    """The first question again: change what is being cancelled (draft or preparing)."""
    case = selectors.case_for_owner(ref=ref, user=request.user, draft_tokens=_tokens(request))
    if not _is_changeable(case):
        return redirect(_url("detail", case))
    data = request.POST if request.method == "POST" else None
    form = ChangeKindForm(data, initial={"service_kind": case.service_kind})
    context: dict = {"case": case, "form": form}
    if form.is_valid():
        try:
            case = services.change_service_kind(
                case=case,
                by=_actor(request),
                version=form.cleaned_data["version"],
                service_kind=form.cleaned_data["service_kind"],
            )
        except CaseChanged as changed:
            context.update(case=changed.case, changed=True)
        else:
            # A draft goes on with the next question; a saved case confirms its provider.
            return _go(request, _url("keep_number" if case.is_draft else "provider", case))
    return _page(request, "cases/start.html", "start-form", context)


@require_http_methods(["GET", "POST"])
@journey_page
def discard(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    """Throw away a draft (from My cases); a GET just goes back there."""
    case = selectors.case_for_owner(ref=ref, user=request.user, draft_tokens=_tokens(request))
    back = reverse("cases:my_cases") if request.user.is_authenticated else reverse("cases:start")
    if request.method == "POST":
        try:
            services.discard_draft(case=case, version=int(request.POST.get("version") or 0))
        except CaseChanged:
            messages.warning(request, _("This case was changed meanwhile. Check it and try again."))
        except TransitionNotAllowed as refused:
            messages.warning(request, str(refused))
        else:
            messages.success(request, _("Draft discarded."))
    return _go(request, back)


@require_http_methods(["GET", "POST"])
@journey_page
def keep_number(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    case = selectors.case_for_owner(ref=ref, user=request.user, draft_tokens=_tokens(request))
    if not _is_changeable(case):
        return redirect(_url("detail", case))
    initial = {"keep_number": "no"} if case.number_can_go else {}
    form = KeepNumberForm(request.POST if request.method == "POST" else None, initial=initial)
    context: dict = {"case": case, "form": form}
    if form.is_valid():
        keep = form.cleaned_data["keep_number"] == "yes"
        try:
            case = services.answer_keep_number(
                case=case, by=_actor(request), version=form.cleaned_data["version"], keep=keep
            )
        except CaseChanged as changed:
            context.update(case=changed.case, changed=True)
        else:
            return _go(request, _url("porting" if keep else "provider", case))
    return _page(request, "cases/keep_number.html", "keep-number-form", context)


@require_GET
@journey_page
def porting(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    case = selectors.case_for_owner(ref=ref, user=request.user, draft_tokens=_tokens(request))
    provider_info = localized(case.provider, "porting_info") if case.provider else ""
    return render(request, "cases/porting.html", {"case": case, "provider_info": provider_info})


@require_http_methods(["GET", "POST"])
@journey_page
def provider(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    case = selectors.case_for_owner(ref=ref, user=request.user, draft_tokens=_tokens(request))
    if not _is_changeable(case):
        return redirect(_url("detail", case))
    query = request.GET.get("q", "")[:100]
    results = selectors.provider_search(query=query, service_kind=case.service_kind)
    context = {"case": case, "query": query, "results": results}
    if request.method == "GET":
        fragment = "provider-results" if "q" in request.GET else ""
        form = ProviderChoiceForm(initial={"provider_name": case.provider_name})
        return _page(request, "cases/provider.html", fragment, {**context, "form": form})

    form = ProviderChoiceForm(request.POST)
    chosen = None
    if form.is_valid() and form.cleaned_data["provider"] is not None:
        chosen = selectors.active_provider(form.cleaned_data["provider"])
        if chosen is None:
            form.add_error("provider_name", _("That provider is no longer listed. Type its name."))
    if form.is_valid():
        try:
            services.choose_provider(
                case=case,
                by=_actor(request),
                version=form.cleaned_data["version"],
                provider=chosen,
                provider_name="" if chosen else form.cleaned_data["provider_name"],
            )
        except CaseChanged as changed:
            context.update(case=changed.case, changed=True)
        else:
            return _go(request, _url("details", case))
    return _page(request, "cases/provider.html", "provider-name-form", {**context, "form": form})


@require_http_methods(["GET", "POST"])
@journey_page
def details(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    case = selectors.case_for_owner(ref=ref, user=request.user, draft_tokens=_tokens(request))
    if not _is_changeable(case):
        return redirect(_url("detail", case))
    if not (case.provider_id or case.provider_name):
        return redirect(_url("provider", case))
    initial = {
        "phone_number": case.phone_number,
        "device_model": case.device_model,
        "imei": case.imei,
        "eid": case.eid,
        "iccid": case.iccid,
        "reason": case.reason,
        "reason_detail": case.reason_detail,
    }
    data = request.POST if request.method == "POST" else None
    form = DetailsForm(data, case=case, initial=initial)
    context = {"case": case, "form": form}
    if form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.set_details(
                case=case, by=_actor(request), version=form.cleaned_data["version"], **fields
            )
        except CaseChanged as changed:
            context.update(case=changed.case, changed=True)
        else:
            return _go(request, _url("save" if case.is_draft else "detail", case))
    return _page(request, "cases/details.html", "details-form", context)


@require_http_methods(["GET", "POST"])
@journey_page
def save(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    case = selectors.case_for_owner(ref=ref, user=request.user, draft_tokens=_tokens(request))
    if case.status != S.DRAFT:
        return redirect(_url("detail", case))
    if not (case.phone_number and case.reason):
        return redirect(_setup_url(case))
    login_url = f"{reverse('account_login')}?{urlencode({'next': _url('save', case)})}"
    user = _actor(request)
    # The account's zone if it has one, else the number's; else the browser may suggest one.
    proposed = (user.time_zone if user and user.time_zone != "UTC" else "") or (
        identifiers.time_zone_for_number(case.phone_number) or ""
    )
    data = request.POST if request.method == "POST" and user is not None else None
    form = SaveForm(data, proposed=proposed or "UTC", suggest_browser=not proposed)
    context = {"case": case, "login_url": login_url, "form": form}
    if user is not None and form.is_valid():
        try:
            services.prepare_case(
                case=case,
                by=user,
                version=form.cleaned_data["version"],
                time_zone=form.cleaned_data["time_zone"],
            )
        except CaseChanged as changed:
            context.update(case=changed.case, changed=True)
        except TransitionNotAllowed as refused:
            context["not_allowed"] = str(refused)
        else:
            return _go(request, _url("precautions", case))
    return render(request, "cases/save.html", context)


# --- The case page and what it offers ----------------------------------------------------------


def _case_context(case: Case, **extra) -> dict:
    progress = selectors.case_progress(case)
    context = {
        "case": case,
        **{name: getattr(progress, name) for name in progress.__dataclass_fields__},
        "outcome_form": OutcomeForm(case=case),
        "billing_form": BillingCheckForm(),
        "contacts": contact_selectors.contacts_for(case),
        "evidence_items": evidence_selectors.for_case(case),
        "proof_packs": evidence_selectors.proof_packs(case)[:1],
        "can_add_evidence": case.purged_at is None,
        "can_make_notice": can_make_notice(case),
        "escalation": _escalation(case),
        "escalate_form": EscalateForm(),
    }
    context.update(extra)
    return context


def _escalation(case: Case) -> escalation_selectors.Escalation | None:
    """What the case offers when the provider will not move (read only where it can apply)."""
    if case.is_escalated or not (case.is_waiting or case.needs_action):
        return None
    region = escalation_selectors.region_for(case)
    return escalation_selectors.escalation_for(case, region=region)


@require_GET
@journey_page
def detail(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    case = selectors.case_page(ref=ref, user=request.user, draft_tokens=_tokens(request))
    if case.status == S.DRAFT:
        return redirect(_setup_url(case))
    return render(request, "cases/detail.html", _case_context(case))


@require_GET
@journey_page
def timeline(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    """Every customer-visible event of the case, newest first, a page at a time."""
    case = selectors.case_for_owner(ref=ref, user=request.user, draft_tokens=_tokens(request))
    if case.status == S.DRAFT:
        return redirect(_setup_url(case))
    events, next_cursor = selectors.timeline_page(case, cursor=request.GET.get("before", ""))
    context = {
        "case": case,
        "timeline": events,
        "next_cursor": next_cursor,
        "is_first_page": "before" not in request.GET,
    }
    return render(request, "cases/timeline.html", context)


def _case_post(
    request: HtmxHttpRequest, ref: str, form_class, fragment: str, apply
) -> HttpResponse:
    """The shared shape of the case page's forms: validate, apply, redirect; else re-show.

    A GET (a reload, a language switch, a sign-in's `next`) goes to the case page.
    """
    tokens = _tokens(request)
    case = selectors.case_page(ref=ref, user=request.user, draft_tokens=tokens)
    if request.method != "POST":
        return redirect(_url("detail", case))
    needs_case = form_class is OutcomeForm
    form = (
        form_class(request.POST, request.FILES, case=case)
        if needs_case
        else form_class(request.POST)
    )
    handler = size_capped_upload(request)
    if handler is not None and handler.refusal is not None:
        form.is_valid()
        form.add_error("confirmation_file", handler.refusal)
    extra: dict = {}
    if request.POST.get("from_step", "").isdigit():
        extra["from_step"] = request.POST["from_step"]
    # The outcome note is checked by the scam guard (the billing answer's note is not a contact).
    warning = (
        form_class is OutcomeForm
        and form.is_valid()
        and _note_warning(request, case, form.cleaned_data.get("note", ""))
    )
    if warning:
        extra["warning"] = warning  # the scam guard's confirm step: nothing saved yet
    elif form.is_valid():
        try:
            apply(case, form.cleaned_data)
        except CaseChanged:
            extra["changed"] = True
        except TransitionNotAllowed as refused:
            extra["not_allowed"] = str(refused)
        else:
            return _go(request, _return_url(request, case))
        case = selectors.case_page(ref=ref, user=request.user, draft_tokens=tokens)
    form_name = {
        OutcomeForm: "outcome_form",
        BillingCheckForm: "billing_form",
        EscalateForm: "escalate_form",
    }.get(form_class)
    if form_name and not extra.get("changed"):
        extra[form_name] = form
    return _page(request, "cases/detail.html", fragment, _case_context(case, **extra))


def _note_warning(request: HtmxHttpRequest, case: Case, note: str):
    """The scam guard's verdict on a note the customer typed, unless they confirmed it."""
    if not note or request.POST.get("confirmed") == "1":
        return None
    verdict = contact_selectors.check_note(case=case, text=note)
    return verdict if verdict.is_suspicious else None


def _return_url(request: HtmxHttpRequest, case: Case) -> str:
    """Back to the step the form was posted from (the next one), else the case page."""
    back = request.POST.get("back_to_step", "")
    if back.isdigit() and 1 <= int(back) <= len(selectors.action_steps(case)):
        return _url("step", case, number=int(back))
    number = request.POST.get("from_step", "")
    if number.isdigit() and int(number) < len(selectors.action_steps(case)):
        return _url("step", case, number=int(number) + 1)
    return _url("detail", case)


@caps_upload_size
@require_http_methods(["GET", "POST"])
@journey_page
def outcome(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    def apply(case: Case, data: dict) -> None:
        proof = data.get("confirmation_evidence") or []
        if data["outcome"] == Outcome.CONFIRMED and proof:
            evidence_services.confirm_with_evidence(
                case=case,
                by=signed_in_user(request),
                version=data["version"],
                files=proof,
                reference=data["reference"].strip(),
                note=data["note"].strip(),
            )
            return
        services.record_outcome(
            case=case,
            by=signed_in_user(request),
            version=data["version"],
            outcome=data["outcome"],
            reference=data["reference"].strip(),
            note=data["note"].strip(),
        )

    return _case_post(request, ref, OutcomeForm, "outcome-form", apply)


@require_http_methods(["GET", "POST"])
@journey_page
def billing_check(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    def apply(case: Case, data: dict) -> None:
        services.answer_billing_check(
            case=case,
            by=signed_in_user(request),
            version=data["version"],
            still_charged=data["still_charged"] == "yes",
            note=data["note"].strip(),
        )

    return _case_post(request, ref, BillingCheckForm, "billing-form", apply)


@require_POST
@journey_page
def escalate(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    def apply(case: Case, data: dict) -> None:
        escalation_services.escalate(
            case=case,
            by=signed_in_user(request),
            version=data["version"],
            route_id=data["route"],
            note=data["note"].strip(),
        )

    return _case_post(request, ref, EscalateForm, "escalation", apply)


@require_http_methods(["GET", "POST"])
@journey_page
def esim_fact(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    """ "I deleted the eSIM profile": asked to confirm first (it does not end the contract)."""
    tokens = _tokens(request)
    case = selectors.case_page(ref=ref, user=request.user, draft_tokens=tokens)
    if request.method != "POST":
        return redirect(_url("detail", case))
    form = EsimFactForm(request.POST)
    back = request.POST.get("back_to_step", "")
    extra: dict = {"number": int(back)} if back.isdigit() else {}
    if not form.is_valid():
        return _go(request, _return_url(request, case))
    data = form.cleaned_data
    if data["fact"] == "profile_deleted" and not data["confirm"]:
        extra["confirm_profile"] = True
        return _page(request, "cases/detail.html", "esim-facts", _case_context(case, **extra))
    undo = data["fact"] == "profile_undo"
    mark = services.unmark_profile_deleted if undo else services.mark_profile_deleted
    try:
        mark(case=case, by=signed_in_user(request), version=data["version"])
    except CaseChanged:
        case = selectors.case_page(ref=ref, user=request.user, draft_tokens=tokens)
        extra["changed"] = True
        return _page(request, "cases/detail.html", "esim-facts", _case_context(case, **extra))
    return _go(request, _return_url(request, case))


# --- Precautions and steps --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@journey_page
def precautions(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    tokens = _tokens(request)
    case = selectors.case_with_steps(ref=ref, user=request.user, draft_tokens=tokens)
    if case.status == S.DRAFT:
        return redirect(_setup_url(case))
    form = PrecautionForm(request.POST if request.method == "POST" else None)
    context: dict = {"form": form}
    if form.is_valid():
        data = form.cleaned_data
        item = next((s for s in selectors.checklist(case) if s.position == data["step"]), None)
        try:
            if item is None:
                raise TransitionNotAllowed(_("That precaution is not on this case."))
            if data["action"] == "skip":
                services.skip_step(
                    case=case, step=item, by=signed_in_user(request), version=data["version"]
                )
            elif data["action"] == "undo":
                services.undo_step(
                    case=case, step=item, by=signed_in_user(request), version=data["version"]
                )
            else:
                services.complete_step(
                    case=case, step=item, by=signed_in_user(request), version=data["version"]
                )
        except CaseChanged:
            context["changed"] = True
        except TransitionNotAllowed as refused:
            context["not_allowed"] = str(refused)
        else:
            if not request.htmx:
                return redirect(f"{_url('precautions', case)}#precaution-{item.position}")
            # HTMX swaps the whole list: every item's form needs the case's new version.
            context["form"] = PrecautionForm()
        case = selectors.case_with_steps(ref=ref, user=request.user, draft_tokens=tokens)
    context.update(case=case, checklist=selectors.checklist(case))
    if form.is_bound and not form.is_valid():
        context["bad_position"] = form.cleaned_data.get("step")
    return _page(request, "cases/precautions.html", "precaution-list", context)


@require_http_methods(["GET", "POST"])
@journey_page
def start_steps(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    """ "Continue to the steps": on to step 1, or back to the precautions with what is missing."""
    case = selectors.case_for_owner(ref=ref, user=request.user, draft_tokens=_tokens(request))
    if request.method != "POST":
        return redirect(_url("precautions" if case.status == S.PREPARING else "detail", case))
    if case.status != S.PREPARING:
        return _go(request, _url("step", case, number=1))
    try:
        services.start_steps(
            case=case, by=signed_in_user(request), version=int(request.POST.get("version") or 0)
        )
    except CaseChanged:
        messages.warning(request, _("This case was changed meanwhile. Check it and try again."))
    except TransitionNotAllowed as refused:
        messages.warning(request, str(refused))
    else:
        return _go(request, _url("step", case, number=1))
    # Post/redirect/get: a reload or a language switch lands on a page, never on this address.
    return _go(request, _url("precautions", case))


@require_http_methods(["GET", "POST"])
@journey_page
def step(request: HtmxHttpRequest, ref: str, number: int) -> HttpResponse:
    tokens = _tokens(request)
    case = selectors.case_with_steps(ref=ref, user=request.user, draft_tokens=tokens)
    if case.status == S.DRAFT:
        return redirect(_setup_url(case))
    page = selectors.step_page(case, number=number)
    item = page.step
    initial = {"reference": item.data.get("reference", ""), "note": item.note}
    initial["verification_done"] = bool(item.data.get("verification_done"))
    data = request.POST if request.method == "POST" else None
    form = StepForm(data, initial=initial)
    context: dict = {}
    if form.is_valid() and (warning := _note_warning(request, case, form.cleaned_data["note"])):
        context["warning"] = warning  # the scam guard's confirm step: nothing saved yet
    elif form.is_valid():
        try:
            case = services.complete_step(
                case=case,
                step=item,
                by=signed_in_user(request),
                version=form.cleaned_data["version"],
                reference=form.cleaned_data["reference"].strip(),
                note=form.cleaned_data["note"].strip(),
                verification_done=form.cleaned_data["verification_done"],
            )
        except CaseChanged:
            context["changed"] = True
        except TransitionNotAllowed as refused:
            context["not_allowed"] = str(refused)
        else:
            if case.is_waiting and item.starts_waiting:
                return _go(request, _url("detail", case))
            if number < page.total:
                return _go(request, _url("step", case, number=number + 1))
            return _go(request, _url("detail", case))
        case = _reload(request, ref)
        page = selectors.step_page(case, number=number)
    context.update(
        case=case,
        step=page.step,
        number=number,
        total=page.total,
        form=form,
        channels=page.channels,
        precautions_todo=page.precautions_todo,
        is_profile_step=page.is_profile_step,
        outcome_form=OutcomeForm(case=case),
    )
    return _page(request, "cases/step.html", "step-form", context)


def _reload(request: HtmxHttpRequest, ref: str) -> Case:
    return selectors.case_with_steps(ref=ref, user=request.user, draft_tokens=_tokens(request))
