"""The test PBX does what the rest of the suite relies on: a call from outside rings
extension 201, a missed call ends with the right DialStatus, and names survive."""
import pytest

from tests.pbx import plan
from tests.pbx.ami import AmiClient
from tests.pbx.scenarios import CYRILLIC, GREEK, PERSIAN, outside_call

pytestmark = pytest.mark.pbx


def test_incoming_call_rings_201_with_greek_name_intact(ami: AmiClient):
    since = ami.mark()
    call_id = outside_call(ami, plan.MAIN_DID, GREEK, talk=1)
    ringing = ami.wait_event("Newstate", since=since, timeout=10, Channel="PJSIP/201-*",
                             ChannelStateDesc="Ringing", Linkedid=call_id)
    assert ringing["ConnectedLineNum"] == GREEK[0]
    assert ringing["ConnectedLineName"] == GREEK[1]
    begin = ami.wait_event("DialBegin", since=since, timeout=10, DestChannel="PJSIP/201-*",
                           Linkedid=call_id)
    assert begin["CallerIDName"] == "Μανουσάκης Γιώργος"
    end = ami.wait_event("DialEnd", since=since, timeout=10, DestChannel=ringing["Channel"])
    assert end["DialStatus"] == "ANSWER"
    ami.wait_idle(timeout=20)


def test_caller_giving_up_is_a_cancelled_dial(ami: AmiClient):
    since = ami.mark()
    call_id = outside_call(ami, plan.MAIN_DID, CYRILLIC, give_up=1)
    end = ami.wait_event("DialEnd", since=since, timeout=10, DestChannel="PJSIP/201-*",
                         Linkedid=call_id)
    assert end["DialStatus"] == "CANCEL"
    assert end["CallerIDName"] == "Иван Петров"
    ami.wait_idle(timeout=20)


def test_busy_phone_gives_busy_dial_status(ami: AmiClient):
    since = ami.mark()
    call_id = outside_call(ami, plan.direct_did("204"), PERSIAN)
    end = ami.wait_event("DialEnd", since=since, timeout=10, DestChannel="PJSIP/204-*",
                         Linkedid=call_id)
    assert end["DialStatus"] == "BUSY"
    assert end["CallerIDName"] == "محمد رضایی"
    ami.wait_idle(timeout=20)


def test_hints_cover_every_extension(ami: AmiClient):
    states = {m["Exten"]: m["StatusText"] for m in ami.action_list("ExtensionStateList")}
    for phone in plan.PHONES:
        assert phone.extension in states
    assert states["209"] == "Unavailable"
    assert states["202"] == "Idle"


def test_ami_over_tls_logs_in(pbx):
    with pbx.client(tls=True) as client:
        assert client.action("Ping").get("Response") == "Success"


def test_status_is_honest_while_running(pbx):
    from tests.pbx.pbx import status
    ok, text = status()
    assert ok, text
    assert "running" in text
