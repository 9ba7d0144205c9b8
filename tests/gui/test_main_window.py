"""Operator window: connection indicator, call waiting with live counters, banners (AMI-2, POP-4)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from callcore.events import (ConnectionStateChanged, ExtensionStateChanged, LegAnswered,
                             LegEnded, LegHeld, LegResumed)
from tests.gui.fakes import Clock, FakeServices, ringing, sample_contacts
from ui.look import CONNECTION_COLOURS, STATE_COLOURS


@pytest.fixture
def services():
    return FakeServices(contacts=sample_contacts())


@pytest.mark.parametrize("status, reason, text", [
    ("connected", "", "Connected"),
    ("off", "", "Switched off"),
    ("failing", "Connection refused by 10.0.0.5:5038", "Not connected: Connection refused by 10.0.0.5:5038"),
    ("auth_failed", "", "The PBX refused the login — check the AMI user name and secret in Settings"),
    ("auth_failed", "The PBX at 127.0.0.1:5038 refused the login (authentication failed) — check "
     "the AMI username and secret", "The PBX at 127.0.0.1:5038 refused the login (authentication "
     "failed) — check the AMI username and secret"),
])
def test_connection_indicator(make_ui, services, status, reason, text):
    ui = make_ui(services)
    ui.ui_event(ConnectionStateChanged(status, reason))
    indicator = ui.window.indicator
    assert indicator.text == text
    assert indicator.colour == CONNECTION_COLOURS[status]
    dot_fill = indicator._dot.itemcget(indicator._oval, "fill")
    assert dot_fill == CONNECTION_COLOURS[status]


def test_connection_colours_are_green_grey_orange():
    def rgb(colour):
        return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    r, g, b = rgb(CONNECTION_COLOURS["connected"])
    assert g > r and g > b                      # green
    r, g, b = rgb(CONNECTION_COLOURS["off"])
    assert max(r, g, b) - min(r, g, b) < 20      # grey
    r, g, b = rgb(CONNECTION_COLOURS["failing"])
    assert r > g > b                             # orange
    r, g, b = rgb(STATE_COLOURS["active"])
    assert b > r and b > g                       # blue
    r, g, b = rgb(STATE_COLOURS["held"])
    assert r > g and r > b                       # red


def test_connect_disconnect_buttons_and_shortcuts(make_ui, services, root):
    ui = make_ui(services)
    ui.window.connect_button.invoke()
    ui.ui_event(ConnectionStateChanged("connected"))
    ui.window.disconnect_button.invoke()
    assert str(ui.window.connect_button.cget("state")) == "disabled"
    root.focus_force()
    root.update()
    root.event_generate("<Control-k>")
    root.event_generate("<Control-d>")
    root.update()
    assert services.actions == [("connect",), ("disconnect",), ("connect",), ("disconnect",)]


def test_call_waiting_rows_colours_and_counters(make_ui, services):
    clock = Clock()
    ui = make_ui(services, clock=clock)
    first = ringing("L1", "+7 495 765 4321", at=clock.now)
    ui.ui_event(first)
    clock.now += timedelta(seconds=3)
    ui.ui_event(LegAnswered("L1", first.call_id, "201", clock.now))
    clock.now += timedelta(seconds=20)
    second = ringing("L2", "2101234567", at=clock.now)
    ui.ui_event(second)
    ui.ui_event(LegHeld("L1", first.call_id, "201", clock.now))
    clock.now += timedelta(seconds=4)
    ui.ui_event(LegAnswered("L2", second.call_id, "201", clock.now))
    ui.refresh_counters()
    rows = {row["leg_id"]: row for row in ui.window.calls.rows()}
    assert set(rows) == {"L1", "L2"}
    assert rows["L1"]["tags"] == ("held",) and rows["L1"]["state"] == "On hold"
    assert rows["L2"]["tags"] == ("active",) and rows["L2"]["state"] == "Active"
    tree = ui.window.calls.tree
    assert str(tree.tag_configure("held", "foreground")) == STATE_COLOURS["held"]
    assert str(tree.tag_configure("active", "foreground")) == STATE_COLOURS["active"]
    assert rows["L1"]["name"] == "Анна Смирнова"
    assert rows["L1"]["duration"] == "0:24" and rows["L2"]["duration"] == "0:00"
    clock.now += timedelta(seconds=61)
    ui.refresh_counters()
    rows = {row["leg_id"]: row for row in ui.window.calls.rows()}
    assert rows["L1"]["duration"] == "1:25" and rows["L2"]["duration"] == "1:01"
    # Swap: the held one resumes, the other goes on hold.
    ui.ui_event(LegHeld("L2", second.call_id, "201", clock.now))
    ui.ui_event(LegResumed("L1", first.call_id, "201", clock.now))
    rows = {row["leg_id"]: row for row in ui.window.calls.rows()}
    assert rows["L1"]["tags"] == ("active",) and rows["L2"]["tags"] == ("held",)
    assert ui.window.count_label.cget("text") == "2 calls"


def test_many_calls_are_all_listed(make_ui, services):
    ui = make_ui(services)
    for i in range(25):
        ui.ui_event(ringing(f"L{i}", f"21000000{i:02d}"))
    assert len(ui.window.calls.rows()) == 25


def test_ringing_row_orange_then_removed_when_ended(make_ui, services):
    ui = make_ui(services)
    event = ringing("L1", "2101234567")
    ui.ui_event(event)
    row = ui.window.calls.rows()[0]
    assert row["tags"] == ("ringing",) and row["direction"] == "↙"
    ui.window.calls.tree.selection_set("L1")
    ui.window.hangup_button.invoke()
    assert ("hangup", "L1") in services.actions
    ui.ui_event(LegEnded("L1", event.call_id, "201", datetime.now(timezone.utc), "missed"))
    assert ui.window.calls.rows() == []
    assert str(ui.window.hangup_button.cget("state")) == "disabled"


def test_new_and_missed_call_notifications(make_ui, services, root):
    sent = []
    ui = make_ui(services, notify_backend=lambda **kw: sent.append(kw))
    event = ringing("L1", "2101234567", line="2101234500")
    ui.ui_event(event)
    ui.ui_event(LegEnded("L1", event.call_id, "201", datetime.now(timezone.utc), "missed"))
    from tests.gui.conftest import wait_until
    assert wait_until(root, lambda: len(sent) == 2, pump=ui.pump)
    assert "Γιώργος Παπαδόπουλος" in sent[0]["title"]
    assert sent[1]["title"] == "Missed call" and "2101234567" in sent[1]["message"]
    assert all(kw["timeout"] == services.notify_seconds for kw in sent)


def test_demo_badge_title_store_problems_and_phone_state(make_ui, root):
    services = FakeServices(is_demo=True, problems=["contacts.json: not JSON, moved to quarantine"])
    ui = make_ui(services)
    assert "DEMO" in root.title()
    assert ui.window.demo_badge.winfo_manager() == "pack"
    assert "contacts.json: not JSON" in ui.window.banner_label.cget("text")
    assert ui.window.banner.winfo_manager() == "pack"
    ui.ui_event(ExtensionStateChanged("201", "busy"))
    ui.ui_event(ExtensionStateChanged("202", "offline"))
    assert "phone busy" in ui.window.extension_label.cget("text")
    event = ringing("L1", "2101234567")
    ui.ui_event(event)
    assert ui.popups["L1"].caller_title.startswith("[DEMO]")


def test_not_demo_has_no_badge(make_ui, services, root):
    make_ui(services)
    assert "DEMO" not in root.title()
