"""The queue panel (AsterCRM-style, issue 11): every queue the operator may see, its
waiting callers with their wait time, its members with state and pause; the operator
pauses/resumes their own membership (with a reason) and joins/leaves where allowed.

``QueuesWindows.install`` adds *Calls › Queues…* (Ctrl+Shift+Q). The window reads
``ports.queues.queues()`` again on every ``QueuesChanged`` and redraws the wait times once a
second; it never talks to the PBX itself (``ui.ports.QueuesPort``).
"""
from __future__ import annotations

import tkinter as tk
from datetime import datetime
from typing import Any, Callable

import ttkbootstrap as ttk

from callcore.events import QueuesChanged, UserSignedIn, UserSignedOut
from callcore.i18n import _

from .look import STATE_COLOURS, format_duration, mnemonic, plural, setup_fonts, style_tables
from .ports import UiPorts


def pause_reasons() -> list[str]:
    """Reasons offered when pausing (any other text may be typed)."""
    return [_("Break"), _("Lunch"), _("Meeting"), _("Paperwork"), _("Training")]


def member_state_label(state: str, paused: bool, reason: str) -> str:
    names = {"free": _("free"), "ringing": _("ringing"), "busy": _("on a call"),
             "offline": _("offline"), "unknown": _("unknown")}
    text = names.get(state, state)
    if paused:
        text = _("paused") + (f" ({reason})" if reason else "") + " · " + text
    return text


MEMBER_COLOURS = {"free": "#1fa463", "ringing": STATE_COLOURS["ringing"], "busy": STATE_COLOURS["active"],
                  "offline": "#7b8a8b", "unknown": "#8e7f99", "paused": STATE_COLOURS["held"]}


class QueuesWindows:
    """Opens (or raises) the one queue panel of the main window."""

    def __init__(self, root: tk.Misc, ports: UiPorts, *, call_soon: Callable[..., None]):
        self.root, self.ports, self.call_soon = root, ports, call_soon
        self.window: QueuesWindow | None = None

    def install(self, root: tk.Misc, menu: tk.Menu | None) -> None:
        if self.ports.queues is None:
            return
        for sequence in ("<Control-Shift-Q>", "<Control-Shift-q>"):
            root.bind(sequence, lambda _e: (self.show(), "break")[1])
        if menu is not None:
            text, underline = mnemonic(_("&Queues…"))
            menu.add_command(label=text, underline=underline, accelerator=_("Ctrl+Shift+Q"),
                             command=self.show)

    def show(self) -> "QueuesWindow":
        if self.window is not None and self.window.winfo_exists():
            self.window.lift()
            return self.window
        self.window = QueuesWindow(self.root, self.ports, call_soon=self.call_soon)
        return self.window


