"""The directory window (OUT-1, DIR-3): search as you type over the in-memory directory
(accents and case ignored, any script) with a type selector, and act on the result.

Keys (in the tooltips and the help line): ↓ goes from the search field into the results,
Enter opens the contact card (as a picker: takes the number), Ctrl+Enter calls the
selected contact (asks which phone when it has several), Ctrl+Shift+N new contact, Delete
(in the results) deletes after asking, Alt+1…Alt+6 choose the type, Esc closes.

The results follow edits from every workstation (``StoreChanged`` for contacts).
"""
from __future__ import annotations

import logging
import tkinter as tk
from typing import Any, Callable, Sequence

import ttkbootstrap as ttk

from callcore.events import StoreChanged
from callcore.i18n import _
from callcore.records import Contact

from .keys import bind_ctrl
from .tool_window import ToolWindow
from .look import contact_type_label
from .main_window import AutoScrollbar
from .ports import ContactsPort, DialPort

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 60
RESULT_LIMIT = 200
ERROR_COLOUR = "#d62c2c"

Subscribe = Callable[[type, Callable[[Any], None]], Callable[[], None]]
Confirm = Callable[[tk.Misc, str, str], bool]


def type_choices() -> list[tuple[str | None, str]]:
    """(contact type or None for all, label) in the order the selector shows them."""
    return [(None, _("All")), ("customer", _("Customers")), ("supplier", _("Suppliers")),
            ("contact_person", _("Contact persons")), ("other", _("Other contacts")),
            ("internal", _("Colleagues/extensions"))]


def ask_yes_no(master: tk.Misc, title: str, message: str) -> bool:
    """The default confirmation: a modal Yes/No box over ``master``."""
    from ttkbootstrap.dialogs import Messagebox
    answer = Messagebox.yesno(message, title=title, parent=master)
    return answer in ("Yes", _("Yes"))


def phone_label(label: str) -> str:
    """A phone's label as shown (``callcore.records.PHONE_LABELS``)."""
    return {"home": _("home"), "mobile": _("mobile"), "work": _("work"), "fax": _("fax"),
            "other": _("other")}.get(label, label)


def phones_text(contact: Contact) -> str:
    return ", ".join(p.number for p in contact.phones)


class PhoneChooser(ttk.Toplevel):
    """Which of a contact's phones? ↑/↓ and Enter, or a double-click; Esc cancels."""

    def __init__(self, master: tk.Misc, contact: Contact, on_chosen: Callable[[str], None],
                 action: str = ""):
        self._on_chosen = on_chosen
        self.contact = contact
        super().__init__(title=_("Which number? — {name}").format(name=contact.name), master=master,
                         resizable=(False, False))
        outer = ttk.Frame(self, padding=(16, 12))
        outer.pack(fill="both", expand=True)
        ttk.Label(outer, text=action or _("{name} has several numbers:").format(name=contact.name),
                  font="OperatorBoldFont").pack(anchor="w")
        self.listbox = tk.Listbox(outer, height=min(8, len(contact.phones)), activestyle="dotbox",
                                  exportselection=False, width=40)
        for phone in contact.phones:
            self.listbox.insert("end", f"{phone.number}   ({phone_label(phone.label)})")
        self.listbox.pack(fill="x", pady=(8, 0))
        self.listbox.selection_set(0)
        self.listbox.activate(0)
        hint = ttk.Label(outer, text=_("Enter chooses · Esc cancels"), foreground="#8a9496",
                         font="OperatorSmallFont")
        hint.pack(anchor="w", pady=(6, 0))
        self.listbox.bind("<Return>", lambda _e: self.choose())
        self.listbox.bind("<KP_Enter>", lambda _e: self.choose())
        self.listbox.bind("<Double-1>", lambda _e: self.choose())
        self.bind("<Escape>", lambda _e: self.destroy())
        try:
            self.transient(master)
        except tk.TclError:
            pass
        self.listbox.focus_force()

    @property
    def numbers(self) -> list[str]:
        return [p.number for p in self.contact.phones]

    def choose(self, index: int | None = None) -> None:
        if index is None:
            selection = self.listbox.curselection()
            index = selection[0] if selection else 0
        number = self.contact.phones[index].number
        self.destroy()
        self._on_chosen(number)


