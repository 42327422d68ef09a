"""The writes of the cancellation notice: the signer's details, and "I sent it".

Like every write to a case: one transaction, the row locked and its version checked, a
CaseEvent, the version and last activity bumped. The name and address stay out of the
timeline (it is shown on screens and in emails) and are purged with the line identifiers.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from cases import locking, once, services, transitions
from cases.contacts import selectors as contact_selectors
from cases.events import record_event
from cases.models import Case, CaseEvent, ContactAttempt
from cases.reminders import outbox
from providers.models import ContactChannel, localized

S = Case.Status
# Past the precautions and not closed: the request is (about to be) with the provider.
NOTICE_STATUSES = (S.IN_PROGRESS, S.AWAITING_REVIEW, S.AWAITING_OPERATOR, S.NEEDS_ACTION)


def can_make_notice(case: Case) -> bool:
    return case.status in NOTICE_STATUSES


def _check(case: Case) -> None:
    if not can_make_notice(case):
        raise transitions.TransitionNotAllowed(
            _("A cancellation notice is made once the precautions are done and the case is open.")
        )


@transaction.atomic
def save_details(
    *,
    case: Case,
    by: User,
    version: int,
    name: str,
    address: str,
    effective_on: dt.date | None,
) -> Case:
    """Keep who signs the notice, where they live, and when it is to take effect."""
    locked = locking.lock(case, version, by=by)
    _check(locked)
    locking.update(
        locked,
        notice_name=name.strip(),
        notice_address=address.strip(),
        notice_effective_on=effective_on,
    )
    record_event(
        case=locked,
        kind=CaseEvent.Kind.NOTICE,
        by=by,
        text=gettext_noop("Cancellation notice prepared."),
    )
    return locked


@dataclass(frozen=True)
class Sending:
    """How the notice went out: an official channel of the provider, or described in words."""

    sent_on: dt.date
    channel: ContactChannel | None = None
    channel_text: str = ""


def _channel_params(sending: Sending) -> dict[str, str]:
    if sending.channel is None:
        return {"channel": sending.channel_text}
    params = {}
    for language, key in (("en", "channel"), ("zh-hans", "channel_zh_hans")):
        with translation.override(language):
            label = localized(sending.channel, "label") or sending.channel.get_kind_display()
        params[key] = f"{label} {sending.channel.value}"
    return params


@transaction.atomic
def record_sent(
    *, case: Case, by: User, version: int, sending: Sending, form_token: str = ""
) -> Case:
    """ "I sent it": a contact-log entry with a follow-up when the answer is due, and the wait.

    A case still going through its steps moves to waiting on the provider (the ladder starts);
    a case already waiting keeps its wait and gains the notice's follow-up.
    """
    submission = once.claim(token=form_token, case=case, kind=once.Kind.NOTICE_SENT)
    locked = locking.lock(case, version, by=by)
    _check(locked)
    if not (locked.notice_name and locked.notice_address):
        raise transitions.TransitionNotAllowed(
            _("Add your full name and postal address first: the notice is not valid without them.")
        )
    now = timezone.now()
    due_on = sending.sent_on + dt.timedelta(days=settings.NOTICE_ANSWER_DAYS)
    provider = locked.provider if locked.provider_id else None
    verdict = contact_selectors.check_entry(
        provider=provider,
        channels=contact_selectors.official_channels(provider),
        contact="" if sending.channel else sending.channel_text,
    )
    contact = ContactAttempt.objects.create(
        case=locked,
        occurred_at=now,
        channel=sending.channel,
        channel_text="" if sending.channel else sending.channel_text,
        direction=ContactAttempt.Direction.OUTBOUND,
        outcome=ContactAttempt.Outcome.IN_PROGRESS,
        summary=_("Cancellation notice sent on %(date)s.") % {"date": sending.sent_on},
        follow_up_on=due_on,
        scam_verdict=verdict.as_dict() if verdict.is_suspicious else {},
        created_by=by,
    )
    once.made(submission, contact.pk)
    outbox.schedule_follow_up(case=locked, contact=contact)
    locking.update(locked, notice_sent_at=now, notice_answer_due_on=due_on)
    record_event(
        case=locked,
        kind=CaseEvent.Kind.NOTICE,
        by=by,
        text=gettext_noop("Cancellation notice sent by %(channel)s; the answer is due by %(due)s."),
        params={**_channel_params(sending), "due": due_on.isoformat()},
    )
    if locked.status in (S.IN_PROGRESS, S.NEEDS_ACTION):
        locked = services.move_case(
            case=locked,
            to=transitions.waiting_status_for(locked),
            by=by,
            version=locked.version,
        )
    return locked
