"""Demo data for a street that has just installed the product: accounts, tickets with their
history and visits, the similarity index and hot spots, and the reporting snapshots, so that every
page has something real to show. Each app makes its own part; this module only puts them in order.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from dispatch.demo import generate_demo_events
from intake.demo import generate_demo_tickets
from intake.models import Ticket
from org.demo import create_demo_accounts
from proactive.hotspots import find_hotspots
from proactive.indexing import index_pending
from reporting.bulletins import take_daily_ranking, take_monthly_bulletin, take_weekly_analysis, week_of
from reporting.nightly import take_nightly_snapshot


@dataclass
class DemoSeedResult:
    accounts: int
    tickets: int
    visits: int
    events: int
    hotspots: int
    snapshots: int


def seed_demo(*, tickets: int, days: int, seed: int = 2023) -> DemoSeedResult:
    """Create demo accounts, ``tickets`` tickets over the last ``days`` days, and everything derived."""
    accounts = create_demo_accounts()
    made = generate_demo_tickets(tickets, days, seed=seed)
    events = generate_demo_events(first_id=made.first_id, last_id=made.last_id)
    index_pending()
    hotspot_run = find_hotspots()
    # the reports beat would have produced by now: tonight's snapshot and ranking, last week's and
    # this week's analysis, last month's bulletin
    today = timezone.localdate()
    snapshots = [
        take_nightly_snapshot(today),
        take_daily_ranking(today),
        take_weekly_analysis(week_of(today - dt.timedelta(days=7))),
        take_weekly_analysis(week_of(today)),
        take_monthly_bulletin(today.replace(day=1) - dt.timedelta(days=1)),
    ]
    return DemoSeedResult(
        accounts=len(accounts),
        tickets=made.tickets,
        visits=made.visits,
        events=events,
        hotspots=hotspot_run.hotspot_count,
        snapshots=len(snapshots),
    )


def has_tickets() -> bool:
    return Ticket.objects.exists()
