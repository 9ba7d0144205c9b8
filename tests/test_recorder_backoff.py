"""The headless recorder after a wrong AMI secret (issue 6 item 5): it keeps trying to log in
with a growing pause and logs each refusal, so it recovers by itself once the PBX accepts the
login; the window keeps waiting for the user (a settings problem: no hammering).

The refusals come from the real test PBX (tests/pbx); recovery needs a PBX whose accounts
change mid-test, so that part uses the scripted server (tests/ami/fake_ami.py)."""
from __future__ import annotations

import logging
import re

import pytest

from callcore.ami.connection import AmiConnection
from callcore.events import ConnectionStateChanged
from tests.ami.fake_ami import FakeAmi
from tests.waiting import wait_for

WRONG = "not-the-secret-Ω"


class Statuses(list):
    """The connection states seen, in order (an on_event callback)."""

    def __call__(self, event):
        if isinstance(event, ConnectionStateChanged):
            self.append(event.status)

    def __bool__(self):        # a callback, even while still empty
        return True


def refusals(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "callcore.ami.connection"
            and r.levelno == logging.WARNING and "refused the login" in r.getMessage()]


@pytest.mark.pbx
def test_recorder_keeps_retrying_a_refused_login_on_the_real_pbx(pbx, caplog):
    caplog.set_level(logging.INFO, logger="callcore.ami.connection")
    statuses = Statuses()
    conn = AmiConnection(pbx.host, pbx.port, pbx.username, WRONG, on_event=statuses,
                         auth_retry=True, auth_backoff_initial=0.1, auth_backoff_max=0.4)
    conn.start()
    try:
        assert wait_for(lambda: conn.attempts >= 4 and len(refusals(caplog)) >= 4, 30), (
            conn.attempts, statuses)
        assert conn.status in ("auth_failed", "connecting")
    finally:
        conn.stop()
    assert statuses[:4] == ["connecting", "auth_failed", "connecting", "auth_failed"]
    assert "connected" not in statuses
    delays = [re.search(r"trying again in (\S+) s", m).group(1) for m in refusals(caplog)]
    assert delays[:4] == ["0.1", "0.2", "0.4", "0.4"]            # doubling, then capped
    assert all(pbx.username in m for m in refusals(caplog))
    assert WRONG not in caplog.text


def test_default_schedule_is_30_seconds_growing_to_5_minutes():
    conn = AmiConnection("127.0.0.1", 1, "u", "s", auth_retry=True)
    assert (conn._auth_backoff_initial, conn._auth_backoff_max) == (30.0, 300.0)


def test_recorder_logs_in_by_itself_once_the_pbx_accepts_the_secret(caplog):
    caplog.set_level(logging.INFO, logger="callcore.ami.connection")
    with FakeAmi(secret="the-new-secret") as server:
        statuses = Statuses()
        conn = AmiConnection("127.0.0.1", server.port, "test", "the-old-secret", on_event=statuses,
                             auth_retry=True, auth_backoff_initial=0.05, auth_backoff_max=0.2)
        conn.start()
        try:
            assert wait_for(lambda: len(refusals(caplog)) >= 2)
            server.secret = "the-old-secret"          # the admin restores the PBX's account
            assert wait_for(lambda: conn.connected, 10)
            assert conn.ping().result(3).ok
        finally:
            conn.stop()
    assert statuses.count("auth_failed") >= 2 and "connected" in statuses


def test_window_connection_waits_for_the_user_after_a_refused_login():
    """Barrier, not a sleep: a retrying connection to the same server logs in 4 times
    while the window's connection stays at its one attempt."""
    with FakeAmi(secret="right") as server:
        window = AmiConnection("127.0.0.1", server.port, "test", "wrong", backoff_initial=0.01)
        recorder = AmiConnection("127.0.0.1", server.port, "test", "wrong", auth_retry=True,
                                 auth_backoff_initial=0.05, auth_backoff_max=0.05)
        window.start()
        try:
            assert wait_for(lambda: window.status == "auth_failed")
            recorder.start()
            assert wait_for(lambda: recorder.attempts >= 4, 10)
            assert window.attempts == 1 and window.status == "auth_failed"
        finally:
            recorder.stop()
            window.stop()


def test_recorder_lines_from_many_connections_never_run_together(monkeypatch):
    """Two PBX connections report at once (CI saw "AMI branch: connectedAMI: connected"):
    every line the recorder prints arrives whole, however the threads interleave."""
    import io
    import sys
    import threading
    import time as _time
    from callcore.recorder import echo_line

    class SlowOut(io.StringIO):
        def write(self, text):          # a pause inside every write invites the other thread in
            _time.sleep(0.001)
            return super().write(text)
    out = SlowOut()
    monkeypatch.setattr(sys, "stdout", out)
    lines = [f"AMI {name}: connected" for name in ("main", "branch", "Αθήνα", "Brno")] * 10
    threads = [threading.Thread(target=echo_line, args=(line,)) for line in lines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(out.getvalue().splitlines()) == sorted(lines)
    import inspect
    from callcore.recorder import Recorder
    assert inspect.signature(Recorder).parameters["echo"].default is echo_line
