"""A small AMI client for tests and the recorder, independent of the product code.

Why its own client: tests must prove the product's AMI handling against what Asterisk
really sends, so the yardstick cannot share code (or bugs) with the product.
A reader thread parses messages into an ever-growing list; callers wait on it with a
cursor, so an event that arrived before the wait started is never missed.
"""
from __future__ import annotations

import itertools
import select
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional, Union

Headers = Union[dict, Iterable[tuple]]


@dataclass
class AmiMessage:
    """One AMI message with its headers in order; keys may repeat (Variable, ChanVariable)."""

    headers: list[tuple[str, str]] = field(default_factory=list)
    raw: bytes = b""

    def get(self, key: str, default: Optional[str] = None) -> Optional[str]:
        """Last value of a header (case-insensitive), like most AMI libraries."""
        key = key.lower()
        for k, v in reversed(self.headers):
            if k.lower() == key:
                return v
        return default

    def get_all(self, key: str) -> list[str]:
        key = key.lower()
        return [v for k, v in self.headers if k.lower() == key]

    def __getitem__(self, key: str) -> str:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    @property
    def event(self) -> Optional[str]:
        return self.get("Event")

    def matches(self, event: Optional[str] = None, **want: str) -> bool:
        """True if Event equals `event` and every given header equals (or, for a
        value ending in '*', starts with) the wanted value."""
        if event is not None and self.event != event:
            return False
        for key, value in want.items():
            got = self.get(key)
            if got is None:
                return False
            if value.endswith("*") and got.startswith(value[:-1]):
                continue
            if got != value:
                return False
        return True

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.headers}

    def __repr__(self) -> str:
        return "AmiMessage(" + ", ".join(f"{k}={v!r}" for k, v in self.headers) + ")"


def parse_message(block: bytes) -> AmiMessage:
    """Parse one message (without its terminating blank line) into an AmiMessage."""
    text = block.decode("utf-8", errors="replace")
    headers = []
    for line in text.split("\r\n"):
        if not line:
            continue
        key, sep, value = line.partition(":")
        if not sep:
            headers.append(("_line", line))  # e.g. the 'Asterisk Call Manager/x' banner
            continue
        headers.append((key.strip(), value[1:] if value.startswith(" ") else value))
    return AmiMessage(headers, block + b"\r\n\r\n")


class AmiError(RuntimeError):
    pass


