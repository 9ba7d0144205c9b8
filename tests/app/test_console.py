"""The call console (CON-1..6) on a real store: filters, quick date ranges, sort, group,
role presets, details with transfer legs and links, delete by role, calls logged while
the console is open, export through the reports writers."""
from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import pytest

from callcore.app.annotations import AnnotationsFeature
from callcore.app.console import ConsoleFeature, ConsoleQuery, quick_range
from callcore.app.hub import EventHub
from callcore.events import StoreChanged
from callcore.records import CallAnnotation, CallRecord, Contact, Group, Phone, User, call_id_for
from callcore.roles import PermissionDenied
from callcore.store import Store

TODAY = date.today()


def at(days_ago: int, hour: int, minute: int = 0) -> str:
    """Local time ``days_ago`` days before today, as stored (aware ISO text)."""
    when = datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time()).replace(hour=hour, minute=minute)
    return when.astimezone().isoformat()


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "local", None, "ws-1", background_sync=False)
    yield s
    s.close()


@pytest.fixture
def office(store):
    sales = store.groups.put(Group(name="Πωλήσεις"))
    users = {
        "anna": store.users.put(User(name="Anna", role="agent", group_id=sales.id, extension="201")),
        "jiri": store.users.put(User(name="Jiří", role="agent", group_id=sales.id, extension="202")),
        "sofia": store.users.put(User(name="Σοφία", role="supervisor", group_id=sales.id, extension="203")),
        "ivan": store.users.put(User(name="Иван", role="agent", group_id="other", extension="204")),
        "boss": store.users.put(User(name="Дмитрий", role="director")),
    }
    manousakis = store.contacts.put(Contact(name="Γιώργος Μανουσάκης", type="contact_person", company="Ολυμπιακή ΑΕ",
                                            phones=[Phone("6912345678", "mobile")]))
    dvorak = store.contacts.put(Contact(name="Žluťoučký Dvořák s.r.o.", type="supplier",
                                        phones=[Phone("420222333444")]))
    calls = [
        # id, linkedid, direction, status, started, caller, called, ext, user, contact, ring, talk
        ("a1", "in", "answered", at(0, 9, 5), "6912345678", "2101234567", "201", "Anna", manousakis, 5, 120),
        ("a2", "in", "missed", at(0, 10, 0), "6900000001", "2101234567", "201", "Anna", None, 20, 0),
        ("a3", "out", "unanswered", at(0, 11, 0), "201", "420222333444", "202", "Jiří", dvorak, 30, 0),
        ("a4", "in", "answered", at(1, 15, 30), "420222333444", "2109999999", "202", "Jiří", dvorak, 3, 600),
        ("a5", "internal", "answered", at(1, 16, 0), "203", "204", "203", "Σοφία", None, 2, 60),
        ("a6", "in", "abandoned", at(40, 8, 0), "6912345678", "2101234567", "204", "Иван", manousakis, 40, 0),
    ]
    for key, direction, status, started, caller, called, ext, user, contact, ring, talk in calls:
        store.calls.add(CallRecord(
            id=call_id_for(key), linkedid=key, direction=direction, status=status, started_at=started,
            caller_number=caller, called_number=called, extension=ext, user=user,
            contact_id=contact.id if contact else "", contact_name=contact.name if contact else "",
            ring_seconds=float(ring), talk_seconds=float(talk),
            answered_at=started if talk else None))
    users["contacts"] = (manousakis, dvorak)
    return users


def console(store, user=None, hub=None):
    hub = hub or EventHub()
    feature = ConsoleFeature(store, hub, current_user=lambda: user,
                             annotations=AnnotationsFeature(store, current_user=lambda: user))
    assert feature.wait_indexed()
    return feature


def ask(feature, query):
    """The query as the UI runs it: on the console thread, answer delivered back."""
    box, done = [], threading.Event()
    feature.search(query, lambda result: (box.append(result), done.set()))
    assert done.wait(10)
    return box[0]


def names(result):
    return [(r.user, r.status) for r in result.page(0, result.total)]


