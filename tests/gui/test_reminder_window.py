"""The reminder window (SCHED-2, POP-6) on a real store: its title, note and contact, the
desktop notification and bell, Call now / Snooze / Done / Reassign / Reschedule changing
what the store holds, missed reminders oldest first, and the keyboard never taken from a
window where the operator types."""
from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, timedelta, timezone

import pytest
import ttkbootstrap as ttk

from callcore.app.reminders import ReminderFeature
from callcore.events import ReminderDue
from tests.gui.conftest import wait_until
from tests.gui.schedule_fixtures import DialResult, Notes, Office, shot
from ui.schedule_view import ScheduleWindows

NOW = datetime.now(timezone.utc)


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
    notes = Notes()
    bells = []
    w = ScheduleWindows(root, office.ports, notifier=notes, bell=lambda: bells.append(1))
    w.notes, w.bells = notes, bells
    w.start()
    yield w
    w.close()


def due_event(item, missed=False) -> ReminderDue:
    return ReminderDue(item.id, item.number, item.contact_name, item.notes, item.reminder_at,
                       item.assigned_user, missed)


def test_the_reminder_shows_number_name_note_and_notifies(root, office, windows):
    item = office.schedule.schedule("2101234567", NOW, contact_id=office.contact.id, assigned_user="Bob",
                                    notes="Προσφορά: νέα τιμή")
    office.hub.publish(due_event(item))
    window = windows.reminders[item.id]
    root.update()
    assert window._title == "Reminder — 2101234567 — Ξανθή Οικονόμου"
    assert window.note_label.cget("text") == "Προσφορά: νέα τιμή"
    assert window.contact_label.cget("text") == "Ξανθή Οικονόμου"
    assert windows.notes.shown == [("Reminder — 2101234567 — Ξανθή Οικονόμου", "Προσφορά: νέα τιμή")]
    assert windows.bells == [1]
    assert window.flashing
    shot(window, "reminder")


def test_snooze_done_reassign_reschedule_change_the_store(root, office, windows):
    items = [office.schedule.schedule("2101234567", NOW, assigned_user="Bob", contact_id=office.contact.id)
             for _ in range(4)]
    for item in items:
        office.hub.publish(due_event(item))
    root.update()
    windows.reminders[items[0].id].snooze_buttons[15].invoke()
    snoozed = office.store.scheduled.get(items[0].id)
    assert snoozed.snoozed_until and datetime.fromisoformat(snoozed.snoozed_until) > NOW + timedelta(minutes=14)
    assert items[0].id not in windows.reminders
    done_window = windows.reminders[items[1].id]
    done_window.outcome_var.set("ordered 3 boxes")
    done_window.done_button.invoke()
    assert (office.store.scheduled.get(items[1].id).status, office.store.scheduled.get(items[1].id).outcome) == (
        "done", "ordered 3 boxes")
    moving = windows.reminders[items[2].id]
    moving.user_var.set("Anna")
    moving.reassign_button.invoke()
    assert office.store.scheduled.get(items[2].id).assigned_user == "Anna"
    later = windows.reminders[items[3].id]
    later.date_var.set("2030-01-02")
    later.time_var.set("10:30")
    later.reschedule_button.invoke()
    due = datetime.fromisoformat(office.store.scheduled.get(items[3].id).due_at).astimezone()
    assert (due.year, due.month, due.day, due.hour, due.minute) == (2030, 1, 2, 10, 30)


def test_call_now_dials_and_links_the_logged_call(root, office, windows):
    item = office.schedule.schedule("2101234567", NOW, assigned_user="Σοφία")
    office.hub.publish(due_event(item))
    window = windows.reminders[item.id]
    window.call_button.invoke()
    assert office.dialled == ["2101234567"]
    office.futures[0].set_result(DialResult(True, "ringing", call_id="call-77"))
    assert office.store.scheduled.get(item.id).call_id == "call-77"
    assert office.store.call_annotations.get("call-77").scheduled_id == item.id


def test_a_refused_action_is_said_in_the_window_and_nothing_changes(root, office, windows):
    item = office.schedule.schedule("2101234567", NOW, assigned_user="Bob")
    office.user = office.users["Anna"]                 # an agent, not Bob
    office.hub.publish(due_event(item))
    window = windows.reminders[item.id]
    window.done_button.invoke()
    root.update()
    assert "may not" in window.error_var.get()
    assert office.store.scheduled.get(item.id).status == "open"
    assert not window.closed


def test_missed_reminders_come_up_oldest_first(root, office, windows):
    later = office.schedule.schedule("2109990001", NOW - timedelta(hours=1), assigned_user="Σοφία",
                                     notes="later")
    older = office.schedule.schedule("2109990002", NOW - timedelta(hours=5), assigned_user="Σοφία",
                                     notes="older")
    feature = ReminderFeature(office.store, office.hub, "ws-gui", current_user=lambda: office.user,
                              confirm_after=0.0, now=lambda: NOW.timestamp() + 10)
    try:
        feature.check(NOW.timestamp() + 10)
        root.update()
        opened = list(windows.reminders)
        assert opened == [older.id, later.id]
        assert all(w.reminder.missed for w in windows.reminders.values())
        shot(windows.reminders[later.id], "reminders-missed", whole_screen=True)
    finally:
        feature.close()


def xdotool(*args: str) -> None:
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed")
    subprocess.run(["xdotool", *args], check=True)


def test_typing_goes_on_in_the_operators_window_when_a_reminder_comes_up(root, office, windows):
    editor = ttk.Toplevel(title="typing here", master=root)
    try:
        text = ttk.Entry(editor)
        text.pack()
        text.focus_force()
        assert wait_until(root, lambda: root.focus_get() is text)
        xdotool("type", "--delay", "15", "abc")
        assert wait_until(root, lambda: text.get() == "abc")
        item = office.schedule.schedule("2101234567", NOW, assigned_user="Σοφία")
        office.hub.publish(due_event(item))
        window = windows.reminders[item.id]
        root.update()
        xdotool("type", "--delay", "15", "def")
        assert wait_until(root, lambda: text.get() == "abcdef")
        assert window.outcome_var.get() == ""
        assert root.focus_get() is text
        window.focus_window()                       # the operator clicks it: now it has the keys
        assert wait_until(root, lambda: root.focus_get() is window.outcome_entry)
    finally:
        editor.destroy()
