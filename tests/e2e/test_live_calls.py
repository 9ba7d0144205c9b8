"""Every scenario live: the real AmiConnection + CallTracker against the test PBX (Asterisk
22 + sipp phones). The scenario drivers (tests/pbx/scenarios.py) make the calls through
their own AMI client; we check what the product saw."""
from __future__ import annotations

import socket
from pathlib import Path

import pytest

from callcore.events import (LegAnswered, LegEnded, LegRinging, LegTransferred,
                             TransferNoteReceived)
from callcore.ami.connection import AmiConnection
from callcore.records import call_id_for
from callcore.settings import settings_from_dict
from tests.e2e.live import Collector, CuttableProxy, control_client, product_connection
from tests.pbx import scenarios
from tests.pbx.plan import (AMI_HOST, AMI_SECRET, AMI_TLS_PORT, AMI_USER, MAIN_DID,
                            OUTGOING_PREFIX, TRUNK_ANSWERS)
from tests.waiting import wait_for

pytestmark = pytest.mark.pbx

# Our documented status mapping where it differs from the scenario driver (docs/ami.md).
OVERRIDES = {("queue_abandoned", "status"): "missed"}
FIELDS = ("direction", "status", "extension", "caller_number", "caller_name", "called_number",
          "transferred_to")


def closed_port() -> int:
    """A local port nobody listens on (connections are refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def live(pbx):
    collector = Collector()
    conn = product_connection(collector)
    conn.start()
    ctl = control_client()
    try:
        assert collector.wait(lambda: conn.connected, 20), conn.reason
        yield conn, collector, ctl
    finally:
        conn.stop()
        ctl.close()


def settled(conn: AmiConnection, ctl, linkedids: set[str], timeout: float = 30) -> None:
    """Barrier instead of a sleep before "nothing more arrived": every channel of these
    calls has hung up (seen by the control client), then a Ping round trip through the
    product connection. Asterisk writes a session's pending events before it reads its
    next action, so once the Pong is back every event of these calls went through the
    product's tracker."""
    def hung_up() -> bool:
        events = ctl.events()
        legs = {m.get("Uniqueid") for m in events if m.get("Linkedid") in linkedids} - {None, ""}
        gone = {m.get("Uniqueid") for m in events if m.event == "Hangup"}
        return bool(legs) and legs <= gone
    assert wait_for(hung_up, timeout), f"calls {sorted(linkedids)} still up"
    assert conn.ping().result(10).ok


def leg_events_of(collector: Collector, call_ids: set[str]):
    return [e for e in collector.drain() if isinstance(e, (LegRinging, LegAnswered, LegEnded))
            and e.call_id in call_ids]


@pytest.mark.parametrize("name", list(scenarios.SCENARIOS))
def test_scenario_live(live, name):
    conn, collector, ctl = live
    result = scenarios.SCENARIOS[name](ctl)
    ids = {c.linkedid for c in result.calls}
    assert collector.wait(lambda: len(collector.records(ids)) >= len(ids), 30), \
        f"logged: {[r.linkedid for r in collector.records(ids)]}"
    settled(conn, ctl, ids)  # a duplicate would have arrived by now
    firsts = [r for r in collector.records(ids) if r.id == call_id_for(r.linkedid)]  # XFER-4: + received parts
    logged = {r.linkedid: r for r in firsts}
    assert len(firsts) == len(ids), "each call logged exactly once"
    for call in result.calls:
        record = logged[call.linkedid]
        for f in FIELDS:
            assert getattr(record, f) == OVERRIDES.get((name, f), getattr(call, f)), f"{call.linkedid}.{f}"
        record.validate()
    call_ids = {call_id_for(i) for i in ids}
    legs = leg_events_of(collector, call_ids)
    rung = sorted(e.leg_id for e in legs if isinstance(e, LegRinging))
    assert rung == sorted(e.leg_id for e in legs if isinstance(e, LegEnded))
    assert conn.connected


