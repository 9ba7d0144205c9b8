"""CON-6: link a logged call to a contact found by name or number (or make a new one)."""
from __future__ import annotations

import tkinter as tk
from typing import Any, Callable

import ttkbootstrap as ttk

from callcore.console_query import ConsoleRow
from callcore.i18n import _

from ..ports import UiPorts


class LinkDialog(ttk.Toplevel):
    def __init__(self, master: tk.Misc, ports: UiPorts, row: ConsoleRow, on_linked: Callable[[], None]):
        super().__init__(master)
        self.title(_("Link the call to a contact"))
        self.ports, self.row, self.on_linked = ports, row, on_linked
        self.found: list[Any] = []
        frame = ttk.Frame(self, padding=10)
        frame.pack(fill="both", expand=True)
        ttk.Label(frame, text=_("Call with {number}").format(number=row.number)).pack(anchor="w")
        self.text = tk.StringVar(value=row.name if row.name and not row.name.isdigit() else "")
        entry = ttk.Entry(frame, textvariable=self.text, width=40)
        entry.pack(fill="x", pady=4)
        entry.bind("<KeyRelease>", lambda _e: self.find())
        self.list = tk.Listbox(frame, height=10)
        self.list.pack(fill="both", expand=True)
        self.list.bind("<Double-1>", lambda _e: self.link())
        buttons = ttk.Frame(frame)
        buttons.pack(fill="x", pady=(6, 0))
        ttk.Button(buttons, text=_("Link"), bootstyle="primary", command=self.link).pack(side="right")
        if ports.contacts is not None:
            ttk.Button(buttons, text=_("New contact…"), bootstyle="secondary",
                       command=self.new_contact).pack(side="right", padx=4)
        self.message = ttk.Label(frame, text="")
        self.message.pack(anchor="w")
        entry.focus_set()
        self.find()

    def find(self) -> None:
        text = self.text.get().strip()
        if text:
            self.found = list(self.ports.directory.search(text, limit=50))
        else:
            self.found = [m.contact for m in self.ports.directory.lookup(self.row.number)] if self.row.number else []
        self.list.delete(0, "end")
        for contact in self.found:
            self.list.insert("end", f"{contact.name}  {contact.company}".strip())
        if self.found:
            self.list.selection_set(0)

    def link(self) -> None:
        chosen = self.list.curselection()
        if not chosen:
            return
        contact = self.found[chosen[0]]
        try:
            self.ports.activities.link_contact(self.row.id, contact.id)
        except Exception as exc:  # noqa: BLE001 - refused by role: say why, keep the dialog
            self.message.configure(text=str(exc))
            return
        self.destroy()
        self.on_linked()

    def new_contact(self) -> None:
        from ..contact_card import ContactCard
        self.destroy()
        ContactCard(self.master, contacts=self.ports.contacts, dial=self.ports.dial, number=self.row.number)
