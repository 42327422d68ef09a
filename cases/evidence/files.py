"""What an uploaded file really is: sniffed by content, images re-encoded clean, hashed.

Pure functions of bytes: no models, no storage. `check_upload()` either returns a
`CheckedFile` (the bytes to store, their type and SHA-256, a thumbnail for images) or raises
`RefusedFile` with a message a person can act on. The name and the browser's content type
are never trusted: only the content decides.
"""

import email
import email.policy
import hashlib
import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import PurePath

import pillow_heif
import puremagic
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

# Only the primary image: thumbnails, depth maps and auxiliary images are never kept.
pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
WEBP = "image/webp"
TEXT = "text/plain"
EML = "message/rfc822"

# Pillow format name → (stored content type, extension, Pillow format to write).
# HEIC/HEIF is turned into JPEG: browsers other than Safari cannot show it.
IMAGE_FORMATS = {
    "PNG": (PNG, "png", "PNG"),
    "JPEG": (JPEG, "jpg", "JPEG"),
    "WEBP": (WEBP, "webp", "WEBP"),
    "HEIF": (JPEG, "jpg", "JPEG"),
}
# What puremagic must also see in the bytes for Pillow's verdict to stand.
PUREMAGIC_MIME = {
    "PNG": {PNG},
    "JPEG": {JPEG},
    "WEBP": {WEBP},
    "HEIF": {"image/heif", "image/heic", "image/heif-sequence", "image/heic-sequence"},
}
EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg", WEBP: "webp", TEXT: "txt", EML: "eml"}
# Re-encoded images and server-made thumbnails may be shown inline; nothing else is.
INLINE_TYPES = frozenset({PNG, JPEG, WEBP})

THUMBNAIL_SIZE = (480, 480)
JPEG_QUALITY = 88

ACCEPTED_MESSAGE = _(
    "Closeout keeps PDF files, photos and screenshots (JPEG, PNG, HEIC or WebP), plain text "
    "files and emails saved as .eml. Save or export the proof as one of these and add it again."
)

# Executables and scripts by their first bytes. Refused even when they would decode as
# something else: a file that is also a program is not a proof.
EXECUTABLE_MAGIC = (
    b"MZ",  # Windows PE, DOS
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O, both word sizes and byte orders, and fat binaries
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O fat binary, Java class
    b"dex\n",
    b"#!",
    b"\x00asm",
)
# Markup a browser would run or render; refused in plain text as in any other file.
MARKUP = re.compile(
    rb"<\s*(?:!doctype|html|head|body|script|svg|iframe|frameset|object|embed|meta|\?xml|xsl)\b",
    re.IGNORECASE,
)
# A file that opens with a tag is markup whatever tags follow.
MARKUP_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<[a-z!?/]", re.IGNORECASE)
# RFC 5322 header lines: a field name, a colon; or a folded continuation.
HEADER_LINE = re.compile(rb"^(?:[!-9;-~]+:|[ \t])")
EML_REQUIRED = ("from",)
EML_ANY_OF = ("date", "subject", "message-id", "to")
TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class RefusedFile(ValidationError):
    """The upload is not one Closeout keeps; the message says why and what is accepted."""


@dataclass(frozen=True)
class CheckedFile:
    """An accepted upload: exactly the bytes to store, and what they are."""

    content: bytes
    content_type: str
    extension: str
    sha256: str
    original_name: str
    thumbnail: bytes = b""
    width: int = 0
    height: int = 0

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def is_image(self) -> bool:
        return self.content_type in INLINE_TYPES

    @property
    def stored_name(self) -> str:
        """The original name with the extension of what is stored (IMG_1.HEIC → IMG_1.jpg)."""
        return f"{PurePath(self.original_name).stem or 'evidence'}.{self.extension}"


@dataclass(frozen=True)
class NewEvidence:
    """One checked file with what the person said about it."""

    checked: CheckedFile
    kind: str
    note: str = ""


def check_uploaded(upload) -> CheckedFile:
    """Read and judge one Django UploadedFile; raises RefusedFile with the person's message."""
    return check_upload(read_upload(upload), name=upload.name or "")


def check_pasted(text: str) -> CheckedFile:
    """The pasted text of a message, kept as a plain text file."""
    return check_upload(text.strip().encode() + b"\n", name="pasted-message.txt")


def evidence_from_field(
    form: forms.Form, name: str, *, kind: str, note: str = ""
) -> NewEvidence | None:
    """The upload or pasted message in `form`'s cleaned field `name`, checked, as evidence to
    keep; None when the field is empty or refused (the refusal is put beside the field)."""
    value = form.cleaned_data.get(name)
    if isinstance(value, str):
        value = value.strip()
    if not value:
        return None
    try:
        checked = check_pasted(value) if isinstance(value, str) else check_uploaded(value)
    except RefusedFile as refused:
        form.add_error(name, refused)
        return None
    return NewEvidence(checked=checked, kind=kind, note=note)


