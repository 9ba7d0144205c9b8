"""The work view (CAMP-3): the current entry with its contact details, history and the
script; the preview dialler's countdown; Call, Pause/Resume, Skip, previous/next; the
outcome and notes recorded before moving on."""
from __future__ import annotations

import tkinter as tk
from datetime import datetime
from typing import Any, Callable

import ttkbootstrap as ttk

from callcore.campaigns import outcome_label
from callcore.i18n import _


def phase_labels() -> dict[str, str]:
    return {"idle": _("Not started"), "reserving": _("Next entry"), "countdown": _("Next entry"),
            "paused": _("Paused"), "calling": _("Calling"), "done": _("End of the list"),
            "closed": _("Campaign closed")}


class WorkView(ttk.Frame):
    def __init__(self, master: tk.Misc, port: Any, open_contact: Callable[..., Any] | None = None):
        super().__init__(master, padding=8)
        self.port = port
        self.open_contact = open_contact
        self.campaign_id = ""
        top = ttk.Frame(self)
        top.pack(fill="x")
        self.phase = ttk.Label(top, text="", font=("TkDefaultFont", 11, "bold"), wraplength=520, justify="left")
        self.phase.pack(side="left")
        self.countdown = ttk.Label(top, text="", font=("TkDefaultFont", 20, "bold"), bootstyle="primary")
        self.countdown.pack(side="right")
        self.position = ttk.Label(top, text="")
        self.position.pack(side="right", padx=12)
        card = ttk.Labelframe(self, text=_("Contact"), padding=6)
        card.pack(fill="x", pady=4)
        self.name = ttk.Label(card, text="", font=("TkDefaultFont", 14, "bold"))
        self.name.pack(anchor="w")
        self.number = ttk.Label(card, text="", font=("TkDefaultFont", 12))
        self.number.pack(anchor="w")
        self.details = ttk.Label(card, text="", justify="left")
        self.details.pack(anchor="w")
        self.card_button = ttk.Button(card, text=_("Contact card…"), command=self.show_card, bootstyle="link")
        self.card_button.pack(anchor="w")
        script = ttk.Labelframe(self, text=_("Script"), padding=6)
        script.pack(fill="x", pady=4)
        self.script = ttk.Label(script, text="", wraplength=640, justify="left")
        self.script.pack(anchor="w")
        hist = ttk.Labelframe(self, text=_("History"), padding=6)
        hist.pack(fill="x", pady=4)
        self.history = ttk.Label(hist, text="", justify="left")
        self.history.pack(anchor="w")
        self.calls = ttk.Label(hist, text="", justify="left", bootstyle="secondary")
        self.calls.pack(anchor="w")
        buttons = ttk.Frame(self)
        buttons.pack(fill="x", pady=4)
        self.prev_button = ttk.Button(buttons, text=_("◀ Previous"), command=lambda: self.port.browse(-1),
                                      bootstyle="secondary")
        self.prev_button.pack(side="left")
        self.next_button = ttk.Button(buttons, text=_("Next ▶"), command=lambda: self.port.browse(+1),
                                      bootstyle="secondary")
        self.next_button.pack(side="left", padx=4)
        self.call_button = ttk.Button(buttons, text=_("Call"), command=self.port.call_now, bootstyle="success")
        self.call_button.pack(side="left", padx=12)
        self.pause_button = ttk.Button(buttons, text=_("Pause"), command=self.toggle_pause, bootstyle="warning")
        self.pause_button.pack(side="left")
        self.skip_button = ttk.Button(buttons, text=_("Skip"), command=self.port.skip, bootstyle="secondary")
        self.skip_button.pack(side="left", padx=4)
        self.start_button = ttk.Button(buttons, text=_("Start"), command=self.start, bootstyle="primary")
        self.start_button.pack(side="right")
        out = ttk.Labelframe(self, text=_("Outcome"), padding=6)
        out.pack(fill="x", pady=4)
        self.outcome_var = tk.StringVar()
        self.outcomes = ttk.Frame(out)
        self.outcomes.pack(fill="x")
        note_row = ttk.Frame(out)
        note_row.pack(fill="x", pady=(4, 0))
        ttk.Label(note_row, text=_("Notes")).pack(side="left")
        self.note = ttk.Entry(note_row)
        self.note.pack(side="left", fill="x", expand=True, padx=6)
        ttk.Label(note_row, text=_("Call back at")).pack(side="left")
        self.call_back_at = ttk.Entry(note_row, width=17)
        self.call_back_at.pack(side="left", padx=6)
        self.save_button = ttk.Button(note_row, text=_("Save and next"), command=self.save_outcome,
                                      bootstyle="primary")
        self.save_button.pack(side="left")
        self.message = ttk.Label(self, text="", bootstyle="danger")
        self.message.pack(anchor="w")
        self._codes: list[str] = []
        self._calls_for = "-"

    def show_campaign(self, campaign_id: str) -> None:
        self.campaign_id = campaign_id
        codes = self.port.outcomes(campaign_id) if campaign_id else []
        if codes != self._codes:
            for child in self.outcomes.winfo_children():
                child.destroy()
            for code in codes:
                ttk.Radiobutton(self.outcomes, text=outcome_label(code), value=code,
                                variable=self.outcome_var).pack(side="left", padx=(0, 10))
            self._codes = codes
        self.script.configure(text=self.port.script(campaign_id) if campaign_id else "")
        self.refresh()

    def show_card(self) -> Any:
        """The directory's contact card of the entry (a new one with its number when the
        entry is not in the directory)."""
        entry = self.port.state().entry
        if entry is None or self.open_contact is None:
            return None
        if entry.contact_id:
            return self.open_contact(entry.contact_id)
        return self.open_contact(None, number=entry.number)

    def start(self) -> None:
        if self.campaign_id:
            self.port.start(self.campaign_id)
            self.refresh()

    def toggle_pause(self) -> None:
        if self.port.state().phase == "paused":
            self.port.resume()
        else:
            self.port.pause()
        self.refresh()

    def save_outcome(self) -> None:
        result = self.outcome_var.get()
        if not result:
            self.message.configure(text=_("Choose an outcome first"))
            return
        when = None
        text = self.call_back_at.get().strip()
        if text:
            try:
                when = datetime.fromisoformat(text)
                when = when if when.tzinfo else when.astimezone()
            except ValueError:
                self.message.configure(text=_("Call back at: not a date and time (e.g. 2026-12-01 09:30)"))
                return
        try:
            self.port.record_outcome(result, self.note.get(), call_back_at=when)
        except (LookupError, ValueError) as exc:
            self.message.configure(text=str(exc))
            return
        self.outcome_var.set("")
        self.note.delete(0, "end")
        self.call_back_at.delete(0, "end")
        self.message.configure(text="")
        self.refresh()

    def refresh(self) -> None:
        st = self.port.state()
        if st.campaign_id and st.campaign_id != self.campaign_id:
            return
        label = phase_labels().get(st.phase, st.phase)
        if st.message.startswith(label):
            label = st.message
        elif st.message:
            label = f"{label}  —  {st.message}"
        self.phase.configure(text=label)
        counting = st.phase in ("reserving", "countdown", "paused") and not st.browsing
        self.countdown.configure(text=_("Dialling in {seconds} s").format(seconds=st.seconds_left) if counting else "")
        self.position.configure(text=_("{position} of {total}").format(position=st.position, total=st.total)
                                if st.entry is not None else "")
        e = st.entry
        self.name.configure(text=e.name if e else "")
        self.number.configure(text=e.number if e else "")
        self.details.configure(text="\n".join(x for x in (e.company, e.city, e.comment) if x) if e else "")
        self.history.configure(text="\n".join(
            f"{datetime.fromisoformat(o.at).astimezone():%Y-%m-%d %H:%M}  {outcome_label(o.result)}  {o.user}  {o.note}"
            for o in st.history) or _("Not called yet"))
        key = f"{e.id}|{st.phase}" if e is not None else ""
        if key != self._calls_for:              # the call log is read per entry and phase, not every second
            self._calls_for = key
            self._show_calls(self.port.recent_calls(e.number) if e is not None else [])
        self.card_button.configure(state="normal" if e is not None and self.open_contact is not None else "disabled")
        self.pause_button.configure(text=_("Resume") if st.phase == "paused" else _("Pause"))
        working = st.phase not in ("idle", "done", "closed")
        for button in (self.call_button, self.skip_button, self.prev_button, self.next_button, self.pause_button):
            button.configure(state="normal" if working else "disabled")
        self.save_button.configure(state="normal" if st.phase in ("countdown", "calling") and not st.browsing
                                   else "disabled")
        self.start_button.configure(state="normal" if self.campaign_id and not working else "disabled")

    def _show_calls(self, calls: list[Any]) -> None:
        self.calls.configure(text="\n".join(
            _("{when}  {direction} call, {status}, {user}").format(
                when=f"{datetime.fromisoformat(r.started_at).astimezone():%Y-%m-%d %H:%M}",
                direction=_("outgoing") if r.direction == "out" else _("incoming") if r.direction == "in" else _("internal"),
                status=r.status, user=r.user or r.extension) for r in calls))
