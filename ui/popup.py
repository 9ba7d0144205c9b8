"""The call popup: one window per ringing leg of this workstation (SPEC POP-1, POP-3, POP-7).

Shows who calls before the phone is picked up, every matching contact, the last calls with
this number, transfer notes, and a notes box that is saved while typing (debounced), on
Ctrl+Enter and on close, so notes are never lost when the popup closes before the call ends.
Closing the popup never ends the call.
"""
from __future__ import annotations

import logging
import tkinter as tk
from datetime import datetime
from typing import Callable, Sequence

import ttkbootstrap as ttk

from callcore.i18n import _
from callcore.records import CallRecord

from .live_calls import LiveLeg
from .look import (DIRECTION_GLYPHS, ENDED, STATE_COLOURS, call_status_label,
                   contact_type_label, direction_label, format_duration, format_when,
                   state_label)
from .ports import MatchLike

SAVE_DELAY_MS = 500
log = logging.getLogger(__name__)


def popup_title(number: str, best_name: str, is_demo: bool = False) -> str:
    """``<caller number> — <best matching name>``; the number alone when unknown."""
    shown = number or _("Unknown number")
    title = f"{shown} — {best_name}" if best_name else shown
    return _("[DEMO] {title}").format(title=title) if is_demo else title


def _phone_text(phone) -> str:
    return getattr(phone, "number", None) or str(phone or "")


