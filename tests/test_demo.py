"""The demo PBX (callcore/demo): a real AMI conversation over a plain socket, recorded
scenes replayed as fresh calls, and the shipped demo assets."""
from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest

from callcore.demo import DemoPbx, demo_contacts, demo_settings
from callcore.demo.protocol import AmiMessage, MessageReader
from callcore.demo.recording import parse_recording
from callcore.demo.scenes import IdAllocator, instantiate
from callcore.demo.script import DemoScript, scene_from
from callcore.demo.channels import DemoExtension

ROOT = Path(__file__).resolve().parent.parent

# A short incoming call in the raw recording format (header comment, then what Asterisk
# sends). Scene-engine tests use it so they do not depend on the shipped recordings.
INLINE = (
    "# scenario: inline_incoming\r\n"
    "# extension: 201\r\n"
    "Asterisk Call Manager/9.0.0\r\n"
    "Response: Success\r\nMessage: Authentication accepted\r\n\r\n"
    "Event: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n"
    "Event: Newchannel\r\nPrivilege: call,all\r\nChannel: PJSIP/trunk-00000007\r\nChannelState: 4\r\n"
    "ChannelStateDesc: Ring\r\nCallerIDNum: 6900000001\r\nCallerIDName: Recorded Caller\r\n"
    "ConnectedLineNum: <unknown>\r\nConnectedLineName: <unknown>\r\nContext: from-trunk\r\n"
    "Exten: 2100000000\r\nPriority: 1\r\nUniqueid: 1700000000.41\r\nLinkedid: 1700000000.41\r\n"
    "Timestamp: 1700000000.100000\r\n\r\n"
    "Event: Newchannel\r\nPrivilege: call,all\r\nChannel: PJSIP/201-00000008\r\nChannelState: 0\r\n"
    "ChannelStateDesc: Down\r\nCallerIDNum: 201\r\nCallerIDName: <unknown>\r\nConnectedLineNum: 6900000001\r\n"
    "ConnectedLineName: Recorded Caller\r\nContext: from-internal\r\nExten: 201\r\nPriority: 1\r\n"
    "Uniqueid: 1700000000.42\r\nLinkedid: 1700000000.41\r\nTimestamp: 1700000000.200000\r\n\r\n"
    "Event: DialBegin\r\nPrivilege: call,all\r\nChannel: PJSIP/trunk-00000007\r\nCallerIDNum: 6900000001\r\n"
    "CallerIDName: Recorded Caller\r\nUniqueid: 1700000000.41\r\nLinkedid: 1700000000.41\r\n"
    "DestChannel: PJSIP/201-00000008\r\nDestCallerIDNum: 201\r\nDestConnectedLineNum: 6900000001\r\n"
    "DestConnectedLineName: Recorded Caller\r\nDestUniqueid: 1700000000.42\r\n"
    "DestLinkedid: 1700000000.41\r\nDialString: 201\r\nTimestamp: 1700000000.210000\r\n\r\n"
    "Event: Newstate\r\nPrivilege: call,all\r\nChannel: PJSIP/201-00000008\r\nChannelState: 5\r\n"
    "ChannelStateDesc: Ringing\r\nCallerIDNum: 201\r\nConnectedLineNum: 6900000001\r\n"
    "ConnectedLineName: Recorded Caller\r\nUniqueid: 1700000000.42\r\nLinkedid: 1700000000.41\r\n"
    "Timestamp: 1700000000.300000\r\n\r\n"
    "Event: Newstate\r\nPrivilege: call,all\r\nChannel: PJSIP/201-00000008\r\nChannelState: 6\r\n"
    "ChannelStateDesc: Up\r\nCallerIDNum: 201\r\nConnectedLineNum: 6900000001\r\n"
    "ConnectedLineName: Recorded Caller\r\nUniqueid: 1700000000.42\r\nLinkedid: 1700000000.41\r\n"
    "Timestamp: 1700000004.300000\r\n\r\n"
    "Event: DialEnd\r\nPrivilege: call,all\r\nChannel: PJSIP/trunk-00000007\r\nUniqueid: 1700000000.41\r\n"
    "Linkedid: 1700000000.41\r\nDestChannel: PJSIP/201-00000008\r\nDestUniqueid: 1700000000.42\r\n"
    "DestLinkedid: 1700000000.41\r\nDialStatus: ANSWER\r\nTimestamp: 1700000004.310000\r\n\r\n"
    "Event: Hangup\r\nPrivilege: call,all\r\nChannel: PJSIP/201-00000008\r\nUniqueid: 1700000000.42\r\n"
    "Linkedid: 1700000000.41\r\nCause: 16\r\nCause-txt: Normal Clearing\r\nTimestamp: 1700000009.000000\r\n\r\n"
    "Event: Hangup\r\nPrivilege: call,all\r\nChannel: PJSIP/trunk-00000007\r\nUniqueid: 1700000000.41\r\n"
    "Linkedid: 1700000000.41\r\nCause: 16\r\nCause-txt: Normal Clearing\r\nTimestamp: 1700000009.010000\r\n\r\n"
)
GREEK = "Γιώργος Παπαδόπουλος"


