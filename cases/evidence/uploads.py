"""The upload size cap, enforced while the request body streams in.

Django's own handlers buffer a file to memory or a temporary file before a form sees it;
`SizeCappedUploadHandler` goes first and stops reading the body as soon as one file passes
`EVIDENCE_MAX_UPLOAD_BYTES` or the request carries more files than one upload may
(`EVIDENCE_MAX_FILES_PER_UPLOAD`). The view then shows the refusal next to the file input.

It must be installed before anything reads `request.POST`, which the CSRF middleware does:
`caps_upload_size` wraps a view as Django's docs describe ("Modifying upload handlers on
the fly"), exempting it from the middleware and checking CSRF itself after the handler is in.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from cases.evidence.files import RefusedFile, too_large


class SizeCappedUploadHandler(FileUploadHandler):
    """Counts each file's bytes as they arrive and stops the upload past the cap."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.max_bytes = settings.EVIDENCE_MAX_UPLOAD_BYTES
        self.max_files = settings.EVIDENCE_MAX_FILES_PER_UPLOAD
        self.files_seen = 0
        self.refused_name = ""
        self.refused_field = ""
        self.refused_code = ""

    def new_file(self, field_name, file_name, *args, **kwargs) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        self.files_seen += 1
        if self.files_seen > self.max_files:
            self._stop(file_name, "too_many_files")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.max_bytes:
            self._stop(self.file_name or "", "too_large")
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) makes the UploadedFile

    def _stop(self, file_name: str, code: str):
        self.refused_name, self.refused_code = file_name or "", code
        self.refused_field = self.field_name or ""
        # connection_reset: Django reads no more of the body (nor drains it to the end).
        raise StopUpload(connection_reset=True)

    @property
    def refusal(self) -> RefusedFile | None:
        """Why the upload was stopped, as the error the form shows; None if it was not."""
        if self.refused_code == "too_large":
            return too_large(self.max_bytes, name=self.refused_name)
        if self.refused_code == "too_many_files":
            return RefusedFile(too_many_files_message(self.max_files), code="too_many_files")
        return None


def too_many_files_message(limit: int) -> str:
    return ngettext(
        "Add at most %(count)d file at a time.", "Add at most %(count)d files at a time.", limit
    ) % {"count": limit}


def size_capped_upload(request: HttpRequest) -> SizeCappedUploadHandler | None:
    """The cap handler installed on this request by `caps_upload_size`, if any."""
    return getattr(request, "evidence_upload_handler", None)


def caps_upload_size(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Install the size cap before the body is read, then check CSRF as the middleware would."""
    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        handler = SizeCappedUploadHandler(request)
        request.upload_handlers.insert(0, handler)
        request.evidence_upload_handler = handler  # type: ignore[attr-defined]
        return protected(request, *args, **kwargs)

    return wrapper