def test_filters_quick_ranges_and_free_text(store, office):
    feature = console(store)
    everything = ask(feature, ConsoleQuery())
    assert everything.total == 6 and everything.complete
    today = ask(feature, ConsoleQuery(*quick_range("today")))
    assert sorted(r.status for r in today.page(0, 10)) == ["answered", "missed", "unanswered"]
    yesterday = ask(feature, ConsoleQuery(*quick_range("yesterday")))
    assert {r.user for r in yesterday.page(0, 10)} == {"Jiří", "Σοφία"}
    missed_in = ask(feature, ConsoleQuery(directions=("in",), statuses=("missed", "abandoned")))
    assert names(missed_in) == [("Anna", "missed"), ("Иван", "abandoned")]
    # free text: a name typed without accents, in lower case; part of a number
    assert {r.name for r in ask(feature, ConsoleQuery(text="μανουσακης")).page(0, 9)} == {"Γιώργος Μανουσάκης"}
    assert ask(feature, ConsoleQuery(text="zlutoucky")).total == 2
    assert ask(feature, ConsoleQuery(text="333 444")).total == 2
    assert ask(feature, ConsoleQuery(extensions=("204",))).total == 1
    assert ask(feature, ConsoleQuery(lines=("2101234567",))).total == 3
    assert ask(feature, ConsoleQuery(users=("Jiří",))).total == 2
    assert ask(feature, ConsoleQuery(groups=("Πωλήσεις",))).total == 5
    assert ask(feature, ConsoleQuery(contact_types=("supplier",))).total == 2
    assert ask(feature, ConsoleQuery(campaign="yes")).total == 0


def test_sort_by_any_column_and_group_with_counts_and_totals(store, office):
    feature = console(store)
    by_talk = ask(feature, ConsoleQuery(sort="talk", descending=True))
    assert [r.talk_seconds for r in by_talk.page(0, 3)] == [600, 120, 60]
    by_user = ask(feature, ConsoleQuery(sort="user", descending=False))
    assert [r.user for r in by_user.page(0, 6)] == ["Anna", "Anna", "Jiří", "Jiří", "Σοφία", "Иван"]
    newest = ask(feature, ConsoleQuery())
    assert newest.page(0, 1)[0].status == "unanswered"          # newest first by default
    by_company = ask(feature, ConsoleQuery(group_by="company"))
    groups = {g.key: (g.calls, g.answered, g.talk_seconds) for g in by_company.groups}
    assert groups["Ολυμπιακή ΑΕ"] == (2, 1, 120.0)
    assert groups["Žluťoučký Dvořák s.r.o."] == (2, 1, 600.0)
    first = by_company.groups.index(next(g for g in by_company.groups if g.key == "Ολυμπιακή ΑΕ"))
    assert {r.id for r in by_company.page(0, 9, group=first)} == {call_id_for("a1"), call_id_for("a6")}
    by_day = ask(feature, ConsoleQuery(group_by="day"))
    assert [g.calls for g in by_day.groups] == [3, 2, 1]            # newest day first
    assert by_day.groups[0].key == TODAY.isoformat()
    assert by_day.totals.calls == 6 and by_day.totals.talk_seconds == 780.0
    by_status = ask(feature, ConsoleQuery(group_by="status"))
    assert by_status.groups[0] == by_status.groups[0] and by_status.groups[0].key == "answered"


def test_presets_follow_the_role(store, office):
    anna = console(store, office["anna"])
    assert anna.presets() == ["mine"]
    assert {r.user for r in ask(anna, ConsoleQuery(preset="all")).page(0, 9)} == {"Anna"}   # narrowed
    sofia = console(store, office["sofia"])
    assert sofia.presets() == ["mine", "group"]
    assert {r.user for r in ask(sofia, ConsoleQuery(preset="group")).page(0, 9)} == {"Anna", "Jiří", "Σοφία"}
    assert {r.user for r in ask(sofia, ConsoleQuery(preset="mine")).page(0, 9)} == {"Σοφία"}
    boss = console(store, office["boss"])
    assert boss.presets() == ["mine", "group", "all"]
    assert ask(boss, ConsoleQuery(preset="all")).total == 6


