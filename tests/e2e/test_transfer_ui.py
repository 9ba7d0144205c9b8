"""Two operator windows against the real test PBX (XFER-1..4): 201's operator opens the
transfer dialog from the popup, picks 202, types a Greek note and presses Enter; 202's
popup has the note (who, note, call notes so far, caller) the moment it opens while its
phone rings; both call records are right. Two complete applications (build_app WINDOW,
OperatorUi from ui_ports_for) in one process, each with its own store; keys are real X key
events (xdotool). Screenshots of the dialog and the receiving popup go to
$SCREENSHOT_DIR (default: the test's tmp folder)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from callcore.app import AppMode, build_app
from callcore.events import TransferNoteReceived
from callcore.records import Contact, Phone, User, call_id_for
from callcore.settings import settings_from_dict
from tests.gui.conftest import display, root, wait_until  # noqa: F401  (fixtures)
from tests.pbx import plan, scenarios

pytestmark = pytest.mark.pbx

NOTE = "Θέλει προσφορά για 20 τεμάχια — καλέστε τον πριν τις 5"
CALL_NOTES = "Πελάτης από Ηράκλειο, ρωτά για παράδοση"
CALLER = "Μανουσάκης Γιώργος"


def xdotool(*args: str) -> None:
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed")
    subprocess.run(["xdotool", *args], check=True)


def grab(window, path: Path) -> None:
    if shutil.which("import") is None:
        return
    window.lift()
    window.update()
    subprocess.run(["import", "-window", window.wm_frame(), str(path)], check=True)


def station(tmp_path: Path, extension: str, user: str):
    (tmp_path / extension / "shared").mkdir(parents=True)
    settings = settings_from_dict({
        "ami": {"host": plan.AMI_HOST, "port": plan.AMI_PORT, "username": plan.AMI_USER,
                "secret": plan.AMI_SECRET},
        "station": {"id": f"ws-{extension}", "extension": extension, "user": user,
                    "context": "internal"},
        "dial": {"outgoing_prefix": plan.OUTGOING_PREFIX},
        "store": {"shared_folder": str(tmp_path / extension / "shared"),
                  "local_folder": str(tmp_path / extension / "local")},
    })
    app = build_app(settings, AppMode.WINDOW)
    app.store.contacts.put(Contact(name=CALLER, type="customer",
                                   phones=[Phone("+30 " + scenarios.GREEK[0], "mobile")]))
    return app


@pytest.fixture
def two_stations(pbx, root, tmp_path):
    import ttkbootstrap as ttk
    from operator_app import ui_ports_for
    from ui.app import OperatorUi
    first, second = station(tmp_path, "201", "Άννα Οπερατέρ"), station(tmp_path, "202", "Μαρία")
    first.store.users.put(User(name="Μαρία Παπαδάκη", extension="202"))
    second_root = ttk.Toplevel(root)
    second_root.geometry("860x420+0+470")
    root.geometry("860x420+0+0")
    ui_first = OperatorUi(ui_ports_for(first), root=root, notify_backend=None)
    ui_second = OperatorUi(ui_ports_for(second), root=second_root, notify_backend=None)
    for ui, app in ((ui_first, first), (ui_second, second)):
        ui.start()
        app.start()
    for app in (first, second):
        assert wait_until(root, lambda: app.connection.status == "connected", timeout=20)
    try:
        yield (ui_first, first), (ui_second, second)
    finally:
        for ui, app in ((ui_first, first), (ui_second, second)):
            ui.close()
            app.close()
        second_root.destroy()


# ExtensionState "Status" → what the dialog shows (busy+ringing counts as busy there)
_PBX_STATES = {"0": "free", "1": "busy", "2": "busy", "4": "offline", "8": "ringing",
               "9": "busy", "16": "busy", "17": "busy"}


def pbx_state(ami, extension: str) -> str:
    reply = ami.action("ExtensionState", {"Exten": extension, "Context": "internal"})
    return _PBX_STATES.get(str(reply.get("Status")), "unknown")


def popup_for(ui, call_id):
    return next((p for p in ui.popups.values() if p.leg.call_id == call_id), None)


def test_blind_transfer_from_the_dialog_note_on_the_ringing_popup_two_records(two_stations, ami, root,
                                                                             tmp_path):
    (ui_a, app_a), (ui_b, app_b) = two_stations
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    # Other test sessions may ring 202 too: follow only this call (its Linkedid).
    notes: list[TransferNoteReceived] = []
    app_b.hub.subscribe(TransferNoteReceived, notes.append)
    opened: dict[str, tuple[str, str]] = {}     # call id → (leg state, transfer text) at opening
    open_popup = ui_b._open_popup

    def watching(leg, matches, **options):
        popup = open_popup(leg, matches, **options)
        opened[leg.call_id] = (leg.state, popup.transfer_text)
        return popup
    ui_b._open_popup = watching

    linkedid = scenarios.outside_call(ami, plan.MAIN_DID, scenarios.GREEK, talk=20)
    call_id = call_id_for(linkedid)
    assert wait_until(root, lambda: popup_for(ui_a, call_id) is not None, timeout=15)
    popup = popup_for(ui_a, call_id)
    leg_id = popup.leg.leg_id
    assert wait_until(root, lambda: ui_a.calls.get(leg_id).state == "active", timeout=15)
    popup.notes.insert("1.0", CALL_NOTES)

    popup.focus_notes()
    assert wait_until(root, lambda: root.focus_get() is popup.notes)
    xdotool("key", "ctrl+t")
    assert wait_until(root, lambda: leg_id in ui_a.transfer_dialogs)
    dialog = ui_a.transfer_dialogs[leg_id]
    assert dialog.title() == "Transfer — " + scenarios.GREEK[0]
    assert wait_until(root, lambda: root.focus_get() is dialog.target_entry)
    # the list shows what the PBX says now (other test sessions may ring 202 too)
    rows = {r["extension"]: r for r in dialog.rows()}
    assert rows["202"]["name"] == "Μαρία Παπαδάκη"
    assert wait_until(root, lambda: all({r["extension"]: r["state"] for r in dialog.rows()}[ext]
                                        == pbx_state(ami, ext) for ext in ("201", "202", "209")))
    assert {r["extension"]: r["state"] for r in dialog.rows()}["209"] == "offline"
    xdotool("type", "--delay", "30", "202")
    assert wait_until(root, lambda: dialog.target_var.get() == "202")
    xdotool("key", "Tab")
    assert wait_until(root, lambda: root.focus_get() is dialog.note_entry)
    dialog.note_entry.insert(0, NOTE)
    root.update()
    dialog.geometry("+20+20")
    grab(dialog, shots / "transfer-dialog.png")
    dialog.note_entry.focus_force()
    xdotool("key", "Return")
    assert wait_until(root, lambda: dialog.closed, timeout=15), dialog.error_text

    # 202's window: the popup opened while 202 rang, with everything the note carries
    assert wait_until(root, lambda: any(n.linkedid == linkedid for n in notes), timeout=15)
    second_call_id = next(n.call_id for n in notes if n.linkedid == linkedid)
    assert wait_until(root, lambda: second_call_id in opened, timeout=15)
    state, text = opened[second_call_id]
    assert state == "ringing"
    lines = text.splitlines()
    assert lines[0] == f"from 201 — Άννα Οπερατέρ: {NOTE}"
    assert f"Caller: {CALLER}" in lines and f"Call notes so far: {CALL_NOTES}" in lines
    received = popup_for(ui_b, second_call_id)
    assert received.caller_title == f"{scenarios.GREEK[0]} — {CALLER}"
    received.geometry("+20+20")
    received.stop_flashing()
    grab(received, shots / "transfer-received.png")

    # both records: the transferring part at 201, the receiving part at 202
    assert wait_until(root, lambda: app_a.store.calls.get(call_id) is not None, timeout=60)
    assert wait_until(root, lambda: app_b.store.calls.get(second_call_id) is not None, timeout=60)
    first_part, second_part = app_a.store.calls.get(call_id), app_b.store.calls.get(second_call_id)
    assert (first_part.status, first_part.extension, first_part.transferred_to,
            first_part.user, first_part.notes) == ("transferred", "201", "202", "Άννα Οπερατέρ", CALL_NOTES)
    assert (second_part.status, second_part.extension, second_part.transferred_from,
            second_part.transfer_note, second_part.user) == ("answered", "202", "201", NOTE, "Μαρία")
    assert (second_part.caller_number, second_part.caller_name) == scenarios.GREEK
    assert second_part.linkedid == first_part.linkedid == linkedid


def open_dialog(ui, root, popup):
    popup.focus_notes()
    assert wait_until(root, lambda: root.focus_get() is popup.notes)
    xdotool("key", "ctrl+t")
    assert wait_until(root, lambda: popup.leg.leg_id in ui.transfer_dialogs)
    dialog = ui.transfer_dialogs[popup.leg.leg_id]
    assert wait_until(root, lambda: root.focus_get() is dialog.target_entry)
    return dialog


def answered_popup(ui, root, call_id):
    assert wait_until(root, lambda: popup_for(ui, call_id) is not None, timeout=15)
    popup = popup_for(ui, call_id)
    assert wait_until(root, lambda: ui.calls.get(popup.leg.leg_id).state == "active", timeout=15)
    return popup


def test_ask_first_then_complete_from_the_dialog(two_stations, ami, root):
    (ui_a, app_a), (_ui_b, app_b) = two_stations
    linkedid = scenarios.outside_call(ami, plan.MAIN_DID, scenarios.CZECH, talk=15)
    call_id = call_id_for(linkedid)
    dialog = open_dialog(ui_a, root, answered_popup(ui_a, root, call_id))
    xdotool("type", "--delay", "30", "202")
    dialog.note_entry.insert(0, NOTE)
    since = ami.mark()
    xdotool("key", "ctrl+Return")
    assert wait_until(root, lambda: dialog.stage == "consult", timeout=15), dialog.error_text
    assert dialog.status_label.cget("text") == "Calling 202; the caller is waiting"
    ami.wait_event("BridgeEnter", since=since, timeout=15, Channel="PJSIP/202-*",
                   Linkedid=linkedid)                          # 202 picked up the consult call
    xdotool("key", "Return")                                   # Complete transfer (Enter)
    assert wait_until(root, lambda: dialog.closed, timeout=15), dialog.error_text
    assert wait_until(root, lambda: app_a.store.calls.get(call_id) is not None, timeout=60)
    first_part = app_a.store.calls.get(call_id)
    assert (first_part.status, first_part.extension, first_part.transferred_to) == ("transferred", "201", "202")
    assert wait_until(root, lambda: any(r.linkedid == linkedid and r.extension == "202"
                                        for r in app_b.store.calls.since()), timeout=60)
    second_part = next(r for r in app_b.store.calls.since() if r.linkedid == linkedid and r.extension == "202")
    assert (second_part.status, second_part.transferred_from, second_part.transfer_note) == \
        ("answered", "201", NOTE)


def test_a_missing_extension_is_said_in_the_dialog_and_the_call_goes_on(two_stations, ami, root):
    (ui_a, app_a), _second = two_stations
    linkedid = scenarios.outside_call(ami, plan.MAIN_DID, scenarios.PERSIAN, talk=6)
    call_id = call_id_for(linkedid)
    popup = answered_popup(ui_a, root, call_id)
    dialog = open_dialog(ui_a, root, popup)
    xdotool("type", "--delay", "30", "299")
    xdotool("key", "Return")
    assert wait_until(root, lambda: dialog.error_text, timeout=15)
    assert dialog.error_text == "Extension 299 does not exist"
    assert not dialog.closed
    assert ui_a.calls.get(popup.leg.leg_id).state == "active"  # still talking
    xdotool("key", "Escape")
    assert wait_until(root, lambda: dialog.closed)
    assert wait_until(root, lambda: app_a.store.calls.get(call_id) is not None, timeout=60)
    record = app_a.store.calls.get(call_id)
    assert (record.status, record.extension, record.transferred_to) == ("answered", "201", "")
