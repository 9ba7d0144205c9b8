"""What the operator's own windows (dial pad, directory, contact card) share: a keyboard
shortcut runs an action and stops there, and closing unsubscribes from the hub, tells the
owner (who keeps one of each) and destroys the window — once."""
from __future__ import annotations

from typing import Any, Callable


class ToolWindow:
    closed: bool
    _unsubscribe: list[Callable[[], None]]
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
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        if self._on_closed is not None:
            self._on_closed(self)
        self.destroy()                                            # type: ignore[attr-defined]

    def _before_close(self) -> None:
        """Cancel the window's own timers (override)."""
