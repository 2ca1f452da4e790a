from datetime import date

from django.core.management.base import BaseCommand, CommandError

from proactive.hotspots import find_hotspots


class Command(BaseCommand):
    help = "Cluster the recent tickets into hot spots now (the nightly job), replacing that window's run."

    def add_arguments(self, parser):
        parser.add_argument("--end-on", help="last day of the window, YYYY-MM-DD (default: today)")
        parser.add_argument("--days", type=int, help="window length in days (default PROACTIVE_HOTSPOT_DAYS)")

    def handle(self, *args, end_on=None, days=None, **options):
        try:
            end = date.fromisoformat(end_on) if end_on else None
        except ValueError as exc:
            raise CommandError(f"--end-on must be YYYY-MM-DD: {end_on}") from exc
        if days is not None and days < 1:
            raise CommandError("--days must be positive")
        run = find_hotspots(end, days=days)
        self.stdout.write(f"{run.start_on}..{run.end_on}: {run.ticket_count} tickets, {run.hotspot_count} hot spots")
