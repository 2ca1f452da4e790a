from django.core.management.base import BaseCommand

from intake.cli import add_import_arguments, run_import
from intake.importers import import_tickets


class Command(BaseCommand):
    help = "Import a ticket export (CSV, docs/domain.md §8) whole or not at all; prints created/updated/unchanged."

    def add_arguments(self, parser):
        add_import_arguments(parser)

    def handle(self, *args, **options):
        run_import(self, import_tickets, options)
