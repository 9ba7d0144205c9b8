"""Transferring a call as a feature (XFER-1, XFER-3). (``ui.ports.TransferPort``)

The dialog gives a leg, a target and the note typed for the colleague; this feature adds
what the colleague should see when the phone rings — who transfers (extension and the
station's user), the call notes typed so far, the caller's contact from the directory —
and asks the PBX through :class:`~callcore.ami.commands.PbxCommands`. Nothing blocks:
each method returns a request id at once, and the PBX's answer comes back on the hub as
a :class:`~callcore.events.TransferOutcome` carrying that id (from the AMI thread).
"""
from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from ..ami.notes import TransferNote
from ..events import TransferOutcome
from ..i18n import _
from .hub import EventHub

log = logging.getLogger(__name__)


class TransferFeature:
    def __init__(self, store: Any, hub: EventHub, commands: Any, directory: Any,
                 user_name: str = ""):
        self.store = store
        self.hub = hub
        self.commands = commands
        self.directory = directory
        self.user_name = user_name

    # ------------------------------------------------------------------ the port
    def blind_transfer(self, leg_id: str, target: str, note: str = "", *, call_id: str = "",
                       number: str = "") -> str:
        """Move the other party of ``leg_id`` to ``target`` now (Redirect); the note is on
        the target's screen before its phone rings."""
        return self._send("blind", leg_id, target, lambda: self.commands.blind_transfer(
            leg_id, target, self.build_note(note, call_id, number)))

    def attended_transfer(self, leg_id: str, target: str, note: str = "", *,
                          call_id: str = "", number: str = "") -> str:
        """Call ``target`` while the caller waits; then complete or cancel."""
        return self._send("attended", leg_id, target, lambda: self.commands.attended_transfer(
            leg_id, target, self.build_note(note, call_id, number)))

    def complete_transfer(self, leg_id: str) -> str:
        """Attended transfer: join the caller and the target (the operator leaves)."""
        return self._send("complete", leg_id, "", lambda: self.commands.complete_transfer(leg_id))

    def cancel_transfer(self, leg_id: str) -> str:
        """Attended transfer: drop the consult call, back to the caller."""
        return self._send("cancel", leg_id, "", lambda: self.commands.cancel_transfer(leg_id))

    # ------------------------------------------------------------------ the note
    def build_note(self, text: str, call_id: str = "", number: str = "") -> TransferNote:
        """The note the receiving popup shows: the typed text, who sends it, the call's
        notes so far and the caller's best directory contact."""
        call_notes = ""
        if call_id:
            saved = self.store.call_notes.get(call_id)
            call_notes = saved.notes if saved is not None else ""
        contact_id = contact_name = context = ""
        if number:
            try:
                matches = list(self.directory.lookup(number))
            except Exception:  # noqa: BLE001 - a note without the contact is still worth sending
                log.exception("directory lookup for a transfer note failed")
                matches = []
            if matches:
                contact = matches[0].contact
                contact_id, contact_name = contact.id, contact.name
                context = json.dumps({"number": number, "company": contact.company,
                                      "contact_type": contact.type}, ensure_ascii=False)
            else:
                context = json.dumps({"number": number}, ensure_ascii=False)
        return TransferNote(notes=(text or "").strip(), call_notes=call_notes,
                            from_user=self.user_name, contact_id=contact_id,
                            contact_name=contact_name, context=context)

    # ------------------------------------------------------------------ plumbing
    def _send(self, action: str, leg_id: str, target: str, command) -> str:
        request_id = uuid.uuid4().hex
        try:
            future = command()
        except Exception as exc:  # noqa: BLE001 - the dialog must get a sentence, not silence
            log.exception("transfer command %s failed", action)
            self._publish(request_id, action, leg_id, target, False,
                          _("The command failed: {error}").format(error=type(exc).__name__))
            return request_id

        def done(finished: Any) -> None:
            try:
                result = finished.result()
                ok, message = bool(result.ok), str(result.message or "")
            except Exception as exc:  # noqa: BLE001 - PbxCommands never raises; be safe
                log.exception("transfer command %s failed", action)
                ok, message = False, _("The command failed: {error}").format(error=type(exc).__name__)
            if not ok:
                log.warning("transfer %s of leg %s to %r refused: %s", action, leg_id, target, message)
            self._publish(request_id, action, leg_id, target, ok, message)
        future.add_done_callback(done)
        return request_id

    def _publish(self, request_id: str, action: str, leg_id: str, target: str, ok: bool,
                 message: str) -> None:
        self.hub.publish(TransferOutcome(request_id=request_id, action=action, ok=ok,
                                         message=message, leg_id=leg_id, target=target))
