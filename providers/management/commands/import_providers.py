from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from providers.importer import ImportFailed, import_files


class Command(BaseCommand):
    help = _(
        "Import providers, contact channels and playbooks from YAML or JSON files. Every file "
        "is validated first; on any error nothing is imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help=_(".yaml, .yml or .json"))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Only validate; write nothing.")
        )

    def handle(self, *args, files: list[str], dry_run: bool, **options) -> None:
        try:
            summary = import_files(files, dry_run=dry_run)
        except ImportFailed as failed:
            for error in failed.errors:
                self.stderr.write(str(error))
            raise CommandError(
                ngettext(
                    "%(count)d error; nothing was imported.",
                    "%(count)d errors; nothing was imported.",
                    len(failed.errors),
                )
                % {"count": len(failed.errors)}
            ) from None
        if dry_run:
            self.stdout.write(self.style.SUCCESS(_("Valid; nothing was written (dry run).")))
            return
        self.stdout.write(self.style.SUCCESS(str(summary)))
        for line in summary.lines():
            self.stdout.write(line)
