"""Recorded real sessions of the app's own transfers (tests/pbx/scenarios.py:
blind_transfer_with_note, attended_transfer_cancelled): what every workstation's tracker
makes of a transfer note followed by a Redirect, and of an attended transfer cancelled."""
from __future__ import annotations

import pytest

from callcore.ami.tracker import CallTracker
from callcore.events import LegEnded, LegRinging, LegTransferred, TransferNoteReceived
from callcore.records import call_id_for
from tests.ami.replay import StepClock, fixture_names, load, records, replay
from tests.pbx.scenarios import CYRILLIC, PERSIAN, TRANSFER_NOTE


def need(name: str):
    if name not in fixture_names():
        pytest.skip(f"fixture {name}.ami not recorded yet (python -m tests.pbx.record {name})")
    return load(name)


def test_note_then_redirect_gives_two_linked_records_and_the_note_before_the_ringing():
    fx = need("blind_transfer_with_note")
    _t, events = replay(fx)
    linkedid = fx.expect[0]["linkedid"]
    note = next(e for e in events if isinstance(e, TransferNoteReceived))
    ring_202 = next(e for e in events if isinstance(e, LegRinging) and e.extension == "202")
    assert events.index(note) < events.index(ring_202)           # on screen before it rings
    assert (note.notes, note.from_extension, note.to_extension, note.contact_name) == \
        (TRANSFER_NOTE, "201", "202", "محمد رضایی")
    assert note.call_id == ring_202.call_id and ring_202.transferred_by == "201"
    moved = [e for e in events if isinstance(e, LegTransferred)]
    ended_201 = next(e for e in events if isinstance(e, LegEnded) and e.extension == "201")
    assert [(m.extension, m.target) for m in moved] == [("201", "202")]
    assert ended_201.status == "transferred"       # known at once: the note announced it
    first, second = records(events)
    assert (first.id, first.status, first.extension, first.transferred_to) == \
        (call_id_for(linkedid), "transferred", "201", "202")
    assert (second.id, second.status, second.extension, second.transferred_from, second.transfer_note) == \
        (ring_202.call_id, "answered", "202", "201", TRANSFER_NOTE)
    assert (second.caller_number, second.caller_name, second.linkedid) == (*PERSIAN, linkedid)
    assert events.index(next(e for e in events if getattr(e, "record", None) is first)) < events.index(ring_202), \
        "the transferring leg is written when it ends, not when the whole call ends"
    assert first.talk_seconds + second.talk_seconds < 10


def test_every_workstation_computes_the_same_ids():
    fx = need("blind_transfer_with_note")
    a = records(replay(fx)[1])
    b = records(replay(fx, CallTracker(now=StepClock(step=0.5)))[1])
    assert [r.id for r in a] == [r.id for r in b] and len(a) == 2


def test_cancelled_attended_transfer_keeps_the_call_and_logs_the_consult_call():
    fx = need("attended_transfer_cancelled")
    _t, events = replay(fx)
    linkedid = fx.expect[0]["linkedid"]
    by_id = {r.id: r for r in records(events)}
    call = by_id.pop(call_id_for(linkedid))
    assert (call.status, call.extension, call.transferred_to, call.caller_name) == \
        ("answered", "201", "", CYRILLIC[1])
    consult, = by_id.values()
    assert (consult.direction, consult.status, consult.caller_number, consult.extension) == \
        ("internal", "missed", "201", "203")
    ring_203 = next(e for e in events if isinstance(e, LegRinging) and e.extension == "203")
    assert ring_203.call_id == consult.id
    assert [e.status for e in events if isinstance(e, LegEnded) and e.extension == "203"] == ["missed"]
