"""The call console window wired to the real application (real store, features through
operator_app.ui_ports_for) under Xvfb: opened from Calls › Call console… (Ctrl+Shift+L),
filters, quick dates, sort by a heading, group by, status colours from the settings,
details with the transfer legs, call back, delete, and the statistics tab's charts (bar
and line). Greek, Cyrillic and Czech data on purpose.

``CONSOLE_SCREENSHOTS=DIR`` also writes PNGs of each state (ImageMagick ``import``)."""
from __future__ import annotations

import os
import random
import subprocess
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from callcore.records import CallNote, CallRecord, Contact, Group, Phone, ScheduledCall, User
from tests.gui.conftest import wait_until

SHOTS = os.environ.get("CONSOLE_SCREENSHOTS")
TODAY = date.today()


def at(days_ago: int, hour: int, minute: int = 0) -> str:
    when = datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time()).replace(hour=hour, minute=minute)
    return when.astimezone().isoformat()


def shot(window, name: str) -> None:
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    window.update()
    time.sleep(0.3)
    window.update()
    subprocess.run(["import", "-window", window.wm_frame(), str(Path(SHOTS) / f"console-{name}.png")], check=True)


def fill(store) -> dict:
    sales = store.groups.put(Group(name="Πωλήσεις"))
    for name, ext in (("Μαρία", "201"), ("Jiří Dvořák", "202"), ("Иван Петров", "203")):
        store.users.put(User(name=name, role="agent", group_id=sales.id, extension=ext))
    people = [
        store.contacts.put(Contact(name="Γιώργος Μανουσάκης", type="contact_person", company="Ολυμπιακή ΑΕ",
                                   phones=[Phone("6912345678", "mobile")])),
        store.contacts.put(Contact(name="Žluťoučký kůň s.r.o.", type="supplier", phones=[Phone("420222333444")])),
        store.contacts.put(Contact(name="ООО Ромашка", type="customer", phones=[Phone("74951234567")])),
        store.contacts.put(Contact(name="Ελένη Παπαδοπούλου", type="customer", phones=[Phone("2105556677")])),
    ]
    rnd = random.Random(9)
    users = [("Μαρία", "201"), ("Jiří Dvořák", "202"), ("Иван Петров", "203")]
    statuses = ["answered"] * 6 + ["missed", "missed", "unanswered", "abandoned", "busy"]
    for i in range(240):
        contact = rnd.choice(people + [None])
        user, ext = rnd.choice(users)
        status = rnd.choice(statuses)
        direction = "out" if status in ("unanswered", "busy") else rnd.choice(["in", "in", "internal"])
        number = contact.phones[0].number if contact else f"69{rnd.randrange(10**8):08d}"
        talk = float(rnd.randrange(20, 900)) if status == "answered" else 0.0
        store.calls.add(CallRecord(
            id=f"c{i}", linkedid=f"l{i}", direction=direction, status=status,
            started_at=at(rnd.randrange(0, 120), rnd.randrange(8, 19), rnd.randrange(60)),
            caller_number=ext if direction == "out" else number,
            called_number=number if direction == "out" else rnd.choice(["2101234567", "2109876543"]),
            extension=ext, user=user, contact_id=contact.id if contact else "",
            contact_name=contact.name if contact else "", ring_seconds=float(rnd.randrange(1, 30)),
            talk_seconds=talk))
    # today: a transferred call (two legs) and a missed one to call back
    store.calls.add(CallRecord(id="x1", linkedid="X", direction="in", status="transferred", started_at=at(0, 7, 0),
                               caller_number="6912345678", called_number="2101234567", extension="201", user="Μαρία",
                               contact_id=people[0].id, contact_name=people[0].name, transferred_to="202",
                               ring_seconds=4.0, talk_seconds=35.0, answered_at=at(0, 7, 0)))
    store.calls.add(CallRecord(id="x2", linkedid="X", direction="in", status="answered", started_at=at(0, 7, 1),
                               caller_number="6912345678", called_number="2101234567", extension="202",
                               user="Jiří Dvořák", transferred_from="201", transfer_note="Chce nabídku — θέλει προσφορά",
                               contact_id=people[0].id, contact_name=people[0].name, talk_seconds=300.0))
    store.call_notes.put(CallNote(id="x1", notes="Ζητά τιμοκατάλογο για τον Δεκέμβριο"))
    # SCHED-3: an open scheduled call is a row of its own status (tomorrow 10:00)
    store.scheduled.put(ScheduledCall(number="420222333444", due_at=at(-1, 10), assigned_user="Jiří Dvořák",
                                      contact_name="Žluťoučký kůň s.r.o.", notes="Zavolat kvůli faktuře"))
    store.calls.add(CallRecord(id="m1", linkedid="M", direction="in", status="missed", started_at=at(0, 6, 30),
                               caller_number="74951234567", called_number="2109876543", extension="203",
                               user="Иван Петров", contact_id=people[2].id, contact_name=people[2].name,
                               ring_seconds=25.0))
    return {"people": people}


