"""Real SMTP to the listener on loopback: mail for a case address is stored and queued; mail for
anyone else is refused at RCPT (nothing is relayed)."""

import smtplib

import pytest

from cases.inbound import smtp
from cases.models import Evidence, InboundMessage
from tests.cases.inbound.conftest import corpus, process_all
from tests.worker.conftest import free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def listener():
    controller = smtp.controller(host="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


def test_mail_sent_over_smtp_lands_on_the_case(listener, waiting_case):
    raw = corpus("zh_gb2312_base64_confirmation.eml", case=waiting_case)
    to = waiting_case.inbound_address.address
    with smtplib.SMTP(listener.hostname, listener.port, timeout=10) as client:
        refused = client.sendmail("service@10086.cn", [to], raw)
    assert refused == {}
    message = InboundMessage.objects.get()
    assert message.via == InboundMessage.Via.SMTP
    assert message.recipient == to
    assert message.envelope_from == "service@10086.cn"
    process_all()
    message.refresh_from_db()
    assert message.state == InboundMessage.State.PROCESSED
    assert Evidence.objects.filter(case=waiting_case).count() == 1
    assert "已成功办理销号" in message.excerpt


def test_listener_relays_nothing(listener):
    with (
        smtplib.SMTP(listener.hostname, listener.port, timeout=10) as client,
        pytest.raises(smtplib.SMTPRecipientsRefused) as refused,
    ):
        client.sendmail("a@example.com", ["someone@gmail.com"], b"Subject: hi\r\n\r\nhello\r\n")
    assert refused.value.recipients["someone@gmail.com"][0] == 550
    assert not InboundMessage.objects.exists()


def test_listener_refuses_oversize_mail(settings, listener, waiting_case):
    settings.INBOUND_MAX_BYTES = 2000
    raw = corpus("attachments_mixed.eml", case=waiting_case)
    with (
        smtplib.SMTP(listener.hostname, listener.port, timeout=10) as client,
        pytest.raises(smtplib.SMTPException),
    ):
        client.sendmail("a@example.com", [waiting_case.inbound_address.address], raw)
    assert not InboundMessage.objects.exists()
