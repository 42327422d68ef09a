"""What an agent typed in the search box, and which kind of search it asks for (pure)."""

import enum
import re
from dataclasses import dataclass

from cases.models import normalize_reference

PHONE_TERM = re.compile(r"^\+?[\d\s().\-]+$")
MIN_PHONE_DIGITS = 4
MIN_EMAIL_PREFIX = 3


class Kind(enum.StrEnum):
    REFERENCE = "reference"
    EMAIL = "email"
    PHONE = "phone"
    PROVIDER_REFERENCE = "provider_reference"
    TOO_SHORT = "too_short"


@dataclass(frozen=True)
class Term:
    kind: Kind
    value: str
    typed: str


def parse(typed: str) -> Term:
    """Dispatch on the shape of the term: reference, email prefix, phone digits, else the
    provider's reference (exact)."""
    typed = typed.strip()[:100]
    if reference := normalize_reference(typed):
        return Term(Kind.REFERENCE, reference, typed)
    if "@" in typed:
        prefix = typed.lower()
        kind = Kind.EMAIL if len(prefix) >= MIN_EMAIL_PREFIX else Kind.TOO_SHORT
        return Term(kind, prefix, typed)
    if PHONE_TERM.match(typed):
        digits = re.sub(r"\D", "", typed)
        if len(digits) >= MIN_PHONE_DIGITS:
            return Term(Kind.PHONE, digits, typed)
    if not typed:
        return Term(Kind.TOO_SHORT, "", typed)
    return Term(Kind.PROVIDER_REFERENCE, typed, typed)
