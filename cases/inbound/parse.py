"""What a received email says, read from its raw bytes with the `email` package (policy.default).

Pure: no models, no storage, no settings beyond the caps handed in. Real mail comes in many
charsets, often mislabelled (GB2312 that holds GBK characters, Big5 with HKSCS, "ISO-8859-1"
that is Windows-1252), so text parts are decoded here through the superset codec a mail client
would use, and an undecodable byte becomes U+FFFD instead of an error. HTML is never kept as
HTML: it is rendered to plain text (cases.evidence.files.html_to_text).
"""

import datetime as dt
import email
import email.parser
import email.policy
import email.utils
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message

from cases.evidence.files import clean_name, html_to_text

# Labels real mail uses, read with the codec that decodes what senders actually wrote.
CHARSET_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "x-big5": "big5hkscs",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "utf8": "utf-8",
}
MAX_TEXT_CHARS = 200_000

# A forward inlined in the body: the marker line, then the original's header block.
FORWARD_MARKER = re.compile(
    r"^[ >]*(?:-{2,}\s*(?:Forwarded message|Original Message|Weitergeleitete Nachricht|"
    r"转发的邮件|原始邮件|轉寄的郵件)\s*-{2,}|Begin forwarded message:|"
    r"-{3,}\s*(?:转发邮件信息|原始邮件|Forwarded)\s*-{3,})\s*$",
    re.IGNORECASE | re.MULTILINE,
)
FORWARD_FROM = re.compile(r"^[ >]*(?:From|发件人|寄件者|寄件人)\s*[:：]\s*(.+)$", re.MULTILINE)
ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
BOUNCE_SENDERS = ("mailer-daemon", "postmaster")


class TooComplex(ValueError):
    """More parts or deeper nesting than the caps allow."""


@dataclass(frozen=True)
class Attachment:
    name: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class Forwarded:
    """A message carried inside this one (message/rfc822): who wrote it and what it says."""

    from_address: str
    subject: str
    text: str


@dataclass(frozen=True)
class ParsedMail:
    message_id: str
    from_address: str
    from_name: str
    subject: str
    sent_at: dt.datetime | None
    text: str
    # Set when the message carries another: the original sender of a forward.
    original_from: str = ""
    auto_submitted: str = ""  # the Auto-Submitted value (RFC 3834), or another auto-reply mark
    is_bounce: bool = False
    return_path: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    forwarded: list[Forwarded] = field(default_factory=list)

    @property
    def all_text(self) -> str:
        """This message's words and those of every message it carries (for the suggestion)."""
        # The body first: its sentence is the better quote when the subject says the same.
        return "\n\n".join(
            [self.text, *(f"{f.text}\n{f.subject}" for f in self.forwarded), self.subject]
        )


def clean(value: object) -> str:
    """A header's text on one line, raw 8-bit bytes decoded as UTF-8 where they were escaped."""
    text = str(value or "")
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return " ".join(text.split())


def message_id_of(raw: bytes) -> str:
    """The Message-ID alone, from the header block (the receive path reads no more)."""
    parser = email.parser.BytesHeaderParser(policy=email.policy.compat32)
    headers = parser.parsebytes(raw[: 256 * 1024])
    return clean(headers.get("Message-ID", "")).strip()[:998]


def recipients_of(raw: bytes) -> list[str]:
    """Where a message says it went (Delivered-To, X-Original-To, To, Cc), when the mail
    server did not pass the envelope recipient."""
    parser = email.parser.BytesHeaderParser(policy=email.policy.compat32)
    headers = parser.parsebytes(raw[: 256 * 1024])
    values: list[str] = []
    for name in ("Delivered-To", "X-Original-To", "Envelope-To", "To", "Cc"):
        values += [clean(v) for v in headers.get_all(name, [])]
    return [address for _name, address in email.utils.getaddresses(values) if address]


