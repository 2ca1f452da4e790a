"""What every benchmark measures with: the 95th percentile by nearest rank, and the queries a request
makes and the time spent inside them."""

from __future__ import annotations

import math
import time


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
