"""Recorder mode: no window, every call of the PBX into the shared call log (SPEC CON-7).

Runs on any machine that stays on (e.g. the file server), so calls are logged even when
every operator's PC is off. SIGTERM or Ctrl-C: stop AMI, write what is queued, publish to
the shared folder, exit 0. A refused login is retried with a growing pause (an admin may
fix the secret on the PBX side); each failure is logged.
"""
from __future__ import annotations

import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from .app import App, AppMode, build_app
from .events import ConnectionStateChanged
from .i18n import _
from .settings import Settings

log = logging.getLogger(__name__)
_ECHO_LOCK = threading.Lock()


def echo_line(text: str, flush: bool = True) -> None:
    """One whole line on stdout. The recorder's lines come from every PBX connection's
    thread at once; ``print`` writes the text and the newline separately, so two lines could
    run together ("AMI branch: connectedAMI: connected") for a script reading them."""
    with _ECHO_LOCK:
        sys.stdout.write(text + "\n")
        if flush:
            sys.stdout.flush()


class Recorder:
    """The application in recorder mode, plus a line on stdout per logged call."""

    def __init__(self, settings: Settings, *, echo=echo_line, log_file: Path | None = None,
                 **build_options: Any):
        self.echo = echo
        self.stopped = threading.Event()
        build_options.setdefault("connection_options", recorder_connection_options())
        self.app: App = build_app(settings, AppMode.RECORDER, log_file=log_file,
                                  on_call_written=self._written, **build_options)
        self.app.hub.subscribe(ConnectionStateChanged, self._connection_changed)

    @property
    def written(self) -> int:
        return self.app.call_log.logger.written if self.app.call_log else 0

    def _connection_changed(self, event: ConnectionStateChanged) -> None:
        where = _("AMI {server}:").format(server=event.server) if event.server else _("AMI:")  # AMI-4
        self.echo(f"{where} " + _("{status} {reason}").format(status=event.status, reason=event.reason).rstrip(),
                  flush=True)

    def _written(self, record, added: bool) -> None:
        if added:
            self.echo(_("logged {direction} call {status}: {caller} → {called} ({ext})").format(
                direction=record.direction, status=record.status, caller=record.caller_number or "?",
                called=record.called_number or "?", ext=record.extension or "-"), flush=True)

    def run(self) -> int:
        """Block until stop() (signal); returns the exit code."""
        self.app.start()
        while not self.stopped.wait(0.5):  # short waits: signals are handled between them
            pass
        written = self.written
        self.app.close()
        self.echo(_("recorder stopped: {count} calls logged").format(count=self.written or written),
                  flush=True)
        return 0

    def stop(self, *_args) -> None:
        self.stopped.set()


def recorder_connection_options() -> dict[str, Any]:
    """How the recorder's AMI connection behaves unlike the window's: nobody is there to fix
    a refused login, so it keeps retrying (30 s growing to 5 min) instead of giving up."""
    return {"auth_retry": True}


def run_recorder(settings: Settings, *, log_file: Path | None = None) -> int:
    recorder = Recorder(settings, log_file=log_file)
    signal.signal(signal.SIGINT, recorder.stop)
    signal.signal(signal.SIGTERM, recorder.stop)
    if hasattr(signal, "SIGBREAK"):  # Windows console Ctrl-Break
        signal.signal(signal.SIGBREAK, recorder.stop)
    return recorder.run()
