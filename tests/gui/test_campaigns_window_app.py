"""The whole window (build_app WINDOW → ui_ports_for → OperatorUi): Calls › Campaigns…
with Ctrl+Shift+M opens the campaigns window on the app's own store, and closing the
window gives back the entry being worked (another station may take it)."""
from __future__ import annotations

import subprocess
import shutil

import pytest

from callcore.app import AppMode, build_app
from callcore.records import CallRecord, Campaign, Contact, Phone
from callcore.settings import settings_from_dict
from tests.gui.conftest import wait_until


def test_menu_and_shortcut_open_campaigns_and_close_releases(root, tmp_path):
    from operator_app import ui_ports_for
    from ui.app import OperatorUi
    (tmp_path / "shared").mkdir()
    app = build_app(settings_from_dict({
        "ami": {"host": "127.0.0.1", "port": 1}, "station": {"id": "ws-m", "extension": "201", "user": "anna"},
        "campaign": {"countdown_seconds": 30},
        "store": {"shared_folder": str(tmp_path / "shared"), "local_folder": str(tmp_path / "local")},
    }), AppMode.WINDOW)
    c = app.campaigns.save_campaign(Campaign(code="Spring"))
    contact = app.store.contacts.put(Contact(name="Ξανθή Οικονόμου", phones=[Phone("2101234567")]))
    app.store.calls.add(CallRecord(id="call-1", linkedid="l-1", direction="out", status="answered",
                                   started_at="2026-11-02T10:00:00+02:00", called_number="2101234567",
                                   user="anna", extension="201"))
    app.campaigns.add_entries(c.id, [{"name": "Ξανθή", "number": "2101234567", "contact_id": contact.id}])
    ui = OperatorUi(ui_ports_for(app), root=root, notify_backend=None)
    ui.start()
    try:
        items = {i["label"]: i for i in ui.window.menu_items("calls")}
        assert items["Campaigns…"]["accelerator"] == "Ctrl+Shift+M" and items["Campaigns…"]["mnemonic"] == "m"
        root.deiconify()
        root.focus_force()
        root.update()
        if shutil.which("xdotool") is None:
            pytest.skip("xdotool is not installed")
        subprocess.run(["xdotool", "key", "--clearmodifiers", "ctrl+shift+m"], check=True)
        assert wait_until(root, lambda: ui.campaigns.window is not None and ui.campaigns.window.winfo_exists())
        w = ui.campaigns.window
        w.select(c.id)
        w.work.start_button.invoke()
        assert app.campaigns.counters(c.id).in_progress == 1
        root.update()
        assert "outgoing call, answered, anna" in w.work.calls.cget("text")      # the number's history
        card = w.work.show_card()                                                 # the directory's card
        assert card is not None and card.winfo_exists() and "Ξανθή Οικονόμου" in card.title()
        w.close()
        assert app.campaigns.counters(c.id).in_progress == 0
    finally:
        ui.close()
        app.close()
