"""A received message read into its case: evidence, contact log, scam guard, noise, caps."""

import pytest
from django.core.management import call_command

from cases.contacts.scam_guard import Reason
from cases.inbound import receive
from cases.models import CaseEvent, ContactAttempt, Evidence, InboundMessage
from tests.cases.inbound.conftest import corpus, process_all

pytestmark = pytest.mark.django_db
M = InboundMessage


def deliver(raw: bytes, django_capture_on_commit_callbacks, **kwargs) -> InboundMessage:
    with django_capture_on_commit_callbacks() as queued:
        [message] = receive.receive(raw=raw, via=M.Via.PIPE, **kwargs)
    assert len(queued) == 1  # processing is queued only once the raw message is stored
    process_all()
    message.refresh_from_db()
    return message


def test_confirmation_lands_on_the_case_as_evidence_and_contact(
    waiting_case, django_capture_on_commit_callbacks
):
    message = deliver(
        corpus("en_confirmation_plain.eml", case=waiting_case), django_capture_on_commit_callbacks
    )

    assert message.state == M.State.PROCESSED
    assert message.case == waiting_case
    eml = Evidence.objects.get(case=waiting_case)
    assert eml.content_type == "message/rfc822"
    assert eml.original_name == "Your cancellation is complete.eml"
    assert eml.uploaded_by is None
    contact = ContactAttempt.objects.get(case=waiting_case)
    assert contact.direction == ContactAttempt.Direction.INBOUND
    assert "noreply@skylinemobile.co.uk" in contact.summary
    assert "Your cancellation is complete" in contact.summary
    assert contact.scam_verdict == {}
    event = CaseEvent.objects.filter(case=waiting_case, kind=CaseEvent.Kind.INBOUND).get()
    assert event.summary == (
        "Email received from noreply@skylinemobile.co.uk: Your cancellation is complete"
    )
    assert message.suggestion == M.Suggestion.CONFIRMED
    assert message.suggested_reference == "SKY-4471-902"
    assert "has been cancelled" in message.quote


def test_the_same_message_twice_is_kept_once(waiting_case, django_capture_on_commit_callbacks):
    raw = corpus("en_confirmation_plain.eml", case=waiting_case)
    first = deliver(raw, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks() as queued:
        [again] = receive.receive(raw=raw, via=M.Via.WEBHOOK)
    assert again.pk == first.pk
    assert queued == []
    from cases import tasks

    assert tasks.process_inbound_mail.apply(kwargs={"message_id": first.pk}).get() == "skipped"
    assert Evidence.objects.filter(case=waiting_case).count() == 1
    assert ContactAttempt.objects.filter(case=waiting_case).count() == 1


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("zh_gb2312_base64_confirmation.eml", "张喆"),  # a GBK character labelled GB2312
        ("zh_gb18030_qp_needs_more.eml", "请提供身份证正反面照片"),
        ("big5_refused.eml", "我們無法為您辦理取消服務"),
        ("latin1_confirmation.eml", "€12.50 (café"),  # Windows-1252 labelled ISO-8859-1
        ("zh_utf8_refused.eml", "审核未通过"),
    ],
)
def test_charsets_read_as_the_sender_wrote_them(
    name, words, waiting_case, django_capture_on_commit_callbacks
):
    message = deliver(corpus(name, case=waiting_case), django_capture_on_commit_callbacks)
    assert message.state == M.State.PROCESSED
    assert words in message.excerpt
    assert "\ufffd" not in message.excerpt


def test_html_only_mail_becomes_safe_text(waiting_case, django_capture_on_commit_callbacks):
    message = deliver(
        corpus("html_only_needs_more.eml", case=waiting_case), django_capture_on_commit_callbacks
    )
    assert "Please provide a copy of your photo ID" in message.excerpt
    assert "alert" not in message.excerpt
    assert "<" not in message.excerpt
    assert message.suggestion == M.Suggestion.NEEDS_MORE


def test_attachments_pass_the_upload_checks(waiting_case, django_capture_on_commit_callbacks):
    message = deliver(
        corpus("attachments_mixed.eml", case=waiting_case), django_capture_on_commit_callbacks
    )
    kept = {e.original_name: e for e in Evidence.objects.filter(case=waiting_case)}
    assert set(kept) == {"Your final bill.eml", "final-bill.pdf", "photo.jpg"}
    assert kept["photo.jpg"].content_type == "image/jpeg"
    with kept["photo.jpg"].file.open("rb") as photo:
        assert b"SpyCam" not in photo.read()  # re-encoded: no EXIF survives
    refused = {item["name"]: item["reason"] for item in message.refused_files}
    assert refused == {"invoice.pdf.exe": "executable", "login.html": "markup"}
    # The inline logo is decoration, neither kept nor refused.


