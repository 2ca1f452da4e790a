from django.core.management.base import BaseCommand

from intake.cli import add_import_arguments, run_import
from intake.importers import import_visits


class Command(BaseCommand):
    help = "Import return-visit results (CSV, DOMAIN §8) whole or not at all; prints created/updated/unchanged."

    def add_arguments(self, parser):
        add_import_arguments(parser)

    def handle(self, *args, **options):
        # result.changed_ticket_ids: the tickets whose latest return visit changed (step 8 follows them)
        run_import(self, import_visits, options)
