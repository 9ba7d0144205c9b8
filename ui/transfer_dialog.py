"""The transfer dialog (XFER-1..3): pick a colleague by number or name from a live list,
type a note for them, and send the call — blind (Enter) or after asking them (Ctrl+Enter).

Keyboard first: the target field has the cursor, Tab goes to the note, ↑/↓ pick a row,
Enter transfers at once, Ctrl+Enter calls the colleague first (then Enter completes and
Esc returns to the caller), Esc cancels. A refusal (no such extension, offline, not
connected, the PBX said no) is shown here as a sentence and the dialog stays open: the
call is never lost. The list is coloured by state and follows the PBX while open.

It asks only through its ports (``TransferPort``, ``PresencePort``); answers arrive as
``TransferOutcome`` events through ``subscribe`` (already delivered on the Tk thread).
"""
from __future__ import annotations

import logging
import tkinter as tk
from typing import Any, Callable, Sequence

import ttkbootstrap as ttk

from callcore.events import (ConnectionStateChanged, ExtensionStateChanged, LegEnded,
                             StoreChanged, TransferOutcome)
from callcore.i18n import _

from .tool_window import ToolWindow
from .ports import PresenceLike, PresencePort, TransferPort

log = logging.getLogger(__name__)

# Colleague states (XFER-2): green free, orange ringing, red busy, violet paused,
# grey offline, pale violet unknown (not connected / no hint).
PRESENCE_COLOURS = {
    "free": "#1fa463",
    "ringing": "#e67e22",
    "busy": "#d62c2c",
    "paused": "#8e44ad",
    "offline": "#7b8a8b",
    "unknown": "#a99bb5",
}
ERROR_COLOUR = "#d62c2c"
CHOOSE, SENDING, CONSULT = "choose", "sending", "consult"

Subscribe = Callable[[type, Callable[[Any], None]], Callable[[], None]]


def presence_label(state: str) -> str:
    return {"free": _("free"), "ringing": _("ringing"), "busy": _("busy"),
            "paused": _("paused"), "offline": _("offline"),
            "unknown": _("unknown")}.get(state, state)


def transfer_title(number: str) -> str:
    """``Transfer — <the other party's number>``."""
    return _("Transfer — {number}").format(number=number or _("Unknown number"))


