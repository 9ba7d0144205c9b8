"""Right-to-left text (Persian, Arabic) as Tk 8.6 can show it.

Tk draws characters in the order it is given them and does not join Arabic letters, so
Persian would show as separate letters, backwards. ``shown(text)`` is the ONE display
function: it picks each letter's joined presentation form (arabic-reshaper) and puts the
line into visual order (python-bidi, Unicode bidi algorithm; digits and Latin words keep
their left-to-right order). Text without right-to-left letters comes back unchanged.

Only what is *shown* is changed: labels, buttons, menu entries, window titles, message
boxes and table cells. Stored data and editing fields (Entry/Text, which must hold the
text in logical order) are never touched. ``install()`` makes Tk apply ``shown`` to those
display options, so every window — and names from the store — get it in one place.
"""
from __future__ import annotations

import re
import tkinter
from functools import lru_cache
from tkinter import ttk as _tkttk

from callcore import i18n

# Letters written right to left that are not shaped yet: Hebrew and Arabic-script letters
# (incl. Persian پ چ ژ ک گ ی). Shaping turns every Arabic letter into a presentation form
# (U+FB50–U+FEFC), which is how ``shown`` knows a text was already shaped.
_RTL_LETTER = re.compile("[\u05d0-\u05ea\u0620-\u064a\u066e-\u06d5\u06fa-\u06ff"
                         "\u0750-\u077f\u08a0-\u08ff]")
_PRESENTATION = re.compile("[\ufb1d-\ufdff\ufe70-\ufefc]")

_DISPLAY_OPTIONS = frozenset({"text", "label", "message", "detail", "title"})


def has_rtl(text: str) -> bool:
    return bool(_RTL_LETTER.search(text)) or bool(_PRESENTATION.search(text))


# A phone number or a time with its separators ("+98 21 8888 7777", "14:05", "2026-03-14"):
# kept as one left-to-right unit, else a right-to-left line would show "7777 8888 21 98+".
_NUMBER = re.compile(r"\+?\d(?:[\d \-./:()]*\d)?")
_LRE, _PDF = "\u202a", "\u202c"   # left-to-right embedding (python-bidi's classic algorithm)


@lru_cache(maxsize=4096)
def _shape(text: str) -> str:
    import arabic_reshaper
    # The classic (pure Python) algorithm of python-bidi: unlike its Rust get_display it
    # also mirrors brackets ("(Ctrl+S)" stays "(Ctrl+S)" inside a Persian line).
    from bidi.algorithm import get_display
    lines = []
    for line in text.split("\n"):
        if _RTL_LETTER.search(line):
            line = _NUMBER.sub(lambda m: _LRE + m.group(0) + _PDF, line.replace(_LRE, "").replace(_PDF, ""))
            line = get_display(arabic_reshaper.reshape(line))
            line = line.replace(_LRE, "").replace(_PDF, "")
        lines.append(line)
    return "\n".join(lines)


def shown(text: str) -> str:
    """``text`` as Tk must draw it: Arabic-script letters joined, each line in visual
    order. Idempotent: already shaped text (presentation forms, no plain RTL letters)
    comes back as it is, so a label set twice is not reversed back."""
    if not isinstance(text, str) or not _RTL_LETTER.search(text):
        return text
    return _shape(text)


def _flip(options: dict) -> dict:
    """A label's west side becomes its east side in a right-to-left language: ``anchor``
    (of the text in the label, or of the label in its pack parcel) and grid ``sticky``."""
    out = {}
    anchor = options.get("anchor")
    if isinstance(anchor, str) and anchor in ("w", "nw", "sw"):
        out["anchor"] = anchor.replace("w", "e")
    sticky = options.get("sticky")
    if isinstance(sticky, str) and "w" in sticky and "e" not in sticky:
        out["sticky"] = sticky.replace("w", "e")
    return out


def _shown_value(value):
    if isinstance(value, str):
        return shown(value)
    if isinstance(value, (list, tuple)):
        return type(value)(shown(v) if isinstance(v, str) else v for v in value)
    return value


_installed = False
_LABELS = frozenset({"ttk::label", "label", "message"})


def install() -> None:
    """Apply ``shown`` to every display option Tk is given from now on (idempotent).

    Hooks the two places tkinter turns keyword options into Tcl words
    (``Misc._options`` for widgets, menus and dialogs; ``ttk._format_optdict`` for
    Treeview rows and headings) and ``wm title``. Cheap for Latin text: one regex search."""
    global _installed
    if _installed:
        return
    _installed = True
    original_options = tkinter.Misc._options

    def _options(self, cnf, kw=None):
        if i18n.is_rtl() and getattr(self, "widgetName", "") in _LABELS:
            given = {**(cnf if isinstance(cnf, dict) else {}), **(kw or {})}
            if "text" in given and "image" not in given and "justify" not in given:
                kw = {**(kw or {}), "justify": "right"}   # wrapped Persian lines flush right
            flipped = _flip(given)
            if flipped:
                kw = {**(kw or {}), **flipped}
        if kw and not _DISPLAY_OPTIONS.isdisjoint(kw):
            kw = {k: (shown(v) if k in _DISPLAY_OPTIONS and isinstance(v, str) else v)
                  for k, v in kw.items()}
        if isinstance(cnf, dict) and cnf and not _DISPLAY_OPTIONS.isdisjoint(cnf):
            cnf = {k: (shown(v) if k in _DISPLAY_OPTIONS and isinstance(v, str) else v)
                   for k, v in cnf.items()}
        return original_options(self, cnf, kw)

    tkinter.Misc._options = _options  # type: ignore[method-assign]

    original_format = _tkttk._format_optdict

    def _format_optdict(optdict, script=False, ignore=None):
        if "text" in optdict or "values" in optdict:
            optdict = dict(optdict)
            if isinstance(optdict.get("text"), str):
                optdict["text"] = shown(optdict["text"])
            if "values" in optdict:
                optdict["values"] = _shown_value(optdict["values"])
        return original_format(optdict, script, ignore)

    _tkttk._format_optdict = _format_optdict

    original_title = tkinter.Wm.wm_title

    def wm_title(self, string=None):
        return original_title(self, shown(string) if isinstance(string, str) else string)

    tkinter.Wm.wm_title = wm_title  # type: ignore[method-assign]
    tkinter.Wm.title = wm_title  # type: ignore[method-assign]

