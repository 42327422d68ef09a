"""Receive one email (RFC 5322) on standard input: for a mail server's pipe (Postfix, Exim).

    case-*@in.closeout.example  ->  | manage.py receive_email --recipient "${recipient}"

Exit codes follow sysexits, which mail servers read: 0 kept, 65 (EX_DATAERR) not an email, 75
(EX_TEMPFAIL) try again later (the database is down), and for a message too large 65 too, so
that the sender gets a bounce instead of endless retries.
"""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from cases.inbound import receive
from cases.models import InboundMessage

EX_DATAERR = 65
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Receive one email on standard input into Closeout (for a mail server's pipe)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--recipient",
            action="append",
            default=[],
            help="The envelope recipient (repeatable); read from the headers when not given.",
        )
        parser.add_argument("--sender", default="", help="The envelope sender.")

    def handle(self, *args, **options) -> None:
        raw = sys.stdin.buffer.read(settings.INBOUND_MAX_BYTES + 1)
        try:
            stored = receive.receive(
                raw=raw,
                via=InboundMessage.Via.PIPE,
                recipients=options["recipient"],
                envelope_from=options["sender"],
            )
        except receive.MessageTooLarge as error:
            raise CommandError("Message too large.", returncode=EX_DATAERR) from error
        except receive.NotAnEmail as error:
            raise CommandError("Not an email.", returncode=EX_DATAERR) from error
        except (DatabaseError, OSError) as error:
            raise CommandError(f"Try again later: {error}", returncode=EX_TEMPFAIL) from error
        for message in stored:
            self.stdout.write(f"Received {message.pk} for {message.recipient}")
