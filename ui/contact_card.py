"""The contact card (DIR-1..3, POP-3, CON-5) and "add this number to a contact".

The card shows and edits every DIR-1 field, any number of phones with labels (each with a
Call button), whether calls from the contact pop up, and the contact's recent calls over
all its phones (read off the Tk thread) with a Call button per row. Ctrl+S saves; a
refusal is shown next to the field it concerns and nothing typed is lost. Esc closes,
asking first when there are unsaved changes.

Adding a caller's number to an existing contact (:class:`AddNumberDialog`) follows one
rule: the operator picks the number's label; only when the contact already has a phone
with that label are they asked whether the new number replaces that phone or both are
kept — "keep both" is preselected, so nothing is lost by pressing Enter.
"""
from __future__ import annotations

import dataclasses
import logging
import tkinter as tk
from typing import Any, Callable, Sequence

import ttkbootstrap as ttk

from callcore.events import StoreChanged
from callcore.i18n import _
from callcore.records import CONTACT_TYPES, PHONE_LABELS, CallRecord, Contact, Phone

from .directory_window import Confirm, ask_yes_no, phone_label
from .keys import bind_ctrl
from .tool_window import ToolWindow
from .look import (DIRECTION_GLYPHS, call_status_label, contact_type_label, direction_label,
                   format_duration, format_when)
from .ports import ContactsPort, DialPort

log = logging.getLogger(__name__)

ERROR_COLOUR = "#d62c2c"
MUTED = "#8a9496"
RECENT_LIMIT = 12
MISSED = ("missed", "unanswered", "busy", "abandoned")

Background = Callable[[Callable[[], Any], Callable[[Any], None]], Any]
Subscribe = Callable[[type, Callable[[Any], None]], Callable[[], None]]


def card_title(contact: Contact | None) -> str:
    """``Contact — <name>``, or ``New contact`` before it was first saved."""
    if contact is None or not contact.name:
        return _("New contact")
    return _("Contact — {name}").format(name=contact.name)


def other_party(record: CallRecord) -> str:
    """The number to call back for a logged call."""
    return (record.called_number if record.direction == "out" else record.caller_number) or ""


def default_label(contact: Contact, preferred: str = "mobile") -> str:
    """The label a new number gets: ``preferred`` unless taken, then the first free one."""
    taken = {p.label for p in contact.phones}
    for label in (preferred, "mobile", "work", "home", "other"):
        if label not in taken:
            return label
    return preferred


class PhoneRow:
    """One phone in the card: label, number, Call, remove; an error line under it."""

    def __init__(self, card: "ContactCard", parent: ttk.Frame, phone: Phone):
        self.card = card
        self.frame = ttk.Frame(parent)
        self.label_var = tk.StringVar(value=phone_label(phone.label))
        self.number_var = tk.StringVar(value=phone.number)
        self.label_box = ttk.Combobox(self.frame, textvariable=self.label_var, state="readonly", width=8,
                                      values=[phone_label(code) for code in PHONE_LABELS])
        self.label_box.grid(row=0, column=0, padx=(0, 4))
        self.entry = ttk.Entry(self.frame, textvariable=self.number_var, width=20)
        self.entry.grid(row=0, column=1, sticky="ew")
        self.call_button = ttk.Button(self.frame, text=_("Call"), bootstyle="success-outline",
                                      command=self.call, width=6)
        ttk.ToolTip(self.call_button, text=_("Call this number: your phone rings first"))
        if card._dial is not None:
            self.call_button.grid(row=0, column=2, padx=(4, 0))
        self.remove_button = ttk.Button(self.frame, text=_("✕"), bootstyle="secondary-link",
                                        command=lambda: card.remove_phone(self), width=2)
        self.remove_button.grid(row=0, column=3)
        ttk.ToolTip(self.remove_button, text=_("Remove this phone (saved with Ctrl+S)"))
        self.error = ttk.Label(self.frame, text="", foreground=ERROR_COLOUR, font="OperatorSmallFont")
        self.frame.columnconfigure(1, weight=1)
        self.frame.pack(fill="x", pady=2)
        for var in (self.label_var, self.number_var):
            var.trace_add("write", lambda *_a: card._edited())

    @property
    def label(self) -> str:
        shown = self.label_var.get()
        return next((code for code in PHONE_LABELS if phone_label(code) == shown), "other")

    @property
    def number(self) -> str:
        return self.number_var.get().strip()

    def call(self) -> None:
        if self.number:
            self.card.call(self.number)

    def show_error(self, text: str) -> None:
        self.error.configure(text=text)
        if text:
            self.error.grid(row=1, column=1, columnspan=3, sticky="w")
        else:
            self.error.grid_remove()


