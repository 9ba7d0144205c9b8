"""PbxCommands against the real test PBX (Asterisk 22 + sipp phones): dialling, quick
connect, blind and attended transfers, refusals that keep the call, transfer notes seen by
a second workstation before the target's phone rings, and the two linked records of a
transfer (XFER-1/3/4, OUT-2/4). Every test follows only the Linkedid it created."""
from __future__ import annotations

import pytest

from callcore.ami.commands import DialSettings, PbxCommands
from callcore.ami.notes import TransferNote
from callcore.events import (CallLogged, LegAnswered, LegEnded, LegRinging, LegTransferred,
                             TransferNoteReceived)
from callcore.records import call_id_for
from tests.e2e.live import Collector, control_client, product_connection
from tests.pbx import scenarios
from tests.waiting import wait_for
from tests.pbx.plan import MAIN_DID, OUTGOING_PREFIX, TRUNK_ANSWERS, direct_did

pytestmark = pytest.mark.pbx

SETTINGS = DialSettings(extension="201", technology="PJSIP", context="internal",
                        outgoing_prefix=OUTGOING_PREFIX, internal_length=3, international_prefix="00")
NOTE = TransferNote(notes="Θέλει προσφορά για 3 γραμμές — محمد رضایی", call_notes="Иван звонил вчера",
                    from_user="Άννα Οπερατέρ", contact_id="contact-42", contact_name="محمد رضایی")


@pytest.fixture(scope="module")
def stations(pbx):
    """Two workstations (two product connections) and the test's own control client."""
    first, second = Collector(), Collector()
    conn, other = product_connection(first), product_connection(second)
    conn.start()
    other.start()
    ctl = control_client()
    try:
        assert first.wait(lambda: conn.connected, 20), conn.reason
        assert second.wait(lambda: other.connected, 20), other.reason
        yield PbxCommands(conn, SETTINGS, user_name="Anna"), first, second, ctl
    finally:
        conn.stop()
        other.stop()
        ctl.close()


def ringing(collector: Collector, linkedid: str, extension: str, timeout: float = 20) -> LegRinging:
    assert collector.wait(lambda: any(e.linkedid == linkedid and e.extension == extension
                                      for e in collector.of(LegRinging)), timeout), f"{extension} never rang"
    return next(e for e in collector.of(LegRinging) if e.linkedid == linkedid and e.extension == extension)


def answered(collector: Collector, leg: LegRinging, timeout: float = 20) -> None:
    assert collector.wait(lambda: any(e.leg_id == leg.leg_id for e in collector.of(LegAnswered)), timeout)


def records_of(collector: Collector, linkedid: str, count: int, timeout: float = 40) -> list:
    assert collector.wait(lambda: len(collector.records({linkedid})) >= count, timeout), \
        [(r.extension, r.status) for r in collector.records({linkedid})]
    return collector.records({linkedid})


def idle(ctl, linkedid: str, timeout: float = 40) -> None:
    """This call has no channel left (other sessions may use the PBX meanwhile)."""
    assert wait_for(lambda: not any(c.get("Linkedid") == linkedid for c in ctl.channels()), timeout, step=0.2), \
        f"call {linkedid} still up"


def bridged_together(ctl, linkedid: str, extension: str) -> bool:
    """The extension's phone and the caller share one bridge: they talk to each other."""
    chans = [c for c in ctl.channels() if c.get("Linkedid") == linkedid]
    phone = [c.get("BridgeId") for c in chans if c.get("Channel", "").startswith(f"PJSIP/{extension}-")]
    caller = [c.get("BridgeId") for c in chans if c.get("Channel", "").startswith("Local/")
              and c.get("Channel", "").endswith(";2")]
    return bool(phone and phone[0] and phone[0] in caller)


