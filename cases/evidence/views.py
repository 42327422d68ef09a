"""Evidence pages: add proof, serve a file, show a saved email, delete, the proof pack.

Every view looks its case or file up through cases/access.py first: the case's signed-in
owner or a cleared agent, else a 404 (or, for a staff session owing it, the second factor).
Files are served with `Cache-Control: private, no-store` and `nosniff`, as attachments, except
re-encoded images and server-made thumbnails, which may show inline.
"""

import tempfile
from collections.abc import Callable
from functools import wraps
from urllib.parse import quote, urlencode

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from cases import access, once
from cases.evidence import files, proof_pack, selectors, services
from cases.evidence.forms import DeleteForm, EvidenceForm, added_message
from cases.evidence.uploads import caps_upload_size, size_capped_upload
from cases.models import Case, CaseStep, Evidence
from cases.transitions import CaseChanged, TransitionNotAllowed
from config.http import HtmxHttpRequest, go, signed_in_user
from providers.models import StepKind


def private_page(view: Callable) -> Callable:
    """Never cached; a fragment never stands in for the page (Vary: HX-Request)."""
    return wraps(view)(never_cache(vary_on_headers("HX-Request")(view)))


def _case_url(case: Case, user) -> str:
    """The case page this person works from: the staff case page for agents."""
    if access.is_cleared_agent(user):
        return reverse("staff:case_detail", kwargs={"ref": case.reference})
    return reverse("cases:detail", kwargs={"ref": case.reference})


def _after_upload(request: HtmxHttpRequest, url: str) -> HttpResponse:
    """Redirect; the upload script (an XMLHttpRequest) is told where, not redirected itself,
    so the page it then loads still shows the upload's messages."""
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return HttpResponseClientRedirect(url)
    return go(request, url)


def _add_url(case: Case, number: int, request: HtmxHttpRequest) -> str:
    query = {"step": str(number)} if number else {}
    if request.GET.get("kind"):
        query["kind"] = request.GET["kind"]
    url = reverse("evidence:add", kwargs={"ref": case.reference})
    return f"{url}?{urlencode(query)}" if query else url


def _step_number(request: HtmxHttpRequest) -> int:
    number = request.POST.get("step") or request.GET.get("step") or ""
    return int(number) if number.isdigit() else 0


def _step(case: Case, number: int) -> CaseStep | None:
    """The case's numbered step `number` (as in its step URL), or None."""
    steps = CaseStep.objects.filter(case=case).exclude(kind=StepKind.CHECKLIST)
    return steps.order_by("position")[number - 1 : number].first() if number > 0 else None


def _back_url(case: Case, step: CaseStep | None, number: int, user) -> str:
    """Back to the step the person came from, else the case page (never another site)."""
    if step is not None and not access.is_cleared_agent(user):
        return reverse("cases:step", kwargs={"ref": case.reference, "number": number})
    return _case_url(case, user)


@caps_upload_size
@require_http_methods(["GET", "POST"])
@private_page
def add(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    """ "Add proof": several files at once, a kind and a note each, or a pasted message."""
    case = access.case_for_owner_or_agent(ref=ref, user=request.user)
    user = signed_in_user(request)
    number = _step_number(request)
    step = _step(case, number)
    context: dict = {"case": case, "step": step, "step_number": number if step else 0}
    token = once.page_token(request)
    if request.method == "GET" and token is None:
        return once.with_new_token(request)
    if request.method == "POST":
        handler = size_capped_upload(request)
        form = EvidenceForm(
            request.POST,
            request.FILES,
            initial_kind=request.GET.get("kind", ""),
            upload_refusal=handler.refusal if handler else None,
            refused_field=handler.refused_field if handler else "",
        )
        if form.upload_refusal is None and not ratelimit.consume(request, action="upload_evidence"):
            form.is_valid()
            form.add_error(
                None, _("Too many uploads in a short time. Wait a minute, then try again.")
            )
        elif form.is_valid() or form.keeps_accepted_files():
            try:
                services.add_evidence(
                    case=case,
                    by=user,
                    version=form.cleaned_data["version"],
                    files=form.new_evidence,
                    step=step,
                    form_token=form.cleaned_data["form_token"],
                )
            except once.AlreadySubmitted:
                messages.info(request, _("These files were already added: here they are."))
                return go(request, _back_url(case, step, number, user))
            except CaseChanged:
                context["changed"] = True
                case = access.case_for_owner_or_agent(ref=ref, user=request.user)
            except TransitionNotAllowed as refused:
                context["not_allowed"] = str(refused)
            else:
                messages.success(request, added_message(form.accepted_names()))
                if not form.errors:
                    return _after_upload(request, _back_url(case, step, number, user))
                # Some files were refused: back to this form, each refusal naming its file.
                for error in form.errors.as_data().values():
                    for refusal in error:
                        messages.error(request, " ".join(refusal.messages))
                return _after_upload(request, _add_url(case, number, request))
    else:
        form = EvidenceForm(initial_kind=request.GET.get("kind", ""))
        form.fields["form_token"].initial = token
    context.update(
        case=case,
        form=form,
        back_url=_back_url(case, step, number, user),
        identity_days=settings.IDENTITY_DOCUMENT_RETENTION_DAYS,
        max_size=settings.EVIDENCE_MAX_UPLOAD_BYTES,
    )
    template = "evidence/add.html#evidence-form" if request.htmx else "evidence/add.html"
    return render(request, template, context)


def _private(response: HttpResponseBase) -> HttpResponseBase:
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    # A stored file is never a page: nothing in it may run, load or frame anything.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _disposition(name: str, *, inline: bool) -> str:
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "").replace("?", "_")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