@dataclass(frozen=True)
class EmailSummary:
    """What a saved email shows: its headers and its text, never its HTML."""

    headers: list[tuple[str, str]]
    text: str
    attachments: list[str] = field(default_factory=list)


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def clean_name(name: str) -> str:
    """A display name from what the browser sent: the last path part, no control characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    return name[:200] or "evidence"


def read_upload(upload, *, max_bytes: int | None = None) -> bytes:
    """The bytes of an UploadedFile, refusing one over the cap (the handler caps the stream)."""
    limit = settings.EVIDENCE_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise too_large(limit)
    return content


def too_large(limit: int) -> RefusedFile:
    return RefusedFile(
        _("This file is larger than %(size)s. Send a smaller copy or a screenshot of it."),
        code="too_large",
        params={"size": megabytes(limit)},
    )


def megabytes(size: int) -> str:
    mib = size / (1024 * 1024)
    return f"{mib:.0f} MB" if mib >= 1 else f"{max(size // 1024, 1)} KB"


def check_upload(content: bytes, *, name: str) -> CheckedFile:
    """Accept a PDF, an image (re-encoded), plain text or an .eml; refuse everything else."""
    original_name = clean_name(name)
    if not content:
        raise RefusedFile(_("This file is empty."), code="empty")
    if content.startswith(EXECUTABLE_MAGIC):
        raise refused("executable")
    if _is_zip(content):
        # Also catches polyglots: a JPEG or PDF with a ZIP archive appended is two files in one.
        raise refused("archive")
    if content.startswith(b"%PDF-"):
        return _checked_pdf(content, original_name=original_name)
    image = _open_image(content)
    if image is not None:
        return _checked_image(image, original_name=original_name)
    return _checked_text(content, original_name=original_name)


def refused(code: str) -> RefusedFile:
    return RefusedFile(ACCEPTED_MESSAGE, code=code)


def _is_zip(content: bytes) -> bool:
    # zipfile finds the end-of-central-directory record wherever a ZIP reader would, so a
    # ZIP hidden after another format's data is found too; a local header at the start is
    # a ZIP (or an Office/OpenDocument/APK file) even with its directory cut off.
    return content.startswith(b"PK\x03\x04") or zipfile.is_zipfile(io.BytesIO(content))


def _puremagic_mimes(content: bytes) -> set[str]:
    try:
        return {match.mime_type for match in puremagic.magic_string(content)}
    except puremagic.PureError:
        return set()


def _checked_pdf(content: bytes, *, original_name: str) -> CheckedFile:
    if PDF not in _puremagic_mimes(content[:4096]):
        raise refused("pdf")
    if b"%%EOF" not in content[-32768:]:
        raise RefusedFile(
            _("This PDF is incomplete or damaged. Save it again from where you got it."),
            code="pdf_damaged",
        )
    return CheckedFile(
        content=content,
        content_type=PDF,
        extension="pdf",
        sha256=sha256_of(content),
        original_name=original_name,
    )


# --- Images ------------------------------------------------------------------------------------


def max_pixels() -> int:
    return settings.EVIDENCE_MAX_IMAGE_PIXELS


def _bomb() -> RefusedFile:
    return RefusedFile(
        _("This image is too large to open safely. Send a screenshot or a smaller copy."),
        code="too_many_pixels",
    )


def _open_image(content: bytes) -> Image.Image | None:
    """The image if Pillow and puremagic both recognise an accepted format, else None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content), formats=list(IMAGE_FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _bomb() from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None
    if image.format not in PUREMAGIC_MIME:
        return None
    if not PUREMAGIC_MIME[image.format] & _puremagic_mimes(content[:4096]):
        return None
    return image


def _checked_image(image: Image.Image, *, original_name: str) -> CheckedFile:
    width, height = image.size
    # Checked on the header's size, before a single pixel is decoded.
    if width * height > max_pixels() or width <= 0 or height <= 0:
        raise _bomb()
    content_type, extension, write_format = IMAGE_FORMATS[image.format or ""]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.seek(0)  # the first frame of an animation or an image sequence
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _bomb() from error
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        raise RefusedFile(
            _("This image is damaged and cannot be opened. Take a new screenshot or photo."),
            code="image_damaged",
        ) from error
    clean = _without_metadata(upright, opaque=write_format == "JPEG")
    content = _encode(clean, write_format)
    return CheckedFile(
        content=content,
        content_type=content_type,
        extension=extension,
        sha256=sha256_of(content),
        original_name=original_name,
        thumbnail=make_thumbnail(clean),
        width=clean.width,
        height=clean.height,
    )


def _without_metadata(image: Image.Image, *, opaque: bool) -> Image.Image:
    """The pixels alone, in sRGB: no EXIF, XMP, ICC, comments or text chunks survive."""
    icc = image.info.get("icc_profile")
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            target_mode = "RGBA" if "A" in image.getbands() else "RGB"
            converted = ImageCms.profileToProfile(
                image.convert(target_mode),
                source,
                ImageCms.createProfile("sRGB"),
                outputMode=target_mode,
            )
            image = converted or image
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable profile: keep the pixels as they are
    has_alpha = "A" in image.getbands() or "transparency" in image.info
    if opaque or not has_alpha:
        mode = "L" if image.mode in ("1", "L", "I;16", "I") else "RGB"
    else:
        mode = "LA" if image.mode in ("LA", "La") else "RGBA"
    converted = image.convert(mode)
    # A new image from raw pixels carries no info dict and no EXIF at all.
    return Image.frombytes(mode, converted.size, converted.tobytes())


def _encode(image: Image.Image, write_format: str) -> bytes:
    out = io.BytesIO()
    if write_format == "JPEG":
        image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    elif write_format == "WEBP":
        image.save(out, format="WEBP", quality=90, method=4)
    else:
        image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def make_thumbnail(image: Image.Image) -> bytes:
    """A small JPEG for lists and the case page, made from the already clean image."""
    small = image.copy()
    small.thumbnail(THUMBNAIL_SIZE)
    if small.mode not in ("RGB", "L"):
        background = Image.new("RGB", small.size, "white")
        background.paste(small, mask=small.getchannel("A") if "A" in small.getbands() else None)
        small = background
    out = io.BytesIO()
    small.save(out, format="JPEG", quality=80)
    return out.getvalue()


# --- Text and email ------------------------------------------------------------------------------


def _decode_text(content: bytes) -> str | None:
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if TEXT_CONTROL.search(text):
        return None
    return text


def _checked_text(content: bytes, *, original_name: str) -> CheckedFile:
    if _looks_like_email(content):
        try:
            summarise_email(content)
        except (ValueError, LookupError, TypeError) as error:
            raise refused("eml_damaged") from error
        content_type = EML
    else:
        if _decode_text(content) is None:
            raise refused("unknown")
        content_type = TEXT
    if content_type == TEXT and (MARKUP_START.match(content) or MARKUP.search(content[:65536])):
        # HTML or SVG (with or without script): a browser renders it, so it is not plain text.
        raise refused("markup")
    mimes = _puremagic_mimes(content[:4096])
    if any(mime.startswith(("image/svg", "text/html", "application/xhtml")) for mime in mimes):
        raise refused("markup")
    return CheckedFile(
        content=content,
        content_type=content_type,
        extension=EXTENSIONS[content_type],
        sha256=sha256_of(content),
        original_name=original_name,
    )


def _looks_like_email(content: bytes) -> bool:
    head, separator, _body = content.replace(b"\r\n", b"\n").partition(b"\n\n")
    if not separator:
        return False
    lines = head.split(b"\n")
    if lines and lines[0].startswith(b"From ") and not lines[0].startswith(b"From:"):
        lines = lines[1:]  # an mbox "From " line before the headers
    if not lines or not all(HEADER_LINE.match(line) for line in lines):
        return False
    names = {line.split(b":", 1)[0].strip().lower().decode("ascii", "replace") for line in lines}
    return all(name in names for name in EML_REQUIRED) and any(n in names for n in EML_ANY_OF)


SHOWN_HEADERS = ("From", "To", "Cc", "Date", "Subject", "Message-ID")


def summarise_email(content: bytes) -> EmailSummary:
    """The headers and text of a saved email, for showing escaped; HTML becomes plain text."""
    message = email.message_from_bytes(content, policy=email.policy.default)
    headers = []
    for name in SHOWN_HEADERS:
        value = message.get(name)
        if value is not None:
            headers.append((name, _one_line(str(value))))
    text = ""
    attachments = []
    if isinstance(message, EmailMessage):
        body = message.get_body(preferencelist=("plain", "html"))
        if body is not None:
            text = _part_text(body)
            if body.get_content_subtype() == "html":
                text = html_to_text(text)
        attachments = [clean_name(part.get_filename() or "") for part in message.iter_attachments()]
    return EmailSummary(headers=headers, text=text.strip(), attachments=attachments)


def _part_text(part) -> str:
    try:
        return part.get_content()
    except (LookupError, ValueError, AssertionError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", "replace")


def _one_line(value: str) -> str:
    return " ".join(value.split())


class _TextOnly(HTMLParser):
    SKIPPED = frozenset({"script", "style", "head", "title"})
    BREAKS = frozenset({"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "table"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag) -> None:
        if tag in self.SKIPPED and self.skipping:
            self.skipping -= 1
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_data(self, data) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The words of an HTML email, without its markup: shown as text, never rendered."""
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    return re.sub(r"\n\s*\n+", "\n\n", re.sub(r"[ \t]+", " ", text)).strip()
