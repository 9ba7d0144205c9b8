"""The campaigns window: the campaigns on the left; the selected one's editor and list,
its work view and its counters in tabs. Follows store changes from every station."""
from __future__ import annotations

import tkinter as tk
from typing import Any, Callable

import ttkbootstrap as ttk

from callcore.campaigns import CampaignWorkChanged
from callcore.events import StoreChanged
from callcore.i18n import _

from .counters import CountersView
from .editor import CampaignEditor, status_labels
from .work import WorkView

CAMPAIGN_TABLES = ("campaigns", "campaign_entries", "campaign_claims", "campaign_outcomes")


class CampaignsWindow(ttk.Toplevel):
    def __init__(self, master: tk.Misc, port: Any, events: Any, *, call_soon: Callable[..., None],
                 open_contact: Callable[..., Any] | None = None):
        super().__init__(master=master, title=_("Campaigns"))
        self.geometry("1100x720")
        self.port = port
        self.campaign_id = ""
        self._refresh_due = False
        left = ttk.Frame(self, padding=8)
        left.pack(side="left", fill="y")
        ttk.Button(left, text=_("New campaign"), command=self.new_campaign).pack(side="bottom", fill="x", pady=(6, 0))
        self.list = ttk.Treeview(left, columns=("code", "status", "done"), show="headings", height=12)
        for col, title, width in (("code", _("Campaign"), 150), ("status", _("Status"), 100),
                                  ("done", _("Done"), 80)):
            self.list.heading(col, text=title)
            self.list.column(col, width=width)
        self.list.pack(fill="y", expand=True)
        self.list.bind("<<TreeviewSelect>>", lambda _e: self._selected())
        self.tabs = ttk.Notebook(self)
        self.tabs.pack(side="left", fill="both", expand=True, padx=(0, 8), pady=8)
        self.editor = CampaignEditor(self.tabs, port, on_saved=self._saved)
        self.work = WorkView(self.tabs, port, open_contact=open_contact)
        self.counters = CountersView(self.tabs, port)
        self.tabs.add(self.editor, text=_("Campaign"))
        self.tabs.add(self.work, text=_("Work"))
        self.tabs.add(self.counters, text=_("Counters"))
        self._unsubscribe = []
        if events is not None:
            self._unsubscribe = [events.subscribe(CampaignWorkChanged, lambda e: self.work.refresh(), deliver=call_soon),
                                 events.subscribe(StoreChanged, self._store_changed, deliver=call_soon)]
        self.protocol("WM_DELETE_WINDOW", self.close)
        self.refresh_list()

    def refresh_list(self) -> None:
        selected = self.campaign_id
        self.list.delete(*self.list.get_children())
        for c in self.port.campaigns():
            n = self.port.counters(c.id)
            self.list.insert("", "end", iid=c.id, values=(c.code, status_labels().get(c.status, c.status),
                                                          f"{n.completed}/{n.total}"))
        if selected and self.list.exists(selected):
            self.list.selection_set(selected)

    def _selected(self) -> None:
        sel = self.list.selection()
        if not sel or sel[0] == self.campaign_id:
            return
        self.select(sel[0])

    def select(self, campaign_id: str) -> None:
        self.campaign_id = campaign_id
        c = next((c for c in self.port.campaigns() if c.id == campaign_id), None)
        self.editor.show(c)
        self.work.show_campaign(campaign_id)
        self.counters.show_campaign(campaign_id)
        if self.list.exists(campaign_id) and self.list.selection() != (campaign_id,):
            self.list.selection_set(campaign_id)

    def new_campaign(self) -> None:
        self.campaign_id = ""
        self.list.selection_remove(*self.list.selection())
        self.editor.show(None)
        self.tabs.select(self.editor)

    def _saved(self, campaign: Any) -> None:
        self.refresh_list()
        self.select(campaign.id)

    def _store_changed(self, event: Any) -> None:
        if event.table not in CAMPAIGN_TABLES or self._refresh_due:
            return
        self._refresh_due = True
        self.after(300, self._refresh)          # a burst of changes: one refresh

    def _refresh(self) -> None:
        self._refresh_due = False
        if not self.winfo_exists():
            return
        self.refresh_list()
        self.counters.refresh()
        self.work.refresh()

    def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        self.port.stop()
        self.destroy()
