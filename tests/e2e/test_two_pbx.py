"""Several PBXs (SPEC AMI-4) against two real Asterisk 22 instances (tests/pbx/pbx2.py):
one app, one connection per PBX, calls kept apart by PBX even with the same Linkedid,
dialling/hang-up/transfer sent to the PBX that serves the extension or has the leg, one
PBX restarting while a call on the other goes on, and each PBX's secret out of the log."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from callcore.app import AppMode, build_app
from callcore.events import (CallLogged, ConnectionStateChanged, LegAnswered, LegRinging)
from callcore.records import call_id_for
from callcore.settings import settings_from_dict
from tests.pbx import pbx2 as second
from tests.pbx import plan, scenarios
from tests.pbx.ami import AmiClient

pytestmark = pytest.mark.pbx
ROOT = Path(__file__).resolve().parents[2]


def office(tmp_path: Path) -> dict:
    return {
        "ami": {"host": plan.AMI_HOST, "port": plan.AMI_PORT, "username": plan.AMI_USER,
                "secret": plan.AMI_SECRET},
        "station": {"id": "ws-two", "extension": "201", "context": "internal"},
        "dial": {"outgoing_prefix": plan.OUTGOING_PREFIX},
        "store": {"local_folder": str(tmp_path / "local")},
        "pbxes": [{"name": "branch", "host": plan.AMI_HOST, "port": second.AMI_PORT,
                   "username": plan.AMI_USER, "secret": second.SECRET, "serves": ["3xx"]}],
    }


class Seen:
    """Every domain event the app's hub published, in order (thread-safe)."""

    def __init__(self, hub):
        self.events: list = []
        self._lock = threading.Lock()
        for kind in (CallLogged, ConnectionStateChanged, LegAnswered, LegRinging):
            hub.subscribe(kind, self._add)

    def _add(self, event) -> None:
        with self._lock:
            self.events.append(event)

    def of(self, kind) -> list:
        with self._lock:
            return [e for e in self.events if isinstance(e, kind)]

    def records(self, linkedid: str) -> list:
        return [e.record for e in self.of(CallLogged) if e.record.linkedid == linkedid]

    def wait(self, predicate, timeout: float = 30.0) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if predicate():
                return True
            time.sleep(0.05)
        return predicate()


def hang_up_ours(client: AmiClient, linkedids: set[str]) -> None:
    """Tests against the real PBX clean up their calls."""
    try:
        for channel in client.channels():
            if channel.get("Linkedid") in linkedids:
                client.action("Hangup", {"Channel": channel["Channel"]})
    except Exception:  # noqa: BLE001 - best effort; the PBX may be restarting
        pass


def test_two_pbxs_one_app(pbx, pbx2, tmp_path):
    app = build_app(settings_from_dict(office(tmp_path)), AppMode.RECORDER,
                    connection_options={"backoff_max": 1.0})
    seen = Seen(app.hub)
    c1, c2 = pbx.client(), pbx2.client()
    ours: set[str] = set()
    app.start()
    try:
        assert seen.wait(lambda: app.pool.statuses() == {"": "connected", "branch": "connected"},
                         timeout=20), app.pool.statuses()
        states = {(e.server, e.status) for e in seen.of(ConnectionStateChanged)}
        assert ("", "connected") in states and ("branch", "connected") in states

        # the same Linkedid on both PBXs: two calls, two records, never mixed
        same = f"same-{uuid.uuid4().hex[:8]}"
        ours.add(same)
        scenarios.outside_call(c1, plan.direct_did("205"), scenarios.GREEK, talk=1, call_id=same)
        scenarios.outside_call(c2, second.direct_did("302"), scenarios.CYRILLIC, talk=1, call_id=same)
        assert seen.wait(lambda: len(seen.records(same)) == 2, timeout=30), seen.records(same)
        by_ext = {r.extension: r for r in seen.records(same)}
        assert set(by_ext) == {"205", "302"}
        assert by_ext["205"].id == call_id_for(same, "") and by_ext["302"].id == call_id_for(same, "branch")
        assert by_ext["205"].caller_name == "Μανουσάκης Γιώργος"
        assert by_ext["302"].caller_name == "Иван Петров"
        assert all(r.status == "answered" for r in by_ext.values())
        legs = {e.extension: e for e in seen.of(LegRinging) if e.linkedid == same}
        assert legs["302"].leg_id.endswith("@branch") and "@" not in legs["205"].leg_id
        assert seen.wait(lambda: app.store.calls.get(by_ext["302"].id) is not None, timeout=10)
        assert app.store.calls.get(by_ext["205"].id).extension == "205"

        # dialling goes through the PBX that serves the extension (302 → branch)
        result = app.commands.quick_connect("303", "302").result(timeout=15)
        assert result.ok, result.message
        ours.add(result.linkedid)
        assert result.call_id == call_id_for(result.linkedid, "branch")
        c2.wait_event("Newstate", Linkedid=result.linkedid, Channel="PJSIP/303-*",
                      ChannelStateDesc="Ringing", timeout=15)
        ringing = []
        assert seen.wait(lambda: ringing.extend(e for e in seen.of(LegRinging) if e.extension == "303"
                                                and e.linkedid == result.linkedid) or ringing)
        # …and hanging up a leg goes to the PBX that has it
        hung = app.commands.hangup(ringing[0].leg_id).result(timeout=15)
        assert hung.ok, hung.message
        assert seen.wait(lambda: len(seen.records(result.linkedid)) == 1, timeout=20)
        assert seen.records(result.linkedid)[0].id == result.call_id

        # a blind transfer on the branch PBX: 301 answers, transfers the caller to 302
        moved = scenarios.outside_call(c2, second.direct_did("301"), scenarios.CZECH, talk=20)
        ours.add(moved)
        answered = []
        assert seen.wait(lambda: answered.extend(e for e in seen.of(LegAnswered) if e.extension == "301"
                                                 and e.call_id == call_id_for(moved, "branch")) or answered,
                         timeout=20)
        done = app.commands.blind_transfer(answered[0].leg_id, "302").result(timeout=15)
        assert done.ok, done.message
        c2.wait_event("Newstate", Linkedid=moved, Channel="PJSIP/302-*", ChannelStateDesc="Up", timeout=15)
        hang_up_ours(c2, {moved})
        assert seen.wait(lambda: any(r.status == "transferred" and r.transferred_to == "302"
                                     for r in seen.records(moved)), timeout=20), seen.records(moved)

        # the branch PBX restarts while a call on the first PBX goes on
        going_on = scenarios.outside_call(c1, plan.direct_did("205"), scenarios.LATIN, talk=60)
        ours.add(going_on)
        assert seen.wait(lambda: any(e.extension == "205" and e.call_id == call_id_for(going_on)
                                     for e in seen.of(LegAnswered)), timeout=20)
        c2.close()
        second.stop_asterisk()
        assert seen.wait(lambda: any(e.server == "branch" and e.status == "failing"
                                     for e in seen.of(ConnectionStateChanged)), timeout=20)
        assert app.pool.statuses()[""] == "connected"
        second.start_asterisk(second.Pbx2State.load())
        assert seen.wait(lambda: app.pool.statuses()["branch"] == "connected", timeout=30)
        assert [e.status for e in seen.of(ConnectionStateChanged)   # the first never wavered
                if e.server == ""] == ["connecting", "connected"]
        assert not seen.records(going_on)                               # still talking
        assert any(c.get("Linkedid") == going_on for c in c1.channels())
        leg = [e for e in seen.of(LegAnswered) if e.call_id == call_id_for(going_on)][0]
        assert app.commands.hangup(leg.leg_id).result(timeout=15).ok
        assert seen.wait(lambda: len(seen.records(going_on)) == 1, timeout=20)
        assert seen.records(going_on)[0].status == "answered"
        assert seen.records(going_on)[0].talk_seconds > 0

        # and the branch is logged again after its restart
        c2 = pbx2.client()
        after = scenarios.outside_call(c2, second.direct_did("302"), scenarios.PERSIAN, talk=1)
        ours.add(after)
        assert seen.wait(lambda: len(seen.records(after)) == 1, timeout=30)
        assert seen.records(after)[0].id == call_id_for(after, "branch")
    finally:
        for client in (c1, c2):
            if client.connected:
                hang_up_ours(client, ours)
                client.close()
        app.close()


