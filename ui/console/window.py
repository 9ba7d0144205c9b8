"""The call console window: filter bar, a paged Treeview over the whole call log, the
details pane (CON-4), row actions (CON-5, CON-6) and the statistics tab (REP-3).

Only the rows in view are ever built: a result knows the matching row numbers, and the
tree asks for the next 200 when it is scrolled near its end (a group's rows when the
group is opened). Every query runs on the console's thread; answers come back through
``call_soon``.
"""
from __future__ import annotations

import logging
import tkinter as tk
from datetime import datetime, timedelta
from tkinter import filedialog, messagebox
from typing import Any, Callable

import ttkbootstrap as ttk

from callcore.console_query import (GROUPS, QUICK_RANGES, ConsoleQuery, ConsoleRow, direction_label, quick_range,
                                    status_colours, status_label)
from callcore.i18n import _, _n
from callcore.records import CALL_DIRECTIONS, CALL_STATUSES, CONTACT_TYPES

from ..ports import UiPorts
from .details import details_text
from .stats_view import StatsView

log = logging.getLogger(__name__)
PAGE = 200
STATUSES = CALL_STATUSES + ("scheduled",)    # open scheduled calls are rows too (SCHED-3)
GROUP_ROWS = 500


def column_titles() -> dict[str, str]:
    return {"started": _("Started"), "direction": _("Direction"), "status": _("Status"), "caller": _("From"),
            "called": _("To / line"), "name": _("Name"), "company": _("Company"), "user": _("User"),
            "extension": _("Ext."), "ring": _("Ring"), "talk": _("Talk")}


def quick_labels() -> dict[str, str]:
    return {"today": _("Today"), "yesterday": _("Yesterday"), "this_week": _("This week"),
            "this_month": _("This month"), "last_month": _("Last month"), "this_year": _("This year"),
            "all": _("All dates")}


def group_labels() -> dict[str, str]:
    return {"": _("No grouping"), "contact": _("Contact"), "company": _("Company"), "user": _("User"),
            "day": _("Day"), "status": _("Status"), "line": _("Line")}


def preset_labels() -> dict[str, str]:
    return {"mine": _("My calls"), "group": _("My group"), "all": _("All calls")}


def duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 \
        else f"{seconds // 60}:{seconds % 60:02d}"


def _parse_day(text: str) -> datetime | None:
    text = text.strip()
    return datetime.strptime(text, "%Y-%m-%d") if text else None


