"""Transfer notes travel as an AMI ``UserEvent`` every AMI client receives, so the
receiving workstation shows them in its popup at once (XFER-3).

The same event also *announces* a transfer to every tracker: sent just before the
Redirect, it tells each workstation (and the recorder) which leg is handing the call to
whom, so all of them split the call into the same two records (XFER-4) — a Redirect
itself emits no transfer event.

AMI limits a header line to about 1 KB and an action to 128 headers, and a value cannot
hold a newline: the note is JSON (newlines escaped, any script kept as is) cut into
``Part00``… headers of at most 200 characters (≤ 800 bytes of UTF-8 each).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Mapping

from ..events import TransferNoteReceived

TRANSFER_NOTE_EVENT = "CallcoreTransferNote"
PART_CHARS = 200
MAX_PARTS = 100
KINDS = ("blind", "attended", "note", "cancelled")


@dataclass(frozen=True)
class TransferNote:
    """What the transferring operator sends along (the UI fills it)."""

    notes: str = ""              # the transfer note typed for the colleague
    call_notes: str = ""         # the call's notes so far
    from_user: str = ""          # the transferring operator's name
    contact_id: str = ""
    contact_name: str = ""
    context: str = ""            # JSON text of further context items


def _split(payload: str) -> dict[str, str]:
    parts = [payload[i:i + PART_CHARS] for i in range(0, len(payload), PART_CHARS)]
    if len(parts) > MAX_PARTS:
        raise ValueError("transfer note too long")
    headers = {f"Part{i:02d}": part for i, part in enumerate(parts)}
    headers["Parts"] = str(len(parts))
    return headers


def encode_note(note: TransferNote, *, call_id: str, linkedid: str, leg_id: str,
                from_extension: str, to: str, kind: str = "blind",
                from_user: str = "") -> dict[str, str]:
    """The UserEvent headers (without Action/UserEvent) announcing one transfer."""
    return _split(json.dumps({
        "call_id": call_id, "linkedid": linkedid, "leg_id": leg_id, "kind": kind,
        "from": from_extension, "from_user": from_user or note.from_user, "to": to,
        "notes": note.notes, "call_notes": note.call_notes, "contact_id": note.contact_id,
        "contact_name": note.contact_name, "context": note.context}, ensure_ascii=False))


def encode_transfer_note(call_id: str, from_extension: str, to_extension: str, notes: str,
                         context: str = "") -> dict[str, str]:
    """The UserEvent headers for a bare note (no leg known; announces nothing)."""
    return encode_note(TransferNote(notes=notes, context=context), call_id=call_id, linkedid="",
                       leg_id="", from_extension=from_extension, to=to_extension, kind="note")


def decode_transfer_note(headers: Mapping[str, str]) -> TransferNoteReceived | None:
    """Back from a received UserEvent; None when it is incomplete or not ours."""
    try:
        count = int(headers.get("Parts", "0"))
        payload = "".join(headers[f"Part{i:02d}"] for i in range(count))
        data = json.loads(payload)
        kind = str(data.get("kind") or "note")
        return TransferNoteReceived(
            call_id=str(data["call_id"]), from_extension=str(data["from"]),
            to_extension=str(data["to"]), notes=str(data["notes"]),
            context=str(data.get("context", "")), linkedid=str(data.get("linkedid", "")),
            leg_id=str(data.get("leg_id", "")), kind=kind if kind in KINDS else "note",
            from_user=str(data.get("from_user", "")), call_notes=str(data.get("call_notes", "")),
            contact_id=str(data.get("contact_id", "")), contact_name=str(data.get("contact_name", "")))
    except (KeyError, ValueError, TypeError, AttributeError):
        return None
