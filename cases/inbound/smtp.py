"""A small SMTP listener (aiosmtpd) for the embedded default: `bin/run` starts it on 127.0.0.1
so a newcomer can send mail to a case address (`swaks`, `python -m smtplib`) and see it land.

It takes mail only for INBOUND_DOMAIN (so it relays nothing) and hands each message to the one
receive service. In production, point the domain's MX at an ESP (webhook) or a mail server that
pipes to `manage.py receive_email` instead: this listener has no TLS and no spam filtering.
"""

import logging

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections, connection

from cases.inbound import address, receive
from cases.models import InboundMessage

log = logging.getLogger(__name__)


def _receive(raw: bytes, recipients: list[str], envelope_from: str) -> int:
    # The listener's thread holds no connection between messages: few arrive, and an idle one
    # would outlive a database restart.
    close_old_connections()
    try:
        stored = receive.receive(
            raw=raw,
            via=InboundMessage.Via.SMTP,
            recipients=recipients,
            envelope_from=envelope_from,
        )
    finally:
        connection.close()
    return len(stored)


class Handler:
    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address_: str, rcpt_options
    ) -> str:
        if not address.is_ours(address_):
            return "550 5.7.1 Only mail for this site's case addresses is taken here"
        envelope.rcpt_tos.append(address_)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        mail_from = envelope.mail_from or ""
        try:
            await sync_to_async(_receive, thread_sensitive=True)(
                raw, list(envelope.rcpt_tos), "<>" if mail_from in ("", "<>") else mail_from
            )
        except receive.MessageTooLarge:
            return "552 5.3.4 Message too big"
        except receive.NotAnEmail:
            return "554 5.6.0 Not an email"
        except Exception:
            log.exception("Could not store a received email")
            return "451 4.3.0 Could not store the message, try again later"
        return "250 Message accepted for delivery"


def controller(*, host: str | None = None, port: int | None = None) -> Controller:
    """The listener, not yet started (`.start()` binds and serves in a thread)."""
    return Controller(
        Handler(),
        hostname=host or settings.INBOUND_SMTP_HOST,
        port=port if port is not None else settings.INBOUND_SMTP_PORT,
        data_size_limit=settings.INBOUND_MAX_BYTES,
        server_hostname=settings.INBOUND_DOMAIN,
        ready_timeout=10,
    )
