"""The dial pad (OUT-1, OUT-4, OUT-5): type or paste a number and call it, redial, the
group's nine speed-dial entries, quick connect, and the directory as a number picker.

Keys (each also shown in the button's tooltip): Enter calls, Ctrl+R redials, Esc clears
the number and a second Esc closes, Ctrl+1…Ctrl+9 dial the speed-dial entries, Ctrl+F
opens the directory to pick a number. Plain digits always type into the number field,
never speed dial — wherever the focus is in this window: an operator who starts typing
"1…" must never ring entry 1 by accident. So the digit keys send the focus back to the
number field and add the digit there.

Letters are refused as typed or pasted, with the reason shown here; pasting cleans the
separators people copy with a number ("+30 (210) 123-4567" → "+302101234567", a ``tel:``
link too). The PBX layer checks the number again and its refusals (``CommandFailed``) are
shown here as well.
"""
from __future__ import annotations

import logging
import tkinter as tk
from typing import Any, Callable, Sequence

import ttkbootstrap as ttk

from callcore.events import CommandFailed, DialStarted, StoreChanged
from callcore.i18n import _

from .keys import bind_ctrl
from .tool_window import ToolWindow
from .ports import DialPadPort, SpeedDialLike, SpeedDialPort

log = logging.getLogger(__name__)

ERROR_COLOUR = "#d62c2c"
INFO_COLOUR = "#5b6b6d"
OK_COLOUR = "#1fa463"
KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#")
SEPARATORS = frozenset(" \t\r\n-./()[]\u00a0\u2010\u2011\u2012\u2013\u2014\u2212\u200e\u200f")
LINK_SCHEMES = ("tel:", "callto:", "sip:")
SPEED_NAME_CHARS = 12

Subscribe = Callable[[type, Callable[[Any], None]], Callable[[], None]]


def clean_pasted(text: str) -> tuple[str, str]:
    """(what goes into the number field, why not) for pasted text: a ``tel:``/``callto:``
    scheme and separators go, a leading ``+`` stays; letters refuse the whole paste."""
    text = (text or "").strip()
    for scheme in LINK_SCHEMES:
        if text.lower().startswith(scheme):
            text = text[len(scheme):].lstrip("/")
            text = text.split(";", 1)[0].split("?", 1)[0].split("@", 1)[0]
            break
    plus = text.startswith(("+", "\uff0b"))
    kept = []
    for ch in text[1:] if plus else text:
        if ch in SEPARATORS:
            continue
        if ch.isdigit() or ch in "*#":
            kept.append(ch)
        elif ch.isalpha():
            return "", _("{text} contains letters: only digits can be dialled").format(text=text)
        else:
            return "", _("{text} contains {char!r}, which cannot be dialled").format(text=text, char=ch)
    return ("+" if plus else "") + "".join(kept), ""


