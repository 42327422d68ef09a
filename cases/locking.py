"""The two halves of every write to a case: lock the row (checking who writes and the version
they saw), then save with the version bumped and the activity stamped (STYLE.md "A service")."""

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cases import access
from cases.models import Case
from cases.transitions import CaseChanged, TransitionNotAllowed


def refuse_if_deleted(case: Case) -> None:
    """A case its customer deleted is a read-only record: nothing may change it any more."""
    if case.deleted_at is not None:
        raise TransitionNotAllowed(
            _("The customer deleted this case: it is kept read-only and cannot be changed.")
        )


def lock(case: Case, version: int | None = None, *, by: User | None) -> Case:
    """The case's row, locked until the transaction ends; CaseChanged if `version` is stale.

    `by` is who writes, checked against the access rule on the locked row (AccessDenied):
    None for the system. `version=None` is for writes that apply whatever the person saw
    (stop reminders, say).
    """
    locked = Case.objects.select_for_update(of=("self",)).select_related("provider").get(pk=case.pk)
    access.check_can_act(by=by, case=locked)
    refuse_if_deleted(locked)
    if version is not None and locked.version != version:
        raise CaseChanged(locked)
    return locked


def bump(case: Case, *fields: str) -> None:
    """Save `fields` of a locked case with a new version and last activity."""
    case.version += 1
    case.last_activity_at = timezone.now()
    case.save(update_fields=[*fields, "version", "last_activity_at"])
