"""Typed repositories over the store's tables: what the rest of the app calls."""
from __future__ import annotations

import copy
import dataclasses
import re
from datetime import datetime, timezone
import threading
from typing import Any, Generic, Iterable, Iterator, Protocol, TypeVar

from ..i18n import _
from ..records import CallNote, CallRecord, Record, RecordError
from .tables import CALLED, CALLER, STARTED, CallLog, FieldTable, row_record, started_key



class Store(Protocol):
    """What a repository needs of the store engine (a Protocol, so repos never imports
    the engine that creates it)."""

    _lock: threading.RLock

    def _commit(self, table: str, key: str, fields: dict[str, Any] | None) -> None: ...

    def _commit_many(self, table: str, entries: list[tuple[str, dict[str, Any] | None]],
                     records: list[Any] | None = None) -> None: ...

R = TypeVar("R", bound=Record)
_NON_DIGITS = re.compile(r"\D")


def clone(obj: R) -> R:
    """A copy the caller may change without touching the store's own state."""
    new = copy.copy(obj)
    for f in dataclasses.fields(new):
        name, value = f.name, getattr(new, f.name)
        if isinstance(value, list):
            setattr(new, name, list(value))
    return new


class Repo(Generic[R]):
    """put/get/delete/all for one last-writer-wins table."""

    def __init__(self, store: "Store", table: FieldTable):
        self._store = store
        self._table = table

    def put(self, record: R) -> R:
        """Validate, then commit the changed fields (a new record: all of them)."""
        self._check_class(record)
        record.validate()
        with self._store._lock:
            entry = self._entry(record)
            if entry is not None:
                self._store._commit(self._table.name, *entry)
        return record

    def put_many(self, records: Iterable[R], *, validated: bool = False) -> list[tuple[R, RecordError]]:
        """``put`` for many records with one journal write (or inside ``Store.batch()``),
        for bulk writes such as an import. Returns the refused records with why; the others
        are written. ``validated=True`` skips ``validate()``: only for records this process
        has just validated itself (an import's parsed rows), never for data from elsewhere."""
        refused: list[tuple[R, RecordError]] = []
        entries: list[tuple[str, dict[str, Any]]] = []
        written: list[R] = []
        with self._store._lock:
            for record in records:
                self._check_class(record)
                if not validated:
                    try:
                        record.validate()
                    except RecordError as exc:
                        refused.append((record, exc))
                        continue
                entry = self._entry(record)
                if entry is not None:
                    entries.append(entry)
                    written.append(record)
            self._store._commit_many(self._table.name, entries, written)
        return refused

    def _check_class(self, record: R) -> None:
        if type(record) is not self._table.cls and not isinstance(record, self._table.cls):
            raise TypeError(f"{self._table.name} holds {self._table.cls.__name__}, not {type(record).__name__}")

    def _entry(self, record: R) -> tuple[str, dict[str, Any]] | None:
        """``(key, fields to journal)``: every field of a new record, the changed ones of a
        stored record, None when nothing changed. Caller holds the store lock."""
        fields = record.to_dict()
        key = fields.pop("id")
        current = self._table.get(key)
        if current is not None:
            old = current.to_dict()
            fields = {k: v for k, v in fields.items() if old.get(k) != v}
            if not fields:
                return None
        return key, fields

    def get(self, key: str) -> R | None:
        obj = self._table.get(key)
        return clone(obj) if obj is not None else None

    def delete(self, key: str) -> None:
        with self._store._lock:
            if self._table.get(key) is None:
                return
            self._store._commit(self._table.name, key, None)

    def all(self, copy: bool = True) -> Iterator[R]:
        """Every record. ``copy=False`` hands out the store's own objects (no second copy
        of 100,000 contacts, e.g. for the directory index): treat them as read-only and
        ``put`` a changed copy (``get``) instead — the store never mutates them itself."""
        for obj in self._table.visible():
            yield clone(obj) if copy else obj

    def __len__(self) -> int:
        return len(self._table)


def _aware(dt: datetime) -> datetime:
    return dt.astimezone() if dt.tzinfo is None else dt


