import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from accounts.models import User
from cases import services
from cases.models import (
    AgentDigest,
    Case,
    CaseEvent,
    CaseStep,
    ContactAttempt,
    Evidence,
    ProofPackBuild,
    Reminder,
)
from providers.models import (
    ContactChannel,
    ContactChannelChange,
    Playbook,
    PlaybookStep,
    Provider,
)
from tests import factories

pytestmark = pytest.mark.django_db

MAX_CHANGELIST_QUERIES = 12


# Each makes one row of its model with its own related rows, so N+1 queries would show.
ROW_MAKERS = {
    User: lambda: factories.UserFactory(),
    Provider: lambda: factories.ProviderFactory(),
    # The audit receiver writes the change row.
    ContactChannel: lambda: factories.ContactChannelFactory(),
    ContactChannelChange: lambda: factories.ContactChannelFactory(),
    Playbook: lambda: factories.PlaybookStepFactory(playbook__provider=factories.ProviderFactory()),
    PlaybookStep: lambda: factories.PlaybookStepFactory(
        playbook__provider=factories.ProviderFactory()
    ),
    Case: lambda: factories.CaseFactory(assigned_agent=factories.AgentFactory()),
    CaseStep: lambda: factories.CaseStepFactory(),
    Evidence: lambda: factories.EvidenceFactory(),
    ContactAttempt: lambda: factories.ContactAttemptFactory(
        channel=factories.ContactChannelFactory()
    ),
    CaseEvent: lambda: factories.CaseEventFactory(actor=factories.AgentFactory()),
    Reminder: lambda: factories.ReminderFactory(),
    AgentDigest: lambda: factories.AgentDigestFactory(),
    ProofPackBuild: lambda: factories.ProofPackBuildFactory(requested_by=factories.AgentFactory()),
}


def make_rows(model: type, n: int) -> None:
    for _ in range(n):
        ROW_MAKERS[model]()


MODELS = [
    User,
    Provider,
    ContactChannel,
    ContactChannelChange,
    Playbook,
    PlaybookStep,
    Case,
    CaseStep,
    Evidence,
    ContactAttempt,
    CaseEvent,
    Reminder,
    AgentDigest,
    ProofPackBuild,
]


def changelist(model: type) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_loads_with_a_fixed_number_of_queries(
    admin_client, django_assert_max_num_queries, django_assert_num_queries, model
):
    make_rows(model, 2)
    with django_assert_max_num_queries(MAX_CHANGELIST_QUERIES) as few:
        response = admin_client.get(changelist(model))
    assert response.status_code == 200

    make_rows(model, 5)
    with django_assert_num_queries(len(few.captured_queries)):
        response = admin_client.get(changelist(model))
    assert response.status_code == 200
    assert model.objects.count() >= 7


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_change_page_loads(admin_client, model):
    make_rows(model, 1)
    obj = model.objects.order_by("-pk").first()
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
    assert admin_client.get(url).status_code == 200


def test_no_full_result_count_on_big_lists():
    from django.contrib import admin

    for model in (User, Case, CaseEvent, Reminder, Evidence, ContactAttempt, CaseStep):
        assert admin.site._registry[model].show_full_result_count is False, model


