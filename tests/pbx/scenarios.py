"""Scenario drivers: each function makes one kind of call happen on the running test PBX
and returns what a correct call tracker should conclude about it.

Every driver takes a logged-in control `AmiClient`, waits until its calls are over
(no channels left) and returns a `ScenarioResult`. Outside callers are Originates of
`Local/<DID>@from-outside`: the caller "talks" for `talk` seconds after being answered
(Application Wait) and gives up after `give_up` seconds of ringing (Originate Timeout).
The call's Linkedid is the Originate ChannelId, so the expected result names it.
"""
from __future__ import annotations

import json
import subprocess
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Callable, Optional

from tests.pbx.ami import AmiClient, AmiError
from tests.pbx.plan import (MAIN_DID, OUTGOING_PREFIX, QUEUE_DID, QUEUE_NAME, SIPP_DIR,
                            SIP_PORT, TRUNK_ANSWERS, TRUNK_BUSY, TRUNK_NO_ANSWER, direct_did)

# Callers from outside: names in Greek, Cyrillic, Czech and Persian.
GREEK = ("6945123456", "Μανουσάκης Γιώργος")
CYRILLIC = ("4957654321", "Иван Петров")
CZECH = ("420601234567", "Žluťoučký kůň")
PERSIAN = ("982188776655", "محمد رضایی")
LATIN = ("302109876543", "Office Supplies Ltd")


@dataclass
class ExpectedCall:
    """What the tracker should log for one call (fields named as in the call log)."""

    linkedid: str
    direction: str            # in | out | internal
    status: str               # answered | missed | busy | unanswered | transferred | abandoned
    extension: str            # the extension that had (or should have had) the call
    caller_number: str
    caller_name: str
    called_number: str        # DID dialled (in), number dialled (out), extension (internal)
    dial_status: str = ""     # DialStatus / OriginateResponse as Asterisk reported it
    transferred_to: str = ""
    note: str = ""


@dataclass
class ScenarioResult:
    name: str
    description: str
    calls: list[ExpectedCall] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"scenario": self.name, "description": self.description,
                "calls": [asdict(c) for c in self.calls]}


def new_call_id(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:10]}"


# -- building blocks -------------------------------------------------------------------
def outside_call(ami: AmiClient, did: str, caller: tuple[str, str], talk: float = 3,
                 give_up: float = 30, call_id: Optional[str] = None) -> str:
    """A caller from outside dials `did`. Returns the call's Linkedid."""
    call_id = call_id or new_call_id("in")
    number, name = caller
    reply = ami.action("Originate", {
        "Channel": f"Local/{did}@from-outside",
        "Application": "Wait", "Data": str(talk),
        "CallerID": f'"{name}" <{number}>',
        "Timeout": str(int(give_up * 1000)),
        "ChannelId": call_id, "OtherChannelId": call_id + "-2",
        "Async": "true"})
    if reply.get("Response") != "Success":
        raise AmiError(f"Originate to {did} refused: {reply.get('Message')}")
    return call_id


def click_to_dial(ami: AmiClient, extension: str, number: str, timeout: float = 15,
                  call_id: Optional[str] = None) -> str:
    """The app dials for the operator: ring their phone first, then dial out."""
    call_id = call_id or new_call_id("out")
    reply = ami.action("Originate", {
        "Channel": f"PJSIP/{extension}", "Context": "internal",
        "Exten": OUTGOING_PREFIX + number, "Priority": "1",
        "CallerID": f'"{number}" <{number}>',
        "Timeout": str(int(timeout * 1000)), "ChannelId": call_id, "Async": "true"})
    if reply.get("Response") != "Success":
        raise AmiError(f"click-to-dial refused: {reply.get('Message')}")
    return call_id


def answered_leg(ami: AmiClient, since: int, extension: str, linkedid: str,
                 timeout: float = 20) -> str:
    """Name of the extension's channel in call `linkedid` once it is Up."""
    msg = ami.wait_event("Newstate", since=since, timeout=timeout, Channel=f"PJSIP/{extension}-*",
                         ChannelStateDesc="Up", Linkedid=linkedid)
    return msg["Channel"]


