"""How often our own pre-visit (回访前自查, ``dispatch.workflow.record_pre_visit``) agreed with the city's
later return visit: did we hear the same double-yes or not-double-yes as the city?

One aggregate query: every pre-visit of the period with, beside it, the first city visit of the same
ticket at or after our call (a correlated subquery), counted into the four cells of the comparison.
A pre-visit the city has not visited after (yet) is not compared.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, OuterRef, Q, Subquery

from dispatch.models import PreVisit
from intake.models import ReturnVisit
from jxq_cases.lib import clock
from org.models import Street
from reporting.rates import percent

OURS_YES = Q(resolved=True, satisfied=True)
CITY_YES = Q(city_resolved=True, city_satisfied=True)
COMPARED = Q(city_resolved__isnull=False)


def pre_visit_agreement(start_on: dt.date, end_on: dt.date, street: Street | None = None) -> dict:
    """The pre-visits called from ``start_on`` to ``end_on`` (street dates, inclusive) against the city's
    next visit: counts of the four cells, and the agreement as a percentage of those compared (None
    when nothing could be compared)."""
    since, until = clock.range_bounds(start_on, end_on)
    city_next = ReturnVisit.objects.filter(ticket_id=OuterRef("ticket_id"), visited_at__gte=OuterRef("called_at"))
    city_next = city_next.order_by("visited_at", "id")
    counts = (
        PreVisit.objects.filter(called_at__gte=since, called_at__lt=until)
        .filter(**({"ticket__street": street} if street is not None else {}))
        .annotate(
            city_resolved=Subquery(city_next.values("resolved")[:1]),
            city_satisfied=Subquery(city_next.values("satisfied")[:1]),
        )
        .aggregate(
            pre_visits=Count("id"),
            not_double_yes=Count("id", filter=~OURS_YES),
            compared=Count("id", filter=COMPARED),
            both_double_yes=Count("id", filter=COMPARED & OURS_YES & CITY_YES),
            both_not=Count("id", filter=COMPARED & ~OURS_YES & ~CITY_YES),
            we_yes_city_not=Count("id", filter=COMPARED & OURS_YES & ~CITY_YES),
            we_not_city_yes=Count("id", filter=COMPARED & ~OURS_YES & CITY_YES),
        )
    )
    agreed = counts["both_double_yes"] + counts["both_not"]
    share = percent(agreed, counts["compared"])
    return {**counts, "agreed": agreed, "agreement": float(share) if share is not None else None}