class AmiClient:
    """Blocking AMI client: `action()` sends and waits for the response,
    `wait_event()` waits for an event after a cursor. Thread-safe for one user thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 5038, username: str = "test",
                 secret: str = "test", tls: bool = False,
                 raw_sink: Optional[Callable[[bytes], None]] = None) -> None:
        self.host, self.port, self.username, self.secret, self.tls = host, port, username, secret, tls
        self.raw_sink = raw_sink
        self.messages: list[AmiMessage] = []
        self.banner = ""
        self._cond = threading.Condition()
        self._ids = itertools.count(1)
        self._sock: Optional[socket.socket] = None
        self._reader: Optional[threading.Thread] = None
        self._closed = False
        self._io_lock = threading.Lock()  # an SSL socket must not read and write at once
        self.fully_booted = False

    # -- connection ---------------------------------------------------------
    def connect(self, timeout: float = 10.0, events: bool = True) -> "AmiClient":
        sock = socket.create_connection((self.host, self.port), timeout=timeout)
        if self.tls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            sock = ctx.wrap_socket(sock, server_hostname=self.host)
        sock.settimeout(5.0)  # recv only after select says readable; see _read_loop
        self._sock = sock
        self._reader = threading.Thread(target=self._read_loop, name="ami-reader", daemon=True)
        self._reader.start()
        reply = self.action("Login", {"Username": self.username, "Secret": self.secret,
                                      "Events": "on" if events else "off"}, timeout=timeout)
        if reply.get("Response") != "Success":
            self.close()
            raise AmiError(f"login failed: {reply.get('Message')}")
        if events:
            self.wait_event("FullyBooted", since=0, timeout=timeout)
            self.fully_booted = True
        return self

    def close(self) -> None:
        self._closed = True
        if self._sock is not None:
            try:
                with self._io_lock:
                    self._sock.sendall(b"Action: Logoff\r\n\r\n")
            except OSError:
                pass
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._sock.close()
        if self._reader is not None:
            self._reader.join(timeout=2)

    def __enter__(self) -> "AmiClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def connected(self) -> bool:
        return self._reader is not None and self._reader.is_alive()

    def _read_loop(self) -> None:
        buf = b""
        assert self._sock is not None
        first = True
        sock = self._sock
        while not self._closed:
            try:
                pending = sock.pending() if isinstance(sock, ssl.SSLSocket) else 0
                if not pending and not select.select([sock], [], [], 0.2)[0]:
                    continue
                with self._io_lock:
                    chunk = sock.recv(65536)
            except (ssl.SSLWantReadError, socket.timeout):
                continue
            except (OSError, ValueError):
                break
            if not chunk:
                break
            if self.raw_sink is not None:
                self.raw_sink(chunk)
            buf += chunk
            if first and b"\r\n" in buf:
                line, _, buf = buf.partition(b"\r\n")
                self.banner = line.decode("utf-8", "replace")
                first = False
            parsed = []
            while b"\r\n\r\n" in buf:
                block, _, buf = buf.partition(b"\r\n\r\n")
                if block.strip():
                    parsed.append(parse_message(block))
            if parsed:
                with self._cond:
                    self.messages.extend(parsed)
                    self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    # -- actions and events --------------------------------------------------
    def send(self, name: str, headers: Headers = (), action_id: Optional[str] = None) -> str:
        """Send an action without waiting; returns its ActionID. Headers may be a dict
        or (key, value) pairs (use pairs to repeat a key, e.g. Variable)."""
        action_id = action_id or f"t{next(self._ids)}"
        items = list(headers.items()) if isinstance(headers, dict) else list(headers)
        lines = [f"Action: {name}", f"ActionID: {action_id}"]
        lines += [f"{k}: {v}" for k, v in items]
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")
        if self._sock is None:
            raise AmiError("not connected")
        with self._io_lock:
            self._sock.sendall(data)
        return action_id

    def action(self, name: str, headers: Headers = (), timeout: float = 10.0) -> AmiMessage:
        """Send an action and return its Response message."""
        mark = self.mark()
        action_id = self.send(name, headers)
        return self.wait(lambda m: m.get("Response") is not None and m.get("ActionID") == action_id,
                         since=mark, timeout=timeout, what=f"response to {name}")

    def action_list(self, name: str, headers: Headers = (), timeout: float = 10.0) -> list[AmiMessage]:
        """Send a list action (CoreShowChannels, ExtensionStateList …) and return the
        item events (without the closing …Complete event)."""
        mark = self.mark()
        action_id = self.send(name, headers)
        reply = self.wait(lambda m: m.get("Response") is not None and m.get("ActionID") == action_id,
                          since=mark, timeout=timeout, what=f"response to {name}")
        if reply.get("Response") != "Success":
            raise AmiError(f"{name}: {reply.get('Message')}")
        self.wait(lambda m: m.get("ActionID") == action_id and m.get("EventList") == "Complete",
                  since=mark, timeout=timeout, what=f"end of {name} list")
        with self._cond:
            return [m for m in self.messages[mark:]
                    if m.get("ActionID") == action_id and m.event
                    and m.get("EventList") != "Complete"]

    def mark(self) -> int:
        """A cursor: wait_* with since=mark() sees only messages arriving after now."""
        with self._cond:
            return len(self.messages)

    def wait(self, predicate: Callable[[AmiMessage], bool], since: int = 0,
             timeout: float = 10.0, what: str = "message") -> AmiMessage:
        deadline = time.monotonic() + timeout
        index = since
        with self._cond:
            while True:
                while index < len(self.messages):
                    msg = self.messages[index]
                    index += 1
                    if predicate(msg):
                        return msg
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no {what} within {timeout:.0f} s")
                if not self.connected and index >= len(self.messages):
                    raise AmiError(f"connection closed while waiting for {what}")
                self._cond.wait(left)

    def wait_event(self, event: str, since: int = 0, timeout: float = 10.0, **want: str) -> AmiMessage:
        """Wait for an event with the given headers (value 'x*' = prefix match)."""
        return self.wait(lambda m: m.matches(event, **want), since=since, timeout=timeout,
                         what=f"{event} {want or ''}".strip())

    def events(self, since: int = 0, event: Optional[str] = None, **want: str) -> list[AmiMessage]:
        with self._cond:
            return [m for m in self.messages[since:] if m.event and m.matches(event, **want)]

    # -- convenience -----------------------------------------------------------
    def channels(self) -> list[AmiMessage]:
        return self.action_list("CoreShowChannels")

    def wait_idle(self, timeout: float = 30.0, settle: float = 0.5) -> None:
        """Wait until the PBX has no channels at all (the previous call is over)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.channels():
                time.sleep(settle)
                if not self.channels():
                    return
            time.sleep(0.2)
        names = [c.get("Channel") for c in self.channels()]
        raise TimeoutError(f"PBX not idle after {timeout:.0f} s: {names}")