@require_GET
def download(request: HtmxHttpRequest, pk: int) -> HttpResponseBase:
    """The stored file: inline only for re-encoded images, otherwise an attachment."""
    evidence = access.evidence_for_owner_or_agent(pk=pk, user=request.user)
    services.record_identity_view(evidence=evidence, by=signed_in_user(request))
    inline = evidence.content_type in files.INLINE_TYPES and request.GET.get("download") != "1"
    stored = evidence.file.storage.open(evidence.file.name or "", "rb")
    content_type = (
        "text/plain; charset=utf-8"
        if evidence.content_type == files.TEXT
        else (evidence.content_type)
    )
    response = FileResponse(stored, content_type=content_type)
    response["Content-Disposition"] = _disposition(_download_name(evidence), inline=inline)
    response["Content-Length"] = str(evidence.size)
    return _private(response)


def _download_name(evidence: Evidence) -> str:
    return proof_pack.safe_name(evidence.original_name, evidence)


@require_GET
def thumbnail(request: HtmxHttpRequest, pk: int) -> HttpResponseBase:
    """The server-made thumbnail of an image (JPEG), inline."""
    evidence = access.evidence_for_owner_or_agent(pk=pk, user=request.user)
    if not evidence.thumbnail:
        return _private(HttpResponse(status=404))
    services.record_identity_view(evidence=evidence, by=signed_in_user(request))
    stored = evidence.thumbnail.storage.open(evidence.thumbnail.name or "", "rb")
    response = FileResponse(stored, content_type="image/jpeg")
    response["Content-Disposition"] = "inline"
    return _private(response)


