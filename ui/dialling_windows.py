"""Opens the outgoing-call and contact windows for the operator window and its popups:
the dial pad (Ctrl+N), the directory (Ctrl+F), contact cards (Ctrl+Shift+N for a new one),
and the popup's "New contact" / "Add to contact" for an unknown caller.

One of each list window at a time (a second Ctrl+N raises the open dial pad), one card
per contact. All of them are opened by the operator, so each takes the keyboard; none
opens by itself.
"""
from __future__ import annotations

import logging
import tkinter as tk
from typing import Any, Callable

from callcore.i18n import _
from callcore.records import Contact

from .contact_card import AddNumberDialog, ContactCard
from .dialpad import DialPad
from .directory_window import DirectoryWindow, ask_yes_no
from .keys import bind_ctrl
from .look import mnemonic
from .ports import UiPorts

log = logging.getLogger(__name__)


class DiallingWindows:
    def __init__(self, root: tk.Misc, ports: UiPorts, *,
                 call_soon: Callable[..., None] | None = None,
                 background: Callable[[Callable[[], Any], Callable[[Any], None]], Any] | None = None,
                 confirm: Callable[[tk.Misc, str, str], bool] = ask_yes_no):
        self.root = root
        self.ports = ports
        self._call_soon = call_soon
        self._background = background
        self._confirm = confirm
        self.dial_pad: DialPad | None = None
        self.directory: DirectoryWindow | None = None
        self.cards: dict[str, ContactCard] = {}
        self.add_dialog: AddNumberDialog | None = None
        # Set by the window when scheduled calls are available: open_schedule_dialog(number=,
        # contact_id=, contact_name=) for the directory's and the cards' Schedule call….
        self.on_schedule: Callable[..., Any] | None = None

    @property
    def can_dial(self) -> bool:
        return self.ports.dial_pad is not None

    @property
    def has_contacts(self) -> bool:
        return self.ports.contacts is not None

    def _subscribe(self):
        events = self.ports.events
        if events is None:
            return None
        return lambda kind, handler: events.subscribe(kind, handler, deliver=self._call_soon)

    # -- the main window's menu and keys ---------------------------------------------------
    def install(self, root: tk.Misc, menu: tk.Menu | None) -> None:
        """Calls › Dial… (Ctrl+N), Directory… (Ctrl+F), New contact… (Ctrl+Shift+N)."""
        items = []
        if self.can_dial:
            items.append((_("&Dial…"), _("Ctrl+N"), self.open_dial_pad, "n", False))
        if self.has_contacts:
            items.append((_("Di&rectory…"), _("Ctrl+F"), self.open_directory, "f", False))
            items.append((_("New &contact…"), _("Ctrl+Shift+N"), lambda: self.open_card(None), "n", True))
        if menu is not None and items:
            menu.add_separator()
        for label, accelerator, command, letter, shift in items:
            bind_ctrl(root, letter, command, shift=shift)    # any keyboard layout
            if menu is not None:
                text, underline = mnemonic(label)
                menu.add_command(label=text, underline=underline, accelerator=accelerator,
                                 command=command)

    # -- windows ----------------------------------------------------------------------------
    def open_dial_pad(self) -> DialPad | None:
        if self.ports.dial_pad is None:
            return None
        if self.dial_pad is not None and not self.dial_pad.closed:
            self.dial_pad.lift()
            self.dial_pad.number_entry.focus_force()
            return self.dial_pad
        group = ""
        if self.ports.speed_dial is not None:
            try:
                group = self.ports.speed_dial.group_name()
            except Exception:  # noqa: BLE001 - the heading only; logged
                log.exception("speed dial group name")
        self.dial_pad = DialPad(self.root, dial=self.ports.dial_pad, speed_dial=self.ports.speed_dial,
                                subscribe=self._subscribe(), group_name=group,
                                on_directory=self._pick_for_dial_pad if self.has_contacts else None,
                                on_closed=lambda _w: setattr(self, "dial_pad", None))
        return self.dial_pad

    def _pick_for_dial_pad(self, pick: Callable[[str], None]) -> None:
        self.open_directory(on_pick_number=pick, purpose=_("Pick a number for the dial pad"))

    def open_directory(self, *, on_pick_number: Callable[[str], None] | None = None,
                       on_pick_contact: Callable[[Contact], None] | None = None,
                       purpose: str = "", text: str = "") -> DirectoryWindow | None:
        if self.ports.contacts is None:
            return None
        picking = on_pick_number is not None or on_pick_contact is not None
        current = self.directory
        if current is not None and not current.closed:
            if not picking and not current._on_pick_number and not current._on_pick_contact:
                current.lift()
                current.search_entry.focus_force()
                return current
            current.close()        # one directory at a time: the new purpose wins
        self.directory = DirectoryWindow(
            self.root, contacts=self.ports.contacts, dial=self.ports.dial,
            open_card=self.open_card, on_pick_number=on_pick_number,
            on_pick_contact=on_pick_contact, subscribe=self._subscribe(), confirm=self._confirm,
            on_closed=lambda w: setattr(self, "directory", None) if self.directory is w else None,
            purpose=purpose, text=text, on_schedule=self.on_schedule)
        return self.directory

    def open_card(self, contact_id: str | None = None, number: str = "",
                  label: str = "mobile") -> ContactCard | None:
        if self.ports.contacts is None:
            return None
        card = self.cards.get(contact_id) if contact_id else None
        if card is not None and not card.closed:
            card.lift()
            card.focus_force()
            return card
        card = ContactCard(self.root, contacts=self.ports.contacts, dial=self.ports.dial,
                           contact_id=contact_id, number=number, label=label,
                           background=self._background, confirm=self._confirm,
                           subscribe=self._subscribe(), on_closed=self._card_closed,
                           recordings=self.ports.recordings, on_schedule=self.on_schedule)
        self.cards[card.contact.id] = card
        return card

    def _card_closed(self, card: ContactCard) -> None:
        if self.cards.get(card.contact.id) is card:
            del self.cards[card.contact.id]

    # -- from a popup (POP-3) -----------------------------------------------------------------
    def new_contact_from(self, number: str) -> ContactCard | None:
        """A popup's "New contact": a card with the caller's number filled in."""
        return self.open_card(None, number=number)

    def add_to_contact(self, number: str) -> DirectoryWindow | None:
        """A popup's "Add to contact": pick the contact, then the label (replace or keep)."""
        def chosen(contact: Contact) -> None:
            self.add_dialog = AddNumberDialog(self.root, contacts=self.ports.contacts, contact=contact,
                                              number=number, on_added=lambda saved: self.open_card(saved.id))
        return self.open_directory(on_pick_contact=chosen,
                                   purpose=_("Add {number} to which contact?").format(number=number))

    def close(self) -> None:
        for window in [self.dial_pad, self.directory, *self.cards.values()]:
            if window is not None and not window.closed:
                try:
                    window.close()
                except tk.TclError:
                    pass
        if self.add_dialog is not None:
            try:
                self.add_dialog.close()
            except tk.TclError:
                pass
