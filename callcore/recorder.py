"""Recorder mode: no window, every call of the PBX into the shared call log (SPEC CON-7).

Runs on any machine that stays on (e.g. the file server), so calls are logged even when
every operator's PC is off. SIGTERM or Ctrl-C: stop AMI, write what is queued, publish to
the shared folder, exit 0.
"""
from __future__ import annotations

import logging
import signal
import threading

from .ami.connection import AmiConnection
from .calllog import CallLogger
from .events import CallLogged, ConnectionStateChanged, DomainEvent
from .i18n import _
from .numbers import MatchRules
from .services import load_directory
from .settings import Settings
from .store import Store

log = logging.getLogger(__name__)


class Recorder:
    """AMI connection + call logger, headless."""

    def __init__(self, settings: Settings, store: Store, *, echo=print):
        self.store = store
        self.echo = echo
        self.directory = load_directory(store, MatchRules.from_settings(settings))
        self.logger = CallLogger(store, self.directory.lookup, settings.get("station.user") or "recorder",
                                 on_written=self._written)
        self.connection = AmiConnection.from_settings(settings, on_event=self._on_event)
        self.stopped = threading.Event()

    def _on_event(self, event: DomainEvent) -> None:
        if isinstance(event, CallLogged):
            self.logger.log(event.record)
        elif isinstance(event, ConnectionStateChanged):
            self.echo(_("AMI: {status} {reason}").format(status=event.status, reason=event.reason).rstrip(),
                      flush=True)

    def _written(self, record, added: bool) -> None:
        if added:
            self.echo(_("logged {direction} call {status}: {caller} → {called} ({ext})").format(
                direction=record.direction, status=record.status, caller=record.caller_number or "?",
                called=record.called_number or "?", ext=record.extension or "-"), flush=True)

    def run(self) -> int:
        """Block until stop() (signal); returns the exit code."""
        self.connection.start()
        while not self.stopped.wait(0.5):  # short waits: signals are handled between them
            pass
        self.connection.stop()
        self.logger.close()
        self.store.close()
        self.echo(_("recorder stopped: {count} calls logged").format(count=self.logger.written), flush=True)
        return 0

    def stop(self, *_args) -> None:
        self.stopped.set()


def run_recorder(settings: Settings, store: Store) -> int:
    recorder = Recorder(settings, store)
    signal.signal(signal.SIGINT, recorder.stop)
    signal.signal(signal.SIGTERM, recorder.stop)
    if hasattr(signal, "SIGBREAK"):  # Windows console Ctrl-Break
        signal.signal(signal.SIGBREAK, recorder.stop)
    return recorder.run()
