"""Hybrid logical clock: wall-clock milliseconds plus a counter, so that an edit made after
seeing another workstation's edit always sorts after it, even when the clocks disagree by
hours. Packed into one int (``ms << 16 | counter``) so comparisons are cheap."""
from __future__ import annotations

import os
import threading
import time

COUNTER_BITS = 16
CLOCK_OFFSET_ENV = "CALLCORE_CLOCK_OFFSET_SECONDS"   # tests: simulate a wrong wall clock


def env_clock_offset() -> float:
    try:
        return float(os.environ.get(CLOCK_OFFSET_ENV, "0") or 0)
    except ValueError:
        return 0.0


class HybridClock:
    def __init__(self, offset_seconds: float = 0.0, last: int = 0):
        self.offset_ms = int(offset_seconds * 1000)
        self.last = last
        self._lock = threading.Lock()

    def wall_ms(self) -> int:
        return int(time.time() * 1000) + self.offset_ms

    def now(self) -> int:
        """A new timestamp, greater than every timestamp seen or issued before."""
        with self._lock:
            wall = self.wall_ms() << COUNTER_BITS
            self.last = wall if wall > self.last else self.last + 1
            return self.last

    def now_many(self, n: int) -> range:
        """``n`` new timestamps in increasing order (one lock for a whole batch)."""
        with self._lock:
            wall = self.wall_ms() << COUNTER_BITS
            first = wall if wall > self.last else self.last + 1
            self.last = first + n - 1
            return range(first, first + n)

    def observe(self, remote: int) -> None:
        """Take in a timestamp from another workstation."""
        with self._lock:
            if remote > self.last:
                self.last = remote


def hlc_to_ms(hlc: int) -> int:
    return hlc >> COUNTER_BITS