def test_blind_transfer_of_an_answered_call_note_first_and_two_records(stations):
    commands, first, second, ctl = stations
    linkedid = scenarios.outside_call(ctl, MAIN_DID, scenarios.PERSIAN, talk=8)
    leg = ringing(first, linkedid, "201")
    answered(first, leg)
    result = commands.blind_transfer(leg.leg_id, "202", NOTE).result(10)
    assert result.ok, result.message
    target = ringing(second, linkedid, "202")
    # the second workstation (202's) had the note before 202's phone rang, with every script intact
    order = [e for e in second.events if getattr(e, "linkedid", "") == linkedid and (
        isinstance(e, TransferNoteReceived) or isinstance(e, LegRinging) and e.extension == "202")]
    assert [type(e) for e in order] == [TransferNoteReceived, LegRinging]
    note = next(e for e in second.of(TransferNoteReceived) if e.linkedid == linkedid)
    assert (note.notes, note.call_notes, note.from_user, note.contact_id, note.contact_name) == \
        (NOTE.notes, NOTE.call_notes, NOTE.from_user, NOTE.contact_id, NOTE.contact_name)
    assert (note.from_extension, note.to_extension, note.call_id) == ("201", "202", target.call_id)
    assert target.transferred_by == "201"
    idle(ctl, linkedid)
    for station in (first, second):     # both stations log the same two records
        first_part, second_part = sorted(records_of(station, linkedid, 2), key=lambda r: r.started_at)
        assert (first_part.id, first_part.status, first_part.extension, first_part.transferred_to) == \
            (call_id_for(linkedid), "transferred", "201", "202")
        assert (second_part.id, second_part.status, second_part.extension, second_part.transferred_from,
                second_part.transfer_note) == (target.call_id, "answered", "202", "201", NOTE.notes)
        assert (second_part.caller_number, second_part.caller_name) == scenarios.PERSIAN
        assert first_part.ended_at <= second_part.ended_at
        assert first_part.talk_seconds < second_part.talk_seconds
        for record in (first_part, second_part):
            record.validate()
    assert {r.id for r in first.records({linkedid})} == {r.id for r in second.records({linkedid})}
    moved = [e for e in first.of(LegTransferred) if e.leg_id == leg.leg_id]
    assert moved and moved[0].target == "202"
    ended = [e for e in first.of(LegEnded) if e.leg_id == leg.leg_id]
    assert [e.status for e in ended] == ["transferred"]


def test_blind_transfer_of_a_ringing_call(stations):
    commands, first, _second, ctl = stations
    linkedid = scenarios.outside_call(ctl, direct_did("206"), scenarios.GREEK, talk=4)
    leg = ringing(first, linkedid, "206")            # 206 answers only after 6 s
    result = commands.blind_transfer(leg.leg_id, "202").result(10)
    assert result.ok, result.message
    answered(first, ringing(first, linkedid, "202"))
    idle(ctl, linkedid)
    first_part, second_part = sorted(records_of(first, linkedid, 2), key=lambda r: r.started_at)
    assert (first_part.status, first_part.extension, first_part.transferred_to, first_part.talk_seconds) == \
        ("transferred", "206", "202", 0)
    assert (second_part.status, second_part.extension, second_part.transferred_from) == ("answered", "202", "206")


def test_attended_transfer_completed(stations):
    commands, first, second, ctl = stations
    linkedid = scenarios.outside_call(ctl, MAIN_DID, scenarios.CZECH, talk=12)
    leg = ringing(first, linkedid, "201")
    answered(first, leg)
    result = commands.attended_transfer(leg.leg_id, "202", NOTE).result(10)
    assert result.ok, result.message
    target = ringing(second, linkedid, "202")
    answered(second, target)                          # the consult call: 202 picked up
    note = next(e for e in second.of(TransferNoteReceived) if e.linkedid == linkedid)
    assert note.call_id == target.call_id and note.kind == "attended"
    assert commands.complete_transfer(leg.leg_id).result(10).ok
    ctl.wait_event("AttendedTransfer", timeout=10, Result="Success")
    assert bridged_together(ctl, linkedid, "202")
    idle(ctl, linkedid)
    first_part, second_part = sorted(records_of(first, linkedid, 2), key=lambda r: r.started_at)
    assert (first_part.status, first_part.extension, first_part.transferred_to) == ("transferred", "201", "202")
    assert (second_part.status, second_part.extension, second_part.transferred_from, second_part.transfer_note) \
        == ("answered", "202", "201", NOTE.notes)