def test_the_recorder_logs_both_pbxs_and_no_secret(pbx, pbx2, tmp_path):
    settings = office(tmp_path)
    settings["ami"]["server"] = "main"
    path = tmp_path / "settings.json"
    import json
    path.write_text(json.dumps(settings), encoding="utf-8")
    env = dict(os.environ, HOME=str(tmp_path / "home"), XDG_STATE_HOME=str(tmp_path / "state"),
               XDG_CACHE_HOME=str(tmp_path / "cache"), XDG_CONFIG_HOME=str(tmp_path / "config"))
    recorder = subprocess.Popen([sys.executable, str(ROOT / "operator_app.py"), "--settings", str(path),
                                 "--recorder", "--log-level", "DEBUG"], cwd=tmp_path, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                encoding="utf-8")
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(recorder.stdout.readline, "")), daemon=True)
    reader.start()
    c1, c2 = pbx.client(), pbx2.client()
    ours: set[str] = set()
    try:
        end = time.monotonic() + 30
        while time.monotonic() < end and not ("AMI: connected" in lines and "AMI branch: connected" in
                                              [l.strip() for l in lines]):
            lines_now = [l.strip() for l in lines]
            if "AMI: connected" in lines_now and "AMI branch: connected" in lines_now:
                break
            time.sleep(0.1)
        shown = [l.strip() for l in lines]
        assert "AMI: connected" in shown and "AMI branch: connected" in shown, shown
        a = scenarios.outside_call(c1, plan.direct_did("205"), scenarios.GREEK, talk=1)
        b = scenarios.outside_call(c2, second.direct_did("302"), scenarios.CYRILLIC, talk=1)
        ours |= {a, b}
        end = time.monotonic() + 30
        while time.monotonic() < end and not (any("(205)" in l for l in lines) and any("(302)" in l for l in lines)):
            time.sleep(0.1)
        assert any("logged in call answered" in l and "(302)" in l for l in lines), lines
        assert any("logged in call answered" in l and "(205)" in l for l in lines), lines
    finally:
        for client in (c1, c2):
            hang_up_ours(client, ours)
            client.close()
        recorder.terminate()
        try:
            recorder.wait(timeout=30)
        except subprocess.TimeoutExpired:      # never leave it running; the test then fails
            recorder.kill()
            recorder.wait(timeout=10)
            raise
        reader.join(5)
    logs = [p for p in tmp_path.rglob("operator-recorder.log*")]
    assert logs, "no log file"
    text = "".join(p.read_text(encoding="utf-8") for p in logs)
    assert f"{plan.AMI_HOST}:{second.AMI_PORT}" in text          # it did log about the branch PBX
    assert second.SECRET not in text and second.SECRET not in "".join(lines)
