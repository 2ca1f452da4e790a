from django.core.management.base import BaseCommand, CommandError

from jxq_cases.demo import has_tickets, seed_demo
from jxq_cases.lib.errors import DomainError


class Command(BaseCommand):
    help = "Create demo accounts (one per role) and realistic demo tickets with history, visits and reports."

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=3000, help="how many tickets (default 3000)")
        parser.add_argument("--days", type=int, default=120, help="received over the last D days (default 120)")
        parser.add_argument("--seed", type=int, default=2023, help="random seed (same seed, same data)")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when tickets exist already (used by make run)"
        )

    def handle(self, *args, tickets, days, seed, if_empty, **options):
        if if_empty and has_tickets():
            self.stdout.write("tickets exist already; demo data not loaded again")
            return
        if tickets < 1 or days < 1:
            raise CommandError("--tickets and --days must be at least 1")
        self.stdout.write(f"loading {tickets} demo tickets over {days} days…")
        try:
            result = seed_demo(tickets=tickets, days=days, seed=seed)
        except DomainError as error:
            raise CommandError(error.detail) from error
        self.stdout.write(
            f"demo data loaded: {result.accounts} accounts, {result.tickets} tickets, {result.visits} visits, "
            f"{result.events} events, {result.hotspots} hot spots, {result.snapshots} report snapshots"
        )
