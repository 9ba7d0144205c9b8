"""Recorder mode against the real test PBX (issue 3 items 5-6, SPEC CON-7): a headless
process logs every call of the PBX; SIGTERM publishes and exits 0; `calls --json` shows each
call exactly once with Greek, Cyrillic and Persian names intact and the contact matched."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from callcore.records import call_id_for
from tests.pbx import plan, scenarios

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.pbx


def app(settings: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "operator_app.py"), "--settings", str(settings), *args],
                          capture_output=True, text=True, encoding="utf-8", timeout=60, **kw)


def write_settings(folder: Path, station: str) -> Path:
    (folder / "shared").mkdir(exist_ok=True)
    path = folder / f"{station}.json"
    path.write_text(json.dumps({
        "ami": {"host": plan.AMI_HOST, "port": plan.AMI_PORT, "username": plan.AMI_USER,
                "secret": plan.AMI_SECRET},
        "station": {"id": station, "user": "recorder"},
        "dial": {"outgoing_prefix": plan.OUTGOING_PREFIX},
        "store": {"shared_folder": str(folder / "shared"), "local_folder": str(folder / station)},
    }), encoding="utf-8")
    return path


class Output:
    """Collects a child's stdout lines in a thread so we can wait for one."""

    def __init__(self, proc: subprocess.Popen):
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc):
        for line in proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, count: int = 1, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if sum(text in line for line in self.lines) >= count:
                return
            time.sleep(0.1)
        raise AssertionError(f"no {count}x {text!r} in recorder output: {self.lines}")


def test_recorder_logs_every_call_once_and_exits_cleanly(pbx, ami, tmp_path):
    settings = write_settings(tmp_path, "recorder")
    added = app(settings, "contacts", "add", "--name", "Μανουσάκης Γιώργος",
                "--phone", "0030" + scenarios.GREEK[0][-10:], "--type", "customer")
    assert added.returncode == 0, added.stderr
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, str(ROOT / "operator_app.py"), "--settings", str(settings),
                             "--recorder"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, encoding="utf-8", env=env)
    out = Output(proc)
    try:
        out.wait_for("connected")
        results = [scenarios.incoming_answered(ami), scenarios.incoming_missed_caller_gave_up(ami),
                   scenarios.incoming_busy(ami)]
        for result in results:   # other tests' calls may be logged too: wait for ours
            out.wait_for(f"{result.calls[0].caller_number} → {result.calls[0].called_number}")
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
    assert code == 0, out.lines

    # a second workstation sees the calls through the shared folder
    reader = write_settings(tmp_path, "reader")
    listed = app(reader, "calls", "--json")
    assert listed.returncode == 0, listed.stderr
    calls = [json.loads(line) for line in listed.stdout.splitlines() if line.strip()]
    by_id = {c["id"]: c for c in calls}
    assert len(by_id) == len(calls), "a call was logged twice"
    for result in results:
        expected = result.calls[0]
        record = by_id.get(call_id_for(expected.linkedid))
        assert record is not None, (expected, calls)
        assert record["status"] == expected.status
        assert record["direction"] == "in"
        assert record["caller_number"] == expected.caller_number
        assert record["caller_name"] == expected.caller_name
        assert record["called_number"] == expected.called_number
        assert record["extension"] == expected.extension
    greek = by_id[call_id_for(results[0].calls[0].linkedid)]
    assert greek["contact_name"] == "Μανουσάκης Γιώργος"
    assert greek["talk_seconds"] > 0 and greek["answered_at"]
    assert by_id[call_id_for(results[1].calls[0].linkedid)]["caller_name"] == "Иван Петров"
    assert by_id[call_id_for(results[2].calls[0].linkedid)]["caller_name"] == "محمد رضایی"