class ConsoleWindow(ttk.Toplevel):
    def __init__(self, master: tk.Misc, ports: UiPorts, *, call_soon: Callable[..., None],
                 open_contact: Callable[[str], Any] | None = None,
                 confirm: Callable[[str], bool] | None = None,
                 ask_path: Callable[[str], str] | None = None):
        super().__init__(master)
        self.title(_("Call console"))
        self.geometry("1260x720")
        self.ports = ports
        self.console = ports.console
        self.call_soon = call_soon
        self.open_contact_cb = open_contact
        self.confirm = confirm or (lambda text: messagebox.askyesno(_("Call console"), text, parent=self))
        self.ask_path = ask_path or self._ask_path
        values = ports.settings.settings_values() if ports.settings is not None else {}
        self.colours = status_colours(str(values.get("console", {}).get("status_colours", "")))
        self.office = str(values.get("office", {}).get("name", ""))
        self.result: Any = None
        self.loaded = 0
        self.rows: dict[str, ConsoleRow] = {}
        self.query = ConsoleQuery(*quick_range("this_month"))
        self.sort, self.descending = "started", True
        self.details: Any = None
        self.results_seen = 0            # tests wait on this
        self.details_seen = 0
        self.notebook = ttk.Notebook(self)
        self.notebook.pack(fill="both", expand=True)
        calls = ttk.Frame(self.notebook, padding=6)
        self.notebook.add(calls, text=_("Calls"))
        self._build_filters(calls)
        self._build_table(calls)
        self.stats = StatsView(self.notebook, ports, call_soon=call_soon, query=lambda: self.current_query(),
                               ask_path=lambda kind: self.ask_path(kind), office=self.office)
        self.notebook.add(self.stats, text=_("Statistics"))
        self.notebook.bind("<<NotebookTabChanged>>", lambda _e: self._tab_changed())
        self.bind("<Escape>", lambda _e: self.destroy())
        self.search()

    # ------------------------------------------------------------------ filter bar
    def _build_filters(self, parent: ttk.Frame) -> None:
        bar = ttk.Frame(parent)
        bar.pack(fill="x")
        self.quick = ttk.Combobox(bar, state="readonly", width=12, values=list(quick_labels().values()))
        self.quick.set(quick_labels()["this_month"])
        self.quick.bind("<<ComboboxSelected>>", lambda _e: self._quick_chosen())
        self.from_var, self.to_var = tk.StringVar(), tk.StringVar()
        self.direction = self._combo(bar, [_("Any direction")] + [direction_label(d) for d in CALL_DIRECTIONS], 12)
        self.status = self._combo(bar, [_("Any status")] + [status_label(s) for s in STATUSES], 12)
        self.text_var = tk.StringVar()
        items = [(_("Dates"), self.quick)]
        for label, var in ((_("From"), self.from_var), (_("To"), self.to_var)):
            items.append((label, ttk.Entry(bar, textvariable=var, width=11)))
        items += [(_("Direction"), self.direction), (_("Status"), self.status)]
        self.text_entry = ttk.Entry(bar, textvariable=self.text_var, width=22)
        self.text_entry.bind("<Return>", lambda _e: self.search())
        items.append((_("Name or number"), self.text_entry))
        for column, (label, widget) in enumerate(items):
            ttk.Label(bar, text=label).grid(row=0, column=column, sticky="w", padx=(0, 6))
            widget.grid(row=1, column=column, sticky="we", padx=(0, 6))
        ttk.Button(bar, text=_("Search"), bootstyle="primary", command=self.search).grid(
            row=1, column=len(items), padx=(4, 0))
        more = ttk.Frame(parent)
        more.pack(fill="x", pady=(4, 4))
        presets = self.console.presets()
        self.preset = self._combo(more, [preset_labels()[p] for p in presets], 11)
        self.preset.set(preset_labels()[presets[-1]])
        self._presets = presets
        self.user_var, self.group_var, self.ext_var, self.line_var = (tk.StringVar() for _i in range(4))
        self.campaign = self._combo(more, [_("Any"), _("Campaign calls"), _("Not campaign")], 12)
        self.ctype = self._combo(more, [_("Any type")] + [_(t.replace("_", " ")) for t in CONTACT_TYPES], 13)
        self.group_by = self._combo(more, list(group_labels().values()), 12)
        self.group_by.bind("<<ComboboxSelected>>", lambda _e: self.search())
        items = [(_("Show"), self.preset)]
        for label, var in ((_("User"), self.user_var), (_("Group"), self.group_var), (_("Extension"), self.ext_var),
                           (_("Line / DID"), self.line_var)):
            entry = ttk.Entry(more, textvariable=var, width=12)
            entry.bind("<Return>", lambda _e: self.search())
            items.append((label, entry))
        items += [(_("Campaign"), self.campaign), (_("Contact type"), self.ctype), (_("Group by"), self.group_by)]
        for column, (label, widget) in enumerate(items):
            ttk.Label(more, text=label).grid(row=0, column=column, sticky="w", padx=(0, 6))
            widget.grid(row=1, column=column, sticky="we", padx=(0, 6))
        self._quick_chosen(search=False)

    def _combo(self, parent: tk.Misc, values: list[str], width: int) -> ttk.Combobox:
        box = ttk.Combobox(parent, state="readonly", width=width, values=values)
        box.set(values[0])
        box.bind("<<ComboboxSelected>>", lambda _e: self.search(), add=True)
        return box

    def _quick_chosen(self, search: bool = True) -> None:
        key = {v: k for k, v in quick_labels().items()}.get(self.quick.get(), "this_month")
        start, end = quick_range(key)
        self.from_var.set(start.strftime("%Y-%m-%d") if start else "")
        self.to_var.set((end - timedelta(days=1)).strftime("%Y-%m-%d") if end else "")
        if search:
            self.search()

    def set_quick(self, key: str) -> None:
        self.quick.set(quick_labels()[key])
        self._quick_chosen()

    def current_query(self) -> ConsoleQuery:
        def chosen(box: ttk.Combobox, values: tuple[str, ...]) -> tuple[str, ...]:
            index = box.current()
            return (values[index - 1],) if index > 0 else ()
        try:
            start = _parse_day(self.from_var.get())
            last = _parse_day(self.to_var.get())
        except ValueError:
            self.message.configure(text=_("Dates are YYYY-MM-DD, e.g. 2026-03-14"))
            start = last = None
        split = lambda var: tuple(x.strip() for x in var.get().split(",") if x.strip())  # noqa: E731
        return ConsoleQuery(
            start=start, end=last + timedelta(days=1) if last else None,
            directions=chosen(self.direction, CALL_DIRECTIONS), statuses=chosen(self.status, STATUSES),
            users=split(self.user_var), groups=split(self.group_var), extensions=split(self.ext_var),
            lines=split(self.line_var), campaign=("", "yes", "no")[max(0, self.campaign.current())],
            contact_types=chosen(self.ctype, CONTACT_TYPES), text=self.text_var.get(),
            preset=self._presets[max(0, self.preset.current())], sort=self.sort, descending=self.descending,
            group_by=list(group_labels())[max(0, self.group_by.current())])

    # ------------------------------------------------------------------ table
    def _build_table(self, parent: ttk.Frame) -> None:
        bottom = ttk.Frame(parent)
        bottom.pack(side="bottom", fill="x", pady=(4, 0))
        self.message = ttk.Label(bottom, text="")
        self.message.pack(side="left")
        for label, kind in ((_("Export CSV…"), "csv"), (_("Export to Excel…"), "xlsx"), (_("Print / PDF…"), "pdf")):
            ttk.Button(bottom, text=label, bootstyle="secondary-outline",
                       command=lambda k=kind: self.export(k)).pack(side="right", padx=(4, 0))
        pane = ttk.Panedwindow(parent, orient="horizontal")
        pane.pack(fill="both", expand=True)
        left = ttk.Frame(pane)
        pane.add(left, weight=4)
        columns = list(column_titles())
        self.tree = ttk.Treeview(left, columns=columns[1:], show="tree headings", selectmode="extended")
        widths = {"started": 170, "direction": 95, "status": 95, "caller": 105, "called": 105, "name": 160,
                  "company": 130, "user": 100, "extension": 45, "ring": 50, "talk": 60}
        for name, title in column_titles().items():
            cid = "#0" if name == "started" else name
            self.tree.heading(cid, text=title, command=lambda n=name: self.sort_by(n))
            self.tree.column(cid, width=widths[name], stretch=name in ("name", "company"),
                             anchor="e" if name in ("ring", "talk") else "w")
        for status, colour in self.colours.items():
            self.tree.tag_configure(status, foreground=colour)
        self.tree.tag_configure("group", font=("TkDefaultFont", 9, "bold"))
        scroll = ttk.Scrollbar(left, orient="vertical", command=self.tree.yview)
        self.tree.configure(yscrollcommand=lambda a, b: (scroll.set(a, b), self._scrolled(float(b))))
        self.tree.pack(side="left", fill="both", expand=True)
        scroll.pack(side="left", fill="y")
        self.tree.bind("<<TreeviewSelect>>", lambda _e: self._selected())
        self.tree.bind("<<TreeviewOpen>>", lambda _e: self._group_opened())
        self.tree.bind("<Double-1>", lambda _e: self.call_back())
        self.tree.bind("<Delete>", lambda _e: self.delete_selected())
        right = ttk.Frame(pane, padding=(6, 0, 0, 0))
        pane.add(right, weight=2)
        ttk.Label(right, text=_("Details"), font=("TkDefaultFont", 10, "bold")).pack(anchor="w")
        actions = ttk.Frame(right)
        actions.pack(side="bottom", fill="x", pady=(6, 0))
        self.details_box = tk.Text(right, width=44, height=14, wrap="word", relief="flat", borderwidth=0)
        self.details_box.pack(fill="both", expand=True)
        self.details_box.configure(state="disabled")
        self.buttons: dict[str, ttk.Button] = {}
        for key, label, command, style in (
                ("call_back", _("Call back"), self.call_back, "success"),
                ("contact", _("Open contact"), self.open_contact, "secondary"),
                ("link", _("Link to contact…"), self.link_contact, "secondary"),
                ("schedule", _("Schedule…"), self.schedule, "secondary"),
                ("activity", _("Create activity…"), self.create_activity, "secondary"),
                ("play", _("▶ Play recording"), self.play_recording, "info-outline"),   # issue 11
                ("delete", _("Delete selected"), self.delete_selected, "danger-outline"),
                ("clear", _("Clear all shown…"), self.clear_shown, "danger-outline")):
            button = ttk.Button(actions, text=label, command=command, bootstyle=style)
            button.grid(row=len(self.buttons) // 2, column=len(self.buttons) % 2, sticky="we", padx=1, pady=1)
            self.buttons[key] = button
        actions.columnconfigure((0, 1), weight=1)
        self._update_buttons()

    def sort_by(self, column: str) -> None:
        """A heading click sorts by it; a second click on the same heading reverses."""
        self.descending = not self.descending if column == self.sort else column in ("started", "ring", "talk")
        self.sort = column
        titles = column_titles()
        for name, title in titles.items():
            arrow = (" ▼" if self.descending else " ▲") if name == self.sort else ""
            self.tree.heading("#0" if name == "started" else name, text=title + arrow)
        self.search()

    def search(self) -> None:
        query = self.current_query()
        self.query = query
        self.message.configure(text=_("Searching…"))
        self.console.search(query, lambda result: self.call_soon(self._show, query, result))

    def _show(self, query: ConsoleQuery, result: Any) -> None:
        if not self.winfo_exists() or query != self.query:
            return                       # a newer search was started meanwhile
        self.result = result
        self.results_seen += 1
        self.tree.delete(*self.tree.get_children())
        self.rows.clear()
        self.loaded = 0
        self.details_box.configure(state="normal")      # the selection is gone with the rows
        self.details_box.delete("1.0", "end")
        self.details_box.configure(state="disabled")
        if query.group_by:
            for g, group in enumerate(result.group_rows(0, GROUP_ROWS)):
                item = self.tree.insert("", "end", iid=f"g{g}", text=group.key or _("(none)"), tags=("group",),
                                        values=("", _n("{n} call", "{n} calls", group.calls).format(n=group.calls),
                                                _("answered {n}").format(n=group.answered),
                                                _("missed {n}").format(n=group.missed), "", "", "", "",
                                                duration(group.ring_seconds), duration(group.talk_seconds)))
                self.tree.insert(item, "end", iid=f"g{g}-more", text="…")
        else:
            self._load_more()
        text = _("{shown} of {total} calls · answered {answered} · missed {missed} · talk {talk}").format(
            shown=min(result.total, self.loaded) if not query.group_by else result.total, total=result.total,
            answered=result.totals.answered, missed=result.totals.missed, talk=duration(result.totals.talk_seconds))
        if not result.complete:
            text += " · " + _("reading older months: {done} of {total}").format(
                done=result.months_indexed, total=result.months_total)
            self.after(1500, lambda: self.winfo_exists() and query == self.query and self.search())
        self.message.configure(text=text)
        self._update_buttons()

    def _insert(self, parent: str, iid: str, row: ConsoleRow) -> None:
        self.rows[iid] = row
        self.tree.insert(parent, "end", iid=iid, text=row.started.strftime("%Y-%m-%d %H:%M"), tags=(row.status,),
                         values=(direction_label(row.direction), status_label(row.status), row.caller_number,
                                 row.called_number, row.name, row.company, row.user, row.extension,
                                 duration(row.ring_seconds), duration(row.talk_seconds)))

    def _load_more(self) -> None:
        if self.result is None or self.query.group_by or self.loaded >= self.result.total:
            return
        start = self.loaded
        for offset, row in enumerate(self.result.page(start, PAGE)):
            self._insert("", f"r{start + offset}", row)
        self.loaded = start + PAGE

    def _scrolled(self, last: float) -> None:
        if last > 0.9:
            self._load_more()

    def _group_opened(self) -> None:
        item = self.tree.focus()
        if not item.startswith("g") or "-" in item or not self.tree.exists(f"{item}-more"):
            return
        self.tree.delete(f"{item}-more")
        group = int(item[1:])
        for offset, row in enumerate(self.result.page(0, GROUP_ROWS, group=group)):
            self._insert(item, f"{item}-{offset}", row)

    # ------------------------------------------------------------------ details and actions
    def selected_rows(self) -> list[ConsoleRow]:
        return [self.rows[i] for i in self.tree.selection() if i in self.rows]

    def _selected(self) -> None:
        rows = self.selected_rows()
        self._update_buttons()
        if len(rows) != 1:
            return
        row = rows[0]
        self.console.details(row.id, row.month, lambda d: self.call_soon(self._show_details, row, d))

    def _show_details(self, row: ConsoleRow, details: Any) -> None:
        if not self.winfo_exists():
            return
        self.details = details
        self.details_seen += 1
        text = details_text(details, row) if details is not None else _("This call is no longer in the log.")
        self.details_box.configure(state="normal")
        self.details_box.delete("1.0", "end")
        self.details_box.insert("1.0", text)
        self.details_box.configure(state="disabled")
        self.recorded = None                 # issue 11: ▶ only once the recording is found
        recordings = getattr(self.ports, "recordings", None)
        if details is not None and recordings is not None:
            recordings.check([details.record], lambda ids: self.call_soon(self._recording_known, row, details, ids))
        self._update_buttons()

    def _recording_known(self, row: ConsoleRow, details: Any, ids: set[str]) -> None:
        if self.winfo_exists() and self.details is details and details.record.id in ids:
            self.recorded = details.record
            self._update_buttons()

    def play_recording(self) -> None:
        recordings = getattr(self.ports, "recordings", None)
        if self.recorded is not None and recordings is not None:
            problem = recordings.play(self.recorded)
            self.message.configure(text=problem or _("Playing the recording…"))

    def _update_buttons(self) -> None:
        rows = self.selected_rows()
        one = rows[0] if len(rows) == 1 else None
        state = lambda ok: "normal" if ok else "disabled"  # noqa: E731
        self.buttons["call_back"].configure(state=state(one is not None and self.ports.dial is not None
                                                        and bool(one.number)))
        self.buttons["contact"].configure(state=state(one is not None and bool(one.contact_id)))
        self.buttons["link"].configure(state=state(one is not None and self.ports.activities is not None))
        self.buttons["schedule"].configure(state=state(one is not None and self.ports.schedule is not None))
        self.buttons["activity"].configure(state=state(one is not None and self.ports.activities is not None))
        self.buttons["delete"].configure(state=state(bool(rows)))
        recorded = getattr(self, "recorded", None)
        self.buttons["play"].configure(state=state(one is not None and recorded is not None
                                                   and self.details is not None and self.details.record is recorded))
        self.buttons["clear"].configure(state=state(self.result is not None and self.result.total > 0))

    def call_back(self) -> None:
        rows = self.selected_rows()
        if len(rows) == 1 and rows[0].number and self.ports.dial is not None:
            self.ports.dial.dial(rows[0].number)
            self.message.configure(text=_("Calling {number}…").format(number=rows[0].number))

    def open_contact(self) -> Any:
        rows = self.selected_rows()
        if len(rows) != 1 or not rows[0].contact_id:
            return None
        if self.open_contact_cb is not None:
            return self.open_contact_cb(rows[0].contact_id)
        from ..contact_card import ContactCard
        return ContactCard(self, contacts=self.ports.contacts, dial=self.ports.dial, contact_id=rows[0].contact_id)

    def link_contact(self) -> Any:
        rows = self.selected_rows()
        if len(rows) != 1 or self.ports.activities is None:
            return None
        from .link_dialog import LinkDialog
        return LinkDialog(self, self.ports, rows[0], on_linked=lambda: self.search())

    def schedule(self) -> Any:
        rows = self.selected_rows()
        if len(rows) != 1 or self.ports.schedule is None:
            return None
        from ..schedule_dialog import ScheduleDialog
        row = rows[0]
        return ScheduleDialog(self, self.ports.schedule, contacts=self.ports.contacts, number=row.number,
                              contact_id=row.contact_id, contact_name=row.name, call_id=row.id)

    def create_activity(self) -> Any:
        rows = self.selected_rows()
        if len(rows) != 1 or self.ports.activities is None:
            return None
        from ..activity_dialog import ActivityDialog
        row = rows[0]
        return ActivityDialog(self, self.ports.activities, call_id=row.id, contact_id=row.contact_id,
                              contact_name=row.name, number=row.number)

    def delete_selected(self) -> None:
        rows = [r for r in self.selected_rows() if r.status != "scheduled"]   # the schedule's own
        if not rows or not self.confirm(_("Delete {n} selected calls from the console?").format(n=len(rows))):
            return
        try:
            self.console.delete([r.id for r in rows], [r.user for r in rows])
        except Exception as exc:  # noqa: BLE001 - PermissionDenied and store refusals: say why
            self.message.configure(text=str(exc))
            return
        self.search()

    def clear_shown(self) -> None:
        if self.result is None or not self.confirm(
                _("Delete all {n} calls shown (those your role allows)?").format(n=self.result.total)):
            return
        self.console.clear(self.result, lambda n: self.call_soon(self._cleared, n))

    def _cleared(self, outcome: Any) -> None:
        if not self.winfo_exists():
            return
        if isinstance(outcome, Exception):
            self.message.configure(text=str(outcome))
            return
        self.search()

    def _ask_path(self, kind: str) -> str:
        ext = {"pdf": ".pdf", "stats-pdf": ".pdf", "xlsx": ".xlsx", "csv": ".csv"}[kind]
        return filedialog.asksaveasfilename(parent=self, defaultextension=ext,
                                            filetypes=[(ext[1:].upper(), "*" + ext)]) or ""

    def export(self, kind: str) -> None:
        if self.result is None:
            return
        path = self.ask_path(kind)
        if not path:
            return
        self.message.configure(text=_("Writing {path}…").format(path=path))
        self.console.export(self.result, path, kind, lambda r: self.call_soon(self._exported, r), office=self.office)

    def _exported(self, outcome: Any) -> None:
        if self.winfo_exists():
            self.message.configure(text=str(outcome) if isinstance(outcome, Exception)
                                   else _("Saved {path}").format(path=outcome))

    def _tab_changed(self) -> None:
        if self.notebook.index("current") == 1:
            self.stats.refresh()
