"""In-memory merged state of each table, and the merge rules.

* Ordinary tables (contacts, users, …): every field is a last-writer-wins register keyed by
  the change clock ``(hlc, device)``; a delete is a tombstone clock that hides every field
  written before it. Applying a change twice, or changes in any order, gives the same state.
* Calls: insert-only; if two stations ever store different contents under one id, the one
  with the smallest clock wins everywhere.

A record's state is one immutable tuple, replaced whole, so a background writer that reads
it without the lock always sees a consistent record.
"""
from __future__ import annotations

import dataclasses
import operator
import re
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Iterator

from ..records import CallRecord, Phone, Record
from .changes import Change, canonical

Clock = tuple[int, str]
MONTH_RE = re.compile(r"^\d{4}-\d{2}$")

# (record object or None when deleted, base clock, per-field clocks differing from base, tombstone)
RecState = tuple[Any, Clock | None, dict[str, Clock | None] | None, Clock | None]


def _zero(type_text: str) -> Any:
    type_text = str(type_text)
    if "None" in type_text:
        return None
    return {"str": "", "int": 0, "float": 0.0, "bool": False}.get(type_text, "")


def field_defaults(cls: type) -> dict[str, Any]:
    """Value of each field when nothing was written to it (deleted or never set)."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            out[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
            out[f.name] = f.default_factory()  # type: ignore[misc]
        else:
            out[f.name] = _zero(f.type)
    return out


_LABELS: dict[str, str] = {}


_NEW_PHONE = Phone.__new__
_SET_NUMBER = Phone.number.__set__      # type: ignore[attr-defined]  # Phone is frozen and slotted:
_SET_LABEL = Phone.label.__set__        # type: ignore[attr-defined]  # its slots, set directly
_DEFAULT_LABEL = "work"


def _phone(data: dict[str, Any]) -> Phone:
    phone = _NEW_PHONE(Phone)
    label = data.get("label", _DEFAULT_LABEL)
    _SET_NUMBER(phone, data["number"])
    _SET_LABEL(phone, _LABELS.setdefault(label, label))
    return phone


def _phone_doc(phone: Phone) -> dict[str, str]:
    """A phone in a table file: the label only when it is not the default."""
    if phone.label == _DEFAULT_LABEL:
        return {"number": phone.number}
    return {"number": phone.number, "label": phone.label}


def record_fields(record: Record) -> dict[str, Any]:
    return record.to_dict()


def intern_clock(clock: Iterable[Any] | None, devices: dict[str, str]) -> Clock | None:
    if clock is None:
        return None
    hlc, device = clock
    return (int(hlc), devices.setdefault(device, device))


class FieldTable:
    """One last-writer-wins table (everything except the call log)."""

    def __init__(self, name: str, cls: type[Record]):
        self.name = name
        self.cls = cls
        self.field_names = [f.name for f in dataclasses.fields(cls)]
        self.value_names = frozenset(self.field_names) - {"id"}     # what a whole write holds
        self.getter = operator.attrgetter(*self.field_names)
        self.defaults = field_defaults(cls)
        self.list_fields = [n for n, v in self.defaults.items() if isinstance(v, list)]
        self.has_phones = "phones" in self.defaults
        self.default_items = list(self.defaults.items())      # in dataclass field order
        names = list(self.defaults)
        self.id_index = names.index("id")
        self.list_indexes = [names.index(n) for n in self.list_fields]
        self.phones_index = names.index("phones") if self.has_phones else None
        self.records: dict[str, RecState] = {}
        self.dirty = False
        self.devices: dict[str, str] = {}
        # key -> (state, JSON text of its fields) for records written whole by a local change
        # since the last checkpoint: the journal line's text, reused for the table file
        # (an import of 100,000 contacts would otherwise encode each one twice). Used only
        # while ``records[key]`` is still that very state.
        self.texts: dict[str, tuple[RecState, str]] = {}

    # ---- reading
    def get(self, key: str) -> Any | None:
        state = self.records.get(key)
        return state[0] if state else None

    def visible(self) -> Iterator[Any]:
        for state in list(self.records.values()):
            if state[0] is not None:
                yield state[0]

    def __len__(self) -> int:
        return sum(1 for s in self.records.values() if s[0] is not None)

    # ---- building
    def build(self, key: str, values: dict[str, Any]) -> Any:
        """The record object for stored field values, built positionally in field order
        without validation (the values were validated when written): loading 100,000
        contacts this way takes a fraction of the time of keyword construction."""
        get = values.get
        args = [get(name, default) for name, default in self.default_items]
        args[self.id_index] = key
        for i in self.list_indexes:
            args[i] = list(args[i])
        if self.phones_index is not None:
            args[self.phones_index] = [p if isinstance(p, Phone) else _phone(p)
                                       for p in args[self.phones_index]]
        return self.cls(*args)

    def copy(self, record: Any) -> Any:
        """The store's own copy of a validated record (its lists copied, so the caller
        changing the record later does not change the store); faster than ``build``."""
        args = list(self.getter(record))
        for i in self.list_indexes:
            args[i] = list(args[i])
        return self.cls(*args)

    def _clock_of(self, state: RecState, name: str) -> Clock | None:
        _obj, base, over, _tomb = state
        if over and name in over:
            return over[name]
        return base

    # ---- merging
    def apply(self, change: Change, fields_text: str | None = None, record: Any = None) -> bool:
        """Merge one change; True when the visible record changed. ``fields_text``: the
        JSON of ``change.fields`` when the caller has it (see ``texts``); ``record``: the
        validated local record the fields were taken from (copied, not rebuilt)."""
        clock = (change.hlc, self.devices.setdefault(change.device, change.device))
        key = change.key
        state = self.records.get(key)
        if state is None:
            if change.fields is None:
                self.records[key] = (None, None, None, clock)
                self.dirty = True
                return False
            if len(change.fields) >= len(self.field_names) - 1:      # a whole new record
                if record is not None and change.fields.keys() == self.value_names:
                    obj = self.copy(record)
                else:
                    obj = self.build(key, change.fields)
                self.records[key] = state = (obj, clock, None, None)
                if fields_text is not None and change.fields.keys() == self.value_names:
                    self.texts[key] = (state, fields_text)
                self.dirty = True
                return True
            state = (None, None, None, None)
        obj, base, over, tomb = state
        if change.fields is None:
            if tomb is not None and tomb >= clock:
                return False
            return self._set(key, obj, self._clocks(state), clock, {})
        if tomb is not None and clock <= tomb:
            return False
        clocks = self._clocks(state)
        won = {}
        for name, value in change.fields.items():
            if name not in self.defaults or name == "id":
                continue                       # a field this version does not know
            own = clocks.get(name)
            if own is None or clock > own:
                won[name] = value
                clocks[name] = clock
        if not won:
            return False
        return self._set(key, obj, clocks, tomb, won)

    def _clocks(self, state: RecState) -> dict[str, Clock | None]:
        obj, base, over, _tomb = state
        if obj is None and base is None:
            return {}
        clocks = {name: base for name in self.field_names}
        if over:
            clocks.update(over)
        return clocks

    def _set(self, key: str, obj: Any, clocks: dict[str, Clock | None], tomb: Clock | None,
             won: dict[str, Any]) -> bool:
        alive = {n: c for n, c in clocks.items() if c is not None and (tomb is None or c > tomb)}
        if not alive:
            new_obj = None
            base, over = None, None
        else:
            values = dict(self.defaults)
            if obj is not None:
                current = record_fields(obj)
                values.update({n: current[n] for n in alive if n in current})
            values.update(won)
            new_obj = self.build(key, {n: values[n] for n in alive})
            base, over = compress_clocks(self.field_names, alive)
        self.records[key] = (new_obj, base, over, tomb)
        self.dirty = True
        return (obj is None) != (new_obj is None) or (obj is not None and record_fields(obj) != record_fields(new_obj))

    def merge_state(self, key: str, state: RecState) -> bool:
        """Merge a whole record state (from a snapshot) by replaying it as changes."""
        changed = False
        for change in state_as_changes(self.name, key, state, self.field_names):
            changed |= self.apply(change)
        return changed

    # ---- (de)serialising for table files and snapshots
    def doc(self, key: str, state: RecState) -> dict[str, Any]:
        obj, base, over, tomb = state
        doc: dict[str, Any] = {"k": key}
        if obj is not None:
            doc["v"] = self.stored_values(obj)
            doc["h"] = list(base) if base else None
            if over:
                doc["o"] = {n: (list(c) if c else None) for n, c in over.items()}
        if tomb is not None:
            doc["x"] = list(tomb)
        return doc

    def stored_values(self, obj: Any) -> dict[str, Any]:
        """A record's fields as a table file keeps them: fields still at their default
        left out (``build`` puts them back), so 100,000 contacts, most of their fields
        empty, make a file a third smaller and a third quicker to read at every start."""
        defaults = self.defaults
        values = {name: value for name, value in record_fields(obj).items()
                  if name != "id" and (name not in defaults or value != defaults[name])}
        phones = values.get("phones")
        if phones and self.has_phones:
            values["phones"] = [_phone_doc(p) for p in obj.phones]
        return values

    def file_docs(self, items: list[tuple[str, RecState]],
                  texts: dict[str, tuple[RecState, str]]) -> Iterator[str | dict[str, Any]]:
        """The table file's documents for ``items``: a record written whole by a local
        change since the last checkpoint as ready JSON text made from its journal line's
        fields (``texts``), instead of encoding it a second time; the others as ``doc``."""
        for key, state in items:
            cached = texts.get(key)
            if cached is not None and cached[0] is state:
                yield f'{{"k":{canonical(key)},"v":{cached[1]},"h":{canonical(list(state[1]))}}}'
            else:
                yield self.doc(key, state)

    def state_from_doc(self, doc: dict[str, Any]) -> tuple[str, RecState]:
        key = str(doc["k"])
        values = doc.get("v")
        obj = self.build(key, values) if values is not None else None
        base = intern_clock(doc.get("h"), self.devices)
        over = None
        if doc.get("o"):
            over = {n: intern_clock(c, self.devices) for n, c in doc["o"].items()}
        tomb = intern_clock(doc.get("x"), self.devices)
        return key, (obj, base, over, tomb)

    def load_docs(self, docs: list[dict[str, Any]]) -> None:
        for i, doc in enumerate(docs):
            docs[i] = None            # type: ignore[call-overload]  # free each parsed doc as it is used
            key, state = self.state_from_doc(doc)
            self.records[key] = state


def compress_clocks(names: list[str], alive: dict[str, Clock]) -> tuple[Clock, dict[str, Clock | None] | None]:
    counts: dict[Clock, int] = {}
    for c in alive.values():
        counts[c] = counts.get(c, 0) + 1
    base = max(counts, key=lambda c: (counts[c], c))
    over = {n: alive.get(n) for n in names if alive.get(n) != base}
    return base, (over or None)


def state_as_changes(table: str, key: str, state: RecState, names: list[str]) -> list[Change]:
    obj, base, over, tomb = state
    out: list[Change] = []
    if tomb is not None:
        out.append(Change(tomb[1], 0, tomb[0], table, key, None))
    if obj is not None:
        values = record_fields(obj)
        groups: dict[Clock, dict[str, Any]] = {}
        for name in names:
            clock = over[name] if over and name in over else base
            if clock is not None and name != "id":
                groups.setdefault(clock, {})[name] = values[name]
        for clock, fields in groups.items():
            out.append(Change(clock[1], 0, clock[0], table, key, fields))
    return out


# ---------------------------------------------------------------- calls

CALL_FIELDS = [f.name for f in dataclasses.fields(CallRecord)]
CALL_DEFAULTS = field_defaults(CallRecord)
_CALL_INDEX = {name: i for i, name in enumerate(CALL_FIELDS)}
# A call in memory: tuple(values in CALL_FIELDS order) + (hlc, device). Tuples, not
# dataclasses, because a month holds tens of thousands of them.
CallRow = tuple


def call_row(fields: dict[str, Any], key: str, hlc: int, device: str) -> CallRow:
    values = [fields.get(name, CALL_DEFAULTS[name]) for name in CALL_FIELDS]
    values[_CALL_INDEX["id"]] = key
    return tuple(values) + (hlc, device)


def row_record(row: CallRow) -> CallRecord:
    return CallRecord(*row[:len(CALL_FIELDS)])


def row_doc(row: CallRow) -> dict[str, Any]:
    values = {name: value for name, value in zip(CALL_FIELDS, row) if value != CALL_DEFAULTS[name] and name != "id"}
    return {"k": row[_CALL_INDEX["id"]], "v": values, "h": [row[-2], row[-1]]}


def doc_row(doc: dict[str, Any], devices: dict[str, str]) -> CallRow:
    hlc, device = doc["h"]
    return call_row(doc["v"], str(doc["k"]), int(hlc), devices.setdefault(device, device))


def month_of(fields: dict[str, Any] | None) -> str | None:
    if not fields:
        return None
    started = fields.get("started_at")
    if not isinstance(started, str) or not MONTH_RE.match(started[:7]):
        return None
    return started[:7]


def started_key(row: CallRow) -> float:
    text = row[_CALL_INDEX["started_at"]]
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return 0.0
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


STARTED = _CALL_INDEX["started_at"]
CALLER = _CALL_INDEX["caller_number"]
CALLED = _CALL_INDEX["called_number"]
DIGEST_DIGITS = 7
_NOT_DIGIT = re.compile(r"\D")


def number_digest(rows: Iterable[tuple]) -> str:
    """See ``CallLog.digests``: a suffix of stored number ``n`` ending with query ``q``
    ends with ``q[-DIGEST_DIGITS:]``, so a miss in this text proves the month has no match."""
    tails = set()
    for row in rows:
        for number in (row[CALLER], row[CALLED]):
            if number:
                digits = number if number.isdigit() else _NOT_DIGIT.sub("", number)
                if digits:
                    tails.add(digits[-DIGEST_DIGITS:])
    return "|" + "|".join(tails) + "|"


class CallLog:
    """The call log split by month. Only the newest ``window`` months (and months changed
    since the last table write) are kept in memory; older months are read on demand."""

    name = "calls"

    def __init__(self, load_month: Callable[[str], list[dict[str, Any]]], known_months: Iterable[str],
                 window: int = 2):
        self._load_month = load_month
        self.window = window
        self.known: set[str] = set(known_months)
        self.months: dict[str, dict[str, CallRow]] = {}
        # For months not in memory: "|" + the last DIGEST_DIGITS digits of every caller and
        # called number + "|", made when the month is read. It lets "recent calls with this
        # number" skip months without the number (an unknown caller otherwise re-reads the
        # whole history: seconds at 1M calls) for about 8 bytes per distinct number.
        self.digests: dict[str, str] = {}
        self.dirty: set[str] = set()
        self.devices: dict[str, str] = {}
        for month in self.window_months()[-1:]:
            self.month(month)       # the newest at once; the window's others when first used

    def load_window(self) -> None:
        """Make every month of the window resident (after start-up, in the background)."""
        for month in self.window_months():
            self.month(month)

    def resident(self, month: str) -> dict[str, CallRow] | None:
        """The month's calls if it is (or, being in the window, becomes) resident."""
        rows = self.months.get(month)
        if rows is None and month in self.window_months():
            rows = self.month(month)
        return rows

    def window_months(self) -> list[str]:
        return sorted(self.known)[-self.window:] if self.window > 0 else []

    def month(self, month: str) -> dict[str, CallRow]:
        rows = self.months.get(month)
        if rows is None:
            rows = {}
            if month in self.known:
                for doc in self._load_month(month):
                    row = doc_row(doc, self.devices)
                    rows[row[0]] = row
            self.months[month] = rows
            self.known.add(month)
        self.digests.pop(month, None)   # resident months are searched directly
        return rows

    def read_month(self, month: str) -> dict[str, CallRow]:
        """A month's calls without keeping them resident."""
        rows = self.months.get(month)
        if rows is not None:
            return rows
        out: dict[str, CallRow] = {}
        if month in self.known:
            for doc in self._load_month(month):
                row = doc_row(doc, self.devices)
                out[row[0]] = row
            if month not in self.months:
                self.digests[month] = number_digest(out.values())
        return out

    def may_hold_number(self, month: str, digits: str) -> bool:
        """False only when ``month`` surely has no call whose caller or called number ends
        with ``digits`` (digits only); True means: read it and look."""
        digest = None if month in self.months else self.digests.get(month)
        return digest is None or f"{digits[-DIGEST_DIGITS:]}|" in digest

    def apply(self, change: Change) -> bool:
        month = month_of(change.fields)
        if month is None:
            return False            # tombstones and malformed calls: the call log is insert-only
        rows = self.month(month)
        old = rows.get(change.key)
        row = call_row(change.fields or {}, change.key, change.hlc, self.devices.setdefault(change.device, change.device))
        if old is not None and (old[-2], old[-1]) <= (row[-2], row[-1]):
            return False               # the smallest clock wins, whatever order they come in
        rows[change.key] = row
        self.dirty.add(month)
        return old is None or old[:-2] != row[:-2]

    def find(self, call_id: str, month: str | None = None) -> CallRow | None:
        if month:
            row = self.read_month(month).get(call_id)
            if row is not None:
                return row
        for rows in self.months.values():
            row = rows.get(call_id)
            if row is not None:
                return row
        for m in sorted(self.known - set(self.months), reverse=True):
            row = self.read_month(m).get(call_id)
            if row is not None:
                return row
        return None

    def evict(self) -> None:
        """Drop months that are written to disk and outside the window."""
        keep = set(self.window_months()) | self.dirty
        for month in list(self.months):
            if month not in keep:
                del self.months[month]

    def count_resident(self) -> int:
        return sum(len(m) for m in self.months.values())
