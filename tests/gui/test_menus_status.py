"""Menu bar with shortcuts and Alt-letters, Help › Log file…, calls waiting to be saved
(issue 6 §5.4)."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.gui.conftest import wait_until
from tests.gui.fakes import FakeServices, sample_contacts

LOG_PATH = "/home/Ελένη/.local/state/operator/log/operator.log"


@pytest.fixture
def services():
    return FakeServices(contacts=sample_contacts())


def test_calls_waiting_to_be_saved_label(make_ui, services, root):
    ui = make_ui(services)
    label = ui.window.waiting_label
    assert not label.winfo_ismapped() and label.winfo_manager() == ""
    ui.window.show_calls_waiting(3)
    root.update()
    assert label.winfo_ismapped()
    assert label.cget("text") == "⚠ 3 calls waiting to be saved"
    ui.window.show_calls_waiting(1)
    assert label.cget("text") == "⚠ 1 call waiting to be saved"
    ui.window.show_calls_waiting(0)
    root.update()
    assert not label.winfo_ismapped() and label.winfo_manager() == ""


def test_every_menu_item_shows_its_shortcut_and_has_an_alt_letter(make_ui, services, root):
    ui = make_ui(services)
    bar = ui.window.menubar
    assert str(root.cget("menu")) == str(bar)
    tops = {}
    for index in range(int(bar.index("end")) + 1):
        label = str(bar.entrycget(index, "label"))
        tops[label] = label[int(bar.entrycget(index, "underline"))]
    assert tops == {"Connection": "C", "Calls": "a", "Help": "H"}
    shown = {key: ui.window.menu_items(key) for key in ("connection", "calls", "help")}
    assert [(i["label"], i["accelerator"]) for i in shown["connection"]] == [
        ("Connect", "Ctrl+K"), ("Disconnect", "Ctrl+D"), ("Settings…", "Ctrl+,")]
    assert [i["accelerator"] for i in shown["calls"]] == ["Enter", "F2", "Ctrl+Shift+H"]
    assert [(i["label"], i["accelerator"]) for i in shown["help"]] == [("Log file…", "Ctrl+L")]
    for items in shown.values():
        letters = [i["mnemonic"].lower() for i in items]
        assert all(letters) and len(set(letters)) == len(letters)


def _posted_menus(root) -> list[str]:
    """Labels of the first item of every menu on screen (the menu bar's cascades are
    shown through Tk's clones, not the menu objects themselves)."""
    shown, stack = [], ["."]
    while stack:
        path = stack.pop()
        stack.extend(root.tk.splitlist(root.tk.call("winfo", "children", path)))
        if (root.tk.call("winfo", "class", path) == "Menu" and root.tk.call("winfo", "ismapped", path)
                and root.tk.call(path, "type", 0) == "command"):
            shown.append(str(root.tk.call(path, "entrycget", 0, "-label")))
    return shown


def test_alt_h_opens_the_help_menu(make_ui, services, root):
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed")
    make_ui(services)
    root.focus_force()
    assert wait_until(root, lambda: root.focus_get() is root)
    subprocess.run(["xdotool", "key", "alt+h"], check=True)
    try:
        assert wait_until(root, lambda: _posted_menus(root) == ["Log file…"])
    finally:
        subprocess.run(["xdotool", "key", "Escape", "Escape"], check=True)
        assert wait_until(root, lambda: _posted_menus(root) == [])


def test_help_log_file_shows_the_path_to_copy(make_ui, services, root):
    ui = make_ui(services)
    asked = []
    ui.window.on_show_log = lambda: asked.append(1) or LOG_PATH
    help_menu = ui.window.menus["help"]
    help_menu.invoke(0)
    dialog = ui.window.log_dialog
    root.update()
    try:
        assert asked == [1]
        assert dialog.title() == "Log file"
        assert dialog.path_entry.get() == LOG_PATH and dialog.path_entry.winfo_ismapped()
        assert "problem" in dialog.message_label.cget("text")
        dialog.copy_button.invoke()
        assert root.clipboard_get() == LOG_PATH
    finally:
        dialog.destroy()
    ui.window.on_show_log = lambda: ""
    dialog = ui.window.show_log_file()
    root.update()
    assert dialog.message_label.cget("text") == "This workstation does not write a log file."
    assert not dialog.path_entry.winfo_ismapped()
    dialog.destroy()
