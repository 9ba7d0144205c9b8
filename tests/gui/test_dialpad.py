"""The dial pad (OUT-1, OUT-4, OUT-5) under Xvfb with a fake dialling port: real X key
events (xdotool) for Enter, Esc, Ctrl+R, Ctrl+1…9 and typed letters; what the window shows
and what the port received."""
from __future__ import annotations

import concurrent.futures
import shutil
import subprocess
from dataclasses import dataclass

import pytest

from callcore.ami.commands import CommandResult
from callcore.app.hub import EventHub
from callcore.events import CommandFailed, DialStarted, StoreChanged
from tests.gui.conftest import wait_until
from ui.dialpad import DialPad, clean_pasted


def xdotool(*args: str) -> None:
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed")
    subprocess.run(["xdotool", *args], check=True)


@dataclass(frozen=True)
class Entry:
    slot: int
    name: str = ""
    number: str = ""


class FakeDialling:
    """DialPadPort + SpeedDialPort: records what the window asked; refuses letters like
    the PBX layer (a finished future with ok=False)."""

    def __init__(self):
        self.asked: list[tuple] = []
        self.last_number = ""
        self.slots = {1: Entry(1, "Αποθήκη Θεσσαλονίκης", "+30 2310 555 123"),
                      3: Entry(3, "Петра Новакова", "204")}

    def _answer(self, ok=True, message="Calling…"):
        future = concurrent.futures.Future()
        future.set_result(CommandResult(ok, message))
        return future

    def dial(self, number):
        self.asked.append(("dial", number))
        if any(ch.isalpha() for ch in number):
            return self._answer(False, f"{number} contains letters: only digits can be dialled")
        self.last_number = number
        return concurrent.futures.Future()     # the PBX answers later

    def redial(self):
        self.asked.append(("redial", self.last_number))
        return concurrent.futures.Future()

    def quick_connect(self, outside, extension):
        self.asked.append(("quick_connect", outside, extension))
        return concurrent.futures.Future()

    def entries(self):
        return [self.slots.get(s, Entry(s)) for s in range(1, 10)]

    def set_entry(self, slot, name, number):
        if any(ch.isalpha() for ch in number):
            raise ValueError(f"{number} contains letters")
        self.slots[slot] = Entry(slot, name or number, number)


@pytest.fixture
def port():
    return FakeDialling()


@pytest.fixture
def hub():
    return EventHub()


@pytest.fixture
def picks():
    return []


@pytest.fixture
def pad(root, port, hub, picks):
    made = DialPad(root, dial=port, speed_dial=port, group_name="Πωλήσεις",
                   subscribe=lambda kind, handler: hub.subscribe(kind, handler),
                   on_directory=picks.append)
    made.geometry("+40+40")
    assert wait_until(root, lambda: root.focus_get() is made.number_entry)
    yield made
    made.close()


@pytest.mark.no_display
@pytest.mark.parametrize("pasted, expected", [
    ("+30 (210) 123-4567", "+302101234567"),
    ("210.123.45 67", "2101234567"),
    ("tel:+30-210-1234567", "+302101234567"),
    ("callto://6945123456", "6945123456"),
    ("*72#", "*72#"),
])
def test_paste_is_cleaned_and_keeps_a_leading_plus(pasted, expected):
    assert clean_pasted(pasted) == (expected, "")


@pytest.mark.no_display
def test_paste_with_letters_is_refused_with_the_reason():
    cleaned, problem = clean_pasted("210 CALL ME")
    assert cleaned == "" and "letters" in problem


def test_title_buttons_and_shortcuts_in_tooltips(pad, root):
    assert pad.title() == "Dial"
    assert root.focus_get() is pad.number_entry
    assert [str(pad.speed_buttons[i].cget("text")) for i in (0, 1, 2)] == [
        "1 · Αποθήκη Θεσ…", "2 · —", "3 · Петра Новак…"]   # cut to fit; whole in the tooltip
    assert str(pad.speed_buttons[1].cget("state")) == "disabled"
    assert str(pad.speed_heading.cget("text")) == "Speed dial — Πωλήσεις"
    assert sorted(pad.key_buttons) == sorted("0123456789*#")


def test_typing_and_enter_calls(pad, root, port):
    xdotool("type", "--delay", "20", "2101234567")
    assert wait_until(root, lambda: pad.number == "2101234567")
    xdotool("key", "Return")
    assert wait_until(root, lambda: port.asked == [("dial", "2101234567")])
    assert pad.message_text == "Calling 2101234567…"


def test_letters_are_refused_as_typed_with_the_reason(pad, root, port):
    xdotool("type", "--delay", "20", "21a0")
    assert wait_until(root, lambda: pad.number == "210")
    assert "Letters cannot be dialled" in pad.message_text
    assert port.asked == []


