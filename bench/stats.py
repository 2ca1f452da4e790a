"""What every benchmark measures with: the 95th percentile by nearest rank, the queries a request
makes and the time spent inside them, and a page's times beside its SQL floor."""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass


def p95(values: list[float]) -> float:
    """The 95th percentile, nearest rank: the smallest value with at least 95% of the values at or
    below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


class QueryClock:
    """Counts the queries of a request and the time spent inside them (a database execute wrapper:
    ``with connection.execute_wrapper(clock): ...``). On a loaded machine the wall time is mostly
    waiting for a CPU; the queries' own time says what the indexes do."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - started


def timed_ms(function, *args) -> float:
    """How long ``function(*args)`` took, in ms."""
    started = time.perf_counter()
    function(*args)
    return (time.perf_counter() - started) * 1000


@dataclass(frozen=True)
class PageTiming:
    median: float  # ms
    p95: float  # ms
    floor: float  # ms: p95 of the request's SELECTs run again straight on a cursor
    status: int  # of the warm-up request
    queries: int  # SELECTs of one request


def time_page(client, url: str, requests: int) -> PageTiming:
    """``url`` requested ``requests`` times after one warm-up (connections, caches, the first read of
    the pages) through Django's test client, and its SQL floor: the SELECTs of one request (writes such
    as the session's would change state) run ``requests`` times again on a cursor."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    status = client.get(url).status_code
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    reads = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    times = [timed_ms(client.get, url) for _ in range(requests)]
    with connection.cursor() as cursor:

        def run_reads() -> None:
            for sql in reads:
                cursor.execute(sql)
                if cursor.description:
                    cursor.fetchall()

        floor = [timed_ms(run_reads) for _ in range(requests)]
    return PageTiming(statistics.median(times), p95(times), p95(floor), status, len(reads))