def test_attended_transfer_target_hangs_up_caller_back_with_operator(stations):
    commands, first, _second, ctl = stations
    linkedid = scenarios.outside_call(ctl, MAIN_DID, scenarios.LATIN, talk=10)
    leg = ringing(first, linkedid, "201")
    answered(first, leg)
    assert commands.attended_transfer(leg.leg_id, "202").result(10).ok
    target = ringing(first, linkedid, "202")
    answered(first, target)
    since = ctl.mark()
    assert ctl.action("Hangup", {"Channel": target.channel}).get("Response") == "Success"
    ctl.wait_event("BridgeEnter", since=since, timeout=10, Channel=leg.channel)
    assert bridged_together(ctl, linkedid, "201"), "the caller is back with the operator"
    idle(ctl, linkedid)
    records = {r.id: r for r in records_of(first, linkedid, 2)}
    call = records.pop(call_id_for(linkedid))
    assert (call.status, call.extension, call.transferred_to) == ("answered", "201", "")
    consult, = records.values()       # the consult call, logged on its own
    assert (consult.id, consult.direction, consult.status, consult.caller_number, consult.extension) == \
        (target.call_id, "internal", "answered", "201", "202")


def test_attended_transfer_cancelled_while_target_rings(stations):
    commands, first, _second, ctl = stations
    linkedid = scenarios.outside_call(ctl, MAIN_DID, scenarios.CYRILLIC, talk=10)
    leg = ringing(first, linkedid, "201")
    answered(first, leg)
    assert commands.attended_transfer(leg.leg_id, "203").result(10).ok     # 203 never answers
    target = ringing(first, linkedid, "203")
    since = ctl.mark()
    result = commands.cancel_transfer(leg.leg_id).result(10)
    assert result.ok, result.message
    ctl.wait_event("BridgeEnter", since=since, timeout=10, Channel=leg.channel)
    assert bridged_together(ctl, linkedid, "201"), "the caller is back with the operator"
    idle(ctl, linkedid)
    records = {r.id: r for r in records_of(first, linkedid, 2)}
    call = records.pop(call_id_for(linkedid))
    assert (call.status, call.extension, call.transferred_to) == ("answered", "201", "")
    consult, = records.values()
    assert (consult.id, consult.direction, consult.status, consult.extension) == \
        (target.call_id, "internal", "missed", "203")


@pytest.mark.parametrize("target, says", [("299", "Extension 299 does not exist"),
                                          ("209", "Extension 209 is offline")])
def test_transfer_to_a_missing_or_offline_extension_keeps_the_call(stations, target, says):
    commands, first, _second, ctl = stations
    linkedid = scenarios.outside_call(ctl, MAIN_DID, scenarios.GREEK, talk=5)
    leg = ringing(first, linkedid, "201")
    answered(first, leg)
    for transfer in (commands.blind_transfer, commands.attended_transfer):
        result = transfer(leg.leg_id, target).result(10)
        assert not result.ok and result.message.startswith(says), result.message
    assert bridged_together(ctl, linkedid, "201"), "still talking"
    idle(ctl, linkedid)
    assert [(r.status, r.extension) for r in records_of(first, linkedid, 1)] == [("answered", "201")]


def test_dial_outside_with_prefix_and_internal_without(stations):
    commands, first, _second, ctl = stations
    assert not commands.dial("69 CALL ME").result(10).ok      # letters: refused before the PBX
    outside = commands.dial("69 1234-5678").result(10)
    assert outside.ok and outside.dialled == OUTGOING_PREFIX + TRUNK_ANSWERS, outside
    leg = ringing(first, outside.linkedid, "201")
    assert leg.call_id == outside.call_id and leg.direction == "out"
    answered(first, leg, timeout=30)
    assert commands.hangup(leg.leg_id).result(10).ok
    record, = records_of(first, outside.linkedid, 1)
    assert (record.direction, record.status, record.called_number) == ("out", "answered", TRUNK_ANSWERS)
    idle(ctl, outside.linkedid)
    internal = commands.dial("205").result(10)
    assert internal.ok and internal.dialled == "205"
    answered(first, ringing(first, internal.linkedid, "205"), timeout=30)
    assert commands.hangup(ringing(first, internal.linkedid, "201").leg_id).result(10).ok
    record, = records_of(first, internal.linkedid, 1)
    assert (record.direction, record.status, record.called_number, record.extension) == \
        ("internal", "answered", "205", "205")
    idle(ctl, internal.linkedid)


