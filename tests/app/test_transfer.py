"""TransferFeature (XFER-1/3): the note carries who transfers (station user), the call
notes so far (real store) and the caller's contact (real directory); every command comes
back as one TransferOutcome with the id the method returned, refusals as a sentence.
The PBX side is a recording stand-in here; tests/e2e/test_transfer_ui.py uses the real PBX."""
from __future__ import annotations

import concurrent.futures
import json
import threading

import pytest

from callcore.ami.commands import CommandResult
from callcore.app import AppMode, build_app
from callcore.app.transfer import TransferFeature
from callcore.events import TransferOutcome
from callcore.records import Contact, Phone
from callcore.settings import settings_from_dict


class RecordingCommands:
    """Answers each command from another thread once ``answer`` is called."""

    def __init__(self):
        self.sent: list[tuple] = []
        self.futures: list[concurrent.futures.Future] = []

    def _later(self, *call) -> concurrent.futures.Future:
        self.sent.append(call)
        future: concurrent.futures.Future = concurrent.futures.Future()
        self.futures.append(future)
        return future

    def blind_transfer(self, leg_id, target, note=None):
        return self._later("blind", leg_id, target, note)

    def attended_transfer(self, leg_id, target, note=None):
        return self._later("attended", leg_id, target, note)

    def complete_transfer(self, leg_id):
        return self._later("complete", leg_id)

    def cancel_transfer(self, leg_id):
        return self._later("cancel", leg_id)

    def answer(self, index: int, result: CommandResult) -> None:
        worker = threading.Thread(target=self.futures[index].set_result, args=(result,))
        worker.start()
        worker.join()


@pytest.fixture
def parts(tmp_path):
    settings = settings_from_dict({
        "ami": {"host": "127.0.0.1", "port": 1},
        "station": {"id": "ws-201", "extension": "201", "user": "Μαρία"},
        "store": {"shared_folder": str(tmp_path / "shared"), "local_folder": str(tmp_path / "local")},
    })
    app = build_app(settings, AppMode.WINDOW)
    app.store.contacts.put(Contact(name="Γιώργος Μανουσάκης", type="customer", company="Έπιπλα Α.Ε.",
                                   phones=[Phone("+30 694 512 3456", "mobile")]))
    app.directory.ready.wait(10)
    commands = RecordingCommands()
    feature = TransferFeature(app.store, app.hub, commands, app.directory, user_name="Μαρία")
    outcomes: list[TransferOutcome] = []
    app.hub.subscribe(TransferOutcome, outcomes.append)
    yield app, feature, commands, outcomes
    app.close()


def test_blind_transfer_note_carries_user_call_notes_and_contact(parts):
    app, feature, commands, outcomes = parts
    app.calls.save_notes("call-1", "Ζητά προσφορά για 20 τεμάχια")
    request = feature.blind_transfer("leg-1", "202", "  θέλει προσφορά  ", call_id="call-1",
                                     number="6945123456")
    action, leg_id, target, note = commands.sent[0]
    assert (action, leg_id, target) == ("blind", "leg-1", "202")
    assert (note.notes, note.from_user, note.call_notes) == ("θέλει προσφορά", "Μαρία",
                                                             "Ζητά προσφορά για 20 τεμάχια")
    assert note.contact_name == "Γιώργος Μανουσάκης" and note.contact_id
    assert json.loads(note.context)["company"] == "Έπιπλα Α.Ε."
    assert outcomes == []                                   # nothing until the PBX answers
    commands.answer(0, CommandResult(True, "Transferred to 202"))
    assert outcomes == [TransferOutcome(request, "blind", True, "Transferred to 202", "leg-1", "202")]


def test_unknown_caller_and_no_notes(parts):
    _app, feature, commands, _outcomes = parts
    feature.attended_transfer("leg-2", "203", "", call_id="call-none", number="2109999999")
    note = commands.sent[0][3]
    assert (note.notes, note.call_notes, note.contact_id, note.contact_name) == ("", "", "", "")
    assert json.loads(note.context) == {"number": "2109999999"}


def test_refusal_and_attended_steps_each_answered_once(parts):
    _app, feature, commands, outcomes = parts
    first = feature.attended_transfer("leg-3", "209", "x", call_id="c", number="")
    commands.answer(0, CommandResult(False, "Extension 209 is offline (its phone is not connected)"))
    second = feature.attended_transfer("leg-3", "202", "x")
    commands.answer(1, CommandResult(True, "Calling 202; the caller is waiting"))
    third = feature.complete_transfer("leg-3")
    commands.answer(2, CommandResult(True, ""))
    fourth = feature.cancel_transfer("leg-3")
    commands.answer(3, CommandResult(False, "The call has already ended"))
    assert len({first, second, third, fourth}) == 4
    assert [(o.request_id, o.action, o.ok, o.message) for o in outcomes] == [
        (first, "attended", False, "Extension 209 is offline (its phone is not connected)"),
        (second, "attended", True, "Calling 202; the caller is waiting"),
        (third, "complete", True, ""),
        (fourth, "cancel", False, "The call has already ended")]


def test_a_broken_command_layer_still_answers_with_a_sentence(parts):
    app, _feature, _commands, outcomes = parts

    class Broken:
        def blind_transfer(self, *a):
            raise RuntimeError("boom")

    feature = TransferFeature(app.store, app.hub, Broken(), app.directory)
    request = feature.blind_transfer("leg-9", "202", "")
    assert [(o.request_id, o.ok) for o in outcomes] == [(request, False)]
    assert "RuntimeError" in outcomes[0].message


def test_wired_into_the_window_ports(parts):
    app, *_ = parts
    assert app.transfer is not None and app.presence is not None
    from operator_app import ui_ports_for
    ports = ui_ports_for(app)
    assert ports.transfer is app.transfer and ports.presence is app.presence
