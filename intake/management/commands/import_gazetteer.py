"""manage.py import_gazetteer FILE: the street's known addresses and their places (docs/geography.md)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from intake.places import import_gazetteer, learn_from_history
from jxq_cases.lib.errors import DomainError


class Command(BaseCommand):
    help = "Import the street's gazetteer (CSV: address, community, grid, lon, lat), all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="the CSV file (UTF-8 or GB18030)")
        parser.add_argument("--street", help="the street whose gazetteer it is (required with several streets)")
        parser.add_argument("--learn", action="store_true", help="(also) learn addresses from earlier tickets")

    def handle(self, *args, **options):
        if not options["file"] and not options["learn"]:
            raise CommandError(_("name a file, or --learn"))
        if options["file"]:
            try:
                result = import_gazetteer(options["file"], street=options["street"])
            except FileNotFoundError as exc:
                raise CommandError(_("no such file: %(path)s") % {"path": options["file"]}) from exc
            except DomainError as exc:
                for error in exc.errors or []:
                    self.stderr.write(error["detail"])
                raise CommandError(exc.detail) from exc
            self.stdout.write(
                _("%(rows)d rows: %(created)d new addresses, %(updated)d updated; %(placed)d tickets placed")
                % {"rows": result.rows, "created": result.created, "updated": result.updated, "placed": result.placed}
            )
        if options["learn"]:
            learned = learn_from_history()
            self.stdout.write(_("%(n)d addresses learned from earlier tickets") % {"n": learned})
