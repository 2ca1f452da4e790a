from typing import Any

from django.core.management.base import BaseCommand

from dispatch.deadlines import recompute_open_tickets


class Command(BaseCommand):
    help = (
        "Recompute the stored deadlines of every open ticket from the current deadline policy and "
        "calendar (after loading calendar overrides or a new chinesecalendar release)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        changed = recompute_open_tickets()
        self.stdout.write(f"{changed} open ticket(s) got new deadlines")
