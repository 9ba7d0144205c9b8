"""Writes finished calls into the store's call log, off the AMI thread.

The tracker knows the call; only the app knows who the caller is in the directory and who
the user at this workstation is. ``CallLogger`` adds those and appends the record through a
writer thread, so the AMI thread never waits for a disk (Asterisk drops slow readers).
Nothing queued is lost on close: ``close()`` drains the queue first.
"""
from __future__ import annotations

import dataclasses
import logging
import queue
import threading
from typing import Callable

from .directory import Match
from .records import CallRecord
from .store import Store

log = logging.getLogger(__name__)

_STOP = object()


def other_party_number(record: CallRecord) -> str:
    """The number outside this office for a call: the caller of an incoming call, the
    number dialled for an outgoing one."""
    return record.called_number if record.direction == "out" else record.caller_number


Lookup = Callable[[str], "list[Match]"]


def enrich(record: CallRecord, lookup: Lookup, user: str = "") -> CallRecord:
    """Fill contact_id/contact_name from the directory (best match) and the user name."""
    changes: dict[str, str] = {}
    number = other_party_number(record)
    if number and not record.contact_id:
        matches = lookup(number)
        if matches:
            changes["contact_id"] = matches[0].contact.id
            changes["contact_name"] = matches[0].contact.name
    if user and not record.user:
        changes["user"] = user
    return dataclasses.replace(record, **changes) if changes else record


class CallLogger:
    """Queue of finished calls written by one background thread."""

    def __init__(self, store: Store, lookup: Lookup, user: str = "",
                 on_written: Callable[[CallRecord, bool], None] | None = None):
        self.store = store
        self.lookup = lookup
        self.user = user
        self.on_written = on_written
        self.written = 0
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="call-log-writer", daemon=True)
        self._thread.start()

    def log(self, record: CallRecord) -> None:
        """Queue a finished call (any thread, returns at once)."""
        self._queue.put(record)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            try:
                record = enrich(item, self.lookup, self.user)
                added = self.store.calls.add(record)
                self.written += added
                if self.on_written:
                    self.on_written(record, added)
            except Exception:  # one bad record must not stop the log
                log.exception("could not log call %s", getattr(item, "id", "?"))

    def close(self, timeout: float = 10.0) -> None:
        """Write everything queued, then stop the writer thread."""
        self._queue.put(_STOP)
        self._thread.join(timeout)
