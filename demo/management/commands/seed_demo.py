import time

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from demo.accounts import demo_account_lines
from demo.seed import DEFAULT_DAYS, DEFAULT_TICKETS, has_tickets, seed_demo
from jxq_cases.lib.errors import DomainError


class Command(BaseCommand):
    help = (
        "Create demo accounts (one per role) and demo tickets whose stories are played through the workflow, "
        "with their visits, hot spots and report snapshots."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--tickets", type=int, default=DEFAULT_TICKETS, help=f"how many tickets (default {DEFAULT_TICKETS})"
        )
        parser.add_argument(
            "--days", type=int, default=DEFAULT_DAYS, help=f"received over the last D days (default {DEFAULT_DAYS})"
        )
        parser.add_argument("--seed", type=int, default=2023, help="random seed (same seed, same data)")
        parser.add_argument(
            "--stories",
            type=int,
            default=None,
            help="play only this many stories through the workflow and fill up to --tickets with exact copies "
            "of them (PostgreSQL; for benchmark sizes)",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when tickets exist already (used by make run)"
        )

    def handle(self, *args, tickets, days, seed, stories, if_empty, **options):
        if if_empty and has_tickets():
            self.stdout.write("tickets exist already; demo data not loaded again")
            return
        if tickets < 1 or days < 1 or (stories is not None and stories < 1):
            raise CommandError("--tickets, --days and --stories must be at least 1")
        self.stdout.write(f"playing the stories of {tickets} demo tickets over {days} days…")
        started = time.perf_counter()
        try:
            # Django's SQL log (DEBUG, as `make run` sets it) would format each of the demo's ~100,000
            # statements for a log nobody reads: a sixth of the time
            with override_settings(DEBUG=False):
                result = seed_demo(tickets=tickets, days=days, seed=seed, stories=stories)
        except DomainError as error:
            raise CommandError(error.detail) from error
        copied = f" ({result.played} played, {result.copied} copies)" if result.copied else ""
        self.stdout.write(
            f"demo data loaded in {time.perf_counter() - started:.0f} s: {result.accounts} accounts, "
            f"{result.tickets} tickets{copied}, {result.visits} visits, {result.events} events, "
            f"{result.hotspots} hot spots, {result.snapshots} report snapshots"
        )
        for line in demo_account_lines():
            self.stdout.write(line)
