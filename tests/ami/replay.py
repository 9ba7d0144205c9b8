"""Replay recorded AMI sessions (tests/fixtures/ami/*.ami) through the tracker.

The fixture files are raw bytes Asterisk sent, after a header of '# ' lines (one of them
``expect: <json>``, the scenario driver's view of the outcome); read with the test PBX's
own loader, so replay tests do not depend on the product's protocol code.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from callcore.ami.tracker import CallTracker
from tests.pbx import fixtures as pbx_fixtures
from tests.pbx.plan import OUTGOING_PREFIX
from callcore.events import CallLogged

START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone(timedelta(hours=2)))


@dataclass
class Fixture:
    name: str
    header: dict[str, str]
    messages: list[dict[str, str]] = field(default_factory=list)

    @property
    def expect(self) -> list[dict]:
        return json.loads(self.header.get("expect", "[]"))

    @property
    def has_timestamps(self) -> bool:
        return any("Timestamp" in m for m in self.messages)


def fixture_names() -> list[str]:
    return pbx_fixtures.fixture_names()


def load(name: str) -> Fixture:
    fx = pbx_fixtures.read_fixture(name)
    return Fixture(name, fx.header, pbx_fixtures.load_fixture(name))


class StepClock:
    """For fixtures without Timestamp headers: every message is 10 ms after the last, so
    order (not real duration) is what the times say."""

    def __init__(self, start: datetime = START, step: float = 0.01):
        self.t = start - timedelta(seconds=step)
        self.step = timedelta(seconds=step)

    def __call__(self) -> datetime:
        self.t += self.step
        return self.t


def replay(fixture: Fixture, tracker: CallTracker | None = None):
    tracker = tracker or CallTracker(now=StepClock(), outgoing_prefix=OUTGOING_PREFIX)
    events = []
    listed: list[dict[str, str]] = []
    for message in fixture.messages:
        # a session recorded from login (reconnect_mid_call) holds the CoreShowChannels
        # reply: hand it to rebuild_from as AmiConnection does
        name = message.get("Event")
        if name == "CoreShowChannel":
            listed.append(message)
        elif name == "CoreShowChannelsComplete":
            events.extend(tracker.rebuild_from(listed))
            listed = []
        else:
            events.extend(tracker.feed(message))
    return tracker, events


def records(events) -> list:
    return [e.record for e in events if isinstance(e, CallLogged)]


if __name__ == "__main__":  # python -m tests.ami.replay [name]: print what the tracker sees
    import sys
    for name in sys.argv[1:] or fixture_names():
        fx = load(name)
        _t, evs = replay(fx)
        print(f"== {name} ({len(fx.messages)} msgs, timestamps={fx.has_timestamps})")
        for e in evs:
            if isinstance(e, CallLogged):
                r = e.record
                print(f"  LOG {r.direction} {r.status} ext={r.extension} from={r.caller_number}/{r.caller_name} "
                      f"to={r.called_number} ring={r.ring_seconds} talk={r.talk_seconds} xfer={r.transferred_from}->{r.transferred_to} q={r.queue}")
            else:
                d = {k: v for k, v in e.__dict__.items() if k not in ("at", "call_id", "linkedid", "leg_id") and v not in ("", False)}
                print("  ", type(e).__name__, d)
        for x in fx.expect:
            print("  EXPECT", {k: v for k, v in x.items() if v})