class TransferDialog(ToolWindow, ttk.Toplevel):
    """One call's transfer dialog. ``subscribe(EventType, handler)`` must deliver on the Tk
    thread and return an unsubscribe function (OperatorUi passes the hub + its pump)."""

    def __init__(self, master: tk.Misc, *, leg_id: str, call_id: str, number: str,
                 name: str = "", transfer: TransferPort, presence: PresencePort | None,
                 subscribe: Subscribe | None = None,
                 on_closed: Callable[["TransferDialog"], None] | None = None,
                 over: tk.Misc | None = None,
                 before_send: Callable[[], object] | None = None):
        self.leg_id, self.call_id, self.number, self.caller_name = leg_id, call_id, number, name
        self._transfer = transfer
        self._presence = presence
        self._on_closed = on_closed
        self._before_send = before_send   # e.g. save the popup's notes: they travel along
        self.stage = CHOOSE
        self.closed = False
        self.sent: list[tuple[str, str, str, str]] = []   # (action, target, note, request id)
        self._pending: str | None = None                  # request id awaited
        self._early: dict[str, TransferOutcome] = {}      # outcomes before their id was known
        self._picked = False                              # a row chosen with ↑/↓ or a click
        self._rows: dict[str, PresenceLike] = {}
        self._target = ""
        self.call_over = False
        super().__init__(title=transfer_title(number), master=master, size=(600, 600),
                         minsize=(480, 520))
        self._build()
        self._unsubscribe: list[Callable[[], None]] = []
        if subscribe is not None:
            for kind, handler in ((TransferOutcome, self.outcome),
                                  (ExtensionStateChanged, self._states_changed),
                                  (ConnectionStateChanged, self._states_changed),
                                  (StoreChanged, self._store_changed),
                                  (LegEnded, self._leg_ended)):
                self._unsubscribe.append(subscribe(kind, handler))
        self.protocol("WM_DELETE_WINDOW", self.escape)
        self.bind("<Escape>", lambda _e: self._key(self.escape))
        self.bind("<Return>", lambda _e: self._key(self.enter))
        self.bind("<KP_Enter>", lambda _e: self._key(self.enter))
        self.bind("<Control-Return>", lambda _e: self._key(self.attended))
        self.bind("<Control-KP_Enter>", lambda _e: self._key(self.attended))
        for entry in (self.target_entry, self.note_entry):
            entry.bind("<Down>", lambda _e: self._key(lambda: self.move(1)))
            entry.bind("<Up>", lambda _e: self._key(lambda: self.move(-1)))
        self.refresh()
        self.bind("<Destroy>", self._destroyed, add="+")
        try:   # above the call's popup (``over``), but not its child: it outlives the popup
            self.transient((over or master).winfo_toplevel())
        except tk.TclError:
            pass
        self.lift()
        self.target_entry.focus_force()

    # -- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        outer = ttk.Frame(self, padding=(18, 14, 18, 14))
        outer.pack(fill="both", expand=True)
        who = self.number or _("Unknown number")
        if self.caller_name:
            who = f"{who} — {self.caller_name}"
        self.heading = ttk.Label(outer, text=_("Transfer the call with {who}").format(who=who),
                                 font="OperatorHeadingFont", wraplength=540, justify="left")
        self.heading.pack(anchor="w")

        ttk.Label(outer, text=_("To (extension or name):"), font="OperatorBoldFont").pack(
            anchor="w", pady=(12, 2))
        self.target_var = tk.StringVar()
        self.target_entry = ttk.Entry(outer, textvariable=self.target_var, font="OperatorHeadingFont")
        self.target_entry.pack(fill="x")
        ttk.ToolTip(self.target_entry, text=_("Type a number or a name; ↑/↓ picks from the list"))

        table = ttk.Frame(outer)
        table.pack(fill="both", expand=True, pady=(6, 0))
        self.tree = ttk.Treeview(table, columns=("extension", "name", "state"), show="headings",
                                 selectmode="browse", height=5, takefocus=False,
                                 style="Compact.Treeview")
        for column, text, width, stretch in (("extension", _("Extension"), 115, False),
                                             ("name", _("Name"), 270, True),
                                             ("state", _("State"), 120, False)):
            self.tree.heading(column, text=text, anchor="w")
            self.tree.column(column, width=width, stretch=stretch, anchor="w")
        for state, colour in PRESENCE_COLOURS.items():
            self.tree.tag_configure(state, foreground=colour)
        scroll = ttk.Scrollbar(table, orient="vertical", command=self.tree.yview)
        self.tree.configure(yscrollcommand=scroll.set)
        self.tree.pack(side="left", fill="both", expand=True)
        scroll.pack(side="right", fill="y")
        self.tree.bind("<<TreeviewSelect>>", self._tree_selected)
        self.tree.bind("<ButtonRelease-1>", lambda _e: self._clicked())
        self.tree.bind("<Double-1>", lambda _e: self.enter())
        self.empty_label = ttk.Label(self.tree, text=_("No colleague matches"), foreground="#8a9496")

        ttk.Label(outer, text=_("Note for your colleague (shown when their phone rings):"),
                  font="OperatorBoldFont").pack(anchor="w", pady=(10, 2))
        self.note_var = tk.StringVar()
        self.note_entry = ttk.Entry(outer, textvariable=self.note_var)
        self.note_entry.pack(fill="x")

        self.preview_label = ttk.Label(outer, text="", font="OperatorBoldFont")
        self.preview_label.pack(anchor="w", pady=(8, 0))
        self.status_label = ttk.Label(outer, text="", wraplength=540, justify="left",
                                      font="OperatorBoldFont", foreground=PRESENCE_COLOURS["ringing"])
        self.status_label.pack(anchor="w", pady=(4, 0))
        self.error_label = ttk.Label(outer, text="", foreground=ERROR_COLOUR, wraplength=540,
                                     justify="left", font="OperatorBoldFont")
        self.error_label.pack(anchor="w", pady=(2, 0))

        buttons = ttk.Frame(outer)
        # Packed before the rest: a short window shrinks the list, never the buttons.
        buttons.pack(fill="x", pady=(12, 0), side="bottom", before=self.heading)
        self.buttons = buttons
        self.blind_button = ttk.Button(buttons, text=_("Transfer (Enter)"), bootstyle="primary",
                                       command=self.blind)
        self.attended_button = ttk.Button(buttons, text=_("Ask first (Ctrl+Enter)"),
                                          bootstyle="primary-outline", command=self.attended)
        self.cancel_button = ttk.Button(buttons, text=_("Cancel (Esc)"), bootstyle="secondary",
                                        command=self.escape)
        self.complete_button = ttk.Button(buttons, text=_("Complete transfer (Enter)"),
                                          bootstyle="success", command=self.complete)
        self.back_button = ttk.Button(buttons, text=_("Return to caller (Esc)"),
                                      bootstyle="danger-outline", command=self.cancel_transfer)
        ttk.ToolTip(self.blind_button, text=_("Send the call to the colleague now; your note "
                                              "is on their screen as their phone rings (Enter)"))
        ttk.ToolTip(self.attended_button, text=_("Call the colleague first while the caller "
                                                 "waits; then complete or return (Ctrl+Enter)"))
        ttk.ToolTip(self.cancel_button, text=_("Close without transferring; the call goes on (Esc)"))
        ttk.ToolTip(self.complete_button, text=_("Join the caller and the colleague; you leave "
                                                 "the call (Enter)"))
        ttk.ToolTip(self.back_button, text=_("Hang up on the colleague and talk to the caller "
                                             "again (Esc)"))
        self.help_label = ttk.Label(outer, text="", foreground="#8a9496", font="OperatorSmallFont",
                                    wraplength=540, justify="left")
        self.help_label.pack(anchor="w", side="bottom", pady=(8, 0), before=self.heading)
        self.target_var.trace_add("write", lambda *_a: self._typed())
        self._show_stage()

    def _show_stage(self) -> None:
        for button in (self.blind_button, self.attended_button, self.cancel_button,
                       self.complete_button, self.back_button):
            button.pack_forget()
        if self.stage == CONSULT:
            self.complete_button.pack(side="right")
            self.back_button.pack(side="right", padx=(0, 8))
            self.help_label.configure(text=_("The caller is waiting. Enter completes the transfer · "
                                             "Esc returns to the caller · swapping between them "
                                             "is done on the phone"))
            for entry in (self.target_entry, self.note_entry):
                entry.configure(state="disabled")
            self.complete_button.focus_set()
        else:
            self.blind_button.pack(side="right")
            self.attended_button.pack(side="right", padx=(0, 8))
            self.cancel_button.pack(side="left")
            self.help_label.configure(text=_("Enter transfers now · Ctrl+Enter asks the colleague "
                                             "first · Esc cancels · Tab goes to the note · "
                                             "↑/↓ pick from the list"))
        busy = "disabled" if self.stage == SENDING or self._pending or self.call_over else "normal"
        for button in (self.blind_button, self.attended_button, self.complete_button,
                       self.back_button):
            button.configure(state=busy)

    # -- the list -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the list again (typing, or a state changed), keeping the chosen row."""
        if self.closed:
            return
        chosen = self.selected_extension()
        query = self.target_var.get().strip()
        try:
            rows: Sequence[PresenceLike] = list(self._presence.entries(query)) if self._presence else []
        except Exception:  # never let a broken port take the dialog down
            log.exception("presence entries failed")
            rows = []
        self._rows = {row.extension: row for row in rows}
        self.tree.delete(*self.tree.get_children())
        for row in rows:
            self.tree.insert("", "end", iid=row.extension, tags=(row.state,),
                             values=(row.extension, row.name, "● " + presence_label(row.state)))
        if rows:
            self.empty_label.place_forget()
        else:
            self.empty_label.place(relx=0.5, rely=0.5, anchor="center")
        keep = chosen if chosen in self._rows and self._picked else None
        if keep is None and rows and query:
            keep = rows[0].extension
        if keep is not None:
            self.tree.selection_set(keep)
            self.tree.see(keep)
        else:
            self.tree.selection_set(())
        self._show_preview()

    def rows(self) -> list[dict[str, Any]]:
        """What the list shows (tests, diagnostics): extension, name, state, colour."""
        out = []
        for iid in self.tree.get_children():
            ext, name, _state = self.tree.item(iid, "values")
            state = self.tree.item(iid, "tags")[0]
            out.append({"extension": str(ext), "name": str(name), "state": state,
                        "colour": str(self.tree.tag_configure(state, "foreground"))})
        return out

    def selected_extension(self) -> str | None:
        selection = self.tree.selection()
        return str(selection[0]) if selection else None

    def move(self, step: int) -> None:
        """↑/↓ in either field: pick the previous/next colleague."""
        children = list(self.tree.get_children())
        if not children:
            return
        current = self.selected_extension()
        index = children.index(current) + step if current in children else (0 if step > 0 else len(children) - 1)
        index = max(0, min(len(children) - 1, index))
        self.tree.selection_set(children[index])
        self.tree.see(children[index])
        self._picked = True
        self._show_preview()

    def _typed(self) -> None:
        self._picked = False
        if not self.call_over:
            self.error_label.configure(text="")
        self.refresh()

    def _clicked(self) -> None:
        if self.selected_extension():
            self._picked = True
            self._show_preview()

    def _tree_selected(self, _event=None) -> None:
        self._show_preview()

    def target(self) -> str:
        """Where Enter sends the call: the row picked with ↑/↓ or a click; else a typed
        number as typed; else the first row matching the typed name."""
        typed = self.target_var.get().strip()
        chosen = self.selected_extension()
        if self._picked and chosen:
            return chosen
        if typed and typed.replace(" ", "").isdigit():
            return typed.replace(" ", "")
        return chosen or typed

    def _show_preview(self) -> None:
        target = self.target()
        row = self._rows.get(target)
        if not target:
            self.preview_label.configure(text=_("Type an extension or a name"), foreground="#8a9496")
        elif row is not None:
            parts = [f"→ {row.extension}"] + ([row.name] if row.name else []) + [presence_label(row.state)]
            self.preview_label.configure(text=" · ".join(parts),
                                         foreground=PRESENCE_COLOURS.get(row.state, ""))
        else:
            self.preview_label.configure(text=_("→ {target} (not in the list)").format(target=target),
                                         foreground="")

    # -- live updates ---------------------------------------------------------------------
    def _states_changed(self, _event: Any = None) -> None:
        self.refresh()

    def _leg_ended(self, event: LegEnded) -> None:
        """The caller hung up (or the call went elsewhere) before anything was sent."""
        if event.leg_id != self.leg_id or self.closed or self._pending or self.stage != CHOOSE:
            return
        self.call_over = True
        self._show_stage()
        self.show_error(_("The call has ended: there is nothing left to transfer (Esc closes)"))

    def _store_changed(self, event: StoreChanged) -> None:
        if event.table in ("users", "contacts"):
            self.refresh()

    # -- actions --------------------------------------------------------------------------
    def _key(self, action: Callable[[], None]) -> str:
        action()
        return "break"

    def enter(self) -> None:
        try:
            focused = self.focus_get()
        except (KeyError, tk.TclError):
            focused = None
        if isinstance(focused, ttk.Button) and focused.winfo_toplevel() is self:
            if str(focused.cget("state")) != "disabled":
                focused.invoke()      # Enter on a button (reached with Tab) presses that one
            return
        if self.stage == CONSULT:
            self.complete()
        else:
            self.blind()

    def escape(self) -> None:
        if self.stage == CONSULT:
            self.cancel_transfer()
        elif not self._pending:
            self.close()

    def blind(self) -> None:
        self._send("blind")

    def attended(self) -> None:
        if self.stage != CONSULT:
            self._send("attended")

    def _send(self, action: str) -> None:
        if self._pending or self.stage != CHOOSE or self.call_over:
            return
        target = self.target()
        if not target:
            self.show_error(_("Type the extension or the name of the colleague to transfer to"))
            self.target_entry.focus_set()
            return
        note = self.note_var.get().strip()
        if self._before_send is not None:
            try:
                self._before_send()
            except Exception:  # the transfer matters more than the notes it carries
                log.exception("before_send failed")
        method = self._transfer.blind_transfer if action == "blind" else self._transfer.attended_transfer
        self._target = target
        self.error_label.configure(text="")
        self.status_label.configure(text=_("Transferring to {target}…").format(target=target)
                                    if action == "blind" else
                                    _("Calling {target}…").format(target=target))
        self._start(action, target, note,
                    lambda: method(self.leg_id, target, note, call_id=self.call_id, number=self.number))

    def complete(self) -> None:
        if self.stage == CONSULT and not self._pending:
            self.status_label.configure(text=_("Completing the transfer…"))
            self._start("complete", self._target, "", lambda: self._transfer.complete_transfer(self.leg_id))

    def cancel_transfer(self) -> None:
        if self.stage == CONSULT and not self._pending:
            self.status_label.configure(text=_("Returning to the caller…"))
            self._start("cancel", self._target, "", lambda: self._transfer.cancel_transfer(self.leg_id))

    def _start(self, action: str, target: str, note: str, call: Callable[[], str]) -> None:
        self._pending = "?"
        self._show_stage()
        try:
            request_id = str(call())
        except Exception as exc:  # a port must not raise; if it does, say so and stay
            log.exception("transfer port failed")
            self._pending = None
            self._show_stage()
            self.show_error(_("The command failed: {error}").format(error=type(exc).__name__))
            return
        self.sent.append((action, target, note, request_id))
        self._pending = request_id
        early = self._early.pop(request_id, None)
        if early is not None:
            self.outcome(early)

    def outcome(self, event: TransferOutcome) -> None:
        """The PBX answered a command of this dialog (Tk thread)."""
        if self.closed or event.leg_id != self.leg_id:
            return
        if self._pending == "?":          # answered before the port returned its id
            self._early[event.request_id] = event
            return
        if event.request_id != self._pending:
            return
        self._pending = None
        if not event.ok:
            self.status_label.configure(text="")
            self._show_stage()
            self.show_error(event.message or _("The PBX refused the transfer"))
            return
        self.error_label.configure(text="")
        if event.action == "attended":
            self.stage = CONSULT
            self.status_label.configure(text=event.message)
            self._show_stage()
            return
        self.close()        # blind sent, completed, or back with the caller

    def show_error(self, message: str) -> None:
        """A sentence for the operator; the dialog stays open and the call goes on."""
        self.error_label.configure(text=message)

    @property
    def error_text(self) -> str:
        return str(self.error_label.cget("text"))

    def _destroyed(self, event) -> None:
        if event.widget is self and not self.closed:
            self.close()        # destroyed from outside (the app quit): unsubscribe all the same

