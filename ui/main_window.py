"""The operator window: connection state, this workstation's calls, store problems.

It shows what it is told (by :class:`ui.app.OperatorUi`) and reports clicks through the
callbacks it was given; it never talks to services itself. Every action is also in the
menu bar with its shortcut and an Alt-letter, so a new user can find the keys.
"""
from __future__ import annotations

import tkinter as tk
from datetime import datetime
from typing import Callable, Iterable

import ttkbootstrap as ttk

from callcore.i18n import _

from .live_calls import LiveLeg
from .look import (CONNECTION_COLOURS, DIRECTION_GLYPHS, FOCUS_POPUP_SEQUENCE, STATE_COLOURS,
                   UNKNOWN, focus_popup_key, format_duration, menu_look, mnemonic, plural,
                   state_label)


def connection_text(status: str, reason: str = "") -> str:
    """The words next to the connection dot (SPEC AMI-2)."""
    if status == "connected":
        return _("Connected")
    if status == "off":
        return _("Switched off")
    if status == "connecting":
        return _("Connecting…")
    if status == "auth_failed":
        return reason or _("The PBX refused the login — check the AMI user name and secret in Settings")
    if reason:
        return _("Not connected: {reason}").format(reason=reason)
    return _("Not connected")


class ConnectionIndicator(ttk.Frame):
    """A coloured dot and a short text: green connected, grey off, orange failing."""

    DOT = 14

    def __init__(self, master: tk.Misc):
        super().__init__(master)
        self.status = "off"
        self.colour = CONNECTION_COLOURS["off"]
        self._dot = tk.Canvas(self, width=self.DOT + 4, height=self.DOT + 4,
                              highlightthickness=0, borderwidth=0)
        self._oval = self._dot.create_oval(2, 2, self.DOT + 2, self.DOT + 2, width=0,
                                           fill=self.colour)
        self._dot.pack(side="left", padx=(0, 8))
        self._label = ttk.Label(self, text=connection_text("off"), font="OperatorHeadingFont",
                                wraplength=380, justify="left")
        self._label.pack(side="left")
        self.bind("<Configure>", self._resized, add="+")

    def _resized(self, event) -> None:
        self._label.configure(wraplength=max(200, event.width - self.DOT - 20))
        self._match_background()

    def _match_background(self) -> None:
        try:
            bg = ttk.Style.get_instance().lookup("TFrame", "background") or "#ffffff"
            self._dot.configure(background=bg)
        except (tk.TclError, AttributeError):
            pass

    @property
    def text(self) -> str:
        return str(self._label.cget("text"))

    def show(self, status: str, reason: str = "") -> None:
        self.status = status
        self.colour = CONNECTION_COLOURS.get(status, CONNECTION_COLOURS["failing"])
        self._dot.itemconfigure(self._oval, fill=self.colour)
        self._label.configure(text=connection_text(status, reason),
                              foreground=self.colour if status in ("auth_failed", "failing") else "")
        self._match_background()


class AutoScrollbar(ttk.Scrollbar):
    """A grid-managed scrollbar that only shows when there is something to scroll."""

    def set(self, first, last):  # type: ignore[override]
        if float(first) <= 0.0 and float(last) >= 1.0:
            self.grid_remove()
        else:
            self.grid()
        super().set(first, last)


