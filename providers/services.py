"""The directory's writes from outside the admin: an agent editing a contact channel or adding
a provider, and anyone reporting a wrong detail.

Every save goes through the audit receivers (providers/signals.py) with the agent as the actor.
Like a case, a channel is changed with its row locked and what the agent saw checked: a change
made meanwhile by someone else is refused (ChannelChanged), never overwritten.
"""

import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from providers import signals
from providers.models import ChannelReport, ContactChannel, Provider

# What an agent may change on the staff dashboard (the admin can change everything).
EDITABLE = ("value", "hours", "is_official", "verified_on", "source_url")


class ChannelChanged(Exception):
    """The channel changed since the agent's form was shown; carries the fresh channel."""

    def __init__(self, channel: ContactChannel) -> None:
        super().__init__(f"Channel {channel.pk} changed meanwhile.")
        self.channel = channel


def fingerprint(channel: ContactChannel) -> str:
    """A short digest of the stored channel, carried by the edit form as what the agent saw."""
    raw = json.dumps(channel.audit_snapshot(), sort_keys=True).encode()
    return hashlib.sha256(raw).hexdigest()[:20]


@transaction.atomic
def edit_channel(*, channel: ContactChannel, by, seen: str, **changes) -> ContactChannel:
    """Change the EDITABLE fields of `channel` as `by`; raises ChannelChanged when it changed
    after `seen` was taken, and ValidationError when the result breaks a rule (an official
    channel needs its source, one value per kind and provider)."""
    locked = ContactChannel.objects.select_for_update().get(pk=channel.pk)
    if fingerprint(locked) != seen:
        raise ChannelChanged(locked)
    for name in EDITABLE:
        if name in changes:
            setattr(locked, name, changes[name])
    locked.full_clean()
    with signals.acting_as(by):
        locked.save()
    return locked


def report_channel(
    *, channel: ContactChannel, text: str, case_reference: str = "", by
) -> ChannelReport:
    """Someone (signed in or not) says `channel` is wrong; it waits in the agents' queue."""
    return ChannelReport.objects.create(
        channel=channel,
        text=text.strip(),
        case_reference=case_reference,
        reported_by=by if by is not None and by.is_authenticated else None,
    )


@transaction.atomic
def resolve_report(*, report: ChannelReport, by) -> ChannelReport:
    """An agent re-checked the channel (any edit went through edit_channel, audited there)."""
    locked = ChannelReport.objects.select_for_update().get(pk=report.pk)
    if locked.resolved_at is None:
        locked.resolved_at, locked.resolved_by = timezone.now(), by
        locked.save(update_fields=["resolved_at", "resolved_by"])
    return locked


@transaction.atomic
def add_provider(*, by, provider: Provider, channels: list[ContactChannel]) -> Provider:
    """Add `provider` (unsaved) with its official `channels` (unsaved) as `by`.

    The directory's rule holds here as in the importer: an official channel is saved only with
    the source it was seen at and the date it was checked. Raises ValidationError otherwise;
    each channel's creation is audited with `by` as the actor.
    """
    provider.full_clean()
    provider.save()
    for position, channel in enumerate(channels):
        channel.provider, channel.is_official, channel.position = provider, True, position
        if not channel.source_url or channel.verified_on is None:
            raise ValidationError(
                _("An official channel needs the page it was seen on and the date it was checked.")
            )
        channel.full_clean()
        with signals.acting_as(by):
            channel.save()
    return provider
