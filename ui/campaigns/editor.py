"""The campaign editor (CAMP-1, CAMP-2): code, description, active, script, planned dates,
status, assignee, outcomes and retry policy; the entries with add by hand, import with
the column-mapping step and selection from the directory."""
from __future__ import annotations

import tkinter as tk
from datetime import datetime
from tkinter import filedialog, messagebox
from typing import Any, Callable

import ttkbootstrap as ttk

from callcore.i18n import _
from callcore.records import CAMPAIGN_STATUSES, CONTACT_TYPES, Campaign, RecordError

from .import_dialog import MappingDialog


def status_labels() -> dict[str, str]:
    return {"not_started": _("not started"), "in_progress": _("in progress"), "finished": _("finished")}


def report_text(report: Any) -> str:
    lines = [_("{added} entries added, {dups} duplicates in the input, {listed} already in the list, "
               "{rejected} rejected").format(added=len(report.added), dups=len(report.duplicates),
                                             listed=len(report.already_listed), rejected=len(report.rejected))]
    for row, number, name in report.duplicates[:20]:
        lines.append(_("row {row}: {number} ({name}) is in the input twice").format(row=row, number=number, name=name))
    for row, number, name in report.already_listed[:20]:
        lines.append(_("row {row}: {number} is already in the list ({name})").format(row=row, number=number, name=name))
    for row, reason in report.rejected[:20]:
        lines.append(_("row {row}: {reason}").format(row=row, reason=reason))
    return "\n".join(lines)


def _local(iso: str | None) -> str:
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")


