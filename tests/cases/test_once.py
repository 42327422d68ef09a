"""Every create form is submitted once: the same one-time token posted again (a double click,
Back then submit again) shows what the first submission made and makes nothing new."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import once
from cases.contacts import services as contact_services
from cases.contacts.services import ContactEntry
from cases.models import Case, CaseEvent, ContactAttempt, Evidence, FormSubmission, Reminder
from cases.transitions import CaseChanged
from providers.models import ContactChannel
from tests import factories
from tests.cases.evidence import samples
from tests.cases.test_views_journey import build_case

pytestmark = pytest.mark.django_db
S = Case.Status
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_clock(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def case(customer):
    provider = factories.ProviderFactory(
        name="Demo Telecom (fictional)", slug="demo-telecom", country="GB",
        website="https://demo-telecom.example/",
    )  # fmt: skip
    factories.ContactChannelFactory(
        provider=provider, kind=ContactChannel.Kind.POST, value="PO Box 1, Testtown TE1 1ST"
    )
    return build_case(owner=customer, status=S.AWAITING_REVIEW, provider=provider)


def token_of(page: str) -> str:
    """The one-time token of the form on a page, as a browser would post it back."""
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    assert found, "the form carries no one-time token"
    return found.group(1)


def contact_form(case: Case) -> dict:
    phone = case.provider.channels.filter(kind=ContactChannel.Kind.PHONE).first()
    assert phone is not None
    return {
        "version": case.version,
        "channel": str(phone.pk),
        "channel_text": "",
        "direction": "outbound",
        "occurred_at": "2026-12-01T09:00",
        "spoke_to": "Ms Li",
        "provider_reference": "REF-881",
        "summary": "They said it takes 3 days.",
        "outcome": "in_progress",
        "follow_up_on": "",
    }


def test_each_form_shown_gets_its_own_token(client, customer, case):
    client.force_login(customer)
    url = reverse("contacts:new", kwargs={"ref": case.reference})

    first, second = (token_of(client.get(url, follow=True).content.decode()) for _ in range(2))

    assert first != second
    assert len(first) >= 32


def test_back_then_submit_again_logs_the_contact_once(client, customer, case):
    client.force_login(customer)
    url = reverse("contacts:new", kwargs={"ref": case.reference})
    data = {
        **contact_form(case),
        "form_token": token_of(client.get(url, follow=True).content.decode()),
    }

    first = client.post(url, data)
    # Back restores the same form (its old version and token); submitting it again:
    replay = client.post(url, data, follow=True)

    assert first.status_code == 302, re.findall(r"field-error[^>]*>([^<]+)", first.content.decode())
    contact = ContactAttempt.objects.get(case=case)
    assert replay.redirect_chain[-1][0].endswith(f"#contact-{contact.pk}")
    assert "This contact was already logged" in replay.content.decode()
    assert case.events.filter(kind=CaseEvent.Kind.CONTACT).count() == 1


def test_the_replay_is_caught_even_with_the_fresh_version(client, customer, case):
    client.force_login(customer)
    url = reverse("contacts:new", kwargs={"ref": case.reference})
    data = {**contact_form(case), "form_token": once.new_token()}
    client.post(url, data)
    case.refresh_from_db()

    client.post(url, {**data, "version": case.version})

    assert ContactAttempt.objects.filter(case=case).count() == 1


def test_a_new_form_logs_a_second_contact(client, customer, case):
    client.force_login(customer)
    url = reverse("contacts:new", kwargs={"ref": case.reference})
    client.post(url, {**contact_form(case), "form_token": once.new_token()})
    case.refresh_from_db()

    client.post(url, {**contact_form(case), "form_token": once.new_token()})

    assert ContactAttempt.objects.filter(case=case).count() == 2


def test_a_refused_submission_leaves_its_token_free_to_send_again(customer, case):
    token = once.new_token()
    entry = ContactEntry(occurred_at=NOW, direction="outbound", outcome="in_progress",
                         channel_text="Shop on the high street")  # fmt: skip
    with pytest.raises(CaseChanged):
        contact_services.log_contact(
            case=case, by=customer, version=case.version - 1, entry=entry,
            warning_shown=False, form_token=token,
        )  # fmt: skip
    assert not FormSubmission.objects.filter(token=token).exists()

    contact_services.log_contact(
        case=case, by=customer, version=case.version, entry=entry, warning_shown=False,
        form_token=token,
    )  # fmt: skip

    assert ContactAttempt.objects.filter(case=case).count() == 1


def test_an_agent_note_and_message_posted_twice_are_added_once(client, agent, case):
    client.force_login(agent)
    page = client.get(reverse("staff:case_detail", args=[case.reference])).content.decode()
    tokens = re.findall(r'name="form_token" value="([^"]+)"', page)
    note_token, message_token = tokens[0], tokens[1]

    for _ in range(2):
        client.post(
            reverse("staff:case_note", args=[case.reference]),
            {"version": case.version, "note": "Called them", "form_token": note_token},
        )
    case.refresh_from_db()
    for _ in range(2):
        client.post(
            reverse("staff:case_message", args=[case.reference]),
            {"version": case.version, "message": "We chased them", "form_token": message_token},
        )

    assert case.events.filter(kind=CaseEvent.Kind.NOTE, message="Called them").count() == 1
    assert case.events.filter(kind=CaseEvent.Kind.NOTE, message="We chased them").count() == 1
    assert Reminder.objects.filter(case=case, kind=Reminder.Kind.AGENT_MESSAGE).count() == 1


def staff_form_tokens(client, case: Case) -> tuple[str, str]:
    """The note's and the message's tokens on a freshly fetched staff case page (it is never
    cached: Back fetches it again, so a resubmission carries new tokens)."""
    page = client.get(reverse("staff:case_detail", args=[case.reference])).content.decode()
    tokens = re.findall(r'name="form_token" value="([^"]+)"', page)
    return tokens[0], tokens[1]


def test_back_to_a_fresh_staff_page_then_send_again_adds_the_note_once(client, agent, case):
    client.force_login(agent)
    for _ in range(2):  # each time: the page fetched again, what was typed put back, sent
        case.refresh_from_db()
        note_token, message_token = staff_form_tokens(client, case)
        note = client.post(
            reverse("staff:case_note", args=[case.reference]),
            {"version": case.version, "note": "Called them", "form_token": note_token},
            follow=True,
        )
        case.refresh_from_db()
        client.post(
            reverse("staff:case_message", args=[case.reference]),
            {"version": case.version, "message": "We chased them", "form_token": message_token},
        )

    assert "That was already saved: it is on the case below." in note.text
    assert case.events.filter(kind=CaseEvent.Kind.NOTE, message="Called them").count() == 1
    assert case.events.filter(kind=CaseEvent.Kind.NOTE, message="We chased them").count() == 1
    assert Reminder.objects.filter(case=case, kind=Reminder.Kind.AGENT_MESSAGE).count() == 1


def test_another_text_or_the_same_one_later_or_by_another_agent_is_a_new_note(client, agent, case):
    other_agent = factories.AgentFactory()

    def post(by, text: str) -> None:
        client.force_login(by)
        case.refresh_from_db()
        token, _message_token = staff_form_tokens(client, case)
        client.post(
            reverse("staff:case_note", args=[case.reference]),
            {"version": case.version, "note": text, "form_token": token},
        )

    post(agent, "Called them")
    post(agent, "Called them again")
    post(other_agent, "Called them")
    with time_machine.travel(NOW + once.REPEAT_WINDOW + dt.timedelta(seconds=1), tick=False):
        post(agent, "Called them")

    notes = case.events.filter(kind=CaseEvent.Kind.NOTE, visibility="internal")
    assert notes.filter(message="Called them").count() == 3
    assert notes.filter(message="Called them again").count() == 1


def test_an_upload_posted_twice_keeps_the_files_once(client, customer, case):
    client.force_login(customer)
    url = reverse("evidence:add", args=[case.reference])
    token = token_of(client.get(url, follow=True).content.decode())

    for _ in range(2):
        client.post(
            url,
            {
                "version": case.version,
                "form_token": token,
                "file_1": SimpleUploadedFile("bill.pdf", samples.pdf_document()),
                "kind_1": "final_bill",
            },
        )

    assert Evidence.objects.filter(case=case).count() == 1


def test_i_sent_the_notice_posted_twice_logs_it_once(client, customer, case):
    case.notice_name, case.notice_address = "Ada Lovelace", "12 Example Street"
    case.save()
    client.force_login(customer)
    post = case.provider.channels.get(kind=ContactChannel.Kind.POST)
    data = {
        "version": case.version,
        "channel": str(post.pk),
        "sent_on": "2026-11-30",
        "form_token": once.new_token(),
    }

    for _ in range(2):
        client.post(reverse("notices:sent", kwargs={"ref": case.reference}), data)

    assert ContactAttempt.objects.filter(case=case, channel=post).count() == 1
    assert case.events.filter(kind=CaseEvent.Kind.NOTICE).count() == 1


class TestPurge:
    """Used tokens go after FORM_SUBMISSION_KEEP_DAYS; the beat runs the task daily."""

    def claimed_at(self, when: dt.datetime, case: Case) -> str:
        token = once.new_token()
        with time_machine.travel(when, tick=False):
            once.claim(token=token, case=case, kind=once.Kind.NOTE)
        return token

    def test_old_tokens_go_and_fresh_ones_stay(self, case, settings):
        settings.FORM_SUBMISSION_KEEP_DAYS = 7
        old = [self.claimed_at(NOW - dt.timedelta(days=days), case) for days in (8, 30, 30)]
        fresh = [self.claimed_at(NOW - dt.timedelta(days=days), case) for days in (0, 6)]

        assert once.purge_old(now=NOW, batch=2) == 3

        left = set(FormSubmission.objects.values_list("token", flat=True))
        assert left == set(fresh)
        assert not left & set(old)
        assert once.purge_old(now=NOW) == 0

    def test_the_task_is_registered_and_on_the_beat(self, case, settings):
        from cases import tasks
        from config.celery import app

        app.loader.import_default_modules()
        [entry] = [
            entry
            for entry in settings.CELERY_BEAT_SCHEDULE.values()
            if entry["task"] == "cases.tasks.purge_form_submissions"
        ]
        assert entry["task"] in app.tasks
        self.claimed_at(NOW - dt.timedelta(days=8), case)

        assert tasks.purge_form_submissions.apply().get() == 1
        assert not FormSubmission.objects.exists()

    def test_a_purged_token_no_longer_blocks_the_form_it_came_from(self, case):
        token = self.claimed_at(NOW - dt.timedelta(days=8), case)
        once.purge_old(now=NOW)

        assert once.claim(token=token, case=case, kind=once.Kind.NOTE) is not None
