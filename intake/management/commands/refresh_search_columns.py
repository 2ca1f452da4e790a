from django.core.management.base import BaseCommand
from django.db import transaction

from intake.models import Ticket
from intake.search_columns import refresh_search_columns


class Command(BaseCommand):
    help = (
        "Recompute every ticket's search columns (the words, the caller key, the phone's last four "
        "digits): after changing CALLER_KEY, or after writing tickets by hand outside the import."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            written = refresh_search_columns(Ticket.objects.all())
        self.stdout.write(f"{written} ticket(s) refreshed")
