"""Schedule a call (SCHED-1): from a popup, the calls table, the schedule view or from
nothing (number typed). Date and time with quick choices (in 1 hour, tomorrow 9:00), the
number and its contact, a note, who it is for (oneself or, as the role allows, someone
else) and a priority. Also edits an existing scheduled call.

The feature behind ``SchedulePort`` applies the role rules: a refusal is shown in the
dialog, next to the buttons, and nothing is lost.
"""
from __future__ import annotations

import logging
import tkinter as tk
from datetime import datetime
from typing import Any, Callable

import ttkbootstrap as ttk

from callcore.i18n import _
from callcore.records import ScheduledCall

from .tool_window import ToolWindow
from .ports import ContactsPort, SchedulePort

log = logging.getLogger(__name__)


def priority_labels() -> list[str]:
    return [_("Low"), _("Normal"), _("High")]


def parse_local(date_text: str, time_text: str) -> datetime:
    """``YYYY-MM-DD`` and ``HH:MM`` typed by the operator, as local time. ValueError with
    a sentence when either cannot be read."""
    try:
        day = datetime.strptime(date_text.strip(), "%Y-%m-%d")
    except ValueError:
        raise ValueError(_("Date: type it as YYYY-MM-DD, e.g. 2026-12-01.")) from None
    try:
        clock = datetime.strptime(time_text.strip(), "%H:%M")
    except ValueError:
        raise ValueError(_("Time: type it as HH:MM, e.g. 09:30.")) from None
    return day.replace(hour=clock.hour, minute=clock.minute).astimezone()


