"""The transfer dialog (XFER-1..3, POP-7) under Xvfb with a fake TransferPort: its title,
where the keyboard is, what Enter / Ctrl+Enter / Esc do, the live colour-coded list, and a
refusal shown in the dialog while the call goes on. Keys are real X key events (xdotool),
so the test sees what an operator's keyboard does."""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

import pytest

from callcore.app.hub import EventHub
from callcore.app.presence import matching
from callcore.events import (ConnectionStateChanged, ExtensionStateChanged, LegAnswered, LegEnded,
                             LegHeld, LegResumed, TransferNoteReceived, TransferOutcome)
from tests.gui.conftest import wait_until
from tests.gui.fakes import FakeServices, ringing, sample_contacts
from ui.ports import UiPorts
from ui.transfer_dialog import PRESENCE_COLOURS, TransferDialog


def xdotool(*args: str) -> None:
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed")
    subprocess.run(["xdotool", *args], check=True)


@dataclass(frozen=True)
class Row:
    extension: str
    name: str
    state: str


class FakePbxSide:
    """TransferPort + PresencePort + DialPort: records what the UI asked."""

    def __init__(self):
        self.states = {"201": "busy", "202": "free", "203": "ringing", "204": "busy",
                       "207": "paused", "209": "offline"}
        self.names = {"202": "Μαρία Παπαδάκη", "203": "Петра Новакова", "207": "Jiří Dvořák"}
        self.asked: list[tuple] = []
        self.dialled: list[str] = []

    def entries(self, query: str = ""):
        rows = [Row(e, self.names.get(e, ""), s) for e, s in sorted(self.states.items())]
        return matching(rows, query) if query.strip() else rows

    def _ask(self, *call) -> str:
        self.asked.append(call)
        return f"req-{len(self.asked)}"

    def blind_transfer(self, leg_id, target, note="", *, call_id="", number=""):
        return self._ask("blind", leg_id, target, note, call_id, number)

    def attended_transfer(self, leg_id, target, note="", *, call_id="", number=""):
        return self._ask("attended", leg_id, target, note, call_id, number)

    def complete_transfer(self, leg_id):
        return self._ask("complete", leg_id)

    def cancel_transfer(self, leg_id):
        return self._ask("cancel", leg_id)

    def dial(self, number):
        self.dialled.append(number)


@pytest.fixture
def pbx_side():
    return FakePbxSide()


@pytest.fixture
def hub():
    return EventHub()


@pytest.fixture
def dialog(root, pbx_side, hub):
    made = TransferDialog(root, leg_id="leg-1", call_id="call-1", number="6945123456",
                          name="Γιώργος Μανουσάκης", transfer=pbx_side, presence=pbx_side,
                          subscribe=lambda kind, handler: hub.subscribe(kind, handler))
    made.geometry("+40+40")
    assert wait_until(root, lambda: root.focus_get() is made.target_entry)
    yield made
    made.close()


def answer(hub, pbx_side, ok, message="", index=-1):
    action, leg_id = pbx_side.asked[index][:2]
    hub.publish(TransferOutcome(f"req-{len(pbx_side.asked) if index == -1 else index + 1}",
                                action, ok, message, leg_id))


def test_title_focus_order_and_shortcuts_shown(dialog, root):
    assert dialog.title() == "Transfer — 6945123456"
    assert root.focus_get() is dialog.target_entry            # first field has the keyboard
    xdotool("key", "Tab")
    assert wait_until(root, lambda: root.focus_get() is dialog.note_entry)
    texts = [str(b.cget("text")) for b in (dialog.blind_button, dialog.attended_button,
                                            dialog.cancel_button)]
    assert texts == ["Transfer (Enter)", "Ask first (Ctrl+Enter)", "Cancel (Esc)"]
    assert "Enter" in dialog.help_label.cget("text") and "Esc" in dialog.help_label.cget("text")


def test_enter_transfers_blind_with_the_note_and_success_closes(dialog, root, pbx_side, hub):
    xdotool("type", "--delay", "20", "202")
    assert wait_until(root, lambda: dialog.target_var.get() == "202")
    assert [r["extension"] for r in dialog.rows()] == ["202"]
    xdotool("key", "Tab")
    assert wait_until(root, lambda: root.focus_get() is dialog.note_entry)
    dialog.note_entry.insert(0, "θέλει προσφορά για 20 τεμάχια")
    xdotool("key", "Return")
    assert wait_until(root, lambda: pbx_side.asked)
    assert pbx_side.asked == [("blind", "leg-1", "202", "θέλει προσφορά για 20 τεμάχια",
                               "call-1", "6945123456")]
    assert not dialog.closed and str(dialog.blind_button.cget("state")) == "disabled"
    answer(hub, pbx_side, True, "Transferred to 202")
    assert wait_until(root, lambda: dialog.closed)


