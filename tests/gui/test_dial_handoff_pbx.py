"""`operator_app.py dial NUMBER` against the real test PBX (issue 7, PKG-5): a real operator
window process runs for extension 202; another program hands it a number; the window rings
its own phone first, then dials the number with the outgoing prefix (OUT-2), and the call is
logged as outgoing in the shared call log."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.pbx import plan

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.pbx


def settings_file(folder: Path, station: str, extension: str) -> Path:
    path = folder / f"{station}.json"
    path.write_text(json.dumps({
        "ami": {"host": plan.AMI_HOST, "port": plan.AMI_PORT, "username": plan.AMI_USER,
                "secret": plan.AMI_SECRET},
        "station": {"id": station, "extension": extension, "context": "internal", "user": "petra"},
        "dial": {"outgoing_prefix": plan.OUTGOING_PREFIX},
        "store": {"shared_folder": "shared", "local_folder": station},
    }), encoding="utf-8")
    return path


def app(*args: str, env: dict, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "operator_app.py"), *args], capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout, env=env)


def test_dial_handed_to_the_running_window_rings_its_phone_then_the_number(pbx, ami, display, tmp_path):
    (tmp_path / "shared").mkdir()
    env = {**os.environ, "OPERATOR_APP_INSTANCE_DIR": str(tmp_path / "instance"), "DISPLAY": display}
    window = subprocess.Popen([sys.executable, str(ROOT / "operator_app.py"), "--settings",
                               str(settings_file(tmp_path, "ws-202", "202"))],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while not (tmp_path / "instance" / "instance.json").exists():
            assert window.poll() is None, window.stdout.read()
            assert time.monotonic() < deadline, "the window never opened its door"
            time.sleep(0.1)
        since = ami.mark()
        handed = app("dial", f"tel:{plan.TRUNK_ANSWERS}", env=env)
        assert handed.returncode == 0, handed.stderr
        # The operator's own phone first, then the number with the outgoing prefix.
        first = ami.wait_event("Newchannel", since=since, timeout=15, Channel="PJSIP/202-*")
        dialled = ami.wait_event("DialBegin", since=since, timeout=20, Linkedid=first["Linkedid"])
        assert dialled.get("DialString", "").startswith(plan.TRUNK_ANSWERS + "@trunk-out")
        prefixed = plan.OUTGOING_PREFIX + plan.TRUNK_ANSWERS      # what the window sent (OUT-2)
        assert any(m.get("Exten") == prefixed for m in ami.events(since, Linkedid=first["Linkedid"]))
        ami.action("Hangup", {"Channel": first["Channel"]})
        ami.wait_event("Hangup", since=since, timeout=15, Channel=first["Channel"])

        # Another station sees the logged call through the shared folder.
        reader = settings_file(tmp_path, "ws-reader", "299")
        deadline = time.monotonic() + 30
        calls: list[dict] = []
        while time.monotonic() < deadline:
            listed = app("--settings", str(reader), "calls", "--json", env=env)
            assert listed.returncode == 0, listed.stderr
            calls = [json.loads(line) for line in listed.stdout.splitlines()]
            if calls:
                break
            time.sleep(0.5)
        assert [(c["direction"], c["extension"]) for c in calls] == [("out", "202")], calls
        assert calls[0]["called_number"].endswith(plan.TRUNK_ANSWERS)
    finally:
        window.terminate()
        try:
            window.wait(timeout=20)
        except subprocess.TimeoutExpired:
            window.kill()
