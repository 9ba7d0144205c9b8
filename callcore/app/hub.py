"""The event hub: every part of the app tells the others what happened through it.

AMI call events, store changes and timer ticks are *published* here; features and the UI
*subscribe* per event type. A subscriber either runs in the publisher's thread (fast,
non-blocking work such as queueing a call for the writer) or is handed to a ``deliver``
function — the UI passes its Tk pump's ``call_soon``, so its handlers always run on the Tk
thread. No ``isinstance`` chains anywhere: the type is the address.

A failing subscriber never reaches the publisher (the AMI thread must not die because a
handler raised): it is logged and counted in :attr:`EventHub.failures`.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

log = logging.getLogger(__name__)

E = TypeVar("E")
Handler = Callable[[Any], None]
Deliver = Callable[..., None]       # deliver(handler, event): run handler(event) somewhere


@dataclass(frozen=True)
class _Subscription:
    event_type: type
    handler: Handler
    deliver: Deliver | None


class EventHub:
    """Typed publish/subscribe. Thread-safe; publishing never blocks on subscribers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_type: dict[type, tuple[_Subscription, ...]] = {}
        self._resolved: dict[type, tuple[_Subscription, ...]] = {}
        self.failures = 0
        self.published = 0

    def subscribe(self, event_type: type[E], handler: Callable[[E], None], *,
                  deliver: Deliver | None = None) -> Callable[[], None]:
        """Call ``handler(event)`` for every published event of ``event_type`` (or a
        subclass). With ``deliver``, the hub calls ``deliver(handler, event)`` instead (e.g.
        the Tk pump's ``call_soon``). Returns a function that unsubscribes."""
        sub = _Subscription(event_type, handler, deliver)
        with self._lock:
            self._by_type[event_type] = self._by_type.get(event_type, ()) + (sub,)
            self._resolved.clear()

        def unsubscribe() -> None:
            with self._lock:
                subs = tuple(s for s in self._by_type.get(event_type, ()) if s is not sub)
                if subs:
                    self._by_type[event_type] = subs
                else:
                    self._by_type.pop(event_type, None)
                self._resolved.clear()
        return unsubscribe

    def publish(self, event: Any) -> None:
        """Hand ``event`` to its subscribers. Any thread; returns once each subscriber has
        run (direct) or been handed to its ``deliver``."""
        self.published += 1
        for sub in self._subscribers_of(type(event)):
            try:
                if sub.deliver is None:
                    sub.handler(event)
                else:
                    sub.deliver(sub.handler, event)
            except Exception:  # noqa: BLE001 - a subscriber must never kill the publisher
                self.failures += 1
                log.exception("subscriber %s failed on %s", _name(sub.handler), type(event).__name__)

    def has_subscribers(self, event_type: type) -> bool:
        return bool(self._subscribers_of(event_type))

    def _subscribers_of(self, event_type: type) -> tuple[_Subscription, ...]:
        subs = self._resolved.get(event_type)
        if subs is None:
            with self._lock:
                subs = tuple(s for base in event_type.__mro__ for s in self._by_type.get(base, ()))
                self._resolved[event_type] = subs
        return subs


def _name(handler: Handler) -> str:
    return getattr(handler, "__qualname__", None) or repr(handler)
