"""Run the small SMTP listener for case addresses (the embedded default; `bin/run` starts it).

INBOUND_SMTP_PORT=0 turns it off: the command then waits without listening, so the other
processes `bin/run` started keep running. A port already taken is said once and waited out the
same way.
"""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from cases.inbound import smtp


class Command(BaseCommand):
    help = "Listen for mail to case addresses on INBOUND_SMTP_HOST:INBOUND_SMTP_PORT (SMTP)."

    def handle(self, *args, **options) -> None:
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_args: stop.set())
        host, port = settings.INBOUND_SMTP_HOST, settings.INBOUND_SMTP_PORT
        if port == 0:
            self.stdout.write("Inbound SMTP listener off (INBOUND_SMTP_PORT=0).")
            stop.wait()
            return
        listener = smtp.controller(host=host, port=port)
        try:
            listener.start()
        except (OSError, RuntimeError) as error:
            self.stderr.write(f"Inbound SMTP listener not started on {host}:{port}: {error}")
            stop.wait()
            return
        self.stdout.write(
            f"Inbound SMTP listener on {host}:{port} for *@{settings.INBOUND_DOMAIN}",
        )
        try:
            stop.wait()
        finally:
            listener.stop()
