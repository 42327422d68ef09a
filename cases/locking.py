"""The two halves of every write to a case: lock the row (checking the version the person saw),
then save with the version bumped and the activity stamped (STYLE.md "A service")."""

from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case
from cases.transitions import CaseChanged, TransitionNotAllowed


def refuse_if_deleted(case: Case) -> None:
    """A case its customer deleted is a read-only record: nothing may change it any more."""
    if case.deleted_at is not None:
        raise TransitionNotAllowed(
            _("The customer deleted this case: it is kept read-only and cannot be changed.")
        )


def lock(case: Case, version: int | None = None) -> Case:
    """The case's row, locked until the transaction ends; CaseChanged if `version` is stale.

    `version=None` is for writes that apply whatever the person saw (stop reminders, say).
    """
    locked = Case.objects.select_for_update(of=("self",)).select_related("provider").get(pk=case.pk)
    refuse_if_deleted(locked)
    if version is not None and locked.version != version:
        raise CaseChanged(locked)
    return locked


def bump(case: Case, *fields: str) -> None:
    """Save `fields` of a locked case with a new version and last activity."""
    case.version += 1
    case.last_activity_at = timezone.now()
    case.save(update_fields=[*fields, "version", "last_activity_at"])
