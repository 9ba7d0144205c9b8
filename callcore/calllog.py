"""Writes finished calls into the store's call log, off the AMI thread.

The tracker knows the call; only the app knows who the caller is in the directory and who
the user at this workstation is. ``CallLogger`` adds those and appends the record through a
writer thread, so the AMI thread never waits for a disk (Asterisk drops slow readers).

A call is never dropped because the disk is full (or the store cannot write for another
reason): it waits in memory, in order, and the writer tries again with a growing pause
(``retry_initial`` doubling up to ``retry_max``) until it is written. ``waiting`` counts
those calls, so the window can say "3 calls waiting to be saved". On ``close()`` calls
still unwritten go to ``unsaved-calls.jsonl`` in the first spill folder that takes them
(the store's local folder unless told otherwise) and are logged again at the next start;
when no folder takes them, each one is logged at ERROR with its full record.
"""
from __future__ import annotations

import collections
import dataclasses
import json
import logging
import os
import queue
import threading
from pathlib import Path
from typing import Callable, Iterable

from .directory import Match
from .records import CallRecord
from .store import Store, StoreError

log = logging.getLogger(__name__)

_STOP = object()
_RETRY = object()

SPILL_NAME = "unsaved-calls.jsonl"


def other_party_number(record: CallRecord) -> str:
    """The number outside this office for a call: the caller of an incoming call, the
    number dialled for an outgoing one."""
    return record.called_number if record.direction == "out" else record.caller_number


Lookup = Callable[[str], "list[Match]"]


UserFor = Callable[[CallRecord], str]


def enrich(record: CallRecord, lookup: Lookup, user: "str | UserFor" = "") -> CallRecord:
    """Fill contact_id/contact_name from the directory (best match) and the user name
    (``user`` may be a function of the record: who handled *that* extension)."""
    changes: dict[str, str] = {}
    user = user(record) if callable(user) else user
    number = other_party_number(record)
    if number and not record.contact_id:
        matches = lookup(number)
        if matches:
            changes["contact_id"] = matches[0].contact.id
            changes["contact_name"] = matches[0].contact.name
    if user and not record.user:
        changes["user"] = user
    return dataclasses.replace(record, **changes) if changes else record


def _problem(exc: BaseException) -> str:
    """'No space left on device', not '[Errno 28] No space left on device: '/x/y''."""
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


