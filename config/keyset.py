"""Keyset pagination: the cursor is the last row shown, never an OFFSET, never a COUNT.

`page` orders by (created_at, id), newest first; `page_by` by any non-null datetime column and
id, either way (the staff lists sort by last activity, creation or the start of the wait).
"""

import base64
import binascii
from collections.abc import Sequence
from datetime import datetime

from django.db.models import Model, Q, QuerySet


def _encode(value: datetime, pk: int) -> str:
    raw = f"{value.isoformat()}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def encode_cursor(row: Model, field: str = "created_at") -> str:
    return _encode(getattr(row, field), row.pk)


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    """(value, id) of the last row on the previous page; None if it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created, _sep, pk = raw.partition("|")
        created_at = datetime.fromisoformat(created)
        if created_at.tzinfo is None:
            return None
        return created_at, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def page(queryset: QuerySet, *, cursor: str, size: int) -> tuple[list, str]:
    """One page of `queryset` (newest first) after `cursor`, and the next page's cursor.

    An unreadable cursor gives the first page. One query: it fetches one row more than it
    shows to know whether another page follows.
    """
    return page_by(queryset, field="created_at", descending=True, cursor=cursor, size=size)


def page_by(
    queryset: QuerySet, *, field: str, descending: bool, cursor: str, size: int
) -> tuple[list, str]:
    """One page of `queryset` ordered by (`field`, id), after `cursor`; the next cursor.

    `field` must never be NULL in `queryset` (filter it out first). One query, as `page`.
    """
    return _cut(_after(queryset, field, descending, cursor, size + 1), field, size)


def page_by_parts(
    parts: Sequence[QuerySet], *, field: str, descending: bool, cursor: str, size: int
) -> tuple[list, str]:
    """`page_by` over the union of `parts`, each read on its own (its own index, its own
    LIMIT) and merged here: one query a part, never a sort of the whole union."""
    seen: dict[int, Model] = {}
    for part in parts:
        for row in _after(part, field, descending, cursor, size + 1):
            seen.setdefault(row.pk, row)
    merged = sorted(
        seen.values(), key=lambda row: (getattr(row, field), row.pk), reverse=descending
    )
    return _cut(merged, field, size)


def _after(queryset: QuerySet, field: str, descending: bool, cursor: str, limit: int) -> list:
    sign = "-" if descending else ""
    queryset = queryset.order_by(f"{sign}{field}", f"{sign}id")
    after = decode_cursor(cursor) if cursor else None
    if after is not None:
        value, pk = after
        beyond = "lt" if descending else "gt"
        # The plain bound as well: an index on `field` starts its scan there, where the OR
        # alone would be a filter over every row before the cursor.
        queryset = queryset.filter(**{f"{field}__{beyond}e": value}).filter(
            Q(**{f"{field}__{beyond}": value}) | Q(**{f"pk__{beyond}": pk})
        )
    return list(queryset[:limit])


def _cut(rows: list, field: str, size: int) -> tuple[list, str]:
    # One row more than shown was read, to know whether another page follows.
    next_cursor = encode_cursor(rows[size - 1], field) if len(rows) > size else ""
    return rows[:size], next_cursor
