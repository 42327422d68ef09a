"""The one way to write a case: lock the row, checking the version the person saw, then save
what changed with the version bumped and the activity stamped (STYLE.md "One write path").

    case = locking.lock(case, version, by=by)   # inside transaction.atomic
    ...                                     # checks, events, child rows
    locking.update(case, status=to)         # only the fields that changed, version + 1

Rules elsewhere may set fields on the locked case before `update` (the reminder outbox
moves a case's clock); `update` saves every field that differs from the row it locked.
"""

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
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


# Where lock() keeps the row as it was read, for update() to compare against.
_AS_LOCKED = "_values_as_locked"


def _field_names() -> list[str]:
    return [field.attname for field in Case._meta.concrete_fields if not field.primary_key]


def _remember(case: Case) -> Case:
    setattr(case, _AS_LOCKED, {name: getattr(case, name) for name in _field_names()})
    return case


def _rows(queryset: QuerySet[Case]) -> QuerySet[Case]:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("A case is locked inside transaction.atomic, for the whole write.")
    return queryset.select_for_update(of=("self",)).select_related("provider")


def lock(
    case: Case,
    version: int | None,
    *,
    by: User | None,
    check: Callable[[Case], object] | None = None,
) -> Case:
    """The case's row, locked until the transaction ends; CaseChanged if `version` is stale.

    `by` is who writes, checked against the access rule on the locked row (AccessDenied):
    None for the system. `version=None` only for writes that act on the case as it is, not on
    a page someone saw (the system, a one-click link in an email, an admin action). `check`
    (a service's own refusal, with its message) runs on the locked row first, then the access
    rule, then the version, so that a CaseChanged, which carries the fresh case, reaches only
    someone allowed to see it.
    """
    locked = _rows(Case.objects.filter(pk=case.pk)).get()
    if check is not None:
        check(locked)
    access.check_can_act(by=by, case=locked)
    refuse_if_deleted(locked)
    if version is not None and locked.version != version:
        raise CaseChanged(locked)
    return _remember(locked)


def lock_all(cases: QuerySet[Case]) -> list[Case]:
    """Lock every case of `cases` in id order (a system write to many at once)."""
    return [_remember(case) for case in _rows(cases).order_by("id")]


def lock_ids(cases: QuerySet[Case], *, limit: int) -> list[int]:
    """Up to `limit` ids of `cases`, locked and skipping those another transaction holds: for a
    system write to a batch of cases that changes nothing a person edits (so no version)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("A case is locked inside transaction.atomic, for the whole write.")
    return list(cases.select_for_update(skip_locked=True)[:limit].values_list("pk", flat=True))


def update(case: Case, **fields: Any) -> list[str]:
    """Set `fields` on a locked case and save the fields that changed since it was locked,
    with a new version and last activity. Returns the names saved.

    The version moves even when no field of the case itself changed: its steps, files or
    contacts did, and every page showing the old version must now be refused.
    """
    return _save(case, fields, stamp=True)


def update_keeping_version(case: Case, **fields: Any) -> list[str]:
    """update() for a write that changes nothing a page lets someone edit (a draft claimed at
    sign-in): a form opened before it is still current."""
    return _save(case, fields, stamp=False)


# Saved by every update().
STAMPS = ("version", "last_activity_at")


def _save(case: Case, fields: dict[str, Any], *, stamp: bool) -> list[str]:
    as_locked = getattr(case, _AS_LOCKED, None)
    if as_locked is None:
        raise RuntimeError("update() needs a case from lock(): it compares with the locked row.")
    for name, value in fields.items():
        setattr(case, name, value)
    changed = [name for name in _field_names() if getattr(case, name) != as_locked[name]]
    saved = [name for name in changed if name not in STAMPS]
    if stamp:
        if "last_activity_at" not in fields:
            case.last_activity_at = timezone.now()
        case.version = as_locked["version"] + 1
        case.save(update_fields=[*saved, *STAMPS])  # attnames: owner_id for owner
    elif saved:
        case.save(update_fields=saved)
    _remember(case)
    return saved