def test_details_show_transfer_legs_links_and_schedule(store, office):
    manousakis, _dvorak = office["contacts"]
    first = CallRecord(id="leg-1", linkedid="x1", direction="in", status="transferred", started_at=at(0, 12),
                       caller_number="6912345678", called_number="2101234567", extension="201", user="Anna",
                       transferred_to="202", ring_seconds=4.0, talk_seconds=30.0)
    second = CallRecord(id="leg-2", linkedid="x1", direction="in", status="answered", started_at=at(0, 12, 1),
                        caller_number="6912345678", called_number="2101234567", extension="202", user="Jiří",
                        transferred_from="201", transfer_note="Θέλει προσφορά", talk_seconds=90.0)
    store.calls.add(first)
    store.calls.add(second)
    store.call_notes.put(__import__("callcore.records", fromlist=["CallNote"]).CallNote(id="leg-1", notes="Ζητά τιμές"))
    store.call_annotations.put(CallAnnotation(id="leg-1", contact_id=manousakis.id, contact_name=manousakis.name))
    feature = console(store)
    box, done = [], threading.Event()
    feature.details("leg-1", first.month, lambda d: (box.append(d), done.set()))
    assert done.wait(10)
    details = box[0]
    assert details.record.notes == "Ζητά τιμές"
    assert details.record.contact_name == "Γιώργος Μανουσάκης"
    assert (details.contact_type, details.company) == ("contact_person", "Ολυμπιακή ΑΕ")
    assert [(leg.extension, leg.user, leg.transfer_note) for leg in details.legs] == [
        ("201", "Anna", ""), ("202", "Jiří", "Θέλει προσφορά")]
    # the link made later is what the row shows too
    row = next(r for r in ask(feature, ConsoleQuery()).page(0, 20) if r.id == "leg-1")
    assert row.name == "Γιώργος Μανουσάκης" and row.company == "Ολυμπιακή ΑΕ"


def test_call_back_offered_for_missed_incoming_and_unanswered_outgoing(store, office):
    rows = {r.id: r for r in ask(console(store), ConsoleQuery()).page(0, 10)}
    assert rows[call_id_for("a2")].can_call_back and rows[call_id_for("a2")].number == "6900000001"
    assert rows[call_id_for("a3")].can_call_back and rows[call_id_for("a3")].number == "420222333444"
    assert not rows[call_id_for("a1")].can_call_back


def test_delete_by_role_hides_the_call_everywhere_and_clear_only_what_the_role_allows(store, office):
    hub = EventHub()
    store.subscribe(lambda change: hub.publish(StoreChanged(change.table, change.keys, change.origin)))
    anna = console(store, office["anna"], hub)
    with pytest.raises(PermissionDenied):
        anna.delete([call_id_for("a4")], ["Jiří"])
    assert anna.delete([call_id_for("a2")], ["Anna"]) == 1
    assert store.call_annotations.get(call_id_for("a2")).deleted_at
    boss = console(store, office["boss"], hub)               # a new index sees it deleted
    assert call_id_for("a2") not in {r.id for r in ask(boss, ConsoleQuery()).page(0, 10)}
    assert ask(anna, ConsoleQuery()).total == 1                # the open console follows too
    sofia = console(store, office["sofia"], hub)
    box, done = [], threading.Event()
    sofia.clear(ask(sofia, ConsoleQuery(preset="group")), lambda n: (box.append(n), done.set()))
    assert done.wait(10) and box == [4]          # a1, a3, a4, a5 (a2 already gone): her group only
    assert ask(boss, ConsoleQuery(preset="all")).total == 1   # Иван's call (another group) stays


def test_a_call_logged_while_the_console_is_open_appears(store, office):
    hub = EventHub()
    store.subscribe(lambda change: hub.publish(StoreChanged(change.table, change.keys, change.origin)))
    feature = console(store, None, hub)
    store.calls.add(CallRecord(id=call_id_for("new"), linkedid="new", direction="in", status="missed",
                               started_at=at(0, 13), caller_number="777123456", user="Anna"))
    result = ask(feature, ConsoleQuery(text="777123"))
    assert result.total == 1 and result.page(0, 1)[0].status == "missed"


