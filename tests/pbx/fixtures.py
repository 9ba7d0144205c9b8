"""Read recorded AMI fixtures (tests/fixtures/ami/<name>.ami) back into messages.

File format: a header of lines starting with '# ' (scenario, recorded, asterisk,
messages, description, expect = JSON list of expected calls), then the raw bytes
Asterisk sent, unchanged: messages of 'Key: Value\\r\\n' lines, each ended by '\\r\\n'.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

FIXTURE_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "ami"


@dataclass
class Fixture:
    """One recorded scenario: header fields, expected calls, raw stream and messages."""

    name: str
    header: dict[str, str]
    expect: list[dict]
    raw: bytes
    messages: list[list[tuple[str, str]]] = field(default_factory=list)


def fixture_names() -> list[str]:
    return sorted(p.stem for p in FIXTURE_DIR.glob("*.ami"))


def fixture_path(name: str) -> Path:
    path = FIXTURE_DIR / (name if name.endswith(".ami") else f"{name}.ami")
    if not path.exists():
        raise FileNotFoundError(f"no AMI fixture {path.name}; have: {', '.join(fixture_names())}")
    return path


def split_header(data: bytes) -> tuple[dict[str, str], bytes]:
    """Split the '# key: value' header lines off the raw AMI bytes."""
    header: dict[str, str] = {}
    pos = 0
    while data.startswith(b"#", pos):
        end = data.find(b"\n", pos)
        end = len(data) if end < 0 else end
        line = data[pos:end].decode("utf-8", "replace").lstrip("#").strip()
        key, _, value = line.partition(":")
        header[key.strip()] = value.strip()
        pos = end + 1
    return header, data[pos:]


def parse_stream(raw: bytes) -> list[list[tuple[str, str]]]:
    """Raw AMI bytes -> messages as ordered (key, value) lists (keys may repeat)."""
    messages = []
    for block in raw.split(b"\r\n\r\n"):
        if not block.strip():
            continue
        headers = []
        for line in block.decode("utf-8", "replace").split("\r\n"):
            key, sep, value = line.partition(":")
            if sep:
                headers.append((key.strip(), value[1:] if value.startswith(" ") else value))
        if headers:
            messages.append(headers)
    return messages


def read_fixture(name: str) -> Fixture:
    header, raw = split_header(fixture_path(name).read_bytes())
    expect = json.loads(header.get("expect", "[]"))
    return Fixture(header.get("scenario", name), header, expect, raw, parse_stream(raw))


def load_fixture(name: str) -> list[dict[str, str]]:
    """The messages of a fixture as dicts, in order. A key that repeats in one message
    (ChanVariable, Variable) keeps its last value; use read_fixture() for all of them."""
    return [dict(headers) for headers in read_fixture(name).messages]


def load_expected(name: str) -> list[dict]:
    """The expected calls the recorder wrote for this scenario (see scenarios.ExpectedCall)."""
    return read_fixture(name).expect
