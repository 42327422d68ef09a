"""System checks for the reminder settings: refuse, at start-up, values that would loop or misfire.

Registered in CasesConfig.ready(), so `manage.py check`, runserver, migrate, the worker and beat
all stop with the message instead of rescheduling a reminder forever.
"""

import zoneinfo

from django.conf import settings
from django.core.checks import Error, register

# A send's SMTP conversation: connect, greeting, EHLO, STARTTLS, EHLO, AUTH, MAIL, RCPT, DATA,
# the message, QUIT. SMTP_TIMEOUT bounds each step, not the whole send.
SMTP_STEPS = 12

POSITIVE_INTEGERS = [
    "TYPICAL_REVIEW_DAYS",
    "TYPICAL_OPERATOR_DAYS",
    "BILLING_CYCLE_DAYS",
    "REMINDER_INTERVAL_CAP_DAYS",
    "REMINDER_SWEEP_SECONDS",
    "REMINDER_SWEEP_BATCH",
    "REMINDER_LEASE_SECONDS",
    "REMINDER_MAX_ATTEMPTS",
    "REMINDER_RETRY_BACKOFF_SECONDS",
    "REMINDER_RETRY_BACKOFF_MAX_SECONDS",
    "REMINDER_SNOOZE_MAX_DAYS",
    "WORKER_HEARTBEAT_SECONDS",
]


def longest_send_seconds() -> int:
    """How long one send may hold its lease at most: every SMTP step waiting out its timeout."""
    mailers: dict = settings.MAILERS
    options = mailers.get("default", {}).get("OPTIONS", {})
    timeout = options.get("timeout")
    return SMTP_STEPS * timeout if timeout else 0


@register()
def check_reminder_settings(app_configs=None, **kwargs) -> list[Error]:
    """Every reminder setting in range first; then how they relate (needs sane numbers)."""
    return _ranges() or _relations()


def _error(number: int, msg: str, hint: str) -> Error:
    return Error(msg, hint=hint, id=f"closeout.E{number:03d}")


def _ranges() -> list[Error]:
    errors = []

    def error(number: int, msg: str, hint: str) -> None:
        errors.append(_error(number, msg, hint))

    for name in POSITIVE_INTEGERS:
        value = getattr(settings, name)
        if not isinstance(value, int) or value < 1:
            error(1, f"{name} is {value!r}; it must be a whole number, 1 or more.", f"Set {name}.")

    start, end = settings.CUSTOMER_MAIL_HOURS
    for name, hour in (("CUSTOMER_MAIL_START_HOUR", start), ("CUSTOMER_MAIL_END_HOUR", end)):
        if not isinstance(hour, int) or not 0 <= hour <= 23:
            error(2, f"{name} is {hour!r}; it must be an hour from 0 to 23.", f"Set {name}.")
    if start == end:
        error(
            3,
            f"CUSTOMER_MAIL_START_HOUR and CUSTOMER_MAIL_END_HOUR are both {start}: the customer "
            "mail window would be empty, and every reminder would wait for it forever.",
            "Give two different hours; a window may cross midnight (20 and 8: 20:00 to 08:00).",
        )
    for name in ("FOLLOW_UP_HOUR", "AGENT_DIGEST_HOUR"):
        hour = getattr(settings, name)
        if not isinstance(hour, int) or not 0 <= hour <= 23:
            error(2, f"{name} is {hour!r}; it must be an hour from 0 to 23.", f"Set {name}.")
    try:
        zoneinfo.ZoneInfo(settings.AGENT_DIGEST_TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        error(
            4,
            f"AGENT_DIGEST_TIME_ZONE {settings.AGENT_DIGEST_TIME_ZONE!r} is not a known time zone.",
            "Use an IANA name such as Europe/London.",
        )
    return errors


def _relations() -> list[Error]:
    errors = []

    def error(number: int, msg: str, hint: str) -> None:
        errors.append(_error(number, msg, hint))

    if settings.REMINDER_INTERVAL_GROWTH < 1:
        error(
            5,
            f"REMINDER_INTERVAL_GROWTH is {settings.REMINDER_INTERVAL_GROWTH}; below 1 the gaps "
            "between reminders would shrink.",
            "Use 1 (equal gaps) or more.",
        )
    lease, sweep = settings.REMINDER_LEASE_SECONDS, settings.REMINDER_SWEEP_SECONDS
    longest_send = longest_send_seconds()
    if lease <= longest_send:
        error(
            6,
            f"REMINDER_LEASE_SECONDS ({lease}) must be longer than the longest send "
            f"({longest_send} s: {SMTP_STEPS} SMTP steps of SMTP_TIMEOUT each), or a sweep "
            "reclaims a reminder that is still being sent and it goes out twice.",
            "Raise REMINDER_LEASE_SECONDS or lower SMTP_TIMEOUT.",
        )
    if sweep >= lease:
        error(
            7,
            f"REMINDER_SWEEP_SECONDS ({sweep}) must be shorter than REMINDER_LEASE_SECONDS "
            f"({lease}), or a reminder whose send was lost waits more than a lease to be retried.",
            "Sweep more often, or lengthen the lease.",
        )
    if settings.REMINDER_RETRY_BACKOFF_MAX_SECONDS < settings.REMINDER_RETRY_BACKOFF_SECONDS:
        error(
            8,
            "REMINDER_RETRY_BACKOFF_MAX_SECONDS is shorter than REMINDER_RETRY_BACKOFF_SECONDS.",
            "The cap must be at least the first wait.",
        )
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout")
    if visibility is not None and visibility <= settings.REMINDER_RETRY_BACKOFF_MAX_SECONDS:
        error(
            9,
            f"The broker's visibility_timeout ({visibility} s) must be longer than the longest "
            f"retry wait (REMINDER_RETRY_BACKOFF_MAX_SECONDS, "
            f"{settings.REMINDER_RETRY_BACKOFF_MAX_SECONDS} s), or Redis hands a waiting retry "
            "to a second worker.",
            "Lower REMINDER_RETRY_BACKOFF_MAX_SECONDS.",
        )
    return errors