def decode_part(part: Message) -> str:
    """A text part's words, whatever its transfer encoding and (mislabelled) charset."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    label = (part.get_content_charset() or "utf-8").lower()
    codec = CHARSET_SUPERSETS.get(label, label)
    try:
        text = payload.decode(codec, "replace")
    except LookupError:
        text = payload.decode("utf-8", "replace")
    return text[:MAX_TEXT_CHARS].replace("\r\n", "\n")


def _check_shape(message: Message, *, max_parts: int, max_depth: int) -> None:
    """Walk without recursion: a hostile message nested a thousand deep costs nothing here."""
    count = 0
    stack: list[tuple[Message, int]] = [(message, 0)]
    while stack:
        part, depth = stack.pop()
        count += 1
        if count > max_parts or depth > max_depth:
            raise TooComplex
        payload = part.get_payload()
        if isinstance(payload, list):
            stack.extend((child, depth + 1) for child in payload if isinstance(child, Message))


def _body_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    text = decode_part(body)
    if body.get_content_subtype() == "html":
        text = html_to_text(text)
    return text.strip()


def _address(value: object) -> tuple[str, str]:
    name, address = email.utils.parseaddr(clean(value))
    return clean(name)[:200], address.strip().lower()[:320]


def _date(value: object) -> dt.datetime | None:
    try:
        parsed = email.utils.parsedate_to_datetime(clean(value))
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None or parsed.tzinfo is None:
        return None
    return parsed


def _auto_submitted(message: Message) -> str:
    value = clean(message.get("Auto-Submitted", "")).lower()
    if value and value != "no":
        return value.split(";")[0].strip()
    if message.get("X-Autoreply") or message.get("X-Autorespond"):
        return "auto-replied"
    if clean(message.get("Precedence", "")).lower() == "auto_reply":
        return "auto-replied"
    return ""


def _is_bounce(message: Message, from_address: str) -> bool:
    if message.get_content_type() == "multipart/report":
        return str(message.get_param("report-type", "")).lower() == "delivery-status"
    if any(part.get_content_type() == "message/delivery-status" for part in _children(message)):
        return True
    return from_address.partition("@")[0] in BOUNCE_SENDERS


def _children(message: Message) -> list[Message]:
    payload = message.get_payload()
    return (
        [part for part in payload if isinstance(part, Message)] if isinstance(payload, list) else []
    )


def _inline_forward_from(text: str) -> str:
    marker = FORWARD_MARKER.search(text)
    if marker is None:
        return ""
    found = FORWARD_FROM.search(text, marker.end())
    if found is None:
        return ""
    address = ADDRESS.search(found.group(1))
    return address.group(0).lower() if address else ""


def _forwarded(part: EmailMessage) -> Forwarded | None:
    inner = part.get_payload()
    inner = inner[0] if isinstance(inner, list) and inner else inner
    if not isinstance(inner, EmailMessage):
        return None
    _name, address = _address(inner.get("From", ""))
    return Forwarded(
        from_address=address, subject=clean(inner.get("Subject", ""))[:500], text=_body_text(inner)
    )


def _is_inline_image(part: EmailMessage) -> bool:
    # Logos and signatures that an HTML body shows by Content-ID: decoration, not proof.
    return (
        part.get_content_maintype() == "image"
        and bool(part.get("Content-ID"))
        and part.get_content_disposition() != "attachment"
    )


def _attachments(message: EmailMessage) -> tuple[list[Attachment], list[Forwarded]]:
    files: list[Attachment] = []
    forwarded: list[Forwarded] = []
    for part in message.iter_attachments():
        if not isinstance(part, EmailMessage) or _is_inline_image(part):
            continue
        if part.get_content_type() == "message/rfc822":
            inner = _forwarded(part)
            if inner is not None:
                forwarded.append(inner)
            payload = part.get_payload()
            first = payload[0] if isinstance(payload, list) and payload else None
            content = first.as_bytes() if isinstance(first, Message) else b""
            name = part.get_filename() or (inner.subject if inner else "") or "forwarded"
            files.append(
                Attachment(
                    clean_name(name if name.endswith(".eml") else f"{name}.eml"),
                    content,
                    "message/rfc822",
                )
            )
            continue
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            files.append(
                Attachment(clean_name(part.get_filename() or ""), payload, part.get_content_type())
            )
    return files, forwarded


def parse(raw: bytes, *, max_parts: int, max_depth: int) -> ParsedMail:
    """Read a raw RFC 5322 message; TooComplex over the caps, ValueError if it is no email."""
    if raw.lower().count(b"boundary=") > max_parts:
        raise TooComplex  # before the parser builds a tree of them
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if not isinstance(message, EmailMessage):
        raise ValueError("not an email")
    _check_shape(message, max_parts=max_parts, max_depth=max_depth)
    from_name, from_address = _address(message.get("From", ""))
    text = _body_text(message)
    files, forwarded = _attachments(message)
    original = forwarded[0].from_address if forwarded else _inline_forward_from(text)
    return ParsedMail(
        message_id=clean(message.get("Message-ID", ""))[:998],
        from_address=from_address,
        from_name=from_name,
        subject=clean(message.get("Subject", ""))[:500],
        sent_at=_date(message.get("Date", "")),
        text=text,
        original_from=original,
        auto_submitted=_auto_submitted(message),
        is_bounce=_is_bounce(message, from_address),
        return_path=clean(message.get("Return-Path", "")),
        attachments=files,
        forwarded=forwarded,
    )
