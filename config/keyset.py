"""Keyset pagination on (created_at, id), newest first: the cursor is the last row shown."""

import base64
import binascii
from datetime import datetime

from django.db.models import Model, Q, QuerySet


def encode_cursor(row: Model) -> str:
    # Every keyset-paged model has created_at.
    raw = f"{row.created_at.isoformat()}|{row.pk}".encode()  # type: ignore[attr-defined]
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    """(created_at, id) of the last row on the previous page; None if it is not one of ours."""
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
    queryset = queryset.order_by("-created_at", "-id")
    after = decode_cursor(cursor) if cursor else None
    if after is not None:
        created_at, pk = after
        queryset = queryset.filter(
            Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk)
        )
    rows = list(queryset[: size + 1])
    next_cursor = encode_cursor(rows[size - 1]) if len(rows) > size else ""
    return rows[:size], next_cursor
