"""The case's address and its mail on the customer's and the agents' pages; the suggested
outcome recorded or dismissed; resetting the address; the Unmatched queue."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.inbound import address, receive
from cases.models import Case, CaseEvent, Evidence, InboundMessage, Reminder
from cases.reminders.schedule import Verdict, verdict
from tests import factories
from tests.cases.inbound.conftest import corpus, process_all

pytestmark = pytest.mark.django_db
M = InboundMessage


def arrive(name: str, case: Case | None = None, to: str = "") -> InboundMessage:
    [message] = receive.receive(raw=corpus(name, case=case, to=to), via=M.Via.PIPE)
    process_all()
    message.refresh_from_db()
    return message


def page(client, case: Case) -> str:
    response = client.get(reverse("cases:detail", args=[case.reference]))
    assert response.status_code == 200
    return response.content.decode()


def test_case_page_shows_the_private_address_with_a_copy_button(client, customer, waiting_case):
    client.force_login(customer)
    html = page(client, waiting_case)
    address = waiting_case.inbound_address.address
    assert address.startswith("case-")
    assert address.endswith("@in.closeout.local")
    assert f'readonly spellcheck="false">{address}</textarea>' in html
    # The copy button is hidden until the script shows it; the field works without it.
    assert 'data-copy="case-email-address"' in html
    assert "hidden>Copy</button>" in html


def test_the_address_is_the_cases_own_and_unguessable(customer, waiting_case):
    other = factories.CaseFactory(owner=customer, provider=waiting_case.provider)
    a, b = address.address_for(waiting_case).token, address.address_for(other).token
    assert a != b
    assert len(a) == 26
    assert a.isalnum()
    assert a.islower()


def test_accepting_a_confirmation_completes_the_case(client, customer, waiting_case):
    message = arrive("en_confirmation_plain.eml", waiting_case)
    client.force_login(customer)
    html = page(client, waiting_case)
    assert "This looks like a confirmation — record it?" in html
    assert "has been cancelled with effect from 7 December 2026" in html
    waiting_case.refresh_from_db()
    assert waiting_case.suggestion_waiting_since is not None

    response = client.post(
        reverse("inbound:accept", args=[waiting_case.reference, message.pk]),
        {"version": waiting_case.version},
    )
    assert response.status_code == 302
    waiting_case.refresh_from_db()
    assert waiting_case.status == Case.Status.COMPLETED
    assert waiting_case.provider_reference == "SKY-4471-902"
    assert waiting_case.suggestion_waiting_since is None
    assert Evidence.objects.get(case=waiting_case).kind == Evidence.Kind.CONFIRMATION
    message.refresh_from_db()
    assert message.decision == M.Decision.ACCEPTED
    assert message.decided_by == customer
    assert "This looks like a confirmation" not in page(client, waiting_case)


def test_accepting_needs_more_moves_the_case_with_the_quote(client, customer, waiting_case):
    message = arrive("html_only_needs_more.eml", waiting_case)
    client.force_login(customer)
    client.post(
        reverse("inbound:accept", args=[waiting_case.reference, message.pk]),
        {"version": Case.objects.get().version},
    )
    waiting_case.refresh_from_db()
    assert waiting_case.status == Case.Status.NEEDS_ACTION
    assert "Please provide a copy of your photo ID" in waiting_case.needs_action_detail


def test_dismissing_keeps_the_mail_and_changes_nothing(client, customer, waiting_case):
    message = arrive("zh_utf8_refused.eml", waiting_case)
    client.force_login(customer)
    version = Case.objects.get().version
    client.post(
        reverse("inbound:dismiss", args=[waiting_case.reference, message.pk]), {"version": version}
    )
    waiting_case.refresh_from_db()
    assert waiting_case.status == Case.Status.AWAITING_REVIEW
    assert waiting_case.suggestion_waiting_since is None
    assert Evidence.objects.filter(case=waiting_case).exists()
    assert "销号申请审核结果" in page(client, waiting_case)


def test_a_stale_version_changes_nothing(client, customer, waiting_case):
    message = arrive("en_confirmation_plain.eml", waiting_case)
    client.force_login(customer)
    client.post(
        reverse("inbound:accept", args=[waiting_case.reference, message.pk]), {"version": 1}
    )
    waiting_case.refresh_from_db()
    assert waiting_case.status == Case.Status.AWAITING_REVIEW


def test_another_customer_cannot_see_or_answer(client, other_customer, waiting_case):
    message = arrive("en_confirmation_plain.eml", waiting_case)
    client.force_login(other_customer)
    assert client.get(reverse("cases:detail", args=[waiting_case.reference])).status_code == 404
    response = client.post(
        reverse("inbound:accept", args=[waiting_case.reference, message.pk]), {"version": 99}
    )
    assert response.status_code == 404
    response = client.post(reverse("inbound:reset", args=[waiting_case.reference]))
    assert response.status_code == 404
    waiting_case.refresh_from_db()
    assert waiting_case.status == Case.Status.AWAITING_REVIEW


def test_reminders_wait_while_a_suggestion_does(waiting_case):
    waiting_case.refresh_from_db()
    reminder = factories.ReminderFactory(
        case=waiting_case,
        kind=Reminder.Kind.LADDER,
        period_started_at=waiting_case.waiting_since,
        due_at=timezone.now(),
    )
    noon = timezone.now().replace(hour=12, minute=0)
    reminder.case.refresh_from_db()
    assert verdict(reminder, now=noon)[0] is Verdict.SEND
    arrive("en_confirmation_plain.eml", waiting_case)
    reminder.case.refresh_from_db()
    action, later = verdict(reminder, now=noon)
    assert action is Verdict.LATER
    assert later >= noon + dt.timedelta(hours=23)


def test_reset_address_sends_old_mail_to_unmatched(client, customer, waiting_case):
    old = corpus("en_confirmation_plain.eml", case=waiting_case)
    client.force_login(customer)
    response = client.post(reverse("inbound:reset", args=[waiting_case.reference]))
    assert response.status_code == 302
    waiting_case.refresh_from_db()
    assert waiting_case.inbound_address.address.encode() not in old
    [message] = receive.receive(raw=old, via=M.Via.PIPE)
    process_all()
    message.refresh_from_db()
    assert message.state == M.State.UNMATCHED
    assert message.case is None
    assert CaseEvent.objects.filter(case=waiting_case, kind=CaseEvent.Kind.INBOUND).count() == 1


def test_staff_case_page_shows_mail_and_the_guards_findings(client, agent, waiting_case):
    arrive("forwarded_inline_lookalike.eml", waiting_case)
    arrive("auto_reply.eml", waiting_case)
    client.force_login(agent)
    html = client.get(reverse("staff:case_detail", args=[waiting_case.reference])).content.decode()
    assert "verify@skylinemobi1e.co.uk" in html
    assert "lookalike_domain" in html
    assert "Automatic reply" in html  # dropped mail is shown to agents


def test_unmatched_queue_attach_and_discard(client, agent, waiting_case):
    stray = arrive(
        "en_confirmation_plain.eml", to="case-zzzzzzzzzzzzzzzzzzzzzzzzzz@in.closeout.local"
    )
    spam = arrive("latin1_confirmation.eml", to="sales@in.closeout.local")
    client.force_login(agent)
    html = client.get(reverse("inbound:unmatched")).content.decode()
    assert "case-zzzzzzzzzzzzzzzzzzzzzzzzzz@in.closeout.local" in html
    assert "sales@in.closeout.local" in html

    url = reverse("inbound:unmatched_action", args=[stray.pk])
    response = client.post(url, {"action": "attach", "reference": waiting_case.reference.lower()})
    assert response.status_code == 302
    process_all()
    stray.refresh_from_db()
    assert stray.state == M.State.PROCESSED
    assert stray.case == waiting_case
    assert stray.handled_by == agent
    event = CaseEvent.objects.get(case=waiting_case, visibility=CaseEvent.Visibility.INTERNAL)
    assert "case-zzzzzzzzzzzzzzzzzzzzzzzzzz@in.closeout.local" in event.summary

    client.post(reverse("inbound:unmatched_action", args=[spam.pk]), {"action": "discard"})
    spam.refresh_from_db()
    assert spam.state == M.State.DISCARDED
    assert spam.handled_by == agent
    assert "No unmatched mail." in client.get(reverse("inbound:unmatched")).content.decode()


def test_customers_cannot_open_the_unmatched_queue(client, customer):
    client.force_login(customer)
    assert client.get(reverse("inbound:unmatched")).status_code == 403


def test_case_page_query_count_is_fixed(
    client, customer, waiting_case, django_assert_max_num_queries
):
    for n in range(3):
        raw = corpus("en_acknowledgement.eml", case=waiting_case).replace(
            b"Subject:", f"Message-ID: <n-{n}@x>\nSubject:".encode()
        )
        receive.receive(raw=raw, via=M.Via.PIPE)
    process_all()
    client.force_login(customer)
    url = reverse("cases:detail", args=[waiting_case.reference])
    client.get(url)
    with django_assert_max_num_queries(20) as counted:
        client.get(url)
    few = len(counted)
    for n in range(3, 9):
        raw = corpus("en_acknowledgement.eml", case=waiting_case).replace(
            b"Subject:", f"Message-ID: <n-{n}@x>\nSubject:".encode()
        )
        receive.receive(raw=raw, via=M.Via.PIPE)
    process_all()
    with django_assert_max_num_queries(few):
        client.get(url)


def test_agents_digest_counts_unmatched_mail(settings, agent, mailoutbox):
    from cases.reminders import digest

    arrive("en_confirmation_plain.eml", to="case-zzzzzzzzzzzzzzzzzzzzzzzzzz@in.closeout.local")
    now = timezone.now()
    gathered = digest.gather(day=now.date(), since=now - dt.timedelta(days=1), now=now)
    assert gathered.unmatched_mail == 1
    assert not gathered.is_empty
    [message] = digest.messages_for(gathered)
    assert "Unmatched mail: 1 email reached no case." in message.body
    assert "/staff/unmatched-mail/" in message.body


def test_proof_pack_summary_names_the_case_address(waiting_case):
    from cases.evidence import proof_pack

    address.address_for(waiting_case)
    assert proof_pack.case_email(waiting_case) == waiting_case.inbound_address.address