class ContactCard(ToolWindow, ttk.Toplevel):
    """One contact's card (``contact_id`` None: a new one, ``number`` pre-filled)."""

    def __init__(self, master: tk.Misc, *, contacts: ContactsPort, dial: DialPort | None = None,
                 contact_id: str | None = None, number: str = "", label: str = "mobile",
                 kind: str = "customer", background: Background | None = None,
                 confirm: Confirm = ask_yes_no, subscribe: Subscribe | None = None,
                 on_closed: Callable[["ContactCard"], None] | None = None,
                 recordings: Any = None, on_schedule: Callable[..., Any] | None = None):
        self._contacts = contacts
        self._recordings = recordings          # ui.ports.RecordingsPort: ▶ for recorded calls
        self.play_buttons: dict[str, ttk.Button] = {}
        self._dial = dial
        self._on_schedule = on_schedule        # SCHED-1: a call back to this contact, later
        self._background = background
        self._confirm = confirm
        self._on_closed = on_closed
        self.closed = False
        self.phone_rows: list[PhoneRow] = []
        self.field_vars: dict[str, tk.StringVar] = {}
        self.field_entries: dict[str, tk.Widget] = {}
        self.field_errors: dict[str, ttk.Label] = {}
        self.recent_rows: list[tuple[CallRecord, ttk.Button]] = []
        self._loading = False
        self.contact = contacts.get(contact_id) if contact_id else None
        missing = bool(contact_id) and self.contact is None
        if self.contact is None:
            self.contact = Contact(name="", type=kind if kind in CONTACT_TYPES else "customer",
                                   phones=[Phone(number, label if label in PHONE_LABELS else "mobile")]
                                   if number else [])
        self.is_new = contacts.get(self.contact.id) is None
        super().__init__(title=card_title(None if self.is_new else self.contact), master=master,
                         size=(1040, 640), minsize=(900, 560))
        self._filling = True
        self._build()
        self._fill(self.contact)
        self._filling = False
        self._snapshot = self._collect().to_dict()
        if missing:
            self.show_message(_("This contact no longer exists (deleted on another workstation?)"),
                              ERROR_COLOUR)
        self._unsubscribe: list[Callable[[], None]] = []
        if subscribe is not None:
            self._unsubscribe.append(subscribe(StoreChanged, self._store_changed))
        self.protocol("WM_DELETE_WINDOW", self.escape)
        self.bind("<Escape>", lambda _e: self._key(self.escape))
        bind_ctrl(self, "s", self.save)
        self.bind("<Control-Delete>", lambda _e: self._key(self.delete))
        bind_ctrl(self, "p", self.add_phone)
        self.load_recent()
        try:
            self.transient(master.winfo_toplevel())
        except tk.TclError:
            pass
        self.lift()
        first = self.field_entries["name"]
        if not self.is_new and self.phone_rows and number:
            first = self.phone_rows[-1].entry
        first.focus_force()              # opened by the operator: the keyboard goes here

    # -- layout ---------------------------------------------------------------------------
    def _field(self, parent: tk.Misc, name: str, caption: str, row: int, column: int,
               span: int = 1, make: Callable[[tk.Misc], tk.Widget] | None = None) -> None:
        cell = ttk.Frame(parent)
        cell.grid(row=row, column=column, columnspan=span, sticky="ew", padx=(0, 10), pady=(0, 4))
        ttk.Label(cell, text=caption, font="OperatorSmallFont", foreground="#5b6b6d").pack(anchor="w")
        if make is None:
            var = tk.StringVar()
            widget: tk.Widget = ttk.Entry(cell, textvariable=var)
            self.field_vars[name] = var
            var.trace_add("write", lambda *_a: self._edited())
        else:
            widget = make(cell)      # a child of the cell: drawn above it
        widget.pack(fill="x")
        error = ttk.Label(cell, text="", foreground=ERROR_COLOUR, font="OperatorSmallFont")
        self.field_entries[name] = widget
        self.field_errors[name] = error

    def _build(self) -> None:
        outer = ttk.Frame(self, padding=(18, 14, 18, 12))
        outer.pack(fill="both", expand=True)
        buttons = ttk.Frame(outer)
        buttons.pack(fill="x", side="bottom", pady=(10, 0))
        self.message_label = ttk.Label(buttons, text=_("Ctrl+S saves · Esc closes"),
                                       foreground=MUTED, font="OperatorSmallFont")
        self.message_label.pack(side="left")
        self.save_button = ttk.Button(buttons, text=_("Save"), bootstyle="primary", width=9,
                                      command=self.save)
        self.save_button.pack(side="right")
        ttk.ToolTip(self.save_button, text=_("Save for every workstation (Ctrl+S)"))
        self.close_button = ttk.Button(buttons, text=_("Close"), bootstyle="secondary", width=9,
                                       command=self.escape)
        self.close_button.pack(side="right", padx=(0, 6))
        ttk.ToolTip(self.close_button, text=_("Close; asks first when something is not saved (Esc)"))
        self.delete_button = ttk.Button(buttons, text=_("Delete…"), bootstyle="danger-outline",
                                        command=self.delete)
        ttk.ToolTip(self.delete_button, text=_("Delete this contact for everyone; asks first (Ctrl+Delete)"))
        if not self.is_new:
            self.delete_button.pack(side="right", padx=(0, 6))
        self.schedule_button = ttk.Button(buttons, text=_("Schedule call…"),
                                          bootstyle="primary-outline", command=self.schedule_call)
        ttk.ToolTip(self.schedule_button, text=_("Schedule a call to this contact (Ctrl+Shift+R)"))
        if self._on_schedule is not None and not self.is_new:
            self.schedule_button.pack(side="right", padx=(0, 6))
            bind_ctrl(self, "r", self.schedule_call, shift=True)

        body = ttk.Frame(outer)
        body.pack(fill="both", expand=True)
        # Two equal columns: the form, and phones + recent calls (never squeezed out).
        left = ttk.Frame(body)
        left.grid(row=0, column=0, sticky="nsew")
        ttk.Separator(body, orient="vertical").grid(row=0, column=1, sticky="ns", padx=14)
        right = ttk.Frame(body)
        right.grid(row=0, column=2, sticky="nsew")
        body.columnconfigure(0, weight=5, uniform="card")
        body.columnconfigure(2, weight=6, uniform="card")
        body.rowconfigure(0, weight=1)

        form = ttk.Frame(left)
        form.pack(fill="x")
        form.columnconfigure(0, weight=1, uniform="form")
        form.columnconfigure(1, weight=1, uniform="form")
        self._field(form, "name", _("Name (as shown in popups) *"), 0, 0, span=2)
        self.field_entries["name"].configure(font="OperatorHeadingFont")
        self.type_var = tk.StringVar()
        self.type_var.trace_add("write", lambda *_a: self._edited())
        self._field(form, "type", _("Type"), 1, 0, make=lambda cell: ttk.Combobox(
            cell, textvariable=self.type_var, state="readonly",
            values=[contact_type_label(t) for t in CONTACT_TYPES]))
        captions = {"first_name": _("First name"), "last_name": _("Last name"),
                    "short_name": _("Short name"), "company": _("Company"), "email": _("Email"),
                    "address": _("Address"), "area": _("Area"), "city": _("City"),
                    "postcode": _("Postcode")}
        cells = [("short_name", 1, 1), ("first_name", 2, 0), ("last_name", 2, 1),
                 ("company", 3, 0), ("email", 3, 1), ("address", 4, 0), ("area", 4, 1),
                 ("city", 5, 0), ("postcode", 5, 1)]
        for name, row, column in cells:
            self._field(form, name, captions[name], row, column)
        ttk.Label(left, text=_("Comments"), font="OperatorSmallFont", foreground="#5b6b6d").pack(
            anchor="w", pady=(2, 0))
        self.comments = ttk.Text(left, height=4, wrap="word", padx=6, pady=4, font="TkTextFont")
        self.comments.pack(fill="both", expand=True)
        self.comments.bind("<<Modified>>", self._comments_modified)
        self.comments.bind("<Control-s>", lambda _e: self._key(self.save))
        self.popup_var = tk.BooleanVar(value=True)
        self.popup_check = ttk.Checkbutton(left, text=_("Show popups for this contact"),
                                           variable=self.popup_var, bootstyle="round-toggle",
                                           command=self._edited)
        self.popup_check.pack(anchor="w", pady=(8, 0))
        ttk.ToolTip(self.popup_check, text=_("Off: calls from this contact are logged but "
                                             "open no popup (e.g. a robot that calls daily)"))

        phones_head = ttk.Frame(right)
        phones_head.pack(fill="x")
        ttk.Label(phones_head, text=_("Phones"), font="OperatorHeadingFont").pack(side="left")
        self.add_phone_button = ttk.Button(phones_head, text=_("+ Add phone"), bootstyle="link",
                                           command=self.add_phone)
        self.add_phone_button.pack(side="right")
        ttk.ToolTip(self.add_phone_button, text=_("Add another phone number (Ctrl+P)"))
        self.phones_frame = ttk.Frame(right)
        self.phones_frame.pack(fill="x", pady=(4, 0))
        self.phones_error = ttk.Label(right, text="", foreground=ERROR_COLOUR, font="OperatorSmallFont")
        self.phones_error.pack(anchor="w")

        recent_head = ttk.Frame(right)
        recent_head.pack(fill="x", pady=(12, 4))
        ttk.Label(recent_head, text=_("Recent calls"), font="OperatorHeadingFont").pack(side="left")
        self.recent_frame = ttk.Frame(right)
        self.recent_frame.pack(fill="both", expand=True)
        self.recent_frame.columnconfigure(3, weight=1)
        self.recent_status = ttk.Label(self.recent_frame, text="", foreground=MUTED)
        self.recent_status.grid(row=0, column=0, columnspan=5, sticky="w")

    def _fill(self, contact: Contact) -> None:
        for name, var in self.field_vars.items():
            var.set(getattr(contact, name) or "")
        self.type_var.set(contact_type_label(contact.type))
        self.comments.delete("1.0", "end")
        self.comments.insert("1.0", contact.comments or "")
        self.comments.edit_modified(False)
        self.popup_var.set(contact.popup_priority != 0)
        for row in list(self.phone_rows):
            row.frame.destroy()
        self.phone_rows = [PhoneRow(self, self.phones_frame, phone) for phone in contact.phones]
        if not self.phone_rows:
            self.phone_rows.append(PhoneRow(self, self.phones_frame, Phone("", "mobile")))

    # -- editing --------------------------------------------------------------------------
    def _comments_modified(self, _event=None) -> None:
        if self.comments.edit_modified():
            self.comments.edit_modified(False)
            self._edited()

    def _edited(self) -> None:
        if not getattr(self, "_filling", True) and not self.closed:
            self.message_label.configure(text=_("Not saved yet · Ctrl+S saves"), foreground=MUTED)

    def add_phone(self, number: str = "", label: str = "") -> PhoneRow:
        row = PhoneRow(self, self.phones_frame, Phone(number, label or default_label(self._collect())))
        self.phone_rows.append(row)
        row.entry.focus_set()
        self._edited()
        return row

    def remove_phone(self, row: PhoneRow) -> None:
        if row in self.phone_rows:
            self.phone_rows.remove(row)
            row.frame.destroy()
            self._edited()

    def _collect(self) -> Contact:
        """The card as a contact (unknown fields such as ``company_id`` kept as they were)."""
        values: dict[str, Any] = {name: var.get().strip() for name, var in self.field_vars.items()}
        shown_type = self.type_var.get()
        values["type"] = next((t for t in CONTACT_TYPES if contact_type_label(t) == shown_type),
                              self.contact.type)
        values["comments"] = self.comments.get("1.0", "end-1c").rstrip()
        values["phones"] = [Phone(row.number, row.label) for row in self.phone_rows if row.number]
        keep = self.contact.popup_priority if self.contact.popup_priority > 0 else 1
        values["popup_priority"] = keep if self.popup_var.get() else 0
        return dataclasses.replace(self.contact, **values)

    @property
    def dirty(self) -> bool:
        return self._collect().to_dict() != self._snapshot

    def _clear_errors(self) -> None:
        for label in self.field_errors.values():
            label.configure(text="")
            label.pack_forget()
        for row in self.phone_rows:
            row.show_error("")
        self.phones_error.configure(text="")

    def show_field_error(self, field: str, problem: str) -> tk.Widget | None:
        """Show ``problem`` next to the input ``field`` names (``phones[2].number`` → the
        third filled phone); returns that input."""
        if field.startswith("phones"):
            filled = [row for row in self.phone_rows if row.number]
            index = None
            if "[" in field:
                try:
                    index = int(field.split("[", 1)[1].split("]", 1)[0])
                except ValueError:
                    index = None
            if index is not None and 0 <= index < len(filled):
                filled[index].show_error(problem)
                return filled[index].entry
            self.phones_error.configure(text=problem)
            return None
        label = self.field_errors.get(field)
        if label is None:
            self.show_message(problem, ERROR_COLOUR)
            return None
        label.configure(text=problem)
        label.pack(anchor="w")
        return self.field_entries.get(field)

    def field_error(self, field: str) -> str:
        """The error shown next to a field ('' when none; for tests)."""
        label = self.field_errors.get(field)
        return str(label.cget("text")) if label is not None and label.winfo_manager() else ""

    def save(self) -> bool:
        self._clear_errors()
        contact = self._collect()
        try:
            saved = self._contacts.save(contact)
        except ValueError as exc:          # RecordError: a field the store refuses
            field = getattr(exc, "field", "")
            problem = getattr(exc, "problem", str(exc))
            widget = self.show_field_error(field, problem) if field else None
            self.show_message(_("Not saved: {problem}").format(problem=problem) if not widget
                              else _("Not saved — see the field marked in red"), ERROR_COLOUR)
            if widget is not None:
                self.update_idletasks()    # a phone row added just now must be mapped first
                widget.focus_set()
            return False
        except Exception as exc:  # noqa: BLE001 - the store refused (disk full…): keep the text
            log.exception("saving a contact failed")
            self.show_message(_("Not saved: {error}").format(error=exc), ERROR_COLOUR)
            return False
        was_new = self.is_new
        self.contact = saved
        self.is_new = False
        self._filling = True
        self._fill(saved)
        self._filling = False
        self._snapshot = self._collect().to_dict()
        self.title(card_title(saved))
        if was_new:
            self.delete_button.pack(side="right", padx=(0, 6))
        self.show_message(_("Saved — every workstation sees it"), "#1fa463")
        self.load_recent()
        return True

    def delete(self) -> bool:
        if self.is_new:
            return False
        if not self._confirm(self, _("Delete contact"), _("Delete {name} for everyone? This "
                                                          "cannot be undone.").format(name=self.contact.name)):
            return False
        try:
            self._contacts.delete(self.contact.id)
        except Exception as exc:  # noqa: BLE001 - say why; the card stays
            log.exception("deleting a contact failed")
            self.show_message(_("Not deleted: {error}").format(error=exc), ERROR_COLOUR)
            return False
        self.close()
        return True

    def escape(self) -> None:
        """Esc / Close: asks before dropping unsaved changes."""
        if self.dirty and not self._confirm(
                self, _("Unsaved changes"),
                _("Close without saving the changes to {name}?").format(
                    name=self.field_vars["name"].get() or _("this contact"))):
            return
        self.close()

    def _store_changed(self, event: StoreChanged) -> None:
        """Edited on another workstation while open: show the new version unless the
        operator is editing here (then saving here wins, as in the store)."""
        if self.closed or event.table != "contacts" or self.contact.id not in event.keys:
            return
        if self.dirty:
            self.show_message(_("Changed on another workstation meanwhile; Save keeps your version"),
                              ERROR_COLOUR)
            return
        fresh = self._contacts.get(self.contact.id)
        if fresh is None:
            self.show_message(_("Deleted on another workstation"), ERROR_COLOUR)
            return
        self.contact = fresh
        self._filling = True
        self._fill(fresh)
        self._filling = False
        self._snapshot = self._collect().to_dict()
        self.title(card_title(fresh))

    # -- calls ----------------------------------------------------------------------------
    def call(self, number: str) -> None:
        if self._dial is not None and number:
            self._dial.dial(number)
            self.show_message(_("Calling {number}…").format(number=number), MUTED)

    def load_recent(self) -> None:
        """Ask for the contact's calls on a worker thread; shown when they arrive."""
        if self.is_new:
            self.show_recent([], _("No calls yet"))
            return
        if self._background is None:
            self.show_recent([], "")
            return
        self._loading = True
        self.recent_status.configure(text=_("Loading…"))
        contact_id = self.contact.id
        self._background(lambda: self._contacts.recent_calls(contact_id, RECENT_LIMIT),
                         self.show_recent)

    def _recorded_calls(self, records: Sequence[CallRecord]) -> None:
        """Ask (on a worker thread) which calls have a recording; ▶ buttons when known."""
        if self._recordings is None or self._background is None or not records:
            return
        self._background(lambda: self._recordings.recorded(records),
                         lambda ids: self.show_play_buttons(records, ids))

    def show_play_buttons(self, records: Sequence[CallRecord], ids: set[str]) -> None:
        if self.closed or [r for r, _b in self.recent_rows] != list(records):
            return              # closed, or the list was reloaded meanwhile
        for index, record in enumerate(records, start=1):
            if record.id in ids:
                button = ttk.Button(self.recent_frame, text=_("▶"), bootstyle="info-outline", width=3,
                                    command=lambda r=record: self.play(r))
                button.grid(row=index, column=5, sticky="e", padx=(4, 0), pady=1)
                ttk.ToolTip(button, text=_("Play the recording of this call"))
                self.play_buttons[record.id] = button

    def play(self, record: CallRecord) -> None:
        problem = self._recordings.play(record) if self._recordings is not None else ""
        self.show_message(problem or _("Playing the recording…"), ERROR_COLOUR if problem else MUTED)

    def show_recent(self, records: Sequence[CallRecord], empty: str | None = None) -> None:
        if self.closed:
            return
        self._loading = False
        for widget in self.recent_frame.winfo_children():
            if widget is not self.recent_status:
                widget.destroy()
        self.recent_rows = []
        self.recent_status.configure(text="" if records else (empty if empty is not None
                                                              else _("No calls with this contact")))
        for index, record in enumerate(records, start=1):
            missed = record.status in MISSED
            colour = ERROR_COLOUR if missed else ""
            number = other_party(record)
            cells = (format_when(record.started_at), DIRECTION_GLYPHS.get(record.direction, ""),
                     call_status_label(record.status)
                     + (f" · {format_duration(record.talk_seconds)}" if record.talk_seconds else ""),
                     number)
            for column, text in enumerate(cells):
                cell = ttk.Label(self.recent_frame, text=text, foreground=colour if column == 2 else "",
                                 font="OperatorSmallFont" if column == 3 else "")
                cell.grid(row=index, column=column, sticky="w", padx=(0, 8), pady=1)
                if column == 1:
                    ttk.ToolTip(cell, text=direction_label(record.direction))
            button = ttk.Button(self.recent_frame, text=_("Call back") if missed else _("Call"),
                                bootstyle="success" if missed else "success-outline",
                                command=lambda n=number: self.call(n), width=8)
            if self._dial is not None and number:
                button.grid(row=index, column=4, sticky="e", pady=1)
            ttk.ToolTip(button, text=_("Call {number}: your phone rings first").format(number=number))
            self.recent_rows.append((record, button))
        self.play_buttons = {}
        self._recorded_calls(list(records))

    @property
    def recent_text(self) -> str:
        return str(self.recent_status.cget("text"))

    # -- messages and closing ---------------------------------------------------------------
    def show_message(self, text: str, colour: str = MUTED) -> None:
        if not self.closed:
            self.message_label.configure(text=text, foreground=colour)

    @property
    def message_text(self) -> str:
        return str(self.message_label.cget("text"))

    def schedule_call(self) -> Any:
        """Open the schedule dialog for this contact's first phone (SCHED-1)."""
        if self._on_schedule is None or self.is_new:
            return None
        phones = [row.number_var.get().strip() for row in self.phone_rows if row.number_var.get().strip()]
        return self._on_schedule(number=phones[0] if phones else "", contact_id=self.contact.id,
                                 contact_name=self.contact.name)


