"""Escalating a case to an ombudsman, ADR scheme or regulator (cases/escalation/selectors.py).

One transaction, the row locked and the version checked; a CaseEvent and a contact-log entry;
the case then waits at a slower rhythm (settings.ESCALATED_REMINDER_DAYS): a case that was
back with the customer (refused) waits again, one already waiting has its next rung moved.
"""

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from cases import locking, services, transitions
from cases.escalation import selectors
from cases.events import record_event
from cases.models import Case, CaseEvent, ContactAttempt
from cases.reminders import outbox
from providers.models import EscalationRoute, localized


def _names(route: EscalationRoute) -> dict[str, str]:
    with translation.override("zh-hans"):
        chinese = localized(route, "name")
    return {"route": route.name, "route_zh_hans": chinese}


@transaction.atomic
def escalate(*, case: Case, by: User, version: int, route_id: int | None, note: str = "") -> Case:
    """Escalate `case` to one of the routes offered now, or raise TransitionNotAllowed."""
    locked = locking.lock(case, version, by=by)
    if locked.is_escalated:
        raise transitions.TransitionNotAllowed(_("This case has already been escalated."))
    offer = selectors.escalation_for(locked, region=selectors.region_for(locked))
    if not offer.is_open:
        raise transitions.TransitionNotAllowed(
            _("Escalation opens once the provider refused or its time to answer has passed.")
        )
    route = next((r for r in offer.routes if r.pk == route_id), None)
    if route is None:
        raise transitions.TransitionNotAllowed(_("Choose where you are taking the complaint."))
    now = timezone.now()
    ContactAttempt.objects.create(
        case=locked,
        occurred_at=now,
        channel_text=f"{route.name} ({route.url})",
        direction=ContactAttempt.Direction.OUTBOUND,
        outcome=ContactAttempt.Outcome.OTHER,
        summary=note or _("Complaint taken to %(route)s.") % {"route": localized(route, "name")},
        created_by=by,
    )
    locked.escalated_at = now
    locked.escalated_to = route
    if locked.is_waiting:
        outbox.slow_down(case=locked, now=now)
        locking.bump(
            locked, "escalated_at", "escalated_to", "expected_by", "stall_at", "is_stalled"
        )
    else:
        locking.bump(locked, "escalated_at", "escalated_to")
    record_event(
        case=locked,
        kind=CaseEvent.Kind.ESCALATED,
        by=by,
        message=note,
        text=gettext_noop("Escalated to %(route)s."),
        params=_names(route),
    )
    if locked.needs_action:
        # Back with the customer after a refusal: the case now waits on the outcome.
        locked = services.move_case(
            case=locked,
            to=transitions.waiting_status_for(locked),
            by=by,
            version=locked.version,
        )
    return locked
