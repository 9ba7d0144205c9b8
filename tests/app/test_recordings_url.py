"""Recordings served by the PBX's web server (``recordings.url_pattern``, issue 11): a
real HTTP server answers HEAD for the recorded call only; the player gets the address."""
from __future__ import annotations

import functools
import http.server
import json
import sys
import threading
import time

from callcore.app.recordings import RecordingsFeature
from callcore.records import CallRecord
from callcore.settings import settings_from_dict

PLAYER = """import json, sys, pathlib
out = pathlib.Path(sys.argv[1])
out.with_suffix(".tmp").write_text(json.dumps(sys.argv[2:]), encoding="utf-8")
out.with_suffix(".tmp").replace(out)      # whole or not there: the test may look any time
"""


def record(linkedid: str) -> CallRecord:
    return CallRecord(id=f"id-{linkedid}", linkedid=linkedid, direction="in", status="answered",
                      started_at="2026-11-29T10:15:00+01:00", extension="201")


def test_recordings_at_an_address(tmp_path):
    served = tmp_path / "www" / "rec" / "20261129"
    served.mkdir(parents=True)
    (served / "pbx-1.5.wav").write_bytes(b"RIFF" + b"\0" * 100)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path / "www"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        script = tmp_path / "player.py"
        script.write_text(PLAYER, encoding="utf-8")
        played = tmp_path / "played.json"
        pattern = f"http://127.0.0.1:{server.server_port}/rec/{{date}}/{{linkedid}}.wav"
        feature = RecordingsFeature(settings_from_dict({"recordings": {"url_pattern": pattern}}),
                                    player=[sys.executable, str(script), str(played)])
        recorded, plain = record("pbx-1.5"), record("pbx-1.6")
        assert feature.recorded([recorded, plain]) == {recorded.id}
        assert feature.play(recorded) == ""
        end = time.monotonic() + 10
        while not played.is_file() and time.monotonic() < end:
            time.sleep(0.05)
        assert json.loads(played.read_text(encoding="utf-8")) == [
            f"http://127.0.0.1:{server.server_port}/rec/20261129/pbx-1.5.wav"]
        delivered: list = []
        feature.check([recorded, plain], delivered.append)
        end = time.monotonic() + 10
        while not delivered and time.monotonic() < end:
            time.sleep(0.05)
        assert delivered == [{recorded.id}]
    finally:
        server.shutdown()
        server.server_close()
