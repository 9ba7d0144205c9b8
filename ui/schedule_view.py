"""The schedule (SCHED-3): open scheduled calls, overdue / today / upcoming, mine / my
group / all as the role allows, each section in its own colour; Call now, Done, Snooze,
Edit, New. Follows store changes (edits on other workstations show within the sync time).

:class:`ScheduleWindows` opens everything of issue 8 for the operator window: the
schedule (Ctrl+Shift+S… menu Calls › Schedule…), activities, the schedule dialog from the
calls table / popup / nothing, and a reminder window (with a desktop notification and a
bell) for every ``ReminderDue`` — missed ones oldest first.
"""
from __future__ import annotations

import logging
import tkinter as tk
from typing import Any, Callable

import ttkbootstrap as ttk

from callcore.events import ReminderDue, StoreChanged
from callcore import locale_format
from callcore.i18n import _

from .tool_window import ToolWindow
from .activity_dialog import ActivitiesWindow, ActivityDialog, scope_label
from .look import mnemonic
from .ports import UiPorts
from .reminder_window import ReminderWindow
from .schedule_dialog import ScheduleDialog, priority_labels

log = logging.getLogger(__name__)

SECTION_COLOURS = {"overdue": "#d62c2c", "today": "#1f6fd1", "upcoming": "#2c3e50", "done": "#7b8a8b"}
REFRESH_DELAY_MS = 300


def section_label(section: str) -> str:
    return {"overdue": _("Overdue"), "today": _("Today"), "upcoming": _("Upcoming"), "all": _("All"),
            "done": _("Done")}.get(section, section)


