from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dispatch.workflow import import_visits_and_advance
from intake.cli import add_import_arguments, run_import


class Command(BaseCommand):
    help = "Import return-visit results (CSV, docs/domain.md §8) whole or not at all; prints created/updated/unchanged."

    def add_arguments(self, parser: CommandParser) -> None:
        add_import_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        # stores the visits and moves the replied tickets on (replied -> visited, or closed when double-yes)
        run_import(self, import_visits_and_advance, options)