class CallPopup(ttk.Toplevel):
    """One call leg's popup. The app owns it and feeds it state changes."""

    def __init__(self, master: tk.Misc, leg: LiveLeg, matches: Sequence[MatchLike], *,
                 line_note: str, initial_notes: str,
                 save_notes: Callable[[str, str], None], hangup: Callable[[str], None],
                 on_closed: Callable[["CallPopup"], None], is_demo: bool = False,
                 iconify: bool = False):
        self.leg = leg
        self.matches = list(matches)
        self._save_notes = save_notes
        self._hangup = hangup
        self._on_closed = on_closed
        self._saved_text = initial_notes
        self._save_after: str | None = None
        self.closed = False
        best = leg.contact_name or (self.matches[0].contact.name if self.matches else "")
        super().__init__(title=popup_title(leg.number, best or leg.caller_id_name, is_demo), master=master,
                         size=(660, 700), minsize=(500, 560), iconify=iconify)
        self.protocol("WM_DELETE_WINDOW", self.close)
        self.bind("<Escape>", lambda _e: self.close())
        self.bind("<Control-Return>", self._save_shortcut)
        self.bind("<Control-KP_Enter>", self._save_shortcut)
        self.bind("<Control-Shift-H>", lambda _e: self._hangup_clicked())
        self._build(best, line_note, is_demo)
        self.notes.insert("1.0", initial_notes)
        self.notes.edit_modified(False)
        self.notes.bind("<<Modified>>", self._notes_modified)
        # On the widget itself: the Text class binding would insert a newline first.
        self.notes.bind("<Control-Return>", self._save_shortcut)
        self.notes.bind("<Control-KP_Enter>", self._save_shortcut)

    # -- layout ---------------------------------------------------------------------------
    def _build(self, best: str, line_note: str, is_demo: bool) -> None:
        leg = self.leg
        outer = ttk.Frame(self, padding=(18, 14, 18, 14))
        outer.pack(fill="both", expand=True)

        head = ttk.Frame(outer)
        head.pack(fill="x")
        self.direction_label = ttk.Label(
            head, text=f"{DIRECTION_GLYPHS.get(leg.direction, '')}  {direction_label(leg.direction)}"
            + (f" · {_('queue')} {leg.queue}" if leg.queue else ""),
            foreground="#6c7a7c", font="OperatorHeadingFont")
        self.direction_label.pack(side="left")
        if is_demo:
            ttk.Label(head, text=" " + _("DEMO") + " ", bootstyle="@warning",
                      font="OperatorBoldFont", padding=(6, 1)).pack(side="left", padx=(10, 0))
        self.status_label = ttk.Label(head, text="", font="OperatorBoldFont")
        self.status_label.pack(side="right")

        self.number_label = ttk.Label(outer, text=leg.number or _("Unknown number"),
                                      font="OperatorNumberFont")
        self.number_label.pack(anchor="w", pady=(6, 0))
        self.name_label = ttk.Label(outer, text=best or leg.caller_id_name or _("Unknown caller"),
                                    font="OperatorTitleFont",
                                    foreground="" if (best or leg.caller_id_name) else "#8a9496")
        self.name_label.pack(anchor="w")

        line_text = _("Line {line}").format(line=leg.line) if leg.line else _("Line unknown")
        if leg.direction == "out":
            line_text = _("Dialled {number}").format(number=leg.line or leg.number)
        line_row = ttk.Frame(outer)
        line_row.pack(fill="x", pady=(8, 0))
        self.line_label = ttk.Label(line_row, text=line_text, font="OperatorBoldFont")
        self.line_label.pack(side="left")
        self.line_note_label = ttk.Label(line_row, text=line_note, foreground="#5b6b6d",
                                         wraplength=420, justify="left")
        if line_note:
            self.line_note_label.pack(side="left", padx=(10, 0))

        # Buttons.
        buttons = ttk.Frame(outer)
        buttons.pack(fill="x", side="bottom", pady=(14, 0))
        ttk.Label(buttons, text=_("Esc closes · Ctrl+Enter saves notes"), foreground="#8a9496",
                  font="OperatorSmallFont").pack(side="left")
        self.hangup_button = ttk.Button(buttons, text=_("Hang up"), bootstyle="danger", width=11,
                                        command=self._hangup_clicked)
        self.hangup_button.pack(side="right")
        ttk.ToolTip(self.hangup_button, text=_("End this call (Ctrl+Shift+H)"))
        self.close_button = ttk.Button(buttons, text=_("Close"), bootstyle="primary-outline",
                                       width=11, command=self.close)
        self.close_button.pack(side="right", padx=(0, 8))
        ttk.ToolTip(self.close_button, text=_("Close this window; the call goes on (Esc)"))

        # Transfer info: hidden until there is something to show.
        self.transfer_box = ttk.Frame(outer, padding=(10, 8), bootstyle="info")
        self.transfer_label = ttk.Label(self.transfer_box, text="", bootstyle="@info",
                                        wraplength=540, justify="left")
        self.transfer_label.pack(fill="x")
        self._transfer_anchor = ttk.Frame(outer, height=1)
        self._transfer_anchor.pack(fill="x", pady=(6, 0))
        if leg.transferred_by:
            self.show_transfer(leg.transferred_by, "")

        # Matching contacts.
        self._contacts_heading = ttk.Label(outer, text=_("Matching contacts"),
                                           font="OperatorHeadingFont")
        self._contacts_heading.pack(anchor="w", pady=(10, 4))
        self.contacts = ttk.Treeview(outer, columns=("name", "type", "phone", "match"),
                                     show="headings", style="Compact.Treeview",
                                     height=max(1, min(3, len(self.matches))), selectmode="browse")
        for column, text, width, stretch in (("name", _("Name"), 200, True),
                                             ("type", _("Type"), 120, False),
                                             ("phone", _("Phone"), 145, False),
                                             ("match", _("Match"), 125, False)):
            self.contacts.heading(column, text=text, anchor="w")
            self.contacts.column(column, width=width, minwidth=60, stretch=stretch, anchor="w")
        self.contacts.tag_configure("similar", foreground="#8a6d1f")
        for index, match in enumerate(self.matches):
            self.contacts.insert("", "end", iid=str(index), values=self.match_row(match),
                                 tags=(match.kind,))
        self.no_contact_label = ttk.Label(outer, text=_("No contact has this number."),
                                          foreground="#8a9496")
        if self.matches:
            self.contacts.pack(fill="x")
        else:
            self.no_contact_label.pack(anchor="w")

        # Recent calls (filled in from a worker thread).
        ttk.Label(outer, text=_("Recent calls with this number"), font="OperatorHeadingFont").pack(
            anchor="w", pady=(12, 4))
        self.recent = ttk.Treeview(outer, columns=("when", "direction", "status", "talk", "notes"),
                                   show="headings", height=3, selectmode="none",
                                   style="Compact.Treeview")
        for column, text, width, stretch, anchor in (
                ("when", _("When"), 125, False, "w"), ("direction", _("Direction"), 90, False, "w"),
                ("status", _("Status"), 100, False, "w"), ("talk", _("Talk"), 55, False, "e"),
                ("notes", _("Notes"), 180, True, "w")):
            self.recent.heading(column, text=text, anchor=anchor)
            self.recent.column(column, width=width, stretch=stretch, anchor=anchor)
        self.recent.pack(fill="x")
        self.recent.insert("", "end", iid="loading", values=(_("Loading…"), "", "", "", ""))

        # Notes.
        notes_head = ttk.Frame(outer)
        notes_head.pack(fill="x", pady=(12, 4))
        ttk.Label(notes_head, text=_("Call notes"), font="OperatorHeadingFont").pack(side="left")
        self.saved_label = ttk.Label(notes_head, text="", foreground="#8a9496",
                                     font="OperatorSmallFont")
        self.saved_label.pack(side="right")
        notes_frame = ttk.Frame(outer)
        notes_frame.pack(fill="both", expand=True)
        self.notes = ttk.Text(notes_frame, height=5, wrap="word", undo=True, padx=8, pady=6,
                              font="TkTextFont")
        scroll = ttk.Scrollbar(notes_frame, orient="vertical", command=self.notes.yview)
        self.notes.configure(yscrollcommand=scroll.set)
        self.notes.pack(side="left", fill="both", expand=True)
        scroll.pack(side="right", fill="y")

    def set_caller(self, number: str, matches: Sequence[MatchLike], caller_id_name: str,
                   is_demo: bool = False) -> None:
        """The other party became known late (e.g. click-to-dial answered): redraw who."""
        self.matches = list(matches)
        best = self.matches[0].contact.name if self.matches else caller_id_name
        self.title(popup_title(number, best, is_demo))
        self.number_label.configure(text=number or _("Unknown number"))
        self.name_label.configure(text=best or _("Unknown caller"),
                                  foreground="" if best else "#8a9496")
        self.contacts.delete(*self.contacts.get_children())
        for index, match in enumerate(self.matches):
            self.contacts.insert("", "end", iid=str(index), values=self.match_row(match),
                                 tags=(match.kind,))
        if self.matches and not self.contacts.winfo_manager():
            self.contacts.configure(height=max(1, min(3, len(self.matches))))
            self.no_contact_label.pack_forget()
            self.contacts.pack(fill="x", after=self._contacts_heading)

    @staticmethod
    def match_row(match: MatchLike) -> tuple[str, str, str, str]:
        """(name, type, phone, match) as the contacts table shows one match."""
        contact = match.contact
        name = contact.name
        if contact.type == "contact_person" and contact.company:
            name = f"{contact.name} · {contact.company}"
        how = _("similar number") if match.kind == "similar" else ""
        return name, contact_type_label(contact.type), _phone_text(match.phone), how

    # -- state from the app ---------------------------------------------------------------
    def refresh(self, now: datetime) -> None:
        """Redraw the status line (called every second and on every leg event)."""
        if self.closed:
            return
        leg = self.leg
        duration = format_duration(leg.seconds(now))
        if leg.state == ENDED:
            parts = [_("Ended"), call_status_label(leg.end_status)] if leg.end_status else [_("Ended")]
            if leg.transferred_to:
                parts.append(_("to {target}").format(target=leg.transferred_to))
            text = " · ".join(parts) + f" · {duration}"
            self.hangup_button.configure(state="disabled")
        else:
            text = f"{state_label(leg.state)} · {duration}"
        self.status_label.configure(text=text, foreground=STATE_COLOURS.get(leg.state, ""))

    def show_transfer(self, from_extension: str, notes: str) -> None:
        text = _("Transferred by extension {ext}").format(ext=from_extension)
        if notes:
            text += "\n" + _("Transfer notes: {notes}").format(notes=notes)
        self.transfer_label.configure(text=text)
        self.transfer_box.pack(fill="x", pady=(8, 0), after=self._transfer_anchor)

    @property
    def transfer_text(self) -> str:
        return str(self.transfer_label.cget("text")) if self.transfer_box.winfo_manager() else ""

    def show_recent(self, records: Sequence[CallRecord]) -> None:
        if self.closed:
            return
        self.recent.delete(*self.recent.get_children())
        for record in records:
            self.recent.insert("", "end", iid=record.id, values=(
                format_when(record.started_at), direction_label(record.direction),
                call_status_label(record.status),
                format_duration(record.talk_seconds) if record.talk_seconds else "–",
                (record.notes or "").replace("\n", " ")))
        if not records:
            self.recent.insert("", "end", iid="none", values=(_("No earlier calls"), "", "", "", ""))

    # -- notes ----------------------------------------------------------------------------
    @property
    def notes_text(self) -> str:
        return self.notes.get("1.0", "end-1c")

    def _notes_modified(self, _event=None) -> None:
        if not self.notes.edit_modified():
            return
        self.notes.edit_modified(False)
        if self._save_after is not None:
            self.after_cancel(self._save_after)
        self._save_after = self.after(SAVE_DELAY_MS, self.save_notes_now)
        self.saved_label.configure(text=_("Editing…"))

    def save_notes_now(self) -> bool:
        """Save the notes if they changed since the last save; False when saving failed
        (the popup then shows why and stays open, so the text is not lost)."""
        if self._save_after is not None:
            try:
                self.after_cancel(self._save_after)
            except tk.TclError:
                pass
            self._save_after = None
        text = self.notes_text
        if text == self._saved_text:
            return True
        try:
            self._save_notes(self.leg.call_id, text)
        except Exception as exc:  # the store refused: say so, keep the text on screen
            log.exception("saving call notes failed")
            if not self.closed:
                self.saved_label.configure(text=_("Notes NOT saved: {error}").format(error=exc),
                                           foreground=STATE_COLOURS["held"])
            return False
        self._saved_text = text
        if not self.closed:
            self.saved_label.configure(text=_("Notes saved {time}").format(
                time=datetime.now().strftime("%H:%M:%S")), foreground="#8a9496")
        return True

    def _save_shortcut(self, _event=None) -> str:
        self.save_notes_now()
        return "break"  # no newline in the notes

    # -- actions --------------------------------------------------------------------------
    def _hangup_clicked(self) -> None:
        if self.leg.state != ENDED:
            self._hangup(self.leg.leg_id)

    def bring_to_front(self) -> None:
        """Raise and focus (Windows needs the brief topmost trick to really come forward)."""
        try:
            self.deiconify()
            self.lift()
            self.attributes("-topmost", True)
            self.after(300, self._drop_topmost)
            self.focus_force()
            self.notes.focus_set()
        except tk.TclError:
            pass

    def _drop_topmost(self) -> None:
        if not self.closed:
            try:
                self.attributes("-topmost", False)
            except tk.TclError:
                pass

    def close(self) -> None:
        """Save pending notes and close. The call itself goes on."""
        if self.closed:
            return
        if not self.save_notes_now():
            return  # stays open: the notes are still only on screen
        self.closed = True
        self._on_closed(self)
        self.destroy()
