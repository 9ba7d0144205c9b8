"""POP-3 / SCHED-1 from the operator window: a call popup has Schedule call… and Activity…
(filled with the caller's number, contact and call), shows the caller's open scheduled
calls; the Calls menu has Schedule…, Schedule a call… and Activities…; a reminder
published on the hub opens its window in the real OperatorUi."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from callcore.events import ReminderDue
from callcore.records import Contact, Phone
from tests.gui.conftest import wait_until
from tests.gui.fakes import FakeServices, ringing
from tests.gui.schedule_fixtures import Office, shot
from ui.ports import UiPorts

NOW = datetime.now(timezone.utc)


@pytest.fixture
def office(tmp_path):
    o = Office(tmp_path)
    yield o
    o.close()


@pytest.fixture
def ui(make_ui, office):
    contact = office.contact
    services = FakeServices(contacts=[Contact(name=contact.name, id=contact.id, phones=[Phone("2101234567")])])
    ports = dataclasses.replace(UiPorts.of(services, events=office.hub), schedule=office.schedule,
                                activities=office.activities)
    made = make_ui(ports)
    made.start()
    return made


def menu_labels(menu) -> list[str]:
    return [menu.entrycget(i, "label") for i in range(menu.index("end") + 1) if menu.type(i) == "command"]


def test_calls_menu_has_schedule_and_activities(ui):
    labels = menu_labels(ui.window.menus["calls"])
    assert {"Schedule…", "Schedule a call…", "Activities…"} <= set(labels)


def test_popup_schedules_a_callback_and_makes_an_activity_for_the_caller(root, ui, office):
    office.schedule.schedule("2101234567", NOW + timedelta(days=1), contact_id=office.contact.id)
    ui.ui_event(ringing("L1", "2101234567"))
    popup = ui.popups["L1"]
    assert wait_until(root, lambda: popup.scheduled_label.cget("text").startswith("Scheduled: "), pump=ui.pump)
    shot(popup, "popup-schedule")
    popup.schedule_button.invoke()
    dialog = ui.scheduling.dialogs[-1]
    assert (dialog.number_var.get(), dialog.contact_id, dialog.call_id) == (
        "2101234567", office.contact.id, popup.leg.call_id)
    dialog.quick_buttons[0].invoke()
    saved = dialog.save()
    assert office.store.scheduled.get(saved.id).contact_name == "Ξανθή Οικονόμου"
    assert office.store.call_annotations.get(popup.leg.call_id).scheduled_id == saved.id
    popup.activity_button.invoke()
    activity = ui.scheduling.dialogs[-1]
    activity.subject_var.set("Send the price list")
    made = activity.save()
    stored = office.store.activities.get(made.id)
    assert (stored.call_id, stored.contact_id, stored.number) == (popup.leg.call_id, office.contact.id, "2101234567")


def test_a_reminder_on_the_hub_opens_its_window(root, ui, office):
    item = office.schedule.schedule("2101234567", NOW, contact_id=office.contact.id, notes="Call about the order")
    office.hub.publish(ReminderDue(item.id, item.number, item.contact_name, item.notes, item.due_at, "Σοφία"))
    assert wait_until(root, lambda: item.id in ui.scheduling.reminders, pump=ui.pump)
    assert ui.scheduling.reminders[item.id]._title == "Reminder — 2101234567 — Ξανθή Οικονόμου"


def test_f2_without_a_call_popup_takes_the_keyboard_to_the_newest_reminder(root, ui, office):
    item = office.schedule.schedule("2101234567", NOW, contact_id=office.contact.id)
    office.hub.publish(ReminderDue(item.id, item.number, item.contact_name, item.notes, item.due_at, "Σοφία"))
    assert wait_until(root, lambda: item.id in ui.scheduling.reminders, pump=ui.pump)
    window = ui.scheduling.reminders[item.id]
    assert root.focus_get() is not window.outcome_entry
    ui.focus_newest_popup()                       # what F2 does
    assert wait_until(root, lambda: root.focus_get() is window.outcome_entry)
    assert not window.flashing
