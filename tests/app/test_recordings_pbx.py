"""Recordings (issue 11) with a real MixMonitor recording from the test Asterisk: a call
through the ``rec-test`` context (used by this test only) is recorded into the PBX's
monitor folder as ``<Linkedid>.wav``; the feature finds it for that call and not for a
call that was not recorded, and plays it with the player program (a real process)."""
from __future__ import annotations

import json
import sys
import time

import pytest

from callcore.app.recordings import RecordingsFeature, default_player
from callcore.events import CallLogged
from callcore.settings import settings_from_dict
from tests.e2e.live import Collector, product_connection
from tests.pbx import pbx as control
from tests.pbx import plan, scenarios
from tests.pbx.extras import ensure_current_config

pytestmark = pytest.mark.pbx

PLAYER = """import json, sys, pathlib
out = pathlib.Path(sys.argv[1])
out.with_suffix(".tmp").write_text(json.dumps(sys.argv[2:]), encoding="utf-8")
out.with_suffix(".tmp").replace(out)      # whole or not there: the test may look any time
"""


def wait(predicate, timeout=30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_a_real_mixmonitor_recording_gets_played(pbx, ami, tmp_path):
    ensure_current_config(ami)
    monitor = control.root_dir() / "var/spool/asterisk/monitor"
    events = Collector()
    conn = product_connection(events)
    recorded, plain = f"rec-{time.time_ns()}", ""
    conn.start()
    try:
        assert events.wait(lambda: conn.status == "connected", timeout=15)
        reply = ami.action("Originate", {
            "Channel": "Local/205@rec-test", "Application": "Wait", "Data": "2",
            "CallerID": '"Μανουσάκης Γιώργος" <6945123456>', "Timeout": "20000",
            "ChannelId": recorded, "OtherChannelId": recorded + "-2",
            "Async": "true"})
        assert reply.get("Response") == "Success", reply
        plain = scenarios.outside_call(ami, plan.direct_did("205"), scenarios.CYRILLIC, talk=2)
        assert events.wait(lambda: len(events.records([recorded, plain])) == 2, timeout=40)
        with_file, without = (events.records([recorded])[0], events.records([plain])[0])
        assert with_file.status == "answered" and with_file.extension == "205"
        assert wait(lambda: (monitor / f"{recorded}.wav").is_file()
                    and (monitor / f"{recorded}.wav").stat().st_size > 44)   # more than a WAV header
    finally:
        conn.stop()
        for channel in ami.channels():          # ours only: other sessions share this PBX
            if channel.get("Linkedid") in (recorded, plain):
                ami.action("Hangup", {"Channel": channel["Channel"]})

    script = tmp_path / "player.py"
    script.write_text(PLAYER, encoding="utf-8")
    played = tmp_path / "played.json"
    settings = settings_from_dict({"recordings": {"folder": str(monitor)}})
    feature = RecordingsFeature(settings, player=[sys.executable, str(script), str(played)])
    assert feature.recorded([with_file, without]) == {with_file.id}         # nothing recorded, no button
    assert feature.play(without) == "This call has no recording"
    assert feature.play(with_file) == ""
    assert wait(lambda: played.is_file() and played.read_text(encoding="utf-8"))
    assert json.loads(played.read_text(encoding="utf-8")) == [str(monitor / f"{recorded}.wav")]

    # MixMonitor's usual date-prefixed names: a pattern with * finds them too
    (tmp_path / "rec").mkdir()
    (tmp_path / "rec" / f"20261129-101500-{recorded}.wav").write_bytes(
        (monitor / f"{recorded}.wav").read_bytes())
    dated = RecordingsFeature(settings_from_dict({"recordings": {
        "folder": str(tmp_path / "rec"), "file_pattern": "*-{uniqueid}.wav"}}))
    assert dated.recorded([with_file, without]) == {with_file.id}
    # no folder and no address: no recordings at all
    assert RecordingsFeature(settings_from_dict({})).recorded([with_file]) == set()


def test_the_system_player_is_used():
    expected = None if sys.platform == "win32" else (["open"] if sys.platform == "darwin" else ["xdg-open"])
    assert default_player() == expected