def test_search_by_name_and_arrow_keys_pick_the_target(dialog, root, pbx_side):
    dialog.target_entry.insert(0, "петра")                     # a name, any case
    root.update()
    assert [r["extension"] for r in dialog.rows()] == ["203"]
    assert dialog.target() == "203"
    dialog.target_var.set("")
    root.update()
    assert len(dialog.rows()) == 6                              # every extension again
    xdotool("key", "Down")
    xdotool("key", "Down")
    assert wait_until(root, lambda: dialog.target() == "202")
    assert dialog.preview_label.cget("text") == "→ 202 · Μαρία Παπαδάκη · free"


def test_live_state_colours_follow_the_pbx(dialog, root, pbx_side, hub):
    colours = {r["extension"]: (r["state"], r["colour"]) for r in dialog.rows()}
    assert colours["202"] == ("free", PRESENCE_COLOURS["free"])
    assert colours["203"] == ("ringing", PRESENCE_COLOURS["ringing"])
    assert colours["204"] == ("busy", PRESENCE_COLOURS["busy"])
    assert colours["207"] == ("paused", PRESENCE_COLOURS["paused"])
    assert colours["209"] == ("offline", PRESENCE_COLOURS["offline"])
    assert len({c for _s, c in colours.values()}) == 5          # five states, five colours
    pbx_side.states["202"] = "busy"                             # Maria picked up a call
    hub.publish(ExtensionStateChanged("202", "busy"))
    assert wait_until(root, lambda: {r["extension"]: r["state"] for r in dialog.rows()}["202"] == "busy")
    pbx_side.states = {e: "unknown" for e in pbx_side.states}
    hub.publish(ConnectionStateChanged("failing", "cut"))
    assert wait_until(root, lambda: {r["state"] for r in dialog.rows()} == {"unknown"})


def test_a_refusal_is_shown_and_the_dialog_stays(dialog, root, pbx_side, hub):
    dialog.target_entry.insert(0, "209")
    xdotool("key", "Return")
    assert wait_until(root, lambda: pbx_side.asked)
    answer(hub, pbx_side, False, "Extension 209 is offline (its phone is not connected)")
    assert wait_until(root, lambda: dialog.error_text)
    assert dialog.error_text == "Extension 209 is offline (its phone is not connected)"
    assert not dialog.closed and dialog.winfo_viewable()
    assert str(dialog.blind_button.cget("state")) == "normal"  # can try another colleague
    dialog.target_var.set("202")
    root.update()
    assert dialog.error_text == ""                              # typing clears the sentence
    dialog.target_entry.focus_force()
    xdotool("key", "Return")
    assert wait_until(root, lambda: len(pbx_side.asked) == 2)
    answer(hub, pbx_side, False, "Not connected to the PBX")
    assert wait_until(root, lambda: dialog.error_text == "Not connected to the PBX")
    assert not dialog.closed


def test_ctrl_enter_asks_first_then_enter_completes(dialog, root, pbx_side, hub):
    dialog.target_entry.insert(0, "202")
    xdotool("key", "ctrl+Return")
    assert wait_until(root, lambda: pbx_side.asked)
    assert pbx_side.asked[0][:3] == ("attended", "leg-1", "202")
    answer(hub, pbx_side, True, "Calling 202; the caller is waiting")
    assert wait_until(root, lambda: dialog.stage == "consult")
    assert dialog.complete_button.winfo_ismapped() and dialog.back_button.winfo_ismapped()
    assert not dialog.blind_button.winfo_ismapped()
    assert str(dialog.complete_button.cget("text")) == "Complete transfer (Enter)"
    assert str(dialog.back_button.cget("text")) == "Return to caller (Esc)"
    assert dialog.status_label.cget("text") == "Calling 202; the caller is waiting"
    xdotool("key", "Return")
    assert wait_until(root, lambda: len(pbx_side.asked) == 2)
    assert pbx_side.asked[1] == ("complete", "leg-1")
    answer(hub, pbx_side, True, "")
    assert wait_until(root, lambda: dialog.closed)


