from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from providers.importer import ImportFailed, import_files, shipped_data_line, shipped_files


class Command(BaseCommand):
    help = _(
        "Load the shipped playbooks and provider directory (providers/data/) through the "
        "importer. Idempotent: run it after every deploy or database flush."
    )

    def handle(self, *args, **options) -> None:
        files = shipped_files()
        try:
            summary = import_files(files)
        except ImportFailed as failed:
            for error in failed.errors:
                self.stderr.write(str(error))
            raise CommandError(
                ngettext(
                    "%(count)d error in the shipped data; nothing was loaded.",
                    "%(count)d errors in the shipped data; nothing was loaded.",
                    len(failed.errors),
                )
                % {"count": len(failed.errors)}
            ) from None
        if options["verbosity"] < 1:
            return
        names = ", ".join(path.name for path in files)
        self.stdout.write(self.style.SUCCESS(f"{names}: {summary}"))
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(
            _("The directory now holds %(counts)s.") % {"counts": shipped_data_line()}
        )
