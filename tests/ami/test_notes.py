"""Transfer notes through a UserEvent: encoding survives AMI's header limits."""
from callcore.ami.notes import TRANSFER_NOTE_EVENT, decode_transfer_note, encode_transfer_note
from callcore.ami.tracker import CallTracker
from callcore.events import TransferNoteReceived

NOTES = "Πελάτης θέλει προσφορά\nИван перезвонит — Žluťoučký kůň\nمحمد رضایی 🙂\n" * 30


def test_long_multilingual_note_round_trip_within_header_limits():
    headers = encode_transfer_note("call-1", "201", "202", NOTES, '{"contact": "Ω"}')
    assert all("\n" not in v and "\r" not in v for v in headers.values())
    assert all(len(v.encode("utf-8")) <= 1000 for v in headers.values())
    assert len(headers) < 120
    note = decode_transfer_note(headers)
    assert note == TransferNoteReceived("call-1", "201", "202", NOTES, '{"contact": "Ω"}')


def test_tracker_turns_the_user_event_into_a_domain_event_and_ignores_others():
    tracker = CallTracker()
    event = {"Event": "UserEvent", "UserEvent": TRANSFER_NOTE_EVENT,
             **encode_transfer_note("c", "201", "203", "hello")}
    assert tracker.feed(event) == [TransferNoteReceived("c", "201", "203", "hello", "")]
    broken = dict(event)
    del broken["Part00"]
    assert tracker.feed(broken) == []
    assert tracker.feed({"Event": "UserEvent", "UserEvent": "Other", "Parts": "1"}) == []
