"""Tk objects are only ever freed on the Tk thread: with the window running, the cyclic
garbage collector does not run in other threads (it would call into Tcl from there and
abort the process)."""
from __future__ import annotations

import gc
import threading
import tkinter as tk

from ui.tk_gc import TkThreadCollector


def test_no_automatic_collection_while_the_window_runs_and_cycles_freed_on_the_tk_thread(root):
    collector = TkThreadCollector(root, every_ms=50)
    gc.enable()
    collector.start()
    try:
        assert not gc.isenabled()
        freed_in: list[str] = []

        class Cycle:
            def __init__(self):
                self.me = self
                self.var = tk.StringVar(root, value="Ζωή")     # deleted → Tcl call

            def __del__(self):
                freed_in.append(threading.current_thread().name)
        Cycle()
        # Allocate a lot in another thread: with automatic GC on, that thread would collect.
        worker = threading.Thread(target=lambda: [[{}] for _ in range(200_000)], name="busy")
        worker.start()
        worker.join()
        assert freed_in == []
        before = collector.collections
        while collector.collections == before:
            root.update()
        assert freed_in == [threading.current_thread().name]
    finally:
        collector.stop()
    gc.disable()   # the test session keeps automatic collection off (tests/conftest.py)
