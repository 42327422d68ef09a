"""No admin path writes a case's rows without an event: plain add, change and delete of a
case's rows are refused, and every action goes through a service that records one."""

from collections.abc import Callable

import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.db.models import Model
from django.test import RequestFactory
from django.urls import reverse

from cases.models import Case, CaseEvent, Evidence, InboundMessage, ProviderSuggestion, Reminder
from tests import factories
from tests.admin.test_admin import ROW_MAKERS as MAKERS


def _inbound_message() -> InboundMessage:
    return InboundMessage.objects.create(
        case=factories.CaseFactory(),
        via=InboundMessage.Via.PIPE,
        recipient="case-x@inbound.closeout.local",
        raw=ContentFile(b"Subject: hi\r\n\r\nhello\r\n", name="m.eml"),
        size=24,
        sha256="0" * 64,
        dedupe_key="admin-test",
    )


def _suggestion() -> ProviderSuggestion:
    return ProviderSuggestion.objects.create(
        case=factories.CaseFactory(provider=None, provider_name="Tiny Telecom"),
        name="Tiny Telecom",
        country="GB",
        service_kind="esim",
    )


ROW_MAKERS = {**MAKERS, InboundMessage: _inbound_message, ProviderSuggestion: _suggestion}

pytestmark = pytest.mark.django_db

CASE_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label == "cases"),
    key=lambda model: model.__name__,
)


def url(model: type[Model], view: str, *args) -> str:
    return reverse(f"admin:cases_{model._meta.model_name}_{view}", args=args)


def case_of(obj: Model) -> Case | None:
    if isinstance(obj, Case):
        return obj
    return getattr(obj, "case", None)


def snapshot(model: type[Model], obj: Model) -> dict:
    return model.objects.filter(pk=obj.pk).values().get()


@pytest.mark.parametrize("model", CASE_MODELS, ids=lambda m: m.__name__)
def test_no_case_row_is_added_or_deleted_directly(admin_client, model):
    ROW_MAKERS[model]()
    obj = model.objects.order_by("-pk").first()
    before = snapshot(model, obj)

    assert admin_client.get(url(model, "add")).status_code == 403
    assert admin_client.post(url(model, "add"), {}).status_code == 403
    assert admin_client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    response = admin_client.post(
        url(model, "changelist"), {"action": "delete_selected", "_selected_action": [obj.pk]}
    )

    assert response.status_code in (200, 302)
    assert snapshot(model, obj) == before


@pytest.mark.parametrize(
    "model", [m for m in CASE_MODELS if m is not Case], ids=lambda m: m.__name__
)
def test_no_child_row_is_changed_directly(admin_client, model):
    ROW_MAKERS[model]()
    obj = model.objects.order_by("-pk").first()
    before = snapshot(model, obj)
    data = {name: "changed" for name in before if isinstance(before[name], str)}

    assert admin_client.post(url(model, "change", obj.pk), data).status_code == 403
    assert snapshot(model, obj) == before


def test_a_case_edit_in_the_admin_goes_through_the_service_with_its_event(admin_client):
    case = factories.CaseFactory(status=Case.Status.PREPARING)
    data = {
        "owner": case.owner_id,
        "provider": case.provider_id,
        "provider_name": "",
        "service_kind": case.service_kind,
        "phone_number": case.phone_number,
        "reason": case.reason,
        "language": "en",
        "time_zone": "Europe/London",
        "provider_reference": "REF-9",
        "seen_version": case.version,
    }
    for prefix in ("steps", "evidence", "events"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}

    response = admin_client.post(url(Case, "change", case.pk), data)
    stale = admin_client.post(url(Case, "change", case.pk), data | {"provider_reference": "X"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.provider_reference, case.version) == ("REF-9", 2)
    assert case.events.count() == 1
    assert "changed meanwhile" in stale.content.decode()


def finished_case_with_a_file() -> Case:
    case = factories.CaseFactory(status=Case.Status.COMPLETED)
    factories.EvidenceFactory(case=case)
    return case


# The row each action is for; a new action fails the test below until it is listed here.
ACTION_ROWS: dict[str, Callable[[], Model]] = {
    "delete_cases": finished_case_with_a_file,
    "delete_evidence": lambda: factories.EvidenceFactory(),
    "cancel_reminders": lambda: factories.ReminderFactory(state=Reminder.State.SCHEDULED),
    "retry_reminders": lambda: factories.ReminderFactory(state=Reminder.State.FAILED),
}


def admin_actions(admin_user) -> list[tuple[type[Model], str]]:
    request = RequestFactory().get("/")
    request.user = admin_user
    found = []
    for model in CASE_MODELS:
        for name in admin.site._registry[model].get_actions(request):
            found.append((model, name))
    return found


def test_every_action_on_case_rows_is_known(admin_user):
    assert {name for _model, name in admin_actions(admin_user)} == set(ACTION_ROWS)


@pytest.mark.parametrize("action", sorted(ACTION_ROWS))
def test_every_action_records_an_event_on_each_case_it_touches(
    admin_client, admin_user, action, django_capture_on_commit_callbacks
):
    [model] = [model for model, name in admin_actions(admin_user) if name == action]
    obj = ACTION_ROWS[action]()
    case = case_of(obj)
    assert case is not None
    events_before = CaseEvent.objects.filter(case=case).count()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url(model, "changelist"), {"action": action, "_selected_action": [obj.pk]}
        )

    assert response.status_code == 302
    events = CaseEvent.objects.filter(case=case)
    # A deleted case keeps only its tombstone; every other action adds to the timeline.
    assert events.count() > (0 if action == "delete_cases" else events_before)
    assert events.filter(actor=admin_user).exists() or action == "delete_cases"