def test_case_event_cannot_be_added_changed_or_deleted(admin_client):
    event = factories.CaseEventFactory()
    base = "admin:cases_caseevent"

    assert admin_client.get(reverse(f"{base}_add")).status_code == 403
    change_url = reverse(f"{base}_change", args=[event.pk])
    assert admin_client.post(change_url, {"message": "rewritten"}).status_code == 403
    delete_url = reverse(f"{base}_delete", args=[event.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.message == "Something happened."


def test_reminder_rows_are_read_only_but_failed_ones_can_be_retried(admin_client):
    reminder = factories.ReminderFactory(state=Reminder.State.FAILED, attempts=5)
    change_url = reverse("admin:cases_reminder_change", args=[reminder.pk])
    assert admin_client.post(change_url, {"state": "sent"}).status_code == 403

    response = admin_client.post(
        changelist(Reminder),
        {"action": "retry_reminders", "_selected_action": [reminder.pk]},
    )

    assert response.status_code == 302
    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts) == (Reminder.State.SCHEDULED, 0)


def test_possible_duplicates_are_a_column_and_a_filter_of_the_reminder_list(admin_client):
    doubtful = factories.ReminderFactory(state=Reminder.State.SENT, is_possible_duplicate=True)
    plain = factories.ReminderFactory(state=Reminder.State.SENT)

    response = admin_client.get(changelist(Reminder), {"is_possible_duplicate__exact": "1"})

    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert rows == [doubtful]
    assert plain not in rows
    assert "possible duplicate" in response.content.decode().lower()


def test_evidence_page_shows_facts_but_never_the_stored_file(admin_client):
    evidence = factories.EvidenceFactory(sha256="ab" * 32)
    response = admin_client.get(reverse("admin:cases_evidence_change", args=[evidence.pk]))

    page = response.content.decode()
    assert "confirmation.txt" in page
    assert "ab" * 32 in page
    assert "23\xa0bytes" in page
    storage_key = evidence.file.name.rsplit("/", 1)[-1]
    assert storage_key not in page
    assert 'name="file"' not in page


def test_case_search_by_reference_email_and_last_digits(admin_client):
    case = factories.CaseFactory(phone_number="+447700900777", owner__email="Find.Me@example.com")
    other = factories.CaseFactory(phone_number="+447700900123")
    url = changelist(Case)

    for term in (
        case.reference,
        case.reference.lower().replace("-", ""),
        "find.me@EXAMPLE.com",
        "0777",
    ):
        page = admin_client.get(url, {"q": term}).content.decode()
        assert case.reference in page, term
        assert other.reference not in page, term


def test_case_status_is_read_only_and_an_edit_writes_an_event(admin_client, admin_user):
    agent = factories.AgentFactory()
    case = factories.CaseFactory(status=Case.Status.PREPARING)
    url = reverse("admin:cases_case_change", args=[case.pk])
    data = {
        "status": Case.Status.COMPLETED,  # ignored: read-only
        "owner": case.owner_id,
        "assigned_agent": agent.pk,
        "provider": case.provider_id,
        "provider_name": "",
        "service_kind": case.service_kind,
        "phone_number": case.phone_number,
        "reason": case.reason,
        "language": "en",
        "time_zone": "Europe/London",
        "provider_reference": "REF-1",
        "seen_version": case.version,
    }
    for prefix in ("steps", "evidence", "events"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.status == Case.Status.PREPARING
    assert (case.assigned_agent, case.provider_reference, case.version) == (agent, "REF-1", 2)
    kinds = set(case.events.values_list("kind", "actor"))
    assert kinds == {
        (CaseEvent.Kind.ASSIGNED, admin_user.pk),
        (CaseEvent.Kind.DETAILS, admin_user.pk),
    }


def test_a_stale_admin_form_is_refused_with_changed_meanwhile(admin_client):
    case = factories.CaseFactory(status=Case.Status.PREPARING, provider_reference="OLD")
    url = reverse("admin:cases_case_change", args=[case.pk])
    form = admin_client.get(url).content.decode()
    assert f'name="seen_version" value="{case.version}"' in form
    assert 'name="version"' not in form  # the internal counter is not shown
    # Meanwhile the customer changes the case.
    services.set_details(
        case=case, by=case.owner, version=case.version, phone_number="+447700900123", reason="cost"
    )
    data = {
        "owner": case.owner_id,
        "provider": case.provider_id,
        "provider_name": "",
        "service_kind": case.service_kind,
        "phone_number": case.phone_number,
        "reason": case.reason,
        "language": "en",
        "time_zone": "UTC",
        "provider_reference": "ADMIN-TYPED",
        "seen_version": 1,
    }
    for prefix in ("steps", "evidence", "events"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}

    response = admin_client.post(url, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "This case was changed meanwhile" in page
    assert 'value="ADMIN-TYPED"' in page  # what the admin typed is still in the form
    case.refresh_from_db()
    assert (case.provider_reference, case.reason) == ("OLD", "cost")


def test_admin_edit_of_a_channel_is_audited_with_the_user(admin_client, admin_user):
    channel = factories.ContactChannelFactory(hours="Mon–Fri 09:00–17:00")
    url = reverse("admin:providers_contactchannel_change", args=[channel.pk])
    data = {
        "provider": channel.provider_id,
        "kind": "phone",
        "value": channel.value,
        "label": "",
        "label_zh_hans": "",
        "hours": "24 hours",
        "hours_zh_hans": "",
        "languages": "",
        "is_official": "on",
        "verified_on": "2026-11-25",
        "source_url": channel.source_url,
        "position": 0,
    }

    assert admin_client.post(url, data).status_code == 302

    change = ContactChannelChange.objects.get(action="updated")
    assert change.changed_by == admin_user
    assert change.before["hours"] == "Mon–Fri 09:00–17:00"
    assert change.after["hours"] == "24 hours"
    assert change.channel == channel

    delete_url = reverse("admin:providers_contactchannel_delete", args=[channel.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 302
    deleted = ContactChannelChange.objects.get(action="deleted")
    assert deleted.changed_by == admin_user
    assert deleted.before["hours"] == "24 hours"
    assert deleted.after is None


def test_channel_added_inline_under_its_provider_is_audited(admin_client, admin_user):
    provider = factories.ProviderFactory(name="Demo Inline (fictional)", slug="demo-inline")
    url = reverse("admin:providers_provider_change", args=[provider.pk])
    data = {
        "name": provider.name,
        "slug": provider.slug,
        "country": "GB",
        "is_active": "on",
        "is_demo": "on",
        "offers_virtual": "on",
        "website": "https://example.com/",
        "channels-TOTAL_FORMS": 1,
        "channels-INITIAL_FORMS": 0,
        "channels-0-position": 0,
        "channels-0-kind": "email",
        "channels-0-value": "help@inline.test",
        "channels-0-is_official": "on",
        "channels-0-verified_on": "2026-11-25",
        "channels-0-source_url": "https://inline.test/help",
    }

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    change = ContactChannelChange.objects.get()
    assert (change.action, change.changed_by, change.before) == ("created", admin_user, None)
    assert change.after["value"] == "help@inline.test"


def test_channel_change_log_is_read_only(admin_client):
    factories.ContactChannelFactory()
    change = ContactChannelChange.objects.get()
    url = reverse("admin:providers_contactchannelchange_change", args=[change.pk])
    assert admin_client.post(url, {}).status_code == 403
    assert admin_client.get(reverse("admin:providers_contactchannelchange_add")).status_code == 403


def test_admin_creates_a_user_by_email(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Agent@Closeout.example",
            "usable_password": "true",
            "password1": "a long enough passphrase 42",
            "password2": "a long enough passphrase 42",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(email="new.agent@closeout.example")
    assert user.check_password("a long enough passphrase 42")


def test_admin_refuses_a_second_account_for_the_same_email_in_other_case(admin_client):
    factories.UserFactory(email="taken@example.com")
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {"email": "TAKEN@example.com", "usable_password": "false"},
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()


def test_proof_pack_builds_show_progress_but_never_the_stored_zip(admin_client):
    build = factories.ProofPackBuildFactory(
        state=ProofPackBuild.State.BUILDING, files_done=2, files_total=5, size=0
    )
    page = admin_client.get(changelist(ProofPackBuild)).content.decode()
    assert build.case.reference in page
    assert "2 / 5" in page
    assert "Being made" in page

    change = reverse("admin:cases_proofpackbuild_change", args=[build.pk])
    html = admin_client.get(change).content.decode()
    assert "2 / 5" in html
    assert build.file.name not in html
    assert admin_client.post(change, {"state": "ready"}).status_code == 403


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_admin_index_names_each_section_once(admin_client, language):
    admin_client.cookies["django_language"] = language

    page = admin_client.get(reverse("admin:index")).content.decode()

    sections = [
        re.sub(r"<[^>]+>", "", caption).strip()
        for caption in re.findall(r"<caption>(.*?)</caption>", page, flags=re.S)
    ]
    assert len(sections) >= 4, sections
    assert len(sections) == len({name.casefold() for name in sections}), sections
    english = language == "en"
    people, addresses = ("People", "Sign-in addresses") if english else ("用户", "登录邮箱")
    assert people in sections
    assert addresses in sections


def test_case_change_page_shows_the_latest_20_events_and_steps_in_a_plain_table(
    admin_client, django_assert_max_num_queries
):
    from django.utils import translation

    case = factories.CaseFactory()
    factories.CaseEventFactory.create_batch(30, case=case)
    for n in range(3):
        factories.CaseStepFactory(case=case, position=n + 1)
    url = f"/admin/cases/case/{case.pk}/change/"

    with django_assert_max_num_queries(30):
        response = admin_client.get(url)
    html = response.content.decode()
    table = html.split('class="recent-events"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 20 + 1  # the rows and the header
    timeline = reverse("staff:case_timeline", args=[case.reference])
    assert f'href="{timeline}"' in html
    assert "Full timeline (30 events)" in html
    assert "events-TOTAL_FORMS" not in html
    assert "steps-TOTAL_FORMS" not in html

    with translation.override("zh-hans"):
        response = admin_client.get(url, headers={"accept-language": "zh-hans"})
    assert "完整时间线（30 个事件）" in response.content.decode()


def test_case_change_page_queries_do_not_grow_with_events_and_steps(
    admin_client, django_assert_max_num_queries
):
    small = factories.CaseFactory()
    big = factories.CaseFactory()
    factories.CaseEventFactory.create_batch(150, case=big)
    for n in range(13):
        factories.CaseStepFactory(case=big, position=n + 1)
    url = "/admin/cases/case/{}/change/"

    with django_assert_max_num_queries(30) as few:
        admin_client.get(url.format(small.pk))
    # One more for the big case: the event count, only asked when the table is full.
    with django_assert_max_num_queries(len(few.captured_queries) + 1):
        assert admin_client.get(url.format(big.pk)).status_code == 200


def test_capped_count_runs_without_order_by(admin_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    factories.CaseFactory.create_batch(3)
    with CaptureQueriesContext(connection) as ctx:
        response = admin_client.get(changelist(Case))
    assert response.status_code == 200
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts
    for sql in counts:
        assert "ORDER BY" not in sql.upper(), sql


def test_case_list_reads_only_the_columns_it_shows(admin_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    factories.CaseFactory.create_batch(3)
    with CaptureQueriesContext(connection) as ctx:
        response = admin_client.get(changelist(Case))
    assert response.status_code == 200
    page = [q["sql"] for q in ctx.captured_queries if 'cases_case"."last_activity_at' in q["sql"]]
    assert page
    assert '"cases_case"."imei"' not in page[0]


@pytest.mark.parametrize(
    "filters", [{"status__exact": "needs_action"}, {"is_stalled__exact": "1"}], ids=str
)
def test_filtered_case_list_keeps_a_fixed_number_of_queries(
    admin_client, django_assert_max_num_queries, django_assert_num_queries, filters
):
    def make(n: int) -> None:
        factories.CaseFactory.create_batch(
            n,
            status=Case.Status.NEEDS_ACTION,
            is_stalled=True,
            assigned_agent=factories.AgentFactory(),
        )

    make(2)
    with django_assert_max_num_queries(MAX_CHANGELIST_QUERIES) as few:
        response = admin_client.get(changelist(Case), filters)
    assert response.status_code == 200
    make(5)
    with django_assert_num_queries(len(few.captured_queries)):
        response = admin_client.get(changelist(Case), filters)
    assert response.content.decode().count('name="_selected_action"') == 7


@pytest.mark.parametrize("query", ["", "?status__exact=needs_action", "?is_stalled__exact=1"])
def test_case_rows_link_to_the_case_with_the_lists_filters(admin_client, query):
    case = factories.CaseFactory(status=Case.Status.NEEDS_ACTION, is_stalled=True)
    page = admin_client.get(changelist(Case) + query).content.decode()
    link = reverse("admin:cases_case_change", args=[case.pk])
    if query:
        link += "?" + urlencode({"_changelist_filters": query[1:]})
    assert f'<th class="field-reference"><a href="{link}">{case.reference}</a></th>' in page


def test_a_case_rows_checkbox_is_djangos_named_by_the_reference():
    from django.contrib import admin

    case = factories.CaseFactory()
    case_admin = admin.site._registry[Case]
    djangos = admin.ModelAdmin.action_checkbox(case_admin, case)
    assert case_admin.action_checkbox(case) == djangos.replace(str(case), case.reference)
    assert f'value="{case.pk}"' in djangos
