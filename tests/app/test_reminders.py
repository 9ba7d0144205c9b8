"""Reminders (SCHED-2) with real stores sharing one folder: a reminder fires on the
assigned user's station only, once even when that user is on two stations, again after a
snooze, and at the next start when it fell due while the app was closed (oldest first).
Time is driven by hand (``check(now)``); the stores sync with ``sync_now``."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from callcore.app.hub import EventHub
from callcore.app.reminders import ReminderFeature
from callcore.app.schedule import ScheduleFeature
from callcore.events import ReminderDue, StoreChanged
from callcore.records import User
from callcore.store import Store

T0 = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)


class Station:
    def __init__(self, tmp_path, name: str, user: str | None):
        (tmp_path / "shared").mkdir(exist_ok=True)
        self.store = Store.open(tmp_path / name, tmp_path / "shared", name, background_sync=False,
                                sync_interval=0.25)
        self.hub = EventHub()
        self.store.subscribe(lambda cs: self.hub.publish(StoreChanged(cs.table, cs.keys, cs.origin)))
        self.user = User(name=user, id="") if user else None
        self.seen: list[ReminderDue] = []
        self.hub.subscribe(ReminderDue, self.seen.append)
        self.reminders = ReminderFeature(self.store, self.hub, name, current_user=lambda: self.user,
                                         confirm_after=2.0, now=lambda: T0.timestamp())
        self.schedule = ScheduleFeature(self.store, self.hub, current_user=lambda: None,
                                        me=lambda: self.user, clock=lambda: T0)

    def at(self, seconds: float) -> list[ReminderDue]:
        return self.reminders.check(T0.timestamp() + seconds)

    def close(self):
        self.reminders.close()
        self.store.close()


@pytest.fixture
def stations(tmp_path):
    made: list[Station] = []

    def make(name, user):
        station = Station(tmp_path, name, user)
        made.append(station)
        return station
    yield make
    for s in made:
        s.close()


def sync(*stations):
    for _ in range(2):
        for s in stations:
            s.store.sync_now()


def test_fires_on_the_assigned_users_station_only_at_its_time(stations):
    a, b = stations("ws-a", "Anna"), stations("ws-b", "Bob")
    item = a.schedule.schedule("2101234567", T0 + timedelta(seconds=10), assigned_user="Bob",
                               notes="Offer the new price", contact_name="Ξανθή")
    sync(a, b)
    assert a.at(0) == [] and b.at(0) == []
    for s in (a, b):
        s.at(8)                                  # claims written ahead of time
    sync(a, b)
    assert a.at(10) == []
    fired = b.at(10)
    assert [(e.scheduled_id, e.number, e.name, e.notes, e.missed) for e in fired] == [
        (item.id, "2101234567", "Ξανθή", "Offer the new price", False)]
    assert b.at(11) == [] and b.at(300) == []    # once


def test_reassigned_it_fires_on_the_new_users_station(stations):
    a, b = stations("ws-a", "Anna"), stations("ws-b", "Bob")
    item = a.schedule.schedule("2101", T0 + timedelta(seconds=30), assigned_user="Bob")
    sync(a, b)
    b.at(0)
    b.schedule.reassign(item.id, "Anna")
    sync(a, b)
    for s in (a, b):
        s.at(28)
    sync(a, b)
    assert b.at(31) == []
    assert [e.scheduled_id for e in a.at(31)] == [item.id]


def test_one_user_on_two_stations_sees_it_once(stations):
    b1, b2 = stations("ws-b1", "Bob"), stations("ws-b2", "Bob")
    b1.schedule.schedule("2101", T0 + timedelta(seconds=5))
    sync(b1, b2)
    b1.at(3)
    b2.at(3)
    sync(b1, b2)
    shown = b1.at(6) + b2.at(6)
    sync(b1, b2)
    shown += b1.at(20) + b2.at(20)
    assert len(shown) == 1


def test_snoozed_it_fires_again(stations):
    b = stations("ws-b", "Bob")
    item = b.schedule.schedule("2101", T0 + timedelta(seconds=1))
    b.at(0)
    assert len(b.at(3)) == 1
    b.schedule.clock = lambda: T0 + timedelta(seconds=3)
    b.schedule.snooze(item.id, 5)
    assert b.at(4) == [] and b.at(302) == []     # 5 min after the snooze at +3 s
    again = b.at(304)
    assert [e.scheduled_id for e in again] == [item.id]
    b.schedule.done(item.id, "called")
    assert b.at(10_000) == []


def test_missed_while_closed_fire_at_the_next_start_oldest_first(tmp_path, stations):
    a = stations("ws-a", "Anna")
    later = a.schedule.schedule("1002", T0 - timedelta(hours=1), assigned_user="Bob")
    older = a.schedule.schedule("1001", T0 - timedelta(hours=3), assigned_user="Bob")
    sync(a)
    b = stations("ws-b", "Bob")                  # Bob's app starts now
    sync(a, b)
    b.at(0)
    fired = b.at(3)
    assert [(e.scheduled_id, e.missed) for e in fired] == [(older.id, True), (later.id, True)]


def test_nobody_signed_in_then_bob_signs_in(stations):
    from callcore.events import UserSignedIn
    b = stations("ws-b", None)
    item = b.schedule.schedule("2101", T0 - timedelta(minutes=5), assigned_user="Bob")
    assert b.at(0) == [] and b.at(5) == []
    b.user = User(name="Bob", id="")
    b.hub.publish(UserSignedIn("", "Bob"))
    b.at(6)
    assert [e.scheduled_id for e in b.at(9)] == [item.id]


def test_a_station_that_claimed_and_closed_does_not_swallow_the_reminder(tmp_path, stations):
    b1 = stations("ws-b1", "Bob")
    item = b1.schedule.schedule("2101", T0 + timedelta(seconds=5))
    b1.at(3)                                     # claimed, then the app is closed
    sync(b1)
    b2 = stations("ws-b2", "Bob")
    sync(b1, b2)
    b2.at(200)
    assert [e.scheduled_id for e in b2.at(203)] == [item.id]


def test_the_loser_takes_over_when_the_winner_never_shows_it(stations):
    b1, b2 = stations("ws-b1", "Bob"), stations("ws-b2", "Bob")
    item = b1.schedule.schedule("2101", T0 + timedelta(seconds=5))
    sync(b1, b2)
    b1.at(3)                                     # b1 claims first …
    b2.at(3.5)
    sync(b1, b2)
    b1.reminders.close()                         # … and its app is gone before deciding
    assert b2.at(6) == []                        # b1's claim is earlier: b2 waits
    assert b2.at(60) == []
    b2.at(130)                                   # b1's claim went stale: b2 claims anew
    assert [e.scheduled_id for e in b2.at(133)] == [item.id]


def test_the_reminder_names_the_contact_as_it_is_called_now(stations):
    from callcore.records import Contact, Phone
    b = stations("ws-b", "Bob")
    contact = b.store.contacts.put(Contact(name="Jiri Dvorak", phones=[Phone("602111222")]))
    item = b.schedule.schedule("602111222", T0 + timedelta(seconds=1))
    assert item.contact_name == "Jiri Dvorak"
    renamed = b.store.contacts.get(contact.id)
    renamed.name = "Jiří Dvořák"
    b.store.contacts.put(renamed)
    b.at(0)
    assert [e.name for e in b.at(3)] == ["Jiří Dvořák"]
