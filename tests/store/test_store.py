"""The store facade in one process: records, calls, persistence, sync, snapshots, locks,
damage. Real folders under tmp_path."""
from __future__ import annotations

import json
import os
import socket
import time
from datetime import datetime
from pathlib import Path

import pytest

from callcore.records import Activity, CallNote, Contact, Phone, RecordError, User, hash_password
from callcore.store import ChangeSet, StationInUseError, Store, StoreError

from .conftest import make_call, make_contact


def test_put_get_delete_all_and_reopen(open_store, tmp_path):
    store = open_store()
    a = store.contacts.put(make_contact("Μανουσάκης", "2101234567", "6971234567"))
    b = store.contacts.put(make_contact("Žluťoučký kůň", "+420 123 456 789", type="supplier"))
    store.users.put(User(name="Ιβάν", role="supervisor", password_hash=hash_password("x")))
    store.contacts.delete(b.id)
    got = store.contacts.get(a.id)
    assert got == a and got is not a
    got.name = "changed outside"                       # the caller's copy, not the store's
    assert store.contacts.get(a.id).name == "Μανουσάκης"
    assert [c.id for c in store.contacts.all()] == [a.id]
    store.close()
    again = open_store()
    assert again.contacts.get(a.id) == a and again.contacts.get(b.id) is None
    assert len(list(again.users.all())) == 1


def test_checkpoint_then_reopen_reads_table_files(open_store, tmp_path):
    store = open_store()
    contacts = [store.contacts.put(make_contact(f"n{i}", f"21000000{i:02d}")) for i in range(20)]
    store.calls.add(make_call("2023-12-31T23:00:00+02:00"))
    store.checkpoint()
    files = sorted(p.name for p in (tmp_path / "local-alpha" / "tables").iterdir())
    assert "contacts.json" in files and "calls-2023-12.json" in files
    # the files are ordinary TinyDB files
    from tinydb import TinyDB
    from callcore.store.files import AtomicJSONStorage
    with TinyDB(tmp_path / "local-alpha" / "tables" / "contacts.json", storage=AtomicJSONStorage) as db:
        assert len(db.table("records")) == 20
    store.close()
    again = open_store()
    assert sorted(c.id for c in again.contacts.all()) == sorted(c.id for c in contacts)
    assert len(list(again.calls.since())) == 1


def test_invalid_records_are_refused_naming_the_field_and_nothing_is_written(open_store, tmp_path):
    store = open_store()
    journal = tmp_path / "local-alpha" / "journal"
    before = sorted((p.name, p.stat().st_size) for p in journal.iterdir())
    with pytest.raises(RecordError) as err:
        store.contacts.put(Contact(name="A", phones=[Phone("no digits")]))
    assert err.value.field == "phones[0].number"
    with pytest.raises(RecordError) as err:
        store.calls.add(make_call("yesterday"))
    assert err.value.field == "started_at"
    with pytest.raises(RecordError) as err:
        store.activities.put(Activity(subject=" "))
    assert err.value.field == "subject"
    assert sorted((p.name, p.stat().st_size) for p in journal.iterdir()) == before
    assert list(store.contacts.all()) == [] and list(store.calls.since()) == []


def test_calls_are_insert_only_ordered_and_joined_with_notes(open_store):
    store = open_store()
    late = make_call("2024-02-01T08:00:00+00:00", caller_number="00302101234567")
    early = make_call("2024-02-01T10:30:00+05:00", caller_number="6971234567")   # earlier in UTC
    first = make_call("2023-11-02T10:00:00+02:00", called_number="210 123 4567")
    for call in (late, early, first):
        assert store.calls.add(call) is True
    assert store.calls.add(make_call("2024-02-01T08:00:00+00:00", id=late.id, status="missed")) is False
    assert [c.id for c in store.calls.since()] == [first.id, early.id, late.id]
    assert [c.id for c in store.calls.since(datetime.fromisoformat("2024-02-01T07:00:00+00:00"))] == [late.id]
    assert {c.id for c in store.calls.for_number("2101234567")} == {late.id, first.id}
    store.call_notes.put(CallNote(id=late.id, notes="wants a quote"))
    assert store.calls.get(late.id).notes == "wants a quote"
    assert store.calls.get(late.id).status == "answered"


def test_two_stations_converge_and_subscribers_hear_local_and_remote(open_store):
    a, b = open_store("alpha"), open_store("beta")
    heard: list[ChangeSet] = []
    b.subscribe(heard.append)
    contact = a.contacts.put(make_contact("Anna", "2101111111"))
    call = make_call()
    a.calls.add(call)
    a.sync_now()
    b.sync_now()
    assert b.contacts.get(contact.id) == contact and b.calls.get(call.id) == call
    assert {(c.table, c.origin) for c in heard} == {("contacts", "remote"), ("calls", "remote")}
    # concurrent edits of different fields both survive; same field: newest wins
    ca, cb = a.contacts.get(contact.id), b.contacts.get(contact.id)
    ca.city, cb.email = "Praha", "anna@example.com"
    a.contacts.put(ca)
    b.contacts.put(cb)
    cb.city = "Brno"
    b.contacts.put(cb)
    assert ChangeSet("contacts", frozenset([contact.id]), "local") in heard
    for _ in range(2):
        a.sync_now()
        b.sync_now()
    assert a.contacts.get(contact.id) == b.contacts.get(contact.id)
    assert b.contacts.get(contact.id).email == "anna@example.com" and b.contacts.get(contact.id).city == "Brno"
    # a delete wins over older edits on the other side
    a.contacts.delete(contact.id)
    a.sync_now()
    b.sync_now()
    assert b.contacts.get(contact.id) is None