def inline_script(pause: float = 0.5) -> DemoScript:
    recordings = {"inline.ami": parse_recording(INLINE.encode("utf-8"), "inline")}
    scene = scene_from({"name": "inline", "caption": "Demo: inline", "parts": [{"recording": "inline.ami"}],
                        "replace": {"6900000001": "6944123456", "Recorded Caller": GREEK}},
                       recordings, default_gap=3.0)
    return DemoScript(loop=[scene], click_to_dial=None,
                      extensions=[DemoExtension("201", "PJSIP/201"), DemoExtension("202", "PJSIP/202")],
                      pause_between=pause, start_delay=0.0, recordings=recordings)


class AmiClient:
    """A plain-socket AMI client, as a test's eyes on the wire."""

    def __init__(self, address: tuple[str, int], timeout: float = 10.0):
        self.sock = socket.create_connection(address, timeout=timeout)
        self.reader = MessageReader()
        self.pending: list[AmiMessage] = []
        self.greeting = b""
        while not self.greeting.endswith(b"\r\n"):
            self.greeting += self.sock.recv(1)
        self.counter = 0

    def send(self, action: str, **headers: str) -> str:
        self.counter += 1
        action_id = f"t-{self.counter}"
        lines = [f"Action: {action}", f"ActionID: {action_id}"] + [f"{k}: {v}" for k, v in headers.items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8"))
        return action_id

    def next(self) -> AmiMessage:
        while not self.pending:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("closed by server")
            self.pending.extend(self.reader.feed(data))
        return self.pending.pop(0)

    def until(self, predicate, limit: int = 2000) -> list[AmiMessage]:
        seen = []
        for _ in range(limit):
            message = self.next()
            seen.append(message)
            if predicate(message):
                return seen
        raise AssertionError("not seen")

    def login(self, pbx: DemoPbx, secret: str | None = None) -> AmiMessage:
        action_id = self.send("Login", Username=pbx.username, Secret=pbx.secret if secret is None else secret)
        return self.until(lambda m: m.get("ActionID") == action_id)[-1]

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def pbx():
    server = DemoPbx(extension="201", script=inline_script(), speed=0.02)
    server.start()
    yield server
    server.stop()


def test_greeting_and_login(pbx):
    client = AmiClient(pbx.address)
    assert client.greeting.startswith(b"Asterisk Call Manager/")
    reply = client.login(pbx)
    assert reply.get("Response") == "Success"
    booted = client.until(lambda m: m.event == "FullyBooted")[-1]
    assert booted.get("Status") == "Fully Booted"
    client.close()


def test_wrong_secret_is_refused_and_closed(pbx):
    client = AmiClient(pbx.address)
    reply = client.login(pbx, secret="not-the-secret")
    assert reply.get("Response") == "Error"
    assert reply.get("Message") == "Authentication failed"
    with pytest.raises(ConnectionError):
        client.next()


def test_actions_before_login_are_refused(pbx):
    client = AmiClient(pbx.address)
    action_id = client.send("CoreShowChannels")
    reply = client.next()
    assert (reply.get("Response"), reply.get("ActionID")) == ("Error", action_id)
    client.close()


def test_ping_lists_and_unknown_actions(pbx):
    client = AmiClient(pbx.address)
    client.send("Events", EventMask="off")   # refused before login, then log in without events
    client.next()
    action_id = client.send("Login", Username=pbx.username, Secret=pbx.secret, Events="off")
    client.until(lambda m: m.get("ActionID") == action_id)
    ping = client.send("Ping")
    pong = client.until(lambda m: m.get("ActionID") == ping)[-1]
    assert pong.get("Ping") == "Pong"

    list_id = client.send("ExtensionStateList")
    messages = client.until(lambda m: m.event == "ExtensionStateListComplete")
    assert messages[0].get("Response") == "Success" and messages[0].get("EventList") == "start"
    statuses = [m for m in messages if m.event == "ExtensionStatus"]
    assert [m.get("Exten") for m in statuses] == ["201", "202"]
    assert all(m.get("ActionID") == list_id for m in messages)
    assert messages[-1].get("EventList") == "Complete" and messages[-1].get("ListItems") == "2"

    list_id = client.send("CoreShowChannels")
    messages = client.until(lambda m: m.event == "CoreShowChannelsComplete")
    assert messages[-1].get("ActionID") == list_id
    assert messages[-1].get("ListItems") == str(sum(1 for m in messages if m.event == "CoreShowChannel"))

    unknown = client.send("NoSuchThing")
    reply = client.until(lambda m: m.get("ActionID") == unknown)[-1]
    assert reply.get("Response") == "Error"
    client.close()


def legs_of(messages: list[AmiMessage]) -> set[str]:
    return {m.get("Uniqueid") for m in messages if m.get("Uniqueid")}


def test_scene_plays_with_fresh_ids_and_intact_names(pbx):
    client = AmiClient(pbx.address)
    client.login(pbx)
    plays = []
    for _ in range(2):
        messages = client.until(lambda m: m.event == "Hangup" and "trunk" in m.get("Channel"))
        plays.append([m for m in messages if m.event and m.event != "FullyBooted"])
    first, second = plays
    assert legs_of(first) and legs_of(second) and not legs_of(first) & legs_of(second)
    for play in plays:
        linked = {m.get("Linkedid") for m in play if m.get("Linkedid")}
        assert len(linked) == 1, linked                      # one call, consistent inside the scene
        dial = next(m for m in play if m.event == "DialBegin")
        assert dial.get("DestUniqueid") in legs_of(play)
        assert dial.get("CallerIDName") == GREEK
        assert dial.get("CallerIDNum") == "6944123456"
        ringing = next(m for m in play if m.event == "Newstate" and m.get("ChannelStateDesc") == "Ringing")
        assert ringing.get("Channel").startswith("PJSIP/201-")
        assert abs(float(ringing.get("Timestamp")) - time.time()) < 600   # rewritten to now
    channels = {m.get("Channel") for m in first} & {m.get("Channel") for m in second}
    assert not channels - {""}
    client.close()


def test_station_extension_is_rewritten():
    demo = DemoPbx(extension="305", script=inline_script(), speed=0.02)
    demo.start()
    try:
        client = AmiClient(demo.address)
        client.login(demo)
        messages = client.until(lambda m: m.event == "Newstate" and m.get("ChannelStateDesc") == "Ringing")
        assert messages[-1].get("Channel").startswith("PJSIP/305-")
        assert messages[-1].get("CallerIDNum") == "305"
        dial = next(m for m in messages if m.event == "DialBegin")
        assert dial.get("DialString") == "305"
        list_id = client.send("ExtensionStateList")
        states = client.until(lambda m: m.event == "ExtensionStateListComplete")
        assert [m.get("Hint") for m in states if m.event == "ExtensionStatus" and m.get("ActionID") == list_id][0] == "PJSIP/305"
        client.close()
    finally:
        demo.stop()


def test_channels_in_progress_are_listed_mid_scene():
    demo = DemoPbx(script=inline_script(), speed=0.5)
    demo.start()
    try:
        client = AmiClient(demo.address)
        client.login(demo)
        ringing = client.until(lambda m: m.event == "Newstate" and m.get("ChannelStateDesc") == "Ringing")[-1]
        list_id = client.send("CoreShowChannels")
        messages = client.until(lambda m: m.event == "CoreShowChannelsComplete")
        items = [m for m in messages if m.event == "CoreShowChannel" and m.get("ActionID") == list_id]
        assert ringing.get("Uniqueid") in {m.get("Uniqueid") for m in items}
        client.close()
    finally:
        demo.stop()


def test_server_survives_a_client_leaving_mid_scene(pbx):
    quitter = AmiClient(pbx.address)
    quitter.login(pbx)
    quitter.until(lambda m: m.event == "DialBegin")
    quitter.sock.shutdown(socket.SHUT_RDWR)
    quitter.close()
    client = AmiClient(pbx.address)
    client.login(pbx)
    messages = client.until(lambda m: m.event == "Hangup")
    assert messages[-1].get("Uniqueid")
    client.close()


def test_split_utf8_and_garbage_input_do_not_break_the_server(pbx):
    client = AmiClient(pbx.address)
    raw = f"Action: Login\r\nActionID: x1\r\nUsername: {pbx.username}\r\nSecret: {pbx.secret}\r\n\r\n"
    raw += "Action: UserEvent\r\nActionID: x2\r\nUserEvent: Note\r\nText: Иван Žluťoučký\r\n\r\n"
    data = b"\xff\xfe garbage line\r\n\r\n" + raw.encode("utf-8")
    for i in range(len(data)):         # one byte at a time: every letter is split
        client.sock.sendall(data[i:i + 1])
    messages = client.until(lambda m: m.event == "UserEvent" and m.get("UserEvent") == "Note")
    assert messages[-1].get("Text") == "Иван Žluťoučký"
    client.close()


def test_instantiation_keeps_every_scene_internally_consistent():
    script = inline_script()
    ids = IdAllocator()
    one = instantiate(script.loop[0], ids, "201")
    two = instantiate(script.loop[0], ids, "201")
    assert len(one) == len(two) == 8
    assert legs_of([s.message for s in one]).isdisjoint(legs_of([s.message for s in two]))
    assert sum(s.delay for s in one) <= 3.0 * len(one)


# -- shipped assets ------------------------------------------------------------------------

def test_demo_contacts_cover_every_script_and_a_shared_number():
    contacts = demo_contacts()
    assert 10 <= len(contacts) <= 16
    names = " ".join(c.name for c in contacts)
    for sample in ("Γ", "И", "ř", "ی"):
        assert sample in names, sample
    assert all("demo" in c.comments.lower() for c in contacts)
    owners: dict[str, set[str]] = {}
    for contact in contacts:
        for phone in contact.phones:
            owners.setdefault(phone.number, set()).add(contact.type)
    assert any({"customer", "supplier"} <= types for types in owners.values())
    assert len({c.id for c in contacts}) == len(contacts)


def test_demo_settings_are_valid_settings(tmp_path, pbx):
    from callcore.settings import load_settings
    data = demo_settings(tmp_path / "demo-data", pbx)
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    settings = load_settings(path, user_file=False)
    assert (settings.get("ami.host"), settings.get("ami.port")) == pbx.address
    assert settings.get("station.extension") == "201"
    assert settings.local_folder.is_relative_to(tmp_path / "demo-data")
    assert settings.shared_folder.is_relative_to(tmp_path / "demo-data")


# -- the shipped scenes through the real call tracker ---------------------------------------

def tracked(steps) -> list:
    """Feed instantiated scene steps to the product's tracker, as the app would."""
    from callcore.ami.tracker import CallTracker
    tracker = CallTracker()
    events = []
    for step in steps:
        events.extend(tracker.feed({k: v for k, v in reversed(step.message.headers)}))
    return events


@pytest.fixture(scope="module")
def shipped():
    from callcore.demo.script import load_script
    return load_script()


def test_shipped_incoming_scene_pops_up_the_greek_caller(shipped):
    from callcore.events import LegRinging
    scene = next(s for s in shipped.loop if s.name == "incoming_answered")
    events = tracked(instantiate(scene, IdAllocator(), "201"))
    ringing = [e for e in events if isinstance(e, LegRinging) and e.extension == "201"]
    assert len(ringing) == 1
    assert ringing[0].direction == "in"
    assert ringing[0].other_name == "Μανουσάκης Γιώργος"
    numbers = {p.number for c in demo_contacts() for p in c.phones}
    assert ringing[0].other_number in numbers


def test_every_shipped_scene_rings_the_station_with_fresh_calls(shipped):
    from callcore.events import CallLogged, LegRinging
    ids = IdAllocator()
    numbers = {p.number for c in demo_contacts() for p in c.phones}
    for scene in shipped.loop:
        runs = [tracked(instantiate(scene, ids, "305")) for _ in range(2)]
        call_ids = []
        for events in runs:
            ringing = [e for e in events if isinstance(e, LegRinging) and e.extension == "305"]
            assert ringing, scene.name
            for event in ringing:
                if event.direction == "in":
                    assert event.other_number in numbers, (scene.name, event.other_number)
            logged = [e.record for e in events if isinstance(e, CallLogged)]
            assert logged, scene.name
            call_ids.append({r.id for r in logged})
        assert not call_ids[0] & call_ids[1], scene.name


def test_call_waiting_scene_has_two_calls_on_the_station_at_once(shipped):
    from callcore.events import LegEnded, LegRinging
    scene = next(s for s in shipped.loop if s.name == "call_waiting")
    live: set[str] = set()
    most = 0
    for event in tracked(instantiate(scene, IdAllocator(), "201")):
        if isinstance(event, LegRinging) and event.extension == "201":
            live.add(event.leg_id)
        elif isinstance(event, LegEnded) and event.extension == "201":
            live.discard(event.leg_id)
        most = max(most, len(live))
    assert most >= 2


def test_shipped_recordings_are_real_asterisk_sessions(shipped):
    assert shipped.recordings
    for name, recording in shipped.recordings.items():
        assert recording.meta.get("scenario") == Path(name).stem
        assert recording.meta.get("asterisk", "").startswith("Asterisk 22"), name
        assert "tests/pbx/record.py" in recording.meta.get("recorded", ""), name
        assert recording.timed, name


# -- the product's AMI client against the demo PBX -------------------------------------------

def test_product_ami_client_gets_the_demo_popup(tmp_path):
    import queue
    from callcore.ami.connection import AmiConnection
    from callcore.events import ConnectionStateChanged, LegRinging
    from callcore.settings import load_settings

    demo = DemoPbx(extension="201", speed=0.05)
    demo.start()
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(demo_settings(tmp_path / "data", demo), ensure_ascii=False), encoding="utf-8")
    events: "queue.Queue" = queue.Queue()
    connection = AmiConnection.from_settings(load_settings(path, user_file=False), events.put)
    connection.start()
    try:
        seen = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            event = events.get(timeout=30)
            seen.append(event)
            if isinstance(event, LegRinging) and event.extension == "201":
                break
        assert any(isinstance(e, ConnectionStateChanged) and e.status == "connected" for e in seen)
        ringing = seen[-1]
        assert isinstance(ringing, LegRinging)
        assert ringing.other_name == "Μανουσάκης Γιώργος" and ringing.direction == "in"

        result = connection.originate("201", "2107654321").result(timeout=10)
        assert result.ok, result.message
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            event = events.get(timeout=30)
            if isinstance(event, LegRinging) and event.leg_id == result.channel_id:
                break
        assert event.direction == "out" and event.extension == "201"
        assert event.other_number == "2107654321"
    finally:
        connection.stop()
        demo.stop()


