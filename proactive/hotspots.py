"""Hot spots (热点): clusters of similar recent tickets, found by a nightly batch job.

``hotspots_between`` is the interface the weekly analysis (reporting) and the leadership dashboard
read; its signature is stable.
"""

from datetime import date


def hotspots_between(start_on: date, end_on: date) -> list[dict]:
    """The stored hot spots with tickets received between ``start_on`` and ``end_on`` (inclusive,
    Asia/Shanghai dates), biggest first: dicts with ``id``, ``topic``, ``community``,
    ``ticket_count`` and ``trend`` (weekly counts, oldest first)."""
    return []
