"""Mass-call campaigns in the window (CAMP-1..4): the list editor, the work view with the
preview dialler's countdown, and the live counters.

``CampaignWindows.install`` adds *Calls › Campaigns…* (Ctrl+Shift+M) to the main window;
the window is :class:`ui.campaigns.window.CampaignsWindow`.
"""
from __future__ import annotations

import tkinter as tk
from typing import Any, Callable

from callcore.i18n import _

from ..look import mnemonic


class CampaignWindows:
    """Opens (or raises) the one campaigns window of the main window."""

    def __init__(self, root: tk.Misc, ports: Any, *, call_soon: Callable[..., None] | None = None,
                 open_contact: Callable[..., Any] | None = None):
        self.root = root
        self.open_contact = open_contact
        self.ports = ports
        self.call_soon = call_soon or (lambda fn, *args: root.after(0, lambda: fn(*args)))
        self.window: Any = None

    def install(self, root: tk.Misc, menu: tk.Menu | None) -> None:
        if getattr(self.ports, "campaigns", None) is None:
            return
        for sequence in ("<Control-Shift-M>", "<Control-Shift-m>"):
            root.bind(sequence, lambda _e: (self.show(), "break")[1])
        if menu is not None:
            text, underline = mnemonic(_("Ca&mpaigns…"))
            menu.add_command(label=text, underline=underline, accelerator=_("Ctrl+Shift+M"), command=self.show)

    def show(self) -> Any:
        from .window import CampaignsWindow
        if self.window is not None and self.window.winfo_exists():
            self.window.deiconify()
            self.window.lift()
            return self.window
        self.window = CampaignsWindow(self.root, self.ports.campaigns, self.ports.events, call_soon=self.call_soon,
                                      open_contact=self.open_contact)
        return self.window

    def close(self) -> None:
        if self.window is not None and self.window.winfo_exists():
            self.window.close()
