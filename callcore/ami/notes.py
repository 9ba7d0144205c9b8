"""Transfer notes travel as an AMI ``UserEvent`` every AMI client receives, so the
receiving workstation shows them in its popup at once.

AMI limits a header line to about 1 KB and an action to 128 headers, and a value cannot
hold a newline: the note is JSON (newlines escaped) cut into ``Part00``… headers of at
most 200 characters (≤ 800 bytes of UTF-8 each).
"""
from __future__ import annotations

import json
from typing import Mapping

from ..events import TransferNoteReceived

TRANSFER_NOTE_EVENT = "CallcoreTransferNote"
PART_CHARS = 200
MAX_PARTS = 100


def encode_transfer_note(call_id: str, from_extension: str, to_extension: str, notes: str,
                         context: str = "") -> dict[str, str]:
    """The UserEvent headers (without Action/UserEvent) for one note."""
    payload = json.dumps({"call_id": call_id, "from": from_extension, "to": to_extension,
                          "notes": notes, "context": context}, ensure_ascii=False)
    parts = [payload[i:i + PART_CHARS] for i in range(0, len(payload), PART_CHARS)]
    if len(parts) > MAX_PARTS:
        raise ValueError("transfer note too long")
    headers = {f"Part{i:02d}": part for i, part in enumerate(parts)}
    headers["Parts"] = str(len(parts))
    return headers


def decode_transfer_note(headers: Mapping[str, str]) -> TransferNoteReceived | None:
    """Back from a received UserEvent; None when it is incomplete or not ours."""
    try:
        count = int(headers.get("Parts", "0"))
        payload = "".join(headers[f"Part{i:02d}"] for i in range(count))
        data = json.loads(payload)
        return TransferNoteReceived(call_id=str(data["call_id"]), from_extension=str(data["from"]),
                                    to_extension=str(data["to"]), notes=str(data["notes"]),
                                    context=str(data.get("context", "")))
    except (KeyError, ValueError, TypeError):
        return None
