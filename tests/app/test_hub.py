"""The event hub: per-type delivery, a deliver function (the UI's Tk pump), and a failing
subscriber that never reaches the publisher."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timezone

from callcore.app.hub import EventHub
from callcore.events import ClockTick, ConnectionStateChanged, StoreChanged


@dataclass(frozen=True)
class Base:
    n: int


@dataclass(frozen=True)
class Derived(Base):
    pass


def test_subscribers_get_only_their_event_type():
    hub = EventHub()
    got: list = []
    hub.subscribe(ConnectionStateChanged, lambda e: got.append(("conn", e.status)))
    hub.subscribe(StoreChanged, lambda e: got.append(("store", e.table)))
    hub.publish(ConnectionStateChanged("connected"))
    hub.publish(StoreChanged("contacts", frozenset({"k"})))
    hub.publish(ClockTick(datetime.now(timezone.utc)))        # nobody listens: dropped quietly
    assert got == [("conn", "connected"), ("store", "contacts")]


def test_a_subscriber_to_a_base_type_gets_subclasses():
    hub = EventHub()
    got: list = []
    hub.subscribe(Base, lambda e: got.append(type(e).__name__))
    hub.publish(Derived(1))
    hub.publish(Base(2))
    assert got == ["Derived", "Base"]


def test_deliver_hands_the_call_to_another_thread_and_unsubscribe_stops_it():
    hub = EventHub()
    queued: list = []
    unsubscribe = hub.subscribe(Base, lambda e: queued.append(("ran", e.n)),
                                deliver=lambda fn, event: queued.append(("queued", fn, event)))
    hub.publish(Base(1))
    assert queued[0][0] == "queued"                            # not run by the publisher
    _, fn, event = queued.pop(0)
    fn(event)                                                   # run where the pump runs it
    assert queued == [("ran", 1)]
    unsubscribe()
    hub.publish(Base(2))
    assert queued == [("ran", 1)]


def test_a_failing_subscriber_is_logged_and_counted_and_the_others_still_run(caplog):
    hub = EventHub()
    got: list = []

    def broken(event):
        raise RuntimeError("bug in a feature")
    hub.subscribe(Base, broken)
    hub.subscribe(Base, lambda e: got.append(e.n))
    with caplog.at_level(logging.ERROR):
        hub.publish(Base(7))                                     # must not raise
    assert got == [7]
    assert hub.failures == 1
    assert "bug in a feature" in caplog.text and "Base" in caplog.text


def test_publishing_from_many_threads_while_subscribing_loses_nothing():
    hub = EventHub()
    lock = threading.Lock()
    counts = {"a": 0}

    def count(event):
        with lock:
            counts["a"] += 1
    hub.subscribe(Base, count)
    extra = []

    def publisher():
        for i in range(2000):
            hub.publish(Base(i))

    def subscriber():
        for _ in range(200):
            extra.append(hub.subscribe(Derived, lambda e: None))
    threads = [threading.Thread(target=publisher) for _ in range(4)] + [threading.Thread(target=subscriber)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counts["a"] == 8000