def test_export_csv_xlsx_and_pdf_through_the_reports_writers(store, office, tmp_path):
    feature = console(store)
    result = ask(feature, ConsoleQuery(text="Μανουσάκης"))
    for kind, ext in (("csv", "csv"), ("xlsx", "xlsx"), ("pdf", "pdf"), ("stats-pdf", "pdf")):
        box, done = [], threading.Event()
        path = tmp_path / f"out-{kind}.{ext}"
        feature.export(result, str(path), kind, lambda r: (box.append(r), done.set()), office="Γραφείο")
        assert done.wait(60) and box == [str(path)], box
        assert path.stat().st_size > 0
    text = (tmp_path / "out-csv.csv").read_text(encoding="utf-8-sig")
    assert "Γιώργος Μανουσάκης" in text and text.count("\n") == 3
    assert (tmp_path / "out-pdf.pdf").read_bytes().startswith(b"%PDF")


def test_open_scheduled_calls_are_rows_with_their_own_status_not_counted_as_calls(store, office):
    from callcore.records import ScheduledCall
    due = datetime.combine(TODAY, datetime.min.time()).replace(hour=16).astimezone()
    store.scheduled.put(ScheduledCall(number="6912345678", due_at=due.isoformat(), assigned_user="Anna",
                                      contact_name="Γιώργος Μανουσάκης", notes="Να του στείλω προσφορά"))
    store.scheduled.put(ScheduledCall(number="111", due_at=due.isoformat(), assigned_user="Anna", status="done"))
    feature = console(store)
    today = ask(feature, ConsoleQuery(*quick_range("today")))
    rows = today.page(0, 10)
    assert rows[0].status == "scheduled" and rows[0].number == "6912345678"     # 16:00: newest
    assert [r.status for r in rows].count("scheduled") == 1                       # done ones are not
    assert ask(feature, ConsoleQuery(statuses=("scheduled",))).total == 1
    assert ask(feature, ConsoleQuery(statuses=("missed",))).total == 1
    details = feature.details_now(rows[0].id, rows[0].month)
    assert details.scheduled.notes == "Να του στείλω προσφορά"
    box, done = [], threading.Event()
    feature.statistics(ConsoleQuery(*quick_range("today")), lambda s: (box.append(s), done.set()))
    assert done.wait(10) and box[0].calls == 3                                    # calls only


def test_names_of_calls_logged_while_open_are_found_folded_and_sorted_among_the_others(store, office):
    """The free-text index grows with the new names (folded: accents and case ignored), and
    sorting by name places a new caller among the old ones."""
    hub = EventHub()
    store.subscribe(lambda change: hub.publish(StoreChanged(change.table, change.keys, change.origin)))
    feature = console(store, None, hub)
    assert ask(feature, ConsoleQuery(text="μανουσακης")).total == 2          # index made
    assert ask(feature, ConsoleQuery(sort="name")).total == 6                # ranks made
    store.calls.add(CallRecord(id=call_id_for("later"), linkedid="later", direction="in", status="answered",
                               started_at=at(0, 14), caller_number="6977000111", caller_name="Άγγελος Βλάχος",
                               user="Anna"))
    found = ask(feature, ConsoleQuery(text="αγγελος βλαχος"))
    assert [r.name for r in found.page(0, 5)] == ["Άγγελος Βλάχος"]
    assert ask(feature, ConsoleQuery(text="μανουσακης")).total == 2          # the old ones still found
    ordered = [r.name for r in ask(feature, ConsoleQuery(sort="name", descending=False)).page(0, 10) if r.name]
    assert ordered.index("Άγγελος Βλάχος") < ordered.index("Γιώργος Μανουσάκης")


def test_the_first_search_knows_every_month_even_before_the_index_is_built(store, office):
    """The console opened for the first time: its first answer must not be "0 of 0 calls,
    complete" just because the index had not started (it says which months are pending)."""
    feature = ConsoleFeature(store, EventHub(), current_user=lambda: None,
                             annotations=AnnotationsFeature(store, current_user=lambda: None))
    first = ask(feature, ConsoleQuery(preset="all"))
    assert first.months_total == len(store.calls.months()) >= 2
    assert not first.complete or first.total == 6      # incomplete: the window asks again
    assert feature.wait_indexed()
    assert ask(feature, ConsoleQuery(preset="all")).total == 6
