"""Ctrl+letter shortcuts that also work with a Greek or Cyrillic keyboard layout.

Tk names a key by the character the layout gives it: with a Greek layout the N key is
``Greek_nu``, so a binding for ``<Control-n>`` never fires (the operators this app is for
type Greek and Russian all day). :func:`bind_ctrl` binds the Latin letter as usual and
adds one ``<Control-KeyPress>`` fallback per window that recognises the *physical* key
from its key code when the key's name is not a Latin letter: on Windows the code is the
virtual-key code (``ord("N")``), on X11 the evdev code of a PC keyboard.
"""
from __future__ import annotations

import tkinter as tk
from typing import Callable

# X11 evdev key codes of the letter keys (PC keyboards, the Linux default).
_X11_LETTERS = dict(zip(
    (24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 38, 39, 40, 41, 42, 43, 44, 45, 46,
     52, 53, 54, 55, 56, 57, 58),
    "qwertyuiopasdfghjklzxcvbnm"))
_SHIFT = 0x1
_FALLBACK = "_ctrl_letter_fallback"


def latin_letter(keysym: str, keycode: int, windowing: str) -> str:
    """The Latin letter of the key pressed ('' when none): its name when that is a Latin
    letter, otherwise the letter printed on the physical key."""
    if len(keysym) == 1 and keysym.isascii() and keysym.isalpha():
        return keysym.lower()
    if windowing == "win32" and 65 <= keycode <= 90:
        return chr(keycode).lower()
    if windowing == "x11":
        return _X11_LETTERS.get(keycode, "")
    return ""


def bind_ctrl(widget: tk.Misc, letter: str, action: Callable[[], object], *, shift: bool = False) -> None:
    """Ctrl(+Shift)+``letter`` runs ``action`` in ``widget`` whatever the keyboard layout."""
    letter = letter.lower()

    def run(_event=None) -> str:
        action()
        return "break"
    if shift:
        widget.bind(f"<Control-Shift-{letter.upper()}>", run)
        widget.bind(f"<Control-Shift-{letter}>", run)
    else:
        widget.bind(f"<Control-{letter}>", run)
        widget.bind(f"<Control-{letter.upper()}>", run)
    table: dict[tuple[str, bool], Callable[[], object]] | None = getattr(widget, _FALLBACK, None)
    if table is None:
        table = {}
        setattr(widget, _FALLBACK, table)
        windowing = str(widget.tk.call("tk", "windowingsystem"))

        def fallback(event) -> str | None:
            keysym = str(event.keysym)
            if len(keysym) == 1 and keysym.isascii():
                return None                  # a Latin layout: the letter's own binding ran
            found = table.get((latin_letter(keysym, int(event.keycode), windowing),
                               bool(int(event.state) & _SHIFT)))
            if found is None:
                return None
            found()
            return "break"
        widget.bind("<Control-KeyPress>", fallback, add="+")
        setattr(widget, _FALLBACK + "_handler", fallback)   # tests call it with a key event
    table[(letter, shift)] = action
