"""One change = one line of canonical JSON with a CRC-32 checksum. The same line is written
to the local journal, copied into batch files on the share and replayed on every station.

Line keys: ``id`` (``device:seq``), ``h`` (hybrid clock), ``t`` (table), ``k`` (record key),
``f`` (changed fields, or ``null`` for a delete tombstone), ``c`` (checksum).
"""
from __future__ import annotations

import bisect
import json
import zlib
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from dataclasses import dataclass, field
from typing import Any, Callable


class DamagedLine(ValueError):
    """A line that does not parse or fails its checksum."""


@dataclass(frozen=True, slots=True)
class Change:
    device: str
    seq: int
    hlc: int
    table: str
    key: str
    fields: dict[str, Any] | None     # None = tombstone (delete)

    @property
    def change_id(self) -> str:
        return f"{self.device}:{self.seq}"

    @property
    def clock(self) -> tuple[int, str]:
        """Total order used by every merge: clock first, device id breaks ties."""
        return (self.hlc, self.device)


def json_encoder(sort_keys: bool) -> Callable[[Any], str]:
    """A compact, non-ASCII-escaping JSON encoder made once. ``JSONEncoder.encode`` builds
    a new C encoder on every call (a fifth of the time of encoding a contact; an import of
    100,000 rows encodes 200,000 objects): this keeps one (without the circular-reference
    check: records hold no cycles). Output is exactly ``JSONEncoder.encode``'s."""
    fallback = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)
    if c_make_encoder is None:                  # an interpreter without the C accelerator
        return fallback.encode
    one_shot = c_make_encoder(None, fallback.default, encode_basestring, None, ":", ",",
                              sort_keys, False, True)
    join = "".join

    def encode(obj: Any) -> str:
        return join(one_shot(obj, 0))
    return encode


# One encoder for every line (canonical: sorted keys, so every station writes the same text).
_CANONICAL = json_encoder(sort_keys=True)


def canonical(obj: Any) -> str:
    return _CANONICAL(obj)


def _string(value: Any) -> str:
    """``canonical`` of a text (as the encoder writes it), without the encoder call."""
    return encode_basestring(value) if type(value) is str else canonical(value)


def checksum(text: str) -> str:
    return format(zlib.crc32(text.encode("utf-8")), "08x")


def encode(change: Change) -> str:
    """The journal/batch line for a change, newline included."""
    return encode_parts(change)[0]


def encode_parts(change: Change) -> tuple[str, str]:
    """The line for a change and, inside it, the JSON text of its fields, which a local
    write reuses for the table file (``FieldTable.doc_text``) instead of encoding the
    record again. The line is exactly ``canonical`` of the whole body (keys sorted:
    f, h, id, k, t), assembled around the fields' text."""
    fields = canonical(change.fields)
    text = (f'{{"f":{fields},"h":{int(change.hlc)},"id":{_string(change.change_id)},'
            f'"k":{_string(change.key)},"t":{_string(change.table)}}}')
    return text[:-1] + f',"c":"{checksum(text)}"}}\n', fields


def decode(line: str) -> Change:
    """Parse and verify one line (with or without its newline); DamagedLine if bad."""
    line = line.rstrip("\r\n")
    cut = line.rfind(',"c":"')
    if cut < 0 or not line.endswith('"}') or len(line) - cut != 16:
        raise DamagedLine("no checksum")
    text = line[:cut] + "}"
    if checksum(text) != line[cut + 6:cut + 14]:
        raise DamagedLine("checksum mismatch")
    try:
        body = json.loads(text)
        device, seq = body["id"].rsplit(":", 1)
        fields = body["f"]
        if fields is not None and not isinstance(fields, dict):
            raise TypeError("fields")
        return Change(device, int(seq), int(body["h"]), str(body["t"]), str(body["k"]), fields)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DamagedLine(f"malformed change: {exc}") from None


@dataclass
class ParsedLines:
    changes: list[Change]
    bad_lines: list[int]          # 1-based line numbers that failed (not counting a torn last line)
    torn_last: bool               # last line had no newline and did not verify
    blank_lines: list[int] = field(default_factory=list)   # whitespace only: a journal line blanked after repair


def parse_lines(data: bytes) -> ParsedLines:
    """Verify every line of a journal or batch. A last line without its newline that does
    not verify is a torn write (reported as ``torn_last``), not damage."""
    changes: list[Change] = []
    bad: list[int] = []
    blank: list[int] = []
    torn = False
    pieces = data.split(b"\n")
    last_index = len(pieces) - 1
    for index, raw in enumerate(pieces):
        if index == last_index:
            if not raw:
                break            # file ends with a newline: fine
            try:
                changes.append(decode(raw.decode("utf-8")))
            except (DamagedLine, UnicodeDecodeError):
                if b"\x00" in raw:       # NUL runs come from a crashed disk or sync tool, not a torn append
                    bad.append(index + 1)
                else:
                    torn = True
            break
        if not raw.strip():
            blank.append(index + 1)
            continue
        try:
            changes.append(decode(raw.decode("utf-8")))
        except (DamagedLine, UnicodeDecodeError):
            bad.append(index + 1)
    return ParsedLines(changes, bad, torn, blank)


class RangeSet:
    """Sorted, merged closed intervals of sequence numbers: which changes of one device
    have been applied. Small even after years (one interval when nothing is missing)."""

    __slots__ = ("starts", "ends")

    def __init__(self, ranges: list[list[int]] | None = None):
        self.starts: list[int] = []
        self.ends: list[int] = []
        for a, b in ranges or []:
            self.add_range(int(a), int(b))

    def __contains__(self, seq: int) -> bool:
        i = bisect.bisect_right(self.starts, seq) - 1
        return i >= 0 and self.ends[i] >= seq

    def covers(self, a: int, b: int) -> bool:
        i = bisect.bisect_right(self.starts, a) - 1
        return i >= 0 and self.ends[i] >= b

    def add(self, seq: int) -> None:
        self.add_range(seq, seq)

    def add_range(self, a: int, b: int) -> None:
        if b < a:
            return
        i = bisect.bisect_left(self.starts, a)
        # merge with the previous interval when touching
        if i > 0 and self.ends[i - 1] >= a - 1:
            i -= 1
            a = self.starts[i]
            b = max(b, self.ends[i])
        j = i
        while j < len(self.starts) and self.starts[j] <= b + 1:
            b = max(b, self.ends[j])
            j += 1
        self.starts[i:j] = [a]
        self.ends[i:j] = [b]

    def update(self, other: "RangeSet") -> None:
        for a, b in zip(other.starts, other.ends):
            self.add_range(a, b)

    def issubset(self, other: "RangeSet") -> bool:
        return all(other.covers(a, b) for a, b in zip(self.starts, self.ends))

    def max(self) -> int:
        return self.ends[-1] if self.ends else 0

    def to_json(self) -> list[list[int]]:
        return [[a, b] for a, b in zip(self.starts, self.ends)]

    def holes(self, lo: int, hi: int) -> list[tuple[int, int]]:
        """The runs of ``lo..hi`` that this set does not contain."""
        out: list[tuple[int, int]] = []
        at = lo
        for a, b in zip(self.starts, self.ends):
            if b < at:
                continue
            if a > hi:
                break
            if a > at:
                out.append((at, a - 1))
            at = max(at, b + 1)
        if at <= hi:
            out.append((at, hi))
        return out

    def copy(self) -> "RangeSet":
        other = RangeSet()
        other.starts = list(self.starts)
        other.ends = list(self.ends)
        return other
