"""The dial pad against the real test PBX (OUT-1, OUT-2, OUT-4, OUT-5): one complete
operator application (build_app WINDOW, OperatorUi from ui_ports_for) for extension 205.
Ctrl+N opens the pad, a typed number and Enter ring 205 first, then the number with the
outgoing prefix; Ctrl+1 dials the group's speed-dial entry; quick connect rings the other
extension first and bridges it to the outside number. Keys are real X key events."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from callcore.records import Contact, Phone
from tests.e2e.operator_station import operator_station, station_settings
from tests.gui.conftest import display, root, wait_until  # noqa: F401  (fixtures)
from tests.pbx import plan

pytestmark = pytest.mark.pbx
EXT = "205"
NAME = "Τράπεζα Πειραιώς — γραμμή πελατών"


def xdotool(*args: str) -> None:
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed")
    subprocess.run(["xdotool", *args], check=True)


@pytest.fixture
def station(pbx, ami, root, tmp_path):
    def prepare(app):
        app.store.contacts.put(Contact(name=NAME, type="supplier", phones=[Phone(plan.TRUNK_ANSWERS, "work")]))
    with operator_station(station_settings(tmp_path, "ws-205", EXT), root, ami, prepare,
                          hang_up_prefixes=(f"PJSIP/{EXT}-", "PJSIP/202-"), only_dialled=True,
                          geometry="860x420+0+0") as made:
        yield made


def ring_then_number(ami, since, first_channel: str, number: str) -> dict:
    """The first phone's channel, then the trunk dialled with the prefix, same call."""
    first = ami.wait_event("Newchannel", since=since, timeout=15, Channel=f"PJSIP/{first_channel}-*")
    dialled = ami.wait_event("DialBegin", since=since, timeout=20, Linkedid=first["Linkedid"])
    assert dialled.get("DialString", "").startswith(number + "@trunk-out")
    assert any(m.get("Exten") == plan.OUTGOING_PREFIX + number
               for m in ami.events(since, Linkedid=first["Linkedid"]))
    return first


def accepted(root, pad) -> None:
    """Run the Tk loop until the key was handled and the PBX accepted the Originate (the
    pad says so in green); the AMI waits below do not run the Tk loop."""
    assert wait_until(root, lambda: pad._message_colour == "#1fa463", timeout=10), pad.message_text


def wait_free(ami, extension: str) -> None:
    """The phone is idle again (the last call's BYE done; other test sessions share the
    PBX), so the next Originate gets a channel."""
    import time
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        reply = ami.action("ExtensionState", {"Exten": extension, "Context": "internal"})
        if str(reply.get("Status")) == "0":
            return
        time.sleep(0.2)
    raise AssertionError(f"extension {extension} never became free")


def hang_up(ami, since, first: dict) -> None:
    ami.action("Hangup", {"Channel": first["Channel"]})
    ami.wait_event("Hangup", since=since, timeout=15, Channel=first["Channel"])
    wait_free(ami, EXT)


def test_typed_number_enter_rings_my_phone_then_the_number_with_prefix(station, ami, root):
    ui, app = station
    root.focus_force()
    assert wait_until(root, lambda: root.focus_get() is not None)
    xdotool("key", "ctrl+n")
    assert wait_until(root, lambda: ui.dialling.dial_pad is not None)
    pad = ui.dialling.dial_pad
    assert wait_until(root, lambda: root.focus_get() is pad.number_entry)
    xdotool("type", "--delay", "20", plan.TRUNK_ANSWERS)
    assert wait_until(root, lambda: pad.number == plan.TRUNK_ANSWERS)
    wait_free(ami, EXT)
    since = ami.mark()
    xdotool("key", "Return")
    accepted(root, pad)
    first = ring_then_number(ami, since, EXT, plan.TRUNK_ANSWERS)
    # OUT-3: the outgoing call's popup names the contact of the number dialled
    assert wait_until(root, lambda: any(NAME in p.caller_title for p in ui.popups.values()), timeout=20)
    hang_up(ami, since, first)

    since = ami.mark()
    pad.number_entry.focus_force()
    assert wait_until(root, lambda: root.focus_get() is pad.number_entry)
    pad.show_message("")
    xdotool("key", "ctrl+r")                                     # redial
    accepted(root, pad)
    first = ring_then_number(ami, since, EXT, plan.TRUNK_ANSWERS)
    hang_up(ami, since, first)


def test_speed_dial_and_quick_connect(station, ami, root):
    ui, app = station
    app.speed_dial.set_entry(1, NAME, plan.TRUNK_ANSWERS)
    pad = ui.dialling.open_dial_pad()
    assert wait_until(root, lambda: root.focus_get() is pad.number_entry)
    assert str(pad.speed_buttons[0].cget("text")).startswith("1 · Τράπεζα")
    wait_free(ami, EXT)
    since = ami.mark()
    xdotool("key", "ctrl+1")
    accepted(root, pad)
    first = ring_then_number(ami, since, EXT, plan.TRUNK_ANSWERS)
    hang_up(ami, since, first)

    wait_free(ami, "202")
    since = ami.mark()
    pad.outside_var.set(plan.TRUNK_ANSWERS)
    pad.extension_var.set("202")
    pad.extension_entry.focus_force()
    assert wait_until(root, lambda: root.focus_get() is pad.extension_entry)
    xdotool("key", "Return")
    accepted(root, pad)
    first = ring_then_number(ami, since, "202", plan.TRUNK_ANSWERS)   # 202 rings first (OUT-4)
    hang_up(ami, since, first)


def test_letters_never_reach_the_pbx(station, ami, root):
    ui, _app = station
    pad = ui.dialling.open_dial_pad()
    wait_free(ami, EXT)
    since = ami.mark()
    pad.number_var.set("69O0 CALL")
    pad.call_button.invoke()
    assert "letters" in pad.message_text
    # a barrier: the next dial goes over the same AMI connection after the refused one
    pad.number_var.set(plan.TRUNK_ANSWERS)
    pad.call_button.invoke()
    accepted(root, pad)
    first = ring_then_number(ami, since, EXT, plan.TRUNK_ANSWERS)
    hang_up(ami, since, first)
    originated = {m["Linkedid"] for m in ami.events(since, "Newchannel", Channel=f"PJSIP/{EXT}-*")}
    assert originated == {first["Linkedid"]}
