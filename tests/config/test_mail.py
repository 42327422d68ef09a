"""The embedded default's mail backend: one .eml file per message under MAIL_DIR."""

from email import policy
from email.parser import BytesParser

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives, InvalidMailer, send_mail

from config.mail import EmlFileBackend


@pytest.fixture
def mail_dir(settings, tmp_path):
    folder = tmp_path / "mail"
    settings.MAILERS = {
        "default": {"BACKEND": "config.mail.EmlFileBackend", "OPTIONS": {"file_path": str(folder)}}
    }
    return folder


def read(path):
    return BytesParser(policy=policy.default).parsebytes(path.read_bytes())


def test_each_message_becomes_one_parseable_eml_file(mail_dir):
    first = EmailMultiAlternatives(
        subject="提醒：您的注销申请 CX-4K7M-2QPD",
        body="Plain text part",
        from_email="Closeout <no-reply@closeout.example>",
        to=["customer@example.com"],
        headers={"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    first.attach_alternative("<p>HTML part</p>", "text/html")
    second = EmailMultiAlternatives(subject="Second", body="Two", to=["other@example.com"])

    assert mail.mailers.default.send_messages([first, second]) == 2

    files = sorted(mail_dir.glob("*.eml"))
    assert len(files) == 2
    assert not list(mail_dir.glob(".*")), "no half-written files left behind"
    messages = {str(message["To"]): message for message in map(read, files)}
    message = messages["customer@example.com"]
    assert message["Subject"] == "提醒：您的注销申请 CX-4K7M-2QPD"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_body(("plain",)).get_content().strip() == "Plain text part"
    assert message.get_body(("html",)).get_content().strip() == "<p>HTML part</p>"
    assert messages["other@example.com"]["Subject"] == "Second"


def test_send_mail_uses_the_configured_backend(mail_dir):
    send_mail("Hello", "Body", None, ["customer@example.com"])
    (only,) = mail_dir.glob("*.eml")
    assert read(only)["Subject"] == "Hello"


def test_messages_without_recipients_are_not_written(mail_dir):
    assert mail.mailers.default.send_messages([EmailMultiAlternatives("No one", "x")]) == 0
    assert not mail_dir.exists() or not list(mail_dir.iterdir())


def test_backend_needs_a_folder():
    with pytest.raises(InvalidMailer):
        EmlFileBackend(alias="default")