def caller_leg(ami: AmiClient, since: int, linkedid: str, timeout: float = 20) -> str:
    """Name of the outside caller's Local;2 half (the one bridged with the phone)."""
    msg = ami.wait_event("Newchannel", since=since, timeout=timeout, Linkedid=linkedid,
                         Channel="Local/*")
    return msg["Channel"][:-1] + "2"


def phone_call(caller_ext: str, called: str, talk: float = 3, port: int = 5290) -> subprocess.Popen:
    """A phone dials: a one-shot sipp UAC with From <caller_ext> calls `called`."""
    return subprocess.Popen(
        ["sipp", f"127.0.0.1:{SIP_PORT}", "-sf", str(SIPP_DIR / "uac_call.xml"),
         "-i", "127.0.0.1", "-p", str(port), "-mp", str(port + 1000), "-m", "1",
         "-key", "caller", caller_ext, "-s", called, "-d", str(int(talk * 1000)),
         "-nostdin", "-timeout", "60s"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _incoming(name: str, description: str, did: str, caller: tuple[str, str], ext: str,
              status: str, dial_status: str, **kw) -> Callable[[AmiClient], ScenarioResult]:
    def run(ami: AmiClient) -> ScenarioResult:
        call_id = outside_call(ami, did, caller, **kw)
        ami.wait_idle(timeout=60)
        return ScenarioResult(name, description, [ExpectedCall(
            call_id, "in", status, ext, caller[0], caller[1], did, dial_status)])
    run.__name__ = name
    run.__doc__ = description
    return run


# -- incoming ---------------------------------------------------------------------------
incoming_answered = _incoming(
    "incoming_answered", "Greek caller dials the main line; 201 rings 2 s, answers, talks 3 s.",
    MAIN_DID, GREEK, "201", "answered", "ANSWER", talk=3)
incoming_missed_caller_gave_up = _incoming(
    "incoming_missed_caller_gave_up",
    "Cyrillic caller dials the main line and hangs up after 1 s of ringing (201 answers after 2 s).",
    MAIN_DID, CYRILLIC, "201", "missed", "CANCEL", give_up=1)
incoming_missed_no_answer = _incoming(
    "incoming_missed_no_answer",
    "Czech caller dials 203 directly; 203 rings 10 s (dial timeout) and never answers.",
    direct_did("203"), CZECH, "203", "missed", "NOANSWER")
incoming_busy = _incoming(
    "incoming_busy", "Persian caller dials 204 directly; the phone answers 486 Busy.",
    direct_did("204"), PERSIAN, "204", "busy", "BUSY")
incoming_unavailable = _incoming(
    "incoming_unavailable", "Greek caller dials 209, a phone without contact (unplugged).",
    direct_did("209"), GREEK, "209", "missed", "CHANUNAVAIL")
incoming_late_answer = _incoming(
    "incoming_late_answer", "Czech caller dials 206; it rings 6 s, answers, talks 2 s.",
    direct_did("206"), CZECH, "206", "answered", "ANSWER", talk=2)


def incoming_hold(ami: AmiClient) -> ScenarioResult:
    """Cyrillic caller dials 207; 207 answers, holds after 2 s (re-INVITE sendonly),
    resumes 3 s later; the caller hangs up after 8 s."""
    since = ami.mark()
    call_id = outside_call(ami, direct_did("207"), CYRILLIC, talk=8)
    ami.wait_event("Hold", since=since, timeout=15, Channel="PJSIP/207-*")
    ami.wait_event("Unhold", since=since, timeout=15, Channel="PJSIP/207-*")
    ami.wait_idle(timeout=30)
    return ScenarioResult("incoming_hold", incoming_hold.__doc__, [ExpectedCall(
        call_id, "in", "answered", "207", *CYRILLIC, direct_did("207"), "ANSWER",
        note="Hold then Unhold on PJSIP/207")])


def call_waiting(ami: AmiClient) -> ScenarioResult:
    """Greek caller on the main line is answered by 201; while they talk, a Persian caller
    rings 201 too and gives up after 1 s: one call active, a second one missed."""
    since = ami.mark()
    first = outside_call(ami, MAIN_DID, GREEK, talk=7)
    answered_leg(ami, since, "201", first)
    second = outside_call(ami, MAIN_DID, PERSIAN, give_up=1)
    ami.wait_idle(timeout=30)
    return ScenarioResult("call_waiting", call_waiting.__doc__, [
        ExpectedCall(first, "in", "answered", "201", *GREEK, MAIN_DID, "ANSWER"),
        ExpectedCall(second, "in", "missed", "201", *PERSIAN, MAIN_DID, "CANCEL",
                     note="rang while 201 was on the first call")])


def call_waiting_both_answered(ami: AmiClient) -> ScenarioResult:
    """Two outside calls on 201 at once, both answered: 201 has two calls up."""
    since = ami.mark()
    first = outside_call(ami, MAIN_DID, CZECH, talk=8)
    answered_leg(ami, since, "201", first)
    second = outside_call(ami, MAIN_DID, CYRILLIC, talk=3)
    ami.wait_idle(timeout=30)
    return ScenarioResult("call_waiting_both_answered", call_waiting_both_answered.__doc__, [
        ExpectedCall(first, "in", "answered", "201", *CZECH, MAIN_DID, "ANSWER"),
        ExpectedCall(second, "in", "answered", "201", *CYRILLIC, MAIN_DID, "ANSWER")])


# -- outgoing and internal ------------------------------------------------------------------
def _click(name: str, description: str, ext: str, number: str, status: str,
           dial_status: str, hang_up_after: Optional[float] = None,
           timeout: float = 15) -> Callable[[AmiClient], ScenarioResult]:
    def run(ami: AmiClient) -> ScenarioResult:
        since = ami.mark()
        call_id = click_to_dial(ami, ext, number, timeout=timeout)
        if hang_up_after is not None:
            ami.wait_event("DialEnd", since=since, timeout=30, Linkedid=call_id,
                           DialStatus="ANSWER", Channel=f"PJSIP/{ext}-*")
            time.sleep(hang_up_after)
            leg = ami.wait_event("Newchannel", since=since, Uniqueid=call_id)["Channel"]
            ami.action("Hangup", {"Channel": leg})
        ami.wait_idle(timeout=40)
        return ScenarioResult(name, description, [ExpectedCall(
            call_id, "out", status, ext, ext, "", number, dial_status)])
    run.__name__ = name
    run.__doc__ = description
    return run


click_to_dial_answered = _click(
    "click_to_dial_answered",
    "Originate for 201 (ChannelId = Linkedid): 201 answers after 2 s, the trunk number "
    "answers after 1 s, the operator hangs up after 3 s of talk.",
    "201", TRUNK_ANSWERS, "answered", "ANSWER", hang_up_after=3)
click_to_dial_no_answer = _click(
    "click_to_dial_no_answer",
    "Originate for 201: 201 answers, the number rings 10 s (dial timeout) without answer.",
    "201", TRUNK_NO_ANSWER, "unanswered", "NOANSWER")
click_to_dial_busy = _click(
    "click_to_dial_busy", "Originate for 201: 201 answers, the number is busy.",
    "201", TRUNK_BUSY, "busy", "BUSY")
click_to_dial_operator_no_answer = _click(
    "click_to_dial_operator_no_answer",
    "Originate for 203 (never answers) with a 5 s timeout: OriginateResponse Failure, "
    "Reason 3; nothing is dialled out.",
    "203", TRUNK_ANSWERS, "unanswered", "OriginateResponse Failure Reason 3", timeout=5)


def internal_call(ami: AmiClient) -> ScenarioResult:
    """Phone 201 dials 202 (a sipp UAC as 201); 202 answers at once; 201 hangs up after 3 s."""
    since = ami.mark()
    proc = phone_call("201", "202", talk=3)
    begin = ami.wait_event("Newchannel", since=since, timeout=10, Channel="PJSIP/201-*")
    proc.wait(timeout=60)
    ami.wait_idle(timeout=20)
    return ScenarioResult("internal_call", internal_call.__doc__, [ExpectedCall(
        begin["Linkedid"], "internal", "answered", "202", "201", "Anna Operator", "202", "ANSWER",
        note="caller is extension 201")])


def internal_call_no_answer(ami: AmiClient) -> ScenarioResult:
    """Phone 205 dials 203, which rings 10 s and never answers."""
    since = ami.mark()
    proc = phone_call("205", "203", talk=1, port=5292)
    begin = ami.wait_event("Newchannel", since=since, timeout=10, Channel="PJSIP/205-*")
    proc.wait(timeout=60)
    ami.wait_idle(timeout=20)
    return ScenarioResult("internal_call_no_answer", internal_call_no_answer.__doc__, [ExpectedCall(
        begin["Linkedid"], "internal", "missed", "203", "205", "Νίκος Παπαδόπουλος", "203",
        "NOANSWER")])


# -- transfers -------------------------------------------------------------------------------
def blind_transfer_action(ami: AmiClient) -> ScenarioResult:
    """Greek caller answered by 201; 201 blind-transfers to 202 with the BlindTransfer
    action; 202 answers; the caller hangs up 10 s after the first answer."""
    since = ami.mark()
    call_id = outside_call(ami, MAIN_DID, GREEK, talk=10)
    leg = answered_leg(ami, since, "201", call_id)
    time.sleep(1)
    reply = ami.action("BlindTransfer", {"Channel": leg, "Exten": "202", "Context": "internal"})
    result = ami.wait_event("BlindTransfer", since=since, timeout=10)
    ami.wait_idle(timeout=40)
    ok = result.get("Result") == "Success"
    return ScenarioResult("blind_transfer_action", blind_transfer_action.__doc__, [ExpectedCall(
        call_id, "in", "transferred" if ok else "answered", "201", *GREEK, MAIN_DID, "ANSWER",
        transferred_to="202" if ok else "",
        note=f"BlindTransfer response {reply.get('Response')}, event Result={result.get('Result')}")])


def blind_transfer_redirect(ami: AmiClient) -> ScenarioResult:
    """Cyrillic caller answered by 201; the app moves the caller's leg to 202 with Redirect
    (no BlindTransfer event!); 202 answers; the caller hangs up after 10 s."""
    since = ami.mark()
    call_id = outside_call(ami, MAIN_DID, CYRILLIC, talk=10)
    answered_leg(ami, since, "201", call_id)
    caller = caller_leg(ami, since, call_id)
    time.sleep(1)
    reply = ami.action("Redirect", {"Channel": caller, "Context": "internal", "Exten": "202",
                                    "Priority": "1"})
    if reply.get("Response") != "Success":
        raise AmiError(f"Redirect failed: {reply.get('Message')}")
    ami.wait_event("Newstate", since=since, timeout=10, Channel="PJSIP/202-*",
                   ChannelStateDesc="Up", Linkedid=call_id)
    ami.wait_idle(timeout=40)
    return ScenarioResult("blind_transfer_redirect", blind_transfer_redirect.__doc__, [ExpectedCall(
        call_id, "in", "transferred", "201", *CYRILLIC, MAIN_DID, "ANSWER", transferred_to="202",
        note=f"Redirect of {caller}")])


def attended_transfer(ami: AmiClient) -> ScenarioResult:
    """Czech caller answered by 201; 201 starts an attended transfer (Atxfer) to 202, the
    caller is held, 202 answers the consult call, 201 hangs up after 2 s: caller and 202
    are joined (AttendedTransfer); the caller hangs up 14 s after the first answer."""
    since = ami.mark()
    call_id = outside_call(ami, MAIN_DID, CZECH, talk=14)
    leg = answered_leg(ami, since, "201", call_id)
    time.sleep(1)
    reply = ami.action("Atxfer", {"Channel": leg, "Exten": "202", "Context": "internal"})
    if reply.get("Response") != "Success":
        raise AmiError(f"Atxfer failed: {reply.get('Message')}")
    ami.wait_event("Newstate", since=since, timeout=10, Channel="PJSIP/202-*", ChannelStateDesc="Up")
    time.sleep(2)
    ami.action("Hangup", {"Channel": leg})
    result = ami.wait_event("AttendedTransfer", since=since, timeout=10)
    ami.wait_idle(timeout=40)
    ok = result.get("Result") == "Success"
    return ScenarioResult("attended_transfer", attended_transfer.__doc__, [ExpectedCall(
        call_id, "in", "transferred" if ok else "answered", "201", *CZECH, MAIN_DID, "ANSWER",
        transferred_to="202" if ok else "", note=f"AttendedTransfer Result={result.get('Result')}")])


TRANSFER_NOTE = "Θέλει προσφορά — محمد رضایی — Иван"


def transfer_note_event(ami: AmiClient, linkedid: str, leg_uid: str, source: str, target: str,
                        kind: str, notes: str = TRANSFER_NOTE) -> None:
    """What the app broadcasts before it transfers (docs/ami.md, "Transfer notes"): a
    UserEvent CallcoreTransferNote whose JSON is cut into Part00… headers. Built here
    by hand so the recordings do not depend on the product's encoder."""
    payload = json.dumps({"call_id": "", "linkedid": linkedid, "leg_id": leg_uid, "kind": kind,
                          "from": source, "from_user": "Άννα", "to": target, "notes": notes,
                          "call_notes": "", "contact_id": "", "contact_name": "محمد رضایی",
                          "context": ""}, ensure_ascii=False)
    parts = [payload[i:i + 200] for i in range(0, len(payload), 200)]
    headers = [("UserEvent", "CallcoreTransferNote"), ("Parts", str(len(parts)))]
    headers += [(f"Part{i:02d}", part) for i, part in enumerate(parts)]
    reply = ami.action("UserEvent", headers)
    if reply.get("Response") != "Success":
        raise AmiError(f"UserEvent refused: {reply.get('Message')}")


def blind_transfer_with_note(ami: AmiClient) -> ScenarioResult:
    """Persian caller answered by 201; the app announces the transfer with a note
    (UserEvent) and then Redirects the caller to 202 (no transfer event from Asterisk);
    202 answers; the caller hangs up 8 s after the first answer. Two records: 201's part
    (transferred) and 202's part (transferred_from 201, with the note)."""
    since = ami.mark()
    call_id = outside_call(ami, MAIN_DID, PERSIAN, talk=8)
    up = ami.wait_event("Newstate", since=since, timeout=20, Channel="PJSIP/201-*",
                        ChannelStateDesc="Up", Linkedid=call_id)
    caller = caller_leg(ami, since, call_id)
    time.sleep(1)
    transfer_note_event(ami, call_id, up["Uniqueid"], "201", "202", "blind")
    reply = ami.action("Redirect", {"Channel": caller, "Context": "internal", "Exten": "202",
                                    "Priority": "1"})
    if reply.get("Response") != "Success":
        raise AmiError(f"Redirect failed: {reply.get('Message')}")
    ami.wait_idle(timeout=40)
    return ScenarioResult("blind_transfer_with_note", blind_transfer_with_note.__doc__, [ExpectedCall(
        call_id, "in", "transferred", "201", *PERSIAN, MAIN_DID, "ANSWER", transferred_to="202",
        note="second record: 202 answered, transferred_from 201, transfer_note = TRANSFER_NOTE")])


def attended_transfer_cancelled(ami: AmiClient) -> ScenarioResult:
    """Cyrillic caller answered by 201; 201 starts an attended transfer to 203 (never
    answers), then cancels it (CancelAtxfer): back with the caller, who hangs up 9 s after
    the answer. One answered call for 201, plus the consult call 201 → 203 (missed)."""
    since = ami.mark()
    call_id = outside_call(ami, MAIN_DID, CYRILLIC, talk=9)
    up = ami.wait_event("Newstate", since=since, timeout=20, Channel="PJSIP/201-*",
                        ChannelStateDesc="Up", Linkedid=call_id)
    time.sleep(1)
    transfer_note_event(ami, call_id, up["Uniqueid"], "201", "203", "attended")
    reply = ami.action("Atxfer", {"Channel": up["Channel"], "Exten": "203", "Context": "internal"})
    if reply.get("Response") != "Success":
        raise AmiError(f"Atxfer failed: {reply.get('Message')}")
    ami.wait_event("Newstate", since=since, timeout=10, Channel="PJSIP/203-*", ChannelStateDesc="Ringing")
    time.sleep(1)
    reply = ami.action("CancelAtxfer", {"Channel": up["Channel"]})
    if reply.get("Response") != "Success":
        raise AmiError(f"CancelAtxfer failed: {reply.get('Message')}")
    ami.wait_idle(timeout=40)
    return ScenarioResult("attended_transfer_cancelled", attended_transfer_cancelled.__doc__, [ExpectedCall(
        call_id, "in", "answered", "201", *CYRILLIC, MAIN_DID, "ANSWER",
        note="second record: the consult call, internal 201 -> 203, missed")])


# -- queue -----------------------------------------------------------------------------------
def queue_answered(ami: AmiClient) -> ScenarioResult:
    """Persian caller dials the support line: the ring-all queue rings 202 and 203; 202
    answers at once, talks 3 s. 203 must not show a missed call."""
    since = ami.mark()
    call_id = outside_call(ami, QUEUE_DID, PERSIAN, talk=3)
    ami.wait_event("AgentConnect", since=since, timeout=15)
    ami.wait_idle(timeout=30)
    return ScenarioResult("queue_answered", queue_answered.__doc__, [ExpectedCall(
        call_id, "in", "answered", "202", *PERSIAN, QUEUE_DID, "ANSWER", note=f"queue {QUEUE_NAME}")])


def queue_abandoned(ami: AmiClient) -> ScenarioResult:
    """202 is paused in the queue; a Greek caller dials the support line, only 203 rings
    (never answers), the caller gives up after 4 s: a missed call of the queue."""
    ami.action("QueuePause", {"Interface": "PJSIP/202", "Paused": "true", "Queue": QUEUE_NAME,
                              "Reason": "lunch"})
    try:
        since = ami.mark()
        call_id = outside_call(ami, QUEUE_DID, GREEK, give_up=4)
        ami.wait_event("QueueCallerAbandon", since=since, timeout=15)
        ami.wait_idle(timeout=30)
    finally:
        ami.action("QueuePause", {"Interface": "PJSIP/202", "Paused": "false", "Queue": QUEUE_NAME})
    return ScenarioResult("queue_abandoned", queue_abandoned.__doc__, [ExpectedCall(
        call_id, "in", "abandoned", "", *GREEK, QUEUE_DID, "CANCEL",
        note=f"queue {QUEUE_NAME}; 202 paused (QueueMemberPause events before and after)")])


# -- busy hour -------------------------------------------------------------------------------
def busy_hour(ami: AmiClient) -> ScenarioResult:
    """Overlapping calls of every kind within a few seconds: answered, missed, busy,
    unavailable, queue, click-to-dial; events of different calls interleave."""
    calls: list[ExpectedCall] = []
    plan = [
        (MAIN_DID, GREEK, dict(talk=4), "201", "answered", "ANSWER"),
        (direct_did("202"), CYRILLIC, dict(talk=3), "202", "answered", "ANSWER"),
        (direct_did("204"), CZECH, {}, "204", "busy", "BUSY"),
        (direct_did("203"), PERSIAN, dict(give_up=3), "203", "missed", "CANCEL"),
        (direct_did("205"), LATIN, dict(talk=5), "205", "answered", "ANSWER"),
        (direct_did("209"), CYRILLIC, {}, "209", "missed", "CHANUNAVAIL"),
        (direct_did("206"), GREEK, dict(talk=2), "206", "answered", "ANSWER"),
        (MAIN_DID, CZECH, dict(give_up=1), "201", "missed", "CANCEL"),
        (direct_did("207"), PERSIAN, dict(talk=7), "207", "answered", "ANSWER"),
        (direct_did("203"), LATIN, {}, "203", "missed", "NOANSWER"),
    ]
    for did, caller, kw, ext, status, dial_status in plan:
        call_id = outside_call(ami, did, caller, **kw)
        calls.append(ExpectedCall(call_id, "in", status, ext, *caller, did, dial_status))
        time.sleep(0.3)
    out_id = click_to_dial(ami, "205", TRUNK_BUSY)
    calls.append(ExpectedCall(out_id, "out", "busy", "205", "205", "", TRUNK_BUSY, "BUSY"))
    ami.wait_idle(timeout=60)
    return ScenarioResult("busy_hour", busy_hour.__doc__, calls)


SCENARIOS: dict[str, Callable[[AmiClient], ScenarioResult]] = {f.__name__: f for f in [
    incoming_answered, incoming_missed_caller_gave_up, incoming_missed_no_answer,
    incoming_busy, incoming_unavailable, incoming_late_answer, incoming_hold,
    call_waiting, call_waiting_both_answered,
    click_to_dial_answered, click_to_dial_no_answer, click_to_dial_busy,
    click_to_dial_operator_no_answer, internal_call, internal_call_no_answer,
    blind_transfer_action, blind_transfer_redirect, attended_transfer,
    blind_transfer_with_note, attended_transfer_cancelled,
    queue_answered, queue_abandoned, busy_hour,
]}