def test_call_waiting_second_caller_arrives_after_the_first_is_answered(shipped):
    from callcore.events import LegAnswered, LegRinging
    from callcore.ami.tracker import CallTracker
    scene = next(s for s in shipped.loop if s.name == "call_waiting")
    tracker, clock, moments = CallTracker(), 0.0, []
    for step in instantiate(scene, IdAllocator(), "201"):
        clock += step.delay
        for event in tracker.feed({k: v for k, v in reversed(step.message.headers)}):
            if isinstance(event, (LegRinging, LegAnswered)) and event.extension == "201":
                moments.append((type(event).__name__, clock))
    kinds = [kind for kind, _at in moments]
    assert kinds[:3] == ["LegRinging", "LegAnswered", "LegRinging"]
    assert moments[2][1] - moments[1][1] >= 2.0     # the scene's own clock, not wall time


def test_originate_plays_the_recorded_click_to_dial_with_the_number_asked(shipped):
    demo = DemoPbx(extension="201", script=DemoScript(loop=[], click_to_dial=shipped.click_to_dial,
                                                      extensions=shipped.extensions), speed=0.02)
    demo.start()
    try:
        client = AmiClient(demo.address)
        client.login(demo)
        action_id = client.send("Originate", Channel="PJSIP/201", Exten="2107654321", Context="from-internal",
                                Priority="1", Async="true", ChannelId="click-42")
        messages = client.until(lambda m: m.event == "OriginateResponse")
        reply = next(m for m in messages if m.get("Response") and not m.event)
        assert (reply.get("Response"), reply.get("ActionID")) == ("Success", action_id)
        assert reply.get("Message") == "Originate successfully queued"
        response = messages[-1]
        assert response.get("ActionID") == action_id and response.get("Uniqueid") == "click-42"
        assert response.get("Exten") == "2107654321"
        rest = client.until(lambda m: m.event == "Hangup" and m.get("Uniqueid") == "click-42")
        everything = messages + rest
        assert not any("6912345678" in v for m in everything for _k, v in m.headers)   # the recorded number is gone
        assert {m.get("Linkedid") for m in everything if m.get("Linkedid")} == {"click-42"}
        bad = client.send("Originate", Exten="2107654321")
        assert client.until(lambda m: m.get("ActionID") == bad)[-1].get("Response") == "Error"
        client.close()
    finally:
        demo.stop()


