"""The call popup: one window per ringing leg of this workstation (SPEC POP-1, POP-3, POP-7).

Shows who calls before the phone is picked up, every matching contact, the last calls with
this number, transfer notes, and a notes box that is saved while typing (debounced), on
Ctrl+Enter and on close, so notes are never lost when the popup closes before the call ends.
Closing the popup never ends the call.

A new popup never takes the keyboard: it comes forward and blinks, and the operator goes
to it with a click or F2 (:data:`ui.look.FOCUS_POPUP_SEQUENCE`), so text typed elsewhere
never lands in a call's notes. Once its call ended, a popup without notes closes by itself
after ``popup.auto_close_seconds`` (never while the operator types in it), so popups do
not pile up; one with notes stays until closed (the notes are saved either way).
"""
from __future__ import annotations

import logging
import math
import tkinter as tk
from datetime import datetime, timedelta, timezone
from typing import Callable, Sequence

import ttkbootstrap as ttk

from callcore.i18n import _
from callcore.records import CallRecord

from .live_calls import LiveLeg
from .look import (DIRECTION_GLYPHS, ENDED, FOCUS_POPUP_SEQUENCE, STATE_COLOURS, UNKNOWN,
                   call_status_label, contact_type_label, direction_label, focus_popup_key,
                   format_duration, format_when, state_label)
from .look import HELD, RINGING
from .ports import MatchLike
from .unobtrusive import FLASH_MARK, Unobtrusive, app_focus

SAVE_DELAY_MS = 500
TYPING_GRACE = timedelta(seconds=8)   # no auto-close this soon after the notes changed
log = logging.getLogger(__name__)


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def popup_title(number: str, best_name: str, is_demo: bool = False) -> str:
    """``<caller number> — <best matching name>``; the number alone when unknown."""
    shown = number or _("Unknown number")
    title = f"{shown} — {best_name}" if best_name else shown
    return _("[DEMO] {title}").format(title=title) if is_demo else title


def _phone_text(phone) -> str:
    return getattr(phone, "number", None) or str(phone or "")


