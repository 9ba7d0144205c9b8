"""Desktop notifications for a new and a missed call (SPEC POP-6).

plyer does the real work; it can block (dbus) so it runs in a worker thread. Where plyer
has no backend or fails (NotImplementedError, no dbus on Linux, …), a small toast window
in the corner of the screen shows the same text for the same time.
"""
from __future__ import annotations

import logging
import threading
import tkinter as tk
import warnings
from typing import Any, Callable

import ttkbootstrap as ttk

from callcore.i18n import _

log = logging.getLogger(__name__)

Backend = Callable[..., Any]          # plyer.notification.notify's signature
Post = Callable[..., None]            # run a callable on the Tk thread (EventPump.call_soon)


def plyer_backend(**kwargs: Any) -> None:
    """Call plyer lazily (its import probes the platform) without its warnings."""
    from plyer import notification
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        notification.notify(**kwargs)


class Toast(ttk.Toplevel):
    """In-app fallback: a borderless note in the bottom-right corner; click to dismiss."""

    WIDTH = 340

    def __init__(self, master: tk.Misc, title: str, message: str, seconds: float,
                 on_gone: Callable[["Toast"], None]):
        super().__init__(title=title, master=master, override_redirect=True, topmost=True)
        self.title_text = title
        self.message = message
        self._on_gone = on_gone
        frame = ttk.Frame(self, padding=(14, 10), bootstyle="primary")
        frame.pack(fill="both", expand=True)
        ttk.Label(frame, text=title, bootstyle="@primary", font="OperatorBoldFont",
                  wraplength=self.WIDTH - 28).pack(anchor="w")
        ttk.Label(frame, text=message, bootstyle="@primary", wraplength=self.WIDTH - 28,
                  justify="left").pack(anchor="w", pady=(4, 0))
        for widget in (self, frame, *frame.winfo_children()):
            widget.bind("<Button-1>", lambda _e: self.dismiss())
        self.update_idletasks()
        self.height = max(self.winfo_reqheight(), 60)
        self.place_at(self.winfo_screenheight() - 40)
        self.after(int(max(1.0, seconds) * 1000), self.dismiss)

    def place_at(self, bottom: int) -> int:
        """Put the toast's bottom edge at ``bottom`` (screen y); returns its top edge."""
        top = max(0, bottom - self.height)
        self.geometry(f"{self.WIDTH}x{self.height}+{self.winfo_screenwidth() - self.WIDTH - 16}+{top}")
        return top

    def dismiss(self) -> None:
        if self.winfo_exists():
            self._on_gone(self)
            self.destroy()


class Notifier:
    """Send notifications; falls back to :class:`Toast` once the backend proves unusable."""

    def __init__(self, root: tk.Misc, post: Post, seconds: float, app_name: str,
                 backend: Backend | None = plyer_backend):
        self._root = root
        self._post = post
        self.seconds = seconds
        self.app_name = app_name
        self._backend = backend
        self.backend_broken = backend is None
        self.toasts: list[Toast] = []

    def notify(self, title: str, message: str) -> None:
        """Show a notification for ``seconds`` (0 = notifications off). Tk thread."""
        if self.seconds <= 0:
            return
        if self.backend_broken:
            self.show_toast(title, message)
            return
        threading.Thread(target=self._send, args=(title, message), name="notify",
                         daemon=True).start()

    def _send(self, title: str, message: str) -> None:
        try:
            self._backend(title=title, message=message, app_name=self.app_name,
                          timeout=int(self.seconds))
        except Exception as exc:  # NotImplementedError, dbus errors, …: use the toast
            log.info("desktop notification unavailable (%s); using in-app toast", exc)
            self.backend_broken = True
            self._post(self.show_toast, title, message)

    def show_toast(self, title: str, message: str) -> Toast | None:
        try:
            toast = Toast(self._root, title, message, self.seconds, on_gone=self._forget)
        except tk.TclError:  # root already gone
            return None
        self.toasts.append(toast)
        self._restack()
        return toast

    def _restack(self) -> None:
        """Stack the visible toasts up from the bottom-right corner by their real heights
        (a wrapped title makes one taller), oldest lowest, so none ever covers another."""
        bottom = self._root.winfo_screenheight() - 40
        for toast in self.toasts:
            bottom = toast.place_at(bottom) - 12

    def _forget(self, toast: Toast) -> None:
        if toast in self.toasts:
            self.toasts.remove(toast)
            self._restack()

    # Convenience texts used by the app.
    def new_call(self, number: str, name: str, line: str) -> None:
        who = f"{number} — {name}" if name else (number or _("Unknown number"))
        text = _("Line {line}").format(line=line) if line else ""
        self.notify(_("Incoming call: {who}").format(who=who), text or who)

    def missed_call(self, number: str, name: str) -> None:
        who = f"{number} — {name}" if name else (number or _("Unknown number"))
        self.notify(_("Missed call"), who)
