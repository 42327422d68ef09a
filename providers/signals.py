"""The contact-directory audit: every create, update and delete of a ContactChannel writes a
ContactChannelChange with who did it and the channel before and after.

Signals catch every write path (the admin, its inlines and bulk delete, the importer, the
shell) without each one remembering to call an audit helper. Who acted is carried by a
context variable that the admin sets around its views; the importer leaves it unset, so its
rows have no user. Lives entirely in `providers`: it never imports from `cases`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from providers.models import ContactChannel, ContactChannelChange, Provider

_actor: ContextVar[Any] = ContextVar("contact_channel_audit_actor", default=None)


@contextmanager
def acting_as(user: Any) -> Iterator[None]:
    """Attribute the channel changes made inside this block to `user` (None: the system)."""
    token = _actor.set(user if user is not None and user.is_authenticated else None)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> Any:
    return _actor.get()


@receiver(pre_save, sender=ContactChannel, dispatch_uid="channel_audit_before")
def remember_before(sender: type, instance: ContactChannel, raw: bool = False, **kwargs) -> None:
    # Read the stored row, not the in-memory object: it is what the change replaces.
    instance._audit_before = None
    if raw or instance.pk is None:
        return
    stored = ContactChannel.objects.filter(pk=instance.pk).first()
    instance._audit_before = stored.audit_snapshot() if stored else None


@receiver(post_save, sender=ContactChannel, dispatch_uid="channel_audit_save")
def record_save(
    sender: type, instance: ContactChannel, created: bool, raw: bool = False, **kwargs
) -> None:
    if raw:
        return
    before = getattr(instance, "_audit_before", None)
    after = instance.audit_snapshot()
    if not created and before == after:
        return
    ContactChannelChange.objects.create(
        channel=instance,
        provider_id=instance.provider_id,
        action=ContactChannelChange.Action.UPDATED
        if before is not None
        else ContactChannelChange.Action.CREATED,
        changed_by=current_actor(),
        before=before,
        after=after,
    )


@receiver(post_delete, sender=ContactChannel, dispatch_uid="channel_audit_delete")
def record_delete(sender: type, instance: ContactChannel, origin: Any = None, **kwargs) -> None:
    # Deleting a provider cascades to its channels *and* their audit rows: a row written now
    # would point at a provider about to vanish.
    if isinstance(origin, Provider) or (
        isinstance(origin, QuerySet) and issubclass(origin.model, Provider)
    ):
        return
    ContactChannelChange.objects.create(
        channel=None,
        provider_id=instance.provider_id,
        action=ContactChannelChange.Action.DELETED,
        changed_by=current_actor(),
        before=instance.audit_snapshot(),
        after=None,
    )
