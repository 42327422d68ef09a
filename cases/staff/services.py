"""The agents' writes: assign, internal notes, messages to the customer, a reminder
now. Called by the staff dashboard (cases/staff/), which only reads through its selectors.

Each one, like every write to a case: one transaction, the row locked, the version the agent
saw checked (CaseChanged), one CaseEvent, version and last activity bumped.
"""

from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts import roles
from accounts.models import User
from cases import access, locking, once, transitions
from cases.events import record_event
from cases.models import Case, CaseEvent, Reminder
from cases.reminders import outbox
from cases.reminders.schedule import within_customer_hours
from config.celery import app as celery_app

S = Case.Status


def _agent_only(by: User) -> None:
    if not access.is_cleared_agent(by):
        raise transitions.TransitionNotAllowed(_("Only an agent can make this change."))


def _sweep_soon() -> None:
    # The sweep claims and sends due rows; queue one now rather than wait for beat.
    transaction.on_commit(partial(celery_app.send_task, "cases.tasks.sweep_reminders"), robust=True)


@transaction.atomic
def assign(*, case: Case, agent: User | None, by: User, version: int) -> Case:
    """Give the case to `agent` (`by` themselves to take it), or to nobody."""
    _agent_only(by)
    if agent is not None and not roles.can_use_staff_dashboard(agent):
        raise transitions.TransitionNotAllowed(_("Cases can only be assigned to agents."))
    case = locking.lock(case, version, by=by)
    if case.assigned_agent_id == (agent.pk if agent else None):
        return case
    locking.update(case, assigned_agent=agent)
    if agent is None:
        text, params = gettext_noop("Unassigned."), {}
    elif agent.pk == by.pk:
        text, params = gettext_noop("Taken by %(agent)s."), {"agent": agent.get_short_name()}
    else:
        text, params = gettext_noop("Assigned to %(agent)s."), {"agent": agent.get_short_name()}
    record_event(
        case=case,
        kind=CaseEvent.Kind.ASSIGNED,
        by=by,
        text=text,
        params=params,
        visibility=CaseEvent.Visibility.INTERNAL,
    )
    return case


@transaction.atomic
def add_internal_note(
    *, case: Case, by: User, version: int, note: str, form_token: str = ""
) -> Case:
    """A note for agents only: never on the customer's pages, emails or proof pack."""
    _agent_only(by)
    note = note.strip()
    if not note:
        raise transitions.TransitionNotAllowed(_("Write the note first."))
    submission = once.claim(token=form_token, case=case, kind=once.Kind.NOTE)
    once.repeat_of(
        case=case,
        by_id=by.pk,
        kind=once.Kind.NOTE,
        message=note,
        visibility=CaseEvent.Visibility.INTERNAL,
    )
    case = locking.lock(case, version, by=by)
    locking.update(case)
    event = record_event(
        case=case,
        kind=CaseEvent.Kind.NOTE,
        by=by,
        message=note,
        text=gettext_noop("Internal note"),
        visibility=CaseEvent.Visibility.INTERNAL,
    )
    once.made(submission, event.pk)
    return case


@transaction.atomic
def message_customer(
    *, case: Case, by: User, version: int, message: str, form_token: str = ""
) -> Reminder:
    """Write to the customer: on their timeline now, and emailed in the case's language
    through the outbox (an agent_message reminder the sweep sends in their mail hours)."""
    _agent_only(by)
    message = message.strip()
    if not message:
        raise transitions.TransitionNotAllowed(_("Write the message first."))
    submission = once.claim(token=form_token, case=case, kind=once.Kind.MESSAGE)
    once.repeat_of(
        case=case,
        by_id=by.pk,
        kind=once.Kind.MESSAGE,
        message=message,
        visibility=CaseEvent.Visibility.CUSTOMER,
    )
    case = locking.lock(case, version, by=by)
    if case.owner_id is None:
        raise transitions.TransitionNotAllowed(
            _("This case has no account yet, so there is nobody to write to.")
        )
    now = timezone.now()
    reminder = Reminder.objects.create(
        case=case,
        kind=Reminder.Kind.AGENT_MESSAGE,
        period_started_at=now,
        due_at=within_customer_hours(now, time_zone=case.time_zone),
        body=message,
    )
    once.made(submission, reminder.pk)
    locking.update(case)
    record_event(
        case=case,
        kind=CaseEvent.Kind.NOTE,
        by=by,
        message=message,
        text=gettext_noop("Message from Closeout support"),
        visibility=CaseEvent.Visibility.CUSTOMER,
    )
    _sweep_soon()
    return reminder


@transaction.atomic
def send_reminder_now(*, case: Case, by: User, version: int) -> Reminder:
    """Bring the waiting case's next reminder forward to now (the sweep sends it)."""
    _agent_only(by)
    case = locking.lock(case, version, by=by)
    if not (case.is_waiting and case.waiting_since):
        raise transitions.TransitionNotAllowed(
            _("Only a case waiting on the provider gets reminders.")
        )
    if case.reminders_stopped_at is not None:
        raise transitions.TransitionNotAllowed(
            _("Reminder emails are stopped for this case. Turn them back on first.")
        )
    if case.owner_id is None:
        raise transitions.TransitionNotAllowed(
            _("This case has no account yet, so there is nobody to write to.")
        )
    now = timezone.now()
    ladder = Reminder.objects.filter(
        case=case, kind=Reminder.Kind.LADDER, period_started_at=case.waiting_since
    )
    reminder = ladder.pending().order_by("sequence").first()
    if reminder is None:
        last = ladder.order_by("-sequence").first()
        reminder = outbox.schedule_ladder_rung(
            case=case, sequence=last.sequence + 1 if last else 0, due_at=now
        )
    else:
        # Back to scheduled: a claim already queued finds no lease and sends nothing twice.
        reminder.state, reminder.sending_since = Reminder.State.SCHEDULED, None
        reminder.due_at = within_customer_hours(now, time_zone=case.time_zone)
        reminder.save(update_fields=["state", "sending_since", "due_at"])
    locking.update(case)
    record_event(
        case=case,
        kind=CaseEvent.Kind.REMINDER,
        by=by,
        text=gettext_noop("Reminder requested by an agent."),
        visibility=CaseEvent.Visibility.INTERNAL,
    )
    _sweep_soon()
    return reminder
