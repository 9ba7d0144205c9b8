"""Reader for recorded raw AMI sessions (``*.ami``): the bytes Asterisk sent, after a
header comment.

Layout: leading lines starting with ``#`` are the header (``# key: value`` pairs become
metadata); the rest is the raw stream (greeting line, then messages separated by empty
lines). When events carry ``Timestamp:`` (``timestampevents=yes``) that is the time of each
message; otherwise the rhythm is estimated from what happens (a phone rings for a while,
a call talks for a while), so a recording without times still plays like a call.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .protocol import AmiMessage, MessageReader
from .scenes import TimedMessage

_TIME_MARK = re.compile(r"^#\s*(?:t\s*=\s*)?\+?(\d+(?:\.\d+)?)\s*s?\s*$")


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


def _estimated_gap(message: AmiMessage) -> float:
    """Seconds before ``message`` when the recording has no times: the pauses a person
    makes (phone ringing, talking, holding); everything else follows at once."""
    event = message.event
    if event == "Newstate" and message.get("ChannelStateDesc") == "Up":
        return 2.5
    if event in ("DialEnd",) and message.get("DialStatus") not in ("ANSWER", ""):
        return 3.0
    if event in ("Hold", "BlindTransfer", "AttendedTransfer"):
        return 2.0
    if event == "BridgeLeave":
        return 3.0
    return 0.05


def parse_recording(data: bytes, name: str = "") -> Recording:
    text = data.decode("utf-8", errors="replace").replace("\r\n", "\n")
    meta, body = _split_header(text)
    greeting = ""
    first_line, _sep, rest = body.partition("\n")
    if first_line.startswith("Asterisk Call Manager/"):
        greeting, body = first_line.strip(), rest
    # Time-mark comment lines between messages ("# +1.234") set the clock for what follows.
    reader = MessageReader(max_bytes=len(data) + 1)
    messages: list[TimedMessage] = []
    mark: float | None = None
    chunk: list[str] = []

    def flush() -> None:
        if not chunk:
            return
        for message in reader.feed(("\n".join(chunk) + "\n").encode("utf-8")):
            messages.append(TimedMessage(mark if mark is not None else -1.0, message))
        chunk.clear()

    for line in body.split("\n"):
        if line.startswith("#"):
            flush()
            found = _TIME_MARK.match(line)
            if found:
                mark = float(found.group(1))
            continue
        chunk.append(line)
    chunk.append("")
    flush()
    messages = _with_times(messages)
    timed = any(m.at >= 0 for m in messages) or any(m.message.has("Timestamp") for m in messages)
    return Recording(name=name, meta=meta, greeting=greeting, messages=messages, timed=timed)


def _with_times(messages: list[TimedMessage]) -> list[TimedMessage]:
    """Seconds from the first message: from time marks, else ``Timestamp:``, else estimated."""
    if any(m.at >= 0 for m in messages):
        first = next(m.at for m in messages if m.at >= 0)
        result, last = [], first
        for m in messages:
            last = m.at if m.at >= 0 else last
            result.append(TimedMessage(last - first, m.message))
        return result
    stamps = [_timestamp(m.message) for m in messages]
    if any(s is not None for s in stamps):
        first = next(s for s in stamps if s is not None)
        result, last = [], first
        for m, stamp in zip(messages, stamps):
            last = stamp if stamp is not None else last
            result.append(TimedMessage(max(0.0, last - first), m.message))
        return result
    result, clock = [], 0.0
    for i, m in enumerate(messages):
        if i:
            clock += _estimated_gap(m.message)
        result.append(TimedMessage(clock, m.message))
    return result


def _timestamp(message: AmiMessage) -> float | None:
    try:
        return float(message.get("Timestamp"))
    except ValueError:
        return None


def load_recording(path: Path) -> Recording:
    return parse_recording(Path(path).read_bytes(), Path(path).stem)