def test_deleting_a_file_in_the_admin_removes_it_and_leaves_its_tombstone(
    admin_client, django_capture_on_commit_callbacks
):
    evidence = factories.EvidenceFactory(sha256="cd" * 32)
    storage, name = evidence.file.storage, evidence.file.name
    version = evidence.case.version

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            url(Evidence, "changelist"),
            {"action": "delete_evidence", "_selected_action": [evidence.pk]},
        )

    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    assert not storage.exists(name)
    [tombstone] = CaseEvent.objects.filter(case=evidence.case, kind=CaseEvent.Kind.EVIDENCE_DELETED)
    assert "cd" * 32 in tombstone.text_params["sha256"]
    evidence.case.refresh_from_db()
    assert evidence.case.version == version + 1


def test_deleting_a_case_in_the_admin_is_the_customers_deletion(
    admin_client, django_capture_on_commit_callbacks
):
    case = finished_case_with_a_file()
    [evidence] = case.evidence.all()
    storage, name = evidence.file.storage, evidence.file.name
    still_open = factories.CaseFactory(status=Case.Status.AWAITING_REVIEW)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url(Case, "changelist"),
            {"action": "delete_cases", "_selected_action": [case.pk, still_open.pk]},
            follow=True,
        )

    case.refresh_from_db()
    assert case.owner is None
    assert case.purged_at is not None
    assert not storage.exists(name)
    [tombstone] = CaseEvent.objects.filter(case=case)
    assert tombstone.kind == CaseEvent.Kind.CASE_DELETED
    assert "in the admin" in tombstone.text
    assert still_open.reference in response.content.decode()
    still_open.refresh_from_db()
    assert still_open.owner_id is not None


@pytest.mark.parametrize(
    ("count", "language", "expected"),
    [
        (1, "en", "1 case deleted."),
        (2, "en", "2 cases deleted."),
        (1, "zh-hans", "已删除 1 个工单。"),
        (2, "zh-hans", "已删除 2 个工单。"),
    ],
)
def test_deleting_cases_says_how_many_in_words_that_agree(
    admin_client, django_capture_on_commit_callbacks, count, language, expected
):
    cases = [finished_case_with_a_file() for _ in range(count)]
    admin_client.cookies["django_language"] = language

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url(Case, "changelist"),
            {"action": "delete_cases", "_selected_action": [c.pk for c in cases]},
            follow=True,
        )

    page = response.content.decode()
    assert expected in page
    assert "(s)" not in page


@pytest.mark.parametrize(("count", "expected"), [(1, "1 file deleted."), (2, "2 files deleted.")])
def test_deleting_files_says_how_many_in_words_that_agree(
    admin_client, django_capture_on_commit_callbacks, count, expected
):
    files = [factories.EvidenceFactory() for _ in range(count)]

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url(Evidence, "changelist"),
            {"action": "delete_evidence", "_selected_action": [f.pk for f in files]},
            follow=True,
        )

    assert expected in response.content.decode()
