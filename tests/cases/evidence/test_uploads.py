"""The size cap holds while the body streams: an oversized upload is refused unread."""

import io

import pytest
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from cases.evidence import uploads
from tests.cases.evidence import samples

CSRF_SECRET = "a" * 32


class CountingStream(io.BytesIO):
    """The request body as the server reads it, remembering how much was read."""

    def __init__(self, content: bytes) -> None:
        super().__init__(content)
        self.bytes_read = 0

    def read(self, size=-1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk

    def readline(self, size=-1) -> bytes:
        line = super().readline(size)
        self.bytes_read += len(line)
        return line


@uploads.caps_upload_size
def upload_view(request: HttpRequest) -> HttpResponse:
    """What an evidence view does: read the files, report the cap handler's refusal."""
    handler = uploads.size_capped_upload(request)
    names = ",".join(upload.name for upload in request.FILES.getlist("files"))
    refusal = handler.refusal
    return HttpResponse(
        f"note={request.POST.get('note', '')}|files={names}|"
        f"refused={refusal.code if refusal else ''}|{refusal.messages[0] if refusal else ''}"
    )


def post(data: dict, *, csrf: bool = True) -> tuple[HttpResponse, CountingStream, int]:
    fields = {"csrfmiddlewaretoken": CSRF_SECRET, **data} if csrf else data
    body = encode_multipart(BOUNDARY, fields)
    stream = CountingStream(body)
    environ = RequestFactory()._base_environ(
        REQUEST_METHOD="POST",
        PATH_INFO="/upload/",
        CONTENT_TYPE=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(len(body)),
        HTTP_COOKIE=f"csrftoken={CSRF_SECRET}",
        **{"wsgi.input": stream},
    )
    return upload_view(WSGIRequest(environ)), stream, len(body)


def named(name: str, content: bytes) -> io.BytesIO:
    upload = io.BytesIO(content)
    upload.name = name
    return upload


@pytest.fixture(autouse=True)
def _small_cap(settings):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 256 * 1024
    settings.EVIDENCE_MAX_FILES_PER_UPLOAD = 3


def test_upload_under_the_cap_arrives_whole():
    response, stream, length = post(
        {"note": "the SMS", "files": [named("a.txt", b"cancelled"), named("b.png", b"x" * 1000)]}
    )
    assert response.content.decode().startswith("note=the SMS|files=a.txt,b.png|refused=|")
    assert stream.bytes_read == length


def test_oversized_body_is_refused_before_it_is_all_read():
    big = samples.pdf_document() + b"%" * (8 * 1024 * 1024)  # 8 MiB against a 256 KiB cap

    response, stream, length = post({"note": "bill", "files": [named("bill.pdf", big)]})

    text = response.content.decode()
    assert "|files=|refused=too_large|" in text
    assert "larger than 256 KB" in text
    assert text.startswith("note=bill|")  # what came before the file is kept
    # Django reads in 64 KiB chunks: it stopped within a chunk or two of the cap.
    assert stream.bytes_read < 256 * 1024 + 3 * 64 * 1024
    assert stream.bytes_read < length / 10


def test_cap_counts_each_file_not_the_request():
    files = [named(f"{n}.txt", b"x" * 200 * 1024) for n in range(3)]  # 600 KiB in all
    response, _stream, _length = post({"files": files})
    assert "files=0.txt,1.txt,2.txt|refused=|" in response.content.decode()


def test_too_many_files_in_one_upload_are_refused():
    files = [named(f"{n}.txt", b"proof") for n in range(5)]
    response, _stream, _length = post({"files": files})
    text = response.content.decode()
    assert "refused=too_many_files|Add at most 3 files at a time." in text


def test_csrf_is_still_checked():
    response, _stream, _length = post({"files": [named("a.txt", b"x")]}, csrf=False)
    assert response.status_code == 403
