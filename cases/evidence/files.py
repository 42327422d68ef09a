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
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
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

# What a refused file really is, for "report.pdf is really a ZIP archive".
WHAT_IT_IS = {
    "zip": _("a ZIP archive"),
    "word": _("a Word document"),
    "excel": _("an Excel spreadsheet"),
    "powerpoint": _("a PowerPoint presentation"),
    "opendocument": _("an OpenDocument file"),
    "office": _("an old Microsoft Office document"),
    "rar": _("a RAR archive"),
    "7z": _("a 7-Zip archive"),
    "gzip": _("a compressed (gzip) file"),
    "program": _("a program"),
    "script": _("a script"),
    "html": _("a web page (HTML)"),
    "svg": _("an SVG drawing"),
    "gif": _("a GIF image"),
    "bmp": _("a BMP image"),
    "tiff": _("a TIFF image"),
    "video": _("a video"),
    "audio": _("a sound recording"),
    "rtf": _("a rich-text (RTF) document"),
    "pdf": _("a PDF"),
    "jpeg": _("a JPEG photo"),
    "png": _("a PNG image"),
    "heic": _("a HEIC photo"),
    "webp": _("a WebP image"),
    "text": _("a text file"),
    "eml": _("a saved email"),
}
# What the name promises, by extension: the kinds Closeout keeps.
CLAIMED_BY_EXTENSION = {
    "pdf": "pdf",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "png": "png",
    "heic": "heic",
    "heif": "heic",
    "webp": "webp",
    "txt": "text",
    "eml": "eml",
}
# First bytes of formats people often send instead of a proof.
SIGNATURES = (
    (b"Rar!\x1a\x07", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x1f\x8b", "gzip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "office"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"BM", "bmp"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"{\\rtf", "rtf"),
    (b"ID3", "audio"),
    (b"OggS", "audio"),
    (b"fLaC", "audio"),
    (b"\x1aE\xdf\xa3", "video"),
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
    name = clean_name(upload.name or "")
    return check_upload(read_upload(upload, name=name), name=name)


def check_pasted(text: str) -> CheckedFile:
    """The pasted text of a message, kept as a plain text file."""
    return check_upload(text.strip().encode() + b"\n", name="pasted-message.txt")


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


def read_upload(upload, *, max_bytes: int | None = None, name: str = "") -> bytes:
    """The bytes of an UploadedFile, refusing one over the cap (the handler caps the stream)."""
    limit = settings.EVIDENCE_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise too_large(limit, name=name or clean_name(upload.name or ""))
    return content


def too_large(limit: int, *, name: str = "") -> RefusedFile:
    message = gettext(
        "%(name)s is larger than %(size)s, the most one file may be. Nothing was added: "
        "send a smaller copy or a screenshot of it, and choose any other files again."
    )
    return RefusedFile(
        message % {"name": clean_name(name), "size": megabytes(limit)}, code="too_large"
    )


def megabytes(size: int) -> str:
    mib = size / (1024 * 1024)
    return f"{mib:.0f} MB" if mib >= 1 else f"{max(size // 1024, 1)} KB"


def check_upload(content: bytes, *, name: str) -> CheckedFile:
    """Accept a PDF, an image (re-encoded), plain text or an .eml; refuse everything else."""
    original_name = clean_name(name)
    if not content:
        raise RefusedFile(gettext("%(name)s is empty.") % {"name": original_name}, code="empty")
    if content.startswith(EXECUTABLE_MAGIC):
        raise refused("executable", name=original_name, content=content)
    if _is_zip(content):
        # Also catches polyglots: a JPEG or PDF with a ZIP archive appended is two files in one.
        raise refused("archive", name=original_name, content=content)
    if content.startswith(b"%PDF-"):
        return _checked_pdf(content, original_name=original_name)
    image = _open_image(content, name=original_name)
    if image is not None:
        return _checked_image(image, original_name=original_name)
    return _checked_text(content, original_name=original_name)


def refused(code: str, *, name: str = "", content: bytes = b"", kind: str = "") -> RefusedFile:
    """A refusal that says what the file really is, then what Closeout keeps."""
    what = what_it_is_message(name, content, kind=kind)
    return RefusedFile(f"{what} {ACCEPTED_MESSAGE}", code=code)


def sniffed_kind(content: bytes) -> str:
    """What a refused file is, by its content: a key of WHAT_IT_IS, or "" when unknown."""
    if content.startswith(b"#!"):
        return "script"
    if content.startswith(EXECUTABLE_MAGIC):
        return "program"
    if _is_zip(content):
        return _zip_kind(content)
    for signature, kind in SIGNATURES:
        if content.startswith(signature):
            return kind
    if content[4:8] == b"ftyp":
        brand = content[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"heif"):
            return "heic"
        return "audio" if brand in (b"M4A ", b"M4B ") else "video"
    if content.startswith(b"RIFF"):
        return {b"WEBP": "webp", b"WAVE": "audio", b"AVI ": "video"}.get(content[8:12], "")
    if content.startswith(b"%PDF-"):
        return "pdf"
    head = content[:65536]
    if re.search(rb"<\s*svg\b", head, re.IGNORECASE):
        return "svg"
    if MARKUP_START.match(head) or MARKUP.search(head):
        return "html"
    return ""


def _zip_kind(content: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()[:200]
    except (zipfile.BadZipFile, OSError, ValueError):
        return "zip"
    for prefix, kind in (("word/", "word"), ("xl/", "excel"), ("ppt/", "powerpoint")):
        if any(member.startswith(prefix) for member in names):
            return kind
    return "opendocument" if "mimetype" in names and "content.xml" in names else "zip"


KEPT_KINDS = frozenset(CLAIMED_BY_EXTENSION.values())


def what_it_is_message(name: str, content: bytes, *, kind: str = "") -> str:
    """ "report.pdf is really a ZIP archive, not a PDF." — by content, whatever the name says."""
    claimed = CLAIMED_BY_EXTENSION.get(PurePath(name).suffix.lower().lstrip("."), "")
    kind = kind or sniffed_kind(content)
    params: dict[str, object] = {"name": name or "evidence"}
    if kind in KEPT_KINDS:
        params["what"] = WHAT_IT_IS[kind]
        return gettext("%(name)s looks like %(what)s, but Closeout cannot read it.") % params
    if kind and claimed and kind != claimed:
        params |= {"what": WHAT_IT_IS[kind], "claimed": WHAT_IT_IS[claimed]}
        return gettext("%(name)s is really %(what)s, not %(claimed)s.") % params
    if kind:
        params["what"] = WHAT_IT_IS[kind]
        return gettext("%(name)s is %(what)s.") % params
    if claimed:
        params["claimed"] = WHAT_IT_IS[claimed]
        return (
            gettext("%(name)s is not really %(claimed)s: Closeout cannot tell what it is.") % params
        )
    return gettext("Closeout cannot tell what kind of file %(name)s is.") % params


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
        raise refused("pdf", name=original_name, content=content)
    if b"%%EOF" not in content[-32768:]:
        message = gettext(
            "%(name)s is an incomplete or damaged PDF. Save it again from where you got it."
        )
        raise RefusedFile(message % {"name": original_name}, code="pdf_damaged")
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


def _bomb(name: str) -> RefusedFile:
    message = gettext("%(name)s is too large to open safely. Send a screenshot or a smaller copy.")
    return RefusedFile(message % {"name": name}, code="too_many_pixels")


# Bytes Pillow keeps per pixel: one for grey and palette images, two for 16-bit grey, and
# four for everything else (RGB too is stored as four bytes a pixel).
ONE_BYTE_MODES = frozenset({"1", "L", "P"})
TWO_BYTE_MODES = frozenset({"I;16", "I;16B", "I;16L", "I;16N"})
GREY_MODES = frozenset({"1", "L", "I;16", "I"})
# Large images skip PNG's slowest compression: optimize tries every filter at level 9.
OPTIMIZE_MAX_PIXELS = 4_000_000


def pixel_bytes(mode: str) -> int:
    if mode in ONE_BYTE_MODES:
        return 1
    return 2 if mode in TWO_BYTE_MODES else 4


def decoded_bytes(image: Image.Image) -> int:
    """The memory one decoded copy of `image` takes, from its header alone (no pixel read)."""
    width, height = image.size
    # Kept as grey (one byte), or turned into RGB(A) on the way (four): count the larger.
    kept = 1 if image.mode in GREY_MODES else 4
    return width * height * max(pixel_bytes(image.mode), kept)


def memory_budget() -> int:
    return settings.EVIDENCE_MAX_IMAGE_DECODED_BYTES


def _too_big_to_open(name: str, image: Image.Image) -> RefusedFile:
    width, height = image.size
    megapixels = memory_budget() / max(decoded_bytes(image) / (width * height), 1) / 1e6
    message = gettext(
        "%(name)s is too big to open: %(width)d × %(height)d pixels. Send a copy of at most "
        "%(megapixels)s megapixels (a screenshot, or the photo saved at a smaller size)."
    )
    params = {
        "name": name,
        "width": width,
        "height": height,
        "megapixels": str(max(int(megapixels), 1)),
    }
    return RefusedFile(message % params, code="too_much_memory")


def _open_image(content: bytes, *, name: str = "") -> Image.Image | None:
    """The image if Pillow and puremagic both recognise an accepted format, else None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content), formats=list(IMAGE_FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _bomb(name) from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None
    if image.format not in PUREMAGIC_MIME:
        return None
    if not PUREMAGIC_MIME[image.format] & _puremagic_mimes(content[:4096]):
        return None
    return image


def _fit_memory(image: Image.Image, *, name: str) -> None:
    """Refuse, before decoding, an image whose pixels would pass the memory budget.

    A JPEG is decoded smaller instead (draft mode: 1/2, 1/4 or 1/8 of its size, straight
    from its compressed data), so a large phone photo is kept at a size that fits.
    """
    budget = memory_budget()
    if decoded_bytes(image) <= budget:
        return
    if image.format == "JPEG" and image.mode in ("RGB", "L", "CMYK", "YCbCr"):
        width, height = image.size
        for scale in (2, 4, 8):
            if width * height * 4 // (scale * scale) <= budget:
                target = "L" if image.mode == "L" else "RGB"
                image.draft(target, (-(-width // scale), -(-height // scale)))
                break
    if decoded_bytes(image) > budget:
        raise _too_big_to_open(name, image)


def _checked_image(image: Image.Image, *, original_name: str) -> CheckedFile:
    width, height = image.size
    # Checked on the header's size, before a single pixel is decoded.
    if width * height > max_pixels() or width <= 0 or height <= 0:
        raise _bomb(original_name)
    _fit_memory(image, name=original_name)
    content_type, extension, write_format = IMAGE_FORMATS[image.format or ""]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.seek(0)  # the first frame of an animation or an image sequence
            image.load()
            ImageOps.exif_transpose(image, in_place=True)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _bomb(original_name) from error
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        message = gettext(
            "%(name)s is damaged and cannot be opened. Take a new screenshot or photo."
        )
        raise RefusedFile(message % {"name": original_name}, code="image_damaged") from error
    clean = _without_metadata(image, opaque=write_format == "JPEG")
    content = _encode(clean, write_format)
    checked = CheckedFile(
        content=content,
        content_type=content_type,
        extension=extension,
        sha256=sha256_of(content),
        original_name=original_name,
        thumbnail=make_thumbnail(clean),
        width=clean.width,
        height=clean.height,
    )
    clean.close()
    return checked


def _replaced(old: Image.Image, new: Image.Image | None) -> Image.Image:
    """`new` in place of `old`, whose pixels are freed at once (callers may still hold it)."""
    if new is None or new is old:
        return old
    old.close()
    return new


def _without_metadata(image: Image.Image, *, opaque: bool) -> Image.Image:
    """The pixels alone, in sRGB: no EXIF, XMP, ICC, comments or text chunks survive.

    At most two decoded copies live at once: each step frees the copy it replaces.
    """
    icc = image.info.get("icc_profile")
    has_alpha = "A" in image.getbands() or "transparency" in image.info
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            target_mode = "RGBA" if "A" in image.getbands() else "RGB"
            if image.mode != target_mode:
                image = _replaced(image, image.convert(target_mode))
            ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), inPlace=True)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable profile: keep the pixels as they are
    if opaque or not has_alpha:
        mode = "L" if image.mode in GREY_MODES else "RGB"
    else:
        mode = "LA" if image.mode in ("LA", "La") else "RGBA"
    if image.mode != mode:
        image = _replaced(image, image.convert(mode))
    # A new image painted with the pixels carries no info dict and no EXIF at all.
    clean = Image.new(mode, image.size)
    clean.paste(image)
    image.close()
    return clean


def _encode(image: Image.Image, write_format: str) -> bytes:
    out = io.BytesIO()
    if write_format == "JPEG":
        image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    elif write_format == "WEBP":
        image.save(out, format="WEBP", quality=90, method=4)
    elif image.width * image.height <= OPTIMIZE_MAX_PIXELS:
        image.save(out, format="PNG", optimize=True)
    else:
        image.save(out, format="PNG", compress_level=6)
    return out.getvalue()


def make_thumbnail(image: Image.Image) -> bytes:
    """A small JPEG for lists and the case page, made from the already clean image."""
    width, height = image.size
    ratio = min(THUMBNAIL_SIZE[0] / width, THUMBNAIL_SIZE[1] / height, 1)
    size = (max(round(width * ratio), 1), max(round(height * ratio), 1))
    # Straight to the small size (reduce, then resample): never a full-size copy.
    small = image.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)
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
            raise refused("eml_damaged", name=original_name, kind="eml") from error
        content_type = EML
    else:
        if _decode_text(content) is None:
            raise refused("unknown", name=original_name, content=content)
        content_type = TEXT
    if content_type == TEXT and (MARKUP_START.match(content) or MARKUP.search(content[:65536])):
        # HTML or SVG (with or without script): a browser renders it, so it is not plain text.
        raise refused("markup", name=original_name, content=content)
    mimes = _puremagic_mimes(content[:4096])
    if any(mime.startswith(("image/svg", "text/html", "application/xhtml")) for mime in mimes):
        raise refused("markup", name=original_name, content=content)
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
