"""Reader for recorded raw AMI sessions (``*.ami``): the bytes Asterisk sent, after a
header comment.

Layout: leading lines starting with ``#`` are the header (``# key: value`` pairs become
metadata); the rest is the raw stream (greeting line, then messages separated by empty
lines). When events carry ``Timestamp:`` (``timestampevents=yes``) that is the time of each
message; otherwise (Asterisk's default) the rhythm is estimated from what happens (a phone rings for a while,
a call talks for a while), so a recording without times still plays like a call.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .protocol import AmiMessage, MessageReader
from .scenes import TimedMessage


@dataclass
class Recording:
    name: str
    meta: dict[str, str] = field(default_factory=dict)
    greeting: str = ""
    messages: list[TimedMessage] = field(default_factory=list)
    timed: bool = False     # True when times come from the recording itself

    def events(self) -> list[TimedMessage]:
        return [m for m in self.messages if m.message.event]


def _split_header(text: str) -> tuple[dict[str, str], str]:
    meta: dict[str, str] = {}
    lines = text.split("\n")
    body_start = 0
    for i, line in enumerate(lines):
        if line.startswith("#"):
            key, sep, value = line.lstrip("#").strip().partition(":")
            if sep and key.strip() and " " not in key.strip():
                meta.setdefault(key.strip().lower(), value.strip())
            body_start = i + 1
            continue
        if not line.strip() and body_start == i:
            body_start = i + 1
            continue
        break
    return meta, "\n".join(lines[body_start:])


class _RhythmGuess:
    """Estimates the pauses of a recording without times: the moments a person takes
    (a phone ringing before it is answered or given up, talking, holding, transferring,
    a second caller arriving). Everything else follows at machine speed."""

    MACHINE, RING, TALK, ACT, ARRIVE = 0.02, 2.5, 3.0, 2.0, 1.5

    def __init__(self) -> None:
        self.ringing: dict[str, str] = {}     # Uniqueid -> Linkedid
        self.bridges_left: set[str] = set()
        self.calls: set[str] = set()
        self.ended: set[str] = set()
        self.waited_for_end: set[str] = set()

    def gap(self, message: AmiMessage) -> float:
        event, channel = message.event, message.get("Channel")
        uid, linked = message.get("Uniqueid"), message.get("Linkedid")
        state = message.get("ChannelStateDesc")
        gap = self.MACHINE
        if event == "Newchannel" and linked and linked not in self.calls:
            if self.calls - self.ended:
                gap = self.ARRIVE
            self.calls.add(linked)
        elif event == "Newstate" and state in ("Ringing", "Ring") and not channel.startswith("Local/"):
            self.ringing[uid] = linked
        elif event == "Newstate" and state == "Up" and uid in self.ringing:
            self.ringing.pop(uid)
            gap = self.RING
        elif event in ("HangupRequest", "DialEnd") and message.get("DialStatus", "X") != "ANSWER" \
                and linked and linked not in self.waited_for_end and self._rings_in(linked):
            self.waited_for_end.add(linked)
            gap = self.RING
        elif event == "BridgeLeave" and message.get("BridgeUniqueid") not in self.bridges_left:
            self.bridges_left.add(message.get("BridgeUniqueid"))
            gap = self.TALK
        elif event in ("Hold", "Unhold", "BlindTransfer", "AttendedTransfer"):
            gap = self.ACT
        if event == "Hangup":
            self.ringing.pop(uid, None)
            if linked and uid == linked:
                self.ended.add(linked)
        return gap

    def _rings_in(self, linked: str) -> bool:
        return linked in self.ringing.values()


def parse_recording(data: bytes, name: str = "") -> Recording:
    text = data.decode("utf-8", errors="replace").replace("\r\n", "\n")
    meta, body = _split_header(text)
    greeting = ""
    first_line, _sep, rest = body.partition("\n")
    if first_line.startswith("Asterisk Call Manager/"):
        greeting, body = first_line.strip(), rest
    reader = MessageReader(max_bytes=len(data) + 1)
    found = reader.feed((body + "\n\n").encode("utf-8"))
    stamps = [_timestamp(m) for m in found]
    timed = any(stamp is not None for stamp in stamps)
    messages = _from_timestamps(found, stamps) if timed else _guessed_times(found)
    return Recording(name=name, meta=meta, greeting=greeting, messages=messages, timed=timed)


def _from_timestamps(found: list[AmiMessage], stamps: list[float | None]) -> list[TimedMessage]:
    """Seconds from the first ``Timestamp:``; a message without one shares its
    predecessor's time."""
    first = next(s for s in stamps if s is not None)
    result, last = [], first
    for message, stamp in zip(found, stamps):
        last = stamp if stamp is not None else last
        result.append(TimedMessage(max(0.0, last - first), message))
    return result


def _guessed_times(found: list[AmiMessage]) -> list[TimedMessage]:
    result, clock, guess = [], 0.0, _RhythmGuess()
    for i, message in enumerate(found):
        gap = guess.gap(message)
        if i:
            clock += gap
        result.append(TimedMessage(clock, message))
    return result


def _timestamp(message: AmiMessage) -> float | None:
    try:
        return float(message.get("Timestamp"))
    except ValueError:
        return None


def load_recording(path: Path) -> Recording:
    return parse_recording(Path(path).read_bytes(), Path(path).stem)
