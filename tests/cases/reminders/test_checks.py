"""The reminder settings' system checks: a bad value stops start-up with a message saying why."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from cases.reminders.checks import check_reminder_settings

SMTP = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "mail.example", "port": 25, "timeout": 10},
    }
}


def messages(**overrides) -> list[str]:
    with override_settings(**overrides):
        return [f"{error.id} {error.msg}" for error in check_reminder_settings()]


def test_shipped_settings_pass():
    assert messages() == []
    assert messages(MAILERS=SMTP) == []


def test_a_window_that_crosses_midnight_passes():
    assert messages(CUSTOMER_MAIL_HOURS=(20, 8)) == []


# The whole `check` command runs the model checks too, and on SQLite those open a connection
# (JSONField asks the database whether it supports JSON).
@pytest.mark.django_db
def test_an_empty_mail_window_fails_start_up_with_its_message():
    with override_settings(CUSTOMER_MAIL_HOURS=(9, 9)), pytest.raises(SystemCheckError) as error:
        call_command("check")
    assert "closeout.E003" in str(error.value)
    assert "would be empty" in str(error.value)


@pytest.mark.parametrize("hours", [(-1, 20), (8, 24), (8, "20")])
def test_an_hour_outside_the_day_fails(hours):
    [message] = messages(CUSTOMER_MAIL_HOURS=hours)
    assert message.startswith("closeout.E002 CUSTOMER_MAIL_")
    assert "an hour from 0 to 23" in message


def test_other_hours_and_the_digest_time_zone_are_checked():
    found = messages(FOLLOW_UP_HOUR=25, AGENT_DIGEST_TIME_ZONE="Mars/Olympus")
    assert [message[:13] for message in found] == ["closeout.E002", "closeout.E004"]


@pytest.mark.parametrize("name", ["REMINDER_SWEEP_SECONDS", "REMINDER_SWEEP_BATCH"])
def test_zero_or_negative_numbers_fail(name):
    assert messages(**{name: 0}) == [
        f"closeout.E001 {name} is 0; it must be a whole number, 1 or more."
    ]


def test_a_lease_shorter_than_the_longest_send_fails():
    slow = {"default": {**SMTP["default"], "OPTIONS": {**SMTP["default"]["OPTIONS"]}}}
    slow["default"]["OPTIONS"]["timeout"] = 120
    [message] = messages(MAILERS=slow, REMINDER_LEASE_SECONDS=900, REMINDER_SWEEP_SECONDS=300)
    assert message.startswith("closeout.E006 REMINDER_LEASE_SECONDS (900) must be longer")
    assert "(1440 s:" in message


def test_a_sweep_as_long_as_the_lease_fails():
    [message] = messages(REMINDER_SWEEP_SECONDS=900, REMINDER_LEASE_SECONDS=900)
    assert message.startswith("closeout.E007 REMINDER_SWEEP_SECONDS (900) must be shorter")


def test_shrinking_intervals_fail():
    [message] = messages(REMINDER_INTERVAL_GROWTH=0.5)
    assert message.startswith("closeout.E005")


def test_a_retry_wait_past_the_visibility_timeout_fails():
    [message] = messages(
        CELERY_BROKER_TRANSPORT_OPTIONS={"visibility_timeout": 600},
        REMINDER_RETRY_BACKOFF_MAX_SECONDS=1800,
    )
    assert message.startswith("closeout.E009 The broker's visibility_timeout (600 s)")
