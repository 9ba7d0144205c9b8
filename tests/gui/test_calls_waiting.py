"""The window says how many finished calls are waiting to be saved (disk full, issue 6 item 1)."""
from __future__ import annotations

from tests.gui.fakes import FakeServices


def test_calls_waiting_to_be_saved_are_shown_until_written(make_ui):
    ui = make_ui(FakeServices())
    label = ui.window.waiting_label   # its own label next to "Store OK" (hidden at 0)
    assert label.cget("text") == "" and ui.window.store_label.cget("text") == "Store OK"
    ui.window.show_calls_waiting(14)
    assert label.cget("text") == "⚠ 14 calls waiting to be saved"
    ui.window.show_calls_waiting(1)
    assert label.cget("text") == "⚠ 1 call waiting to be saved"
    ui.window.show_calls_waiting(0)
    assert label.cget("text") == "" and not label.winfo_manager()
