"""What an agent typed in the search box, and which searches it asks for (pure)."""

import enum
import re
from dataclasses import dataclass

from cases.models import REFERENCE_ALPHABET, normalize_reference

PHONE_TERM = re.compile(r"^\+?[\d\s().\-]+$")
# What the start of an email address may hold: "li.wei", "alice", "ana+cx".
EMAIL_START = re.compile(r"^[\w.+\-']+$")
# The start of a case reference: "CX-4K7M", "cx4k", "4K7M-2Q" (dashes and spaces dropped first).
REFERENCE_START = re.compile(rf"^(CX)?([{REFERENCE_ALPHABET}]{{1,7}})$")
MARKED = re.compile(r"^cx[\s\-]", re.IGNORECASE)
MIN_PHONE_DIGITS = 4
MIN_EMAIL_PREFIX = 3
# Without "CX" a reference start must be this long, so "AB" does not list every case with it.
MIN_BARE_REFERENCE_START = 4
MIN_MARKED_REFERENCE_START = 2


class Kind(enum.StrEnum):
    REFERENCE = "reference"
    EMAIL = "email"
    PHONE = "phone"
    # A word: the start of an email address, a provider's reference, perhaps a reference start.
    WORD = "word"
    REFERENCE_START = "reference_start"
    PROVIDER_REFERENCE = "provider_reference"
    TOO_SHORT = "too_short"


@dataclass(frozen=True)
class Term:
    kind: Kind
    value: str
    typed: str
    # "CX-4K7M" when the term may also be the start of a case reference.
    reference_start: str = ""


def reference_start(typed: str) -> tuple[str, bool]:
    """("CX-4K7M-2Q", typed with "CX"?) for the start of a reference; ("", False) otherwise."""
    match = REFERENCE_START.match(re.sub(r"[\s\-]", "", typed).upper())
    if not match:
        return "", False
    marked, chars = bool(match.group(1)), match.group(2)
    if len(chars) < (MIN_MARKED_REFERENCE_START if marked else MIN_BARE_REFERENCE_START):
        return "", False
    start = f"CX-{chars[:4]}" + (f"-{chars[4:]}" if len(chars) > 4 else "")
    return start, marked


def parse(typed: str) -> Term:
    """Dispatch on the shape of the term: reference, email prefix, phone digits, a word (an
    email start and a provider's reference, and a reference start if it can be one), else
    the provider's reference (exact)."""
    typed = typed.strip()[:100]
    start, marked = reference_start(typed)
    # "CX-4K7M-2Q" is a start even though its 8 characters after dropping the dashes would
    # read as the whole reference CX-CX4K-7M2Q.
    if marked and MARKED.match(typed):
        return Term(Kind.REFERENCE_START, start, typed, reference_start=start)
    if reference := normalize_reference(typed):
        return Term(Kind.REFERENCE, reference, typed)
    if "@" in typed:
        prefix = typed.lower()
        kind = Kind.EMAIL if len(prefix) >= MIN_EMAIL_PREFIX else Kind.TOO_SHORT
        return Term(kind, prefix, typed)
    if marked:
        return Term(Kind.REFERENCE_START, start, typed, reference_start=start)
    if PHONE_TERM.match(typed):
        digits = re.sub(r"\D", "", typed)
        if len(digits) >= MIN_PHONE_DIGITS:
            return Term(Kind.PHONE, digits, typed)
    if not typed:
        return Term(Kind.TOO_SHORT, "", typed)
    has_letter = re.search(r"[^\W\d_]", typed) is not None
    if EMAIL_START.match(typed) and has_letter and len(typed) >= MIN_EMAIL_PREFIX:
        return Term(Kind.WORD, typed.lower(), typed, reference_start=start)
    return Term(Kind.PROVIDER_REFERENCE, typed, typed)
