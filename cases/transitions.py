"""The case status machine: every allowed move, who may make it and what it requires.

Nothing else assigns Case.status; services.move_case applies a move after `check` allows it.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from cases import access
from cases.models import Case, CaseEvent

S = Case.Status
Role = CaseEvent.Actor

CUSTOMER_OR_AGENT = frozenset({Role.CUSTOMER, Role.AGENT})
ANYONE = frozenset({Role.CUSTOMER, Role.AGENT, Role.SYSTEM})
OPEN_STATUSES = tuple(status for status in S if status not in Case.CLOSED_STATUSES)


class TransitionNotAllowed(Exception):
    """A move the machine refuses; the message is fit to show the person who tried."""


class CaseChanged(Exception):
    """Someone else changed the case since it was read (optimistic concurrency)."""

    def __init__(self, case: Case) -> None:
        super().__init__(_("This case was changed meanwhile. Here is the latest version."))
        self.case = case


class Outcome:
    """What the customer reports from the waiting page."""

    CONFIRMED = "confirmed"
    NEEDS_MORE = "needs_more"
    REFUSED = "refused"
    SENT_MORE = "sent_more"
    GAVE_UP = "gave_up"
    REOPEN = "reopen"


@dataclass(frozen=True)
class Move:
    who: frozenset
    label: StrOrPromise


MOVES: dict[tuple[str, str], Move] = {
    (S.DRAFT, S.PREPARING): Move(CUSTOMER_OR_AGENT, _("Start preparing")),
    (S.PREPARING, S.IN_PROGRESS): Move(CUSTOMER_OR_AGENT, _("Start the steps")),
    (S.IN_PROGRESS, S.AWAITING_REVIEW): Move(CUSTOMER_OR_AGENT, _("Request submitted")),
    (S.IN_PROGRESS, S.AWAITING_OPERATOR): Move(CUSTOMER_OR_AGENT, _("Request submitted")),
    (S.AWAITING_REVIEW, S.COMPLETED): Move(CUSTOMER_OR_AGENT, _("Cancellation confirmed")),
    (S.AWAITING_OPERATOR, S.COMPLETED): Move(CUSTOMER_OR_AGENT, _("Cancellation confirmed")),
    (S.AWAITING_REVIEW, S.NEEDS_ACTION): Move(ANYONE, _("Provider needs more")),
    (S.AWAITING_OPERATOR, S.NEEDS_ACTION): Move(ANYONE, _("Operator needs more")),
    (S.NEEDS_ACTION, S.AWAITING_REVIEW): Move(CUSTOMER_OR_AGENT, _("Sent what was asked")),
    (S.NEEDS_ACTION, S.AWAITING_OPERATOR): Move(CUSTOMER_OR_AGENT, _("Sent what was asked")),
    (S.COMPLETED, S.NEEDS_ACTION): Move(ANYONE, _("Still charged")),
    (S.WITHDRAWN, S.PREPARING): Move(CUSTOMER_OR_AGENT, _("Reopen")),
    **{(status, S.WITHDRAWN): Move(CUSTOMER_OR_AGENT, _("Withdraw")) for status in OPEN_STATUSES},
}


def role_of(user, case: Case) -> str:
    """The role `user` acts in on `case` (cases/access.py decides who may act at all)."""
    if user is None:
        return Role.SYSTEM
    if access.is_cleared_agent(user):
        return Role.AGENT
    if access.is_owner(user, case):
        return Role.CUSTOMER
    raise TransitionNotAllowed(_("Only the case's owner or an agent can change it."))


def waiting_status_for(case: Case) -> str:
    return S.AWAITING_OPERATOR if case.is_operator_journey else S.AWAITING_REVIEW


def allowed_targets(*, case: Case, role: str) -> list[str]:
    """The statuses `role` may move `case` to now; what a move asks for is checked on the move."""
    return [
        to
        for (source, to), move in MOVES.items()
        if source == case.status and role in move.who and not _structural_problem(case, to)
    ]


def check(
    *,
    case: Case,
    to: str,
    role: str,
    note: str = "",
    provider_reference: str = "",
    has_confirmation: bool = False,
) -> None:
    """Raise TransitionNotAllowed with a readable message unless `role` may move `case` to `to`."""
    move = MOVES.get((case.status, to))
    if move is None:
        raise TransitionNotAllowed(
            _("A case that is “%(current)s” cannot become “%(target)s”.")
            % {"current": _status_label(case.status), "target": _status_label(to)}
        )
    if role not in move.who:
        raise TransitionNotAllowed(
            WHO_MAY_MESSAGES.get(move.who, _("You are not allowed to make this change."))
        )
    problem = _structural_problem(case, to) or _missing_requirement(
        case, to, role, note, provider_reference, has_confirmation
    )
    if problem:
        raise TransitionNotAllowed(problem)


# Whole sentences per group, not labels joined in code: word order and "or" differ by language.
WHO_MAY_MESSAGES = {
    CUSTOMER_OR_AGENT: _("Only the case's owner or an agent can make this change."),
    frozenset({Role.AGENT}): _("Only an agent can make this change."),
    frozenset({Role.CUSTOMER}): _("Only the case's owner can make this change."),
    frozenset({Role.SYSTEM}): _("This change is made automatically, not by hand."),
}


def _status_label(status: str) -> StrOrPromise:
    # A status that is not one (a tampered form field) is refused, not a server error.
    return S(status).label if status in S.values else str(status)


def _structural_problem(case: Case, to: str) -> StrOrPromise:
    if case.status == S.DRAFT and to == S.PREPARING and case.owner_id is None:
        return _("Sign in to save the case before you start.")
    if to in Case.WAITING_STATUSES and to != waiting_status_for(case):
        if case.is_operator_journey:
            return _("An eSIM or SIM case waits on the operator, not on a review.")
        return _("A self-service case waits on the provider's review, not on an operator.")
    return ""


def _missing_requirement(
    case: Case, to: str, role: str, note: str, provider_reference: str, has_confirmation: bool
) -> StrOrPromise:
    if to == S.COMPLETED:
        confirmed = has_confirmation or provider_reference or case.provider_reference
        if not confirmed and not (role == Role.AGENT and note):
            return _(
                "To mark the case completed, add the provider's confirmation: "
                "its reference number or the confirmation message."
            )
    if to == S.NEEDS_ACTION and not note:
        return _("Say what the provider asked for or why the case needs action.")
    return ""