@require_GET
@private_page
def show(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A file's page: its details, a saved email's headers and text (escaped), delete."""
    evidence = access.evidence_for_owner_or_agent(pk=pk, user=request.user)
    user = signed_in_user(request)
    services.record_identity_view(evidence=evidence, by=user)
    summary = None
    if evidence.content_type in (files.EML, files.TEXT):
        with evidence.file.storage.open(evidence.file.name or "", "rb") as stored:
            content = stored.read(settings.EVIDENCE_MAX_UPLOAD_BYTES)
        if evidence.content_type == files.EML:
            summary = files.summarise_email(content)
        else:
            summary = files.EmailSummary(headers=[], text=content.decode("utf-8", "replace"))
    context = {
        "case": evidence.case,
        "case_url": _case_url(evidence.case, user),
        "evidence": evidence,
        "summary": summary,
        "can_delete": services.can_delete(evidence=evidence, by=user),
    }
    return render(request, "evidence/show.html", context)


@require_http_methods(["GET", "POST"])
@private_page
def delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Confirm, then delete a file; the timeline keeps its name and hash."""
    evidence = access.evidence_for_owner_or_agent(pk=pk, user=request.user)
    user = signed_in_user(request)
    case = evidence.case
    form = DeleteForm(request.POST if request.method == "POST" else None)
    context: dict = {
        "case": case,
        "case_url": _case_url(case, user),
        "evidence": evidence,
        "form": form,
    }
    if not services.can_delete(evidence=evidence, by=user):
        context["not_allowed"] = _("Files on a closed case can only be deleted by an agent.")
    elif form.is_valid():
        try:
            services.delete_evidence(
                evidence=evidence, by=user, version=form.cleaned_data["version"]
            )
        except CaseChanged:
            context["changed"] = True
            case = access.case_for_owner_or_agent(ref=case.reference, user=request.user)
            context["case"] = case
        except TransitionNotAllowed as refused:
            context["not_allowed"] = str(refused)
        else:
            return go(request, _case_url(case, user))
    return render(request, "evidence/delete.html", context)


def _pack_context(case: Case, user, **extra) -> dict:
    now = timezone.now()
    evidence = selectors.for_case(case)
    build = selectors.current_build(case, now=now)
    return {
        "case": case,
        "case_url": _case_url(case, user),
        "packs": selectors.proof_packs(case),
        "files": evidence,
        "is_large": sum(item.size for item in evidence) > settings.PROOF_PACK_SYNC_MAX_BYTES,
        "build": build,
        "can_request": build is None or not build.is_pending or services.is_stuck(build, now=now),
        "now": now,
        **extra,
    }


@require_http_methods(["GET", "POST"])
@private_page
def pack(request: HtmxHttpRequest, ref: str) -> HttpResponseBase:
    """The proof pack: GET shows what it holds, past fingerprints and a pack being made.

    POST downloads a small pack at once; a large one (over PROOF_PACK_SYNC_MAX_BYTES) is
    queued for a worker and this page shows its progress (htmx polls `#pack-build`; without
    JavaScript, reloading the page does), then its download link for a day.
    """
    case = access.case_for_owner_or_agent(ref=ref, user=request.user)
    user = signed_in_user(request)
    if request.method == "POST":
        if selectors.stored_bytes(case) > settings.PROOF_PACK_SYNC_MAX_BYTES:
            services.request_proof_pack(case=case, by=user)
            return go(request, reverse("evidence:pack", kwargs={"ref": case.reference}))
        return _stream_pack(request, case, user)
    template = "evidence/pack.html#pack-build" if request.htmx else "evidence/pack.html"
    return render(request, template, _pack_context(case, user))


def _stream_pack(request: HtmxHttpRequest, case: Case, user) -> HttpResponseBase:
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    try:
        made = proof_pack.write_proof_pack(case=case, out=spool)  # type: ignore[arg-type]
    except proof_pack.PackIntegrityError as error:
        spool.close()
        context = _pack_context(case, user, not_allowed=error.message)
        return render(request, "evidence/pack.html", context, status=409)
    services.record_proof_pack(case=case, by=user, pack=made)
    size = spool.tell()
    spool.seek(0)
    response = StreamingHttpResponse(_chunks(spool), content_type="application/zip")
    response["Content-Disposition"] = _disposition(
        proof_pack.pack_name(case, made.created_at), inline=False
    )
    response["Content-Length"] = str(size)
    response["X-Proof-Pack-Fingerprint"] = made.manifest_sha256
    return _private(response)


@require_GET
def pack_download(request: HtmxHttpRequest, ref: str, pk: int) -> HttpResponseBase:
    """A pack a worker made, while it is kept (a day); 404 afterwards and to anyone else."""
    case = access.case_for_owner_or_agent(ref=ref, user=request.user)
    build = selectors.ready_build(case=case, pk=pk, now=timezone.now())
    stored = build.file.storage.open(build.file.name or "", "rb")
    response = FileResponse(stored, content_type="application/zip")
    made_at = build.finished_at or build.created_at
    response["Content-Disposition"] = _disposition(
        proof_pack.pack_name(case, made_at), inline=False
    )
    response["Content-Length"] = str(build.size)
    response["X-Proof-Pack-Fingerprint"] = build.manifest_sha256
    return _private(response)


def _chunks(spool, size: int = 256 * 1024):
    with spool:
        while chunk := spool.read(size):
            yield chunk


@require_http_methods(["GET", "POST"])
@private_page
def delete_case(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    """The customer deletes a finished case and its evidence, after this confirmation page."""
    case = access.case_for_owner_or_agent(ref=ref, user=request.user)
    user = signed_in_user(request)
    form = DeleteForm(request.POST if request.method == "POST" else None)
    context: dict = {
        "case": case,
        "case_url": _case_url(case, user),
        "form": form,
        "files": selectors.for_case(case),
    }
    if not services.can_delete_case(case=case, by=user):
        context["not_allowed"] = _(
            "Only a finished case of yours can be deleted: completed or withdrawn."
        )
    elif form.is_valid():
        try:
            services.delete_case(case=case, by=user, version=form.cleaned_data["version"])
        except CaseChanged:
            context["changed"] = True
            context["case"] = access.case_for_owner_or_agent(ref=ref, user=request.user)
        except TransitionNotAllowed as refused:
            context["not_allowed"] = str(refused)
        else:
            messages.success(
                request,
                _(
                    "Case %(ref)s is deleted, with its files and the line's details. Only an "
                    "anonymous record is kept for statistics."
                )
                % {"ref": case.reference},
            )
            return go(request, reverse("cases:my_cases"))
    return render(request, "evidence/delete_case.html", context)
