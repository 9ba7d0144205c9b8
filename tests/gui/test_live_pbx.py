"""The real operator window against the real test PBX (issue 3 item 7): the popup opens
while 201 rings, titled with the caller's number and directory name; notes typed and the
popup closed before the call ends are saved with the logged call; Hang up ends a call."""
from __future__ import annotations

import time

import pytest

from callcore.records import Contact, Phone, call_id_for
from callcore.app import AppMode, build_app
from callcore.settings import settings_from_dict
from tests.gui.conftest import wait_until
from tests.pbx import plan, scenarios

pytestmark = pytest.mark.pbx


@pytest.fixture
def live(pbx, root, tmp_path):
    settings = settings_from_dict({
        "ami": {"host": plan.AMI_HOST, "port": plan.AMI_PORT, "username": plan.AMI_USER,
                "secret": plan.AMI_SECRET},
        "station": {"id": "ws-201", "extension": "201", "user": "anna"},
        "dial": {"outgoing_prefix": plan.OUTGOING_PREFIX},
        "store": {"shared_folder": str(tmp_path / "shared"), "local_folder": str(tmp_path / "local")},
        "lines": {plan.MAIN_DID: "Main line — sales"},
    })
    app = build_app(settings, AppMode.WINDOW)
    store = app.store
    store.contacts.put(Contact(name="Μανουσάκης Γιώργος", type="customer",
                               phones=[Phone("+30 " + scenarios.GREEK[0], "mobile")]))
    from operator_app import ui_ports_for
    from ui.app import OperatorUi
    ui = OperatorUi(ui_ports_for(app), root=root, notify_backend=None)
    ui.start()
    app.start()
    assert wait_until(root, lambda: app.connection.status == "connected", timeout=15)
    services = app
    yield ui, services, store
    ui.close()
    app.close()


def popup_for(ui, call_id):
    return next((p for p in ui.popups.values() if p.leg.call_id == call_id), None)


def test_popup_while_ringing_and_notes_saved_with_the_call(live, ami, root):
    ui, services, store = live
    linkedid = scenarios.outside_call(ami, plan.MAIN_DID, scenarios.GREEK, talk=4)
    call_id = call_id_for(linkedid)
    assert wait_until(root, lambda: popup_for(ui, call_id) is not None, timeout=10)
    popup = popup_for(ui, call_id)
    assert popup.title().endswith("6945123456 — Μανουσάκης Γιώργος")
    assert ui.calls.get(popup.leg.leg_id).state == "ringing"
    popup.notes.insert("1.0", "Ζητά προσφορά — перезвонить")
    popup.close()                                   # closed while the call still goes on
    assert wait_until(root, lambda: store.calls.get(call_id) is not None, timeout=30)
    record = store.calls.get(call_id)
    assert record.status == "answered" and record.extension == "201"
    assert record.caller_name == "Μανουσάκης Γιώργος"
    assert record.contact_name == "Μανουσάκης Γιώργος" and record.user == "anna"
    assert record.notes == "Ζητά προσφορά — перезвонить"


def test_hang_up_from_the_window_ends_the_call(live, ami, root):
    ui, services, store = live
    linkedid = scenarios.outside_call(ami, plan.MAIN_DID, scenarios.CYRILLIC, talk=20)
    call_id = call_id_for(linkedid)
    assert wait_until(root, lambda: popup_for(ui, call_id) is not None, timeout=10)
    leg_id = popup_for(ui, call_id).leg.leg_id
    assert wait_until(root, lambda: ui.calls.get(leg_id).state == "active", timeout=10)
    started = time.monotonic()
    ui.hangup(leg_id)
    assert wait_until(root, lambda: store.calls.get(call_id) is not None, timeout=15)
    assert time.monotonic() - started < 15          # long before the caller's 20 s
    record = store.calls.get(call_id)
    assert record.status == "answered" and record.caller_name == "Иван Петров"
    assert record.talk_seconds < 15