def test_loop_never_reuses_the_recording_clients_action_ids(shipped):
    scene = next(s for s in shipped.loop if s.name == "outgoing")
    recorded = {m.message.get("ActionID") for p in scene.parts for m in p.messages} - {""}
    demo = DemoPbx(script=DemoScript(loop=[scene], click_to_dial=None, extensions=shipped.extensions,
                                     start_delay=0.0), speed=0.02)
    demo.start()
    try:
        client = AmiClient(demo.address)
        client.login(demo)
        response = client.until(lambda m: m.event == "OriginateResponse")[-1]
        assert recorded and response.get("ActionID") not in recorded
        client.close()
    finally:
        demo.stop()


def test_hangup_from_the_app_ends_the_demo_call_at_once():
    from callcore.demo.scenes import TimedMessage
    script = inline_script()
    part = script.loop[0].parts[0]
    ring = next(i for i, m in enumerate(part.messages) if m.message.get("ChannelStateDesc") == "Ringing")
    # the phone would ring for ten minutes after the Ringing event
    part.messages = part.messages[:ring + 1] + [TimedMessage(m.at + 600, m.message) for m in part.messages[ring + 1:]]
    demo = DemoPbx(script=script, speed=1.0)
    demo.start()
    try:
        client = AmiClient(demo.address)
        client.login(demo)
        ringing = client.until(lambda m: m.event == "Newstate" and m.get("ChannelStateDesc") == "Ringing")[-1]
        action_id = client.send("Hangup", Channel=ringing.get("Channel"))
        messages = client.until(lambda m: m.event == "Hangup" and m.get("Uniqueid") == ringing.get("Uniqueid"))
        assert any(m.get("ActionID") == action_id and m.get("Response") == "Success" for m in messages)
        missing = client.send("Hangup", Channel="PJSIP/999-00000000")
        assert client.until(lambda m: m.get("ActionID") == missing)[-1].get("Response") == "Error"
        client.close()
    finally:
        demo.stop()


