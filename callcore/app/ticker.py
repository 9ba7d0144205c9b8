"""A one-second clock for the hub: timers (reminders, auto-close) subscribe to
``ClockTick`` instead of each running a thread of their own."""
from __future__ import annotations

import threading
from datetime import datetime, timezone
from typing import Callable

from ..events import ClockTick
from .hub import EventHub


class Ticker:
    def __init__(self, hub: EventHub, interval: float = 1.0,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)):
        self.hub = hub
        self.interval = interval
        self.clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="ticker", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.hub.publish(ClockTick(self.clock()))

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2 * self.interval)
            self._thread = None
