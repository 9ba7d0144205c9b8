"""Windows that come up by themselves (call popups, reminders) without taking the keyboard.

The operator may be typing somewhere else when a call rings or a reminder falls due: text
typed into the settings dialog once ended up as another call's notes. Such a window is
raised (briefly topmost, which Windows needs to really come forward) and blinks its title
and number, but the keyboard stays where it was; a window manager that focuses every new
window gets the focus taken back. The operator takes the window with a click or F2.

A class mixes this in, calls :meth:`init_unobtrusive` in its ``__init__`` and has
``closed``, ``_title`` (its title without the blink mark) and ``number_label``.
"""
from __future__ import annotations

import time
import tkinter as tk

from .look import STATE_COLOURS

FLASH_MS = 450                        # one blink of the title
FLASH_BLINKS = 10
FOCUS_GUARD_S = 0.7                   # focus a window manager gives a new window goes back
FLASH_MARK = "● "


class Unobtrusive:
    closed: bool
    _title: str
    number_label: tk.Widget

    def init_unobtrusive(self, master: tk.Misc) -> None:
        self._flash_after: str | None = None
        self._flashes_left = 0
        self._focus_before = app_focus(master)
        self._guard_until = 0.0
        self._focus_wanted = False
        self.bind("<Map>", self._mapped, add="+")               # type: ignore[attr-defined]
        self.bind("<FocusIn>", self._focus_in, add="+")          # type: ignore[attr-defined]
        self.bind("<ButtonPress>", self._clicked, add="+")       # type: ignore[attr-defined]

    # -- coming up -------------------------------------------------------------------------
    def bring_to_front(self) -> None:
        """Raise and blink, but leave the keyboard where the operator is typing."""
        try:
            self.deiconify()                                     # type: ignore[attr-defined]
            self.lift()                                          # type: ignore[attr-defined]
            self.attributes("-topmost", True)                    # type: ignore[attr-defined]
            self.after(300, self._drop_topmost)                  # type: ignore[attr-defined]
        except tk.TclError:
            return
        self.flash()

    def take_focus(self, widget: tk.Misc) -> None:
        """The operator asked for this window: bring it up with the keyboard in ``widget``."""
        self._focus_wanted = True
        self.stop_flashing()
        try:
            self.deiconify()                                     # type: ignore[attr-defined]
            self.lift()                                          # type: ignore[attr-defined]
            self.focus_force()                                   # type: ignore[attr-defined]
            widget.focus_set()
        except tk.TclError:
            pass

    def _drop_topmost(self) -> None:
        if not self.closed:
            try:
                self.attributes("-topmost", False)               # type: ignore[attr-defined]
            except tk.TclError:
                pass

    # -- blinking --------------------------------------------------------------------------
    def flash(self, blinks: int = FLASH_BLINKS) -> None:
        """Blink the title (and number) so a window that came up unfocused is seen."""
        self._flashes_left = blinks if blinks % 2 == 0 else blinks + 1
        if self._flash_after is None:
            self._flash_step()

    @property
    def flashing(self) -> bool:
        return self._flashes_left > 0

    def stop_flashing(self) -> None:
        self._flashes_left = 0
        if self._flash_after is not None:
            try:
                self.after_cancel(self._flash_after)             # type: ignore[attr-defined]
            except tk.TclError:
                pass
            self._flash_after = None
        self._show_flash(False)

    def _flash_step(self) -> None:
        self._flash_after = None
        if self.closed or self._flashes_left <= 0:
            return
        self._flashes_left -= 1
        self._show_flash(self._flashes_left % 2 == 1)
        try:
            self._flash_after = self.after(FLASH_MS, self._flash_step)   # type: ignore[attr-defined]
        except tk.TclError:
            pass

    def _show_flash(self, on: bool) -> None:
        if self.closed:
            return
        try:
            self.title(FLASH_MARK + self._title if on else self._title)  # type: ignore[attr-defined]
            self.number_label.configure(foreground=STATE_COLOURS["ringing"] if on else "")
        except tk.TclError:
            pass

    # -- keeping the keyboard where it was ------------------------------------------------
    def _mapped(self, event) -> None:
        if event.widget is self and not self._guard_until:
            self._guard_until = time.monotonic() + FOCUS_GUARD_S

    def _clicked(self, _event=None) -> None:
        self._focus_wanted = True
        self.stop_flashing()

    def _focus_in(self, event) -> None:
        """A window manager that focuses every new window would take the keyboard from
        the dialog the operator is typing in: give it back, unless they asked for us."""
        if self._focus_wanted:
            self.stop_flashing()
        elif event.widget is self and time.monotonic() < self._guard_until:
            self.after_idle(self._give_focus_back)               # type: ignore[attr-defined]

    def _give_focus_back(self) -> None:
        if self.closed or self._focus_wanted:
            return
        before = self._focus_before
        now_in = app_focus(self)                                 # type: ignore[arg-type]
        if now_in is not self:   # a widget inside was focused on purpose (or none at all)
            if now_in is not None and now_in.winfo_toplevel() is self:
                self._focus_wanted = True
                self.stop_flashing()
            return
        try:
            if before is not None and before.winfo_exists() and before.winfo_toplevel() is not self:
                before.focus_force()
        except tk.TclError:
            pass


def app_focus(widget: tk.Misc) -> tk.Misc | None:
    """The widget holding this application's keyboard focus, None when another
    application (or a Tk-internal window such as a menu) has it."""
    try:
        return widget.focus_get()
    except (KeyError, tk.TclError):
        return None