def test_esc_while_asking_returns_to_the_caller(dialog, root, pbx_side, hub):
    dialog.target_entry.insert(0, "203")
    xdotool("key", "ctrl+Return")
    assert wait_until(root, lambda: pbx_side.asked)
    answer(hub, pbx_side, True, "Calling 203; the caller is waiting")
    assert wait_until(root, lambda: dialog.stage == "consult")
    xdotool("key", "Escape")
    assert wait_until(root, lambda: len(pbx_side.asked) == 2)
    assert pbx_side.asked[1] == ("cancel", "leg-1")
    answer(hub, pbx_side, True, "Transfer cancelled: back to the caller")
    assert wait_until(root, lambda: dialog.closed)


def test_enter_on_the_cancel_button_cancels(dialog, root, pbx_side):
    dialog.target_entry.insert(0, "202")
    dialog.cancel_button.focus_force()
    assert wait_until(root, lambda: root.focus_get() is dialog.cancel_button)
    xdotool("key", "Return")
    assert wait_until(root, lambda: dialog.closed)
    assert pbx_side.asked == []


def test_esc_cancels_without_transferring(dialog, root, pbx_side):
    dialog.target_entry.insert(0, "202")
    xdotool("key", "Escape")
    assert wait_until(root, lambda: dialog.closed)
    assert pbx_side.asked == []


def test_an_answer_before_the_port_returned_is_not_lost(root, hub):
    """The fake PBX answers inside the call (a refusal decided before any AMI traffic)."""
    class Instant(FakePbxSide):
        def blind_transfer(self, leg_id, target, note="", **kw):
            request = self._ask("blind", leg_id, target)
            hub.publish(TransferOutcome(request, "blind", False, "Extension 299 does not exist", leg_id))
            return request
    side = Instant()
    made = TransferDialog(root, leg_id="leg-7", call_id="c", number="2101234567", transfer=side,
                          presence=side, subscribe=lambda k, h: hub.subscribe(k, h))
    try:
        made.target_var.set("299")
        made.blind()
        assert made.error_text == "Extension 299 does not exist" and not made.closed
    finally:
        made.close()


# -- from the popup and the main window ---------------------------------------------------
@pytest.fixture
def operator(make_ui, pbx_side, hub):
    services = FakeServices(contacts=sample_contacts())
    ports = UiPorts.of(services, events=hub)
    ports = UiPorts(station=ports.station, connection=services, calls=services,
                    directory=services, settings=services, status=services, events=hub,
                    transfer=pbx_side, presence=pbx_side, dial=pbx_side)
    ui = make_ui(ports)
    ui.start()
    return ui, services


def test_popup_transfer_button_ctrl_t_and_main_window_ctrl_t(operator, root, pbx_side):
    ui, services = operator
    ui.ui_event(ringing("L1", "2101234567"))
    popup = ui.popups["L1"]
    popup.notes.insert("1.0", "Ρώτησε για την παράδοση")
    popup.transfer_button.invoke()
    dialog = ui.transfer_dialogs["L1"]
    assert dialog.title() == "Transfer — 2101234567"
    assert services.notes[popup.leg.call_id] == "Ρώτησε για την παράδοση"   # saved before sending
    dialog.close()
    popup.focus_notes()
    assert wait_until(root, lambda: root.focus_get() is popup.notes)
    xdotool("key", "ctrl+t")                                     # from the popup
    assert wait_until(root, lambda: "L1" in ui.transfer_dialogs)
    assert wait_until(root, lambda: root.focus_get() is ui.transfer_dialogs["L1"].target_entry)
    assert popup.notes_text == "Ρώτησε για την παράδοση"         # Ctrl+T swapped no letters
    ui.transfer_dialogs["L1"].close()
    ui.ui_event(ringing("L2", "+7 495 765 4321"))
    ui.window.calls.tree.selection_set("L2")
    root.focus_force()
    assert wait_until(root, lambda: root.focus_get() is root)
    xdotool("key", "ctrl+t")                                     # from the calls table
    assert wait_until(root, lambda: "L2" in ui.transfer_dialogs)
    assert ui.transfer_dialogs["L2"].title() == "Transfer — +7 495 765 4321"
    labels = [i["label"] for i in ui.window.menu_items("calls")]
    assert "Transfer the selected call…" in labels


