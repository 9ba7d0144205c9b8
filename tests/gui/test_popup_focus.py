"""A new popup never takes the keyboard; F2 goes to the newest popup (issue 6 §5.2).

Keys are typed with xdotool (real X key events to whatever has the X focus), so the test
sees where an operator's typing really lands.
"""
from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.gui.conftest import wait_until
from tests.gui.fakes import FakeServices, ringing, sample_contacts
from ui.popup import FLASH_MARK
from ui.ports import PopupSettings


@pytest.fixture
def services():
    return FakeServices(contacts=sample_contacts(),
                        popup_settings=PopupSettings(bring_to_front=True))


def xdotool(*args: str) -> None:
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed")
    subprocess.run(["xdotool", *args], check=True)


def entry_for(dialog, dotted: str):
    """The Entry widget of one settings field."""
    name = str(dialog.variables[dotted])
    stack = [dialog]
    while stack:
        widget = stack.pop()
        stack.extend(widget.winfo_children())
        if widget.winfo_class() == "TEntry" and str(widget.cget("textvariable")) == name:
            return widget
    raise LookupError(dotted)


def test_typing_in_the_settings_dialog_stays_there_when_a_call_pops_up(make_ui, services, root):
    from ui.first_run import SettingsDialog
    ui = make_ui(services)
    dialog = SettingsDialog(root, {"ami": {"host": ""}})
    try:
        entry = entry_for(dialog, "ami.host")
        entry.focus_force()
        assert wait_until(root, lambda: root.focus_get() is entry)
        # The operator's mouse rests on the dialog they type in. (Xvfb has no window
        # manager: X then gives the keyboard to whatever window appears under the pointer,
        # which no desktop does.)
        pointer = subprocess.run(["xdotool", "getmouselocation", "--shell"], capture_output=True,
                                 text=True, check=True).stdout
        restore = dict(line.split("=", 1) for line in pointer.split())
        xdotool("mousemove", "--window", str(entry.winfo_id()), "5", "5")
        xdotool("type", "--delay", "15", "pbx")
        assert wait_until(root, lambda: dialog.variables["ami.host"].get() == "pbx")
        ui.ui_event(ringing("L1", "2101234567"))
        popup = ui.popups["L1"]
        root.update()
        # The keys go on into the dialog, not into the call's notes …
        xdotool("type", "--delay", "15", ".office.lan")
        assert wait_until(root, lambda: dialog.variables["ami.host"].get() == "pbx.office.lan")
        assert popup.notes_text == ""
        assert root.focus_get() is entry
        # … and the popup came forward and blinks to be seen.
        assert popup.winfo_viewable()
        assert popup.flashing and popup.title() == FLASH_MARK + popup.caller_title
        assert wait_until(root, lambda: popup.title() == popup.caller_title)
    finally:
        dialog.destroy()
        if "restore" in locals():     # where it was: later tests' windows must not meet it
            xdotool("mousemove", restore["X"], restore["Y"])


def test_f2_puts_the_cursor_in_the_newest_popup(make_ui, services, root):
    ui = make_ui(services)
    ui.ui_event(ringing("L1", "2101234567"))
    ui.ui_event(ringing("L2", "+7 495 765 4321"))
    first, newest = ui.popups["L1"], ui.popups["L2"]
    assert "F2" in first.help_label.cget("text")
    root.focus_force()
    assert wait_until(root, lambda: root.focus_get() is root)
    xdotool("key", "F2")                       # from the main window
    assert wait_until(root, lambda: root.focus_get() is newest.notes)
    assert not newest.flashing                 # found: stops blinking
    xdotool("type", "--delay", "15", "Ivanova")
    assert wait_until(root, lambda: newest.notes_text == "Ivanova")
    first.focus_notes()
    assert wait_until(root, lambda: root.focus_get() is first.notes)
    xdotool("key", "F2")                       # from another popup
    assert wait_until(root, lambda: root.focus_get() is newest.notes)
    assert first.notes_text == ""
    assert ui.window.menu_items("calls")[1]["accelerator"] == "F2"
    # Opened again from the calls table: the operator asked for it, the keyboard goes there.
    first.close()
    root.focus_force()
    ui.window.calls.tree.selection_set("L1")
    ui.window.open_button.invoke()
    assert wait_until(root, lambda: root.focus_get() is ui.popups["L1"].notes)



def test_focus_a_window_manager_gives_the_new_popup_goes_back(make_ui, services, root):
    """Many window managers focus every new window: the popup hands the keyboard back
    to the dialog the operator was typing in (simulated: the popup window itself gets the
    X focus right after it appears, as a WM does)."""
    from ui.first_run import SettingsDialog
    ui = make_ui(services)
    dialog = SettingsDialog(root, {"ami": {"host": ""}})
    try:
        entry = entry_for(dialog, "ami.host")
        entry.focus_force()
        assert wait_until(root, lambda: root.focus_get() is entry)
        ui.ui_event(ringing("L1", "2101234567"))
        popup = ui.popups["L1"]
        popup.update()                      # mapped
        popup.focus_force()                 # what the window manager does
        assert wait_until(root, lambda: root.focus_get() is entry)
        xdotool("type", "--delay", "15", "pbx")
        assert wait_until(root, lambda: dialog.variables["ami.host"].get() == "pbx")
        assert popup.notes_text == "" and root.focus_get() is entry
    finally:
        dialog.destroy()
