"""The writes of the contact log: log a contact, edit it, keep its follow-up in the outbox.

Like every write to a case: one transaction, the case row locked and its version checked,
one CaseEvent, the version and last activity bumped. The scam guard's verdict is computed
here again (the form's check is for the confirm step; this one is the record).
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from cases import locking, once, transitions
from cases.contacts import selectors
from cases.events import record_event
from cases.models import Case, CaseEvent, ContactAttempt
from cases.reminders import outbox
from providers.models import ContactChannel, localized


@dataclass(frozen=True)
class ContactEntry:
    """What the contact form collected (already validated)."""

    occurred_at: dt.datetime
    direction: str
    outcome: str
    channel: ContactChannel | None = None
    channel_text: str = ""
    spoke_to: str = ""
    provider_reference: str = ""
    summary: str = ""
    follow_up_on: dt.date | None = None


FIELDS = (
    "occurred_at",
    "direction",
    "outcome",
    "channel",
    "channel_text",
    "spoke_to",
    "provider_reference",
    "summary",
    "follow_up_on",
)


def _check_open(case: Case) -> None:
    if not case.is_open or case.status == Case.Status.DRAFT:
        raise transitions.TransitionNotAllowed(_("The contact log of a closed case is final."))


def _verdict(case: Case, entry: ContactEntry) -> dict:
    provider = case.provider if case.provider_id else None
    channels = selectors.official_channels(provider)
    contact = "" if entry.channel else entry.channel_text
    verdict = selectors.check_entry(
        provider=provider, channels=channels, contact=contact, notes=entry.summary
    )
    return verdict.as_dict() if verdict.is_suspicious else {}


def _channel_label(entry: ContactEntry) -> dict[str, str]:
    if entry.channel is None:
        return {"channel": entry.channel_text}
    with translation.override("en"):
        english = localized(entry.channel, "label") or entry.channel.get_kind_display()
    with translation.override("zh-hans"):
        chinese = localized(entry.channel, "label") or entry.channel.get_kind_display()
    value = entry.channel.value
    return {"channel": f"{english} {value}", "channel_zh_hans": f"{chinese} {value}"}


def _event_params(contact: ContactAttempt, entry: ContactEntry) -> dict[str, str]:
    with translation.override("en"):
        outcome = str(contact.get_outcome_display())
    with translation.override("zh-hans"):
        outcome_zh = str(contact.get_outcome_display())
    return {**_channel_label(entry), "outcome": outcome, "outcome_zh_hans": outcome_zh}


def _mark_refused(case: Case, entry: ContactEntry) -> None:
    """Bump the case; a contact whose outcome is a refusal also opens escalation."""
    if entry.outcome == ContactAttempt.Outcome.REFUSED and case.refused_at is None:
        locking.update(case, refused_at=timezone.now())
    else:
        locking.update(case)


@transaction.atomic
def log_contact(
    *,
    case: Case,
    by: User,
    version: int,
    entry: ContactEntry,
    warning_shown: bool,
    form_token: str = "",
) -> ContactAttempt:
    """Add a contact to the case's log (and schedule its follow-up reminder, if dated)."""
    submission = once.claim(token=form_token, case=case, kind=once.Kind.CONTACT)
    locked = locking.lock(case, version, by=by)
    _check_open(locked)
    contact = ContactAttempt.objects.create(
        case=locked,
        created_by=by,
        scam_verdict=_verdict(locked, entry),
        scam_warning_shown=warning_shown,
        **{name: getattr(entry, name) for name in FIELDS},
    )
    once.made(submission, contact.pk)
    _mark_refused(locked, entry)
    record_event(
        case=locked,
        kind=CaseEvent.Kind.CONTACT,
        by=by,
        text=gettext_noop("By %(channel)s: %(outcome)s"),
        params=_event_params(contact, entry),
    )
    if contact.follow_up_on:
        outbox.schedule_follow_up(case=locked, contact=contact)
    return contact


@transaction.atomic
def edit_contact(
    *,
    case: Case,
    contact: ContactAttempt,
    by: User,
    version: int,
    entry: ContactEntry,
    warning_shown: bool,
) -> ContactAttempt:
    """Change a logged contact: only its author, only while the case is open."""
    locked = locking.lock(case, version, by=by)
    _check_open(locked)
    contact = ContactAttempt.objects.select_for_update().get(pk=contact.pk, case=locked)
    if contact.created_by_id != by.pk:
        raise transitions.TransitionNotAllowed(_("Only whoever logged a contact can edit it."))
    follow_up_before = contact.follow_up_on
    for name in FIELDS:
        setattr(contact, name, getattr(entry, name))
    contact.scam_verdict = _verdict(locked, entry)
    contact.scam_warning_shown = contact.scam_warning_shown or warning_shown
    contact.updated_at = timezone.now()
    contact.save()
    _mark_refused(locked, entry)
    record_event(
        case=locked,
        kind=CaseEvent.Kind.CONTACT,
        by=by,
        text=gettext_noop("Edited: by %(channel)s, %(outcome)s"),
        params=_event_params(contact, entry),
    )
    if contact.follow_up_on != follow_up_before:
        outbox.cancel_follow_up(case=locked, contact=contact)
        if contact.follow_up_on:
            outbox.schedule_follow_up(case=locked, contact=contact)
    return contact


@transaction.atomic
def log_received_email(
    *,
    case: Case,
    sender: str,
    subject: str,
    occurred_at: dt.datetime,
    channel: ContactChannel | None,
    scam_verdict: dict,
) -> ContactAttempt:
    """An email that reached the case's address, in the log as "received from <sender>".

    Written by the system (cases/inbound/), which records the case's event for the whole
    delivery; the scam guard's verdict on the sender comes with it.
    """
    locked = locking.lock(case, None, by=None)
    _check_open(locked)
    return ContactAttempt.objects.create(
        case=locked,
        occurred_at=occurred_at,
        direction=ContactAttempt.Direction.INBOUND,
        outcome=ContactAttempt.Outcome.OTHER,
        channel=channel,
        channel_text="" if channel else sender[:300],
        summary=(
            _("Email received from %(sender)s: %(subject)s")
            % {"sender": sender, "subject": subject}
        )[:2000],
        scam_verdict=scam_verdict,
        scam_warning_shown=bool(scam_verdict),
        created_by=None,
    )
