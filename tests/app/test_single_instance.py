"""One window per user and `operator_app.py dial NUMBER` (PKG-5), with real processes: the
running window's door answers another start and hands numbers to the dialling feature."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from callcore.ami.commands import DialSettings
from callcore.app.dialling import handoff_handler
from callcore.app.hub import EventHub
from callcore.app.single_instance import SingleInstance, number_from_link
from callcore.events import DialRequested, WindowRaiseRequested

ROOT = Path(__file__).resolve().parents[2]


class Commands:
    settings = DialSettings(extension="201", outgoing_prefix="9")


def run(folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "OPERATOR_APP_INSTANCE_DIR": str(folder)}
    return subprocess.run([sys.executable, str(ROOT / "operator_app.py"), *args], capture_output=True,
                          text=True, encoding="utf-8", timeout=60, env=env)


@pytest.fixture
def running(tmp_path):
    """A 'running window': the instance lock held and its door open, events into a hub."""
    hub = EventHub()
    seen: list = []
    hub.subscribe(DialRequested, seen.append)
    hub.subscribe(WindowRaiseRequested, seen.append)
    instance = SingleInstance(tmp_path)
    assert instance.acquire()
    instance.serve(handoff_handler(hub, Commands()))
    yield tmp_path, seen
    instance.close()


def test_dial_hands_the_number_to_the_running_window(running):
    folder, seen = running
    result = run(folder, "dial", "tel:+30-210-123-4567")
    assert result.returncode == 0, result.stderr
    assert "+30-210-123-4567" in result.stdout            # as typed: the dial pad's rules apply
    assert seen == [DialRequested("+30-210-123-4567", "handoff")]


def test_dial_with_letters_is_refused_with_the_reason(running):
    folder, seen = running
    result = run(folder, "dial", "210-CALL-NOW")
    assert result.returncode == 2
    assert "letters" in result.stderr
    assert seen == []


def test_dial_with_no_window_running_says_so_and_exits_1(tmp_path):
    result = run(tmp_path, "dial", "2101234567")
    assert result.returncode == 1
    assert "not running" in result.stderr


def test_dial_after_the_usual_options_is_still_dial(running):
    """An admin's script passes ``--settings`` to every command: dial takes it too."""
    folder, seen = running
    result = run(folder, "--settings", str(folder / "settings.json"), "dial", "2101234567")
    assert result.returncode == 0, result.stderr
    assert seen == [DialRequested("2101234567", "handoff")]


def test_a_crashed_window_leaves_no_door_open(tmp_path):
    (tmp_path / "instance.json").write_text(json.dumps({"port": 1, "token": "x", "pid": 999999}))
    result = run(tmp_path, "dial", "2101234567")
    assert result.returncode == 1


def test_a_second_start_brings_the_running_window_forward_and_exits(running):
    folder, seen = running
    result = run(folder, "--settings", str(folder / "not-needed.json"))
    assert result.returncode == 0, result.stderr
    assert "brought forward" in result.stdout
    assert seen == [WindowRaiseRequested()]


def test_a_request_without_the_token_is_refused(running):
    import socket
    folder, seen = running
    port = json.loads((folder / "instance.json").read_text())["port"]
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(b'{"token": "guess", "command": "dial", "number": "2101234567"}\n')
        reply = json.loads(conn.makefile().readline())
    assert reply["ok"] is False
    assert seen == []


def test_the_lock_is_free_again_after_the_window_closes(tmp_path):
    first = SingleInstance(tmp_path)
    assert first.acquire()
    second = SingleInstance(tmp_path)
    assert not second.acquire()
    first.close()
    assert second.acquire()
    second.close()


@pytest.mark.parametrize("link, number", [
    ("tel:+30%20210%201234567", "+30 210 1234567"),
    ("callto://2101234567", "2101234567"),
    ("sip:201@pbx.example", "201"),
    ("2101234567", "2101234567"),
])
def test_links_from_other_programs(link, number):
    assert number_from_link(link) == number