def short(text: str, limit: int = SPEED_NAME_CHARS) -> str:
    """A speed-dial name cut to fit its button (the tooltip has it whole)."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _refused_char(char: str) -> str:
    if char.isalpha():
        return _("Letters cannot be dialled: type digits, * or # (a + only first)")
    return _("{char!r} cannot be dialled: type digits, * or # (a + only first)").format(char=char)


class DialPad(ToolWindow, ttk.Toplevel):
    """The ``Dial`` window. ``on_directory(pick)`` opens the directory as a picker that
    calls ``pick(number)``; ``subscribe`` delivers events on the Tk thread."""

    def __init__(self, master: tk.Misc, *, dial: DialPadPort,
                 speed_dial: SpeedDialPort | None = None, subscribe: Subscribe | None = None,
                 on_directory: Callable[[Callable[[str], None]], Any] | None = None,
                 on_closed: Callable[["DialPad"], None] | None = None,
                 group_name: str = ""):
        self._dial = dial
        self._speed_dial = speed_dial
        self._on_directory = on_directory
        self._on_closed = on_closed
        self.closed = False
        self.entries: list[SpeedDialLike] = []
        self._waiting = False        # a dial from this window awaits its outcome
        self._message_colour = INFO_COLOUR
        self._shown_refusals: list[str] = []
        super().__init__(title=_("Dial"), master=master, size=(480, 650), minsize=(440, 600))
        self._build(group_name)
        self._unsubscribe: list[Callable[[], None]] = []
        if subscribe is not None:
            for kind, handler in ((CommandFailed, self._failed), (DialStarted, self._started),
                                  (StoreChanged, self._store_changed)):
                self._unsubscribe.append(subscribe(kind, handler))
        self.load_speed_dial()
        self.protocol("WM_DELETE_WINDOW", self.close)
        self.bind("<Escape>", lambda _e: self._key(self.escape))
        bind_ctrl(self, "r", self.redial)
        bind_ctrl(self, "e", self.edit_speed_dial)
        bind_ctrl(self, "f", self.open_directory)
        for digit in "123456789":
            self.bind(f"<Control-Key-{digit}>", lambda _e, s=int(digit): self._key(lambda: self.speed(s)))
        self.bind("<Key>", self._stray_key, add="+")
        self.number_entry.bind("<Return>", lambda _e: self._key(self.call))
        self.number_entry.bind("<KP_Enter>", lambda _e: self._key(self.call))
        self.number_entry.bind("<KeyPress>", self._typed_key)
        self.number_entry.bind("<<Paste>>", lambda _e: self._key(self.paste))
        for entry in (self.outside_entry, self.extension_entry):
            entry.bind("<Return>", lambda _e: self._key(self.quick_connect))
            entry.bind("<KP_Enter>", lambda _e: self._key(self.quick_connect))
        try:
            self.transient(master.winfo_toplevel())
        except tk.TclError:
            pass
        self.lift()
        self.number_entry.focus_force()   # the operator opened it: the keyboard goes here

    # -- layout ---------------------------------------------------------------------------
    def _build(self, group_name: str) -> None:
        outer = ttk.Frame(self, padding=(18, 14, 18, 14))
        outer.pack(fill="both", expand=True)
        ttk.Label(outer, text=_("Number"), font="OperatorBoldFont").pack(anchor="w")
        row = ttk.Frame(outer)
        row.pack(fill="x", pady=(2, 0))
        self.number_var = tk.StringVar()
        self.number_entry = ttk.Entry(row, textvariable=self.number_var, font="OperatorTitleFont")
        self.number_entry.pack(side="left", fill="x", expand=True)
        ttk.ToolTip(self.number_entry, text=_("Type or paste a number; Enter calls, Esc clears"))
        self.backspace_button = ttk.Button(row, text=_("⌫"), width=3, bootstyle="secondary-outline",
                                           command=self.backspace, takefocus=False)
        self.backspace_button.pack(side="left", padx=(6, 0))
        ttk.ToolTip(self.backspace_button, text=_("Delete the last digit (Backspace)"))
        self.message_label = ttk.Label(outer, text="", foreground=INFO_COLOUR, wraplength=420,
                                       justify="left")
        self.message_label.pack(fill="x", pady=(4, 0))

        pad = ttk.Frame(outer)
        pad.pack(pady=(8, 0))
        self.key_buttons: dict[str, ttk.Button] = {}
        for index, key in enumerate(KEYS):
            button = ttk.Button(pad, text=key, width=5, bootstyle="light", takefocus=False,
                                command=lambda k=key: self.press(k))
            button.grid(row=index // 3, column=index % 3, padx=3, pady=3, ipady=4)
            self.key_buttons[key] = button

        actions = ttk.Frame(outer)
        actions.pack(fill="x", pady=(10, 0))
        self.clear_button = ttk.Button(actions, text=_("Clear"), bootstyle="primary-outline",
                                       command=self.clear, width=8)
        self.clear_button.pack(side="left")
        ttk.ToolTip(self.clear_button, text=_("Clear the number (Esc; Esc again closes)"))
        self.redial_button = ttk.Button(actions, text=_("Redial"), bootstyle="primary-outline",
                                        command=self.redial, width=8)
        self.redial_button.pack(side="left", padx=(6, 0))
        ttk.ToolTip(self.redial_button, text=_("Call the last number again (Ctrl+R)"))
        self.call_button = ttk.Button(actions, text=_("Call"), bootstyle="success",
                                      command=self.call, width=10)
        self.call_button.pack(side="right")
        ttk.ToolTip(self.call_button, text=_("Your phone rings first, then the number (Enter)"))

        # Speed dial (OUT-5).
        speed_head = ttk.Frame(outer)
        speed_head.pack(fill="x", pady=(14, 4))
        heading = _("Speed dial")
        if group_name:
            heading = _("Speed dial — {group}").format(group=group_name)
        self.speed_heading = ttk.Label(speed_head, text=heading, font="OperatorHeadingFont")
        self.speed_heading.pack(side="left")
        self.edit_speed_button = ttk.Button(speed_head, text=_("Edit…"), bootstyle="link",
                                            command=self.edit_speed_dial)
        ttk.ToolTip(self.edit_speed_button, text=_("Change the group's speed-dial entries (Ctrl+E)"))
        if self._speed_dial is not None:
            self.edit_speed_button.pack(side="right")
        grid = ttk.Frame(outer)
        grid.pack(fill="x")
        self.speed_buttons: list[ttk.Button] = []
        for index in range(9):
            button = ttk.Button(grid, text="", bootstyle="info-outline", takefocus=False,
                                command=lambda s=index + 1: self.speed(s))
            button.grid(row=index // 3, column=index % 3, padx=2, pady=2, sticky="ew")
            self.speed_buttons.append(button)
        for column in range(3):
            grid.columnconfigure(column, weight=1, uniform="speed")

        # Quick connect (OUT-4).
        quick = ttk.Labelframe(outer, text=_("Quick connect"), padding=(10, 6, 10, 8))
        quick.pack(fill="x", pady=(14, 0))
        ttk.Label(quick, text=_("Outside number"), font="OperatorSmallFont").grid(row=0, column=0, sticky="w")
        ttk.Label(quick, text=_("Extension"), font="OperatorSmallFont").grid(row=0, column=1, sticky="w", padx=(8, 0))
        self.outside_var = tk.StringVar()
        self.extension_var = tk.StringVar()
        self.outside_entry = ttk.Entry(quick, textvariable=self.outside_var)
        self.outside_entry.grid(row=1, column=0, sticky="ew")
        self.extension_entry = ttk.Entry(quick, textvariable=self.extension_var, width=8)
        self.extension_entry.grid(row=1, column=1, sticky="ew", padx=(8, 0))
        self.connect_button = ttk.Button(quick, text=_("Connect"), bootstyle="primary",
                                         command=self.quick_connect)
        self.connect_button.grid(row=1, column=2, padx=(8, 0))
        quick.columnconfigure(0, weight=1)
        ttk.ToolTip(self.connect_button, text=_("The extension rings; when it answers, the outside "
                                                "number is called and both are connected (Enter)"))

        bottom = ttk.Frame(outer)
        bottom.pack(fill="x", side="bottom", pady=(12, 0))
        self.directory_button = ttk.Button(bottom, text=_("Directory…"), bootstyle="primary-outline",
                                           command=self.open_directory)
        ttk.ToolTip(self.directory_button, text=_("Pick the number from the directory (Ctrl+F)"))
        if self._on_directory is not None:
            self.directory_button.pack(side="left")
        self.close_button = ttk.Button(bottom, text=_("Close"), bootstyle="secondary",
                                       command=self.close, width=8)
        self.close_button.pack(side="right")
        ttk.ToolTip(self.close_button, text=_("Close the dial pad (Esc on an empty number)"))

    # -- speed dial -----------------------------------------------------------------------
    def load_speed_dial(self) -> None:
        entries: Sequence[SpeedDialLike] = []
        if self._speed_dial is not None:
            try:
                entries = list(self._speed_dial.entries())
            except Exception:  # noqa: BLE001 - the pad works without speed dial; logged
                log.exception("speed dial entries could not be read")
        self.entries = list(entries)
        by_slot = {e.slot: e for e in self.entries}
        for index, button in enumerate(self.speed_buttons):
            entry = by_slot.get(index + 1)
            if entry is not None and entry.number:
                button.configure(text=f"{index + 1} · {short(entry.name or entry.number)}", state="normal")
                ttk.ToolTip(button, text=_("{name}: {number} (Ctrl+{slot})").format(
                    name=entry.name or entry.number, number=entry.number, slot=index + 1))
            else:
                button.configure(text=f"{index + 1} · —", state="disabled")

    def speed(self, slot: int) -> None:
        """Dial speed-dial entry ``slot`` (Ctrl+slot)."""
        entry = next((e for e in self.entries if e.slot == slot and e.number), None)
        if entry is None:
            self.show_message(_("Speed dial {slot} is empty").format(slot=slot), ERROR_COLOUR)
            return
        self.number_var.set(entry.number)
        self._place_cursor()
        self._do_dial(entry.number, entry.name)

    def edit_speed_dial(self) -> "SpeedDialEditor | None":
        if self._speed_dial is None:
            return None
        self.editor = SpeedDialEditor(self, self._speed_dial, self.entries, on_saved=self.load_speed_dial)
        return self.editor

    # -- number field ---------------------------------------------------------------------
    @property
    def number(self) -> str:
        return self.number_var.get()

    def press(self, key: str) -> None:
        """A digit button: add it at the cursor; the keyboard stays in the number field."""
        self.number_entry.insert("insert", key)
        self.number_entry.focus_set()
        self.show_message("")

    def backspace(self) -> None:
        text = self.number_var.get()
        try:
            at = int(self.number_entry.index("insert"))
        except tk.TclError:
            at = len(text)
        if at <= 0:
            at = len(text)
        self.number_var.set(text[:at - 1] + text[at:])
        self.number_entry.icursor(max(0, at - 1))
        self.number_entry.focus_set()

    def clear(self) -> None:
        self.number_var.set("")
        self.show_message("")
        self.number_entry.focus_set()

    def escape(self) -> None:
        """Esc: clears the number first; on an empty number, closes."""
        if self.number_var.get():
            self.clear()
        else:
            self.close()

    def paste(self, text: str | None = None) -> None:
        """Paste (Ctrl+V, the menu): cleaned of separators; letters refused with the reason."""
        if text is None:
            try:
                text = self.clipboard_get()
            except tk.TclError:
                return
        cleaned, problem = clean_pasted(text)
        if problem:
            self.show_message(problem, ERROR_COLOUR)
            return
        entry = self.number_entry
        try:
            if entry.selection_present():
                entry.delete("sel.first", "sel.last")
        except tk.TclError:
            pass
        if cleaned.startswith("+") and (entry.index("insert") != 0 or self.number_var.get().startswith("+")):
            cleaned = cleaned[1:]          # a + only at the start
        entry.insert("insert", cleaned)
        self.show_message("")

    def _typed_key(self, event) -> str | None:
        char = event.char
        if not char or not char.isprintable() or event.state & 0x4:   # control keys, Ctrl+…
            return None
        if char.isdigit() or char in "*#":
            if self._message_colour != ERROR_COLOUR:
                self.show_message("")      # a refusal stays readable while typing on
            return None
        if char == "+" and int(self.number_entry.index("insert")) == 0 \
                and not self.number_var.get().startswith("+"):
            return None
        if char in SEPARATORS:
            return "break"             # kept out quietly, like a paste
        self.show_message(_refused_char(char), ERROR_COLOUR)
        return "break"

    def _stray_key(self, event) -> str | None:
        """A digit typed while another part of this window has the focus goes into the
        number field (plain digits never speed dial)."""
        if event.widget is self.number_entry or event.state & 0x4:
            return None
        if isinstance(event.widget, (tk.Entry, ttk.Entry)):
            return None                # the quick-connect fields take their own digits
        if event.char and (event.char.isdigit() or event.char in "*#"):
            self._place_cursor()
            self.number_entry.insert("end", event.char)
            return "break"
        return None

    def _place_cursor(self) -> None:
        self.number_entry.focus_set()
        self.number_entry.icursor("end")

    # -- dialling -------------------------------------------------------------------------
    def call(self) -> None:
        number = self.number_var.get().strip()
        if not number:
            self.show_message(_("Type a number to dial"), ERROR_COLOUR)
            return
        self._do_dial(number)

    def redial(self) -> None:
        last = self._dial.last_number
        if not last:
            self.show_message(_("Nothing to redial yet"), ERROR_COLOUR)
            return
        self.number_var.set(last)
        self._place_cursor()
        self._waiting = True
        self.show_message(_("Calling {number}…").format(number=last), INFO_COLOUR)
        self._check(self._dial.redial())

    def _do_dial(self, number: str, name: str = "") -> None:
        self._waiting = True
        shown = f"{number} — {name}" if name and name != number else number
        self.show_message(_("Calling {number}…").format(number=shown), INFO_COLOUR)
        self._check(self._dial.dial(number))

    def quick_connect(self) -> None:
        outside, extension = self.outside_var.get().strip(), self.extension_var.get().strip()
        if not outside or not extension:
            self.show_message(_("Quick connect needs an outside number and an extension"), ERROR_COLOUR)
            (self.outside_entry if not outside else self.extension_entry).focus_set()
            return
        self._waiting = True
        self.show_message(_("Connecting {number} with extension {ext}…").format(
            number=outside, ext=extension), INFO_COLOUR)
        self._check(self._dial.quick_connect(outside, extension))

    def _check(self, future: Any) -> None:
        """A refusal decided at once (letters, no extension) is shown at once."""
        done = getattr(future, "done", None)
        if done is None or not done():
            return
        try:
            result = future.result()
        except Exception:  # noqa: BLE001 - reported as CommandFailed too
            return
        if not getattr(result, "ok", True):
            self._waiting = False
            message = getattr(result, "message", "") or _("The call was refused")
            self._shown_refusals.append(message)   # its CommandFailed comes later: not again
            self.show_message(message, ERROR_COLOUR)

    def _failed(self, event: CommandFailed) -> None:
        if self.closed or event.action not in ("dial", "quick_connect"):
            return
        if event.message in self._shown_refusals:
            self._shown_refusals.remove(event.message)   # shown already, maybe a call ago
            return
        self._waiting = False
        self.show_message(event.message, ERROR_COLOUR)

    def _started(self, event: DialStarted) -> None:
        if self.closed or not self._waiting:
            return
        self._waiting = False
        self.show_message(event.message or _("Calling {number}…").format(number=event.number), OK_COLOUR)

    def _store_changed(self, event: StoreChanged) -> None:
        if not self.closed and event.table in ("office_settings", "users"):
            self.load_speed_dial()

    def open_directory(self) -> None:
        if self._on_directory is not None:
            self._on_directory(self.pick)

    def pick(self, number: str) -> None:
        """A number picked in the directory: into the field, ready to call with Enter."""
        if self.closed:
            return
        cleaned, _problem = clean_pasted(number)
        self.number_var.set(cleaned or number)
        self.show_message(_("Enter calls {number}").format(number=number), INFO_COLOUR)
        try:
            self.lift()
            self.number_entry.focus_force()
            self.number_entry.icursor("end")
        except tk.TclError:
            pass

    # -- messages and closing ---------------------------------------------------------------
    def show_message(self, text: str, colour: str = INFO_COLOUR) -> None:
        self._message_colour = colour
        if not self.closed:
            self.message_label.configure(text=text, foreground=colour)

    @property
    def message_text(self) -> str:
        return str(self.message_label.cget("text"))

class SpeedDialEditor(ttk.Toplevel):
    """The group's nine entries as name + number rows; Ctrl+S (or Save) stores them."""

    def __init__(self, master: tk.Misc, port: SpeedDialPort, entries: Sequence[SpeedDialLike],
                 on_saved: Callable[[], None] | None = None):
        self._port = port
        self._on_saved = on_saved
        super().__init__(title=_("Speed dial"), master=master, resizable=(True, False))
        outer = ttk.Frame(self, padding=(16, 12))
        outer.pack(fill="both", expand=True)
        ttk.Label(outer, text=_("Name"), font="OperatorBoldFont").grid(row=0, column=1, sticky="w")
        ttk.Label(outer, text=_("Number"), font="OperatorBoldFont").grid(row=0, column=2, sticky="w", padx=(6, 0))
        by_slot = {e.slot: e for e in entries}
        self.rows: list[tuple[tk.StringVar, tk.StringVar]] = []
        for slot in range(1, 10):
            entry = by_slot.get(slot)
            name = tk.StringVar(value=entry.name if entry else "")
            number = tk.StringVar(value=entry.number if entry else "")
            ttk.Label(outer, text=_("Ctrl+{slot}").format(slot=slot)).grid(row=slot, column=0, sticky="w", padx=(0, 8))
            ttk.Entry(outer, textvariable=name, width=26).grid(row=slot, column=1, sticky="ew", pady=2)
            ttk.Entry(outer, textvariable=number, width=18).grid(row=slot, column=2, sticky="ew", padx=(6, 0), pady=2)
            self.rows.append((name, number))
        outer.columnconfigure(1, weight=1)
        self.error_label = ttk.Label(outer, text="", foreground=ERROR_COLOUR, wraplength=420)
        self.error_label.grid(row=10, column=0, columnspan=3, sticky="w", pady=(6, 0))
        buttons = ttk.Frame(outer)
        buttons.grid(row=11, column=0, columnspan=3, sticky="ew", pady=(8, 0))
        save = ttk.Button(buttons, text=_("Save"), bootstyle="primary", command=self.save, width=9)
        save.pack(side="right")
        ttk.ToolTip(save, text=_("Save for everyone in the group (Ctrl+S)"))
        cancel = ttk.Button(buttons, text=_("Cancel"), bootstyle="secondary", command=self.destroy, width=9)
        cancel.pack(side="right", padx=(0, 6))
        ttk.ToolTip(cancel, text=_("Close without saving (Esc)"))
        bind_ctrl(self, "s", self.save)
        self.bind("<Escape>", lambda _e: self.destroy())
        try:
            self.transient(master)
        except tk.TclError:
            pass

    def save(self) -> bool:
        for slot, (name, number) in enumerate(self.rows, start=1):
            try:
                self._port.set_entry(slot, name.get(), number.get())
            except ValueError as exc:
                problem = getattr(exc, "problem", str(exc))
                self.error_label.configure(text=_("Entry {slot}: {problem}").format(slot=slot, problem=problem))
                return False
        if self._on_saved is not None:
            self._on_saved()
        self.destroy()
        return True