class ScheduleDialog(ToolWindow, ttk.Toplevel):
    """One scheduled call, new or edited. The operator opened it: it takes the keyboard."""

    def __init__(self, master: tk.Misc, schedule: SchedulePort, *,
                 contacts: ContactsPort | None = None, number: str = "", contact_id: str = "",
                 contact_name: str = "", call_id: str = "", item: ScheduledCall | None = None,
                 on_saved: Callable[[ScheduledCall], None] | None = None,
                 on_closed: Callable[["ScheduleDialog"], None] | None = None):
        self.schedule = schedule
        self.contacts = contacts
        self.item = item
        self.call_id = call_id
        self.contact_id = item.contact_id if item else contact_id
        self.contact_name = item.contact_name if item else contact_name
        self._on_saved = on_saved
        self._on_closed = on_closed
        self.closed = False
        self.saved: ScheduledCall | None = None
        number = item.number if item else number
        title = (_("Scheduled call — {number}").format(number=number) if item
                 else _("Schedule a call"))
        super().__init__(title=title, master=master, resizable=(True, False))
        self.protocol("WM_DELETE_WINDOW", self.close)
        self._build(number)
        self.bind("<Escape>", lambda _e: (self.close(), "break")[1])
        self.bind("<Control-s>", lambda _e: (self.save(), "break")[1])
        self.bind("<Control-S>", lambda _e: (self.save(), "break")[1])
        self.bind("<Return>", self._enter)
        (self.number_entry if not number else self.note).focus_force()

    # -- layout ---------------------------------------------------------------------------------
    def _build(self, number: str) -> None:
        frame = ttk.Frame(self, padding=12)
        frame.pack(fill="both", expand=True)
        frame.columnconfigure(1, weight=1)
        row = 0

        def label(text: str) -> None:
            ttk.Label(frame, text=text).grid(row=row, column=0, sticky="w", pady=3, padx=(0, 8))

        label(_("Number"))
        self.number_var = tk.StringVar(value=number)
        self.number_entry = ttk.Entry(frame, textvariable=self.number_var, width=24)
        self.number_entry.grid(row=row, column=1, sticky="ew")
        row += 1
        label(_("Contact"))
        contact_row = ttk.Frame(frame)
        contact_row.grid(row=row, column=1, sticky="ew")
        self.contact_var = tk.StringVar(value=self.contact_name or _("(none)"))
        self.contact_label = ttk.Label(contact_row, textvariable=self.contact_var)
        self.contact_label.pack(side="left")
        if self.contacts is not None:
            self.find_var = tk.StringVar()
            self.find_box = ttk.Combobox(contact_row, textvariable=self.find_var, width=22)
            self.find_box.pack(side="right")
            ttk.ToolTip(self.find_box, text=_("Type a name to find the contact, then pick it"))
            self.find_box.bind("<KeyRelease>", self._find_contacts)
            self.find_box.bind("<<ComboboxSelected>>", self._contact_picked)
            self._found: list[Any] = []
        row += 1
        label(_("Date"))
        when_row = ttk.Frame(frame)
        when_row.grid(row=row, column=1, sticky="ew")
        start = (datetime.fromisoformat(self.item.reminder_at).astimezone() if self.item
                 else self.schedule.quick_choices()[0][1])
        self.date_var = tk.StringVar(value=start.strftime("%Y-%m-%d"))
        self.time_var = tk.StringVar(value=start.strftime("%H:%M"))
        self.date_entry = ttk.Entry(when_row, textvariable=self.date_var, width=11)
        self.date_entry.pack(side="left")
        ttk.Label(when_row, text=_("Time")).pack(side="left", padx=(10, 4))
        self.time_entry = ttk.Entry(when_row, textvariable=self.time_var, width=6)
        self.time_entry.pack(side="left")
        row += 1
        quick_row = ttk.Frame(frame)
        quick_row.grid(row=row, column=1, sticky="w", pady=(0, 4))
        self.quick_buttons = []
        for text, when in self.schedule.quick_choices():
            button = ttk.Button(quick_row, text=text, bootstyle="primary-outline",
                                command=lambda w=when: self.set_when(w))
            button.pack(side="left", padx=(0, 6))
            self.quick_buttons.append(button)
        row += 1
        label(_("For"))
        users = self.schedule.assignable_users()
        current = self.item.assigned_user if self.item else (users[0] if users else "")
        if current and current not in users:
            users = [current] + users
        self.user_var = tk.StringVar(value=current)
        self.user_box = ttk.Combobox(frame, textvariable=self.user_var, values=users,
                                     state="readonly" if len(users) > 1 else "disabled", width=22)
        self.user_box.grid(row=row, column=1, sticky="w")
        row += 1
        label(_("Priority"))
        self.priority_var = tk.StringVar(value=priority_labels()[self.item.priority if self.item else 1])
        self.priority_box = ttk.Combobox(frame, textvariable=self.priority_var, values=priority_labels(),
                                         state="readonly", width=10)
        self.priority_box.grid(row=row, column=1, sticky="w")
        row += 1
        label(_("Note"))
        self.note = tk.Text(frame, height=4, width=40, wrap="word", undo=True)
        self.note.grid(row=row, column=1, sticky="nsew", pady=3)
        if self.item is not None:
            self.note.insert("1.0", self.item.notes)
        row += 1
        self.error_var = tk.StringVar()
        self.error_label = ttk.Label(frame, textvariable=self.error_var, bootstyle="danger",
                                     wraplength=380, justify="left")
        self.error_label.grid(row=row, column=0, columnspan=2, sticky="w")
        row += 1
        buttons = ttk.Frame(frame)
        buttons.grid(row=row, column=0, columnspan=2, sticky="e", pady=(8, 0))
        self.cancel_button = ttk.Button(buttons, text=_("Cancel"), bootstyle="secondary", command=self.close)
        self.cancel_button.pack(side="right")
        self.save_button = ttk.Button(buttons, text=_("Save"), bootstyle="primary", command=self.save)
        self.save_button.pack(side="right", padx=(0, 8))
        ttk.ToolTip(self.save_button, text=_("Save (Ctrl+S)"))

    # -- actions --------------------------------------------------------------------------------
    def set_when(self, when: datetime) -> None:
        local = when.astimezone()
        self.date_var.set(local.strftime("%Y-%m-%d"))
        self.time_var.set(local.strftime("%H:%M"))

    def _find_contacts(self, _event=None) -> None:
        text = self.find_var.get().strip()
        if self.contacts is None or len(text) < 2:
            return
        self._found = list(self.contacts.search(text, limit=20))
        self.find_box.configure(values=[c.name for c in self._found])

    def _contact_picked(self, _event=None) -> None:
        index = self.find_box.current()
        if 0 <= index < len(self._found):
            contact = self._found[index]
            self.contact_id, self.contact_name = contact.id, contact.name
            self.contact_var.set(contact.name)
            if not self.number_var.get().strip() and contact.phones:
                self.number_var.set(contact.phones[0].number)

    def _enter(self, event) -> str | None:
        if isinstance(event.widget, tk.Text):
            return None                     # a new line in the note
        if event.widget in (self.cancel_button,):
            self.close()
        else:
            self.save()
        return "break"

    def when(self) -> datetime:
        return parse_local(self.date_var.get(), self.time_var.get())

    def save(self) -> ScheduledCall | None:
        try:
            when = self.when()
            priority = priority_labels().index(self.priority_var.get())
            notes = self.note.get("1.0", "end-1c")
            if self.item is None:
                saved = self.schedule.schedule(
                    self.number_var.get(), when, contact_id=self.contact_id, contact_name=self.contact_name,
                    assigned_user=self.user_var.get() or None, notes=notes, priority=priority,
                    call_id=self.call_id)
            else:
                item = self.schedule.get(self.item.id)
                item.number = self.number_var.get().strip()
                item.contact_id, item.contact_name = self.contact_id, self.contact_name
                item.notes, item.priority = notes.strip(), priority
                item.assigned_user = self.user_var.get()
                if when.isoformat(timespec="minutes") != datetime.fromisoformat(item.reminder_at).astimezone().isoformat(
                        timespec="minutes"):
                    item.due_at = when.isoformat(timespec="seconds")
                saved = self.schedule.update(item)
        except Exception as exc:  # noqa: BLE001 - PermissionDenied, RecordError, ValueError: said here
            self.error_var.set(str(exc))
            log.info("schedule dialog: refused: %s", exc)
            return None
        self.saved = saved
        if self._on_saved is not None:
            self._on_saved(saved)
        self.close()
        return saved