def test_transfer_scene_moves_a_two_match_caller_to_another_extension(shipped):
    from callcore.events import LegHeld, LegRinging, LegTransferred
    scene = next(s for s in shipped.loop if s.name == "transfer")
    events = tracked(instantiate(scene, IdAllocator(), "201"))
    transfers = [e for e in events if isinstance(e, LegTransferred)]
    assert transfers and transfers[0].extension == "201" and transfers[0].target != "201"
    first = next(e for e in events if isinstance(e, LegRinging) and e.extension == "201")
    owners = [c for c in demo_contacts() if any(p.number == first.other_number for p in c.phones)]
    assert {c.type for c in owners} >= {"customer", "supplier"}
    assert any(isinstance(e, LegRinging) and e.extension == transfers[0].target for e in events)
    assert any(isinstance(e, LegHeld) and e.extension == "201" for e in events)


def test_a_whole_loop_through_the_product_client_logs_every_call_once(tmp_path, shipped):
    import queue
    from callcore.ami.connection import AmiConnection
    from callcore.events import CallLogged

    expected = 0
    for scene in shipped.loop:
        expected += sum(1 for e in tracked(instantiate(scene, IdAllocator(), "201")) if isinstance(e, CallLogged))
    demo = DemoPbx(extension="201", speed=0.05)
    host, port = demo.start()
    events: "queue.Queue" = queue.Queue()
    connection = AmiConnection(host, port, demo.username, demo.secret, on_event=events.put)
    connection.start()
    try:
        records = []
        deadline = time.monotonic() + 60
        while len(records) < expected and time.monotonic() < deadline:
            try:
                event = events.get(timeout=1)
            except queue.Empty:
                continue
            if isinstance(event, CallLogged):
                records.append(event.record)
        assert len(records) == expected
        assert len({r.id for r in records}) == expected
        assert {r.direction for r in records} == {"in", "out"}
        assert {"answered", "missed", "transferred"} <= {r.status for r in records}
        for record in records:
            record.validate()
    finally:
        connection.stop()
        demo.stop()


