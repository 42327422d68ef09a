"""Evidence pages: add proof, serve a file, show a saved email, delete, the proof pack.

Every view looks its case or file up through a selector that answers 404 to anyone but the
case's signed-in owner and agents, anonymous visitors included. Files are served with
`Cache-Control: private, no-store` and `nosniff`, as attachments, except re-encoded images
and server-made thumbnails, which may show inline.
"""

import tempfile
from collections.abc import Callable
from functools import wraps
from urllib.parse import quote

from allauth.core import ratelimit
from django.conf import settings
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from cases.evidence import files, proof_pack, selectors, services
from cases.evidence.forms import DeleteForm, EvidenceForm
from cases.evidence.uploads import caps_upload_size, size_capped_upload
from cases.models import Case, CaseStep, Evidence
from cases.transitions import CaseChanged, TransitionNotAllowed
from config.http import HtmxHttpRequest, signed_in_user
from providers.models import StepKind


def private_page(view: Callable) -> Callable:
    """Never cached; a fragment never stands in for the page (Vary: HX-Request)."""
    return wraps(view)(never_cache(vary_on_headers("HX-Request")(view)))


def _go(request: HtmxHttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _case_url(case: Case) -> str:
    return reverse("cases:detail", kwargs={"ref": case.reference})


def _step_number(request: HtmxHttpRequest) -> int:
    number = request.POST.get("step") or request.GET.get("step") or ""
    return int(number) if number.isdigit() else 0


def _step(case: Case, number: int) -> CaseStep | None:
    """The case's numbered step `number` (as in its step URL), or None."""
    steps = CaseStep.objects.filter(case=case).exclude(kind=StepKind.CHECKLIST)
    return steps.order_by("position")[number - 1 : number].first() if number > 0 else None


def _back_url(case: Case, step: CaseStep | None, number: int) -> str:
    """Back to the step the person came from, else the case page (never another site)."""
    if step is not None:
        return reverse("cases:step", kwargs={"ref": case.reference, "number": number})
    return _case_url(case)


@caps_upload_size
@require_http_methods(["GET", "POST"])
@private_page
def add(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    """ "Add proof": several files at once, a kind and a note each, or a pasted message."""
    case = selectors.case_for_owner_or_agent(ref=ref, user=request.user)
    user = signed_in_user(request)
    number = _step_number(request)
    step = _step(case, number)
    context: dict = {"case": case, "step": step, "step_number": number if step else 0}
    if request.method == "POST":
        form = EvidenceForm(request.POST, request.FILES, initial_kind=request.GET.get("kind", ""))
        handler = size_capped_upload(request)
        refusal = handler.refusal if handler else None
        if refusal is not None:
            form.is_valid()
            form.add_upload_refusal(refusal)
        elif not ratelimit.consume(request, action="upload_evidence"):
            form.is_valid()
            form.add_error(
                None, _("Too many uploads in a short time. Wait a minute, then try again.")
            )
        elif form.is_valid():
            try:
                services.add_evidence(
                    case=case,
                    by=user,
                    version=form.cleaned_data["version"],
                    files=form.new_evidence,
                    step=step,
                )
            except CaseChanged:
                context["changed"] = True
                case = selectors.case_for_owner_or_agent(ref=ref, user=request.user)
            except TransitionNotAllowed as refused:
                context["not_allowed"] = str(refused)
            else:
                return _go(request, _back_url(case, step, number))
    else:
        form = EvidenceForm(initial_kind=request.GET.get("kind", ""))
    context.update(
        case=case,
        form=form,
        back_url=_back_url(case, step, number),
        identity_days=settings.IDENTITY_DOCUMENT_RETENTION_DAYS,
        max_size=settings.EVIDENCE_MAX_UPLOAD_BYTES,
    )
    template = "evidence/add.html#evidence-form" if request.htmx else "evidence/add.html"
    return render(request, template, context)


def _private[R: HttpResponseBase](response: R) -> R:
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
    evidence = selectors.evidence_for_owner_or_agent(pk=pk, user=request.user)
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
    evidence = selectors.evidence_for_owner_or_agent(pk=pk, user=request.user)
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
    evidence = selectors.evidence_for_owner_or_agent(pk=pk, user=request.user)
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
        "evidence": evidence,
        "summary": summary,
        "can_delete": services.can_delete(evidence=evidence, by=user),
    }
    return render(request, "evidence/show.html", context)


@require_http_methods(["GET", "POST"])
@private_page
def delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Confirm, then delete a file; the timeline keeps its name and hash."""
    evidence = selectors.evidence_for_owner_or_agent(pk=pk, user=request.user)
    user = signed_in_user(request)
    case = evidence.case
    form = DeleteForm(request.POST if request.method == "POST" else None)
    context: dict = {"case": case, "evidence": evidence, "form": form}
    if not services.can_delete(evidence=evidence, by=user):
        context["not_allowed"] = _("Files on a closed case can only be deleted by an agent.")
    elif form.is_valid():
        try:
            services.delete_evidence(
                evidence=evidence, by=user, version=form.cleaned_data["version"]
            )
        except CaseChanged:
            context["changed"] = True
            case = selectors.case_for_owner_or_agent(ref=case.reference, user=request.user)
            context["case"] = case
        except TransitionNotAllowed as refused:
            context["not_allowed"] = str(refused)
        else:
            return _go(request, _case_url(case))
    return render(request, "evidence/delete.html", context)


@require_http_methods(["GET", "POST"])
@private_page
def pack(request: HtmxHttpRequest, ref: str) -> HttpResponseBase:
    """The proof pack: GET shows what it holds and past fingerprints, POST downloads it."""
    case = selectors.case_for_owner_or_agent(ref=ref, user=request.user)
    user = signed_in_user(request)
    if request.method == "POST":
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
        try:
            made = proof_pack.write_proof_pack(case=case, out=spool)  # type: ignore[arg-type]
        except proof_pack.PackIntegrityError as error:
            spool.close()
            context = {
                "case": case,
                "packs": selectors.proof_packs(case),
                "files": selectors.for_case(case),
                "not_allowed": error.message,
            }
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
    context = {
        "case": case,
        "packs": selectors.proof_packs(case),
        "files": selectors.for_case(case),
        "now": timezone.now(),
    }
    return render(request, "evidence/pack.html", context)


def _chunks(spool, size: int = 256 * 1024):
    with spool:
        while chunk := spool.read(size):
            yield chunk


@require_http_methods(["GET", "POST"])
@private_page
def delete_case(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    """The customer deletes a finished case and its evidence, after this confirmation page."""
    case = selectors.case_for_owner_or_agent(ref=ref, user=request.user)
    user = signed_in_user(request)
    form = DeleteForm(request.POST if request.method == "POST" else None)
    context: dict = {"case": case, "form": form, "files": selectors.for_case(case)}
    if not services.can_delete_case(case=case, by=user):
        context["not_allowed"] = _(
            "Only a finished case of yours can be deleted: completed or withdrawn."
        )
    elif form.is_valid():
        try:
            services.delete_case(case=case, by=user, version=form.cleaned_data["version"])
        except CaseChanged:
            context["changed"] = True
            context["case"] = selectors.case_for_owner_or_agent(ref=ref, user=request.user)
        except TransitionNotAllowed as refused:
            context["not_allowed"] = str(refused)
        else:
            return _go(request, reverse("cases:my_cases") + "?deleted=1")
    return render(request, "evidence/delete_case.html", context)
