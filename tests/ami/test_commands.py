"""PbxCommands: what reaches the PBX (numbers, prefixes, order of note and transfer) and
what the operator is told. Against the tiny local AMI server, which records every action;
call behaviour is proven on the real PBX (tests/e2e/test_transfers.py)."""
from __future__ import annotations

import pytest

from callcore.ami.commands import (CommandResult, DialSettings, PbxCommands, Refused,
                                   dial_string)
from callcore.ami.connection import AmiConnection
from callcore.ami.notes import TRANSFER_NOTE_EVENT, TransferNote, decode_transfer_note
from tests.ami.fake_ami import FakeAmi, msg
from tests.waiting import wait_for

SECRET = "s3cret"
SETTINGS = DialSettings(extension="201", technology="PJSIP", context="from-internal",
                        outgoing_prefix="9", internal_length=3, international_prefix="00")


@pytest.fixture
def server():
    with FakeAmi(secret=SECRET) as srv:
        yield srv


@pytest.fixture
def conn(server):
    c = AmiConnection("127.0.0.1", server.port, "u", SECRET, context="from-internal")
    c.start()
    assert wait_for(lambda: c.connected, 10), c.reason
    yield c
    c.stop()


def sent(server: FakeAmi, name: str) -> list[dict[str, str]]:
    return [a for a in server.actions if a.get("Action") == name]


def barrier(conn: AmiConnection) -> None:
    """Everything sent before is at the server once a Ping is answered (one TCP stream)."""
    assert conn.ping().result(10).ok


@pytest.mark.parametrize("typed, expected", [
    ("210 687-7610", "92106877610"),          # outside: outgoing prefix, separators gone
    ("(210) 687.7610", "92106877610"),
    ("+30 210 6877610", "900302106877610"),   # + → international prefix (after the line prefix)
    ("202", "202"),                            # an extension: no prefix (OUT-2)
    ("۲۰۲", "202"),                            # Persian digits
    ("*72", "*72"),                            # feature codes untouched
])
def test_dial_string(typed, expected):
    assert dial_string(typed, SETTINGS) == expected


@pytest.mark.parametrize("typed", ["21O6877610", "call me", "", "  ", "210!687"])
def test_dial_string_refuses_what_cannot_be_dialled(typed):
    with pytest.raises(Refused):
        dial_string(typed, SETTINGS)


def test_dial_sends_originate_with_prefix_and_channel_id(server, conn):
    result = PbxCommands(conn, SETTINGS).dial("210 6877610").result(10)
    assert result.ok and result.dialled == "92106877610" and result.call_id and result.linkedid
    originate = sent(server, "Originate")[-1]
    assert (originate["Channel"], originate["Exten"], originate["Context"], originate["Async"]) == \
        ("PJSIP/201", "92106877610", "from-internal", "true")
    assert originate["ChannelId"] == result.linkedid


def test_dial_with_letters_never_reaches_the_pbx(server, conn):
    result = PbxCommands(conn, SETTINGS).dial("21O 687 7610").result(10)
    assert not result.ok and "letters" in result.message
    barrier(conn)
    assert sent(server, "Originate") == []


def test_refusals_are_sentences(server, conn):
    server.replies["Originate"] = lambda a: [msg(Response="Error", ActionID=a["ActionID"],
                                                 Message="Extension does not exist.")]
    result = PbxCommands(conn, SETTINGS).dial("299").result(10)
    assert result == CommandResult(False, "Extension 299 does not exist", dialled="299")


def test_not_connected_is_said_plainly():
    c = AmiConnection("127.0.0.1", 1, "u", "x")        # never started
    result = PbxCommands(c, SETTINGS).dial("202").result(5)
    assert result == CommandResult(False, "Not connected to the PBX")
    assert PbxCommands(c, SETTINGS).hangup("leg-1").result(5).message == "Not connected to the PBX"


