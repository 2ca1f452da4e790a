from django.core.management.base import BaseCommand

from proactive.indexing import index_pending


class Command(BaseCommand):
    help = "Index tickets not yet in the similarity index (what the periodic task does), all of them by default."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=10**9)

    def handle(self, *args, limit, **options):
        self.stdout.write(f"indexed {index_pending(limit)} tickets")