def test_quick_connect_rings_both_and_bridges_them(stations):
    commands, first, _second, ctl = stations
    result = commands.quick_connect(TRUNK_ANSWERS, "205").result(10)
    assert result.ok and result.dialled == OUTGOING_PREFIX + TRUNK_ANSWERS, result
    leg = ringing(first, result.linkedid, "205")
    answered(first, leg, timeout=30)
    assert ctl.wait(lambda m: m.matches("BridgeEnter", Linkedid=result.linkedid, Channel="Local/*"),
                    timeout=20)                       # the outside party joined 205's bridge
    assert bridged_together_any(ctl, result.linkedid, "205")
    assert commands.hangup(leg.leg_id).result(10).ok
    record, = records_of(first, result.linkedid, 1)
    assert (record.direction, record.status, record.extension, record.called_number) == \
        ("out", "answered", "205", TRUNK_ANSWERS)
    idle(ctl, result.linkedid)


def bridged_together_any(ctl, linkedid: str, extension: str) -> bool:
    chans = [c for c in ctl.channels() if c.get("Linkedid") == linkedid]
    phone = [c.get("BridgeId") for c in chans if c.get("Channel", "").startswith(f"PJSIP/{extension}-")]
    others = [c.get("BridgeId") for c in chans if not c.get("Channel", "").startswith(f"PJSIP/{extension}-")]
    return bool(phone and phone[0] and phone[0] in others)


def test_blind_transfer_of_an_outgoing_call(stations):
    """The operator dialled out; the outside party (not the operator) goes to 202."""
    commands, first, _second, ctl = stations
    result = commands.dial(TRUNK_ANSWERS).result(10)
    assert result.ok, result.message
    leg = ringing(first, result.linkedid, "201")
    assert ctl.wait(lambda m: m.matches("BridgeEnter", Linkedid=result.linkedid, Channel="Local/*"),
                    timeout=30)                       # the outside party answered
    moved = commands.blind_transfer(leg.leg_id, "202").result(10)
    assert moved.ok, moved.message
    target = ringing(first, result.linkedid, "202")
    answered(first, target)
    assert bridged_together_any(ctl, result.linkedid, "202")
    assert commands.hangup(target.leg_id).result(10).ok
    first_part, second_part = sorted(records_of(first, result.linkedid, 2), key=lambda r: r.started_at)
    assert (first_part.direction, first_part.status, first_part.extension, first_part.transferred_to,
            first_part.called_number) == ("out", "transferred", "201", "202", TRUNK_ANSWERS)
    assert (second_part.direction, second_part.status, second_part.extension, second_part.transferred_from,
            second_part.called_number) == ("out", "answered", "202", "201", TRUNK_ANSWERS)
    idle(ctl, result.linkedid)


def test_attended_transfer_swap_between_caller_and_target_then_complete(stations):
    commands, first, _second, ctl = stations
    linkedid = scenarios.outside_call(ctl, MAIN_DID, scenarios.CZECH, talk=12)
    leg = ringing(first, linkedid, "201")
    answered(first, leg)
    assert commands.attended_transfer(leg.leg_id, "202").result(10).ok
    answered(first, ringing(first, linkedid, "202"))
    since = ctl.mark()
    assert commands.swap_transfer(leg.leg_id).result(10).ok
    ctl.wait_event("BridgeEnter", since=since, timeout=10, Channel=leg.channel)
    assert bridged_together(ctl, linkedid, "201"), "talking to the caller again, 202 waits"
    since = ctl.mark()
    assert commands.swap_transfer(leg.leg_id).result(10).ok
    ctl.wait_event("BridgeEnter", since=since, timeout=10, Channel=leg.channel)
    assert not bridged_together(ctl, linkedid, "201"), "back with 202, the caller waits"
    assert commands.complete_transfer(leg.leg_id).result(10).ok
    idle(ctl, linkedid)
    first_part, second_part = sorted(records_of(first, linkedid, 2), key=lambda r: r.started_at)
    assert (first_part.status, first_part.transferred_to, second_part.extension, second_part.transferred_from) \
        == ("transferred", "202", "202", "201")
