"""Compute the staff Numbers page's figures now (bin/run and compose's migrate job, at start)."""

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from cases import stats


class Command(BaseCommand):
    help = (
        "Compute the numbers of the staff stats page and the provider directory now; beat "
        "recomputes them every STATS_SECONDS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Only when no figures have been computed yet (a fresh database).",
        )

    def handle(self, *args, if_missing: bool = False, **options) -> None:
        if if_missing and stats.has_snapshot():
            return
        snapshot = stats.compute(now=timezone.now())
        self.stdout.write(f"Numbers computed in {snapshot.took_seconds:.1f} s.")
