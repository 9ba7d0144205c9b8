"""The reminder of a scheduled call (SCHED-2, POP-6): ``Reminder — <number> — <name>``.

Shows the number, the contact, when it was due, the note; actions **Call now** (dials
through the dial feature; the scheduled call is then linked to the logged call),
**Snooze** (5 / 15 / 60 min), **Done** (with an outcome), **Reassign**, **Reschedule**.

It comes up by itself, so, like a call popup, it is raised and its title blinks but it
never takes the keyboard from the window where the operator is typing: focus a window
manager hands it on mapping goes straight back (until the operator clicks it).
"""
from __future__ import annotations

import logging
import tkinter as tk
from datetime import datetime
from typing import Any, Callable

import ttkbootstrap as ttk

from callcore import locale_format
from callcore.i18n import _

from .tool_window import ToolWindow
from .ports import SchedulePort
from .unobtrusive import Unobtrusive
from .schedule_dialog import parse_local

log = logging.getLogger(__name__)

SNOOZE_CHOICES = (5, 15, 60)


def reminder_title(number: str, name: str) -> str:
    if name:
        return _("Reminder — {number} — {name}").format(number=number, name=name)
    return _("Reminder — {number}").format(number=number)


def format_local(iso_text: str) -> str:
    try:
        return locale_format.format_datetime(datetime.fromisoformat(iso_text).astimezone(),
                                             english="%Y-%m-%d %H:%M")
    except ValueError:
        return iso_text


class ReminderWindow(ToolWindow, Unobtrusive, ttk.Toplevel):
    def __init__(self, master: tk.Misc, reminder: Any, schedule: SchedulePort, *,
                 on_closed: Callable[["ReminderWindow"], None] | None = None,
                 offset: int = 0):
        self.reminder = reminder                   # callcore.events.ReminderDue
        self.schedule = schedule
        self._on_closed = on_closed
        self.closed = False
        self.outcome_text = ""
        self._title = reminder_title(reminder.number, reminder.name)
        super().__init__(title=self._title, master=master, resizable=(True, False))
        self.protocol("WM_DELETE_WINDOW", self.close)
        self.bind("<Escape>", lambda _e: self.close())
        self.init_unobtrusive(master)
        self._build()
        self.update_idletasks()
        x = max(0, self.winfo_screenwidth() - self.winfo_reqwidth() - 40 - offset)
        self.geometry(f"+{x}+{60 + offset}")

    # -- layout ---------------------------------------------------------------------------------
    def _build(self) -> None:
        r = self.reminder
        frame = ttk.Frame(self, padding=(16, 12))
        frame.pack(fill="both", expand=True)
        if r.missed:
            ttk.Label(frame, text=_("Missed while the app was closed"), bootstyle="danger",
                      font="OperatorBoldFont").pack(anchor="w")
        self.number_label = ttk.Label(frame, text=r.number, font="OperatorTitleFont")
        self.number_label.pack(anchor="w")
        self.contact_label = ttk.Label(frame, text=r.name or _("No contact"), font="OperatorHeadingFont")
        self.contact_label.pack(anchor="w")
        ttk.Label(frame, text=_("Due {when}").format(when=format_local(r.due_at))
                  + (_(" · for {user}").format(user=r.assigned_user) if r.assigned_user else "")).pack(anchor="w")
        self.note_label = ttk.Label(frame, text=r.notes or _("(no note)"), wraplength=420, justify="left")
        self.note_label.pack(anchor="w", pady=(6, 8))

        actions = ttk.Frame(frame)
        actions.pack(fill="x")
        self.call_button = ttk.Button(actions, text=_("Call now"), bootstyle="success", command=self.call_now)
        self.call_button.pack(side="left")
        self.snooze_buttons = {}
        for i, minutes in enumerate(SNOOZE_CHOICES):
            button = ttk.Button(actions, text=_("Snooze {n} min").format(n=minutes), bootstyle="info-outline",
                                command=lambda m=minutes: self.snooze(m))
            button.pack(side="left", padx=(14 if i == 0 else 0, 4))
            self.snooze_buttons[minutes] = button

        done_row = ttk.Frame(frame)
        done_row.pack(fill="x", pady=(8, 0))
        ttk.Label(done_row, text=_("Outcome")).pack(side="left")
        self.outcome_var = tk.StringVar()
        self.outcome_entry = ttk.Entry(done_row, textvariable=self.outcome_var, width=28)
        self.outcome_entry.pack(side="left", padx=6, fill="x", expand=True)
        self.done_button = ttk.Button(done_row, text=_("Done"), bootstyle="primary", command=self.done)
        self.done_button.pack(side="left")

        other_row = ttk.Frame(frame)
        other_row.pack(fill="x", pady=(8, 0))
        try:
            users = list(self.schedule.assignable_users())
        except Exception:  # noqa: BLE001 - nobody signed in: no one to give it to
            users = []
        self.user_var = tk.StringVar(value=r.assigned_user)
        self.user_box = ttk.Combobox(other_row, textvariable=self.user_var, values=users, width=14,
                                     state="readonly" if users else "disabled")
        self.user_box.pack(side="left")
        self.reassign_button = ttk.Button(other_row, text=_("Reassign"), bootstyle="secondary",
                                          command=self.reassign)
        self.reassign_button.pack(side="left", padx=(4, 14))
        later = self.schedule.quick_choices()[-1][1]
        self.date_var = tk.StringVar(value=later.strftime("%Y-%m-%d"))
        self.time_var = tk.StringVar(value=later.strftime("%H:%M"))
        ttk.Entry(other_row, textvariable=self.date_var, width=11).pack(side="left")
        ttk.Entry(other_row, textvariable=self.time_var, width=6).pack(side="left", padx=4)
        self.reschedule_button = ttk.Button(other_row, text=_("Reschedule"), bootstyle="secondary",
                                            command=self.reschedule)
        self.reschedule_button.pack(side="left")

        self.error_var = tk.StringVar()
        ttk.Label(frame, textvariable=self.error_var, bootstyle="danger", wraplength=440,
                  justify="left").pack(anchor="w", pady=(6, 0))

    # -- actions --------------------------------------------------------------------------------
    def _act(self, action: Callable[[], Any]) -> bool:
        try:
            action()
        except Exception as exc:  # noqa: BLE001 - refused by role, gone, bad time: said here
            self.error_var.set(str(exc))
            log.info("reminder action refused: %s", exc)
            return False
        return True

    def call_now(self) -> None:
        if self._act(lambda: self.schedule.call_now(self.reminder.scheduled_id)):
            self.call_button.configure(state="disabled", text=_("Calling…"))

    def snooze(self, minutes: int) -> None:
        if self._act(lambda: self.schedule.snooze(self.reminder.scheduled_id, minutes)):
            self.close()

    def done(self) -> None:
        self.outcome_text = self.outcome_var.get().strip()
        if self._act(lambda: self.schedule.done(self.reminder.scheduled_id, self.outcome_text)):
            self.close()

    def reassign(self) -> None:
        name = self.user_var.get().strip()
        if name and self._act(lambda: self.schedule.reassign(self.reminder.scheduled_id, name)):
            self.close()

    def reschedule(self) -> None:
        def go() -> None:
            self.schedule.reschedule(self.reminder.scheduled_id, parse_local(self.date_var.get(), self.time_var.get()))
        if self._act(go):
            self.close()

    # -- coming up without taking the keyboard -------------------------------------------------
    def focus_window(self) -> None:
        """The operator asked for it: the keyboard goes to the outcome field."""
        self.take_focus(self.outcome_entry)

    def _before_close(self) -> None:
        self.stop_flashing()
