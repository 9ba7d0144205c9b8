"""The campaigns window under X on a real store (CAMP-1..4): the list editor (typed by
hand, import with the column-mapping step, duplicates reported), the work view with the
preview dialler's countdown (dials the shown entry with its campaign id, outcome then the
next), and the counters (click lists the entries, progress bar, export). Screenshots go
to SCREENSHOT_DIR when set."""
from __future__ import annotations

from concurrent.futures import Future
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from callcore.app.campaigns import CampaignFeature
from callcore.app.hub import EventHub
from callcore.events import ClockTick, StoreChanged
from callcore.records import Campaign
from callcore.settings import settings_from_dict
from callcore.store import Store
from tests.gui.conftest import wait_until
from tests.gui.schedule_fixtures import shot
from ui.campaigns import CampaignWindows

T0 = datetime.now(timezone.utc).replace(microsecond=0)


class Office:
    def __init__(self, tmp_path):
        self.now = T0
        self.hub = EventHub()
        self.store = Store.open(tmp_path / "local", None, "ws-gui", background_sync=False)
        self.store.subscribe(lambda cs: self.hub.publish(StoreChanged(cs.table, cs.keys, cs.origin)))
        self.dialled: list[tuple[str, str]] = []
        settings = settings_from_dict({"campaign": {"countdown_seconds": 5}, "store": {"sync_interval": 0.25}})
        self.feature = CampaignFeature(self.store, self.hub, settings, station="ws-gui", user="Σοφία",
                                       dial=self.dial, clock=lambda: self.now)
        self.ports = SimpleNamespace(campaigns=self.feature, events=self.hub)

    def dial(self, number: str, campaign_item_id: str = "") -> Future:
        self.dialled.append((number, campaign_item_id))
        f: Future = Future()
        f.set_result(SimpleNamespace(ok=True, call_id=f"call-{len(self.dialled)}", message=""))
        return f

    def tick(self, seconds: int = 1) -> None:
        for _ in range(seconds):
            self.now += timedelta(seconds=1)
            self.hub.publish(ClockTick(self.now))

    def close(self) -> None:
        self.feature.close()
        self.store.close()


@pytest.fixture
def office(tmp_path):
    o = Office(tmp_path)
    yield o
    o.close()


@pytest.fixture
def window(root, office):
    from ui.look import setup_fonts, style_tables
    setup_fonts(root)
    style_tables(root)
    windows = CampaignWindows(root, office.ports)
    windows.install(root, None)
    w = windows.show()
    root.update()
    yield w
    windows.close()


def spring(office, n: int = 4) -> Campaign:
    c = office.feature.save_campaign(Campaign(code="Άνοιξη 2027", script="Καλημέρα σας, σας καλούμε από την Acme "
                                              "για τη νέα προσφορά.", description="Πελάτες Αθήνας"))
    office.feature.add_entries(c.id, [{"name": name, "number": f"21000000{i:02d}", "comment": comment, "city": "Αθήνα"}
                                      for i, (name, comment) in enumerate(
                                          [("Ξανθή Οικονόμου", "VIP"), ("Petra Nováková", ""),
                                           ("Иван Петров", "после 17:00"), ("Karel Dvořák", "")][:n])])
    return c


def test_list_editor_by_hand_and_import_with_mapping(root, office, window, tmp_path):
    ed = window.editor
    ed.vars["code"].set("Φθινόπωρο")
    ed.script.insert("1.0", "Καλησπέρα!")
    ed.vars["max_tries"].set("4")
    assert ed.save() is not None
    assert [window.list.item(i)["values"][0] for i in window.list.get_children()] == ["Φθινόπωρο"]
    ed.new_name.set("Ξανθή Οικονόμου")
    ed.new_number.set("2101234567")
    ed.new_comment.set("πρωί")
    ed.add_by_hand()
    assert [ed.table.item(i)["values"][1:] for i in ed.table.get_children()] == [["Ξανθή Οικονόμου", 2101234567, "πρωί"]]
    csv = tmp_path / "list.csv"
    csv.write_text("Πελάτης;Κινητό;Σημειώσεις\nPetra;6944000001;x\nIvan;6944000002;\nPetra again;+30 6944000001;\n"
                   "Ξανθή;210 123 4567;\n", encoding="utf-8")
    dialog = ed.import_file(str(csv))
    root.update()
    assert dialog.mapping() == {"name": "Πελάτης", "number": "Κινητό", "comment": "Σημειώσεις"}
    assert [dialog.table.item(i)["values"][:3] for i in dialog.table.get_children()][:2] == [
        ["Petra", 6944000001, "x"], ["Ivan", 6944000002, ""]]
    shot(dialog, "campaign-import-mapping")
    dialog.vars["comment"].set(dialog.none)                 # the user changes the mapping
    dialog.ok()
    root.update()
    names = [ed.table.item(i)["values"][1] for i in ed.table.get_children()]
    assert names == ["Ξανθή Οικονόμου", "Petra", "Ivan"]
    report = ed.report.cget("text")
    assert "2 entries added, 1 duplicates in the input, 1 already in the list" in report
    assert "+30 6944000001 (Petra again) is in the input twice" in report
    assert "210 123 4567 is already in the list (Ξανθή Οικονόμου)" in report
    ed.vars["end_at"].set("tomorrow")
    assert ed.save() is None and "not a date and time" in ed.message.cget("text")
    shot(window, "campaign-editor")


