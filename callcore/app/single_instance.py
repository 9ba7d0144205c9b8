"""One operator window per user (PKG-5), and a door for other programs to hand it a number.

The first window takes an OS lock on ``<folder>/instance.lock`` (released by the OS even
after a crash) and listens on a loopback TCP port (works the same on Windows and Linux;
no named-pipe code per platform). Where it listens, with a random token, goes into
``instance.json`` (readable by this user only), so only programs of this user can talk
to it. A second start finds the lock taken, asks the running window to come forward and
exits; ``operator_app dial NUMBER`` (or a ``tel:``/``callto:`` link) sends the number.

Requests and replies are one JSON object per line:
``{"token": …, "command": "raise" | "dial", "number": …}`` → ``{"ok": bool, "message": …}``.
"""
from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
from pathlib import Path
from typing import Any, Callable

from ..i18n import _
from ..settings import write_private
from ..store.lock import try_os_lock

log = logging.getLogger(__name__)

MAX_REQUEST = 4096
Handler = Callable[[dict[str, Any]], dict[str, Any]]


def instance_folder() -> Path:
    """Per user; ``OPERATOR_APP_INSTANCE_DIR`` overrides it (tests, several profiles)."""
    override = os.environ.get("OPERATOR_APP_INSTANCE_DIR")
    if override:
        return Path(override)
    import platformdirs
    return Path(platformdirs.user_data_dir("operator-app", appauthor=False)) / "instance"


class SingleInstance:
    """The running window's side: hold the lock, answer requests."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder or instance_folder()
        self._lock_fd: int | None = None
        self._server: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._token = secrets.token_hex(16)
        self._handler: Handler = lambda request: {"ok": False, "message": _("still starting")}
        self._stop = threading.Event()

    def acquire(self) -> bool:
        """True when this process is now the one instance; False when another one holds it."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.folder / "instance.lock", os.O_RDWR | os.O_CREAT, 0o600)
        if not try_os_lock(fd):
            os.close(fd)
            return False
        self._lock_fd = fd
        return True

    def serve(self, handler: Handler) -> None:
        """Start answering requests with ``handler`` (called in the listener thread: it
        must return quickly, e.g. publish an event and reply)."""
        self._handler = handler
        server = socket.create_server(("127.0.0.1", 0))
        server.settimeout(0.5)
        self._server = server
        port = server.getsockname()[1]
        write_private(self.folder / "instance.json",
                      json.dumps({"port": port, "token": self._token, "pid": os.getpid()}))
        self._thread = threading.Thread(target=self._listen, name="single-instance", daemon=True)
        self._thread.start()
        log.info("single instance: listening on 127.0.0.1:%s", port)

    def _listen(self) -> None:
        assert self._server is not None
        while not self._stop.is_set():
            try:
                conn, _addr = self._server.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with conn:
                try:
                    conn.settimeout(3)
                    reply = self._answer(_read_line(conn))
                    conn.sendall((json.dumps(reply, ensure_ascii=False) + "\n").encode("utf-8"))
                except Exception:  # noqa: BLE001 - one bad client must not stop the door
                    log.exception("single instance: a request failed")

    def _answer(self, raw: bytes) -> dict[str, Any]:
        try:
            request = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            log.warning("single instance: a request that is not JSON was refused")
            return {"ok": False, "message": _("not a request")}
        if not isinstance(request, dict) or not secrets.compare_digest(
                str(request.get("token", "")), self._token):
            log.warning("single instance: a request without the right token was refused")
            return {"ok": False, "message": _("refused")}
        return self._handler(request)

    def close(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.close()
        if self._thread is not None:
            self._thread.join(2)
        if self._lock_fd is not None:
            try:
                (self.folder / "instance.json").unlink(missing_ok=True)
            except OSError:
                pass
            os.close(self._lock_fd)       # releases the OS lock
            self._lock_fd = None


def _read_line(conn: socket.socket) -> bytes:
    data = b""
    while b"\n" not in data and len(data) < MAX_REQUEST:
        chunk = conn.recv(1024)
        if not chunk:
            break
        data += chunk
    return data.split(b"\n", 1)[0]


def send_to_running(request: dict[str, Any], folder: Path | None = None,
                    timeout: float = 5.0) -> dict[str, Any] | None:
    """Send ``request`` to the running window; its reply, or None when none is running."""
    folder = folder or instance_folder()
    try:
        address = json.loads((folder / "instance.json").read_text(encoding="utf-8"))
        port, token = int(address["port"]), str(address["token"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
            conn.settimeout(timeout)
            line = json.dumps({**request, "token": token}, ensure_ascii=False) + "\n"
            conn.sendall(line.encode("utf-8"))
            raw = _read_line(conn)
    except OSError:
        return None             # a stale file from a crashed window: nobody listens
    try:
        reply = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    return reply if isinstance(reply, dict) else None


def number_from_link(text: str) -> str:
    """``tel:+30-210-1234567`` / ``callto://2101234567`` → the number part."""
    text = text.strip()
    for scheme in ("tel:", "callto:", "sip:"):
        if text.lower().startswith(scheme):
            text = text[len(scheme):]
            break
    from urllib.parse import unquote
    text = unquote(text.lstrip("/"))
    return text.split(";", 1)[0].split("?", 1)[0].split("@", 1)[0].strip()