class CallsTable(ttk.Frame):
    """Every current leg of this extension, one row each, without limit (SPEC POP-4)."""

    COLUMNS = ("direction", "number", "name", "state", "duration")

    def __init__(self, master: tk.Misc, on_open: Callable[[str], None]):
        super().__init__(master)
        self._on_open = on_open
        self.tree = ttk.Treeview(self, columns=self.COLUMNS, show="headings", selectmode="browse",
                                 height=6)
        headings = {"direction": "", "number": _("Number"), "name": _("Name"),
                    "state": _("State"), "duration": _("Duration")}
        # "State unknown (disconnected)" must fit the state column without cutting.
        widths = {"direction": (44, False, "center"), "number": (150, True, "w"),
                  "name": (210, True, "w"), "state": (235, False, "w"),
                  "duration": (90, False, "e")}
        for column in self.COLUMNS:
            width, stretch, anchor = widths[column]
            self.tree.heading(column, text=headings[column], anchor=anchor)
            self.tree.column(column, width=width, minwidth=width if not stretch else 80,
                             stretch=stretch, anchor=anchor)
        for state, colour in STATE_COLOURS.items():
            self.tree.tag_configure(state, foreground=colour)
        self.tree.grid(row=0, column=0, sticky="nsew")
        self.columnconfigure(0, weight=1)
        self.rowconfigure(0, weight=1)
        self.scroll = AutoScrollbar(self, orient="vertical", command=self.tree.yview)
        self.tree.configure(yscrollcommand=self.scroll.set)
        self.scroll.grid(row=0, column=1, sticky="ns")
        self.empty_label = ttk.Label(self, text=_("No calls right now"), foreground="#8a9496")
        self._show_empty(True)
        self.tree.bind("<Double-1>", self._double_click)
        self.tree.bind("<Return>", self._double_click)

    def _show_empty(self, empty: bool) -> None:
        if empty:
            self.empty_label.place(in_=self.tree, relx=0.5, rely=0.55, anchor="center")
        else:
            self.empty_label.place_forget()

    def _double_click(self, _event=None) -> None:
        leg_id = self.selected_leg_id()
        if leg_id:
            self._on_open(leg_id)

    def row_values(self, leg: LiveLeg, now: datetime) -> tuple[str, ...]:
        return (DIRECTION_GLYPHS.get(leg.direction, ""), leg.number or _("Unknown number"),
                leg.display_name, state_label(leg.shown_state), format_duration(leg.seconds(now)))

    def upsert(self, leg: LiveLeg, now: datetime) -> None:
        values = self.row_values(leg, now)
        tags = (leg.shown_state,)
        if self.tree.exists(leg.leg_id):
            self.tree.item(leg.leg_id, values=values, tags=tags)
        else:
            self.tree.insert("", "end", iid=leg.leg_id, values=values, tags=tags)
            if not self.tree.selection():
                self.tree.selection_set(leg.leg_id)
        self._show_empty(False)

    def remove(self, leg_id: str) -> None:
        if self.tree.exists(leg_id):
            self.tree.delete(leg_id)
        children = self.tree.get_children()
        if children and not self.tree.selection():
            self.tree.selection_set(children[0])
        self._show_empty(not children)

    def refresh(self, legs: Iterable[LiveLeg], now: datetime) -> None:
        for leg in legs:
            if self.tree.exists(leg.leg_id):
                self.tree.set(leg.leg_id, "duration", format_duration(leg.seconds(now)))

    def selected_leg_id(self) -> str | None:
        selection = self.tree.selection()
        return selection[0] if selection else None

    def state_known(self, leg_id: str) -> bool:
        """False while the row says the state is unknown (disconnected)."""
        return self.tree.exists(leg_id) and UNKNOWN not in self.tree.item(leg_id, "tags")

    def rows(self) -> list[dict[str, object]]:
        """What the table shows, row by row (for tests and diagnostics)."""
        return [dict(zip(self.COLUMNS, self.tree.item(iid, "values")),
                     leg_id=iid, tags=tuple(self.tree.item(iid, "tags")))
                for iid in self.tree.get_children()]


