"""Why the PBX connection is down, as a sentence (issue 6 item 6): the ``reason`` of
ConnectionStateChanged that the window shows and the recorder prints. Each cause is made
for real: a closed port, a server whose accept queue is full, an unknown host name, TLS to
an untrusted certificate and to a plain port, a wrong secret (also on the real PBX), a cut
connection, a restart, and a PBX that stops answering."""
from __future__ import annotations

import re
import socket
import ssl
import subprocess

import pytest

from callcore.ami.connection import AmiConnection
from callcore.events import ConnectionStateChanged
from tests.ami.fake_ami import FakeAmi, msg
from tests.waiting import wait_for

SECRET = "s3cret"


class Reasons(list):
    """(status, reason) of every ConnectionStateChanged (an on_event callback)."""

    def __call__(self, event):
        if isinstance(event, ConnectionStateChanged):
            self.append((event.status, event.reason))

    def __bool__(self):
        return True

    def first(self, status: str) -> str:
        return next(reason for s, reason in self if s == status)


def raw_looking(reason: str) -> bool:
    """The marks of an exception printed as is."""
    return bool(re.search(r"\[Errno|\('|Error\b|Exception|\bssl\b|_ssl\.c", reason))


def failing_reason(host: str, port: int, **kw) -> str:
    seen = Reasons()
    options = dict(connect_timeout=2, backoff_initial=30)
    options.update(kw)
    conn = AmiConnection(host, port, "test", SECRET, on_event=seen, **options)
    conn.start()
    try:
        assert wait_for(lambda: any(s in ("failing", "auth_failed") for s, _r in seen), 15), seen
    finally:
        conn.stop()
    reason = next(r for s, r in seen if s in ("failing", "auth_failed"))
    assert not raw_looking(reason), reason
    return reason


def test_refused():
    with FakeAmi() as srv:
        port = srv.port                          # closed again when the block ends
    assert failing_reason("127.0.0.1", port) == f"Cannot reach the PBX at 127.0.0.1:{port} — connection refused"


def test_no_answer_within_the_timeout():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    queued = []
    for _ in range(3):                           # fill the accept queue: further SYNs are dropped
        client = socket.socket()
        client.setblocking(False)
        client.connect_ex(("127.0.0.1", port))
        queued.append(client)
    try:
        assert failing_reason("127.0.0.1", port, connect_timeout=0.5) == (
            f"Cannot reach the PBX at 127.0.0.1:{port} — no answer within 0.5 s")
    finally:
        for client in queued:
            client.close()
        listener.close()


def test_unknown_host_name():
    assert failing_reason("pbx.invalid", 5038) == (
        "Cannot reach the PBX at pbx.invalid:5038 — the host name “pbx.invalid” is not known")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    key, crt = folder / "k.pem", folder / "c.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(crt), "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(crt, key)
    return context


def test_tls_certificate_not_trusted(certificate):
    with FakeAmi(secret=SECRET, ssl_context=certificate) as srv:
        reason = failing_reason("127.0.0.1", srv.port, tls=True)
    assert reason.startswith(f"Cannot connect securely to the PBX at 127.0.0.1:{srv.port} — "
                             "its TLS certificate is not trusted (self-signed certificate)")


def test_tls_to_a_port_without_tls():
    with FakeAmi(secret=SECRET) as srv:
        reason = failing_reason("127.0.0.1", srv.port, tls=True)
    assert reason == (f"Cannot connect securely to the PBX at 127.0.0.1:{srv.port} — "
                      "the TLS handshake failed: this port does not speak TLS")


def test_wrong_secret():
    with FakeAmi(secret="other") as srv:
        reason = failing_reason("127.0.0.1", srv.port)
    assert reason == (f"The PBX at 127.0.0.1:{srv.port} refused the login (authentication failed) "
                      "— check the AMI username and secret")


@pytest.mark.pbx
def test_wrong_secret_on_the_real_pbx(pbx):
    seen = Reasons()
    conn = AmiConnection(pbx.host, pbx.port, pbx.username, "wrong-" + pbx.secret, on_event=seen)
    conn.start()
    try:
        assert wait_for(lambda: conn.status == "auth_failed", 15)
    finally:
        conn.stop()
    assert seen.first("auth_failed") == (f"The PBX at {pbx.host}:{pbx.port} refused the login "
                                         "(authentication failed) — check the AMI username and secret")


def lost_reason(cut, **kw) -> str:
    seen = Reasons()
    with FakeAmi(secret=SECRET) as srv:
        conn = AmiConnection("127.0.0.1", srv.port, "test", SECRET, on_event=seen,
                             backoff_initial=30, connect_timeout=2, **kw)
        conn.start()
        try:
            assert wait_for(lambda: conn.connected)
            cut(srv)
            assert wait_for(lambda: conn.status == "failing", 10)
        finally:
            conn.stop()
    reason = seen.first("failing")
    assert not raw_looking(reason), reason
    return reason.replace(str(srv.port), "PORT")


def test_connection_cut():
    assert lost_reason(lambda srv: srv.drop_all()) in (
        "Lost the connection to the PBX at 127.0.0.1:PORT — the connection was reset",
        "The PBX at 127.0.0.1:PORT closed the connection")


def test_pbx_restarting():
    shutdown = msg(Event="Shutdown", Privilege="system,all", Shutdown="Cleanly", Restart="True")
    assert lost_reason(lambda srv: srv.send(shutdown)) == "The PBX at 127.0.0.1:PORT is restarting"


def test_pbx_stops_answering():
    def mute(srv):
        srv.answer_ping = False
    assert lost_reason(mute, ping_interval=0.1, ping_timeout=0.3) == (
        "The PBX at 127.0.0.1:PORT stopped answering (no reply to a ping within 0.3 s)")