def test_buttons_backspace_clear_and_escape_twice_closes(pad, root, port):
    for key in "6945":
        pad.key_buttons[key].invoke()
    assert pad.number == "6945" and root.focus_get() is pad.number_entry
    pad.backspace_button.invoke()
    assert pad.number == "694"
    xdotool("key", "Escape")
    assert wait_until(root, lambda: pad.number == "")
    assert not pad.closed
    xdotool("key", "Escape")
    assert wait_until(root, lambda: pad.closed)


def test_redial_ctrl_r_and_nothing_to_redial(pad, root, port):
    xdotool("key", "ctrl+r")
    assert wait_until(root, lambda: pad.message_text == "Nothing to redial yet")
    port.last_number = "6945123456"
    xdotool("key", "ctrl+r")
    assert wait_until(root, lambda: port.asked == [("redial", "6945123456")])
    assert pad.number == "6945123456"


def test_ctrl_digit_speed_dials_plain_digits_type(pad, root, port):
    pad.clear_button.focus_set()                      # focus away from the number field
    assert wait_until(root, lambda: root.focus_get() is pad.clear_button)
    xdotool("type", "1")                              # a plain digit: typed, never dialled
    assert wait_until(root, lambda: pad.number == "1")
    assert port.asked == []
    xdotool("key", "ctrl+3")
    assert wait_until(root, lambda: port.asked == [("dial", "204")])
    assert pad.number == "204" and "Петра Новакова" in pad.message_text
    xdotool("key", "ctrl+2")
    assert wait_until(root, lambda: pad.message_text == "Speed dial 2 is empty")
    assert port.asked == [("dial", "204")]


def test_refusal_from_the_pbx_layer_is_shown_in_the_window(pad, root, port, hub):
    pad.number_var.set("21O6877610")                   # a letter O pasted by the program
    pad.call_button.invoke()
    assert "contains letters" in pad.message_text
    refusal = pad.message_text
    pad.number_var.set("6945123456")                   # the next call at once
    pad.call_button.invoke()
    hub.publish(CommandFailed("dial", refusal))        # the first one's event, late
    assert pad.message_text == "Calling 6945123456…"   # not the old refusal again
    hub.publish(DialStarted("6945123456", "call-0", "Calling 6945123456…"))
    assert pad._message_colour == "#1fa463"
    port.dial("2101234567")
    pad.number_var.set("2101234567")
    pad.call()
    hub.publish(CommandFailed("dial", "Not connected to the PBX"))
    assert pad.message_text == "Not connected to the PBX"
    hub.publish(CommandFailed("hangup", "The call has already ended"))   # not ours
    assert pad.message_text == "Not connected to the PBX"
    pad.call()
    hub.publish(DialStarted("2101234567", "call-1", "Calling 2101234567…"))
    assert pad.message_text == "Calling 2101234567…"


def test_paste_into_the_field(pad, root):
    root.clipboard_clear()
    root.clipboard_append("+30 (210) 123-4567")
    pad.number_entry.event_generate("<<Paste>>")
    assert pad.number == "+302101234567"
    root.clipboard_clear()
    root.clipboard_append("Γιώργος 210")
    pad.clear()
    pad.number_entry.event_generate("<<Paste>>")
    assert pad.number == "" and "letters" in pad.message_text


def test_quick_connect_both_fields_then_enter(pad, root, port):
    pad.outside_entry.focus_force()
    xdotool("type", "--delay", "20", "6945123456")
    xdotool("key", "Return")
    assert wait_until(root, lambda: "needs an outside number and an extension" in pad.message_text)
    assert wait_until(root, lambda: root.focus_get() is pad.extension_entry)
    xdotool("type", "--delay", "20", "202")
    xdotool("key", "Return")
    assert wait_until(root, lambda: port.asked == [("quick_connect", "6945123456", "202")])


def test_directory_picker_puts_the_number_in(pad, root, picks, port):
    xdotool("key", "ctrl+f")
    assert wait_until(root, lambda: len(picks) == 1)
    picks[0]("+30 210 123 4567")
    assert pad.number == "+302101234567"
    xdotool("key", "Return")
    assert wait_until(root, lambda: port.asked == [("dial", "+302101234567")])


def test_speed_dial_editor_saves_and_refreshes(pad, root, port, hub):
    xdotool("key", "ctrl+e")
    assert wait_until(root, lambda: getattr(pad, "editor", None) is not None)
    editor = pad.editor
    name, number = editor.rows[1]
    name.set("Jiří Dvořák")
    number.set("+420 602 111 222")
    assert editor.save()
    assert str(pad.speed_buttons[1].cget("text")) == "2 · Jiří Dvořák"
    editor = pad.edit_speed_dial()
    editor.rows[4][1].set("ABC")
    assert not editor.save()
    assert "Entry 5" in str(editor.error_label.cget("text"))
    editor.destroy()
    port.slots[9] = Entry(9, "Склад", "2109999999")     # changed on another workstation
    hub.publish(StoreChanged("office_settings", frozenset({"speed_dial:default"}), "remote"))
    assert str(pad.speed_buttons[8].cget("text")) == "9 · Склад"
