"""Reads for the accounts pages (STYLE.md: selectors)."""

from dataclasses import dataclass

from accounts.models import User
from cases.models import Case
from config import keyset

MY_CASES_PAGE_SIZE = 20


@dataclass(frozen=True)
class CasePage:
    cases: list[Case]
    next_cursor: str


def my_cases(*, user: User, cursor: str = "", size: int = MY_CASES_PAGE_SIZE) -> CasePage:
    """One page of the user's cases, newest first, by keyset on (created_at, id): one query."""
    cases = Case.objects.owned_by(user).select_related("provider")
    rows, next_cursor = keyset.page(cases, cursor=cursor, size=size)
    return CasePage(cases=rows, next_cursor=next_cursor)
