"""Campaigns against the real test PBX (CAMP-3): the whole window (build_app WINDOW,
ui_ports_for, OperatorUi) for extension 205 works a campaign from the Campaigns window.
The preview dialler dials after its countdown — the operator's phone first, then the
entry's number with the outgoing prefix — and the call is logged with the campaign entry
(``campaign_item_id``, carried by the Originate's CAMPAIGN_ITEM variable); a busy outcome
makes the entry wait for its retry."""
from __future__ import annotations

import time

import pytest

from callcore.records import Campaign
from tests.e2e.operator_station import operator_station, station_settings
from tests.gui.conftest import wait_until
from tests.gui.schedule_fixtures import shot
from tests.pbx import plan

pytestmark = pytest.mark.pbx
EXT = "205"


def wait_free(ami, extension: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if str(ami.action("ExtensionState", {"Exten": extension, "Context": "internal"}).get("Status")) == "0":
            return
        time.sleep(0.2)
    raise AssertionError(f"extension {extension} never became free")


@pytest.fixture
def station(pbx, ami, root, tmp_path):
    settings = station_settings(tmp_path, "ws-camp", EXT, campaign={"countdown_seconds": 3},
                                store={"sync_interval": 0.25})
    with operator_station(settings, root, ami, hang_up_prefixes=(f"PJSIP/{EXT}-",)) as made:
        yield made


def logged(app, entry_id: str) -> list:
    return [c for c in app.store.calls.since() if c.campaign_item_id == entry_id]


def test_preview_dials_after_countdown_logs_campaign_item_and_busy_waits_for_retry(station, ami, root):
    ui, app = station
    c = app.campaigns.save_campaign(Campaign(code="PBX spring", script="Καλημέρα!", retry_minutes=45))
    app.campaigns.add_entries(c.id, [{"name": "Answers", "number": plan.TRUNK_ANSWERS},
                                     {"name": "Busy line", "number": plan.TRUNK_BUSY}])
    window = ui.campaigns.show()
    window.refresh_list()
    window.select(c.id)
    window.tabs.select(window.work)
    wait_free(ami, EXT)
    since = ami.mark()
    window.work.start_button.invoke()
    assert wait_until(root, lambda: window.work.countdown.cget("text").startswith("Dialling in"), pump=ui.pump)
    window.lift()
    shot(window, "campaign-pbx-countdown")
    # the countdown still running at 1 s: nothing was dialled yet (the label is the barrier)
    assert wait_until(root, lambda: window.work.countdown.cget("text") == "Dialling in 1 s", timeout=10, pump=ui.pump)
    assert not [m for m in ami.events(since, "Newchannel") if m.get("Channel", "").startswith(f"PJSIP/{EXT}-")]
    first = ami.wait_event("Newchannel", since=since, timeout=20, Channel=f"PJSIP/{EXT}-*")
    dialled = ami.wait_event("DialBegin", since=since, timeout=20, Linkedid=first["Linkedid"])
    assert dialled.get("DialString", "").startswith(plan.TRUNK_ANSWERS + "@trunk-out")
    entry = app.campaigns.state().entry
    assert entry.number == plan.TRUNK_ANSWERS
    ami.wait_event("BridgeEnter", since=since, timeout=20, Linkedid=first["Linkedid"])
    ami.action("Hangup", {"Channel": first["Channel"]})
    assert wait_until(root, lambda: logged(app, entry.id), timeout=20, pump=ui.pump)
    call = logged(app, entry.id)[0]
    assert (call.direction, call.extension, call.linkedid) == ("out", EXT, first["Linkedid"])
    assert wait_until(root, lambda: app.campaigns.state().call_id == call.id, pump=ui.pump)
    window.work.outcome_var.set("interested")
    window.work.save_button.invoke()
    assert app.campaigns.book.history(c.id, entry.id)[0].call_id == call.id

    # the next entry: the countdown again, then a busy line
    wait_free(ami, EXT)
    since = ami.mark()
    assert wait_until(root, lambda: window.work.name.cget("text") == "Busy line", pump=ui.pump)
    first = ami.wait_event("Newchannel", since=since, timeout=20, Channel=f"PJSIP/{EXT}-*")
    busy_entry = app.campaigns.state().entry
    assert wait_until(root, lambda: logged(app, busy_entry.id), timeout=30, pump=ui.pump)
    busy_call = logged(app, busy_entry.id)[0]
    assert (busy_call.status, busy_call.direction) == ("busy", "out"), busy_call
    window.work.outcome_var.set("busy")
    window.work.save_button.invoke()
    out = app.campaigns.book.history(c.id, busy_entry.id)[0]
    assert out.retry_at is not None and app.campaigns.book.state_of(c.id, busy_entry.id).state == "unanswered"
    assert wait_until(root, lambda: window.work.phase.cget("text").startswith("End of the list"), pump=ui.pump)
    assert "1 waiting for a retry" in window.work.phase.cget("text")
    for popup in list(ui.popups.values()):
        popup.close()                      # the calls' popups, so the screenshot shows the window
    window.lift()
    shot(window, "campaign-pbx-end")
