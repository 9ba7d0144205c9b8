"""Shared look of the operator UI: fonts, state colours, glyphs and display texts.

Kept in one place so the main window, the popups and the toast agree, and so tests can
assert on the same colour constants the widgets use.
"""
from __future__ import annotations

import tkinter as tk
import tkinter.font as tkfont
from datetime import datetime, timedelta

import ttkbootstrap as ttk

from callcore import locale_format
from callcore.i18n import _, _n

# Leg states shown in the calls table and popups (SPEC POP-4: active blue, held red).
# UNKNOWN is shown, not tracked: the connection is down, so nobody knows what the call does.
RINGING, ACTIVE, HELD, ENDED, UNKNOWN = "ringing", "active", "held", "ended", "unknown"
STATE_COLOURS = {
    RINGING: "#e67e22",   # orange
    ACTIVE: "#1f6fd1",    # blue
    HELD: "#d62c2c",      # red
    ENDED: "#7b8a8b",     # grey
    UNKNOWN: "#8e7f99",   # greyish violet: not a state the phone reported
}

# The one keyboard shortcut that jumps to the newest call popup's notes, from the main
# window or any popup. F2: a function key works on every keyboard layout (Ctrl+letter
# does not fire with a Greek or Cyrillic layout active).
FOCUS_POPUP_SEQUENCE = "<F2>"

# Connection indicator (SPEC AMI-2).
CONNECTION_COLOURS = {
    "connected": "#1fa463",    # green
    "off": "#a0a8ab",          # grey
    "connecting": "#f0a020",   # orange
    "failing": "#f08a00",      # orange
    "auth_failed": "#e4572e",  # red-orange
}

DIRECTION_GLYPHS = {"in": "↙", "out": "↗", "internal": "⇄"}

UI_FONT_FAMILIES = ("DejaVu Sans", "Noto Sans", "Segoe UI", "Helvetica")
"""Preferred families for the default fonts, first installed wins: all cover Latin,
Greek and Cyrillic; Persian falls back through the platform's font substitution."""


def state_label(state: str) -> str:
    return {RINGING: _("Ringing"), ACTIVE: _("Active"), HELD: _("On hold"),
            ENDED: _("Ended"), UNKNOWN: _("State unknown (disconnected)")}.get(state, state)


def focus_popup_key() -> str:
    """How the focus-newest-popup shortcut is written for the user."""
    return _("F2")


def mnemonic(label: str) -> tuple[str, int]:
    """``"&Connect"`` → ``("Connect", 0)``: the menu text and the index of its underlined
    Alt-letter. Translators move the ``&`` with the word, so the letter follows them."""
    index = label.find("&")
    if index < 0 or index == len(label) - 1:
        return label, -1
    text = label[:index] + label[index + 1:]
    from .rtl import has_rtl   # Persian is drawn shaped and mirrored: no logical index fits
    return (text, -1) if has_rtl(text) else (text, index)


def direction_label(direction: str) -> str:
    return {"in": _("Incoming"), "out": _("Outgoing"), "internal": _("Internal")}.get(
        direction, direction)


def contact_type_label(kind: str) -> str:
    return {"customer": _("Customer"), "supplier": _("Supplier"),
            "contact_person": _("Contact person"), "other": _("Other contact"),
            "internal": _("Internal user")}.get(kind, kind)


def call_status_label(status: str) -> str:
    return {"answered": _("Answered"), "missed": _("Missed"), "busy": _("Busy"),
            "unanswered": _("Not answered"), "transferred": _("Transferred"),
            "abandoned": _("Abandoned")}.get(status, status)


def format_duration(seconds: float) -> str:
    """``m:ss`` under an hour, ``h:mm:ss`` above; never negative."""
    return locale_format.format_duration(seconds)