class ScheduleView(ToolWindow, ttk.Toplevel):
    COLUMNS = ("when", "section", "number", "contact", "user", "priority", "note")

    def __init__(self, master: tk.Misc, schedule: Any, *,
                 subscribe: Callable[[type, Callable[[Any], None]], Callable[[], None]] | None = None,
                 on_edit: Callable[[Any], None] | None = None, on_new: Callable[[], None] | None = None,
                 on_closed: Callable[["ScheduleView"], None] | None = None, page: int = 200):
        self.schedule = schedule
        self._on_edit, self._on_new, self._on_closed = on_edit, on_new, on_closed
        self.page = page
        self.closed = False
        self.rows: list[Any] = []
        self._refresh_after: str | None = None
        super().__init__(title=_("Schedule"), master=master, size=(900, 460))
        self.protocol("WM_DELETE_WINDOW", self.close)
        self.bind("<Escape>", lambda _e: self.close())
        top = ttk.Frame(self, padding=(10, 8))
        top.pack(fill="x")
        self.section_var = tk.StringVar(value="all")
        for section in ("all", "overdue", "today", "upcoming"):
            ttk.Radiobutton(top, text=section_label(section), value=section, variable=self.section_var,
                            bootstyle="toolbutton", command=self.refresh).pack(side="left")
        scopes = schedule.scopes()
        self.scope_var = tk.StringVar(value=scopes[0])
        ttk.Label(top, text="").pack(side="left", padx=8)
        for scope in scopes:
            ttk.Radiobutton(top, text=scope_label(scope), value=scope, variable=self.scope_var,
                            bootstyle="toolbutton-outline", command=self.refresh).pack(side="left")
        self.count_var = tk.StringVar()
        ttk.Label(top, textvariable=self.count_var, bootstyle="secondary").pack(side="right")

        self.table = ttk.Treeview(self, columns=self.COLUMNS, show="headings", selectmode="browse")
        for key, text, width in (("when", _("When"), 150), ("section", _("Status"), 80), ("number", _("Number"), 120),
                                 ("contact", _("Contact"), 160), ("user", _("For"), 100),
                                 ("priority", _("Priority"), 85), ("note", _("Note"), 220)):
            self.table.heading(key, text=text)
            self.table.column(key, width=width, stretch=key == "note")
        for section, colour in SECTION_COLOURS.items():
            self.table.tag_configure(section, foreground=colour)
        self.table.pack(fill="both", expand=True, padx=10)
        self.table.bind("<Double-1>", lambda _e: self.edit())
        self.table.bind("<Return>", lambda _e: (self.edit(), "break")[1])

        bottom = ttk.Frame(self, padding=(10, 6))
        bottom.pack(fill="x")
        self.buttons = {}
        for key, text, command, style in (("new", _("New…"), self.new, "primary"),
                                          ("call", _("Call now"), self.call_now, "success"),
                                          ("snooze", _("Snooze 15 min"), lambda: self.snooze(15), "secondary"),
                                          ("done", _("Done"), self.done, "secondary"),
                                          ("edit", _("Edit…"), self.edit, "secondary")):
            button = ttk.Button(bottom, text=text, command=command, bootstyle=style)
            button.pack(side="left", padx=(0, 6))
            self.buttons[key] = button
        self.error_var = tk.StringVar()
        ttk.Label(bottom, textvariable=self.error_var, bootstyle="danger", wraplength=420).pack(side="left", padx=8)
        self._unsubscribe = None
        if subscribe is not None:
            self._unsubscribe = subscribe(StoreChanged, self._store_changed)
        self.refresh()
        self.table.focus_set()

    # -- contents -------------------------------------------------------------------------------
    def _store_changed(self, event: Any) -> None:
        if event.table == "scheduled_calls" and not self.closed and self._refresh_after is None:
            self._refresh_after = self.after(REFRESH_DELAY_MS, self.refresh)

    def refresh(self) -> None:
        self._refresh_after = None
        if self.closed:
            return
        selected = self.selected()
        try:
            self.rows = list(self.schedule.view(self.section_var.get(), self.scope_var.get(), limit=self.page))
            self.error_var.set("")
        except Exception as exc:  # noqa: BLE001 - refused scope: said here
            self.rows = []
            self.error_var.set(str(exc))
        self.table.delete(*self.table.get_children())
        labels = priority_labels()
        for i, row in enumerate(self.rows):
            item = row.item
            tags = (row.section,)
            self.table.insert("", "end", iid=str(i), tags=tags, values=(
                locale_format.format_datetime(row.when, english="%Y-%m-%d %H:%M"),
                section_label(row.section), item.number,
                item.contact_name, item.assigned_user,
                ("‼ " if item.priority == 2 else "") + (labels[item.priority] if 0 <= item.priority < 3 else ""),
                item.notes.replace("\n", " ")))
        self.count_var.set(_("{n} shown").format(n=len(self.rows)))
        keep = next((str(i) for i, r in enumerate(self.rows) if selected and r.item.id == selected.id), None)
        children = self.table.get_children()
        if keep or children:
            self.table.selection_set(keep or children[0])
            self.table.focus(keep or children[0])

    def selected(self) -> Any | None:
        try:
            selection = self.table.selection()
        except tk.TclError:
            return None
        return self.rows[int(selection[0])].item if selection and int(selection[0]) < len(self.rows) else None

    def section_of(self, index: int) -> str:
        return self.rows[index].section

    # -- actions --------------------------------------------------------------------------------
    def _act(self, action: Callable[[Any], Any]) -> None:
        item = self.selected()
        if item is None:
            return
        try:
            action(item)
        except Exception as exc:  # noqa: BLE001 - refused by role: said here
            self.error_var.set(str(exc))
            return
        self.refresh()

    def call_now(self) -> None:
        self._act(lambda item: self.schedule.call_now(item.id))

    def snooze(self, minutes: int) -> None:
        self._act(lambda item: self.schedule.snooze(item.id, minutes))

    def done(self) -> None:
        self._act(lambda item: self.schedule.done(item.id, ""))

    def edit(self) -> None:
        item = self.selected()
        if item is not None and self._on_edit is not None:
            self._on_edit(item)

    def new(self) -> None:
        if self._on_new is not None:
            self._on_new()



