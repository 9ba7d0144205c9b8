"""While disconnected nobody knows what the listed calls do (issue 6 §5.3): they say so,
their timers stop and Hang up is off; the rebuild after the reconnect refreshes them."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from callcore.events import ConnectionStateChanged, LegAnswered, LegEnded
from tests.gui.conftest import wait_until
from tests.gui.fakes import Clock, FakeServices, ringing, sample_contacts
from ui.look import STATE_COLOURS

UNKNOWN_TEXT = "State unknown (disconnected)"


@pytest.fixture
def services():
    return FakeServices(contacts=sample_contacts())


def _rows(ui):
    return {row["leg_id"]: row for row in ui.window.calls.rows()}


def _state(button) -> str:
    return str(button.cget("state"))


def test_disconnect_marks_calls_unknown_stops_timers_and_hangup(make_ui, services, root):
    clock = Clock()
    ui = make_ui(services, clock=clock)
    ui.ui_event(ConnectionStateChanged("connected"))
    event = ringing("L1", "2101234567", at=clock.now)
    ui.ui_event(event)
    popup = ui.popups["L1"]
    clock.now += timedelta(seconds=3)
    ui.ui_event(LegAnswered("L1", event.call_id, "201", clock.now))
    clock.now += timedelta(seconds=20)
    ui.refresh_counters()
    ui.window.calls.tree.selection_set("L1")
    root.update()
    assert _state(ui.window.hangup_button) == "normal" == _state(popup.hangup_button)

    ui.ui_event(ConnectionStateChanged("failing", "connection reset by the PBX"))
    row = _rows(ui)["L1"]
    assert row["state"] == UNKNOWN_TEXT and row["duration"] == "0:20"
    assert row["tags"] == ("unknown",)
    assert str(ui.window.calls.tree.tag_configure("unknown", "foreground")) == STATE_COLOURS["unknown"]
    assert popup.status_text == f"{UNKNOWN_TEXT} · 0:20"
    assert _state(ui.window.hangup_button) == "disabled" == _state(popup.hangup_button)
    assert ui.window.menu_items("calls")[2]["state"] == "disabled"

    clock.now += timedelta(seconds=45)     # the timers stand still
    ui.refresh_counters()
    assert _rows(ui)["L1"]["duration"] == "0:20"
    assert popup.status_text == f"{UNKNOWN_TEXT} · 0:20"
    root.focus_force()
    root.update()
    root.event_generate("<Control-Shift-H>")
    popup.hangup_button.invoke()
    root.update()
    assert ("hangup", "L1") not in services.actions

    # Reconnected: the tracker rebuilt the call (it is up) and announced it again.
    ui.ui_event(ConnectionStateChanged("connecting"))
    ui.ui_event(replace(event, restored=True))
    ui.ui_event(LegAnswered("L1", event.call_id, "201", event.at + timedelta(seconds=3)))
    ui.ui_event(ConnectionStateChanged("connected"))
    row = _rows(ui)["L1"]
    assert row["state"] == "Active" and row["duration"] == "1:05"
    assert popup.status_text == "Active · 1:05"
    assert _state(ui.window.hangup_button) == "normal" == _state(popup.hangup_button)
    assert list(ui.popups) == ["L1"]       # no second popup for the same call


def test_restored_ringing_call_rings_again_without_a_second_popup(make_ui, services, root):
    clock = Clock()
    sent = []
    ui = make_ui(services, clock=clock, notify_backend=lambda **kw: sent.append(kw))
    ui.ui_event(ConnectionStateChanged("connected"))
    event = ringing("L1", "+7 495 765 4321", at=clock.now)
    ui.ui_event(event)
    assert wait_until(root, lambda: len(sent) == 1, pump=ui.pump)
    popup = ui.popups["L1"]
    clock.now += timedelta(seconds=5)
    ui.ui_event(ConnectionStateChanged("off"))
    assert _rows(ui)["L1"]["state"] == UNKNOWN_TEXT
    assert popup.status_text == f"{UNKNOWN_TEXT} · 0:05"
    clock.now += timedelta(seconds=10)
    ui.ui_event(replace(event, restored=True))
    row = _rows(ui)["L1"]
    assert row["state"] == "Ringing" and row["tags"] == ("ringing",) and row["duration"] == "0:15"
    assert row["name"] == "Анна Смирнова"
    assert popup.status_text == "Ringing · 0:15"
    assert ui.popups == {"L1": popup}
    ui.pump.drain()
    root.update()
    assert len(sent) == 1                  # no second "incoming call" notification


def test_calls_the_rebuild_kept_are_live_again_and_gone_ones_end(make_ui, services, root):
    clock = Clock()
    ui = make_ui(services, clock=clock)
    ui.ui_event(ConnectionStateChanged("connected"))
    kept, gone = ringing("L1", "2101234567", at=clock.now), ringing("L2", "+420 602 111 222",
                                                                    at=clock.now)
    for event in (kept, gone):
        ui.ui_event(event)
        ui.ui_event(LegAnswered(event.leg_id, event.call_id, "201", clock.now))
    clock.now += timedelta(seconds=30)
    ui.ui_event(ConnectionStateChanged("failing", "no answer to Ping"))
    assert {row["state"] for row in _rows(ui).values()} == {UNKNOWN_TEXT}
    clock.now += timedelta(seconds=30)
    # The same tracker reconnects: the gone leg ends (at the disconnect time), the kept
    # one is confirmed by "connected" alone.
    ui.ui_event(LegEnded("L2", gone.call_id, "201", clock.now - timedelta(seconds=30), "answered"))
    ui.ui_event(ConnectionStateChanged("connected"))
    rows = _rows(ui)
    assert list(rows) == ["L1"]
    assert rows["L1"]["state"] == "Active" and rows["L1"]["duration"] == "1:00"
    assert ui.popups["L2"].status_text == "Ended · Answered · 0:30"
