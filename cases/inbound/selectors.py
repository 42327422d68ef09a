"""The reads of inbound email for the case pages and the agents' Unmatched queue."""

from dataclasses import dataclass

from django.http import Http404

from cases.inbound import address
from cases.models import Case, InboundAddress, InboundMessage

M = InboundMessage
# The case page lists the newest emails; all of them are on the timeline and in the evidence.
CASE_PAGE_MAIL = 10
UNMATCHED_PAGE = 50


@dataclass(frozen=True)
class CaseMail:
    address: InboundAddress | None
    messages: list[InboundMessage]
    suggestions: list[InboundMessage]


def _existing(case: Case) -> InboundAddress | None:
    try:
        return case.inbound_address
    except InboundAddress.DoesNotExist:
        return None


def for_case(case: Case, *, staff: bool = False) -> CaseMail:
    """The case's address and its latest emails (one query, and none for a case without mail).

    The customer's page makes the address the first time; the agents' page only reads it (an
    agent's look is not a change), and agents also see what was dropped or failed.
    """
    found = _existing(case) if staff else address.address_for(case)
    if found is None:
        return CaseMail(address=None, messages=[], suggestions=[])
    states = [M.State.PROCESSED]
    if staff:
        states += [M.State.DROPPED, M.State.FAILED, M.State.RECEIVED]
    messages = []
    if found.last_message_at is not None:
        messages = list(
            M.objects.filter(case=case, state__in=states)
            .select_related("evidence")
            .order_by("-received_at", "-id")[:CASE_PAGE_MAIL]
        )
    suggestions = [m for m in messages if m.has_pending_suggestion] if case.is_waiting else []
    return CaseMail(address=found, messages=messages, suggestions=suggestions)


def unmatched(*, before: int | None = None) -> list[InboundMessage]:
    """Mail that reached no case (an unknown or reset address), or failed: newest first."""
    found = M.objects.filter(state__in=(M.State.UNMATCHED, M.State.FAILED))
    if before:
        found = found.filter(pk__lt=before)
    return list(found.order_by("-id")[:UNMATCHED_PAGE])


def unmatched_count() -> int:
    return M.objects.unmatched().count()


def unmatched_message(*, pk: int) -> InboundMessage:
    found = M.objects.filter(pk=pk, state__in=(M.State.UNMATCHED, M.State.FAILED)).first()
    if found is None:
        raise Http404
    return found


def case_to_attach(*, reference: str) -> Case:
    """The case an agent names for unmatched mail (any case past its draft); 404 otherwise."""
    case = Case.objects.exclude(status=Case.Status.DRAFT).filter(reference=reference).first()
    if case is None:
        raise Http404
    return case