class CallPopup(Unobtrusive, ttk.Toplevel):
    """One call leg's popup. The app owns it and feeds it state changes."""

    def __init__(self, master: tk.Misc, leg: LiveLeg, matches: Sequence[MatchLike], *,
                 line_note: str, initial_notes: str,
                 save_notes: Callable[[str, str], None], hangup: Callable[[str], None],
                 on_closed: Callable[["CallPopup"], None], is_demo: bool = False,
                 iconify: bool = False, clock: Callable[[], datetime] = _utcnow,
                 on_focus_newest: Callable[[], None] | None = None,
                 on_transfer: Callable[[str], None] | None = None,
                 on_call_back: Callable[[str], None] | None = None,
                 on_new_contact: Callable[[str], None] | None = None,
                 on_add_to_contact: Callable[[str], None] | None = None,
                 on_open_contact: Callable[[str], None] | None = None,
                 on_schedule: Callable[["CallPopup"], None] | None = None,
                 on_activity: Callable[["CallPopup"], None] | None = None):
        self.leg = leg
        self._contact_actions = (on_new_contact, on_add_to_contact, on_open_contact)  # POP-3
        self._on_transfer = on_transfer      # POP-7: opens the transfer dialog for a leg id
        self._on_call_back = on_call_back    # POP-7: dials a number
        self._on_schedule, self._on_activity = on_schedule, on_activity   # POP-3 (issue 8)
        self.matches = list(matches)
        self._save_notes = save_notes
        self._hangup = hangup
        self._on_closed = on_closed
        self._on_focus_newest = on_focus_newest
        self._clock = clock
        self._saved_text = initial_notes
        self._save_after: str | None = None
        self.closed = False
        self.auto_close_seconds = 0
        self._ended_seen: datetime | None = None   # UI clock when the call ended
        self._typed_at: datetime | None = None     # UI clock of the last notes change
        best = leg.contact_name or (self.matches[0].contact.name if self.matches else "")
        self._title = popup_title(leg.number, best or leg.caller_id_name, is_demo)
        super().__init__(title=self._title, master=master,
                         size=(660, 700), minsize=(500, 560), iconify=iconify)
        self.init_unobtrusive(master)
        self.protocol("WM_DELETE_WINDOW", self.close)
        self.bind("<Escape>", lambda _e: self.close())
        self.bind("<Control-Return>", self._save_shortcut)
        self.bind("<Control-KP_Enter>", self._save_shortcut)
        self.bind("<Control-Shift-H>", lambda _e: self._hangup_clicked())
        self.bind("<Control-t>", self._transfer_shortcut)
        self.bind("<Control-T>", self._transfer_shortcut)
        self.bind(FOCUS_POPUP_SEQUENCE, self._focus_shortcut)
        self._build(best, line_note, is_demo)
        self._build_contact_actions()
        self.notes.insert("1.0", initial_notes)
        self.notes.edit_modified(False)
        self.notes.bind("<<Modified>>", self._notes_modified)
        # On the widget itself: the Text class binding would insert a newline first.
        self.notes.bind("<Control-Return>", self._save_shortcut)
        self.notes.bind("<Control-KP_Enter>", self._save_shortcut)
        # Ctrl+T transfers; the Text class binding would first swap two letters of the notes.
        self.notes.bind("<Control-t>", self._transfer_shortcut)
        self.notes.bind("<Control-T>", self._transfer_shortcut)

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
        self.help_label = ttk.Label(
            buttons, text=_("Esc closes · Ctrl+Enter saves · {key} newest popup").format(
                key=focus_popup_key()), foreground="#8a9496", font="OperatorSmallFont")
        self.help_label.pack(side="left")
        ttk.ToolTip(self.help_label, text=_(
            "Esc closes this window (the call goes on). Ctrl+Enter saves the notes now.\n"
            "{key}, in the main window or any popup, puts the cursor in the newest "
            "popup's notes.").format(key=focus_popup_key()))
        self.hangup_button = ttk.Button(buttons, text=_("Hang up"), bootstyle="danger", width=11,
                                        command=self._hangup_clicked)
        self.hangup_button.pack(side="right")
        ttk.ToolTip(self.hangup_button, text=_("End this call (Ctrl+Shift+H)"))
        self.close_button = ttk.Button(buttons, text=_("Close"), bootstyle="primary-outline",
                                       width=11, command=self.close)
        self.close_button.pack(side="right", padx=(0, 8))
        ttk.ToolTip(self.close_button, text=_("Close this window; the call goes on (Esc)"))
        self._build_call_actions(outer)

        # Transfer info: hidden until there is something to show.
        self.transfer_box = ttk.Frame(outer, padding=(10, 8), bootstyle="info")
        self.transfer_label = ttk.Label(self.transfer_box, text="", bootstyle="@info",
                                        wraplength=540, justify="left")
        self.transfer_label.pack(fill="x")
        self.transfer_details = ttk.Label(self.transfer_box, text="", bootstyle="@info",
                                          wraplength=540, justify="left")
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
        self.auto_close_label = ttk.Label(notes_head, text="", foreground=STATE_COLOURS["ringing"],
                                          font="OperatorSmallFont")
        self.auto_close_label.pack(side="left", padx=(12, 0))
        notes_frame = ttk.Frame(outer)
        notes_frame.pack(fill="both", expand=True)
        self.notes = ttk.Text(notes_frame, height=5, wrap="word", undo=True, padx=8, pady=6,
                              font="TkTextFont")
        scroll = ttk.Scrollbar(notes_frame, orient="vertical", command=self.notes.yview)
        self.notes.configure(yscrollcommand=scroll.set)
        self.notes.pack(side="left", fill="both", expand=True)
        scroll.pack(side="right", fill="y")
        ttk.ToolTip(self.notes, text=_("Saved while you type. {key} from any window of the app "
                                       "puts the cursor here (newest popup).").format(
                                           key=focus_popup_key()))

    def set_caller(self, number: str, matches: Sequence[MatchLike], caller_id_name: str,
                   is_demo: bool = False) -> None:
        """The other party became known late (e.g. click-to-dial answered): redraw who."""
        self.matches = list(matches)
        best = self.matches[0].contact.name if self.matches else caller_id_name
        self._title = popup_title(number, best, is_demo)
        self.title((FLASH_MARK + self._title) if self._flashes_left % 2 else self._title)
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
        shown = leg.shown_state
        if shown == ENDED:
            parts = [_("Ended"), call_status_label(leg.end_status)] if leg.end_status else [_("Ended")]
            if leg.transferred_to:
                parts.append(_("to {target}").format(target=leg.transferred_to))
            text = " · ".join(parts) + f" · {duration}"
        else:
            text = f"{state_label(shown)} · {duration}"
        # Hanging up needs the connection and a live call.
        self.hangup_button.configure(state="disabled" if shown in (ENDED, UNKNOWN) else "normal")
        self.status_label.configure(text=text, foreground=STATE_COLOURS.get(shown, ""))
        self._refresh_call_actions(shown)

    @property
    def status_text(self) -> str:
        return str(self.status_label.cget("text"))

    @property
    def caller_title(self) -> str:
        """The window title without the blink mark a new popup's title flashes with."""
        return str(self.title()).removeprefix(FLASH_MARK)

    # -- closing by itself once the call ended ------------------------------------------
    def call_ended(self, leg: LiveLeg, now: datetime, auto_close_seconds: int) -> None:
        """The call ended at ``now`` (UI clock): show it, start the auto-close countdown
        (``auto_close_seconds`` 0 = never)."""
        self.leg = leg
        if self._ended_seen is None:
            self._ended_seen = now
        self.auto_close_seconds = max(0, int(auto_close_seconds))
        self.refresh(now)
        self.auto_close_tick(now)

    def auto_close_tick(self, now: datetime) -> bool:
        """Called every second once the call ended: close when the time is up, the notes
        are empty and the operator is not typing here. True when it closed."""
        if self.closed or self._ended_seen is None or self.auto_close_seconds <= 0:
            return False
        if self.notes_text.strip():
            self._show_auto_close("")   # notes typed: stays until the operator closes it
            return False
        if self._notes_focused():
            self._typed_at = now        # the grace period starts when the cursor leaves
            self._show_auto_close(_("Stays open while you write"))
            return False
        due = self._ended_seen + timedelta(seconds=self.auto_close_seconds)
        if self._typed_at is not None:
            due = max(due, self._typed_at + TYPING_GRACE)
        left = (due - now).total_seconds()
        if left > 0:
            self._show_auto_close(_("Closes by itself in {n} s — type a note to keep it").format(
                n=math.ceil(left)))
            return False
        self.close()
        return self.closed

    def _show_auto_close(self, text: str) -> None:
        if str(self.auto_close_label.cget("text")) != text:
            self.auto_close_label.configure(text=text)

    @property
    def auto_close_text(self) -> str:
        return str(self.auto_close_label.cget("text"))

    def _notes_focused(self) -> bool:
        return app_focus(self) is self.notes

    def show_transfer(self, from_extension: str, notes: str, *, from_user: str = "",
                      call_notes: str = "", contact_name: str = "") -> None:
        """XFER-3: who transferred the call and their note, prominently ("from 201 —
        Maria: wants a quote"), then the call's notes so far and the caller they knew."""
        who = f"{from_extension} — {from_user}" if from_user else from_extension
        if notes:
            text = _("from {who}: {notes}").format(who=who, notes=notes)
        else:
            text = _("Transferred by extension {ext}").format(ext=who)
        details = []
        if contact_name:
            details.append(_("Caller: {name}").format(name=contact_name))
        if call_notes:
            details.append(_("Call notes so far: {notes}").format(notes=call_notes))
        self.transfer_label.configure(text=text, font="OperatorHeadingFont")
        self.transfer_details.configure(text="\n".join(details))
        if details:
            self.transfer_details.pack(fill="x", pady=(4, 0))
        else:
            self.transfer_details.pack_forget()
        self.transfer_box.pack(fill="x", pady=(8, 0), after=self._transfer_anchor)

    @property
    def transfer_text(self) -> str:
        if not self.transfer_box.winfo_manager():
            return ""
        details = str(self.transfer_details.cget("text"))
        return str(self.transfer_label.cget("text")) + ("\n" + details if details else "")

    # -- POP-7: transfer, call back, held ----------------------------------------------------
    def _build_call_actions(self, outer: ttk.Frame) -> None:
        """Transfer and Call back beside a held indicator (Asterisk has no AMI hold
        action: hold is pressed on the phone, the popup shows it)."""
        row = ttk.Frame(outer)
        row.pack(fill="x", side="bottom", pady=(10, 0))
        self.held_label = ttk.Label(row, text="", font="OperatorBoldFont")
        self.held_label.pack(side="left")
        ttk.ToolTip(self.held_label, text=_("Hold and resume are done on the phone (its Hold "
                                            "key); this shows when the call is on hold"))
        self.call_back_button = ttk.Button(row, text=_("Call back"), bootstyle="success-outline",
                                           width=11, command=self._call_back_clicked)
        ttk.ToolTip(self.call_back_button, text=_("Dial {number}: your phone rings first").format(
            number=self.leg.number or _("Unknown number")))
        self.transfer_button = ttk.Button(row, text=_("Transfer…"), bootstyle="info", width=11,
                                          command=self._transfer_clicked)
        ttk.ToolTip(self.transfer_button, text=_("Transfer this call to a colleague (Ctrl+T)"))
        if self._on_transfer is not None:
            self.transfer_button.pack(side="right")
        if self._on_call_back is not None:
            self.call_back_button.pack(side="right", padx=(0, 8))
        # POP-3: schedule a callback / make an activity from this call (issue 8)
        self.schedule_button = ttk.Button(row, text=_("Schedule call…"), bootstyle="primary-outline",
                                          command=lambda: self._on_schedule(self) if self._on_schedule else None)
        self.activity_button = ttk.Button(row, text=_("Activity…"), bootstyle="primary-outline",
                                          command=lambda: self._on_activity(self) if self._on_activity else None)
        for button, wanted in ((self.activity_button, self._on_activity), (self.schedule_button, self._on_schedule)):
            if wanted is not None:
                button.pack(side="right", padx=(0, 8))
        self.scheduled_label = ttk.Label(row, text="", bootstyle="info")
        self.scheduled_label.pack(side="left", padx=(8, 0))

    def show_scheduled(self, text: str) -> None:
        """POP-3: the open scheduled calls for this caller, e.g. "Scheduled: 1 Dec 09:30"."""
        if not self.closed:
            self.scheduled_label.configure(text=text)

    def _refresh_call_actions(self, shown: str) -> None:
        live = shown not in (ENDED, UNKNOWN)
        self.transfer_button.configure(state="normal" if live else "disabled")
        self.call_back_button.configure(state="normal" if self.leg.number and shown != UNKNOWN
                                        else "disabled")
        if shown == HELD:
            self.held_label.configure(text=_("On hold — resume on the phone"),
                                      foreground=STATE_COLOURS[HELD])
        elif live and shown != RINGING:
            self.held_label.configure(text=_("Hold: on the phone"), foreground="#8a9496")
        else:
            self.held_label.configure(text="")

    @property
    def held_text(self) -> str:
        return str(self.held_label.cget("text"))

    def _transfer_clicked(self) -> None:
        if self._on_transfer is not None and self.leg.shown_state not in (ENDED, UNKNOWN):
            self._on_transfer(self.leg.leg_id)

    def _transfer_shortcut(self, _event=None) -> str:
        self._transfer_clicked()
        return "break"

    def _call_back_clicked(self) -> None:
        if self._on_call_back is not None and self.leg.number:
            self._on_call_back(self.leg.number)

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
        self._typed_at = self._clock()
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

    def focus_notes(self) -> None:
        """The operator asked for this popup (click in the table, F2): bring it up and
        put the cursor at the end of the notes."""
        self.take_focus(self.notes)
        try:
            self.notes.mark_set("insert", "end-1c")
        except tk.TclError:
            pass

    def _focus_shortcut(self, _event=None) -> str:
        if self._on_focus_newest is not None:
            self._on_focus_newest()
        else:
            self.focus_notes()
        return "break"

    # -- POP-3 / CON-5: contacts and call back from the popup ------------------------------
    def _build_contact_actions(self) -> None:
        """Unknown number: New contact (Ctrl+Shift+N) and Add to contact (Ctrl+Shift+A).
        A contact row opens its card (double-click, Enter); a recent call row is called
        back with a double-click (missed ones included: CON-5)."""
        new, add, open_card = self._contact_actions
        self.unknown_row = ttk.Frame(self.no_contact_label.master)
        self.new_contact_button = ttk.Button(self.unknown_row, text=_("New contact…"),
                                             bootstyle="primary-outline", command=self.new_contact)
        self.add_contact_button = ttk.Button(self.unknown_row, text=_("Add to contact…"),
                                             bootstyle="primary-outline", command=self.add_to_contact)
        ttk.ToolTip(self.new_contact_button, text=_("Create a contact with this number (Ctrl+Shift+N)"))
        ttk.ToolTip(self.add_contact_button, text=_("Add this number to a contact (Ctrl+Shift+A)"))
        if not self.matches and self.leg.number and (new or add):
            self.unknown_row.pack(fill="x", pady=(4, 0), after=self.no_contact_label)
            for button, wanted in ((self.new_contact_button, new), (self.add_contact_button, add)):
                if wanted is not None:
                    button.pack(side="left", padx=(0, 6))
        from .keys import bind_ctrl     # Ctrl+Shift+N/A with a Greek or Cyrillic layout too
        bind_ctrl(self, "n", self.new_contact, shift=True)
        bind_ctrl(self, "a", self.add_to_contact, shift=True)
        if open_card is not None:
            self.contacts.bind("<Double-1>", lambda _e: self.open_selected_contact())
            self.contacts.bind("<Return>", lambda _e: (self.open_selected_contact(), "break")[1])
            ttk.ToolTip(self.contacts, text=_("Double-click or Enter opens the contact card"))
        if self._on_call_back is not None:
            self.recent.bind("<Double-1>", lambda _e: self._call_back_clicked())
            ttk.ToolTip(self.recent, text=_("Double-click a call to call {number} back").format(
                number=self.leg.number or _("Unknown number")))

    def new_contact(self) -> None:
        if self._contact_actions[0] is not None and self.leg.number:
            self._contact_actions[0](self.leg.number)

    def add_to_contact(self) -> None:
        if self._contact_actions[1] is not None and self.leg.number:
            self._contact_actions[1](self.leg.number)

    def open_selected_contact(self) -> None:
        selection = self.contacts.selection() or self.contacts.get_children()[:1]
        if selection and self._contact_actions[2] is not None:
            self._contact_actions[2](self.matches[int(selection[0])].contact.id)

    def close(self) -> None:
        """Save pending notes and close. The call itself goes on."""
        if self.closed:
            return
        if not self.save_notes_now():
            return  # stays open: the notes are still only on screen
        self.stop_flashing()
        self.closed = True
        self._on_closed(self)
        self.destroy()
