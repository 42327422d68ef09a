"""A case's private address: made on first use, reset on request (the old one then leads to the
agents' Unmatched queue, never to the case)."""

import re

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.models import User
from cases import locking
from cases.events import record_event
from cases.models import Case, CaseEvent, InboundAddress, new_inbound_token

LOCAL_PART = re.compile(r"^case-([a-z0-9]{20,64})(?:\+[^@]*)?$")


def address_for(case: Case) -> InboundAddress:
    """The case's address, made the first time anyone asks (select_related spares the query)."""
    try:
        return case.inbound_address
    except InboundAddress.DoesNotExist:
        pass
    address = ensure_address(case)
    case.inbound_address = address
    return address


def ensure_address(case: Case) -> InboundAddress:
    """The case's address row, made if missing, in one statement: a page showing it for the
    first time costs one query, and two pages doing so at once get the same token."""
    table = InboundAddress._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (case_id, token, created_at) VALUES (%s, %s, %s) "  # noqa: S608
            "ON CONFLICT (case_id) DO UPDATE SET case_id = EXCLUDED.case_id "
            "RETURNING id, token, created_at, reset_at, last_message_at",
            [case.pk, new_inbound_token(), timezone.now()],
        )
        pk, token, created_at, reset_at, last_message_at = cursor.fetchone()
    return InboundAddress(
        pk=pk,
        case=case,
        token=token,
        created_at=created_at,
        reset_at=reset_at,
        last_message_at=last_message_at,
    )


@transaction.atomic
def reset_address(*, case: Case, by: User) -> InboundAddress:
    """A new address for the case; mail to the old one goes to Unmatched from now on."""
    locked = locking.lock(case, None, by=by)
    address = InboundAddress.objects.select_for_update().filter(case=locked).first()
    if address is None:
        address = InboundAddress.objects.create(case=locked)
    else:
        address.token = new_inbound_token()
        address.reset_at = timezone.now()
        address.save(update_fields=["token", "reset_at"])
    record_event(
        case=locked,
        kind=CaseEvent.Kind.INBOUND,
        by=by,
        text=gettext_noop(
            "The case has a new email address; mail to the old one no longer lands here."
        ),
    )
    locking.update(locked)
    return address


def is_ours(recipient: str) -> bool:
    return recipient.rpartition("@")[2].lower() == settings.INBOUND_DOMAIN


def token_of(recipient: str) -> str:
    """The token of a case address at our domain, else ""."""
    local, at, domain = recipient.strip().strip("<>").lower().rpartition("@")
    if not at or domain != settings.INBOUND_DOMAIN:
        return ""
    match = LOCAL_PART.match(local)
    return match.group(1) if match else ""


def case_for(recipient: str) -> Case | None:
    """The case whose current address this is; None for an unknown or a reset token."""
    token = token_of(recipient)
    if not token:
        return None
    found = (
        InboundAddress.objects.select_related("case", "case__provider", "case__owner")
        .filter(token=token)
        .first()
    )
    return found.case if found is not None else None
