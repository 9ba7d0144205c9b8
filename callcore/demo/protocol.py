"""The AMI wire format, as far as the demo server needs it.

An AMI message is an ordered list of ``Key: Value`` lines ended by an empty line
(``\\r\\n\\r\\n``). Keys may repeat (``Variable``), so a message keeps a list of pairs,
not a dict. Text is UTF-8; a message is only decoded once it is complete, so a Greek or
Cyrillic letter split across two TCP reads is never damaged.
"""
from __future__ import annotations

from dataclasses import dataclass, field

EOL = "\r\n"
GREETING = "Asterisk Call Manager/9.0.0" + EOL
MAX_MESSAGE_BYTES = 64 * 1024


@dataclass
class AmiMessage:
    """One AMI message (action, response or event) with its headers in wire order."""

    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def of(cls, *pairs: tuple[str, str], **named: str) -> "AmiMessage":
        return cls(list(pairs) + [(k, str(v)) for k, v in named.items()])

    def get(self, key: str, default: str = "") -> str:
        """The first value of ``key`` (case-insensitive), ``default`` when absent."""
        wanted = key.lower()
        for name, value in self.headers:
            if name.lower() == wanted:
                return value
        return default

    def get_all(self, key: str) -> list[str]:
        wanted = key.lower()
        return [value for name, value in self.headers if name.lower() == wanted]

    def has(self, key: str) -> bool:
        wanted = key.lower()
        return any(name.lower() == wanted for name, _value in self.headers)

    def set(self, key: str, value: str) -> None:
        """Replace the first ``key`` header in place, or append it."""
        wanted = key.lower()
        for i, (name, _value) in enumerate(self.headers):
            if name.lower() == wanted:
                self.headers[i] = (name, value)
                return
        self.headers.append((key, value))

    def without(self, key: str) -> "AmiMessage":
        wanted = key.lower()
        return AmiMessage([(k, v) for k, v in self.headers if k.lower() != wanted])

    def copy(self) -> "AmiMessage":
        return AmiMessage(list(self.headers))

    @property
    def event(self) -> str:
        return self.get("Event")

    @property
    def action(self) -> str:
        return self.get("Action")

    def encode(self) -> bytes:
        text = "".join(f"{name}: {value}{EOL}" for name, value in self.headers) + EOL
        return text.encode("utf-8")


def parse_block(text: str) -> AmiMessage | None:
    """Parse the text of one message (without the closing empty line).

    Lines without ``": "`` are kept only if they contain a colon (``Key:`` with an empty
    value); anything else is noise and skipped. Returns None for an empty block."""
    headers: list[tuple[str, str]] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            continue
        headers.append((key.strip(), value[1:] if value.startswith(" ") else value))
    return AmiMessage(headers) if headers else None


class MessageTooLarge(ValueError):
    """A peer sent more than MAX_MESSAGE_BYTES without ending a message."""


class MessageReader:
    """Incremental parser: feed raw bytes, get complete messages.

    Accepts ``\\r\\n`` and bare ``\\n`` line ends. Undecodable bytes become U+FFFD rather than
    vanishing, so a broken header is visible instead of silently shortened."""

    def __init__(self, max_bytes: int = MAX_MESSAGE_BYTES):
        self._buffer = bytearray()
        self._max = max_bytes

    def feed(self, data: bytes) -> list[AmiMessage]:
        self._buffer += data
        messages: list[AmiMessage] = []
        while True:
            end, sep_len = _find_blank_line(self._buffer)
            if end < 0:
                break
            block = bytes(self._buffer[:end])
            del self._buffer[:end + sep_len]
            message = parse_block(block.decode("utf-8", errors="replace"))
            if message is not None:
                messages.append(message)
        if len(self._buffer) > self._max:
            self._buffer.clear()
            raise MessageTooLarge(f"message longer than {self._max} bytes")
        return messages


def _find_blank_line(buffer: bytearray) -> tuple[int, int]:
    """Position and length of the first message separator (an empty line), or (-1, 0)."""
    candidates = [(buffer.find(sep), len(sep)) for sep in (b"\r\n\r\n", b"\n\n", b"\n\r\n")]
    found = [(pos, length) for pos, length in candidates if pos >= 0]
    return min(found) if found else (-1, 0)