class DirectoryWindow(ToolWindow, ttk.Toplevel):
    """The ``Directory`` window. As a picker (``on_pick_number`` or ``on_pick_contact``),
    Enter hands the choice back and closes instead of opening the card."""

    def __init__(self, master: tk.Misc, *, contacts: ContactsPort, dial: DialPort | None = None,
                 open_card: Callable[[str | None], Any] | None = None,
                 on_pick_number: Callable[[str], None] | None = None,
                 on_pick_contact: Callable[[Contact], None] | None = None,
                 subscribe: Subscribe | None = None, confirm: Confirm = ask_yes_no,
                 on_closed: Callable[["DirectoryWindow"], None] | None = None,
                 purpose: str = "", text: str = "",
                 on_schedule: Callable[..., Any] | None = None):
        self._contacts = contacts
        self.on_schedule = on_schedule
        self._dial = dial
        self._open_card = open_card
        self._on_pick_number = on_pick_number
        self._on_pick_contact = on_pick_contact
        self._confirm = confirm
        self._on_closed = on_closed
        self.closed = False
        self.chooser: PhoneChooser | None = None
        self._search_after: str | None = None
        self._results: dict[str, Contact] = {}
        super().__init__(title=_("Directory"), master=master, size=(820, 560), minsize=(620, 400))
        self._build(purpose)
        self._unsubscribe: list[Callable[[], None]] = []
        if subscribe is not None:
            self._unsubscribe.append(subscribe(StoreChanged, self._store_changed))
        self.protocol("WM_DELETE_WINDOW", self.close)
        self.bind("<Escape>", lambda _e: self._key(self.close))
        self.bind("<Control-Return>", lambda _e: self._key(self.call_selected))
        self.bind("<Control-KP_Enter>", lambda _e: self._key(self.call_selected))
        bind_ctrl(self, "n", self.new_contact, shift=True)
        for index in range(len(type_choices())):
            self.bind(f"<Alt-Key-{index + 1}>", lambda _e, i=index: self._key(lambda: self.choose_type(i)))
        self.search_entry.bind("<Return>", lambda _e: self._key(self.enter))
        self.search_entry.bind("<KP_Enter>", lambda _e: self._key(self.enter))
        self.search_entry.bind("<Down>", lambda _e: self._key(self._into_results))
        self.tree.bind("<Return>", lambda _e: self._key(self.enter))
        self.tree.bind("<KP_Enter>", lambda _e: self._key(self.enter))
        self.tree.bind("<Double-1>", lambda _e: self.enter())
        self.tree.bind("<Delete>", lambda _e: self._key(self.delete_selected))
        for widget in (self.search_entry, self.tree):   # else their <Return> would take it
            widget.bind("<Control-Return>", lambda _e: self._key(self.call_selected))
            widget.bind("<Control-KP_Enter>", lambda _e: self._key(self.call_selected))
        self.search_var.set(text)
        self.search_var.trace_add("write", lambda *_a: self._schedule_search())
        self.refresh()
        try:
            self.transient(master.winfo_toplevel())
        except tk.TclError:
            pass
        self.lift()
        self.search_entry.focus_force()     # opened by the operator: the keyboard goes here
        self.search_entry.icursor("end")

    # -- layout ---------------------------------------------------------------------------
    def _build(self, purpose: str) -> None:
        outer = ttk.Frame(self, padding=(18, 14, 18, 12))
        outer.pack(fill="both", expand=True)
        if purpose:
            ttk.Label(outer, text=purpose, font="OperatorHeadingFont").pack(anchor="w", pady=(0, 6))
        self.search_var = tk.StringVar()
        self.search_entry = ttk.Entry(outer, textvariable=self.search_var, font="OperatorHeadingFont")
        self.search_entry.pack(fill="x")
        ttk.ToolTip(self.search_entry, text=_("Type part of a name, company or number; accents "
                                              "and case do not matter (↓ to the results)"))
        types = ttk.Frame(outer)
        types.pack(fill="x", pady=(8, 6))
        self.type_var = tk.IntVar(value=0)
        self.type_buttons: list[ttk.Radiobutton] = []
        for index, (_kind, label) in enumerate(type_choices()):
            button = ttk.Radiobutton(types, text=label, value=index, variable=self.type_var,
                                     bootstyle="primary-outline-toolbutton", takefocus=False,
                                     command=self.refresh)
            button.pack(side="left", padx=(0, 2))
            ttk.ToolTip(button, text=_("Show {what} (Alt+{n})").format(what=label, n=index + 1))
            self.type_buttons.append(button)

        table = ttk.Frame(outer)
        table.pack(fill="both", expand=True)
        self.tree = ttk.Treeview(table, columns=("name", "type", "company", "phones"),
                                 show="headings", selectmode="browse", style="Compact.Treeview")
        for column, text, width, stretch in (("name", _("Name"), 230, True),
                                             ("type", _("Type"), 130, False),
                                             ("company", _("Company"), 170, True),
                                             ("phones", _("Phones"), 220, True)):
            self.tree.heading(column, text=text, anchor="w")
            self.tree.column(column, width=width, minwidth=80, stretch=stretch, anchor="w")
        scroll = AutoScrollbar(table, orient="vertical", command=self.tree.yview)
        self.tree.configure(yscrollcommand=scroll.set)
        self.tree.grid(row=0, column=0, sticky="nsew")
        scroll.grid(row=0, column=1, sticky="ns")
        table.columnconfigure(0, weight=1)
        table.rowconfigure(0, weight=1)
        self.empty_label = ttk.Label(self.tree, text="", foreground="#8a9496")

        buttons = ttk.Frame(outer)
        buttons.pack(fill="x", pady=(10, 0))
        self.message_label = ttk.Label(buttons, text="", foreground="#8a9496",
                                       font="OperatorSmallFont")
        picking = self._on_pick_number is not None or self._on_pick_contact is not None
        self.open_button = ttk.Button(buttons, text=_("Choose") if picking else _("Open"),
                                      bootstyle="primary", width=9, command=self.enter)
        self.open_button.pack(side="right")
        ttk.ToolTip(self.open_button, text=_("Take the selected entry (Enter)") if picking
                    else _("Open the contact card (Enter)"))
        self.call_button = ttk.Button(buttons, text=_("Call"), bootstyle="success", width=8,
                                      command=self.call_selected)
        ttk.ToolTip(self.call_button, text=_("Call the selected contact (Ctrl+Enter)"))
        if self._dial is not None:
            self.call_button.pack(side="right", padx=(0, 6))
        self.new_button = ttk.Button(buttons, text=_("New contact…"), bootstyle="primary-outline",
                                     command=self.new_contact)
        ttk.ToolTip(self.new_button, text=_("Create a contact (Ctrl+Shift+N)"))
        self.delete_button = ttk.Button(buttons, text=_("Delete…"), bootstyle="danger-outline",
                                        command=self.delete_selected)
        ttk.ToolTip(self.delete_button, text=_("Delete the selected contact (Delete in the list)"))
        if self._open_card is not None:
            self.new_button.pack(side="right", padx=(0, 6))
        if not picking:
            self.delete_button.pack(side="right", padx=(0, 6))
        self.schedule_button = ttk.Button(buttons, text=_("Schedule call…"),
                                          bootstyle="primary-outline", command=self.schedule_selected)
        ttk.ToolTip(self.schedule_button, text=_("Schedule a call to the selected contact (Ctrl+Shift+R)"))
        if self.on_schedule is not None and not picking:
            self.schedule_button.pack(side="right", padx=(0, 6))
            bind_ctrl(self, "r", self.schedule_selected, shift=True)
        # packed last: a narrow window shortens the hint, never the buttons
        self.message_label.pack(side="left", fill="x", expand=True)

    # -- searching ------------------------------------------------------------------------
    @property
    def kind(self) -> str | None:
        return type_choices()[self.type_var.get()][0]

    def choose_type(self, index: int) -> None:
        self.type_var.set(index)
        self.refresh()

    def _schedule_search(self) -> None:
        if self._search_after is not None:
            self.after_cancel(self._search_after)
        self._search_after = self.after(SEARCH_DELAY_MS, self.refresh)

    def refresh(self) -> None:
        """Search again with the text and type shown (the selection is kept if still there)."""
        if self._search_after is not None:
            try:
                self.after_cancel(self._search_after)
            except tk.TclError:
                pass
            self._search_after = None
        if self.closed:
            return
        text, kind = self.search_var.get(), self.kind
        try:
            found: Sequence[Contact] = self._contacts.search(text, kind, RESULT_LIMIT)
        except Exception:  # noqa: BLE001 - an empty list beats a broken window; logged
            log.exception("directory search failed")
            found = []
        selected = self.selected_id()
        self.tree.delete(*self.tree.get_children())
        self._results = {c.id: c for c in found}
        for contact in found:
            self.tree.insert("", "end", iid=contact.id, values=(
                contact.name, contact_type_label(contact.type), contact.company, phones_text(contact)))
        if selected and self.tree.exists(selected):
            self.tree.selection_set(selected)
            self.tree.see(selected)
        elif found:
            self.tree.selection_set(found[0].id)
        if found:
            self.empty_label.place_forget()
        else:
            self.empty_label.configure(text=_("Nobody matches") if text.strip() or kind
                                       else _("Type to search the directory"))
            self.empty_label.place(relx=0.5, rely=0.4, anchor="center")
        self.message_label.configure(text=self._hint(len(found)), foreground="#8a9496")

    def _hint(self, shown: int) -> str:
        if not shown:
            return ""
        picking = self._on_pick_number is not None or self._on_pick_contact is not None
        keys = (_("Enter chooses") if picking else _("Enter opens"))
        if self._dial is not None:
            keys += " · " + _("Ctrl+Enter calls")
        return _("{n} shown").format(n=shown) + " · " + keys

    def rows(self) -> list[dict[str, str]]:
        """What the table shows (tests, diagnostics)."""
        columns = ("name", "type", "company", "phones")
        return [dict(zip(columns, self.tree.item(iid, "values")), id=iid)
                for iid in self.tree.get_children()]

    def selected_id(self) -> str | None:
        selection = self.tree.selection()
        return selection[0] if selection else None

    def selected(self) -> Contact | None:
        cid = self.selected_id()
        return self._results.get(cid) if cid else None

    def _into_results(self) -> None:
        children = self.tree.get_children()
        if not children:
            return
        target = self.selected_id() or children[0]
        self.tree.selection_set(target)
        self.tree.focus(target)
        self.tree.focus_set()

    def _store_changed(self, event: StoreChanged) -> None:
        if event.table == "contacts" and not self.closed:
            self.refresh()

    # -- actions --------------------------------------------------------------------------
    def enter(self) -> None:
        contact = self.selected()
        if contact is None:
            return
        if self._on_pick_contact is not None:
            pick = self._on_pick_contact
            self.close()
            pick(contact)
        elif self._on_pick_number is not None:
            self._with_number(contact, self._pick_number, _("Put which number in the dial pad?"))
        elif self._open_card is not None:
            self._open_card(contact.id)

    def _pick_number(self, number: str) -> None:
        pick = self._on_pick_number
        self.close()
        if pick is not None:
            pick(number)

    def call_selected(self) -> None:
        contact = self.selected()
        if contact is None or self._dial is None:
            return
        self._with_number(contact, self._call, _("Call which number?"))

    def _call(self, number: str) -> None:
        if self._dial is not None:
            self._dial.dial(number)
            if not self.closed:
                self.message_label.configure(text=_("Calling {number}…").format(number=number))

    def _with_number(self, contact: Contact, then: Callable[[str], None], question: str) -> None:
        """``then(number)`` with the contact's only phone, or after asking which."""
        if not contact.phones:
            self.message_label.configure(text=_("{name} has no phone number").format(name=contact.name),
                                         foreground=ERROR_COLOUR)
            return
        if len(contact.phones) == 1:
            then(contact.phones[0].number)
            return
        self.chooser = PhoneChooser(self, contact, then, action=question)

    def new_contact(self) -> None:
        if self._open_card is not None:
            self._open_card(None)

    def delete_selected(self) -> bool:
        contact = self.selected()
        if contact is None or self._on_pick_number is not None or self._on_pick_contact is not None:
            return False
        if not self._confirm(self, _("Delete contact"),
                             _("Delete {name} for everyone? This cannot be undone.").format(name=contact.name)):
            return False
        try:
            self._contacts.delete(contact.id)
        except Exception as exc:  # noqa: BLE001 - the store said no (disk full…): say why
            log.exception("deleting a contact failed")
            self.message_label.configure(text=_("Not deleted: {error}").format(error=exc),
                                         foreground=ERROR_COLOUR)
            return False
        self.refresh()
        self.tree.focus_set()
        return True

    def _before_close(self) -> None:
        if self._search_after is not None:
            try:
                self.after_cancel(self._search_after)
            except tk.TclError:
                pass

    def schedule_selected(self) -> Any:
        """Schedule a call to the selected contact's first phone (SCHED-1)."""
        contact = self.selected()
        if contact is None or self.on_schedule is None:
            return None
        number = contact.phones[0].number if contact.phones else ""
        return self.on_schedule(number=number, contact_id=contact.id, contact_name=contact.name)