class CallLogger:
    """Queue of finished calls written by one background thread; see the module docstring."""

    def __init__(self, store: Store, lookup: Lookup, user: "str | UserFor" = "",
                 on_written: Callable[[CallRecord, bool], None] | None = None, *,
                 on_waiting: Callable[[int], None] | None = None,
                 retry_initial: float = 1.0, retry_max: float = 30.0,
                 spill_folders: Iterable[Path] | None = None):
        self.store = store
        self.lookup = lookup
        self.user = user
        self.on_written = on_written
        self.on_waiting = on_waiting
        self.written = 0
        self._retry_initial, self._retry_max = retry_initial, retry_max
        self._delay = retry_initial
        self._spill_folders = [Path(p) for p in (spill_folders if spill_folders is not None
                                                 else [store.local])]
        self._backlog: collections.deque[CallRecord] = collections.deque()
        self._picked_up: list[Path] = []
        self._queue: queue.Queue = queue.Queue()
        self._pick_up_spilled()
        self._thread = threading.Thread(target=self._run, name="call-log-writer", daemon=True)
        self._thread.start()

    @property
    def waiting(self) -> int:
        """Finished calls not written yet because the store could not write them."""
        return len(self._backlog)

    def log(self, record: CallRecord) -> None:
        """Queue a finished call (any thread, returns at once)."""
        self._queue.put(record)

    def retry_now(self) -> None:
        """Try the waiting calls again now instead of after the pause."""
        self._queue.put(_RETRY)

    # ------------------------------------------------------------------ writer thread
    def _run(self) -> None:
        self._flush()                               # calls spilled by the last run
        while True:
            try:
                item = self._queue.get(timeout=self._delay if self._backlog else None)
            except queue.Empty:
                item = _RETRY
            if item is _STOP:
                self._flush()
                self._spill()
                return
            if item is _RETRY:
                self._flush(retry=True)
                continue
            record = self._enriched(item)
            if record is None:
                continue
            if self._backlog:                       # keep the order: behind the waiting ones
                self._add_waiting(record)
                self._flush()
            elif self._write(record) is None:
                self._add_waiting(record)

    def _enriched(self, item: CallRecord) -> CallRecord | None:
        try:
            return enrich(item, self.lookup, self.user)
        except Exception:   # a directory problem must not lose the call: log it as it is
            log.exception("could not look up the caller of call %s", getattr(item, "id", "?"))
            return item if isinstance(item, CallRecord) else None

    def _write(self, record: CallRecord, retry: bool = False) -> bool | None:
        """True/False (added / already logged) once done with it; None: keep it, retry."""
        try:
            added = self.store.calls.add(record)
        except (OSError, StoreError) as exc:
            if not self._backlog:
                log.error("call %s not saved yet: %s; it is kept and saved as soon as possible",
                          record.id, _problem(exc))
            elif retry:
                log.warning("%d calls waiting to be saved: %s; next try in %.0f s",
                            len(self._backlog), _problem(exc),
                            min(self._delay * 2, self._retry_max))
            return None
        except Exception:  # a record that can never be written must not stop the log
            log.exception("could not log call %s", record.id)
            return False
        self.written += added
        if self.on_written:
            try:
                self.on_written(record, added)
            except Exception:
                log.exception("on_written callback failed")
        return added

    def _add_waiting(self, record: CallRecord) -> None:
        self._backlog.append(record)
        self._changed()

    def _flush(self, retry: bool = False) -> None:
        """Write the waiting calls in order; stop at the first that still fails. Only a
        timed retry (``retry``) makes the pause grow, not a new call arriving."""
        before = len(self._backlog)
        while self._backlog:
            if self._write(self._backlog[0], retry) is None:
                if retry:
                    self._delay = min(self._delay * 2, self._retry_max)
                break
            self._backlog.popleft()
            self._delay = self._retry_initial
        if len(self._backlog) != before:
            self._changed()
        if not self._backlog and self._picked_up:
            self._forget_picked_up()

    def _changed(self) -> None:
        if self.on_waiting:
            try:
                self.on_waiting(len(self._backlog))
            except Exception:
                log.exception("on_waiting callback failed")

    # ------------------------------------------------------------------ close / next start
    def _spill(self) -> None:
        """Keep unwritten calls in a file for the next start, or log each one loudly."""
        if not self._backlog:
            return
        lines = "".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in self._backlog)
        for folder in self._spill_folders:
            path = folder / SPILL_NAME
            tmp = path.with_name(SPILL_NAME + ".tmp")
            try:
                folder.mkdir(parents=True, exist_ok=True)
                with open(tmp, "w", encoding="utf-8") as f:   # the whole backlog: it holds
                    f.write(lines)                             # what was picked up from here
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, path)
            except OSError as exc:
                try:
                    tmp.unlink()
                except OSError:
                    pass
                log.error("could not keep %d unsaved calls in %s: %s", len(self._backlog), path,
                          _problem(exc))
                continue
            log.error("%d calls could not be saved before closing; kept in %s and saved at the "
                      "next start", len(self._backlog), path)
            return
        for record in self._backlog:
            log.error("call NOT SAVED (disk full or not writable): %s",
                      json.dumps(record.to_dict(), ensure_ascii=False))

    def _pick_up_spilled(self) -> None:
        for folder in self._spill_folders:
            path = folder / SPILL_NAME
            try:
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                continue
            except OSError as exc:
                log.error("cannot read unsaved calls in %s: %s", path, _problem(exc))
                continue
            for number, line in enumerate(text.splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    self._backlog.append(CallRecord.from_dict(json.loads(line)))
                except (ValueError, TypeError) as exc:
                    log.error("%s line %d is not a call (%s): %s", path, number, exc, line[:500])
            self._picked_up.append(path)
        if self._backlog:
            log.info("%d calls from the last run are saved now", len(self._backlog))

    def _forget_picked_up(self) -> None:
        for path in self._picked_up:
            try:
                path.unlink()
            except FileNotFoundError:
                pass
            except OSError as exc:   # harmless: a call already logged is not added twice
                log.warning("cannot remove %s: %s", path, _problem(exc))
        self._picked_up = []

    def close(self, timeout: float = 10.0) -> None:
        """Write everything queued (one last try for waiting calls; the rest is kept for
        the next start, see the module docstring), then stop the writer thread."""
        self._queue.put(_STOP)
        self._thread.join(timeout)
