"""Campaign rules on real stores (CAMP-1..4): claims between two stations sharing a
folder, the retry policy, call back later, dates and assignees, release and expiry, the
counters, import with a column mapping and duplicates, selection from the directory."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from callcore.campaign_book import CampaignBook, CampaignError, scheduler
from callcore.campaign_import import read_entries
from callcore.campaigns import COMPLETED, IN_PROGRESS, PENDING, UNANSWERED, CampaignClosed
from callcore.records import Campaign, Contact, Phone
from callcore.store import Store

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def station(tmp: Path, name: str, clock: Clock, user: str = "") -> tuple[Store, CampaignBook]:
    (tmp / "share").mkdir(exist_ok=True)
    store = Store.open(tmp / name, tmp / "share", name, background_sync=False)
    return store, CampaignBook(store, station=name, user=user or name, clock=clock, sync_interval=0.25)


def campaign(book: CampaignBook, n: int = 3, **values) -> Campaign:
    c = book.save(Campaign(code="Spring", **values))
    book.add_entries(c.id, [{"name": f"Person {i}", "number": f"21000000{i:02d}"} for i in range(n)])
    return c


def test_two_stations_claiming_one_entry_unseen_agree_on_one_winner(tmp_path):
    clock = Clock()
    a, book_a = station(tmp_path, "alpha", clock)
    b, book_b = station(tmp_path, "beta", clock)
    c = campaign(book_a)
    a.sync_now(); b.sync_now()
    entry = book_b.entries(c.id)[0]
    claim_b = book_b.claim(c.id, entry_id=entry.id)[0]      # beta first, alpha has not seen it
    clock.now += timedelta(milliseconds=5)
    claim_a = book_a.claim(c.id, entry_id=entry.id)[0]
    for _ in range(2):
        a.sync_now(); b.sync_now()
    clock.now += timedelta(seconds=book_a.wait_seconds)
    assert [x.entry.id for x in book_b.confirm([claim_b])] == [entry.id]
    assert book_a.confirm([claim_a]) == []
    assert book_a.state_of(c.id, entry.id).state == IN_PROGRESS
    with pytest.raises(CampaignError, match="not claimed by this workstation"):
        book_a.record_outcome(c.id, entry.id, "interested")
    book_b.record_outcome(c.id, entry.id, "interested", "wants a visit")
    b.sync_now(); a.sync_now()
    assert book_a.state_of(c.id, entry.id).state == COMPLETED
    assert [o.note for o in book_a.history(c.id, entry.id)] == ["wants a visit"]
    a.close(); b.close()


def test_busy_is_retried_after_the_interval_up_to_max_tries(tmp_path):
    clock = Clock()
    store, book = station(tmp_path, "alpha", clock)
    c = campaign(book, 1, max_tries=2, retry_minutes=30)
    wait = lambda s: setattr(clock, "now", clock.now + timedelta(seconds=s))  # noqa: E731
    got = book.next_entries(c.id, wait)
    out = book.record_outcome(c.id, got[0].entry.id, "busy")
    assert out.retry_at == (clock.now + timedelta(minutes=30)).isoformat(timespec="microseconds")
    assert book.state_of(c.id, got[0].entry.id).state == UNANSWERED
    assert book.next_entries(c.id, wait) == []              # not before the retry time
    clock.now += timedelta(minutes=31)
    again = book.next_entries(c.id, wait)
    assert [x.entry.id for x in again] == [got[0].entry.id] and again[0].claim.attempt == 1
    book.record_outcome(c.id, got[0].entry.id, "no_answer")
    clock.now += timedelta(hours=2)
    assert book.state_of(c.id, got[0].entry.id).state == COMPLETED     # max tries reached
    assert book.next_entries(c.id, wait) == []
    assert book.find("spring").status == "finished"
    store.close()


def test_call_back_later_creates_a_scheduled_call(tmp_path):
    clock = Clock()
    store, book = station(tmp_path, "alpha", clock, user="anna")
    c = campaign(book, 1)
    got = book.next_entries(c.id, lambda s: setattr(clock, "now", clock.now + timedelta(seconds=s)))
    when = T0 + timedelta(days=1)
    out = book.record_outcome(c.id, got[0].entry.id, "call_back", "after lunch",
                              schedule=scheduler(store, "anna", c), call_back_at=when)
    item = store.scheduled.get(out.scheduled_id)
    assert (item.number, item.assigned_user, item.notes, item.contact_name) == (
        "2100000000", "anna", "Spring: after lunch", "Person 0")
    assert datetime.fromisoformat(item.due_at) == when
    assert book.state_of(c.id, got[0].entry.id).state == COMPLETED
    store.close()


def test_dates_active_flag_and_assignee_close_the_campaign(tmp_path):
    clock = Clock()
    store, book = station(tmp_path, "alpha", clock, user="anna")
    c = campaign(book, 1, start_at=(T0 + timedelta(hours=1)).isoformat(), end_at=(T0 + timedelta(hours=5)).isoformat())
    with pytest.raises(CampaignClosed, match="starts on"):
        book.claim(c.id)
    clock.now = T0 + timedelta(hours=6)
    with pytest.raises(CampaignClosed, match="ended on"):
        book.claim(c.id)
    clock.now = T0 + timedelta(hours=2)
    assert len(book.claim(c.id)) == 1
    book.save(Campaign.from_dict({**book.find("Spring").to_dict(), "assigned_user": "bob"}))
    with pytest.raises(CampaignClosed, match="assigned to bob"):
        book.claim(c.id)
    book.save(Campaign.from_dict({**book.find("Spring").to_dict(), "assigned_user": "", "active": False}))
    with pytest.raises(CampaignClosed, match="not active"):
        book.claim(c.id)
    store.close()


def test_released_and_expired_claims_free_the_entry(tmp_path):
    clock = Clock()
    a, book_a = station(tmp_path, "alpha", clock)
    b, book_b = station(tmp_path, "beta", clock)
    c = campaign(book_a, 2, claim_seconds=60)
    wait = lambda s: (setattr(clock, "now", clock.now + timedelta(seconds=s)), a.sync_now(), b.sync_now())  # noqa: E731
    a.sync_now(); b.sync_now()
    held = book_a.next_entries(c.id, wait, count=2)
    assert len(held) == 2
    assert book_b.next_entries(c.id, wait) == []            # both in progress at alpha
    book_a.release([held[0].claim])                         # alpha pauses one
    wait(0)
    assert [x.entry.id for x in book_b.next_entries(c.id, wait)] == [held[0].entry.id]
    clock.now += timedelta(seconds=61)                      # alpha went away without a word
    wait(0)
    got = book_b.next_entries(c.id, wait, count=2)
    assert {x.entry.id for x in got} == {held[0].entry.id, held[1].entry.id}
    assert book_a.renew([held[1].claim]) == []   # too late: expired, and beta's claim is the live one
    wait(0)
    with pytest.raises(CampaignError):
        book_a.record_outcome(c.id, held[1].entry.id, "interested")
    a.close(); b.close()


def test_counters_partition_the_list_and_list_their_entries(tmp_path):
    clock = Clock()
    store, book = station(tmp_path, "alpha", clock, user="anna")
    c = campaign(book, 6)
    wait = lambda s: setattr(clock, "now", clock.now + timedelta(seconds=s))  # noqa: E731
    got = book.next_entries(c.id, wait, count=4)
    book.record_outcome(c.id, got[0].entry.id, "interested")
    book.record_outcome(c.id, got[1].entry.id, "wrong_number")
    book.record_outcome(c.id, got[2].entry.id, "busy")
    n = book.counters(c.id)
    assert (n.total, n.completed, n.unanswered, n.in_progress, n.pending) == (6, 2, 1, 1, 2)
    assert n.by_outcome == {"interested": 1, "wrong_number": 1, "busy": 1} and n.by_operator == {"anna": 3}
    assert n.progress == pytest.approx(2 / 6)
    assert [e.id for e, _s in book.entries_in(c.id, IN_PROGRESS)] == [got[3].entry.id]
    assert [e.name for e, _s in book.entries_in(c.id, PENDING)] == ["Person 4", "Person 5"]
    assert [e.id for e, _s in book.entries_in(c.id, result="busy")] == [got[2].entry.id]
    clock.now += timedelta(seconds=c.claim_seconds + 1)     # the 4th entry's claim expires unworked
    n = book.counters(c.id)
    assert (n.in_progress, n.pending, n.completed, n.unanswered) == (0, 3, 2, 1)
    store.close()


def test_import_with_mapping_reports_duplicates_and_numbers_already_listed(tmp_path):
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.append(["Λίστα Άνοιξη"])                               # a title row above the header
    ws.append(["Επωνυμία", "Κινητό", "Τηλ. εργασίας", "Παρατηρήσεις"])
    ws.append(["Αλφα ΑΕ", 6944000001, 2101000001, "VIP"])
    ws.append(["Beta", "6944 000 002", "", ""])
    ws.append(["Alpha copy", "+30 6944000001", "", "dup"])
    ws.append(["Gamma", "2102000003", "", ""])
    path = tmp_path / "list.xlsx"
    wb.save(path)
    read = read_entries(path, {"number": "Κινητό", "comment": "Παρατηρήσεις"})
    assert read.mapping["number"] == "Κινητό" and read.mapping["name"] == "Επωνυμία"
    clock = Clock()
    store, book = station(tmp_path, "alpha", clock)
    c = campaign(book, 0)
    book.add_entries(c.id, [{"name": "Old", "number": "2102000003"}])
    report = book.add_entries(c.id, read.rows)
    assert [(e.name, e.number, e.comment) for e in report.added] == [("Αλφα ΑΕ", "6944000001", "VIP"),
                                                                     ("Beta", "6944 000 002", "")]
    assert report.duplicates == [(5, "+30 6944000001", "Alpha copy")]
    assert report.already_listed == [(6, "2102000003", "Old")]
    store.close()


def test_select_from_directory_with_filters(tmp_path):
    clock = Clock()
    store, book = station(tmp_path, "alpha", clock)
    store.contacts.put(Contact(name="Athens Customer", city="Αθήνα", phones=[Phone("2101111111")]))
    store.contacts.put(Contact(name="Patras Customer", city="Πάτρα", phones=[Phone("2610111111")]))
    store.contacts.put(Contact(name="Athens Supplier", type="supplier", city="Αθήνα", phones=[Phone("2103333333")]))
    store.contacts.put(Contact(name="Called Recently", city="Αθήνα", phones=[Phone("2104444444")]))
    rows = book.select_contacts(store.contacts.all(), type="customer", city="αθήνα", called_since={"2104444444"})
    assert [r["name"] for r in rows] == ["Athens Customer"]
    store.close()
