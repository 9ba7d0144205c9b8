"""The AMI wire protocol, hardened against the panoramisk 1.4 traps (AMI-NOTES).

panoramisk's :class:`AMIProtocol` decodes every TCP chunk on its own with
``errors='ignore'`` (a Greek or Cyrillic letter split across two reads vanishes), lets an
exception in a callback kill the connection, re-sends pending actions after a reconnect
(an Originate could dial twice) and logs actions — the Login with its secret — when a
write fails. :class:`AmiProtocol` keeps panoramisk's action/response matching and fixes
those: an incremental UTF-8 decoder, a bounded buffer, a parser that never raises, and
pending actions failed (not replayed) when the connection closes.
"""
from __future__ import annotations

import codecs
import logging
from typing import Any

from panoramisk import actions
from panoramisk.ami_protocol import AMIProtocol
from panoramisk.message import Message

log = logging.getLogger(__name__)

EOL = "\r\n"
END = "\r\n\r\n"
BANNER = "Asterisk Call Manager/"

# A message larger than this without its blank-line end is garbage (or an attack): drop it.
MAX_MESSAGE_CHARS = 4 * 1024 * 1024


class ConnectionClosed(ConnectionError):
    """The AMI connection closed before the action got its response."""


def parse_message(block: str) -> Message | None:
    """One AMI message (without its blank line) → panoramisk Message, or None if it is
    not a response or an event. Never raises."""
    try:
        block = block.strip(EOL)
        if not block:
            return None
        if block.startswith(BANNER):
            _banner, _sep, block = block.partition(EOL)
            if not block:
                return None
        return Message.from_line(block)
    except Exception:  # a malformed message must never kill the connection
        log.warning("Ignoring a malformed AMI message (%d chars)", len(block))
        return None


def plain_headers(message: Any) -> dict[str, str]:
    """A panoramisk Message → a plain ``dict[str, str]`` (repeated headers joined by
    newlines) for the tracker, which must not depend on panoramisk types."""
    out: dict[str, str] = {}
    for key, value in message.items():
        if key == "content" and not value:
            continue  # panoramisk's slot for a command's output
        if isinstance(value, list):
            value = "\n".join(str(v) for v in value)
        out[key] = value if isinstance(value, str) else str(value)
    return out


class AmiProtocol(AMIProtocol):
    """panoramisk's protocol with the traps fixed (see module docstring)."""

    def connection_made(self, transport):  # noqa: D401 - asyncio API
        super().connection_made(transport)
        self.encoding = "utf-8"
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._dropping = False
        self._lost_reported = False
        self.log = log

    # -- receiving -----------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        try:
            text = self._decoder.decode(data)
        except Exception:  # cannot happen with errors='replace'; stay alive anyway
            log.warning("Undecodable AMI data dropped")
            return
        if self.version is None and text.startswith(BANNER):
            line, _sep, _rest = text.partition(EOL)
            self.version = line[len(BANNER):].strip()
        self._buffer += text
        while True:
            end = self._buffer.find(END)
            if end < 0:
                break
            block, self._buffer = self._buffer[:end], self._buffer[end + len(END):]
            if self._dropping:  # the tail of an oversized message
                self._dropping = False
                continue
            self._deliver(block)
        if len(self._buffer) > MAX_MESSAGE_CHARS:
            log.warning("Dropping an oversized AMI message (> %d chars)", MAX_MESSAGE_CHARS)
            self._buffer = ""
            self._dropping = True

    def _deliver(self, block: str) -> None:
        message = parse_message(block)
        if message is None:
            return
        try:
            self.handle_message(message)
        except Exception:  # a callback or panoramisk bug must not kill the connection
            log.exception("Error while handling an AMI %s",
                          "event" if "event" in message else "response")

    def handle_message(self, message: Message) -> None:
        if self.factory is None:
            return
        super().handle_message(message)

    # -- sending ---------------------------------------------------------------------
    def send(self, data, as_list=False):
        if not isinstance(data, actions.Action):
            data = actions.Action(data, as_list=as_list)
        data.as_list = as_list
        self.responses[data.id] = data
        if getattr(self, "closed", False):
            data.future.set_exception(ConnectionClosed("AMI connection is closed"))
            self.responses.pop(data.id, None)
            return data.future
        try:
            self.transport.write(str(data).encode("utf-8"))
        except Exception as exc:  # never log the action itself: a Login holds the secret
            log.warning("Could not send AMI action %s: %s", data.get("Action", "?"), type(exc).__name__)
            self.responses.pop(data.id, None)
            if not data.future.done():
                data.future.set_exception(ConnectionClosed(str(exc)))
        return data.future

    # -- closing -----------------------------------------------------------------------
    def close(self) -> None:
        """Close and fail every pending action: never replay them on the next connection
        (panoramisk would re-send an Originate after a reconnect)."""
        pending = list(self.responses.values())
        self.responses.clear()
        for action in pending:
            if not action.future.done():
                action.future.set_exception(ConnectionClosed("AMI connection closed"))
        if not getattr(self, "closed", False):
            self.closed = True
            try:
                self.transport.close()
            except Exception:
                pass

    def connection_lost(self, exc) -> None:
        """Called by asyncio (or on ``Shutdown``); tells the manager exactly once."""
        self.close()
        if not self._lost_reported:
            self._lost_reported = True
            if self.factory is not None:
                self.factory.connection_lost(exc)

    def abort(self) -> None:
        """Drop a half-open connection at once (close() would wait to flush)."""
        try:
            self.transport.abort()
        except Exception:
            pass
        self.close()
