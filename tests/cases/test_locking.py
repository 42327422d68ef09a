"""The one write path: lock with the version seen, then save only what changed, version + 1."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cases import locking
from cases.models import Case
from cases.transitions import CaseChanged
from tests import factories

pytestmark = pytest.mark.django_db


def test_update_saves_only_the_changed_fields_with_a_new_version():
    case = factories.CaseFactory(reason_detail="old")
    with transaction.atomic():
        locked = locking.lock(case, case.version, by=None)
        with CaptureQueriesContext(connection) as queries:
            saved = locking.update(locked, reason_detail="new", reason=locked.reason)

    assert saved == ["reason_detail"]
    [update] = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert '"reason_detail"' in update
    assert '"reason" =' not in update
    case.refresh_from_db()
    assert (case.reason_detail, case.version) == ("new", 2)


def test_a_field_a_rule_set_on_the_locked_case_is_saved_too():
    case = factories.CaseFactory()
    with transaction.atomic():
        locked = locking.lock(case, case.version, by=None)
        locked.is_stalled = True  # as the reminder outbox moves a case's clock
        assert locking.update(locked) == ["is_stalled"]
    case.refresh_from_db()
    assert case.is_stalled


def test_a_stale_version_is_refused_under_the_lock():
    case = factories.CaseFactory()
    Case.objects.filter(pk=case.pk).update(version=5)
    with transaction.atomic(), pytest.raises(CaseChanged) as stale:
        locking.lock(case, 1, by=None)
    assert stale.value.case.version == 5


def test_the_check_runs_before_a_stale_version_shows_the_fresh_case():
    case = factories.CaseFactory()
    Case.objects.filter(pk=case.pk).update(version=5)

    def refuse(locked: Case) -> None:
        raise PermissionError

    with transaction.atomic(), pytest.raises(PermissionError):
        locking.lock(case, 1, by=None, check=refuse)


def test_update_needs_a_locked_case():
    case = factories.CaseFactory()
    with pytest.raises(RuntimeError):
        locking.update(case, reason_detail="around the lock")


def test_a_claim_keeps_the_version_a_page_showed():
    case = factories.CaseFactory(owner=None, draft_token="t")
    owner = factories.UserFactory()
    with transaction.atomic():
        locked = locking.lock(case, None, by=None)
        locking.update_keeping_version(locked, owner=owner, draft_token="")
    case.refresh_from_db()
    assert (case.owner, case.version) == (owner, 1)