def test_forwarded_message_is_checked_on_its_original_sender(
    waiting_case, django_capture_on_commit_callbacks
):
    message = deliver(
        corpus("forwarded_rfc822_confirmation.eml", case=waiting_case),
        django_capture_on_commit_callbacks,
    )
    assert message.sender == "noreply@skylinemobile.co.uk"
    assert message.scam_verdict == {}
    names = set(Evidence.objects.filter(case=waiting_case).values_list("original_name", flat=True))
    assert names == {"Fwd: Cancellation confirmed.eml", "Cancellation confirmed.eml"}
    assert message.suggestion == M.Suggestion.CONFIRMED
    assert message.suggested_reference == "SKY-7781-115"


def test_lookalike_sender_is_flagged_for_customer_and_agent(
    waiting_case, django_capture_on_commit_callbacks
):
    message = deliver(
        corpus("forwarded_inline_lookalike.eml", case=waiting_case),
        django_capture_on_commit_callbacks,
    )
    assert message.sender == "verify@skylinemobi1e.co.uk"
    codes = {finding["code"] for finding in message.scam_verdict["findings"]}
    assert codes == {Reason.LOOKALIKE}
    contact = ContactAttempt.objects.get(case=waiting_case)
    assert contact.scam_warning_shown
    internal = CaseEvent.objects.get(case=waiting_case, visibility=CaseEvent.Visibility.INTERNAL)
    assert "verify@skylinemobi1e.co.uk" in internal.summary


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("auto_reply.eml", M.Drop.AUTO_REPLY),
        ("bounce_dsn.eml", M.Drop.BOUNCE),
        ("loop_our_own.eml", M.Drop.LOOP),
        ("hostile_nested.eml", M.Drop.TOO_COMPLEX),
        ("hostile_many_parts.eml", M.Drop.TOO_COMPLEX),
    ],
)
def test_noise_and_hostile_shapes_are_dropped(
    name, reason, waiting_case, django_capture_on_commit_callbacks
):
    message = deliver(corpus(name, case=waiting_case), django_capture_on_commit_callbacks)
    assert message.state == M.State.DROPPED
    assert message.drop_reason == reason
    assert not Evidence.objects.filter(case=waiting_case).exists()
    assert not ContactAttempt.objects.filter(case=waiting_case).exists()


def test_automatic_confirmation_from_the_official_address_is_kept(
    waiting_case, django_capture_on_commit_callbacks
):
    waiting_case.provider.website = "https://www.skylinemobile.co.uk/"
    message = deliver(
        corpus("auto_generated_official.eml", case=waiting_case), django_capture_on_commit_callbacks
    )
    assert message.state == M.State.PROCESSED
    assert message.suggestion == M.Suggestion.CONFIRMED


def test_hostile_headers_are_read_without_harm(waiting_case, django_capture_on_commit_callbacks):
    message = deliver(
        corpus("hostile_headers.eml", case=waiting_case), django_capture_on_commit_callbacks
    )
    assert message.state == M.State.PROCESSED
    assert message.sent_at is None  # "not a date"
    assert message.subject.startswith("Café")


def test_rate_limit_per_address(settings, waiting_case, django_capture_on_commit_callbacks):
    settings.INBOUND_RATE_LIMIT_PER_HOUR = 2
    states = []
    for n in range(3):
        raw = corpus("en_acknowledgement.eml", case=waiting_case)
        raw = raw.replace(
            b"Subject: We received",
            f"Message-ID: <ack-{n}@skylinemobile.co.uk>\nSubject: We received".encode(),
        )
        states.append(deliver(raw, django_capture_on_commit_callbacks).drop_reason)
    assert states == ["", "", M.Drop.RATE_LIMIT]


def test_unknown_address_goes_to_unmatched(waiting_case, django_capture_on_commit_callbacks):
    raw = corpus(
        "en_confirmation_plain.eml", to="case-aaaaaaaaaaaaaaaaaaaaaaaaaa@in.closeout.local"
    )
    message = deliver(raw, django_capture_on_commit_callbacks)
    assert message.state == M.State.UNMATCHED
    assert message.case is None
    assert not Evidence.objects.exists()


def test_oversize_message_is_refused_at_the_door(settings, waiting_case):
    settings.INBOUND_MAX_BYTES = 1000
    raw = corpus("attachments_mixed.eml", case=waiting_case)
    with pytest.raises(receive.MessageTooLarge):
        receive.receive(raw=raw, via=M.Via.PIPE)
    assert not InboundMessage.objects.exists()


def test_receive_email_reads_stdin(waiting_case, monkeypatch, capsys):
    import io
    import sys

    raw = corpus("en_confirmation_plain.eml", case=waiting_case)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    call_command("receive_email")
    message = InboundMessage.objects.get()
    assert message.via == M.Via.PIPE
    assert message.recipient == waiting_case.inbound_address.address
    with message.raw.open("rb") as stored:
        assert stored.read() == raw  # stored exactly as it came


def test_receive_email_refuses_what_is_not_mail(monkeypatch):
    import io
    import sys

    from django.core.management.base import CommandError

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    with pytest.raises(CommandError) as refused:
        call_command("receive_email")
    assert refused.value.returncode == 65