def test_missing_recording_is_reported_by_name(tmp_path):
    from callcore.demo.script import ScriptError, load_script
    (tmp_path / "script.json").write_text(json.dumps(
        {"scenes": [{"name": "x", "parts": [{"recording": "nowhere.ami"}]}]}), encoding="utf-8")
    with pytest.raises(ScriptError, match="nowhere.ami"):
        load_script(tmp_path)


def test_an_endless_header_drops_only_that_client(pbx):
    flooder = AmiClient(pbx.address)
    with pytest.raises((ConnectionError, OSError)):
        for _ in range(200):
            flooder.sock.sendall(b"X" * 4096)      # never ends a message
        flooder.next()
    client = AmiClient(pbx.address)
    assert client.login(pbx).get("Response") == "Success"
    client.close()


def test_stop_closes_the_port_and_start_again_gives_a_new_server():
    demo = DemoPbx(script=inline_script(), speed=0.02)
    first = demo.start()
    demo.stop()
    with pytest.raises(OSError):          # refused: nobody listens there any more
        socket.create_connection(first, timeout=2)
    second = demo.start()
    try:
        client = AmiClient(second)
        assert client.login(demo).get("Response") == "Success"
        client.close()
    finally:
        demo.stop()
        demo.stop()


def test_a_recording_without_timestamps_still_rings_before_it_is_answered():
    untimed = "\r\n".join(line for line in INLINE.split("\r\n") if not line.startswith("Timestamp:"))
    recording = parse_recording(untimed.encode("utf-8"), "untimed")
    assert not recording.timed and recording.meta["scenario"] == "inline_incoming"
    at = {(m.message.event, m.message.get("ChannelStateDesc")): m.at for m in recording.messages}
    assert at[("Newstate", "Up")] - at[("Newstate", "Ringing")] >= 1.0
    names = [m.message.get("CallerIDName") for m in recording.messages if m.message.event == "Newchannel"]
    assert "Recorded Caller" in names