def _ringing_call(server: FakeAmi, conn: AmiConnection) -> None:
    """An outside caller (Local;2) ringing 201, then answered and bridged."""
    common = dict(Linkedid="call-1", Timestamp="1000.0")
    server.send(
        msg(Event="ExtensionStatus", Exten="202", Hint="PJSIP/202", Status="0"),
        msg(Event="ExtensionStatus", Exten="209", Hint="PJSIP/209", Status="4"),
        msg(Event="Newchannel", Channel="Local/in@x-1;2", Uniqueid="call-1", ChannelState="4",
            CallerIDNum="6945123456", CallerIDName="Μανουσάκης", Exten="2101234567", **common),
        msg(Event="Newchannel", Channel="PJSIP/201-01", Uniqueid="leg-201", ChannelState="0",
            CallerIDNum="201", **common),
        msg(Event="DialBegin", Channel="Local/in@x-1;2", Uniqueid="call-1", DestChannel="PJSIP/201-01",
            DestUniqueid="leg-201", DestLinkedid="call-1", Exten="2101234567", **common),
        msg(Event="Newstate", Channel="PJSIP/201-01", Uniqueid="leg-201", ChannelState="5",
            ConnectedLineNum="6945123456", **common), pause=0.01)
    assert wait_for(lambda: conn.tracker.leg_info("leg-201") is not None, 5)


def test_blind_transfer_sends_the_note_before_the_redirect_of_the_other_party(server, conn):
    _ringing_call(server, conn)
    note = TransferNote(notes="Θέλει προσφορά — محمد", call_notes="Иван", contact_id="c-1",
                        contact_name="Νίκος")
    result = PbxCommands(conn, SETTINGS, user_name="Anna").blind_transfer("leg-201", "202", note).result(10)
    assert result.ok, result.message
    names = [a["Action"] for a in server.actions if a["Action"] in ("UserEvent", "Redirect")]
    assert names == ["UserEvent", "Redirect"]
    redirect = sent(server, "Redirect")[-1]
    assert (redirect["Channel"], redirect["Exten"], redirect["Context"]) == ("Local/in@x-1;2", "202", "from-internal")
    got = decode_transfer_note(sent(server, "UserEvent")[-1])
    assert sent(server, "UserEvent")[-1]["UserEvent"] == TRANSFER_NOTE_EVENT
    assert (got.notes, got.call_notes, got.contact_name, got.from_user, got.from_extension, got.to_extension,
            got.leg_id, got.kind) == ("Θέλει προσφορά — محمد", "Иван", "Νίκος", "Anna", "201", "202", "leg-201", "blind")


def test_transfer_to_an_offline_phone_is_refused_before_anything_moves(server, conn):
    _ringing_call(server, conn)
    result = PbxCommands(conn, SETTINGS).blind_transfer("leg-201", "209").result(10)
    assert not result.ok and "offline" in result.message
    barrier(conn)
    assert sent(server, "Redirect") == [] and sent(server, "UserEvent") == []


def test_transfer_to_a_missing_extension_is_refused(server, conn):
    _ringing_call(server, conn)
    server.replies["ShowDialPlan"] = lambda a: [msg(Response="Error", ActionID=a["ActionID"],
                                                    Message="Did not find extension 299@from-internal")]
    result = PbxCommands(conn, SETTINGS).blind_transfer("leg-201", "299").result(10)
    assert result == CommandResult(False, "Extension 299 does not exist")
    barrier(conn)
    assert sent(server, "Redirect") == []


def test_commands_on_an_ended_leg(server, conn):
    commands = PbxCommands(conn, SETTINGS)
    for future in (commands.hangup("gone"), commands.blind_transfer("gone", "202"),
                   commands.attended_transfer("gone", "202"), commands.cancel_transfer("gone")):
        assert future.result(10) == CommandResult(False, "The call has already ended")


def test_attended_transfer_needs_an_answered_call(server, conn):
    _ringing_call(server, conn)
    result = PbxCommands(conn, SETTINGS).attended_transfer("leg-201", "202").result(10)
    assert not result.ok and "Answer the call" in result.message


def test_swap_feeds_the_feature_code_as_dtmf_received_from_the_operator(server, conn):
    _ringing_call(server, conn)
    assert PbxCommands(conn, SETTINGS).swap_transfer("leg-201").result(10).ok
    played = [(a["Channel"], a["Digit"], a["Receive"]) for a in sent(server, "PlayDTMF")]
    assert played == [("PJSIP/201-01", "*", "true"), ("PJSIP/201-01", "4", "true")]