def test_work_view_counts_down_then_dials_and_moves_on(root, office, window):
    c = spring(office)
    window.refresh_list()
    window.select(c.id)
    window.tabs.select(window.work)
    work = window.work
    work.start_button.invoke()
    office.tick(1)
    assert wait_until(root, lambda: work.countdown.cget("text") == "Dialling in 4 s")
    assert work.name.cget("text") == "Ξανθή Οικονόμου" and "VIP" in work.details.cget("text")
    assert "Acme" in work.script.cget("text") and work.position.cget("text") == "1 of 4"
    shot(window, "campaign-work-countdown")
    office.tick(3)
    assert office.dialled == []
    office.tick(1)
    entry_id = office.feature.state().entry.id
    assert office.dialled == [("2100000000", entry_id)]
    assert wait_until(root, lambda: work.phase.cget("text").startswith("Calling"))
    work.outcome_var.set("interested")
    work.note.insert(0, "θέλει προσφορά")
    work.save_button.invoke()
    assert wait_until(root, lambda: work.name.cget("text") == "Petra Nováková")
    assert office.feature.book.history(c.id, entry_id)[0].note == "θέλει προσφορά"
    work.pause_button.invoke()
    assert wait_until(root, lambda: work.pause_button.cget("text") == "Resume")
    office.tick(10)
    assert len(office.dialled) == 1                           # paused: nothing dialled
    work.next_button.invoke()
    assert wait_until(root, lambda: work.name.cget("text") == "Иван Петров")
    shot(window, "campaign-work-paused")


def test_counters_click_lists_entries_and_export(root, office, window, tmp_path):
    c = spring(office)
    f = office.feature
    f.start(c.id)
    for result in ("interested", "busy", "wrong_number"):
        office.tick(1)
        f.call_now()
        f.record_outcome(result, "σημείωση")
    window.refresh_list()
    window.select(c.id)
    window.tabs.select(window.counters)
    view = window.counters
    root.update()
    assert [view.buttons[s].cget("text") for s in ("", "in_progress", "unanswered", "pending", "completed")] == [
        "Total: 4", "In progress: 1", "Unanswered: 1", "Pending: 0", "Completed: 2"]
    assert int(float(view.progress.cget("value"))) == 500
    view.buttons["completed"].invoke()
    assert [view.table.item(i)["values"][0] for i in view.table.get_children()] == ["Ξανθή Οικονόμου", "Иван Петров"]
    assert view.listing.cget("text") == "Completed: 2 entries"
    outcome_buttons = {b.cget("text"): b for b in view.by_outcome.winfo_children()}
    assert set(outcome_buttons) == {"Interested: 1", "Busy: 1", "Wrong number: 1"}
    outcome_buttons["Busy: 1"].invoke()
    assert [view.table.item(i)["values"][:2] for i in view.table.get_children()] == [["Petra Nováková", 2100000001]]
    assert [b.cget("text") for b in view.by_operator.winfo_children()] == ["Σοφία: 3"]
    shot(window, "campaign-counters")
    assert view.export(".xlsx", str(tmp_path / "out.xlsx")) == 4
    from openpyxl import load_workbook
    rows = list(load_workbook(tmp_path / "out.xlsx").active.values)
    assert [r[6] for r in rows[1:]] == ["Interested", "Busy", "Wrong number", None]
    assert view.export(".pdf", str(tmp_path / "out.pdf")) == 4 and (tmp_path / "out.pdf").read_bytes()[:4] == b"%PDF"
    # the next outcome is stored: the open counters follow the store's change
    office.tick(1)
    f.record_outcome("not_interested")
    assert wait_until(root, lambda: view.buttons["completed"].cget("text") == "Completed: 3", timeout=3)
