"""The schedule view (SCHED-3) and the schedule dialog (SCHED-1) on a real store: sections
in their own colours, scopes by role, actions, edits from elsewhere followed; the dialog's
quick choices, contact search, assignee by role and refusals shown in the dialog."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.gui.conftest import wait_until
from tests.gui.schedule_fixtures import Notes, Office, shot
from ui.schedule_view import SECTION_COLOURS, ScheduleWindows



@pytest.fixture
def office(tmp_path):
    o = Office(tmp_path)
    yield o
    o.close()


@pytest.fixture
def windows(root, office):
    from ui.look import setup_fonts, style_tables
    setup_fonts(root)
    style_tables(root)
    w = ScheduleWindows(root, office.ports, notifier=Notes(), bell=lambda: None)
    w.install(root, None)
    w.start()
    yield w
    w.close()


def rows(view):
    return [view.table.item(iid) for iid in view.table.get_children()]


def test_sections_scopes_and_colours(root, office, windows):
    NOW = datetime.now(timezone.utc)   # at run time: the sections depend on it
    s = office.schedule
    s.schedule("1001", NOW - timedelta(hours=2), assigned_user="Anna", notes="overdue one",
               contact_id=office.contact.id)
    s.schedule("1002", NOW + timedelta(minutes=3), assigned_user="Σοφία", notes="soon", priority=2)
    s.schedule("1003", NOW + timedelta(days=3), assigned_user="Bob", notes="later")
    view = windows.open_view()
    root.update()
    assert [s for s in view.scope_var.get()] and office.schedule.scopes() == ["mine", "group"]
    assert [str(r["values"][2]) for r in rows(view)] == ["1002"]     # mine
    view.scope_var.set("group")
    view.refresh()
    shown = rows(view)
    assert [str(r["values"][2]) for r in shown] == ["1001", "1002", "1003"]
    assert [r["tags"][0] for r in shown] == ["overdue", "today", "upcoming"]
    assert str(view.table.tag_configure("overdue", "foreground")) == SECTION_COLOURS["overdue"]
    assert shown[0]["values"][3] == "Ξανθή Οικονόμου"
    shot(view, "schedule-view")
    view.section_var.set("overdue")
    view.refresh()
    assert [str(r["values"][2]) for r in rows(view)] == ["1001"]


def test_done_from_the_view_and_an_edit_elsewhere_shows(root, office, windows):
    NOW = datetime.now(timezone.utc)   # at run time: the sections depend on it
    item = office.schedule.schedule("1002", NOW + timedelta(minutes=3), notes="soon")
    view = windows.open_view()
    root.update()
    other = office.store.scheduled.get(item.id)
    other.notes = "changed on another workstation"
    office.store.scheduled.put(other)              # StoreChanged → refresh
    assert wait_until(root, lambda: rows(view) and rows(view)[0]["values"][6] == "changed on another workstation")
    view.buttons["done"].invoke()
    assert office.store.scheduled.get(item.id).status == "done"
    assert rows(view) == []


def test_an_agent_sees_only_mine_and_a_refusal_is_said(root, office, windows):
    NOW = datetime.now(timezone.utc)   # at run time: the sections depend on it
    bobs = office.schedule.schedule("1003", NOW + timedelta(hours=1), assigned_user="Bob")
    office.user = office.users["Anna"]
    view = windows.open_view()
    assert office.schedule.scopes() == ["mine"]
    assert rows(view) == []
    view.rows = [type("Row", (), {"item": bobs, "section": "today", "when": NOW})()]
    view.table.insert("", "end", iid="0", values=("", "", "1003", "", "Bob", "", ""))
    view.table.selection_set("0")
    view._act(lambda item: office.schedule.done(item.id))
    assert "may not" in view.error_var.get()
    assert office.store.scheduled.get(bobs.id).status == "open"


def test_schedule_dialog_from_nothing_with_quick_choice_contact_and_assignee(root, office, windows):
    dialog = windows.open_schedule_dialog()
    root.update()
    dialog.number_var.set("2101234567")
    dialog.find_var.set("Ξαν")
    dialog._find_contacts()
    dialog.find_box.current(0)
    dialog._contact_picked()
    dialog.quick_buttons[1].invoke()                 # tomorrow 9:00
    assert set(dialog.user_box.cget("values")) == {"Σοφία", "Anna", "Bob"}
    dialog.user_var.set("Bob")
    dialog.priority_var.set("High")
    dialog.note.insert("1.0", "Τηλεφώνησε για την παραγγελία")
    shot(dialog, "schedule-dialog")
    saved = dialog.save()
    assert saved is not None and dialog.closed
    stored = office.store.scheduled.get(saved.id)
    due = datetime.fromisoformat(stored.due_at).astimezone()
    tomorrow = (datetime.now().astimezone() + timedelta(days=1)).date()
    assert (due.date(), due.hour, due.minute) == (tomorrow, 9, 0)
    assert (stored.number, stored.contact_id, stored.contact_name, stored.assigned_user, stored.priority,
            stored.notes) == ("2101234567", office.contact.id, "Ξανθή Οικονόμου", "Bob", 2,
                              "Τηλεφώνησε για την παραγγελία")


def test_schedule_dialog_refusal_and_bad_time_stay_in_the_dialog(root, office, windows):
    office.user = office.users["Anna"]
    dialog = windows.open_schedule_dialog(number="2101234567")
    assert list(dialog.user_box.cget("values")) == ["Anna"]
    assert str(dialog.user_box.cget("state")) == "disabled"
    dialog.time_var.set("25:99")
    assert dialog.save() is None and not dialog.closed
    assert "HH:MM" in dialog.error_var.get()
    dialog.time_var.set("10:00")
    dialog.user_var.set("Bob")                      # not offered; forced: the feature refuses
    assert dialog.save() is None
    assert "may not" in dialog.error_var.get()
    assert len(office.store.scheduled) == 0
    dialog.close()


def test_schedule_from_the_calls_table_uses_the_selected_number(root, office, windows):
    import shutil
    import subprocess
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed")
    windows.install(root, None, selected_number=lambda: "2109876543")
    root.deiconify()
    root.focus_force()
    assert wait_until(root, lambda: root.focus_get() is not None)
    subprocess.run(["xdotool", "key", "ctrl+shift+r"], check=True)
    assert wait_until(root, lambda: bool(windows.dialogs))
    dialog = windows.dialogs[-1]
    assert dialog.number_var.get() == "2109876543"
    dialog.close()


def test_edit_from_the_view_changes_time_and_note_and_ends_a_snooze(root, office, windows):
    NOW = datetime.now(timezone.utc)   # at run time: the sections depend on it
    item = office.schedule.schedule("1002", NOW + timedelta(hours=1), notes="first note")
    office.schedule.snooze(item.id, 15)
    view = windows.open_view()
    root.update()
    view.edit()
    dialog = windows.dialogs[-1]
    assert dialog.title() == "Scheduled call — 1002"
    dialog.date_var.set("2030-03-04")
    dialog.time_var.set("08:15")
    dialog.note.delete("1.0", "end")
    dialog.note.insert("1.0", "second note")
    assert dialog.save() is not None
    stored = office.store.scheduled.get(item.id)
    due = datetime.fromisoformat(stored.due_at).astimezone()
    assert ((due.year, due.month, due.day, due.hour, due.minute), stored.notes, stored.snoozed_until) == (
        (2030, 3, 4, 8, 15), "second note", None)
    assert wait_until(root, lambda: rows(view) and rows(view)[0]["values"][6] == "second note")
