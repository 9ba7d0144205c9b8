"""AmiConnection against a tiny local AMI server: each panoramisk trap, reconnects,
wrong credentials, bad input, TLS. (Call semantics are tested with recordings.)"""
from __future__ import annotations

import logging
import socket
import ssl
import subprocess
import threading
import time

import pytest
from panoramisk import actions
from panoramisk.message import Message

from callcore.ami.connection import AmiConnection, NotConnected
from callcore.events import ConnectionStateChanged, LegEnded, LegRinging, CallLogged
from tests.ami.fake_ami import FakeAmi, msg
from tests.waiting import wait_for

SECRET = "s3cret-Ωmega"


class Sink:
    """What the UI queue would receive; thread-safe enough for list.append."""

    def __init__(self):
        self.events = []
        self.raw = []

    def __call__(self, event):
        self.events.append(event)

    def of(self, kind):
        return [e for e in self.events if isinstance(e, kind)]

    def statuses(self):
        return [e.status for e in self.of(ConnectionStateChanged)]


def connect(server: FakeAmi, sink: Sink | None = None, **kw) -> AmiConnection:
    sink = sink or Sink()
    opts = dict(ping_interval=30, ping_timeout=1, backoff_initial=0.05, backoff_max=0.2,
                connect_timeout=2, action_timeout=2)
    opts.update(kw)
    conn = AmiConnection("127.0.0.1", server.port, "test", server.secret, on_event=sink,
                         on_raw=getattr(sink, "raw", []).append, **opts)
    conn.start()
    return conn


@pytest.fixture
def server():
    with FakeAmi(secret=SECRET) as srv:
        yield srv


wait = wait_for


