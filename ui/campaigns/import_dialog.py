"""The column-mapping step of an import (CAMP-1): which column is the name, the phone,
the comment …, guessed from the headers, with the first rows shown as they will be read."""
from __future__ import annotations

import tkinter as tk
from typing import Any, Callable

import ttkbootstrap as ttk

from callcore.i18n import _


def field_labels() -> dict[str, str]:
    return {"name": _("Name"), "number": _("Phone"), "comment": _("Comment"), "company": _("Company"),
            "city": _("City")}


class MappingDialog(ttk.Toplevel):
    def __init__(self, master: tk.Misc, headers: list[str], guessed: dict[str, str], sample: list[list[str]],
                 on_ok: Callable[[dict[str, str]], Any]):
        super().__init__(master=master, title=_("Import entries: which column is which"))
        self.transient(master.winfo_toplevel())
        self.headers = headers
        self.on_ok = on_ok
        body = ttk.Frame(self, padding=10)
        body.pack(fill="both", expand=True)
        none = _("(none)")
        self.none = none
        self.vars: dict[str, tk.StringVar] = {}
        for r, (name, label) in enumerate(field_labels().items()):
            ttk.Label(body, text=label).grid(row=r, column=0, sticky="w", padx=(0, 6), pady=2)
            var = self.vars[name] = tk.StringVar(value=guessed.get(name, none))
            ttk.Combobox(body, textvariable=var, values=[none] + [h for h in headers if h], state="readonly",
                         width=30).grid(row=r, column=1, sticky="w", pady=2)
            var.trace_add("write", lambda *_a: self._preview())
        self.table = ttk.Treeview(body, columns=tuple(field_labels()), show="headings", height=6)
        for name, label in field_labels().items():
            self.table.heading(name, text=label)
            self.table.column(name, width=130)
        self.table.grid(row=6, column=0, columnspan=2, sticky="nsew", pady=6)
        self.sample = sample
        self.message = ttk.Label(body, text="", bootstyle="danger")
        self.message.grid(row=7, column=0, columnspan=2, sticky="w")
        bar = ttk.Frame(body)
        bar.grid(row=8, column=0, columnspan=2, sticky="e")
        ttk.Button(bar, text=_("Import"), command=self.ok, bootstyle="primary").pack(side="left", padx=4)
        ttk.Button(bar, text=_("Cancel"), command=self.destroy, bootstyle="secondary").pack(side="left")
        self._preview()

    def mapping(self) -> dict[str, str]:
        return {name: var.get() for name, var in self.vars.items() if var.get() and var.get() != self.none}

    def _preview(self) -> None:
        self.table.delete(*self.table.get_children())
        at = {name: self.headers.index(h) for name, h in self.mapping().items() if h in self.headers}
        for cells in self.sample:
            self.table.insert("", "end", values=tuple(
                cells[at[n]] if n in at and at[n] < len(cells) else "" for n in field_labels()))

    def ok(self) -> None:
        mapping = self.mapping()
        if "number" not in mapping:
            self.message.configure(text=_("Choose the column with the phone numbers"))
            return
        try:
            self.on_ok(mapping)
        except (ValueError, OSError) as exc:
            self.message.configure(text=str(exc))
            return
        self.destroy()
