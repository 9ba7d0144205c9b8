"""Ended calls' popups close by themselves unless notes were typed (issue 6 §5.1).

Driven by the UI's fake clock through ``refresh_counters`` (what the one-second tick runs).
"""
from __future__ import annotations

from datetime import timedelta

from callcore.events import LegAnswered, LegEnded
from tests.gui.conftest import wait_until
from tests.gui.fakes import Clock, FakeServices, ringing, sample_contacts
from ui.ports import PopupSettings


def _services(seconds: int = 30) -> FakeServices:
    return FakeServices(contacts=sample_contacts(),
                        popup_settings=PopupSettings(auto_close_seconds=seconds))


def _call_that_ends(ui, clock, leg_id="L1", number="2101234567"):
    event = ringing(leg_id, number, at=clock.now)
    ui.ui_event(event)
    popup = ui.popups[leg_id]
    clock.now += timedelta(seconds=4)
    ui.ui_event(LegAnswered(leg_id, event.call_id, "201", clock.now))
    clock.now += timedelta(seconds=50)
    ui.refresh_counters()
    assert popup.auto_close_text == ""          # no countdown while the call goes on
    ui.ui_event(LegEnded(leg_id, event.call_id, "201", clock.now, "answered"))
    return event, popup


def test_popup_without_notes_closes_by_itself_after_the_setting(make_ui, root):
    clock = Clock()
    ui = make_ui(_services(30), clock=clock)
    _event, popup = _call_that_ends(ui, clock)
    assert popup.auto_close_text == "Closes by itself in 30 s — type a note to keep it"
    clock.now += timedelta(seconds=29)
    ui.refresh_counters()
    assert "L1" in ui.popups and popup.winfo_exists()
    assert popup.auto_close_text == "Closes by itself in 1 s — type a note to keep it"
    clock.now += timedelta(seconds=1)
    ui.refresh_counters()
    assert "L1" not in ui.popups
    assert not popup.winfo_exists()


def test_many_ended_calls_do_not_pile_up(make_ui, root):
    clock = Clock()
    ui = make_ui(_services(30), clock=clock)
    for i in range(12):
        _call_that_ends(ui, clock, leg_id=f"L{i}", number=f"21000000{i:02d}")
        clock.now += timedelta(seconds=10)
        ui.refresh_counters()
    # Each ended popup went while the next call was on; only the last one is left.
    assert list(ui.popups) == ["L11"]
    clock.now += timedelta(seconds=30)
    ui.refresh_counters()
    assert ui.popups == {}


def test_popup_with_notes_stays_until_closed(make_ui, root):
    clock = Clock()
    services = _services(30)
    ui = make_ui(services, clock=clock)
    event = ringing("L1", "2101234567", at=clock.now)
    ui.ui_event(event)
    ui.ui_event(ringing("L2", "+7 495 765 4321", at=clock.now))
    popup = ui.popups["L1"]
    popup.notes.insert("1.0", "Θέλει προσφορά — перезвонить")
    root.update()
    ui.ui_event(LegEnded("L1", event.call_id, "201", clock.now, "answered"))
    ui.ui_event(LegEnded("L2", ui.popups["L2"].leg.call_id, "201", clock.now, "missed"))
    clock.now += timedelta(minutes=10)
    ui.refresh_counters()
    assert list(ui.popups) == ["L1"]           # the one without notes went
    assert popup.winfo_exists() and popup.auto_close_text == ""
    popup.close()
    assert services.notes[event.call_id] == "Θέλει προσφορά — перезвонить"


def test_never_while_the_cursor_is_in_the_notes(make_ui, root):
    clock = Clock()
    ui = make_ui(_services(30), clock=clock)
    _event, popup = _call_that_ends(ui, clock)
    popup.focus_notes()
    assert wait_until(root, lambda: popup.focus_get() is popup.notes)
    clock.now += timedelta(minutes=5)
    ui.refresh_counters()
    assert ui.popups.get("L1") is popup
    assert popup.auto_close_text == "Stays open while you write"
    # The operator goes back to the main window without writing anything: a short
    # grace period, then the popup goes.
    root.focus_force()
    assert wait_until(root, lambda: root.focus_get() is root)
    clock.now += timedelta(seconds=1)
    ui.refresh_counters()
    assert ui.popups.get("L1") is popup
    assert popup.auto_close_text == "Closes by itself in 7 s — type a note to keep it"
    clock.now += timedelta(seconds=7)
    ui.refresh_counters()
    assert "L1" not in ui.popups


def test_never_just_after_the_notes_changed(make_ui, root):
    clock = Clock()
    ui = make_ui(_services(30), clock=clock)
    _event, popup = _call_that_ends(ui, clock)
    clock.now += timedelta(seconds=29)
    popup.notes.insert("1.0", "x")     # typed, then deleted again: the box is empty
    root.update()
    popup.notes.delete("1.0", "end")
    root.update()
    clock.now += timedelta(seconds=1)
    ui.refresh_counters()
    assert ui.popups.get("L1") is popup  # 30 s are over, but the notes just changed
    clock.now += timedelta(seconds=7)
    ui.refresh_counters()
    assert "L1" not in ui.popups


def test_zero_means_never(make_ui, root):
    clock = Clock()
    never = make_ui(_services(0), clock=clock)
    _event, popup = _call_that_ends(never, clock)
    clock.now += timedelta(hours=2)
    never.refresh_counters()
    assert never.popups.get("L1") is popup and popup.winfo_exists()
    assert popup.auto_close_text == ""
    assert popup.status_text.startswith("Ended")
    never.close()
    soon = make_ui(_services(5), clock=clock)
    _event, popup = _call_that_ends(soon, clock)
    assert popup.auto_close_text == "Closes by itself in 5 s — type a note to keep it"
    clock.now += timedelta(seconds=5)
    soon.refresh_counters()
    assert soon.popups == {}
