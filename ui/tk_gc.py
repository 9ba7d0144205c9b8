"""Garbage collection on the Tk thread only.

Tk objects (``tk.Variable``, ``PhotoImage``, fonts) call into Tcl when they are deleted. A
closed dialog often sits in a reference cycle (widgets ↔ bound methods), so it is freed by
the cyclic garbage collector — which runs in whichever thread happens to allocate at that
moment: the AMI thread, the store's sync thread, the call-log writer. Tcl called from such a
thread aborts the whole process ("Fatal Python error: Aborted"). So while the window runs,
automatic collection is off and this collector runs ``gc.collect()`` on the Tk thread every
few seconds (reference counting still frees everything not in a cycle at once).
"""
from __future__ import annotations

import gc
import logging
import tkinter as tk

log = logging.getLogger(__name__)


class TkThreadCollector:
    def __init__(self, root: tk.Misc, every_ms: int = 5000):
        self.root = root
        self.every_ms = every_ms
        self._after: str | None = None
        self._was_enabled = gc.isenabled()
        self.collections = 0

    def start(self) -> None:
        if self._after is None:
            self._was_enabled = gc.isenabled()
            gc.disable()
            self._after = self.root.after(self.every_ms, self._collect)

    def _collect(self) -> None:
        self._after = None
        try:
            gc.collect()
            self.collections += 1
        finally:
            try:
                self._after = self.root.after(self.every_ms, self._collect)
            except tk.TclError:      # the window is gone
                pass

    def stop(self) -> None:
        if self._after is not None:
            try:
                self.root.after_cancel(self._after)
            except tk.TclError:
                pass
            self._after = None
        gc.collect()                 # still on the Tk thread
        if self._was_enabled:
            gc.enable()