class ScheduleWindows:
    """Everything of issue 8 in the operator window (given ``UiPorts``, the pump's
    ``call_soon`` and the notifier)."""

    def __init__(self, root: tk.Misc, ports: UiPorts, *, call_soon: Callable[..., None] | None = None,
                 notifier: Any = None, bell: Callable[[], None] | None = None,
                 background: Callable[[Callable[[], Any], Callable[[Any], None]], Any] | None = None):
        self.root = root
        self._background = background
        self.ports = ports
        self._call_soon = call_soon
        self.notifier = notifier
        self._bell = bell or root.bell
        self.view: ScheduleView | None = None
        self.activities_window: ActivitiesWindow | None = None
        self.dialogs: list[Any] = []
        self.reminders: dict[str, ReminderWindow] = {}
        self._unsubscribe: list[Callable[[], None]] = []

    @property
    def schedule(self) -> Any:
        return getattr(self.ports, "schedule", None)

    @property
    def activities(self) -> Any:
        return getattr(self.ports, "activities", None)

    def _subscribe(self):
        events = self.ports.events
        if events is None:
            return None
        return lambda kind, handler: events.subscribe(kind, handler, deliver=self._call_soon)

    def install(self, root: tk.Misc, menu: tk.Menu | None, selected_number: Callable[[], str] | None = None) -> None:
        """Calls › Schedule… (Ctrl+Shift+S), Schedule a call… (Ctrl+Shift+R: a reminder), Activities…"""
        self._selected_number = selected_number or (lambda: "")
        items = []
        if self.schedule is not None:
            items.append((_("&Schedule…"), _("Ctrl+Shift+S"), self.open_view, ("<Control-Shift-S>", "<Control-Shift-s>")))
            items.append((_("Schedule a ca&ll…"), _("Ctrl+Shift+R"),
                          lambda: self.open_schedule_dialog(number=self._selected_number()),
                          ("<Control-Shift-R>", "<Control-Shift-r>")))
        if self.activities is not None:
            items.append((_("&Activities…"), "", self.open_activities, ()))
        if menu is not None and items:
            menu.add_separator()
        for label, accelerator, command, sequences in items:
            for sequence in sequences:
                root.bind(sequence, lambda _e, c=command: (c(), "break")[1])
            if menu is not None:
                text, underline = mnemonic(label)
                menu.add_command(label=text, underline=underline, accelerator=accelerator, command=command)

    def start(self) -> None:
        events = self.ports.events
        if events is not None and self.schedule is not None and not self._unsubscribe:
            self._unsubscribe.append(events.subscribe(ReminderDue, self.show_reminder, deliver=self._call_soon))

    # -- windows ---------------------------------------------------------------------------------
    def open_view(self) -> ScheduleView | None:
        if self.schedule is None:
            return None
        if self.view is not None and not self.view.closed:
            self.view.lift()
            self.view.table.focus_force()
            return self.view
        self.view = ScheduleView(self.root, self.schedule, subscribe=self._subscribe(),
                                 on_edit=lambda item: self.open_schedule_dialog(item=item),
                                 on_new=lambda: self.open_schedule_dialog(),
                                 on_closed=lambda _v: None)
        return self.view

    def open_schedule_dialog(self, *, number: str = "", contact_id: str = "", contact_name: str = "",
                             call_id: str = "", item: Any = None) -> ScheduleDialog | None:
        if self.schedule is None:
            return None
        dialog = ScheduleDialog(self.root, self.schedule, contacts=self.ports.contacts, number=number,
                                contact_id=contact_id, contact_name=contact_name, call_id=call_id, item=item,
                                on_closed=self._dialog_closed)
        self.dialogs.append(dialog)
        return dialog

    def open_activity_dialog(self, *, call_id: str = "", contact_id: str = "", contact_name: str = "",
                             number: str = "") -> ActivityDialog | None:
        if self.activities is None:
            return None
        dialog = ActivityDialog(self.root, self.activities, call_id=call_id, contact_id=contact_id,
                                contact_name=contact_name, number=number, on_closed=self._dialog_closed)
        self.dialogs.append(dialog)
        return dialog

    def open_activities(self) -> ActivitiesWindow | None:
        if self.activities is None:
            return None
        if self.activities_window is not None and not self.activities_window.closed:
            self.activities_window.lift()
            return self.activities_window
        self.activities_window = ActivitiesWindow(self.root, self.activities, subscribe=self._subscribe())
        return self.activities_window

    # -- from a call popup (POP-3) ---------------------------------------------------------------
    @staticmethod
    def _popup_contact(popup: Any) -> tuple[str, str]:
        matches = getattr(popup, "matches", None) or []
        if matches:
            return matches[0].contact.id, matches[0].contact.name
        return "", getattr(popup.leg, "contact_name", "") or ""

    def schedule_from_popup(self, popup: Any) -> ScheduleDialog | None:
        contact_id, name = self._popup_contact(popup)
        return self.open_schedule_dialog(number=popup.leg.number, contact_id=contact_id, contact_name=name,
                                         call_id=popup.leg.call_id)

    def activity_from_popup(self, popup: Any) -> ActivityDialog | None:
        contact_id, name = self._popup_contact(popup)
        return self.open_activity_dialog(call_id=popup.leg.call_id, contact_id=contact_id, contact_name=name,
                                         number=popup.leg.number)

    def show_scheduled_in(self, popup: Any) -> None:
        """POP-3: the popup says when this caller's next scheduled calls are. The lookup
        reads every open scheduled call, so it runs off the Tk thread when it can."""
        if self.schedule is None or not hasattr(popup, "show_scheduled"):
            return
        contact_id, _name = self._popup_contact(popup)
        number = popup.leg.number or ""
        schedule = self.schedule

        def work() -> list[Any]:
            return schedule.open_for(contact_id=contact_id, number=number, limit=3)

        def done(items: list[Any]) -> None:
            if items and not getattr(popup, "closed", False):
                from datetime import datetime
                whens = ", ".join(datetime.fromisoformat(i.reminder_at).astimezone().strftime("%d.%m %H:%M")
                                  for i in items)
                popup.show_scheduled(_("Scheduled: {when}").format(when=whens))
        if self._background is not None:
            self._background(work, done)
            return
        try:
            done(work())
        except Exception:  # noqa: BLE001 - never stop a popup for this
            log.exception("open scheduled calls for the popup")

    def _dialog_closed(self, dialog: Any) -> None:
        if dialog in self.dialogs:
            self.dialogs.remove(dialog)

    # -- reminders --------------------------------------------------------------------------------
    def show_reminder(self, event: ReminderDue) -> ReminderWindow | None:
        """A reminder window (raised and blinking, the keyboard stays where it is), a
        desktop notification and a bell. Tk thread."""
        if self.schedule is None:
            return None
        window = self.reminders.get(event.scheduled_id)
        if window is not None and not window.closed:
            window.close()
        offset = 28 * (len([w for w in self.reminders.values() if not w.closed]) % 8)
        window = ReminderWindow(self.root, event, self.schedule, on_closed=self._reminder_closed, offset=offset)
        earlier = [w for w in self.reminders.values() if not w.closed and w.reminder.missed]
        self.reminders[event.scheduled_id] = window
        window.bring_to_front()
        if event.missed and earlier:               # missed ones: the oldest stays on top
            stack = [*earlier, window]
            self.root.after_idle(lambda: [w.lift() for w in reversed(stack) if not w.closed])
        title = window.title().replace("● ", "")
        if self.notifier is not None:
            self.notifier.notify(title, event.notes or _("Scheduled call due"))
        try:
            self._bell()
        except tk.TclError:
            pass
        return window

    def focus_newest_reminder(self) -> ReminderWindow | None:
        """F2 with no call popup open: the keyboard to the newest reminder."""
        for window in reversed(list(self.reminders.values())):
            if not window.closed:
                window.focus_window()
                return window
        return None

    def _reminder_closed(self, window: ReminderWindow) -> None:
        if self.reminders.get(window.reminder.scheduled_id) is window:
            del self.reminders[window.reminder.scheduled_id]

    def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        for window in [*self.reminders.values(), *self.dialogs, self.view, self.activities_window]:
            if window is not None and not window.closed:
                window.close()
