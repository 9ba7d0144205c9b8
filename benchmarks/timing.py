"""Shared by the benchmarks: time a callable and summarise samples as (median, p99)."""
from __future__ import annotations

import statistics
import time
from typing import Callable


def median_p99(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def timed_ms(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """(median, p99) in milliseconds of ``runs`` calls of ``fn``."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return median_p99(samples)
