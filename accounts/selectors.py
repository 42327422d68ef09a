"""Reads for the accounts pages (STYLE.md: selectors)."""

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from accounts.models import User
from cases.models import Case

MY_CASES_PAGE_SIZE = 20


@dataclass(frozen=True)
class CasePage:
    cases: list[Case]
    next_cursor: str


def encode_cursor(case: Case) -> str:
    raw = f"{case.created_at.isoformat()}|{case.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    """(created_at, id) of the last case on the previous page; None if it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created, _sep, pk = raw.partition("|")
        created_at = datetime.fromisoformat(created)
        if created_at.tzinfo is None:
            return None
        return created_at, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def my_cases(*, user: User, cursor: str = "", size: int = MY_CASES_PAGE_SIZE) -> CasePage:
    """One page of the user's cases, newest first, by keyset on (created_at, id): one query."""
    cases = Case.objects.owned_by(user).select_related("provider").order_by("-created_at", "-id")
    after = decode_cursor(cursor) if cursor else None
    if after is not None:
        created_at, pk = after
        cases = cases.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk))
    rows = list(cases[: size + 1])
    next_cursor = encode_cursor(rows[size - 1]) if len(rows) > size else ""
    return CasePage(cases=rows[:size], next_cursor=next_cursor)
