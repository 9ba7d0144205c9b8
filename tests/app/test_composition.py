"""One settings file means one store, whatever the mode and wherever it is started from
(issue 6 §1): relative store folders resolve against the settings file in the window,
the recorder and the command line alike."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from callcore.app import AppMode, build_app
from callcore.events import StoreChanged
from callcore.records import Contact, Phone
from callcore.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]


def office(tmp_path: Path) -> Path:
    folder = tmp_path / "office"
    (folder / "data" / "shared").mkdir(parents=True)
    path = folder / "settings.json"
    path.write_text(json.dumps({
        "ami": {"host": "127.0.0.1", "port": 1, "secret": "n0t-in-logs"},
        "station": {"id": "ws-1", "extension": "201"},
        "store": {"local_folder": "data/local", "shared_folder": "data/shared"},
    }), encoding="utf-8")
    return path


def cli(settings: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    cwd.mkdir(parents=True, exist_ok=True)
    return subprocess.run([sys.executable, str(ROOT / "operator_app.py"), "--settings", str(settings), *args],
                          capture_output=True, text=True, encoding="utf-8", timeout=60, cwd=cwd)


def test_cli_window_and_recorder_started_elsewhere_open_the_same_store(tmp_path, monkeypatch):
    settings_file = office(tmp_path)
    local = settings_file.parent / "data" / "local"

    added = cli(settings_file, tmp_path / "cwd-cli", "contacts", "add", "--name", "Ξανθή Οικονόμου",
                "--phone", "2101112223")
    assert added.returncode == 0, added.stderr

    monkeypatch.chdir(tmp_path / "cwd-cli")
    (tmp_path / "cwd-window").mkdir()
    monkeypatch.chdir(tmp_path / "cwd-window")
    app = build_app(load_settings(settings_file, user_file=False), AppMode.WINDOW)
    try:
        assert app.store.local == local
        assert [m.contact.name for m in app.directory.lookup("2101112223")] == ["Ξανθή Οικονόμου"]
        app.store.contacts.put(Contact(name="Пётр Смирнов", phones=[Phone("2109998887")]))
    finally:
        app.close()

    recorder = subprocess.Popen([sys.executable, str(ROOT / "operator_app.py"), "--settings",
                                 str(settings_file), "--recorder"], cwd=tmp_path / "cwd-cli",
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                encoding="utf-8")
    try:
        first_line = recorder.stdout.readline()           # the store is open by then
        assert "AMI:" in first_line, first_line
    finally:
        recorder.terminate()
        out = first_line + recorder.communicate(timeout=30)[0]
    assert recorder.returncode == 0, out

    found = cli(settings_file, tmp_path / "cwd-find", "contacts", "find", "Смирнов", "--json")
    assert found.returncode == 0, found.stderr
    assert [json.loads(line)["name"] for line in found.stdout.splitlines()] == ["Пётр Смирнов"]
    for cwd in ("cwd-cli", "cwd-window", "cwd-find"):
        assert not (tmp_path / cwd / "data").exists(), f"a store was made in {cwd}"


def test_store_changes_reach_the_hub_as_typed_events(tmp_path):
    settings_file = office(tmp_path)
    app = build_app(load_settings(settings_file, user_file=False), AppMode.CLI)
    seen: list[StoreChanged] = []
    app.hub.subscribe(StoreChanged, seen.append)
    try:
        contact = app.store.contacts.put(Contact(name="Jiří Dvořák", phones=[Phone("602111222")]))
    finally:
        app.close()
    assert seen == [StoreChanged("contacts", frozenset({contact.id}), "local")]


def test_a_colleagues_call_is_not_stamped_with_this_stations_user(tmp_path):
    """Every station logs every call; the user on a record is the one of its extension."""
    from callcore.records import CallRecord, User
    settings_file = office(tmp_path)
    settings = load_settings(settings_file, user_file=False)
    settings.data["station"]["user"] = "Άννα"
    app = build_app(settings, AppMode.WINDOW)
    try:
        app.store.users.put(User(name="Μαρία", extension="202"))
        calls = app.call_log
        mine = CallRecord(id="c1", linkedid="l1", direction="in", status="answered",
                          started_at="2026-11-29T10:00:00+00:00", extension="201")
        theirs = CallRecord(id="c2", linkedid="l2", direction="in", status="answered",
                            started_at="2026-11-29T10:00:00+00:00", extension="202")
        nobody = CallRecord(id="c3", linkedid="l3", direction="in", status="missed",
                            started_at="2026-11-29T10:00:00+00:00", extension="209")
        assert [calls.user_for(r) for r in (mine, theirs, nobody)] == ["Άννα", "Μαρία", ""]
    finally:
        app.close()


def test_the_window_starts_without_the_console_and_loads_the_directory_once_up(tmp_path):
    """Start-up at 1,000,000 calls (issue 6 §6): the call console (numpy and an index of
    the whole log) is made when first used, and the directory loads once the window is up
    (App.start) or at its first use, so neither competes with building the window."""
    import threading
    settings_file = office(tmp_path)
    app = build_app(load_settings(settings_file, user_file=False), AppMode.WINDOW)
    try:
        loaders = [t for t in threading.enumerate() if t.name == "directory-load"]
        assert loaders == [] and not app.console.made
        app.start(connect=False)
        assert app.directory.ready.wait(10)
        assert app.console.presets()            # first use makes it
        assert app.console.made
    finally:
        app.close()


def test_an_unused_console_is_not_made_to_be_closed(tmp_path):
    app = build_app(load_settings(office(tmp_path), user_file=False), AppMode.WINDOW)
    app.close()
    assert not app.console.made
