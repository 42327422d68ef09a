"""Development only: make time pass for one case, to see its reminders and escalation now."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases import time_travel
from cases.models import Case, normalize_reference
from config.celery import app as celery_app


class Command(BaseCommand):
    help = (
        "Development only (refused with DEBUG off): move a case's clock DAYS on — its dates, "
        "timeline and reminder times shift back — or make its pending reminders due now. The "
        "next reminder sweep (every REMINDER_SWEEP_SECONDS) then acts; --sweep runs one now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", help="The case reference, e.g. CX-4K7M-2QPD.")
        parser.add_argument("--days", type=float, help="How many days pass for the case.")
        parser.add_argument(
            "--due-now", action="store_true", help="Make its pending reminders due now."
        )
        parser.add_argument(
            "--sweep", action="store_true", help="Queue a reminder sweep now (needs a worker)."
        )

    def handle(self, *args, reference: str, days, due_now: bool, sweep: bool, **options):
        if (days is None) == (not due_now):
            raise CommandError("Give either --days N or --due-now.")
        if days is not None and days <= 0:
            raise CommandError("--days must be more than 0: a case's clock only moves on.")
        case = Case.objects.filter(reference=normalize_reference(reference) or "").first()
        if case is None:
            raise CommandError(f"No case {reference}.")
        try:
            if days is not None:
                moved = time_travel.advance_case(case=case, days=days)
                done = f"{case.reference}: {days:g} days passed"
            else:
                moved = time_travel.make_reminders_due(case=case)
                done = f"{case.reference}: pending reminders due now"
        except time_travel.NotInDevelopment as refused:
            raise CommandError(str(refused)) from refused
        self.stdout.write(f"{done}; {moved.reminders_due} reminder(s) due.")
        if sweep:
            celery_app.send_task("cases.tasks.sweep_reminders")
            self.stdout.write("Reminder sweep queued.")
        else:
            self.stdout.write("The next reminder sweep sends them (or run again with --sweep).")
