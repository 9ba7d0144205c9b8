"""Call popups: who calls, every match, notes never lost, popup settings (POP-1,3,5,7)."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from callcore.events import LegAnswered, LegEnded, TransferNoteReceived
from tests.gui.conftest import initial_state_requested, wait_until
from tests.gui.fakes import Clock, FakeServices, ringing, sample_contacts, sample_log
from ui.ports import PopupSettings


@pytest.fixture
def services():
    return FakeServices(contacts=sample_contacts(), calls_log=sample_log(),
                        line_notes={"2101234500": "Γραμμή πωλήσεων"})


def test_popup_shows_caller_matches_line_and_history(make_ui, services, root):
    ui = make_ui(services)
    ui.ui_event(ringing("L1", "2101234567", line="2101234500"))
    popup = ui.popups["L1"]
    assert popup.caller_title == "2101234567 — Γιώργος Παπαδόπουλος"
    assert popup.number_label.cget("text") == "2101234567"
    rows = [popup.contacts.item(i, "values") for i in popup.contacts.get_children()]
    names = [row[0] for row in rows]
    assert names[0] == "Γιώργος Παπαδόπουλος"
    assert "Ελληνικά Έπιπλα Α.Ε." in names
    similar = [row for row in rows if row[0].startswith("Мария Иванова")]
    assert similar and similar[0][3] == "similar number"
    assert "Γραμμή πωλήσεων" in popup.line_note_label.cget("text")
    assert "2101234500" in popup.line_label.cget("text")
    # The recent calls arrive from a worker thread, never read on the Tk thread.
    assert wait_until(root, lambda: not popup.recent.exists("loading"), pump=ui.pump)
    notes = [popup.recent.item(i, "values")[4] for i in popup.recent.get_children()]
    assert "Ζήτησε προσφορά για 12 καρέκλες" in notes
    assert services.recent_threads and threading.main_thread().name not in services.recent_threads


def test_unknown_number_title_is_number_alone(make_ui, services):
    ui = make_ui(services)
    ui.ui_event(ringing("L1", "2310555000"))
    popup = ui.popups["L1"]
    assert popup.caller_title == "2310555000"
    assert popup.name_label.cget("text") == "Unknown caller"


def test_notes_saved_when_popup_closed_before_call_ends(make_ui, services, root):
    ui = make_ui(services)
    event = ringing("L1", "2101234567")
    ui.ui_event(event)
    popup = ui.popups["L1"]
    popup.notes.insert("1.0", "Θέλει προσφορά — перезвонить")
    root.update()
    popup.close()  # before the debounce fires and before the call ends
    assert services.saved[-1] == (event.call_id, "Θέλει προσφορά — перезвонить")
    assert "L1" not in ui.popups
    assert [row["leg_id"] for row in ui.window.calls.rows()] == ["L1"]  # the call goes on
    assert ("hangup", "L1") not in services.actions


def test_notes_saved_while_typing_after_a_pause(make_ui, services, root):
    ui = make_ui(services)
    event = ringing("L1", "2101234567")
    ui.ui_event(event)
    popup = ui.popups["L1"]
    popup.notes.insert("end", "first")
    root.update()
    popup.notes.insert("end", " second")
    root.update()
    assert wait_until(root, lambda: services.saved, timeout=5)
    assert services.saved == [(event.call_id, "first second")]


def test_reopened_popup_shows_saved_notes_and_ctrl_enter_saves(make_ui, services, root):
    ui = make_ui(services)
    event = ringing("L1", "2101234567")
    ui.ui_event(event)
    popup = ui.popups["L1"]
    popup.notes.insert("1.0", "Jiří volal kvůli faktuře")
    popup.notes.focus_force()
    root.update()
    popup.notes.event_generate("<Control-Return>")
    root.update()
    assert services.saved[-1] == (event.call_id, "Jiří volal kvůli faktuře")
    popup.event_generate("<Escape>")
    root.update()
    assert "L1" not in ui.popups
    again = ui.open_popup("L1")
    assert again is not None and again.notes_text == "Jiří volal kvůli faktuře"


def test_priority_zero_contact_never_pops_up_but_is_listed(make_ui, services):
    ui = make_ui(services)
    ui.ui_event(ringing("L1", "2109999999"))
    assert ui.popups == {}
    rows = ui.window.calls.rows()
    assert rows[0]["name"] == "Spam Robot"


def test_silent_popup_opens_iconified(make_ui, services, root):
    services.popup_settings = PopupSettings(silent=True)
    ui = make_ui(services)
    ui.ui_event(ringing("L1", "2101234567"))
    ui.ui_event(ringing("L2", "+7 495 765 4321"))
    root.update()
    assert initial_state_requested(ui.popups["L1"]) == "iconic"
    services.popup_settings = PopupSettings(silent=False)
    ui.ui_event(ringing("L3", "+420 602 111 222"))
    root.update()
    assert initial_state_requested(ui.popups["L3"]) == "normal"


def test_popup_settings_incoming_outgoing_and_other_extensions(make_ui, services):
    services.popup_settings = PopupSettings(on_incoming=False, on_outgoing=True)
    ui = make_ui(services)
    ui.ui_event(ringing("L1", "2101234567", direction="in"))
    ui.ui_event(ringing("L2", "+420 602 111 222", direction="out"))
    ui.ui_event(ringing("L3", "2101234567", extension="202"))
    assert set(ui.popups) == {"L2"}
    assert ui.popups["L2"].caller_title == "+420 602 111 222 — Jiří Dvořák"
    assert [row["leg_id"] for row in ui.window.calls.rows()] == ["L1", "L2"]


def test_transfer_note_shown_in_receiving_popup(make_ui, services):
    ui = make_ui(services)
    event = ringing("L1", "2101234567", transferred_by="204", linkedid="xfer-1")
    ui.ui_event(TransferNoteReceived(event.call_id, "204", "201", "Θέλει την παραγγελία 4471"))
    ui.ui_event(TransferNoteReceived(event.call_id, "204", "205", "not for us"))
    ui.ui_event(event)
    text = ui.popups["L1"].transfer_text
    assert "204" in text and "Θέλει την παραγγελία 4471" in text and "not for us" not in text


def test_hangup_button_and_ended_status(make_ui, services, root):
    clock = Clock()
    ui = make_ui(services, clock=clock)
    event = ringing("L1", "2101234567", at=clock.now)
    ui.ui_event(event)
    popup = ui.popups["L1"]
    popup.hangup_button.invoke()
    assert ("hangup", "L1") in services.actions
    clock.now += timedelta(seconds=5)
    ui.ui_event(LegAnswered("L1", event.call_id, "201", clock.now))
    clock.now += timedelta(seconds=65)
    ui.ui_event(LegEnded("L1", event.call_id, "201", clock.now, "answered"))
    status = popup.status_label.cget("text")
    assert status.startswith("Ended") and "Answered" in status and "1:05" in status
    assert str(popup.hangup_button.cget("state")) == "disabled"
    assert ui.window.calls.rows() == []


def test_number_known_only_when_answered_updates_the_popup(make_ui, services):
    ui = make_ui(services)
    event = ringing("L1", "", direction="out", line="")
    ui.ui_event(event)
    popup = ui.popups["L1"]
    assert popup.caller_title == "Unknown number"
    ui.ui_event(LegAnswered("L1", event.call_id, "201", event.at, other_number="+7 495 765 4321"))
    assert popup.caller_title == "+7 495 765 4321 — Анна Смирнова"
    assert popup.contacts.item("0", "values")[0] == "Анна Смирнова"
    assert ui.window.calls.rows()[0]["name"] == "Анна Смирнова"


def test_quit_saves_notes_of_every_open_popup(make_ui, services, root):
    ui = make_ui(services)
    first, second = ringing("L1", "2101234567"), ringing("L2", "+7 495 765 4321")
    ui.ui_event(first)
    ui.ui_event(second)
    ui.popups["L1"].notes.insert("1.0", "σημείωση ένα")
    ui.popups["L2"].notes.insert("1.0", "заметка два")
    root.update()
    ui.close()   # what the main window's close button runs before destroying the root
    assert (first.call_id, "σημείωση ένα") in services.saved
    assert (second.call_id, "заметка два") in services.saved
    assert ui.popups == {}
