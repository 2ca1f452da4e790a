"""``manage.py tallies [--fold | --rebuild | --check]``

The monthly and daily tallies the reports read (``reporting.tally``): fold the pending changes into
them (what the nightly job and the beat do; the default), count every ticket into them again (a
repair), or check them against a count of the tickets, street by street and month by month, unit by
unit and source, and by category and community, in both grains (a non-zero exit when they differ).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from reporting import tally


class Command(BaseCommand):
    help = "Fold, rebuild or check the tallies the reports read."

    def add_arguments(self, parser: CommandParser) -> None:
        what = parser.add_mutually_exclusive_group()
        what.add_argument("--fold", action="store_true", help="fold the pending changes (the default)")
        what.add_argument("--rebuild", action="store_true", help="count every ticket into the tallies again")
        what.add_argument("--check", action="store_true", help="compare the tallies with a count of the tickets")

    def handle(self, *args: Any, **options: Any) -> None:
        if not tally.in_use():
            raise CommandError(
                _("The tallies are kept on PostgreSQL only; on this database the reports count the tickets.")
            )
        if options["rebuild"]:
            tally.rebuild()
            self.stdout.write(_("Counted every ticket into the tallies again."))
        elif options["check"]:
            self.check_tallies()
        else:
            tally.fold()
            self.stdout.write(_("Folded the pending changes into the tallies."))

    def check_tallies(self) -> None:
        found = tally.differences()
        for table, row in found:
            self.stdout.write(f"{table}: {row}")
        if found:
            raise CommandError(
                _("The tallies differ from the tickets in %(count)s places: run manage.py tallies --rebuild.")
                % {"count": len(found)}
            )
        self.stdout.write(_("The tallies equal the tickets."))
