"""Bump `User.access_version` whenever what a session remembers about a person may change.

accounts/session_facts.py keeps two facts in a staff session (member of the agents' group,
has a TOTP authenticator); these receivers make every change to either visible to all of the
person's sessions on their next request: a membership added or removed from either side, the
group renamed or deleted, an authenticator added, changed or removed.
"""

from collections.abc import Iterable

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from accounts.models import User

# Members of a group about to be cleared or deleted, kept on the instance for the post_ signal.
_MEMBERS = "_access_version_members"


def bump_access_version(user_ids: Iterable[int]) -> None:
    """Make every session of these people read their facts afresh."""
    ids = list(user_ids)
    if ids:
        User.objects.filter(pk__in=ids).update(access_version=F("access_version") + 1)


def _members(group: Group) -> list[int]:
    return list(User.objects.filter(groups=group).values_list("pk", flat=True))


@receiver(m2m_changed, sender=User.groups.through)
def groups_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if not reverse:  # user.groups.add/remove/clear/set
        if action in ("post_add", "post_remove", "post_clear"):
            bump_access_version([instance.pk])
        return
    # group.user_set.add/remove/clear/set: `instance` is the group, `pk_set` its users.
    if action == "pre_clear":
        setattr(instance, _MEMBERS, _members(instance))
    elif action == "post_clear":
        bump_access_version(getattr(instance, _MEMBERS, []))
    elif action in ("post_add", "post_remove"):
        bump_access_version(pk_set or [])


@receiver(post_save, sender=Group)
def group_saved(sender, instance: Group, created: bool, **kwargs) -> None:
    if not created:  # a rename makes its members agents, or no longer agents
        bump_access_version(_members(instance))


@receiver(pre_delete, sender=Group)
def group_deleting(sender, instance: Group, **kwargs) -> None:
    setattr(instance, _MEMBERS, _members(instance))


@receiver(post_delete, sender=Group)
def group_deleted(sender, instance: Group, **kwargs) -> None:
    bump_access_version(getattr(instance, _MEMBERS, []))


@receiver(post_save, sender=Authenticator)
@receiver(post_delete, sender=Authenticator)
def authenticator_changed(sender, instance: Authenticator, **kwargs) -> None:
    bump_access_version([instance.user_id])
