"""The live counters of a campaign (CAMP-4): total, in progress, unanswered, pending,
completed, per outcome and per operator, a progress bar; clicking a counter lists those
entries. Results go to Excel or a PDF."""
from __future__ import annotations

import tkinter as tk
from tkinter import filedialog
from typing import Any

import ttkbootstrap as ttk

from callcore.campaigns import outcome_label, state_label
from callcore.i18n import _


def counter_labels() -> dict[str, str]:
    return {"": _("Total"), "in_progress": _("In progress"), "unanswered": _("Unanswered"),
            "pending": _("Pending"), "completed": _("Completed")}


class CountersView(ttk.Frame):
    def __init__(self, master: tk.Misc, port: Any):
        super().__init__(master, padding=8)
        self.port = port
        self.campaign_id = ""
        self.buttons: dict[str, ttk.Button] = {}
        row = ttk.Frame(self)
        row.pack(fill="x")
        for state, label in counter_labels().items():
            b = ttk.Button(row, text=label, bootstyle="info-outline", command=lambda s=state: self.list_entries(state=s))
            b.pack(side="left", padx=(0, 6))
            self.buttons[state] = b
        self.progress = ttk.Progressbar(self, maximum=1000, bootstyle="success-striped")
        self.progress.pack(fill="x", pady=6)
        self.progress_text = ttk.Label(self, text="")
        self.progress_text.pack(anchor="w")
        split = ttk.Frame(self)
        split.pack(fill="x")
        self.by_outcome = ttk.Labelframe(split, text=_("Per outcome"), padding=4)
        self.by_outcome.pack(side="left", fill="both", expand=True, padx=(0, 6))
        self.by_operator = ttk.Labelframe(split, text=_("Per operator"), padding=4)
        self.by_operator.pack(side="left", fill="both", expand=True)
        self.listing = ttk.Label(self, text="", font=("TkDefaultFont", 10, "bold"))
        self.listing.pack(anchor="w", pady=(8, 0))
        self.table = ttk.Treeview(self, columns=("name", "number", "state", "result"), show="headings", height=8)
        for col, title, width in (("name", _("Name"), 200), ("number", _("Phone"), 140), ("state", _("State"), 110),
                                  ("result", _("Result"), 140)):
            self.table.heading(col, text=title)
            self.table.column(col, width=width)
        self.table.pack(fill="both", expand=True)
        bar = ttk.Frame(self)
        bar.pack(fill="x", pady=4)
        ttk.Button(bar, text=_("Export to Excel…"), command=lambda: self.export(".xlsx")).pack(side="left")
        ttk.Button(bar, text=_("Print to PDF…"), command=lambda: self.export(".pdf")).pack(side="left", padx=4)
        self.message = ttk.Label(bar, text="")
        self.message.pack(side="left", padx=6)
        self.counters: Any = None

    def show_campaign(self, campaign_id: str) -> None:
        self.campaign_id = campaign_id
        self.table.delete(*self.table.get_children())
        self.listing.configure(text="")
        self.refresh()

    def refresh(self) -> None:
        if not self.campaign_id:
            return
        n = self.counters = self.port.counters(self.campaign_id)
        values = {"": n.total, "in_progress": n.in_progress, "unanswered": n.unanswered, "pending": n.pending,
                  "completed": n.completed}
        for state, label in counter_labels().items():
            self.buttons[state].configure(text=f"{label}: {values[state]}")
        self.progress.configure(value=int(n.progress * 1000))
        self.progress_text.configure(text=_("{done} of {total} completed ({percent:.0f} %)").format(
            done=n.completed, total=n.total, percent=n.progress * 100))
        for frame, counts, click in ((self.by_outcome, n.by_outcome or {}, "result"),
                                     (self.by_operator, n.by_operator or {}, "operator")):
            for child in frame.winfo_children():
                child.destroy()
            for key, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
                text = f"{outcome_label(key) if click == 'result' else key}: {count}"
                ttk.Button(frame, text=text, bootstyle="link",
                           command=lambda k=key, c=click: self.list_entries(**{c: k})).pack(anchor="w")

    def list_entries(self, state: str = "", result: str = "", operator: str = "") -> None:
        rows = self.port.entries_in(self.campaign_id, state, result, operator)
        self.table.delete(*self.table.get_children())
        for entry, st in rows[:2000]:
            self.table.insert("", "end", iid=entry.id, values=(entry.name, entry.number, state_label(st.state),
                                                               outcome_label(st.last_result) if st.last_result else ""))
        what = (counter_labels().get(state) if not (result or operator) else
                outcome_label(result) if result else operator)
        self.listing.configure(text=_("{what}: {count} entries").format(what=what, count=len(rows)))

    def export(self, suffix: str, path: str | None = None) -> int:
        if not self.campaign_id:
            return 0
        path = path or filedialog.asksaveasfilename(parent=self, defaultextension=suffix,
                                                    filetypes=[(suffix, "*" + suffix)])
        if not path:
            return 0
        try:
            n = self.port.export(self.campaign_id, path)
        except (OSError, ValueError) as exc:
            self.message.configure(text=str(exc), bootstyle="danger")
            return 0
        self.message.configure(text=_("{count} entries written to {path}").format(count=n, path=path),
                               bootstyle="success")
        return n