class QueuesWindow(ttk.Toplevel):
    """One tree: queues, under each the waiting callers then the members."""

    def __init__(self, master: tk.Misc, ports: UiPorts, *, call_soon: Callable[..., None],
                 now: Callable[[], datetime] | None = None):
        super().__init__(title=_("Queues"), master=master, minsize=(700, 420))
        setup_fonts(master)
        style_tables(master)
        self.ports = ports
        self.call_soon = call_soon
        self._now = now or (lambda: datetime.now().astimezone())
        self.views: list[Any] = []
        self._rows: dict[str, tuple[str, Any]] = {}      # tree item → ("queue"|"caller"|"member", object)
        self.bind("<Escape>", lambda _e: self.destroy())

        outer = ttk.Frame(self, padding=(14, 12))
        outer.pack(fill="both", expand=True)
        self.summary = ttk.Label(outer, text="", font="OperatorBoldFont")
        self.summary.pack(anchor="w", pady=(0, 8))
        self.tree = ttk.Treeview(outer, columns=("state", "wait"), show="tree headings",
                                 selectmode="browse")
        self.tree.heading("#0", text=_("Queue / caller / member"), anchor="w")
        self.tree.heading("state", text=_("State"), anchor="w")
        self.tree.heading("wait", text=_("Waiting"), anchor="e")
        self.tree.column("#0", width=330, stretch=True)
        self.tree.column("state", width=250, stretch=True)
        self.tree.column("wait", width=80, anchor="e", stretch=False)
        self.tree.tag_configure("queue", font="OperatorBoldFont")
        self.tree.tag_configure("heading", foreground="#5b6b6d")
        for name, colour in MEMBER_COLOURS.items():
            self.tree.tag_configure(f"m-{name}", foreground=colour)
        self.tree.tag_configure("own", font="OperatorBoldFont")
        self.tree.pack(fill="both", expand=True)
        self.tree.bind("<<TreeviewSelect>>", lambda _e: self._update_buttons())

        actions = ttk.Frame(outer)
        actions.pack(fill="x", pady=(10, 0))
        ttk.Label(actions, text=_("Pause reason")).pack(side="left")
        self.reason = tk.StringVar(self, value=pause_reasons()[0])
        self.reason_box = ttk.Combobox(actions, textvariable=self.reason, values=pause_reasons(), width=14)
        self.reason_box.pack(side="left", padx=(6, 10))
        self.pause_button = ttk.Button(actions, text=_("Pause"), bootstyle="warning",
                                       command=lambda: self.pause(True))
        self.pause_button.pack(side="left")
        self.resume_button = ttk.Button(actions, text=_("Resume"), bootstyle="success",
                                        command=lambda: self.pause(False))
        self.resume_button.pack(side="left", padx=(6, 0))
        self.leave_button = ttk.Button(actions, text=_("Leave queue"), bootstyle="primary-outline",
                                       command=self.leave)
        self.leave_button.pack(side="right")
        self.join_button = ttk.Button(actions, text=_("Join queue"), bootstyle="primary",
                                      command=self.join)
        self.join_button.pack(side="right", padx=(0, 6))
        self.message = ttk.Label(outer, text="", foreground="#5b6b6d", wraplength=600, justify="left")
        self.message.pack(fill="x", pady=(8, 0))

        events = ports.events
        self._unsubscribe = []
        if events is not None:
            for kind in (QueuesChanged, UserSignedIn, UserSignedOut):
                self._unsubscribe.append(events.subscribe(kind, lambda _e: self.refresh_soon(),
                                                          deliver=call_soon))
        self.bind("<Destroy>", self._destroyed, add="+")
        self.refresh()
        self._tick()

    # ------------------------------------------------------------------ drawing
    def refresh_soon(self) -> None:
        """A busy PBX sends a QueueMemberStatus per phone state change: redraw once per
        burst (within 100 ms), not once per event."""
        if not getattr(self, "_refresh_pending", False) and self.winfo_exists():
            self._refresh_pending = True
            self.after(100, self._refresh_now)

    def _refresh_now(self) -> None:
        self._refresh_pending = False
        self.refresh()

    def refresh(self) -> None:
        """Read the queues again and redraw, keeping the selected queue selected."""
        if not self.winfo_exists():
            return
        selected = self.selected_queue()
        self.views = list(self.ports.queues.queues()) if self.ports.queues else []
        self.tree.delete(*self.tree.get_children())
        self._rows.clear()
        now = self._now()
        waiting = sum(len(v.callers) for v in self.views)
        self.summary.configure(text=_("{queues} · {callers} waiting").format(
            queues=plural(len(self.views), "{n} queue", "{n} queues"), callers=waiting)
            if self.views else _("No queues to show (none on the PBX, or none you may see)"))
        for view in self.views:
            label = view.queue + (f"  ·  {view.server}" if view.server else "")
            members = len(view.members)
            paused = sum(1 for m in view.members if m.paused)
            state = _("{n} waiting").format(n=len(view.callers)) + " · " + \
                plural(members, "{n} member", "{n} members") + \
                (" · " + plural(paused, "{n} paused", "{n} paused") if paused else "")
            item = self.tree.insert("", "end", text=label, open=True, tags=("queue",),
                                    values=(state, format_duration(view.longest_wait(now)) if view.callers else ""))
            self._rows[item] = ("queue", view)
            for caller in view.callers:
                who = " ".join(p for p in (caller.name, caller.number) if p) or _("unknown caller")
                row = self.tree.insert(item, "end", text=f"{caller.position}. {who}",
                                       values=(_("waiting"), format_duration(caller.wait_seconds(now))),
                                       tags=("m-ringing",))
                self._rows[row] = ("caller", (view, caller))
            for member in view.members:
                name = member.name if member.name and member.name != member.interface else (
                    _("Extension {number}").format(number=member.extension) if member.extension
                    else member.interface)
                if member.extension and member.extension not in name:
                    name += f" ({member.extension})"
                tags = ["m-paused" if member.paused else f"m-{member.state}"]
                if view.own is not None and member.interface == view.own.interface:
                    tags.append("own")
                    name = _("{name} — you").format(name=name)
                elif member.dynamic:
                    name += " · " + _("joined")
                row = self.tree.insert(item, "end", text=name, tags=tuple(tags),
                                       values=(member_state_label(member.state, member.paused, member.reason), ""))
                self._rows[row] = ("member", (view, member))
            if selected is not None and view.key == selected.key:
                self.tree.selection_set(item)
        self._update_buttons()

    def _tick(self) -> None:
        """Wait times go up every second without asking anyone."""
        if not self.winfo_exists():
            return
        now = self._now()
        for item, (kind, obj) in self._rows.items():
            if kind == "caller":
                self.tree.set(item, "wait", format_duration(obj[1].wait_seconds(now)))
            elif kind == "queue" and obj.callers:
                self.tree.set(item, "wait", format_duration(obj.longest_wait(now)))
        self.after(1000, self._tick)

    # ------------------------------------------------------------------ actions
    def selected_queue(self) -> Any:
        for item in self.tree.selection():
            kind, obj = self._rows.get(item, ("", None))
            return obj if kind == "queue" else (obj[0] if obj else None)
        return None

    def _update_buttons(self) -> None:
        view = self.selected_queue()
        mine = [v for v in self.views if v.own is not None]
        target = [view] if view is not None and view.own is not None else ([] if view is not None else mine)
        self.pause_button.configure(state="normal" if any(not v.own.paused for v in target) else "disabled")
        self.resume_button.configure(state="normal" if any(v.own.paused for v in target) else "disabled")
        self.join_button.configure(state="normal" if view is not None and view.may_join else "disabled")
        self.leave_button.configure(state="normal" if view is not None and view.may_leave else "disabled")

    def _done(self, ok: bool, message: str) -> None:
        """From another thread: show the outcome on the Tk thread."""
        self.call_soon(lambda: self.winfo_exists() and self.message.configure(
            text=message if not ok else "", foreground=STATE_COLOURS["held"]))

    def pause(self, paused: bool) -> None:
        """Pause/resume in the selected queue, or in every queue when none is selected."""
        view = self.selected_queue()
        reason = self.reason.get().strip()
        if view is not None:
            targets = [(view.server, view.queue)]
        else:
            targets = sorted({(v.server, "") for v in self.views if v.own is not None})
        for server, queue in targets:
            self.ports.queues.pause(server, queue, paused, reason, done=self._done)
        self.message.configure(text=(_("Pausing…") if paused else _("Resuming…")), foreground="#5b6b6d")

    def join(self) -> None:
        view = self.selected_queue()
        if view is not None and view.may_join:
            self.ports.queues.join(view.server, view.queue, done=self._done)
            self.message.configure(text=_("Joining {queue}…").format(queue=view.queue), foreground="#5b6b6d")

    def leave(self) -> None:
        view = self.selected_queue()
        if view is not None and view.may_leave:
            self.ports.queues.leave(view.server, view.queue, done=self._done)
            self.message.configure(text=_("Leaving {queue}…").format(queue=view.queue), foreground="#5b6b6d")

    def _destroyed(self, event: Any) -> None:
        if event.widget is self:
            for unsubscribe in self._unsubscribe:
                unsubscribe()
            self._unsubscribe = []
