"""The call console window (CON-1..6) and its statistics tab (REP-3).

``ConsoleWindows.install`` adds *Calls › Call console…* (Ctrl+Shift+L) to the main window;
the window is :class:`ui.console.window.ConsoleWindow`.
"""
from __future__ import annotations

import tkinter as tk
from typing import Any, Callable

from callcore.i18n import _

from ..look import mnemonic
from ..ports import UiPorts


class ConsoleWindows:
    """Opens (or raises) the one console window of the main window."""

    def __init__(self, root: tk.Misc, ports: UiPorts, *, call_soon: Callable[..., None],
                 open_contact: Callable[[str], Any] | None = None):
        self.root = root
        self.ports = ports
        self.call_soon = call_soon
        self.open_contact = open_contact
        self.window: Any = None

    def install(self, root: tk.Misc, menu: tk.Menu | None) -> None:
        if self.ports.console is None:
            return
        for sequence in ("<Control-Shift-L>", "<Control-Shift-l>"):
            root.bind(sequence, lambda _e: (self.show(), "break")[1])
        if menu is not None:
            menu.add_separator()
            text, underline = mnemonic(_("Call &console…"))
            menu.add_command(label=text, underline=underline, accelerator=_("Ctrl+Shift+L"), command=self.show)

    def show(self) -> Any:
        from .window import ConsoleWindow
        if self.window is not None and self.window.winfo_exists():
            self.window.lift()
            return self.window
        self.window = ConsoleWindow(self.root, self.ports, call_soon=self.call_soon,
                                    open_contact=self.open_contact)
        return self.window
