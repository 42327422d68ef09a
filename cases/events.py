"""record_event(): the one place that writes CaseEvent rows (DESIGN.md "CaseEvent")."""

from collections.abc import Iterable

from accounts import roles
from accounts.models import User
from cases.models import Case, CaseEvent


def role_for(by: User | None) -> str:
    """The role an actor acts in: the system when nobody, an agent when one of the agents.

    Who they are, not what this session passed: the services checked that before writing,
    and a worker records the agent who asked for its work with a user loaded afresh.
    """
    if by is None:
        return CaseEvent.Actor.SYSTEM
    return CaseEvent.Actor.AGENT if roles.can_use_staff_dashboard(by) else CaseEvent.Actor.CUSTOMER


def record_event(
    *,
    case: Case,
    kind: str,
    by: User | None,
    message: str = "",
    text: str = "",
    params: dict | None = None,
    visibility: str = CaseEvent.Visibility.CUSTOMER,
    status_from: str = "",
    status_to: str = "",
) -> CaseEvent:
    """Append to the case's timeline; the actor's role is read from who they are.

    `message` is what a person typed; `text` is a system msgid (marked with gettext_noop)
    with `params`, translated when the timeline is shown. A param `x_zh_hans` is the
    Chinese value of `x`.
    """
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=by,
        actor_role=role_for(by),
        message=message,
        text=text,
        text_params=params or {},
        visibility=visibility,
        status_from=status_from,
        status_to=status_to,
    )


def record_system_events(
    *, case_ids: Iterable[int], kind: str, text: str, visibility: str
) -> list[CaseEvent]:
    """The same system event on many cases at once (one INSERT), e.g. cases flagged stalled."""
    return CaseEvent.objects.bulk_create(
        CaseEvent(
            case_id=pk,
            kind=kind,
            actor_role=CaseEvent.Actor.SYSTEM,
            visibility=visibility,
            text=text,
        )
        for pk in case_ids
    )
