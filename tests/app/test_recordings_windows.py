"""Play buttons (issue 11) in the contact card and the call console, wired to the real
application (real store, real files, ports from operator_app.ui_ports_for) under Xvfb: a
call with a recording gets ▶, a call without one gets none, and ▶ starts the player (a
real process that writes down what it was given)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from callcore.app.recordings import RecordingsFeature
from callcore.records import CallRecord, Contact, Phone, User
from tests.gui.conftest import display, root, wait_until  # noqa: F401  (fixtures)

pytestmark = pytest.mark.gui

PLAYER = """import json, os, sys, pathlib
out = pathlib.Path(sys.argv[1])
tmp = out.with_suffix(".tmp")               # whole or not there: the test may look any time
tmp.write_text(json.dumps(sys.argv[2:]), encoding="utf-8")
os.replace(tmp, out)
"""


@pytest.fixture
def app_with_calls(tmp_path, monkeypatch):
    from callcore.app import AppMode, build_app
    from callcore.settings import settings_from_dict
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    recordings = tmp_path / "Ηχογραφήσεις"          # a folder name in Greek on purpose
    recordings.mkdir()
    settings = settings_from_dict({
        "ami": {"host": "127.0.0.1", "port": 1},
        "station": {"id": "ws-rec", "extension": "201"},
        "store": {"local_folder": str(tmp_path / "local")},
        "recordings": {"folder": str(recordings), "file_pattern": "{linkedid}.wav"},
        "users": {"passwords": False},
    })
    app = build_app(settings, AppMode.WINDOW)
    contact = app.store.contacts.put(Contact(name="Γιώργος Μανουσάκης", phones=[Phone("6945123456")]))
    now = datetime.now().astimezone()
    calls = []
    for index, linkedid in enumerate(("pbx-1764410000.11", "pbx-1764410000.12")):
        record = CallRecord(id=f"call-{index}", linkedid=linkedid, direction="in", status="answered",
                            started_at=(now - timedelta(minutes=10 - index)).isoformat(),
                            caller_number="6945123456", called_number="2101234567", extension="201",
                            contact_id=contact.id, contact_name=contact.name, talk_seconds=42.0,
                            user="Δημήτρης")
        app.store.calls.add(record)
        calls.append(record)
    (recordings / "pbx-1764410000.11.wav").write_bytes(b"RIFF" + b"\0" * 4000)   # only the first
    app.store.users.put(User(name="Δημήτρης", role="director"))
    app.session.sign_in("Δημήτρης")
    played = tmp_path / "played.json"
    script = tmp_path / "player.py"
    script.write_text(PLAYER, encoding="utf-8")
    app.recordings = RecordingsFeature(settings, player=[sys.executable, str(script), str(played)])
    yield app, contact, calls, played, recordings
    app.close()


def test_contact_card_plays_only_recorded_calls(root, app_with_calls):
    from operator_app import ui_ports_for
    from ui.contact_card import ContactCard
    from ui.pump import EventPump
    app, contact, (recorded, plain), played, folder = app_with_calls
    ports = ui_ports_for(app)
    pump = EventPump(root, lambda event: None)
    pump.start()
    card = ContactCard(root, contacts=ports.contacts, contact_id=contact.id, recordings=ports.recordings,
                       background=lambda work, done: pump.run_in_background(work, done, name="t"))
    try:
        assert wait_until(root, lambda: len(card.recent_rows) == 2 and card.play_buttons, 10, pump)
        assert set(card.play_buttons) == {recorded.id}            # nothing recorded, no button
        if os.environ.get("RECORDINGS_SCREENSHOT") and shutil.which("import"):
            wait_until(root, lambda: False, 0.3, pump)
            subprocess.run(["import", "-window", card.wm_frame(), os.environ["RECORDINGS_SCREENSHOT"]], check=True)
        card.play_buttons[recorded.id].invoke()
        assert wait_until(root, lambda: played.is_file(), 10, pump)
        assert json.loads(played.read_text(encoding="utf-8")) == [str(folder / "pbx-1764410000.11.wav")]
        assert card.message_text == "Playing the recording…"
    finally:
        card.close()
        pump.stop()


def test_console_details_play_button(root, app_with_calls):
    from operator_app import ui_ports_for
    from ui.console.window import ConsoleWindow
    from ui.pump import EventPump
    app, contact, (recorded, plain), played, folder = app_with_calls
    ports = ui_ports_for(app)
    pump = EventPump(root, lambda event: None)
    pump.start()
    window = ConsoleWindow(root, ports, call_soon=pump.call_soon)
    try:
        items: dict = {}
        for _attempt in range(40):        # the console's index takes in new calls on its thread
            seen = window.results_seen
            window.search()
            assert wait_until(root, lambda: window.results_seen > seen and window.result.complete, 20, pump)
            items = {window.rows[i].id: i for i in window.tree.get_children()}
            if {plain.id, recorded.id} <= set(items):
                break
            wait_until(root, lambda: False, 0.25, pump)
        assert set(items) >= {plain.id, recorded.id}, items
        window.tree.selection_set(items[plain.id])
        assert wait_until(root, lambda: window.details_seen >= 1, 10, pump)
        seen = window.details_seen
        wait_until(root, lambda: False, 0.5, pump)
        assert str(window.buttons["play"].cget("state")) == "disabled"
        window.tree.selection_set(items[recorded.id])
        assert wait_until(root, lambda: window.details_seen > seen, 10, pump)
        assert wait_until(root, lambda: str(window.buttons["play"].cget("state")) == "normal", 10, pump)
        window.buttons["play"].invoke()
        assert wait_until(root, lambda: played.is_file(), 10, pump)
        assert json.loads(played.read_text(encoding="utf-8")) == [str(folder / "pbx-1764410000.11.wav")]
    finally:
        window.destroy()
        pump.stop()
