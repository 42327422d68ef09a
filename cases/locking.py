"""The two halves of every write to a case: lock the row (checking the version the person saw),
then save with the version bumped and the activity stamped (STYLE.md "A service")."""

from django.utils import timezone

from cases.models import Case
from cases.transitions import CaseChanged


def lock(case: Case, version: int | None = None) -> Case:
    """The case's row, locked until the transaction ends; CaseChanged if `version` is stale.

    `version=None` is for writes that apply whatever the person saw (stop reminders, say).
    """
    locked = Case.objects.select_for_update(of=("self",)).select_related("provider").get(pk=case.pk)
    if version is not None and locked.version != version:
        raise CaseChanged(locked)
    return locked


def bump(case: Case, *fields: str) -> None:
    """Save `fields` of a locked case with a new version and last activity."""
    case.version += 1
    case.last_activity_at = timezone.now()
    case.save(update_fields=[*fields, "version", "last_activity_at"])
