"""Activities / tasks (CON-6, POP-3): the dialog that makes one from a popup or a logged
call (type from the office's list, subject, due date, who, notes; linked to the call and
the contact), and the ``Activities`` list (mine / my group / all as the role allows, open /
done), where one is marked done. Refusals by role are shown in the window."""
from __future__ import annotations

import logging
import tkinter as tk
from datetime import datetime
from typing import Any, Callable

import ttkbootstrap as ttk

from callcore import locale_format
from callcore.i18n import _
from callcore.records import Activity

from .tool_window import ToolWindow
from .ports import ActivitiesPort

log = logging.getLogger(__name__)


def scope_label(scope: str) -> str:
    return {"mine": _("Mine"), "group": _("My group"), "all": _("All")}.get(scope, scope)


def status_label(status: str) -> str:
    return {"open": _("Open"), "done": _("Done"), "all": _("All")}.get(status, status)


class ActivityDialog(ToolWindow, ttk.Toplevel):
    """A new activity, opened by the operator (takes the keyboard)."""

    def __init__(self, master: tk.Misc, activities: ActivitiesPort, *, call_id: str = "",
                 contact_id: str = "", contact_name: str = "", number: str = "",
                 on_saved: Callable[[Activity], None] | None = None,
                 on_closed: Callable[["ActivityDialog"], None] | None = None):
        self.activities = activities
        self.call_id, self.contact_id, self.number = call_id, contact_id, number
        self._on_saved, self._on_closed = on_saved, on_closed
        self.closed = False
        self.saved: Activity | None = None
        about = contact_name or number
        super().__init__(title=_("New activity — {about}").format(about=about) if about else _("New activity"),
                         master=master, resizable=(True, False))
        self.protocol("WM_DELETE_WINDOW", self.close)
        self.bind("<Escape>", lambda _e: (self.close(), "break")[1])
        self.bind("<Control-s>", lambda _e: (self.save(), "break")[1])
        self.bind("<Control-S>", lambda _e: (self.save(), "break")[1])
        frame = ttk.Frame(self, padding=12)
        frame.pack(fill="both", expand=True)
        frame.columnconfigure(1, weight=1)
        rows = [(_("Type"), "type"), (_("Subject"), "subject"), (_("Due date"), "due"), (_("For"), "user"),
                (_("Notes"), "notes")]
        types = activities.types()
        self.type_var = tk.StringVar(value=types[0] if types else "")
        self.subject_var = tk.StringVar()
        self.due_var = tk.StringVar()
        try:
            users = activities.assignable_users()
        except Exception:  # noqa: BLE001
            users = []
        self.user_var = tk.StringVar(value=users[0] if users else "")
        for row, (text, key) in enumerate(rows):
            ttk.Label(frame, text=text).grid(row=row, column=0, sticky="nw", padx=(0, 8), pady=3)
            if key == "type":
                self.type_box = ttk.Combobox(frame, textvariable=self.type_var, values=types, state="readonly")
                self.type_box.grid(row=row, column=1, sticky="w")
            elif key == "subject":
                self.subject_entry = ttk.Entry(frame, textvariable=self.subject_var, width=40)
                self.subject_entry.grid(row=row, column=1, sticky="ew")
            elif key == "due":
                self.due_entry = ttk.Entry(frame, textvariable=self.due_var, width=12)
                self.due_entry.grid(row=row, column=1, sticky="w")
                ttk.ToolTip(self.due_entry, text=_("YYYY-MM-DD; empty: no due date"))
            elif key == "user":
                self.user_box = ttk.Combobox(frame, textvariable=self.user_var, values=users,
                                             state="readonly" if len(users) > 1 else "disabled")
                self.user_box.grid(row=row, column=1, sticky="w")
            else:
                self.notes = tk.Text(frame, height=4, width=40, wrap="word", undo=True)
                self.notes.grid(row=row, column=1, sticky="nsew", pady=3)
        if about:
            ttk.Label(frame, text=_("Linked to {about}").format(about=about)
                      + (_(" and this call") if call_id else ""), bootstyle="secondary").grid(
                row=len(rows), column=0, columnspan=2, sticky="w")
        self.error_var = tk.StringVar()
        ttk.Label(frame, textvariable=self.error_var, bootstyle="danger", wraplength=380,
                  justify="left").grid(row=len(rows) + 1, column=0, columnspan=2, sticky="w")
        buttons = ttk.Frame(frame)
        buttons.grid(row=len(rows) + 2, column=0, columnspan=2, sticky="e", pady=(8, 0))
        ttk.Button(buttons, text=_("Cancel"), bootstyle="secondary", command=self.close).pack(side="right")
        self.save_button = ttk.Button(buttons, text=_("Save"), bootstyle="primary", command=self.save)
        self.save_button.pack(side="right", padx=(0, 8))
        self.subject_entry.focus_force()

    def save(self) -> Activity | None:
        due = self.due_var.get().strip()
        try:
            due_at = None
            if due:
                try:
                    due_at = datetime.strptime(due, "%Y-%m-%d").replace(hour=9).astimezone().isoformat(
                        timespec="seconds")
                except ValueError:
                    raise ValueError(_("Due date: type it as YYYY-MM-DD, e.g. 2026-12-01.")) from None
            saved = self.activities.create(
                self.subject_var.get(), type=self.type_var.get(), due_at=due_at, user=self.user_var.get() or None,
                call_id=self.call_id, contact_id=self.contact_id, number=self.number,
                notes=self.notes.get("1.0", "end-1c"))
        except Exception as exc:  # noqa: BLE001 - RecordError, PermissionDenied: said here
            self.error_var.set(str(exc))
            return None
        self.saved = saved
        if self._on_saved is not None:
            self._on_saved(saved)
        self.close()
        return saved



