"""Closing the main window saves every open popup's notes, then ends the app."""
from __future__ import annotations

import tkinter as tk

import pytest

from tests.gui.fakes import FakeServices, ringing, sample_contacts


def test_window_close_button_saves_notes_and_destroys_root(root):
    from ui.app import OperatorUi
    services = FakeServices(contacts=sample_contacts())
    ui = OperatorUi(services, root=root, notify_backend=lambda **kw: None)
    ui.start()
    event = ringing("L1", "+420 602 111 222")
    ui.ui_event(event)
    ui.popups["L1"].notes.insert("1.0", "Zavolat zpět ve středu")
    root.update()
    root.tk.call(root.protocol("WM_DELETE_WINDOW"))   # what the title bar's × runs
    assert services.saved == [(event.call_id, "Zavolat zpět ve středu")]
    with pytest.raises(tk.TclError):   # the application is gone
        root.winfo_exists()