def test_popup_data_and_real_durations(live):
    """A Greek caller on the main line: the popup for 201 has number, name, DID; the log
    has the real ring time (201 answers after 2 s) and talk time."""
    conn, collector, ctl = live
    result = scenarios.incoming_answered(ctl)
    cid = call_id_for(result.calls[0].linkedid)
    assert collector.wait(lambda: any(r.id == cid for r in collector.records()), 30)
    ring = next(e for e in collector.of(LegRinging) if e.call_id == cid)
    assert (ring.extension, ring.other_number, ring.other_name, ring.line) == \
        ("201", "6945123456", "Μανουσάκης Γιώργος", MAIN_DID)
    record = next(r for r in collector.records() if r.id == cid)
    assert 1.0 <= record.ring_seconds <= 5.0 and record.talk_seconds >= 2.0


def test_click_to_dial_and_hangup_through_the_product(live):
    conn, collector, ctl = live
    result = conn.originate("201", OUTGOING_PREFIX + TRUNK_ANSWERS, context="internal",
                            caller_id=f'"{TRUNK_ANSWERS}" <{TRUNK_ANSWERS}>').result(10)
    assert result.ok, result.message
    cid = call_id_for(result.channel_id)
    assert collector.wait(lambda: any(e.call_id == cid for e in collector.of(LegAnswered)), 30)
    ring = next(e for e in collector.of(LegRinging) if e.call_id == cid)
    assert ring.extension == "201" and ring.direction == "out" and ring.leg_id == result.channel_id
    assert conn.hangup(ring.leg_id).result(10).ok          # by leg id: resolved to the channel
    assert collector.wait(lambda: any(r.id == cid for r in collector.records()), 30)
    record = next(r for r in collector.records() if r.id == cid)
    assert (record.direction, record.status, record.called_number, record.extension) == \
        ("out", "answered", TRUNK_ANSWERS, "201")
    ctl.wait_idle(timeout=30)


def test_transfer_by_redirecting_the_peer(live):
    conn, collector, ctl = live
    linkedid = scenarios.outside_call(ctl, MAIN_DID, scenarios.CZECH, talk=8)
    cid = call_id_for(linkedid)
    assert collector.wait(lambda: any(e.call_id == cid and e.extension == "201"
                                      for e in collector.of(LegAnswered)), 20)
    leg = next(e for e in collector.of(LegAnswered) if e.call_id == cid)
    assert conn.redirect_peer(leg.leg_id, "202", "internal").result(10).ok
    assert collector.wait(lambda: any(r.id == cid for r in collector.records()), 40)
    record = next(r for r in collector.records() if r.id == cid)
    assert (record.status, record.extension, record.transferred_to) == ("transferred", "201", "202")
    assert collector.wait(lambda: any(r.transferred_from == "201" for r in collector.records({linkedid})), 40)
    assert any(e.call_id == cid and e.target == "202" for e in collector.of(LegTransferred))
    ctl.wait_idle(timeout=30)


def test_user_event_reaches_other_clients_intact(live):
    conn, _collector, ctl = live
    since = ctl.mark()
    assert conn.user_event("CallcoreNote", {"Notes": "Καλημέρα, Иван — Žluťoučký"}).result(10).ok
    got = ctl.wait_event("UserEvent", since=since, timeout=10, UserEvent="CallcoreNote")
    assert got["Notes"] == "Καλημέρα, Иван — Žluťoučký"


@pytest.fixture
def proxied(pbx):
    proxy = CuttableProxy()
    collector = Collector()
    conn = product_connection(collector, port=proxy.port)
    conn.start()
    ctl = control_client()
    try:
        assert collector.wait(lambda: conn.connected, 20), conn.reason
        yield conn, collector, ctl, proxy
    finally:
        conn.stop()
        ctl.close()
        proxy.close()