class MainWindow(ttk.Frame):
    """The content of the root window."""

    def __init__(self, root: tk.Tk, *, extension: str, is_demo: bool,
                 on_connect: Callable[[], None], on_disconnect: Callable[[], None],
                 on_hangup: Callable[[str], None], on_open_popup: Callable[[str], None],
                 on_settings: Callable[[], None] | None = None,
                 on_focus_popup: Callable[[], None] | None = None,
                 on_connection_changed: Callable[[str], None] | None = None,
                 on_show_log: Callable[[], str] | None = None):
        super().__init__(root, padding=0)
        self.root = root
        self.extension = extension
        self.is_demo = is_demo
        self._on_hangup = on_hangup
        self._on_focus_popup = on_focus_popup
        self._on_connection_changed = on_connection_changed
        self.on_show_log = on_show_log
        """Returns the log file's path for Help › Log file… (set by the integrator)."""
        self.connection_status = "off"
        self.user_text = ""          # who is signed in (ROLE-1), '' without users
        root.title(self.window_title())
        self.pack(fill="both", expand=True)

        # -- top bar ------------------------------------------------------------------
        top = ttk.Frame(self, padding=(16, 12, 16, 10))
        top.pack(fill="x")
        buttons = ttk.Frame(top)
        buttons.pack(side="right")
        self.connect_button = ttk.Button(buttons, text=_("Connect"), bootstyle="success",
                                         command=on_connect, width=11)
        self.disconnect_button = ttk.Button(buttons, text=_("Disconnect"),
                                            bootstyle="primary-outline",
                                            command=on_disconnect, width=11)
        self.connect_button.pack(side="left", padx=(0, 6))
        self.disconnect_button.pack(side="left")
        ttk.ToolTip(self.connect_button, text=_("Connect to the phone system (Ctrl+K)"))
        ttk.ToolTip(self.disconnect_button, text=_("Switch the connection off (Ctrl+D)"))
        if on_settings is not None:
            self.settings_button = ttk.Button(buttons, text=_("Settings…"), bootstyle="link",
                                              command=on_settings)
            self.settings_button.pack(side="left", padx=(10, 0))
            ttk.ToolTip(self.settings_button, text=_("Settings (Ctrl+,)"))
        # Packed after the buttons so a long failure reason wraps instead of hiding them.
        self.demo_badge = ttk.Label(top, text=" " + _("DEMO") + " ", bootstyle="@warning",
                                    font="OperatorBoldFont", padding=(8, 2))
        if is_demo:
            self.demo_badge.pack(side="left", padx=(0, 14))
        self.indicator = ConnectionIndicator(top)
        self.indicator.pack(side="left", fill="x", expand=True)
        ttk.Separator(self).pack(fill="x")

        # -- store problems banner (hidden while there are none) --------------------------
        self.banner = ttk.Frame(self, padding=(16, 8), bootstyle="warning")
        self.banner_label = ttk.Label(self.banner, text="", bootstyle="@warning",
                                      wraplength=760, justify="left")
        self.banner_label.pack(fill="x")
        self.problems: list[str] = []

        # -- calls ----------------------------------------------------------------------
        body = ttk.Frame(self, padding=(16, 12, 16, 8))
        body.pack(fill="both", expand=True)
        self._body = body
        header = ttk.Frame(body)
        header.pack(fill="x", pady=(0, 8))
        ttk.Label(header, text=_("Calls on extension {ext}").format(ext=extension),
                  font="OperatorTitleFont").pack(side="left")
        self.hangup_button = ttk.Button(header, text=_("Hang up"), bootstyle="danger",
                                        command=self._hangup_selected, state="disabled", width=11)
        self.hangup_button.pack(side="right")
        ttk.ToolTip(self.hangup_button, text=_("Hang up the selected call (Ctrl+Shift+H)"))
        self.open_button = ttk.Button(header, text=_("Open popup"), bootstyle="primary-outline",
                                      command=self._open_selected, state="disabled")
        self.open_button.pack(side="right", padx=(0, 6))
        ttk.ToolTip(self.open_button, text=_("Show the call popup again (Enter / double-click)"))
        self.calls = CallsTable(body, on_open=on_open_popup)
        self.calls.pack(fill="both", expand=True)
        self.calls.tree.bind("<<TreeviewSelect>>", lambda _e: self._update_buttons(), add="+")
        self._on_open_popup = on_open_popup

        # -- status bar -----------------------------------------------------------------
        ttk.Separator(self).pack(fill="x")
        status = ttk.Frame(self, padding=(16, 6))
        status.pack(fill="x", side="bottom")
        self.status_bar = status
        self.pbx_labels: dict[str, ttk.Label] = {}    # AMI-4: one per further PBX
        self.extension_label = ttk.Label(status, text="", font="OperatorSmallFont")
        self.extension_label.pack(side="left")
        self.count_label = ttk.Label(status, text="", font="OperatorSmallFont")
        self.count_label.pack(side="right")
        self.store_label = ttk.Label(status, text="", font="OperatorSmallFont")
        self.store_label.pack(side="right", padx=(0, 16))
        # Finished calls the call log could not write yet (disk full): hidden while none.
        self.waiting_label = ttk.Label(status, text="", font="OperatorBoldFont",
                                       foreground=STATE_COLOURS["held"])
        self.calls_waiting = 0
        self.phone_state = ""

        self.menubar = self._build_menu(on_connect, on_disconnect, on_settings)
        root.configure(menu=self.menubar)
        self._update_status()

        root.bind("<Control-k>", lambda _e: on_connect())
        root.bind("<Control-K>", lambda _e: on_connect())
        root.bind("<Control-d>", lambda _e: on_disconnect())
        root.bind("<Control-D>", lambda _e: on_disconnect())
        root.bind("<Control-Shift-H>", lambda _e: self._hangup_selected())
        root.bind(FOCUS_POPUP_SEQUENCE, self._focus_popup_key)
        root.bind("<Control-l>", lambda _e: self.show_log_file())
        root.bind("<Control-L>", lambda _e: self.show_log_file())
        if on_settings is not None:
            root.bind("<Control-comma>", lambda _e: on_settings())

    # -- menu -----------------------------------------------------------------------------
    def _build_menu(self, on_connect: Callable[[], None], on_disconnect: Callable[[], None],
                    on_settings: Callable[[], None] | None) -> tk.Menu:
        """Connection, Calls and Help menus; each item shows its shortcut and has an
        Alt-letter (``&`` in the translated label)."""
        bar = tk.Menu(self.root, tearoff=False, **menu_look(bar=True))
        self.menus: dict[str, tk.Menu] = {}

        def cascade(key: str, label: str) -> tk.Menu:
            menu = tk.Menu(bar, tearoff=False, **menu_look())
            text, underline = mnemonic(label)
            bar.add_cascade(label=text, underline=underline, menu=menu)
            self.menus[key] = menu
            return menu

        def item(menu: tk.Menu, label: str, accelerator: str, command: Callable[[], object],
                 **options) -> None:
            text, underline = mnemonic(label)
            menu.add_command(label=text, underline=underline, accelerator=accelerator,
                             command=command, **options)

        connection = cascade("connection", _("&Connection"))
        item(connection, _("&Connect"), _("Ctrl+K"), on_connect)
        item(connection, _("&Disconnect"), _("Ctrl+D"), on_disconnect)
        if on_settings is not None:
            connection.add_separator()
            item(connection, _("&Settings…"), _("Ctrl+,"), on_settings)
        calls = cascade("calls", _("C&alls"))
        item(calls, _("&Open popup of the selected call"), _("Enter"), self._open_selected,
             state="disabled")
        item(calls, _("&Go to the newest popup's notes"), focus_popup_key(), self.focus_popup)
        item(calls, _("&Hang up the selected call"), _("Ctrl+Shift+H"), self._hangup_selected,
             state="disabled")
        help_menu = cascade("help", _("&Help"))
        item(help_menu, _("&Log file…"), _("Ctrl+L"), self.show_log_file)
        return bar

    def menu_items(self, key: str) -> list[dict[str, str]]:
        """What one menu shows, item by item (label, accelerator, underlined letter)."""
        menu = self.menus[key]
        items = []
        for index in range(int(menu.index("end")) + 1):
            if menu.type(index) != "command":
                continue
            label = str(menu.entrycget(index, "label"))
            underline = int(menu.entrycget(index, "underline"))
            items.append({"label": label, "accelerator": str(menu.entrycget(index, "accelerator")),
                          "mnemonic": label[underline] if 0 <= underline < len(label) else "",
                          "state": str(menu.entrycget(index, "state"))})
        return items

    def destroy(self) -> None:
        try:
            if str(self.root.cget("menu")) == str(self.menubar):
                self.root.configure(menu="")
        except (tk.TclError, AttributeError):
            pass
        super().destroy()

    # -- log file and popups --------------------------------------------------------------
    def focus_popup(self) -> None:
        """Put the cursor in the newest call popup's notes (F2)."""
        if self._on_focus_popup is not None:
            self._on_focus_popup()

    def _focus_popup_key(self, _event=None) -> str:
        self.focus_popup()
        return "break"

    def show_log_file(self) -> "LogFileDialog":
        """Help › Log file…: where the log is, selectable so it can be copied."""
        path = ""
        if self.on_show_log is not None:
            try:
                path = str(self.on_show_log() or "")
            except Exception:   # never let a broken callback hide the dialog
                path = ""
        dialog = LogFileDialog(self.root, path)
        self.log_dialog = dialog
        return dialog

    def window_title(self) -> str:
        title = _("Operator console — extension {ext}").format(ext=self.extension)
        if self.user_text:
            title = _("{title} — {user}").format(title=title, user=self.user_text)
        return _("[DEMO] {title}").format(title=title) if self.is_demo else title

    def show_user(self, text: str) -> None:
        """Who is signed in, in the title and the status bar ('' = no users defined)."""
        self.user_text = text
        self.root.title(self.window_title())
        self._update_status()

    # -- updates from the app -----------------------------------------------------------
    def show_connection(self, status: str, reason: str = "") -> None:
        """Show the connection; the app then marks calls whose state is now unknown."""
        self.indicator.show(status, reason)
        self.connect_button.configure(state="disabled" if status == "connected" else "normal")
        self.disconnect_button.configure(state="disabled" if status == "off" else "normal")
        menu = self.menus["connection"]
        menu.entryconfigure(0, state="disabled" if status == "connected" else "normal")
        menu.entryconfigure(1, state="disabled" if status == "off" else "normal")
        self.connection_status = status
        if self._on_connection_changed is not None:
            self._on_connection_changed(status)

    def show_pbx_state(self, server: str, status: str, reason: str = "") -> None:
        """A further PBX (AMI-4) in the status bar: its name and state; the reason on hover
        is the indicator's job for the first PBX, here it follows the state."""
        names = {"off": _("off"), "connecting": _("connecting…"), "connected": _("connected"),
                 "failing": _("not connected"), "auth_failed": _("login refused")}
        label = self.pbx_labels.get(server)
        if label is None:
            label = ttk.Label(self.status_bar, text="", font="OperatorSmallFont")
            label.pack(side="right", padx=(0, 16))
            self.pbx_labels[server] = label
        text = _("PBX {name}: {state}").format(name=server, state=names.get(status, status))
        if reason and status != "connected":
            text += " — " + reason
        label.configure(text=("⚠ " if status in ("failing", "auth_failed") else "") + text,
                        foreground=STATE_COLOURS["ringing"] if status in ("failing", "auth_failed") else "")

    def show_calls_waiting(self, count: int) -> None:
        """Finished calls the call log could not write yet (disk full, folder gone; they
        are retried until written): say so next to the store state; hidden at 0."""
        self.calls_waiting = max(0, int(count))
        if self.calls_waiting:
            self.waiting_label.configure(text="⚠ " + plural(
                self.calls_waiting, "{n} call waiting to be saved", "{n} calls waiting to be saved"))
            self.waiting_label.pack(side="right", padx=(0, 16), after=self.store_label)
        else:
            self.waiting_label.configure(text="")
            self.waiting_label.pack_forget()

    def show_phone_state(self, state: str, paused: bool = False) -> None:
        names = {"free": _("free"), "ringing": _("ringing"), "busy": _("busy"),
                 "onhold": _("on hold"), "offline": _("offline"), "unknown": _("unknown")}
        self.phone_state = names.get(state, state) + (" · " + _("paused") if paused else "")
        self._update_status()

    def show_store_problems(self, problems: list[str]) -> None:
        if problems == self.problems:
            return
        self.problems = list(problems)
        if problems:
            head = _("Damaged files were set aside; everything else keeps working:")
            self.banner_label.configure(text=head + "\n" + "\n".join("• " + p for p in problems[:5])
                                        + ("\n…" if len(problems) > 5 else ""))
            self.banner.pack(fill="x", before=self._body)
        else:
            self.banner.pack_forget()
        self._update_status()

    def upsert_leg(self, leg: LiveLeg, now: datetime) -> None:
        self.calls.upsert(leg, now)
        self._update_buttons()

    def remove_leg(self, leg_id: str) -> None:
        self.calls.remove(leg_id)
        self._update_buttons()

    def tick(self, legs: Iterable[LiveLeg], now: datetime) -> None:
        self.calls.refresh(legs, now)

    # -- internals ------------------------------------------------------------------------
    def _hangup_selected(self) -> None:
        leg_id = self.calls.selected_leg_id()
        if leg_id and self.calls.state_known(leg_id):
            self._on_hangup(leg_id)

    def _open_selected(self) -> None:
        leg_id = self.calls.selected_leg_id()
        if leg_id:
            self._on_open_popup(leg_id)

    def _update_buttons(self) -> None:
        selected = self.calls.selected_leg_id()
        state = "normal" if selected else "disabled"
        # Hanging up needs the connection: not while the call's state is unknown.
        hangup = "normal" if selected and self.calls.state_known(selected) else "disabled"
        self.hangup_button.configure(state=hangup)
        self.open_button.configure(state=state)
        calls = self.menus["calls"]
        calls.entryconfigure(0, state=state)
        calls.entryconfigure(2, state=hangup)
        self._update_status()

    def _update_status(self) -> None:
        text = _("Extension {ext}").format(ext=self.extension)
        if self.user_text:
            text += " · " + self.user_text
        if self.phone_state:
            text += " · " + _("phone {state}").format(state=self.phone_state)
        if self.is_demo:
            text += " · " + _("DEMO — no real calls")
        self.extension_label.configure(text=text)
        count = len(self.calls.tree.get_children())
        self.count_label.configure(text=plural(count, "{n} call", "{n} calls"))
        self.store_label.configure(
            text="⚠ " + plural(len(self.problems), "{n} store problem", "{n} store problems")
            if self.problems else _("Store OK"),
            foreground=STATE_COLOURS["ringing"] if self.problems else "")