def test_clock_hours_behind_still_wins_when_it_edits_last(open_store):
    ahead = open_store("ahead", clock_offset=+3 * 3600)
    behind = open_store("behind", clock_offset=-3 * 3600)
    contact = ahead.contacts.put(make_contact("first name"))
    ahead.sync_now()
    behind.sync_now()
    edited = behind.contacts.get(contact.id)
    edited.name = "edited later on the slow clock"
    behind.contacts.put(edited)
    behind.sync_now()
    ahead.sync_now()
    assert ahead.contacts.get(contact.id).name == "edited later on the slow clock"
    assert behind.contacts.get(contact.id).name == "edited later on the slow clock"


def test_new_station_loads_snapshot_then_newer_batches(open_store, share):
    a = open_store("alpha")
    old = [a.contacts.put(make_contact(f"old {i}")) for i in range(5)]
    for i in range(5):
        a.calls.add(make_call(f"2023-0{i + 1}-10T10:00:00+00:00"))
    report = a.compact()
    assert report.snapshot is not None and report.records == 5 and report.calls == 5
    assert not list((share / "stations" / "alpha").glob("b-*"))       # archived
    newer = a.contacts.put(make_contact("after the snapshot"))
    a.sync_now()
    n = open_store("newbie")
    n.sync_now()
    assert {c.id for c in n.contacts.all()} == {c.id for c in old} | {newer.id}
    assert len(list(n.calls.since())) == 5


def test_second_copy_of_a_station_is_refused_naming_it(open_store, tmp_path, share):
    open_store("alpha")
    with pytest.raises(StationInUseError) as err:
        Store.open(tmp_path / "local-alpha", share, "alpha", background_sync=False)
    assert "alpha" in str(err.value) and str(os.getpid()) in str(err.value)
    # same station id from another local folder: the share heartbeat refuses it
    with pytest.raises(StationInUseError):
        Store.open(tmp_path / "elsewhere", share, "alpha", background_sync=False)


def test_heartbeat_of_another_host_refuses_until_stale(tmp_path, share):
    beat = share / "stations" / "alpha" / "heartbeat.json"
    beat.parent.mkdir(parents=True)
    beat.write_text(json.dumps({"station": "alpha", "host": "other-pc", "pid": 4242, "time": time.time(),
                                "token": "t"}))
    with pytest.raises(StationInUseError) as err:
        Store.open(tmp_path / "a", share, "alpha", background_sync=False)
    assert "other-pc" in str(err.value)
    beat.write_text(json.dumps({"station": "alpha", "host": "other-pc", "pid": 4242, "time": time.time() - 600,
                                "token": "t"}))
    with Store.open(tmp_path / "a", share, "alpha", background_sync=False):
        taken = json.loads(beat.read_text())             # the stale heartbeat is taken over
        assert (taken["host"], taken["pid"]) == (socket.gethostname(), os.getpid())
    assert not beat.exists()                             # and given back on close


def test_bad_station_id_is_refused():
    with pytest.raises(StoreError) as err:
        Store(Path("x"), None, "bad/id")
    assert "station.id" in str(err.value)


def test_share_missing_then_back_publishes_everything(open_store, tmp_path, share):
    a = open_store("alpha")
    b = open_store("beta")
    moved = tmp_path / "share-away"
    share.rename(moved)
    keys = [a.contacts.put(make_contact(f"offline {i}")).id for i in range(3)]
    report = a.sync_now()
    assert not report.online and not share.exists()          # never recreated locally
    moved.rename(share)
    assert a.sync_now().published == 3
    b.sync_now()
    assert {c.id for c in b.contacts.all()} == set(keys)


def test_damaged_local_table_file_is_set_aside_and_rebuilt(open_store, tmp_path, share):
    a = open_store("alpha")
    keys = {a.contacts.put(make_contact(f"c{i}")).id for i in range(4)}
    a.sync_now()
    a.checkpoint()
    a.close()
    table = tmp_path / "local-alpha" / "tables" / "contacts.json"
    table.write_bytes(table.read_bytes()[:40])
    again = open_store("alpha")
    assert any("contacts.json" in str(p) for p in again.problems)
    assert list((tmp_path / "local-alpha" / "quarantine").iterdir())
    again.sync_now()
    assert {c.id for c in again.contacts.all()} == keys


def test_damaged_and_conflict_batches_are_set_aside_and_reported(open_store, share):
    a = open_store("alpha")
    good = a.contacts.put(make_contact("good"))
    a.sync_now()
    bad = a.contacts.put(make_contact("in a damaged batch"))
    a.sync_now()
    also = a.contacts.put(make_contact("in a conflict copy"))
    a.sync_now()
    files = sorted((share / "stations" / "alpha").glob("b-*"))
    files[1].write_bytes(b"\x00" * 300)
    files[2].rename(files[2].with_name(files[2].stem + ".sync-conflict-20240101-120000-ABCDEFG.jsonl"))
    b = open_store("beta", torn_grace=0)
    report = b.sync_now()
    ids = {c.id for c in b.contacts.all()}
    assert good.id in ids and also.id in ids and bad.id not in ids
    assert len(report.problems) == 2
    assert list((share / "quarantine" / "alpha").iterdir()) and list((share / "conflicts" / "alpha").iterdir())
    assert b.check()            # still reported until someone looks at them