class ActivitiesWindow(ToolWindow, ttk.Toplevel):
    """``Activities``: mine / my group / all (by role), open / done; Mark done (Ctrl+D)."""

    COLUMNS = ("due", "type", "subject", "user", "status", "number")

    def __init__(self, master: tk.Misc, activities: ActivitiesPort, *,
                 subscribe: Callable[[type, Callable[[Any], None]], Callable[[], None]] | None = None,
                 on_closed: Callable[["ActivitiesWindow"], None] | None = None):
        self.activities = activities
        self._on_closed = on_closed
        self.closed = False
        self.rows: list[Activity] = []
        super().__init__(title=_("Activities"), master=master, size=(760, 420))
        self.protocol("WM_DELETE_WINDOW", self.close)
        self.bind("<Escape>", lambda _e: self.close())
        top = ttk.Frame(self, padding=(10, 8))
        top.pack(fill="x")
        scopes = activities.scopes()
        self.scope_var = tk.StringVar(value=scopes[0])
        for scope in scopes:
            ttk.Radiobutton(top, text=scope_label(scope), value=scope, variable=self.scope_var,
                            bootstyle="toolbutton", command=self.refresh).pack(side="left")
        self.status_var = tk.StringVar(value="open")
        for status in ("open", "done", "all"):
            ttk.Radiobutton(top, text=status_label(status), value=status, variable=self.status_var,
                            bootstyle="toolbutton-outline", command=self.refresh).pack(side="left", padx=(8 if status == "open" else 0, 0))
        self.done_button = ttk.Button(top, text=_("Mark done"), command=self.mark_done)
        self.done_button.pack(side="right")
        ttk.ToolTip(self.done_button, text=_("Mark the selected activity done (Ctrl+D)"))
        self.table = ttk.Treeview(self, columns=self.COLUMNS, show="headings", selectmode="browse")
        for key, text, width in (("due", _("Due"), 110), ("type", _("Type"), 100), ("subject", _("Subject"), 220),
                                 ("user", _("For"), 100), ("status", _("Status"), 70), ("number", _("Number"), 120)):
            self.table.heading(key, text=text)
            self.table.column(key, width=width, stretch=key == "subject")
        self.table.tag_configure("done", foreground="#7b8a8b")
        self.table.pack(fill="both", expand=True, padx=10)
        self.error_var = tk.StringVar()
        ttk.Label(self, textvariable=self.error_var, bootstyle="danger").pack(anchor="w", padx=10, pady=4)
        self.bind("<Control-d>", lambda _e: (self.mark_done(), "break")[1])
        self._unsubscribe = None
        if subscribe is not None:
            from callcore.events import StoreChanged
            self._unsubscribe = subscribe(StoreChanged, self._store_changed)
        self.refresh()
        self.table.focus_set()

    def _store_changed(self, event: Any) -> None:
        if event.table == "activities" and not self.closed:
            self.refresh()

    def refresh(self) -> None:
        try:
            self.rows = list(self.activities.list(self.scope_var.get(), self.status_var.get()))
            self.error_var.set("")
        except Exception as exc:  # noqa: BLE001
            self.rows = []
            self.error_var.set(str(exc))
        self.table.delete(*self.table.get_children())
        for i, a in enumerate(self.rows):
            due = locale_format.format_day(datetime.fromisoformat(a.due_at).astimezone(), year=True,
                                           english="%Y-%m-%d") if a.due_at else ""
            self.table.insert("", "end", iid=str(i), tags=(a.status,),
                              values=(due, a.type, a.subject, a.user, status_label(a.status), a.number))
        children = self.table.get_children()
        if children:
            self.table.selection_set(children[0])
            self.table.focus(children[0])

    def selected(self) -> Activity | None:
        selection = self.table.selection()
        return self.rows[int(selection[0])] if selection else None

    def mark_done(self) -> None:
        activity = self.selected()
        if activity is None:
            return
        try:
            self.activities.set_done(activity.id, activity.status != "done")
        except Exception as exc:  # noqa: BLE001
            self.error_var.set(str(exc))
            return
        self.refresh()

