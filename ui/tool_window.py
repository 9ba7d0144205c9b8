"""What the operator's windows and dialogs share: a keyboard shortcut runs an action and
stops there, and closing unsubscribes from the hub, tells the owner (who keeps one of
each), cancels the window's own timers and destroys it — once, whatever fails on the way."""
from __future__ import annotations

import logging
import tkinter as tk
from typing import Any, Callable

log = logging.getLogger(__name__)


class ToolWindow:
    closed: bool
    # one unsubscribe function, a list of them, or None
    _unsubscribe: "list[Callable[[], None]] | Callable[[], None] | None"
    _on_closed: Callable[[Any], None] | None

    def _key(self, action: Callable[[], Any]) -> str:
        """For ``bind``: run ``action``; "break" keeps Tk's own binding (e.g. Return in an
        Entry, Ctrl+T in a Text) from running too."""
        action()
        return "break"

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._before_close()
        subscriptions = getattr(self, "_unsubscribe", None)
        if callable(subscriptions):
            subscriptions = [subscriptions]
        for unsubscribe in subscriptions or []:
            try:
                unsubscribe()
            except Exception:  # noqa: BLE001 - closing must finish
                log.exception("unsubscribe failed")
        if isinstance(subscriptions, list):
            subscriptions.clear()
        on_closed = getattr(self, "_on_closed", None)
        if on_closed is not None:
            on_closed(self)
        try:
            self.destroy()                                        # type: ignore[attr-defined]
        except tk.TclError:
            pass

    def _before_close(self) -> None:
        """Cancel the window's own timers (override)."""