def test_popup_call_back_and_held_indicator(operator, root, pbx_side):
    ui, _services = operator
    event = ringing("L1", "2101234567")
    ui.ui_event(event)
    popup = ui.popups["L1"]
    assert popup.held_text == ""                                 # ringing: nothing to hold
    popup.call_back_button.invoke()
    assert pbx_side.dialled == ["2101234567"]
    ui.ui_event(LegAnswered("L1", event.call_id, "201", event.at))
    assert popup.held_text == "Hold: on the phone"
    ui.ui_event(LegHeld("L1", event.call_id, "201", event.at))
    assert popup.held_text == "On hold — resume on the phone"
    ui.ui_event(LegResumed("L1", event.call_id, "201", event.at))
    assert popup.held_text == "Hold: on the phone"


def test_receiving_popup_shows_who_the_note_the_call_notes_and_the_caller(operator, root):
    ui, _services = operator
    event = ringing("L9", "2101234567", transferred_by="202", linkedid="xfer-9")
    ui.ui_event(TransferNoteReceived(event.call_id, "202", "201", "θέλει προσφορά για 20 τεμάχια",
                                     kind="blind", from_user="Μαρία",
                                     call_notes="Ήρθε χθες στο κατάστημα",
                                     contact_name="Γιώργος Μανουσάκης"))
    ui.ui_event(event)
    popup = ui.popups["L9"]
    lines = popup.transfer_text.splitlines()
    assert lines[0] == "from 202 — Μαρία: θέλει προσφορά για 20 τεμάχια"
    assert "Caller: Γιώργος Μανουσάκης" in lines
    assert "Call notes so far: Ήρθε χθες στο κατάστημα" in lines


def test_dialog_outlives_its_popup_and_ends_with_the_window(operator, root, hub, pbx_side):
    ui, _services = operator
    ui.ui_event(ringing("L1", "2101234567"))
    popup = ui.popups["L1"]
    dialog = ui.open_transfer("L1")
    assert hub.has_subscribers(TransferOutcome)
    popup.close()                                   # the operator closed the popup (Esc)
    root.update()
    assert not dialog.closed and dialog.winfo_exists()
    dialog.target_var.set("202")
    dialog.blind()
    assert pbx_side.asked[-1][:3] == ("blind", "L1", "202")
    ui.close()                                      # quitting closes it, subscriptions end
    assert dialog.closed and not hub.has_subscribers(TransferOutcome)
    assert not hub.has_subscribers(ExtensionStateChanged)


def test_a_dialog_destroyed_from_outside_unsubscribes(root, hub):
    side = FakePbxSide()
    made = TransferDialog(root, leg_id="leg-8", call_id="c", number="1", transfer=side,
                          presence=side, subscribe=lambda k, h: hub.subscribe(k, h))
    made.destroy()
    root.update()
    assert made.closed and not hub.has_subscribers(TransferOutcome)


def test_notes_typed_while_the_dialog_is_open_travel_with_the_call(operator, root, pbx_side):
    ui, services = operator
    ui.ui_event(ringing("L1", "2101234567"))
    popup = ui.popups["L1"]
    dialog = ui.open_transfer("L1")
    popup.notes.insert("1.0", "Θα ξαναπάρει αύριο")          # not saved yet (debounced)
    saved_when_sent = []
    send = pbx_side.blind_transfer

    def watching(*args, **kwargs):
        saved_when_sent.append(services.notes.get(popup.leg.call_id))
        return send(*args, **kwargs)
    pbx_side.blind_transfer = watching
    dialog.target_var.set("202")
    dialog.blind()
    assert saved_when_sent == ["Θα ξαναπάρει αύριο"]


def test_the_caller_hangs_up_while_the_dialog_is_open(dialog, root, pbx_side, hub):
    from datetime import datetime, timezone
    hub.publish(LegEnded("leg-other", "c", "201", datetime.now(timezone.utc), "answered"))
    assert dialog.error_text == ""                                 # another call: nothing
    hub.publish(LegEnded("leg-1", "call-1", "201", datetime.now(timezone.utc), "answered"))
    assert dialog.error_text.startswith("The call has ended")
    assert str(dialog.blind_button.cget("state")) == "disabled"
    dialog.target_entry.insert(0, "202")
    xdotool("key", "Return")
    root.update()
    assert dialog.error_text.startswith("The call has ended") and not dialog.closed
    xdotool("key", "Escape")
    assert wait_until(root, lambda: dialog.closed)
    assert pbx_side.asked == []
