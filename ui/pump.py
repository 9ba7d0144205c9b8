"""Hand events from background threads to the Tk main thread (Thonny's ``queue_event``).

Tk is not thread-safe and ``event_generate`` from other threads is unreliable, so every
background thread only puts items on one :class:`queue.Queue`; the main thread drains it
from an ``after()`` loop, at most ``batch_cap`` items per round so a burst of events never
freezes the window.
"""
from __future__ import annotations

import logging
import queue
import threading
import tkinter as tk
from typing import Any, Callable

log = logging.getLogger(__name__)


class _MainThreadCall:
    """A callable queued by :meth:`EventPump.call_soon`, run on the Tk thread."""

    __slots__ = ("fn", "args")

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]):
        self.fn = fn
        self.args = args


class EventPump:
    """Drain a thread-safe queue into ``handler`` on the Tk main thread."""

    def __init__(self, root: tk.Misc, handler: Callable[[Any], None],
                 interval_ms: int = 20, batch_cap: int = 200):
        self._root = root
        self._handler = handler
        self._interval_ms = interval_ms
        self._batch_cap = batch_cap
        self._queue: queue.Queue[Any] = queue.Queue()
        self._after_id: str | None = None
        self._running = False

    # --- any thread -------------------------------------------------------------------
    def queue_event(self, event: Any) -> None:
        """Queue a domain event for ``handler``. Safe from any thread."""
        self._queue.put(event)

    def call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` on the Tk main thread at the next drain. Safe from any thread."""
        self._queue.put(_MainThreadCall(fn, args))

    def run_in_background(self, work: Callable[[], Any], on_done: Callable[[Any], None],
                          name: str = "ui-worker") -> threading.Thread:
        """Run ``work()`` in a daemon thread and hand its result to ``on_done`` on the Tk
        thread (nothing is delivered when ``work`` raises; the error is logged)."""
        def runner() -> None:
            try:
                result = work()
            except Exception:  # a failing lookup must never take the UI down
                log.exception("background work failed")
                return
            self.call_soon(on_done, result)
        thread = threading.Thread(target=runner, name=name, daemon=True)
        thread.start()
        return thread

    @property
    def pending(self) -> int:
        """Items waiting (approximate; for tests and diagnostics)."""
        return self._queue.qsize()

    # --- Tk thread --------------------------------------------------------------------
    def start(self) -> None:
        if not self._running:
            self._running = True
            self._schedule(self._interval_ms)

    def stop(self) -> None:
        self._running = False
        if self._after_id is not None:
            try:
                self._root.after_cancel(self._after_id)
            except tk.TclError:
                pass
            self._after_id = None

    def drain(self) -> int:
        """Handle up to ``batch_cap`` queued items now; returns how many were handled."""
        handled = 0
        while handled < self._batch_cap:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            handled += 1
            try:
                if isinstance(item, _MainThreadCall):
                    item.fn(*item.args)
                else:
                    self._handler(item)
            except Exception:  # one bad event must not stop the pump
                log.exception("UI failed to handle %r", item)
        return handled

    def _schedule(self, delay_ms: int) -> None:
        try:
            self._after_id = self._root.after(delay_ms, self._poll)
        except tk.TclError:  # root destroyed
            self._running = False
            self._after_id = None

    def _poll(self) -> None:
        self._after_id = None
        if not self._running:
            return
        self.drain()
        # A backlog is drained in further small batches, letting Tk redraw in between.
        self._schedule(1 if not self._queue.empty() else self._interval_ms)
