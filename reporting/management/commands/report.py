"""``manage.py report --from YYYY-MM-DD --to YYYY-MM-DD [--street NAME] [--unit NAME] [--format text|json|xlsx]
[--output FILE]``

A work report over any range, computed straight from the tickets (no batch job needed).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from jxq_cases.lib.errors import DomainError
from org.streets import street_named
from reporting.exports import write_workbook
from reporting.report import build_report, find_unit, parse_range, report_json, report_text


class Command(BaseCommand):
    help = "Print the work report of a date range as text, JSON, or write it as an Excel workbook (一账三表)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD (Beijing time)")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD (inclusive)")
        parser.add_argument("--street", help="the street (required when the database holds several)")
        parser.add_argument("--unit", help="only the tickets this unit of the street led (its name)")
        parser.add_argument("--format", choices=["text", "json", "xlsx"], default="text")
        parser.add_argument("--output", help="write to this file (required for xlsx) instead of standard output")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            start_on, end_on = parse_range(options["start"], options["end"])
            street = street_named(options.get("street"))
            unit = find_unit(options["unit"], street) if options["unit"] else None
            if options["format"] == "xlsx":
                if not options["output"]:
                    raise CommandError(_("--format xlsx writes a file: give --output FILE.xlsx"))
                rows = write_workbook(start_on, end_on, options["output"], unit=unit, street=street)
                self.stderr.write(
                    _("Wrote %(file)s (%(rows)s tickets in the ledger).") % {"file": options["output"], "rows": rows}
                )
                return
            report = build_report(start_on, end_on, unit=unit, street=street)
        except DomainError as error:
            raise CommandError(error.detail) from None
        if not report["total"]:
            self.stderr.write(
                _("No tickets were received between %(start)s and %(end)s: nothing to rate.")
                % {"start": start_on, "end": end_on}
            )
        output = report_json(report) if options["format"] == "json" else report_text(report)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as handle:
                handle.write(output + "\n")
        else:
            self.stdout.write(output)