class LogFileDialog(ttk.Toplevel):
    """Where this workstation's log file is, in a field the user can select and copy."""

    def __init__(self, master: tk.Misc, path: str):
        super().__init__(title=_("Log file"), master=master, resizable=(True, False),
                         minsize=(460, 0))
        self.path = path
        outer = ttk.Frame(self, padding=(18, 16, 18, 14))
        outer.pack(fill="both", expand=True)
        self.message_label = ttk.Label(
            outer, wraplength=600, justify="left",
            text=_("This workstation writes its log here. Send it along when you report "
                   "a problem:") if path else _("This workstation does not write a log file."))
        self.message_label.pack(anchor="w")
        self.path_var = tk.StringVar(value=path)
        self.path_entry = ttk.Entry(outer, textvariable=self.path_var, width=64, state="readonly")
        buttons = ttk.Frame(outer)
        self.close_button = ttk.Button(buttons, text=_("Close"), bootstyle="primary",
                                       command=self.destroy, width=10)
        self.close_button.pack(side="right")
        self.copy_button = ttk.Button(buttons, text=_("Copy path"), bootstyle="primary-outline",
                                      command=self.copy_path, underline=0)
        if path:
            self.path_entry.pack(fill="x", pady=(8, 0))
            self.copy_button.pack(side="right", padx=(0, 8))
        buttons.pack(fill="x", pady=(14, 0))
        self.bind("<Escape>", lambda _e: self.destroy())
        self.bind("<Return>", lambda _e: self.destroy())
        self.bind("<Alt-c>", lambda _e: self.copy_path())
        try:
            self.transient(master)
        except tk.TclError:
            pass
        if path:
            self.path_entry.focus_set()
            self.path_entry.selection_range(0, "end")
        else:
            self.close_button.focus_set()

    def copy_path(self) -> None:
        if self.path:
            self.clipboard_clear()
            self.clipboard_append(self.path)


__all__ = ["MainWindow", "CallsTable", "ConnectionIndicator", "LogFileDialog", "connection_text"]
