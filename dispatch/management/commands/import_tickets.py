from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dispatch.upstream import import_tickets_and_record
from intake.cli import add_import_arguments, run_import


class Command(BaseCommand):
    help = "Import a ticket export (CSV, docs/domain.md §8) whole or not at all; prints created/updated/unchanged."

    def add_arguments(self, parser: CommandParser) -> None:
        add_import_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        # a ticket number received again is recorded on its timeline, or refused past receipt
        run_import(self, import_tickets_and_record, options)