def closed_port() -> int:
    """A local port nobody listens on (connections are refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ringing_201(uid="1.1", name="Иван", linkedid="1.0"):
    return msg(Event="Newchannel", Channel=f"PJSIP/201-0000000{uid[-1]}", ChannelState="5",
               ChannelStateDesc="Ringing", CallerIDNum="201", CallerIDName="Op",
               ConnectedLineNum="4957654321", ConnectedLineName=name, Exten="s",
               Context="internal", Uniqueid=uid, Linkedid=linkedid)


def test_connects_and_reports_states(server):
    sink = Sink()
    conn = connect(server, sink)
    try:
        assert wait(lambda: conn.connected)
        assert sink.statuses() == ["connecting", "connected"]
        assert conn.ping().result(3).ok
    finally:
        conn.stop()
    assert conn.status == "off" and sink.statuses()[-1] == "off"


def test_waits_for_fully_booted_before_connected(server):
    """Trap (d): the Login answer is not the end of connecting; FullyBooted is. Barrier:
    the client gives up waiting for it (connect_timeout) — never 'connected' meanwhile."""
    server.boot_on_login = False
    sink = Sink()
    conn = connect(server, sink, connect_timeout=0.5)
    try:
        assert wait(lambda: "failing" in sink.statuses())
        assert sink.statuses()[:2] == ["connecting", "failing"]
        assert "did not complete the login" in sink.of(ConnectionStateChanged)[1].reason
        server.boot_on_login = True                  # the PBX has finished booting
        assert wait(lambda: conn.connected)
        assert sink.statuses().index("connected") == len(sink.statuses()) - 1
    finally:
        conn.stop()


def test_utf8_letter_split_across_reads_arrives_intact(server):
    """Trap (a): 'И' is two bytes; send them in two TCP writes."""
    sink = Sink()
    conn = connect(server, sink)
    try:
        assert wait(lambda: conn.connected)
        data = ringing_201(name="Иван Петров")
        cut = data.index("Иван".encode()) + 1          # inside the first letter
        server.send(data[:cut], data[cut:], pause=0.1)
        assert wait(lambda: sink.of(LegRinging))
        assert sink.of(LegRinging)[0].other_name == "Иван Петров"
        assert [r["ConnectedLineName"] for r in sink.raw if r.get("Event") == "Newchannel"] == ["Иван Петров"]
    finally:
        conn.stop()


def test_exception_in_consumer_does_not_kill_the_connection(server):
    """Trap (b): the consumer raises on every leg event; later events still arrive."""
    seen = []

    def angry(event):
        seen.append(event)
        if isinstance(event, LegRinging):
            raise RuntimeError("consumer bug")

    conn = connect(server, angry)
    try:
        assert wait(lambda: conn.connected)
        server.send(ringing_201(uid="1.1", linkedid="1.1") + ringing_201(uid="1.2", linkedid="1.2"))
        assert wait(lambda: len([e for e in seen if isinstance(e, LegRinging)]) == 2)
        assert conn.connected and server.connections == 1
        assert conn.ping().result(3).ok
    finally:
        conn.stop()


def test_half_open_connection_is_dropped_and_reconnected(server):
    """Trap (c): the server stops answering (no FIN): the Ping watchdog notices."""
    sink = Sink()
    conn = connect(server, sink, ping_interval=0.2, ping_timeout=0.3)
    try:
        assert wait(lambda: conn.connected)
        server.answer_ping = False
        assert wait(lambda: "failing" in sink.statuses(), 5)
        server.answer_ping = True
        assert wait(lambda: server.connections >= 2 and conn.connected, 5)
    finally:
        conn.stop()


def test_successfully_queued_reply_does_not_raise_keyerror_async(server):
    """Trap (e): panoramisk #97 raises KeyError: 'async' for '... successfully queued'
    unless as_list=False; our commands always pass it."""
    server.replies["Atxfer"] = lambda a: [msg(Response="Success", ActionID=a["ActionID"],
                                              Message="Atxfer successfully queued")]
    # the trap is real with panoramisk's own defaults:
    plain = actions.Action.__new__(actions.Action)
    actions.utils.CaseInsensitiveDict.__init__(plain, {"Action": "Atxfer"})
    plain.as_list, plain.responses = None, [Message({"Response": "Success",
                                                      "Message": "Atxfer successfully queued"})]
    with pytest.raises(KeyError):
        plain.multi
    conn = connect(server)
    try:
        assert wait(lambda: conn.connected)
        result = conn.atxfer("PJSIP/201-00000001", "202").result(3)
        assert result.ok and result.message == "Atxfer successfully queued"
    finally:
        conn.stop()


def test_reconnects_with_backoff_after_network_cut(server):
    sink = Sink()
    conn = connect(server, sink)
    try:
        assert wait(lambda: conn.connected)
        server.drop_all()
        assert wait(lambda: server.connections == 2 and conn.connected)
        assert sink.statuses() == ["connecting", "connected", "failing", "connecting", "connected"]
    finally:
        conn.stop()


def test_backoff_grows_while_pbx_is_down():
    with FakeAmi(secret=SECRET) as srv:
        port = srv.port
    sink = Sink()
    conn = AmiConnection("127.0.0.1", port, "test", SECRET, on_event=sink,
                         backoff_initial=0.1, backoff_max=0.4, connect_timeout=1)
    started = time.monotonic()
    conn.start()
    try:
        assert wait(lambda: conn.attempts >= 5)
        # not hammering: the 5th attempt comes after the waits 0.1 + 0.2 + 0.4 + 0.4 s
        # (a lower bound the backoff guarantees; no upper bound, nothing to race)
        assert time.monotonic() - started >= 1.0
        assert conn.status in ("failing", "connecting")
        failing = [e for e in sink.of(ConnectionStateChanged) if e.status == "failing"]
        assert failing and "127.0.0.1" in failing[-1].reason   # (a retry in progress has none)
    finally:
        conn.stop()


def test_shutdown_event_reconnects(server):
    sink = Sink()
    conn = connect(server, sink)
    try:
        assert wait(lambda: conn.connected)
        server.send(msg(Event="Shutdown", Privilege="system,all", Shutdown="Cleanly", Restart="True"))
        assert wait(lambda: server.connections == 2 and conn.connected)
        failing = [e for e in sink.of(ConnectionStateChanged) if e.status == "failing"]
        assert failing and "restart" in failing[0].reason
    finally:
        conn.stop()


def test_wrong_secret_is_auth_failed_without_retries(server):
    sink = Sink()
    conn = AmiConnection("127.0.0.1", server.port, "test", "wrong", on_event=sink,
                         backoff_initial=0.05)
    conn.start()
    witness = AmiConnection("127.0.0.1", closed_port(), "test", "x", backoff_initial=0.05)
    try:
        assert wait(lambda: conn.status == "auth_failed")
        # Barrier: a connection on the same backoff that does retry (nobody listens) has
        # retried 4 times since; a retry after auth_failed would have happened by now.
        witness.start()
        assert wait(lambda: witness.attempts >= 5)
        assert server.connections == 1 and conn.attempts == 1
        assert sink.statuses() == ["connecting", "auth_failed"]
        assert "authentication" in conn.reason.lower()
        conn._secret = SECRET          # the user fixes the settings and reconnects
        conn.reconnect()
        assert wait(lambda: conn.connected)
        assert server.connections == 2
    finally:
        conn.stop()
        witness.stop()


def test_secret_is_never_logged(server, caplog):
    caplog.set_level(logging.DEBUG)
    conn = connect(server)
    bad = AmiConnection("127.0.0.1", server.port, "test", "wrong-" + SECRET)
    bad.start()
    try:
        assert wait(lambda: conn.connected and bad.status == "auth_failed")
        server.drop_all()
        assert wait(lambda: conn.connected and server.connections >= 3)
    finally:
        conn.stop()
        bad.stop()
    assert SECRET not in caplog.text
    assert SECRET not in repr(conn)


def test_bad_input_does_not_break_the_connection(server):
    sink = Sink()
    conn = connect(server, sink)
    try:
        assert wait(lambda: conn.connected)
        server.send(
            b"garbage without colon\r\nmore garbage\r\n\r\n",
            b"Event: Newchannel\r\nCallerIDName: \xff\xfe\xc3(\r\nUniqueid: bad.1\r\n\r\n",
            b"Event: SomethingNobodyKnows\r\nX: y\r\n\r\n",
            b"Event: Hangup\r\nUniqueid: never.seen\r\n\r\n",
            b"Event: DialBegin\r\nDestUniqueid: \r\n\r\n",
            b"Event: Newstate\r\nChannel: PJSIP/201-1\r\nUniqueid: x.1\r\nChannelState: notanumber\r\n\r\n",
            b"Event: Big\r\nHuge: " + b"A" * 3_000_000 + b"\r\n\r\n",
            b"Event: Endless\r\nHuge: " + b"B" * 5_000_000,   # never terminated by itself
            b"\r\n\r\n",
            ringing_201(uid="9.1", name="Μανουσάκης", linkedid="9.1"))
        assert wait(lambda: sink.of(LegRinging), 10)
        assert sink.of(LegRinging)[0].other_name == "Μανουσάκης"
        assert conn.connected and server.connections == 1
        bad = [r for r in sink.raw if r.get("Uniqueid") == "bad.1"]
        assert bad and "\ufffd" in bad[0]["CallerIDName"]
        assert conn.ping().result(3).ok
    finally:
        conn.stop()


def test_rebuild_after_reconnect_neither_loses_nor_duplicates(server):
    """A call ringing at connect is restored once; after a cut it is not shown again;
    when it is gone after the next reconnect it ends and is logged exactly once."""
    channel = dict(Channel="PJSIP/201-00000007", ChannelState="5", ChannelStateDesc="Ringing",
                   CallerIDNum="201", CallerIDName="Op", ConnectedLineNum="6945123456",
                   ConnectedLineName="Γιώργος", Context="internal", Exten="s", Uniqueid="7.2",
                   Linkedid="7.1", Duration="00:00:04", BridgeId="")
    caller = dict(Channel="PJSIP/trunk-00000006", ChannelState="4", ChannelStateDesc="Ring",
                  CallerIDNum="6945123456", CallerIDName="Γιώργος", ConnectedLineNum="201",
                  ConnectedLineName="Op", Context="from-outside", Exten="2101234567",
                  Uniqueid="7.1", Linkedid="7.1", Duration="00:00:05", BridgeId="")
    server.channels = [channel, caller]
    server.hints = [dict(Exten="201", Context="internal", Hint="PJSIP/201", Status="8",
                         StatusText="Ringing")]
    sink = Sink()
    conn = connect(server, sink)
    try:
        assert wait(lambda: conn.connected)
        rings = sink.of(LegRinging)
        assert len(rings) == 1 and rings[0].restored and rings[0].other_number == "6945123456"
        server.drop_all()
        assert wait(lambda: server.connections == 2 and conn.connected)
        assert len(sink.of(LegRinging)) == 1 and not sink.of(CallLogged)
        server.channels = []
        server.drop_all()
        assert wait(lambda: server.connections == 3 and conn.connected)
        assert wait(lambda: sink.of(CallLogged))
        server.drop_all()
        assert wait(lambda: server.connections == 4 and conn.connected)
        logged = sink.of(CallLogged)
        assert len(logged) == 1 and logged[0].record.linkedid == "7.1"
        assert logged[0].record.status == "missed" and logged[0].record.extension == "201"
        assert [e.status for e in sink.of(LegEnded)] == ["missed"]
    finally:
        conn.stop()


def test_commands(server):
    conn = connect(server)
    try:
        assert wait(lambda: conn.connected)
        result = conn.originate("201", "06912345678", context="internal").result(3)
        sent = [a for a in server.actions if a.get("Action") == "Originate"][-1]
        assert result.ok and result.channel_id == sent["ChannelId"]
        assert sent["Async"] == "true" and sent["Channel"] == "PJSIP/201" and sent["Exten"] == "06912345678"
        conn.redirect("Local/x@y-1;2", "202", "internal").result(3)
        conn.blind_transfer("PJSIP/201-1", "202").result(3)
        conn.hangup("PJSIP/201-1").result(3)
        conn.user_event("TransferNote", {"Notes": "Καλημέρα\r\nInjected: yes"}).result(3)
        note = [a for a in server.actions if a.get("Action") == "UserEvent"][-1]
        assert note["Notes"] == "Καλημέρα  Injected: yes" and "Injected" not in note
        names = [a["Action"] for a in server.actions]
        assert {"Redirect", "BlindTransfer", "Hangup", "UserEvent"} <= set(names)
    finally:
        conn.stop()
    with pytest.raises(NotConnected):
        conn.ping().result(1)


def test_tls(tmp_path):
    key, crt = tmp_path / "k.pem", tmp_path / "c.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(crt), "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(crt, key)
    client_ctx = ssl.create_default_context(cafile=str(crt))
    with FakeAmi(secret=SECRET, ssl_context=server_ctx) as srv:
        conn = AmiConnection("127.0.0.1", srv.port, "test", SECRET, tls=True, ssl_context=client_ctx)
        conn.start()
        try:
            assert wait(lambda: conn.connected)
            assert conn.ping().result(3).ok
        finally:
            conn.stop()
        untrusting = AmiConnection("127.0.0.1", srv.port, "test", SECRET, tls=True,
                                   backoff_initial=5)
        untrusting.start()
        try:
            assert wait(lambda: untrusting.status == "failing")
        finally:
            untrusting.stop()


def test_consumer_is_called_from_the_ami_thread_only(server):
    threads = set()
    conn = connect(server, lambda e: threads.add(threading.current_thread().name))
    try:
        assert wait(lambda: conn.connected)
    finally:
        conn.stop()
    assert threads and all(name.startswith("ami-") for name in threads)