class CallsRepo:
    """The insert-only call log."""

    def __init__(self, store: "Store", log: CallLog, notes: FieldTable):
        self._store = store
        self._log = log
        self._notes = notes

    def add(self, record: CallRecord) -> bool:
        """Commit a finished call; False (and nothing written) if its id is already logged."""
        if not isinstance(record, CallRecord):
            raise TypeError(f"calls holds CallRecord, not {type(record).__name__}")
        record.validate()
        fields = record.to_dict()
        key = fields.pop("id")
        with self._store._lock:
            if key in self._log.month(record.month):
                return False
            self._store._commit("calls", key, fields)
        return True

    def _with_notes(self, record: CallRecord) -> CallRecord:
        note: CallNote | None = self._notes.get(record.id)
        if note is not None and note.notes:
            record.notes = note.notes
        return record

    def get(self, call_id: str, month: str | None = None) -> CallRecord | None:
        """The call with its notes; ``month`` (``YYYY-MM`` of its start), when known,
        is looked in first instead of reading old months newest first."""
        with self._store._lock:
            row = self._log.find(call_id, month)
        return self._with_notes(row_record(row)) if row else None

    def months(self) -> list[str]:
        """``YYYY-MM`` of every month the log holds, oldest first."""
        with self._store._lock:
            return sorted(self._log.known)

    def month_rows(self, month: str) -> list[tuple]:
        """One month's calls as row tuples in ``tables.CALL_FIELDS`` order (no notes, not
        sorted), without keeping an old month in memory: for indexes over the whole log
        (the call console) that cannot afford a CallRecord per call."""
        return self._month_rows(month)

    def _month_rows(self, month: str) -> list[tuple]:
        with self._store._lock:
            resident = self._log.resident(month)
            if resident is not None:
                return list(resident.values())
        return list(self._log.read_month(month).values())

    def since(self, dt: datetime | None = None) -> Iterator[CallRecord]:
        """Calls started at or after ``dt`` (naive = local time), oldest first."""
        with self._store._lock:
            months = sorted(self._log.known)
        limit = _aware(dt).timestamp() if dt else None
        if dt is not None:
            first = _aware(dt).astimezone(timezone.utc)
            # a call's month is its local date: allow one month of slack for time zones
            floor = f"{first.year - (first.month == 1):04d}-{(first.month - 2) % 12 + 1:02d}"
            months = [m for m in months if m >= floor]
        for month in months:
            rows = self._month_rows(month)
            keyed = sorted(((started_key(r), r) for r in rows), key=lambda kr: kr[0])
            for key, row in keyed:
                if limit is None or key >= limit:
                    yield self._with_notes(row_record(row))

    def for_number(self, digits: str, limit: int = 10, months: int | None = None) -> list[CallRecord]:
        """Most recent calls whose caller or called number ends with these digits, looking
        back at most ``months`` months of the log (all of it when None)."""
        digits = _NON_DIGITS.sub("", digits)
        if not digits:
            return []
        with self._store._lock:
            known = sorted(self._log.known, reverse=True)
        found: list[tuple] = []
        for month in known[:months]:
            if not self._log.may_hold_number(month, digits):
                continue
            for row in self._month_rows(month):
                for number in (row[CALLER], row[CALLED]):
                    if number and (number if number.isdigit() else _NON_DIGITS.sub("", number)).endswith(digits):
                        found.append(row)
                        break
            if len(found) >= limit:
                break
        found.sort(key=started_key, reverse=True)
        return [self._with_notes(row_record(r)) for r in found[:limit]]

    def prepare_number_search(self, pause: float = 0.2, stop=None) -> None:
        """Read every month not in memory once, so later ``for_number`` calls skip the months
        without the number. Meant for a low-priority thread after start-up: it pauses
        between months so the AMI and Tk threads keep their turn."""
        import time
        with self._store._lock:
            self._log.load_window()     # only the newest month was read at start
            months = sorted(self._log.known - set(self._log.months), reverse=True)
        for month in months:
            if stop is not None and stop.is_set():
                return
            if month not in self._log.digests:
                self._log.read_month(month)
                time.sleep(pause)

    def count_resident(self) -> int:
        return self._log.count_resident()


__all__ = ["Repo", "CallsRepo", "RecordError", "clone", "STARTED"]