@pytest.fixture
def real_app(tmp_path):
    from callcore.app import AppMode, build_app
    from callcore.settings import settings_from_dict
    settings = settings_from_dict({
        "ami": {"host": "127.0.0.1", "port": 1},
        "station": {"id": "ws-201", "extension": "201", "user": ""},
        "store": {"local_folder": str(tmp_path / "local")},
        "console": {"status_colours": "missed=#ff00aa"},
        "users": {"passwords": False},
    })
    app = build_app(settings, AppMode.WINDOW)
    data = fill(app.store)
    app.store.users.put(User(name="Δημήτρης", role="director"))
    app.session.sign_in("Δημήτρης")          # a director: every call, delete any
    yield app, data
    app.close()


def visible(window):
    tree = window.tree
    return [(tree.item(i, "text"), *tree.item(i, "values")) for i in tree.get_children()]


def test_console_filters_sorts_groups_details_and_charts(make_ui, root, real_app):
    from operator_app import ui_ports_for
    from ui.ports import ConsolePort, StatsPort
    app, data = real_app
    ports = ui_ports_for(app)
    assert isinstance(ports.console, ConsolePort) and isinstance(ports.stats, StatsPort)
    dialled = []
    app.dialling.commands = type("Recording", (), {"dial": lambda _s, n: dialled.append(n)})()
    ui = make_ui(ports)
    ui.start()
    # the menu shows the item and its shortcut; invoking it opens the console
    calls_menu = ui.window.menus["calls"]
    items = ui.window.menu_items("calls")
    entry = next(i for i in items if i["label"] == "Call console…")
    assert entry["accelerator"] == "Ctrl+Shift+L"
    index = next(i for i in range(calls_menu.index("end") + 1)
                 if calls_menu.type(i) == "command" and calls_menu.entrycget(i, "label") == "Call console…")
    calls_menu.invoke(index)
    window = ui.console.window
    pump = ui.pump
    assert wait_until(root, lambda: window.results_seen >= 1 and window.result.complete, 20, pump)

    # quick choice "Today": the two legs of the transfer and the missed call (newest first)
    window.set_quick("today")
    assert wait_until(root, lambda: window.result.query.start is not None
                      and window.result.query.end - window.result.query.start == timedelta(days=1), 10, pump)
    today = [row for row in visible(window)]
    ids = [window.rows[i].id for i in window.tree.get_children()]
    known = [i for i in ids if i in ("x1", "x2", "m1")]
    assert known == ["x2", "x1", "m1"]                       # newest first
    assert all(r[0].startswith(TODAY.isoformat()) for r in today)
    names = {window.rows[i].id: v[5] for i, v in zip(window.tree.get_children(), today)}
    assert (names["x1"], names["m1"]) == ("Γιώργος Μανουσάκης", "ООО Ромашка")
    assert {r[2] for r in today} >= {"missed", "transferred", "answered"}
    # CON-2: the colour of a status comes from the setting
    assert str(window.tree.tag_configure("missed", "foreground")) == "#ff00aa"
    m1_item = next(i for i in window.tree.get_children() if window.rows[i].id == "m1")
    assert list(window.tree.item(m1_item, "tags")) == ["missed"]
    shot(window, "today")

    # details of the transferred call: legs from whom to whom, the note, notes, who handled it
    x1 = next(i for i in window.tree.get_children() if window.rows[i].id == "x1")
    window.tree.selection_set(x1)
    assert wait_until(root, lambda: window.details_seen >= 1, 10, pump)
    text = window.details_box.get("1.0", "end")
    assert "Ζητά τιμοκατάλογο για τον Δεκέμβριο" in text
    assert "Μαρία (ext. 201): from – to 202" in text
    assert "Jiří Dvořák (ext. 202): from 201 to –" in text and "Chce nabídku — θέλει προσφορά" in text
    assert "Ολυμπιακή ΑΕ" in text and "contact person" in text
    shot(window, "details")

    # CON-5: call back the missed call in one click
    m1 = next(i for i in window.tree.get_children() if window.rows[i].id == "m1")
    window.tree.selection_set(m1)
    root.update()
    window.buttons["call_back"].invoke()
    assert dialled == ["74951234567"]

    # all dates, free text without accents: the Czech supplier
    window.set_quick("all")
    window.text_var.set("zlutoucky kun")
    window.search()
    assert wait_until(root, lambda: window.result.query.text == "zlutoucky kun", 10, pump)
    assert visible(window) and {r[5] for r in visible(window)} == {"Žluťoučký kůň s.r.o."}
    czech = window.result.page(0, 999)
    assert [r.status for r in czech].count("scheduled") == 1            # tomorrow's call to them
    total_czech = sum(1 for r in czech if r.status != "scheduled")

    # sort by a heading: talk time, longest first
    window.text_var.set("")
    window.sort_by("talk")
    assert wait_until(root, lambda: window.result.query.sort == "talk" and window.result.query.text == "", 10, pump)
    talks = [window.rows[i].talk_seconds for i in window.tree.get_children()]
    assert talks == sorted(talks, reverse=True) and window.result.total == 244      # 243 calls + 1 scheduled
    assert window.tree.heading("talk", "text").endswith("▼")
    # paging: only a page is built; scrolling to the end loads the next page
    assert len(window.tree.get_children()) == 200
    window.tree.yview_moveto(1.0)
    assert wait_until(root, lambda: len(window.tree.get_children()) == 244, 5, pump)

    # group by company: one row per company with its counts; opening one lists its calls
    window.group_by.current(2)
    window.search()
    assert wait_until(root, lambda: window.result.query.group_by == "company", 10, pump)
    groups = {window.tree.item(i, "text"): window.tree.item(i, "values") for i in window.tree.get_children()}
    assert groups["Žluťoučký kůň s.r.o."][1] == f"{total_czech} calls"
    assert "ООО Ромашка" in groups and "Ολυμπιακή ΑΕ" in groups
    group_item = next(i for i in window.tree.get_children() if window.tree.item(i, "text") == "Ολυμπιακή ΑΕ")
    window.tree.focus(group_item)
    window.tree.item(group_item, open=True)
    window.tree.event_generate("<<TreeviewOpen>>")
    assert wait_until(root, lambda: len(window.tree.get_children(group_item)) > 1, 5, pump)
    assert {window.rows[i].company for i in window.tree.get_children(group_item)} == {"Ολυμπιακή ΑΕ"}
    shot(window, "grouped")

    # delete selected (a director may delete anyone's), asked first
    window.group_by.current(0)
    window.search()
    assert wait_until(root, lambda: window.result.query.group_by == "", 10, pump)
    window.confirm = lambda _text: True
    first = window.tree.get_children()[0]
    gone = window.rows[first].id
    window.tree.selection_set(first)
    root.update()
    window.buttons["delete"].invoke()
    assert wait_until(root, lambda: window.result.total == 243, 10, pump)
    assert gone not in {r.id for r in window.result.page(0, 300)}
    assert app.store.call_annotations.get(gone).deleted_at

    window.sort_by("started")                    # newest first: tomorrow's scheduled call on top
    assert wait_until(root, lambda: window.result.query.sort == "started", 10, pump)
    top = window.tree.get_children()[0]
    assert window.rows[top].status == "scheduled" and list(window.tree.item(top, "tags")) == ["scheduled"]
    assert window.tree.item(top, "values")[1] == "scheduled"
    window.tree.selection_set(top)
    assert wait_until(root, lambda: "Zavolat kvůli faktuře" in window.details_box.get("1.0", "end"), 10, pump)
    shot(window, "scheduled")

    # statistics tab: charts of what the filters select (calls only), bars then lines
    window.notebook.select(1)
    root.update()
    stats = window.stats
    assert wait_until(root, lambda: stats.shown >= 1, 20, pump)
    assert stats.stats.calls == 242
    assert "242 calls" in stats.summary.cget("text")
    axes = stats.figure.axes
    assert [a.get_title() for a in axes[:2]] == ["Calls per week", "Line load: calls per hour and weekday"]
    assert sum(p.get_height() for p in axes[0].patches) == 242          # stacked bars add up to every call
    assert "Μαρία" in [t.get_text() for t in axes[2].get_xticklabels()]
    operators = {row[0]: int(row[1]) for row in stats.table_rows("operators")}
    assert set(operators) == {"Μαρία", "Jiří Dvořák", "Иван Петров"} and sum(operators.values()) == 242
    assert {row[0] for row in stats.table_rows("lines")} == {"2101234567", "2109876543"}
    assert "Ολυμπιακή ΑΕ" in {row[0] for row in stats.table_rows("companies")}
    shot(window, "stats-bars")
    stats.kind.set("line")
    stats.redraw()
    assert wait_until(root, lambda: stats.shown >= 2, 5, pump)
    assert len(stats.figure.axes[0].lines) == 4                          # one line per outcome
    assert stats.figure.axes[3].get_title() == "Talk minutes per month: top contacts"
    shot(window, "stats-lines")
    window.destroy()
    # Ctrl+Shift+L from the main window opens it again (Ctrl+L stays the log file)
    ui.root.focus_force()
    root.update()
    ui.root.event_generate("<Control-Shift-Key-L>")
    assert wait_until(root, lambda: ui.console.window is not window and ui.console.window.winfo_exists(), 5, pump)
    ui.console.window.destroy()