def _iso(text: str, field: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise RecordError("Campaign", field, _("not a date and time (e.g. 2026-12-01 09:30): {value!r}").format(
            value=text)) from None
    return (value if value.tzinfo else value.astimezone()).isoformat(timespec="seconds")


class CampaignEditor(ttk.Frame):
    """One campaign's settings and its list."""

    def __init__(self, master: tk.Misc, port: Any, on_saved: Callable[[Campaign], None]):
        super().__init__(master, padding=8)
        self.port = port
        self.on_saved = on_saved
        self.campaign: Campaign | None = None
        self.vars: dict[str, tk.Variable] = {}
        form = ttk.Frame(self)
        form.pack(fill="x")
        rows = [("code", _("Code")), ("description", _("Description")), ("start_at", _("Planned start")),
                ("end_at", _("Planned end")), ("assigned_user", _("Assigned user")),
                ("assigned_group", _("Assigned group")), ("max_tries", _("Maximum tries")),
                ("retry_minutes", _("Minutes between tries"))]
        for i, (name, label) in enumerate(rows):
            ttk.Label(form, text=label).grid(row=i // 2, column=(i % 2) * 2, sticky="w", padx=(0, 6), pady=2)
            var = self.vars[name] = tk.StringVar()
            ttk.Entry(form, textvariable=var, width=24).grid(
                row=i // 2, column=(i % 2) * 2 + 1, sticky="we", pady=2, padx=(0, 12))
        r = len(rows) // 2
        ttk.Label(form, text=_("Outcomes")).grid(row=r, column=0, sticky="w", padx=(0, 6), pady=2)
        self.vars["outcomes"] = tk.StringVar()
        ttk.Entry(form, textvariable=self.vars["outcomes"]).grid(row=r, column=1, columnspan=3, sticky="we",
                                                                 pady=2, padx=(0, 12))
        form.columnconfigure(1, weight=1)
        form.columnconfigure(3, weight=1)
        r += 1
        self.vars["active"] = tk.BooleanVar(value=True)
        ttk.Checkbutton(form, text=_("Active"), variable=self.vars["active"]).grid(row=r, column=0, sticky="w")
        ttk.Label(form, text=_("Status")).grid(row=r, column=2, sticky="w")
        self.status_var = tk.StringVar()
        self.status_box = ttk.Combobox(form, textvariable=self.status_var, state="readonly",
                                       values=[status_labels()[s] for s in CAMPAIGN_STATUSES], width=20)
        self.status_box.grid(row=r, column=3, sticky="w")
        ttk.Label(self, text=_("Script / message for the caller")).pack(anchor="w", pady=(6, 0))
        self.script = tk.Text(self, height=3, wrap="word")
        self.script.pack(fill="x")
        bar = ttk.Frame(self)
        bar.pack(fill="x", pady=6)
        ttk.Button(bar, text=_("Save campaign"), command=self.save, bootstyle="primary").pack(side="left")
        self.message = ttk.Label(bar, text="", bootstyle="danger")
        self.message.pack(side="left", padx=8)

        entries = ttk.Labelframe(self, text=_("Entries"), padding=6)
        entries.pack(fill="both", expand=True)
        add = ttk.Frame(entries)
        add.pack(fill="x")
        self.new_name, self.new_number, self.new_comment = tk.StringVar(), tk.StringVar(), tk.StringVar()
        for label, var, width in ((_("Name"), self.new_name, 22), (_("Phone"), self.new_number, 16),
                                  (_("Comment"), self.new_comment, 22)):
            ttk.Label(add, text=label).pack(side="left", padx=(0, 3))
            ttk.Entry(add, textvariable=var, width=width).pack(side="left", padx=(0, 8))
        ttk.Button(add, text=_("Add"), command=self.add_by_hand).pack(side="left")
        ttk.Button(add, text=_("Import…"), command=self.import_file).pack(side="left", padx=4)
        ttk.Button(add, text=_("From the directory…"), command=self.from_directory).pack(side="left")
        ttk.Button(add, text=_("Remove"), command=self.remove_selected, bootstyle="secondary").pack(side="left", padx=4)
        self.table = ttk.Treeview(entries, columns=("no", "name", "number", "comment"), show="headings", height=6)
        for col, title, width in (("no", _("No."), 50), ("name", _("Name"), 200), ("number", _("Phone"), 140),
                                  ("comment", _("Comment"), 220)):
            self.table.heading(col, text=title)
            self.table.column(col, width=width, stretch=col in ("name", "comment"))
        self.report = ttk.Label(entries, text="", justify="left")
        self.report.pack(side="bottom", anchor="w")
        self.table.pack(fill="both", expand=True, pady=4)
        self.show(None)

    # -- campaign -----------------------------------------------------------------------
    def show(self, campaign: Campaign | None) -> None:
        self.campaign = campaign
        c = campaign or Campaign(code="")
        for name in ("code", "description", "assigned_user", "assigned_group", "outcomes"):
            self.vars[name].set(getattr(c, name))
        self.vars["start_at"].set(_local(c.start_at))
        self.vars["end_at"].set(_local(c.end_at))
        self.vars["max_tries"].set(str(c.max_tries))
        self.vars["retry_minutes"].set(str(c.retry_minutes))
        self.vars["active"].set(c.active)
        self.status_var.set(status_labels()[c.status])
        self.script.delete("1.0", "end")
        self.script.insert("1.0", c.script)
        self.message.configure(text="")
        self.report.configure(text="")
        self.refresh_entries()

    def save(self) -> Campaign | None:
        base = self.campaign.to_dict() if self.campaign else {}
        try:
            values = {name: self.vars[name].get().strip() for name in
                      ("code", "description", "assigned_user", "assigned_group", "outcomes")}
            status = {v: k for k, v in status_labels().items()}.get(self.status_var.get(), "not_started")
            try:
                tries, minutes = int(self.vars["max_tries"].get()), int(self.vars["retry_minutes"].get())
            except ValueError:
                raise RecordError("Campaign", "max_tries", _("must be a whole number")) from None
            campaign = Campaign.from_dict({**base, **values, "active": bool(self.vars["active"].get()),
                                           "status": status, "max_tries": tries, "retry_minutes": minutes,
                                           "script": self.script.get("1.0", "end").strip(),
                                           "start_at": _iso(self.vars["start_at"].get(), "start_at"),
                                           "end_at": _iso(self.vars["end_at"].get(), "end_at")})
            campaign.validate()
            saved = self.port.save_campaign(campaign)
        except (RecordError, LookupError) as exc:
            self.message.configure(text=str(exc))
            return None
        self.campaign = saved
        self.message.configure(text="")
        self.on_saved(saved)
        return saved

    # -- entries ------------------------------------------------------------------------
    def refresh_entries(self) -> None:
        self.table.delete(*self.table.get_children())
        if self.campaign is None:
            return
        for i, e in enumerate(self.port.entries(self.campaign.id)[:5000], start=1):
            self.table.insert("", "end", iid=e.id, values=(i, e.name, e.number, e.comment))

    def _need_campaign(self) -> bool:
        if self.campaign is None and self.save() is None:
            return False
        return True

    def _added(self, report: Any) -> None:
        self.report.configure(text=report_text(report))
        self.refresh_entries()

    def add_by_hand(self) -> None:
        if not self._need_campaign():
            return
        report = self.port.add_entries(self.campaign.id, [{"name": self.new_name.get(), "number": self.new_number.get(),
                                                          "comment": self.new_comment.get()}])
        if report.added:
            for var in (self.new_name, self.new_number, self.new_comment):
                var.set("")
        self._added(report)

    def import_file(self, path: str | None = None) -> Any:
        if not self._need_campaign():
            return None
        path = path or filedialog.askopenfilename(parent=self, title=_("Import entries"), filetypes=[
            (_("Excel or CSV"), "*.xlsx *.xlsm *.csv *.txt"), (_("All files"), "*")])
        if not path:
            return None
        try:
            headers, guessed, sample = self.port.preview_file(path)
        except (ValueError, OSError) as exc:
            messagebox.showerror(_("Import entries"), str(exc), parent=self)
            return None
        return MappingDialog(self, headers, guessed, sample,
                             on_ok=lambda mapping: self._added(self.port.import_file(self.campaign.id, path, mapping)))

    def from_directory(self) -> Any:
        if not self._need_campaign():
            return None
        return DirectoryFilter(self, on_ok=lambda f: self._added(self.port.select_contacts(self.campaign.id, **f)))

    def remove_selected(self) -> None:
        if self.campaign is None:
            return
        for iid in self.table.selection():
            self.port.remove_entry(self.campaign.id, iid)
        self.refresh_entries()


class DirectoryFilter(ttk.Toplevel):
    """Pick contacts from the directory: type, city, company, last call older than N days."""

    def __init__(self, master: tk.Misc, on_ok: Callable[[dict[str, Any]], None]):
        super().__init__(master=master, title=_("Entries from the directory"))
        self.transient(master.winfo_toplevel())
        self.on_ok = on_ok
        body = ttk.Frame(self, padding=10)
        body.pack(fill="both", expand=True)
        self.type_var, self.city_var, self.company_var, self.days_var = (tk.StringVar(), tk.StringVar(),
                                                                         tk.StringVar(), tk.StringVar(value="0"))
        ttk.Label(body, text=_("Type")).grid(row=0, column=0, sticky="w")
        ttk.Combobox(body, textvariable=self.type_var, values=("",) + CONTACT_TYPES, state="readonly").grid(
            row=0, column=1, sticky="we", pady=2)
        for r, (label, var) in enumerate(((_("City"), self.city_var), (_("Company"), self.company_var),
                                          (_("Last call older than (days)"), self.days_var)), start=1):
            ttk.Label(body, text=label).grid(row=r, column=0, sticky="w", padx=(0, 6))
            ttk.Entry(body, textvariable=var).grid(row=r, column=1, sticky="we", pady=2)
        self.message = ttk.Label(body, text="", bootstyle="danger")
        self.message.grid(row=4, column=0, columnspan=2, sticky="w")
        bar = ttk.Frame(body)
        bar.grid(row=5, column=0, columnspan=2, sticky="e", pady=(8, 0))
        ttk.Button(bar, text=_("Add to the list"), command=self.ok, bootstyle="primary").pack(side="left", padx=4)
        ttk.Button(bar, text=_("Cancel"), command=self.destroy, bootstyle="secondary").pack(side="left")

    def ok(self) -> None:
        try:
            days = int(self.days_var.get() or 0)
        except ValueError:
            self.message.configure(text=_("Days must be a whole number"))
            return
        self.on_ok({"type": self.type_var.get(), "city": self.city_var.get(), "company": self.company_var.get(),
                    "not_called_days": days})
        self.destroy()