class AddNumberDialog(ttk.Toplevel):
    """POP-3 "Add to contact": the caller's ``number`` goes to ``contact`` with a label;
    when the contact has a phone with that label, replace it or keep both (preselected)."""

    def __init__(self, master: tk.Misc, *, contacts: ContactsPort, contact: Contact, number: str,
                 on_added: Callable[[Contact], None] | None = None):
        self._contacts = contacts
        self.contact = contact
        self.number = number
        self._on_added = on_added
        self.closed = False
        super().__init__(title=_("Add {number} to {name}").format(number=number, name=contact.name),
                         master=master, resizable=(True, False), minsize=(440, 0))
        outer = ttk.Frame(self, padding=(18, 14))
        outer.pack(fill="both", expand=True)
        ttk.Label(outer, text=_("Add {number} to {name} as:").format(number=number, name=contact.name),
                  font="OperatorHeadingFont", wraplength=460, justify="left").pack(anchor="w")
        self.label_var = tk.StringVar(value=phone_label(default_label(contact)))
        self.label_box = ttk.Combobox(outer, textvariable=self.label_var, state="readonly", width=12,
                                      values=[phone_label(code) for code in PHONE_LABELS])
        self.label_box.pack(anchor="w", pady=(6, 0))
        self.label_var.trace_add("write", lambda *_a: self._show_choices())
        self.choices = ttk.Frame(outer)
        self.choices.pack(fill="x", pady=(8, 0))
        self.keep_var = tk.StringVar(value="")
        self.error_label = ttk.Label(outer, text="", foreground=ERROR_COLOUR, wraplength=460)
        self.error_label.pack(anchor="w")
        buttons = ttk.Frame(outer)
        buttons.pack(fill="x", pady=(10, 0))
        self.add_button = ttk.Button(buttons, text=_("Add (Enter)"), bootstyle="primary", command=self.add)
        self.add_button.pack(side="right")
        cancel = ttk.Button(buttons, text=_("Cancel (Esc)"), bootstyle="secondary", command=self.close)
        cancel.pack(side="right", padx=(0, 6))
        self.bind("<Return>", lambda _e: (self.add(), "break")[1])
        self.bind("<KP_Enter>", lambda _e: (self.add(), "break")[1])
        self.bind("<Escape>", lambda _e: self.close())
        self._show_choices()
        try:
            self.transient(master.winfo_toplevel())
        except tk.TclError:
            pass
        self.lift()
        self.label_box.focus_force()

    @property
    def label(self) -> str:
        shown = self.label_var.get()
        return next((code for code in PHONE_LABELS if phone_label(code) == shown), "mobile")

    def same_label(self) -> list[Phone]:
        return [p for p in self.contact.phones if p.label == self.label]

    def _show_choices(self) -> None:
        for widget in self.choices.winfo_children():
            widget.destroy()
        self.keep_var.set("")                       # keep both unless the operator picks one
        same = self.same_label()
        if not same:
            return
        ttk.Label(self.choices, text=_("{name} already has a {label} number:").format(
            name=self.contact.name, label=phone_label(self.label)), font="OperatorBoldFont").pack(anchor="w")
        ttk.Radiobutton(self.choices, text=_("Keep both"), value="", variable=self.keep_var).pack(
            anchor="w", pady=(4, 0))
        for phone in same:
            ttk.Radiobutton(self.choices, text=_("Replace {number}").format(number=phone.number),
                            value=phone.number, variable=self.keep_var).pack(anchor="w", pady=(2, 0))

    def add(self) -> Contact | None:
        replace = self.keep_var.get() or None
        try:
            saved = self._contacts.add_phone(self.contact.id, self.number, self.label, replace)
        except Exception as exc:  # noqa: BLE001 - RecordError or the store: say why, stay
            self.error_label.configure(text=getattr(exc, "problem", None) or str(exc))
            return None
        self.close()
        if self._on_added is not None:
            self._on_added(saved)
        return saved

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.destroy()
