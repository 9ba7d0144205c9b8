"""Ctrl+letter shortcuts with a Greek or Cyrillic keyboard layout (ui/keys.py): the key's
name is then Greek_nu / Cyrillic_te, and the physical key decides. Xvfb here cannot load
another layout, so the layout's key events are handed to the window's handler as Tk
would deliver them (name, code, state)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from ui.keys import latin_letter

CTRL, SHIFT = 0x4, 0x1


@pytest.mark.no_display
@pytest.mark.parametrize("keysym, keycode, windowing, letter", [
    ("n", 57, "x11", "n"),
    ("N", 57, "x11", "n"),
    ("Greek_nu", 57, "x11", "n"),          # Greek layout, N key
    ("Cyrillic_te", 57, "x11", "n"),       # Russian layout, N key
    ("Greek_rho", 27, "x11", "r"),
    ("Cyrillic_a", 41, "x11", "f"),
    ("Greek_sigma", 83, "win32", "s"),     # Windows: the virtual-key code
    ("Cyrillic_ka", 82, "win32", "r"),
    ("Control_L", 37, "x11", ""),
    ("1", 10, "x11", ""),
    ("Greek_nu", 57, "aqua", ""),
])
def test_the_latin_letter_of_the_physical_key(keysym, keycode, windowing, letter):
    assert latin_letter(keysym, keycode, windowing) == letter


def key(keysym, keycode, state):
    return SimpleNamespace(keysym=keysym, keycode=keycode, state=state)


def test_dial_pad_and_main_window_shortcuts_with_greek_and_cyrillic_layouts(root):
    from tests.gui.test_dialpad import FakeDialling
    from ui.dialling_windows import DiallingWindows
    from ui.dialpad import DialPad
    port = FakeDialling()
    port.last_number = "2101234567"
    pad = DialPad(root, dial=port, speed_dial=port)
    try:
        handler = pad._ctrl_letter_fallback_handler
        assert handler(key("Greek_rho", 27, CTRL)) == "break"          # Ctrl+R, Greek layout
        assert port.asked == [("redial", "2101234567")]
        assert handler(key("Cyrillic_ka", 27, CTRL)) == "break"        # Ctrl+R, Russian layout
        assert len(port.asked) == 2
        assert handler(key("r", 27, CTRL)) is None                     # Latin: its own binding
        assert handler(key("Greek_omega", 55, CTRL)) is None           # Ctrl+V: not ours
    finally:
        pad.close()

    opened = []
    windows = DiallingWindows(root, ports=SimpleNamespace(dial_pad=port, contacts=object()))
    windows.open_dial_pad = lambda: opened.append("dial")
    windows.open_directory = lambda: opened.append("directory")
    windows.open_card = lambda contact_id=None: opened.append(("card", contact_id))
    frame = __import__("tkinter").Frame(root)
    try:
        windows.install(frame, None)
        handler = frame._ctrl_letter_fallback_handler
        handler(key("Greek_nu", 57, CTRL))                             # Ctrl+N
        handler(key("Cyrillic_a", 41, CTRL))                           # Ctrl+F
        handler(key("Greek_NU", 57, CTRL | SHIFT))                     # Ctrl+Shift+N
        assert opened == ["dial", "directory", ("card", None)]
    finally:
        frame.destroy()