def format_when(value: str | None, now: datetime | None = None) -> str:
    """A logged ISO time as a short local text: ``14:05`` today, ``3 Mar 14:05`` otherwise."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    now = now or datetime.now()
    if moment.date() == now.date():
        return locale_format.format_time(moment)
    if moment.date() == (now - timedelta(days=1)).date():
        return _("yesterday {time}").format(time=locale_format.format_time(moment))
    if moment.year == now.year:
        return locale_format.format_datetime(moment, year=False)
    return locale_format.format_day(moment, year=True)


SELECTED_ROW = "#dbe7f5"


def style_tables(root: tk.Misc) -> None:
    """Roomier Treeview rows, a light selection that keeps each row's state colour
    (held stays red when selected) and quiet bold headings."""
    style = ttk.Style.get_instance() or ttk.Style()
    linespace = tkfont.nametofont("TkDefaultFont", root=root).metrics("linespace")
    style.configure("Treeview", rowheight=int(linespace * 1.9), borderwidth=1)
    style.map("Treeview", background=[("selected", SELECTED_ROW)],
              foreground=[("disabled", "#a0a8ab")])
    style.configure("Compact.Treeview", rowheight=int(linespace * 1.6), borderwidth=1)
    style.map("Compact.Treeview", background=[("selected", SELECTED_ROW)],
              foreground=[("disabled", "#a0a8ab")])
    style.configure("Treeview.Heading", font="OperatorBoldFont", foreground="#5b6b6d",
                    padding=(6, 6))
    style.configure("Compact.Treeview.Heading", font="OperatorBoldFont", foreground="#5b6b6d",
                    padding=(6, 4))


def menu_look(bar: bool = False) -> dict[str, object]:
    """Flat, light menus that match the theme instead of Tk's grey default (X11; Windows
    draws its native menus and ignores most of this)."""
    look: dict[str, object] = {"background": "#ffffff", "foreground": "#2c3e50",
                               "activebackground": SELECTED_ROW, "activeforeground": "#1b2631",
                               "disabledforeground": "#a0a8ab", "font": "TkMenuFont"}
    if bar:
        look.update(background="#f3f5f7", relief="flat", borderwidth=0, activeborderwidth=0)
    else:
        look.update(relief="solid", borderwidth=1, activeborderwidth=0)
    return look


def plural(count: int, one: str, many: str) -> str:
    """Pick the translated form for ``count`` (three in Russian/Czech) and put it in."""
    return _n(one, many, count).format(n=count)


def setup_fonts(root: tk.Misc) -> dict[str, tkfont.Font]:
    """Point Tk's named fonts at a family that covers Greek/Cyrillic and create the few
    extra named fonts the UI uses. Returns them by role."""
    from .rtl import install
    install()   # Persian/Arabic names and texts joined and in visual order (Tk cannot)
    installed = set(tkfont.families(root))
    family = next((f for f in UI_FONT_FAMILIES if f in installed), None)
    base = tkfont.nametofont("TkDefaultFont", root=root)
    if family and root.tk.call("tk", "windowingsystem") == "x11":
        for name in ("TkDefaultFont", "TkTextFont", "TkHeadingFont", "TkMenuFont",
                     "TkTooltipFont", "TkCaptionFont", "TkSmallCaptionFont", "TkIconFont"):
            try:
                tkfont.nametofont(name, root=root).configure(family=family)
            except tk.TclError:
                pass
    family = base.actual("family")
    size = abs(int(base.actual("size"))) or 10

    def named(name: str, **options) -> tkfont.Font:
        try:
            font = tkfont.nametofont(name, root=root)
            font.configure(**options)
        except tk.TclError:
            font = tkfont.Font(root=root, name=name, **options)
        return font

    return {
        "number": named("OperatorNumberFont", family=family, size=size + 12, weight="bold"),
        "title": named("OperatorTitleFont", family=family, size=size + 4, weight="bold"),
        "heading": named("OperatorHeadingFont", family=family, size=size + 1, weight="bold"),
        "bold": named("OperatorBoldFont", family=family, size=size, weight="bold"),
        "small": named("OperatorSmallFont", family=family, size=max(8, size - 1)),
        "mono": named("OperatorCounterFont", family=family, size=size, weight="bold"),
    }