def test_network_cut_mid_call_logs_once(proxied):
    conn, collector, ctl, proxy = proxied
    linkedid = scenarios.outside_call(ctl, MAIN_DID, scenarios.GREEK, talk=8)
    cid = call_id_for(linkedid)
    assert collector.wait(lambda: any(e.call_id == cid for e in collector.of(LegAnswered)), 20)
    proxy.cut()
    assert collector.wait(lambda: "failing" in collector.statuses(), 10)
    assert collector.wait(lambda: conn.connected and proxy.accepted >= 2, 20)
    assert collector.wait(lambda: any(r.id == cid for r in collector.records()), 30)
    settled(conn, ctl, {linkedid})
    assert len([r for r in collector.records() if r.id == cid]) == 1
    assert len([e for e in collector.of(LegRinging) if e.call_id == cid]) == 1, "no second popup"
    record = next(r for r in collector.records() if r.id == cid)
    assert record.status == "answered" and record.talk_seconds >= 5


def test_call_ending_while_disconnected_is_logged_once(proxied):
    conn, collector, ctl, proxy = proxied
    linkedid = scenarios.outside_call(ctl, MAIN_DID, scenarios.CYRILLIC, talk=2)
    cid = call_id_for(linkedid)
    assert collector.wait(lambda: any(e.call_id == cid for e in collector.of(LegAnswered)), 20)
    proxy.blocked = True
    proxy.cut()
    ctl.wait_idle(timeout=30)              # the call ends while we are away
    assert not any(r.id == cid for r in collector.records())
    proxy.blocked = False
    assert collector.wait(lambda: any(r.id == cid for r in collector.records()), 30)
    settled(conn, ctl, {linkedid})
    records = [r for r in collector.records() if r.id == cid]
    assert len(records) == 1 and records[0].status == "answered"
    assert [e.status for e in collector.of(LegEnded) if e.call_id == cid] == ["answered"]


def test_wrong_secret_is_auth_failed_without_hammering(pbx):
    collector = Collector()
    conn = product_connection(collector, secret="definitely-wrong", backoff_initial=0.1)
    conn.start()
    witness = product_connection(Collector(), port=closed_port(), backoff_initial=0.1)
    try:
        assert collector.wait(lambda: conn.status == "auth_failed", 15)
        # Barrier: a connection on the same backoff that does retry (nobody listens on its
        # port) has retried 4 times since; a retry after auth_failed would have happened.
        witness.start()
        assert wait_for(lambda: witness.attempts >= 5, 15)
        assert conn.attempts == 1
        assert collector.statuses() == ["connecting", "auth_failed"]
    finally:
        conn.stop()
        witness.stop()


def test_tls_port(pbx):
    cert = Path(__file__).resolve().parents[1] / "pbx" / "root" / "etc" / "asterisk" / "keys" / "ami.crt"
    if not cert.is_file():
        pytest.skip("the test PBX has no AMI TLS certificate")
    settings = settings_from_dict({"ami": {"host": AMI_HOST, "port": AMI_TLS_PORT, "username": AMI_USER,
                                           "secret": AMI_SECRET, "tls": True, "tls_ca": str(cert)}})
    collector = Collector()
    conn = AmiConnection.from_settings(settings, on_event=collector)   # as the app builds it
    conn.start()
    try:
        assert collector.wait(lambda: conn.connected, 20), conn.reason
        assert conn.ping().result(10).ok
    finally:
        conn.stop()


def test_transfer_note_reaches_every_workstation(live):
    """The note is a UserEvent: a second product connection (another workstation) gets it."""
    conn, collector, _ctl = live
    other = Collector()
    second = product_connection(other)
    second.start()
    try:
        assert other.wait(lambda: second.connected, 20)
        notes = "Θέλει προσφορά\nИван — Žluťoučký kůň — محمد"
        assert conn.send_transfer_note("call-x", "201", "202", notes).result(10).ok
        for sink in (other, collector):
            assert sink.wait(lambda: any(n.notes == notes for n in sink.of(TransferNoteReceived)), 10)
        got = next(n for n in other.of(TransferNoteReceived) if n.notes == notes)
        assert (got.call_id, got.from_extension, got.to_extension) == ("call-x", "201", "202")
    finally:
        second.stop()
