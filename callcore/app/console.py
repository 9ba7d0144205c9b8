"""The call console (SPEC CON-1..6, REP-3): filter, sort, group and count the whole call log.

The store keeps only the newest two months of calls in memory (docs/store.md), and a
month read from disk takes about half a second, so the console keeps its own *index*: the
columns it filters, sorts and groups on, as numpy arrays per month (about 60 bytes a
call; strings interned once as int32 codes). It is built on the console's own thread the
first time the console is used, newest month first (the usual "today / this month"
answers at once, older months follow), and kept current from ``StoreChanged``.

Every request runs on that one thread (so index and queries never race) and its answer is
handed to ``deliver``; the UI passes its pump's ``call_soon``. A :class:`ConsoleResult`
holds only the matching row numbers, in order: the UI builds the rows it shows with
:meth:`ConsoleResult.page` (microseconds per row), so a million matches cost no widgets.
"""
from __future__ import annotations

import itertools
import logging
import queue
import re
import sys
import threading
import time as _time
import uuid
import dataclasses
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from .. import stats as stats_mod
from ..events import StoreChanged
from ..i18n import _
from ..records import CALL_DIRECTIONS, CALL_STATUSES, CONTACT_TYPES, CallRecord, User
from ..roles import PermissionDenied, may_change, scope_of
from ..textfold import fold
from ..console_query import (COLUMNS, GROUPS, PRESETS, QUICK_RANGES, CallDetails, ConsoleQuery,  # noqa: F401
                             ConsoleRow, GroupRow, quick_range, wall_seconds, _wall_of_iso)

log = logging.getLogger(__name__)
_NON_DIGITS = re.compile(r"\D")

# a call row (``calls.month_rows``) holds the CallRecord fields in declaration order
_F = {f.name: i for i, f in enumerate(dataclasses.fields(CallRecord))}
_EPOCH = datetime(1970, 1, 1)
_DIR = {d: i for i, d in enumerate(CALL_DIRECTIONS)}
# status codes: the call log's, then "scheduled" for open scheduled calls shown as rows (SCHED-3)
STATUS_NAMES = CALL_STATUSES + ("scheduled",)
_STATUS = {s: i for i, s in enumerate(STATUS_NAMES)}
_OUTCOME = np.append(stats_mod.STATUS_OUTCOME, 4).astype(np.int8)   # scheduled: no outcome
SCHEDULED = "scheduled"                     # the month label of the scheduled calls' block
_TYPE = {t: i for i, t in enumerate(CONTACT_TYPES)}


class _Strings:
    """Interned texts: code 0 is ''. Only ever appended to, so readers on other threads
    see a consistent prefix. Codes used as a name or a number are listed apart: free text
    searches one joined text of those (``re.finditer`` in C), not every interned string."""

    def __init__(self) -> None:
        self.text: list[str] = [""]
        self.code: dict[str, int] = {"": 0}
        self._roles: dict[str, list[int]] = {"name": [], "number": []}
        self._flags = bytearray(1)          # per code: 1 = used as a name, 2 = as a number (no sets:
        self.shared: dict[str, str] = {}    # 1 byte per code); texts the store already holds, reused
        self._joined: dict[str, tuple[int, str, np.ndarray, np.ndarray]] = {}
        self._ranks: np.ndarray | None = None

    def add(self, value: str | None) -> int:
        value = value or ""
        code = self.code.get(value)
        if code is None:
            value = self.shared.get(value, value)
            code = self.code[value] = len(self.text)
            self.text.append(value)
            self._flags.append(0)
        return code

    def role(self, kind: str, code: int) -> int:
        """Note that ``code`` is used as a ``name`` or a ``number`` (searchable)."""
        bit = 1 if kind == "name" else 2
        flags = self._flags
        if not flags[code] & bit:
            flags[code] |= bit
            self._roles[kind].append(code)
        return code

    def _piece(self, code: int, kind: str) -> str:
        """What free text is searched in: a name folded, a number's digits only."""
        if kind == "name":
            return fold(self.text[code]).replace("\n", " ")
        return _NON_DIGITS.sub("", self.text[code])

    def _joined_of(self, kind: str) -> tuple[int, str, np.ndarray, np.ndarray]:
        """(codes covered, their pieces joined by newlines, each piece's start, the codes),
        extended by the codes listed since (no folded copy of every name kept beside it)."""
        listed = self._roles[kind]
        cached = self._joined.get(kind)
        if cached is not None and cached[0] == len(listed):
            return cached
        done, text, starts, codes = cached if cached is not None else (0, "", np.zeros(0, np.int64),
                                                                      np.zeros(0, np.int32))
        new = listed[done:len(listed)]
        pieces = [self._piece(c, kind) for c in new]
        offset = len(text) + 1 if done else 0
        lengths = np.fromiter((len(x) + 1 for x in pieces), dtype=np.int64, count=len(pieces))
        new_starts = offset + np.concatenate(([0], np.cumsum(lengths)[:-1])) if pieces else lengths
        text = (text + "\n" if done else "") + "\n".join(pieces)
        cached = self._joined[kind] = (done + len(new), text, np.concatenate((starts, new_starts)),
                                       np.concatenate((codes, np.array(new, dtype=np.int32))))
        return cached

    def matching(self, needle: str, kind: str) -> np.ndarray:
        """Codes of ``kind`` (name: folded; number: digits only) containing ``needle``."""
        _n, joined, starts, codes = self._joined_of(kind)
        if not needle or codes.size == 0:
            return np.zeros(0, dtype=np.int32)
        found = np.fromiter((m.start() for m in re.finditer(re.escape(needle), joined)), dtype=np.int64)
        if found.size == 0:
            return np.zeros(0, dtype=np.int32)
        return np.unique(codes[np.searchsorted(starts, found, side="right") - 1])

    def ranks(self) -> np.ndarray:
        """Alphabetical rank of every code (names folded), for sorting by a text column."""
        if self._ranks is None or self._ranks.size != len(self.text):
            _n, joined, _starts, codes = self._joined_of("name")
            keys = list(self.text)
            for code, folded in zip(codes.tolist(), joined.split("\n") if codes.size else ()):
                keys[code] = folded
            order = sorted(range(len(keys)), key=keys.__getitem__)
            ranks = np.empty(len(order), dtype=np.int32)
            ranks[np.array(order, dtype=np.int64)] = np.arange(len(order), dtype=np.int32)
            self._ranks = ranks
        return self._ranks

    def member(self, column: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """``np.isin(column, codes)`` through a lookup table (one gather, no sort)."""
        table = np.zeros(len(self.text), dtype=np.bool_)
        table[codes] = True
        return table[column]


_COLS = ("t", "dir", "st", "ring", "talk", "caller", "called", "name", "cid", "user", "ext", "xto", "camp",
         "alive", "hi", "lo")


class _Block:
    """One month of the index: equal-length column arrays."""

    def __init__(self, month: str, cols: dict[str, np.ndarray], odd: dict[int, str]):
        self.month = month
        self.cols = cols
        self.odd = odd                       # row -> id for ids that are not UUIDs
        self.size = int(cols["t"].shape[0])

    def id_at(self, i: int) -> str:
        odd = self.odd.get(i)
        if odd is not None:
            return odd
        return str(uuid.UUID(int=(int(self.cols["hi"][i]) << 64) | int(self.cols["lo"][i])))

    def find(self, call_id: str) -> int | None:
        for pos, odd in self.odd.items():
            if odd == call_id:
                return pos
        hi, lo = _split_id(call_id)
        if hi is None:
            return None
        hits = np.flatnonzero((self.cols["hi"] == hi) & (self.cols["lo"] == lo))
        return int(hits[0]) if hits.size else None


_MASK64 = 0xFFFFFFFFFFFFFFFF


def _split_id(call_id: str) -> tuple[int | None, int | None]:
    """A canonical (lower-case, dashed) UUID as two 64-bit halves; (None, None) for any
    other id, which the block keeps as text."""
    if len(call_id) != 36 or call_id[8] != "-" or call_id[13] != "-" or call_id[18] != "-" or call_id[23] != "-":
        return None, None
    digits = call_id.replace("-", "")
    if len(digits) != 32 or digits != digits.lower():
        return None, None
    try:
        value = int(digits, 16)
    except ValueError:
        return None, None
    return value >> 64, value & _MASK64


def _walls(texts: Sequence[str]) -> np.ndarray:
    """``wall_seconds`` of many ISO texts at once: the usual ``YYYY-MM-DDTHH:MM:SS+hh:mm``
    parsed by numpy, turned local through one ``localtime`` per distinct hour (DST-safe);
    anything else one by one."""
    n = len(texts)
    naive, offsets, odd = [], np.zeros(n, dtype=np.int64), []
    for i, text in enumerate(texts):
        if len(text) == 25 and text[19] in "+-" and text[22] == ":" and text[10] == "T":
            naive.append(text[:19])
            off = int(text[20:22]) * 3600 + int(text[23:25]) * 60
            offsets[i] = off if text[19] == "+" else -off
        else:
            naive.append("1970-01-01T00:00:00")
            odd.append(i)
    try:
        utc = np.array(naive, dtype="datetime64[s]").astype(np.int64) - offsets
    except ValueError:
        return np.fromiter((_wall_of_iso(t) for t in texts), dtype=np.int64, count=n)
    hours, inverse = np.unique(utc // 3600, return_inverse=True)
    local = np.array([_time.localtime(int(h) * 3600).tm_gmtoff for h in hours], dtype=np.int64)
    walls = utc + local[inverse]
    for i in odd:
        walls[i] = _wall_of_iso(texts[i])
    return walls


def _give_back_memory() -> None:
    """Reading 36 months of JSON leaves the C heap fragmented (~50 MB at a million calls);
    glibc's ``malloc_trim`` hands the free parts back to the system. Elsewhere: nothing."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        log.debug("malloc_trim not available")


def _in_time_order(block: _Block) -> _Block:
    """The block with its rows sorted by start time (stable), so the index in month order is
    in time order: "newest first" needs no sort, and other sorts break ties by time."""
    t = block.cols["t"]
    if t.size < 2 or bool(np.all(t[1:] >= t[:-1])):
        return block
    perm = np.argsort(t, kind="stable")
    position = np.empty(perm.size, dtype=np.int64)
    position[perm] = np.arange(perm.size)
    odd = {int(position[old]): value for old, value in block.odd.items()}
    return _Block(block.month, {name: col[perm] for name, col in block.cols.items()}, odd)


class ConsoleResult:
    """The rows a query matched, in order (and its groups); pages are built on demand."""

    def __init__(self, feature: "ConsoleFeature", query: ConsoleQuery, blocks: list[_Block],
                 blk: np.ndarray, idx: np.ndarray, indexed: int, months: int):
        self._feature = feature
        self.query = query
        self._blocks = blocks
        self._blk = blk
        self._idx = idx
        self.total = int(idx.shape[0])
        self.months_indexed = indexed
        self.months_total = months
        self._group_arrays: tuple | None = None
        self._group_rows: list[GroupRow] | None = None
        self._group_of: np.ndarray | None = None
        self.totals = GroupRow("", 0, 0, 0, 0.0, 0.0)
        self._hits: list[tuple[int, np.ndarray]] = []     # (block, matching rows), before sorting
        self._order = np.zeros(0, dtype=np.int64)
        self._columns: dict[str, np.ndarray] = {}

    def unordered(self, name: str) -> np.ndarray:
        """One column of the matched calls, in block order (sums, counts)."""
        if not self._hits:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate([self._blocks[b].cols[name][h] for b, h in self._hits])

    def column(self, name: str) -> np.ndarray:
        """One column of the matched calls, in the result's order."""
        values = self._columns.get(name)
        if values is None:
            values = self._columns[name] = self.unordered(name)[self._order]
        return values

    @property
    def group_count(self) -> int:
        return 0 if self._group_arrays is None else int(self._group_arrays[0].size)

    def group_rows(self, offset: int, count: int) -> list[GroupRow]:
        """Groups ``offset`` … ``offset+count`` (largest first; days newest first)."""
        if self._group_arrays is None:
            return []
        keys, calls, answered, missed, ring, talk, label = self._group_arrays
        return [GroupRow(label(int(keys[g])), int(calls[g]), int(answered[g]), int(missed[g]),
                         float(ring[g]), float(talk[g])) for g in range(offset, min(offset + count, keys.size))]

    @property
    def groups(self) -> list[GroupRow]:
        if self._group_rows is None:
            self._group_rows = self.group_rows(0, self.group_count)
        return self._group_rows

    @property
    def complete(self) -> bool:
        return self.months_indexed >= self.months_total

    def _row(self, b: int, i: int) -> ConsoleRow:
        block = self._blocks[b]
        c = block.cols
        text = self._feature._strings.text
        cid = int(c["cid"][i])
        return ConsoleRow(
            id=block.id_at(i), month=block.month,
            started=_EPOCH + timedelta(seconds=int(c["t"][i])),
            direction=CALL_DIRECTIONS[int(c["dir"][i])], status=STATUS_NAMES[int(c["st"][i])],
            caller_number=text[int(c["caller"][i])], called_number=text[int(c["called"][i])],
            name=text[int(c["name"][i])], company=self._feature._company_text(cid),
            user=text[int(c["user"][i])], extension=text[int(c["ext"][i])],
            ring_seconds=float(c["ring"][i]), talk_seconds=float(c["talk"][i]),
            transferred_to=text[int(c["xto"][i])], contact_id=text[cid])

    def page(self, offset: int, count: int, group: int | None = None) -> list[ConsoleRow]:
        """Rows ``offset`` … ``offset+count`` of the result (of one group when given)."""
        positions = np.arange(self.total) if group is None else self.group_positions(group)
        chosen = positions[max(0, offset):max(0, offset) + max(0, count)]
        return [self._row(int(self._blk[p]), int(self._idx[p])) for p in chosen]

    def group_positions(self, group: int) -> np.ndarray:
        if self._group_of is None:
            return np.arange(0)
        return np.flatnonzero(self._group_of == group)

    def ids(self, positions: Sequence[int] | None = None) -> list[str]:
        chosen = range(self.total) if positions is None else positions
        return [self._blocks[int(self._blk[p])].id_at(int(self._idx[p])) for p in chosen]

    def records(self) -> Iterator[CallRecord]:
        """Every matched call as a record (notes from the notes table): for exports."""
        notes = self._feature.store.call_notes
        for p in range(self.total):
            row = self._row(int(self._blk[p]), int(self._idx[p]))
            note = notes.get(row.id)
            started = row.started.astimezone()
            yield CallRecord(id=row.id, linkedid="", direction=row.direction, status=row.status,
                             started_at=started.isoformat(), caller_number=row.caller_number,
                             called_number=row.called_number, extension=row.extension, user=row.user,
                             contact_id=row.contact_id, contact_name=row.name, ring_seconds=row.ring_seconds,
                             talk_seconds=row.talk_seconds, transferred_to=row.transferred_to,
                             notes=note.notes if note is not None else "")

    def stats_input(self) -> stats_mod.StatsInput:
        f = self._feature
        joined = {name: self.unordered(name)
                  for name in ("t", "st", "ring", "talk", "user", "cid", "name", "called", "dir")}
        company, _types = f._contact_maps()
        cid = joined["cid"].astype(np.int64)
        return stats_mod.StatsInput(
            t=joined["t"].astype(np.int64), status=joined["st"].astype(np.int8), ring=joined["ring"],
            talk=joined["talk"], user=joined["user"].astype(np.int64),
            contact=np.where(cid != 0, joined["name"].astype(np.int64), 0),
            company=company[cid] if cid.size else cid,
            line=np.where(joined["dir"] == _DIR["in"], joined["called"], 0).astype(np.int64),
            name_of=lambda code: f._strings.text[code])


class ConsoleFeature:
    """Queries over the whole call log for the console window (``ui.ports.ConsolePort``)."""

    def __init__(self, store: Any, hub: Any, *, current_user: Callable[[], User | None] = lambda: None,
                 annotations: Any = None):
        self.store = store
        self.hub = hub
        self.current_user = current_user
        self.annotations = annotations
        self._strings = _Strings()
        self._blocks: dict[str, _Block] = {}
        self._months: list[str] = []
        self._pending: list[str] | None = None        # months still to index, newest first
        self._jobs: queue.PriorityQueue = queue.PriorityQueue()
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._contacts_version = 0
        self._maps: tuple[int, int, np.ndarray, np.ndarray] | None = None
        self._cid_name: dict[int, int] = {}
        self._unsubscribe = hub.subscribe(StoreChanged, self._on_store_changed)
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ the thread
    def _submit(self, priority: int, fn: Callable[[], None]) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="console", daemon=True)
                self._thread.start()
                # before the request that started it: a query must know which months exist
                # (else the first one answers "0 of 0 calls, complete")
                self._jobs.put((0, next(self._seq), self._start_index))
        self._jobs.put((priority, next(self._seq), fn))

    def _run(self) -> None:
        while not self._stop.is_set():
            _p, _s, fn = self._jobs.get()
            if fn is None:
                return
            try:
                fn()
            except Exception:  # noqa: BLE001 - one failing request must not end the console
                log.exception("console job failed")

    def close(self) -> None:
        self._unsubscribe()
        self._stop.set()
        self._jobs.put((-1, next(self._seq), None))

    def _start_index(self) -> None:
        self._months = self.store.calls.months()
        self._pending = list(reversed(self._months))
        # the contacts' own id and name objects, so 100,000 contacts' texts are not kept twice
        shared = self._strings.shared
        for contact in self.store.contacts.all(copy=False):
            shared[contact.id] = contact.id
            shared[contact.name] = contact.name
        self._jobs.put((2, next(self._seq), self._index_next))

    def _index_next(self) -> None:
        if not self._pending or self._stop.is_set():
            return
        month = self._pending.pop(0)
        self._blocks[month] = self._build(month, self.store.calls.month_rows(month))
        if self._pending:
            self._jobs.put((2, next(self._seq), self._index_next))
        else:
            self._strings.shared = {}
            self._contact_maps()                      # company names interned before ranking
            self._strings.matching("", "name")        # fold the names and rank the texts now, not
            self._strings.matching("", "number")      # at the first search or sort
            self._strings.ranks()
            _give_back_memory()

    def wait_indexed(self, timeout: float = 60.0) -> bool:
        """Block until every month is indexed (tests, benchmarks)."""
        done = threading.Event()
        self._submit(3, done.set)
        return done.wait(timeout)

    # ------------------------------------------------------------------ building
    def _deleted_and_links(self) -> dict[str, Any]:
        return {a.id: a for a in self.store.call_annotations.all(copy=False)
                if a.deleted_at or a.contact_id}

    def _build(self, month: str, rows: Sequence[tuple], notes: dict[str, Any] | None = None) -> _Block:
        n = len(rows)
        get, intern, role = self._strings.code.get, self._strings.add, self._strings.role

        def add(value: str) -> int:
            code = get(value)
            return intern(value) if code is None else code
        F = _F
        annotated = self._deleted_and_links() if notes is None else notes
        cols = {
            "t": _walls([r[F["started_at"]] or "" for r in rows]),
            "dir": np.fromiter((_DIR.get(r[F["direction"]], 0) for r in rows), dtype=np.int8, count=n),
            "st": np.fromiter((_STATUS.get(r[F["status"]], 0) for r in rows), dtype=np.int8, count=n),
            "ring": np.fromiter((r[F["ring_seconds"]] or 0 for r in rows), dtype=np.float32, count=n),
            "talk": np.fromiter((r[F["talk_seconds"]] or 0 for r in rows), dtype=np.float32, count=n),
            "caller": np.fromiter((role("number", add(r[F["caller_number"]])) for r in rows), dtype=np.int32,
                                  count=n),
            "called": np.fromiter((role("number", add(r[F["called_number"]])) for r in rows), dtype=np.int32,
                                  count=n),
            "name": np.fromiter((role("name", add(r[F["contact_name"]] or r[F["caller_name"]])) for r in rows),
                                dtype=np.int32, count=n),
            "cid": np.fromiter((add(r[F["contact_id"]]) for r in rows), dtype=np.int32, count=n),
            "user": np.fromiter((add(r[F["user"]]) for r in rows), dtype=np.int32, count=n),
            "ext": np.fromiter((add(r[F["extension"]]) for r in rows), dtype=np.int32, count=n),
            "xto": np.fromiter((add(r[F["transferred_to"]]) for r in rows), dtype=np.int32, count=n),
            "camp": np.fromiter((bool(r[F["campaign_item_id"]]) for r in rows), dtype=np.bool_, count=n),
            "alive": np.ones(n, dtype=np.bool_),
        }
        hi = np.zeros(n, dtype=np.uint64)
        lo = np.zeros(n, dtype=np.uint64)
        odd: dict[int, str] = {}
        for i, r in enumerate(rows):
            h, l = _split_id(r[0])
            if h is None:
                odd[i] = r[0]
            else:
                hi[i], lo[i] = h, l
        cols["hi"], cols["lo"] = hi, lo
        block = _Block(month, cols, odd)
        for i, r in enumerate(rows):
            note = annotated.get(r[0])
            if note is not None:
                self._apply_annotation(block, i, note)
        return _in_time_order(block)

    def _apply_annotation(self, block: _Block, i: int, note: Any) -> None:
        if note.deleted_at:
            block.cols["alive"][i] = False
        if note.contact_id:
            block.cols["cid"][i] = self._strings.add(note.contact_id)
            if note.contact_name:
                block.cols["name"][i] = self._strings.role("name", self._strings.add(note.contact_name))

    def _scheduled_block(self) -> _Block:
        """Open scheduled calls as rows (status "scheduled", at their due time, assigned user),
        built per query: the table is small and changes often."""
        items = [i for i in self.store.scheduled.all(copy=False) if i.status == "open"]
        add, role = self._strings.add, self._strings.role
        n = len(items)
        zeros = lambda dtype: np.zeros(n, dtype=dtype)  # noqa: E731
        cols = {"t": np.fromiter((_wall_of_iso(i.due_at) for i in items), dtype=np.int64, count=n),
                "dir": np.full(n, _DIR["out"], dtype=np.int8), "st": np.full(n, _STATUS[SCHEDULED], dtype=np.int8),
                "ring": zeros(np.float32), "talk": zeros(np.float32), "caller": zeros(np.int32),
                "called": np.fromiter((role("number", add(i.number)) for i in items), dtype=np.int32, count=n),
                "name": np.fromiter((role("name", add(i.contact_name)) for i in items), dtype=np.int32, count=n),
                "cid": np.fromiter((add(i.contact_id) for i in items), dtype=np.int32, count=n),
                "user": np.fromiter((add(i.assigned_user) for i in items), dtype=np.int32, count=n),
                "ext": zeros(np.int32), "xto": zeros(np.int32), "camp": zeros(np.bool_),
                "alive": np.ones(n, dtype=np.bool_), "hi": zeros(np.uint64), "lo": zeros(np.uint64)}
        return _Block(SCHEDULED, cols, {k: i.id for k, i in enumerate(items)})

    def _on_store_changed(self, event: StoreChanged) -> None:
        if self._thread is None:
            return                      # the console was never opened: nothing indexed
        if event.table == "calls":
            keys = list(event.keys)
            self._submit(0, lambda: self._add_calls(keys))
        elif event.table == "call_annotations":
            keys = list(event.keys)
            self._submit(0, lambda: self._annotations_changed(keys))
        elif event.table == "contacts":
            self._contacts_version += 1

    def _add_calls(self, keys: list[str]) -> None:
        if self._pending is None:
            return                      # not indexed yet: the index reads them anyway
        by_month: dict[str, list[tuple]] = {}
        for key in keys:
            record = self.store.calls.get(key)
            if record is None:
                continue
            month = record.month
            block = self._blocks.get(month)
            if block is not None and block.find(key) is not None:
                continue
            if month in self._pending:
                continue                # indexed when its turn comes
            by_month.setdefault(month, []).append(tuple(getattr(record, n) for n in _F))
        for month, rows in by_month.items():
            new = self._build(month, rows)
            old = self._blocks.get(month)
            if old is None:
                self._blocks[month] = new
                self._months = sorted(set(self._months) | {month})
            else:
                odd = dict(old.odd)
                odd.update({old.size + i: v for i, v in new.odd.items()})
                self._blocks[month] = _in_time_order(_Block(month, {c: np.concatenate([old.cols[c], new.cols[c]])
                                                                    for c in _COLS}, odd))

    def _annotations_changed(self, keys: list[str]) -> None:
        for key in keys:
            note = self.store.call_annotations.get(key)
            if note is None:
                continue
            for block in self._blocks.values():
                i = block.find(key)
                if i is not None:
                    self._apply_annotation(block, i, note)
                    break

    # ------------------------------------------------------------------ lookups
    def _contact_maps(self) -> tuple[np.ndarray, np.ndarray]:
        """(company code, contact type index or -1) per string code that is a contact id."""
        size = len(self._strings.text)
        if self._maps is not None and self._maps[0] == size and self._maps[1] == self._contacts_version:
            return self._maps[2], self._maps[3]
        company = np.zeros(size, dtype=np.int32)
        types = np.full(size, -1, dtype=np.int8)
        code = self._strings.code
        for contact in self.store.contacts.all(copy=False):
            c = code.get(contact.id)
            if c is None or c >= size:
                continue
            types[c] = _TYPE.get(contact.type, -1)
            own = contact.type in ("customer", "supplier")
            company[c] = self._strings.add(contact.name if own and not contact.company else contact.company)
        if company.size < len(self._strings.text):          # company names added just now
            company = np.concatenate([company, np.zeros(len(self._strings.text) - company.size, np.int32)])
            types = np.concatenate([types, np.full(len(self._strings.text) - types.size, -1, np.int8)])
        self._maps = (len(self._strings.text), self._contacts_version, company, types)
        return company, types

    def _company_text(self, cid: int) -> str:
        maps = self._maps
        if not cid or maps is None or cid >= maps[2].size:
            return ""
        return self._strings.text[int(maps[2][cid])]

    def actor(self) -> User | None:
        return self.current_user()

    def presets(self) -> list[str]:
        """CON-3: the presets this user may pick (agents: my calls only)."""
        scope = scope_of(self.actor())
        return {"own": ["mine"], "group": ["mine", "group"], "all": ["mine", "group", "all"]}[scope]

    def _users_of(self, preset: str, groups: tuple[str, ...]) -> set[str] | None:
        """User names a preset and group filter allow (None: anyone)."""
        actor = self.actor()
        allowed = {"own": "mine", "group": "group", "all": "all"}[scope_of(actor)]
        order = {"mine": 0, "group": 1, "all": 2}
        preset = preset if order.get(preset, 2) <= order[allowed] else allowed
        users = list(self.store.users.all(copy=False))
        names: set[str] | None = None
        if preset == "mine" and actor is not None:
            names = {actor.name}
        elif preset == "group" and actor is not None:
            names = {u.name for u in users if u.group_id and u.group_id == actor.group_id} | {actor.name}
        if groups:
            wanted = {g.id for g in self.store.groups.all(copy=False) if g.name in groups}
            in_groups = {u.name for u in users if u.group_id in wanted}
            names = in_groups if names is None else names & in_groups
        return names

    # ------------------------------------------------------------------ queries
    def search(self, query: ConsoleQuery, deliver: Callable[[ConsoleResult], None]) -> None:
        """Run ``query`` on the console thread; ``deliver(result)`` from that thread."""
        self._submit(0, lambda: deliver(self.run(query)))

    def statistics(self, query: ConsoleQuery, deliver: Callable[[stats_mod.CallStats], None],
                   period: str = "auto") -> None:
        self._submit(0, lambda: deliver(stats_mod.compute(
            self.run(replace(query, group_by="", sort="started"), ordered=False).stats_input(), period)))

    def _codes(self, values: Sequence[str]) -> np.ndarray:
        code = self._strings.code
        return np.array([code[v] for v in values if v in code], dtype=np.int32)

    def run(self, query: ConsoleQuery, ordered: bool = True) -> ConsoleResult:
        """The query on the calling thread (the console thread, or tests and benchmarks after
        ``wait_indexed``)."""
        s = self._strings
        self._contact_maps()                      # companies shown on the rows
        start = wall_seconds(query.start) if query.start else None
        end = wall_seconds(query.end) if query.end else None
        # a call's month is the date in its own offset: a day of slack for other time zones
        first_month = (query.start - timedelta(days=1)).strftime("%Y-%m") if query.start else ""
        last_month = (query.end + timedelta(days=1)).strftime("%Y-%m") if query.end else "9999-99"
        users = self._users_of(query.preset, query.groups)
        if query.users:
            users = set(query.users) if users is None else users & set(query.users)
        user_codes = self._codes(sorted(users)) if users is not None else None
        ext_codes = self._codes(query.extensions) if query.extensions else None
        line_codes = self._codes(query.lines) if query.lines else None
        dirs = np.array([_DIR[d] for d in query.directions if d in _DIR], dtype=np.int8)
        sts = np.array([_STATUS[x] for x in query.statuses if x in _STATUS], dtype=np.int8)
        text = query.text.strip()
        name_codes = number_codes = None
        if text:
            name_codes = s.matching(fold(text), "name")
            digits = "".join(ch for ch in fold(text) if ch.isdigit())
            number_codes = s.matching(digits, "number") if digits and len(digits) >= len(text.replace(" ", "")) - 1 \
                else np.zeros(0, dtype=np.int32)
        type_ok = None
        if query.contact_types:
            _company, types = self._contact_maps()
            type_ok = np.isin(types, [_TYPE[t] for t in query.contact_types if t in _TYPE])
        blocks = [self._blocks[m] for m in sorted(self._blocks) if first_month <= m <= last_month]
        scheduled = ordered and (not query.statuses or SCHEDULED in query.statuses) \
            and not query.campaign == "yes"
        if scheduled:
            blocks.append(self._scheduled_block())
        if name_codes is not None:
            name_table = np.zeros(len(s.text), dtype=np.bool_)
            name_table[name_codes] = True
            number_table = np.zeros(len(s.text), dtype=np.bool_)
            number_table[number_codes] = True
        hits_parts: list[tuple[int, np.ndarray]] = []
        for b, block in enumerate(blocks):
            c = block.cols
            mask = c["alive"].copy()
            if start is not None:
                mask &= c["t"] >= start
            if end is not None:
                mask &= c["t"] < end
            if query.directions:
                mask &= np.isin(c["dir"], dirs)
            if query.statuses:
                mask &= np.isin(c["st"], sts)
            if user_codes is not None:
                mask &= s.member(c["user"], user_codes)
            if ext_codes is not None:
                mask &= s.member(c["ext"], ext_codes)
            if line_codes is not None:
                mask &= s.member(c["called"], line_codes)
            if query.campaign:
                mask &= c["camp"] if query.campaign == "yes" else ~c["camp"]
            if type_ok is not None:
                cid = c["cid"]
                mask &= type_ok[np.minimum(cid, type_ok.size - 1)] & (cid < type_ok.size)
            if name_codes is not None:
                mask &= (name_table[c["name"]] | number_table[c["caller"]] | number_table[c["called"]])
            hits = np.flatnonzero(mask).astype(np.int32)
            if hits.size:
                hits_parts.append((b, hits))
        blk = np.concatenate([np.full(h.size, b, dtype=np.int16) for b, h in hits_parts]) if hits_parts \
            else np.zeros(0, np.int16)
        idx = np.concatenate([h for _b, h in hits_parts]) if hits_parts else np.zeros(0, np.int32)
        result = ConsoleResult(self, query, blocks, blk, idx, len(self._months) - len(self._pending or []),
                               len(self._months))
        result._hits = hits_parts
        key = self._sort_key(query.sort, result) if ordered else None
        # blocks are in time order: "newest first" is the reverse, other keys sort stably
        if key is None and scheduled and blocks[-1].size:
            key = result.unordered("t")            # scheduled calls may be overdue: sort by time
        order = np.argsort(key, kind="stable") if key is not None else np.arange(idx.size)
        if query.descending:
            order = order[::-1]
        result._order = order
        result._blk, result._idx = blk[order], idx[order]
        self._totals(result)
        if query.group_by:
            self._group(result)
        return result

    def _sort_key(self, sort: str, result: ConsoleResult) -> np.ndarray | None:
        column = {"direction": "dir", "status": "st", "caller": "caller", "called": "called", "name": "name",
                  "user": "user", "extension": "ext", "ring": "ring", "talk": "talk", "company": "cid"}.get(sort)
        if column is None:
            return None
        values = result.unordered(column)
        if column in ("caller", "called", "name", "user", "ext"):
            return self._strings.ranks()[values]
        if column == "cid":
            company, _types = self._contact_maps()
            return self._strings.ranks()[company[values]] if values.size else values
        return values

    def _group_keys(self, result: ConsoleResult) -> tuple[np.ndarray, Callable[[int], str]]:
        by = result.query.group_by
        text = self._strings.text
        if by == "day":
            return result.column("t") // 86400, lambda k: (date(1970, 1, 1) + timedelta(days=int(k))).isoformat()
        if by == "status":
            return result.column("st"), lambda k: STATUS_NAMES[int(k)]
        column = {"contact": "name", "user": "user", "line": "called", "company": "cid"}[by]
        values = result.column(column)
        if by == "company":
            company, _types = self._contact_maps()
            values = company[values] if values.size else values
        return values, lambda k: text[int(k)]

    def _tally(self, result: ConsoleResult, ordered: bool) -> tuple[np.ndarray, ...]:
        get = result.column if ordered else result.unordered
        st = get("st")
        outcome = _OUTCOME[st.astype(np.intp)] if st.size else st
        return outcome, get("ring").astype(np.float64), get("talk").astype(np.float64)

    def _totals(self, result: ConsoleResult) -> None:
        outcome, ring, talk = self._tally(result, ordered=False)
        result.totals = GroupRow(_("All"), result.total, int((outcome == 0).sum()), int((outcome == 1).sum()),
                                 float(ring.sum()), float(talk.sum()))

    def _group(self, result: ConsoleResult) -> None:
        """CON-3 group by: counts and totals per value, largest groups first (days: in the
        sort direction). Group rows are built only when shown."""
        keys, label = self._group_keys(result)
        outcome, ring, talk = self._tally(result, ordered=True)
        uniq, inverse = np.unique(keys, return_inverse=True)
        calls = np.bincount(inverse, minlength=uniq.size)
        answered = np.bincount(inverse, weights=(outcome == 0), minlength=uniq.size)
        missed = np.bincount(inverse, weights=(outcome == 1), minlength=uniq.size)
        ring_sum = np.bincount(inverse, weights=ring, minlength=uniq.size)
        talk_sum = np.bincount(inverse, weights=talk, minlength=uniq.size)
        if result.query.group_by == "day":
            order = np.arange(uniq.size)[::-1] if result.query.descending else np.arange(uniq.size)
        else:
            order = np.lexsort((uniq, -calls))
        remap = np.empty(uniq.size, dtype=np.int64)
        remap[order] = np.arange(uniq.size)
        result._group_of = remap[inverse]
        result._group_arrays = (uniq[order], calls[order], answered[order], missed[order], ring_sum[order],
                                talk_sum[order], label)

    # ------------------------------------------------------------------ details and actions
    def details(self, call_id: str, month: str, deliver: Callable[[CallDetails | None], None]) -> None:
        self._submit(0, lambda: deliver(self.details_now(call_id, month)))

    def details_now(self, call_id: str, month: str | None = None) -> CallDetails | None:
        if month == SCHEDULED:
            item = self.store.scheduled.get(call_id)
            if item is None:
                return None
            return CallDetails(record=CallRecord(
                id=item.id, linkedid="", direction="out", status="unanswered", started_at=item.due_at,
                called_number=item.number, user=item.assigned_user, contact_id=item.contact_id,
                contact_name=item.contact_name, notes=item.notes), scheduled=item)
        record = self.store.calls.get(call_id, month)
        if record is None:
            return None
        note = self.store.call_annotations.get(call_id)
        if self.annotations is not None:
            record = self.annotations.annotated(record)
        details = CallDetails(record=record, deleted=bool(note and note.deleted_at))
        contact = self.store.contacts.get(record.contact_id) if record.contact_id else None
        if contact is not None:
            details.contact_type = contact.type
            details.company = contact.company or (contact.name if contact.type in ("customer", "supplier") else "")
        if record.linkedid:
            legs = [r for r in self.store.calls.month_rows(record.month) if r[_F["linkedid"]] == record.linkedid]
            if len(legs) > 1:
                ids = sorted((r[_F["started_at"]], r[0]) for r in legs)
                details.legs = [self.store.calls.get(i, record.month) for _s, i in ids]
        activity_id = (note.activity_id if note else "") or record.activity_id
        details.activity = self.store.activities.get(activity_id) if activity_id else None
        if note is not None and note.scheduled_id:
            details.scheduled = self.store.scheduled.get(note.scheduled_id)
        return details

    def _owner(self, user_name: str) -> User | None:
        folded = user_name.strip().casefold()
        if not folded:
            return None
        return next((u for u in self.store.users.all(copy=False) if u.name.strip().casefold() == folded), None)

    def delete(self, call_ids: Sequence[str], users: Sequence[str]) -> int:
        """CON-6: hide these calls from the console and statistics everywhere (the log itself
        is insert-only). Each call is checked by the role rules first; nothing is written
        when one is refused."""
        actor = self.actor()
        for user in set(users):
            if not may_change(actor, self._owner(user)):
                raise PermissionDenied(actor, _("delete another user's call"), self._owner(user))
        when = datetime.now(timezone.utc).isoformat(timespec="seconds")
        for call_id in call_ids:
            note = self.store.call_annotations.get(call_id)
            if note is None:
                from ..records import CallAnnotation
                note = CallAnnotation(id=call_id)
            note.deleted_at = when
            note.user = actor.name if actor is not None else note.user
            note.updated_at = when
            self.store.call_annotations.put(note)
        return len(call_ids)

    def clear(self, result: ConsoleResult, deliver: Callable[[int | Exception], None]) -> None:
        """Delete every call of a result the signed-in user may change (by role)."""
        def work() -> None:
            actor = self.actor()
            rows = result.page(0, result.total)
            mine = [r for r in rows if r.month != SCHEDULED and may_change(actor, self._owner(r.user))]
            try:
                deliver(self.delete([r.id for r in mine], [r.user for r in mine]))
            except Exception as exc:  # noqa: BLE001 - handed to the UI as a message
                deliver(exc)
        self._submit(1, work)

    def export(self, result: ConsoleResult, path: str, kind: str, deliver: Callable[[str | Exception], None],
               office: str = "", stats: stats_mod.CallStats | None = None) -> None:
        """Write the result as csv, xlsx or pdf (the reports package's writers)."""
        def work() -> None:
            try:
                from .console_export import write
                write(path, kind, list(result.records()), result.query, office)
                deliver(path)
            except Exception as exc:  # noqa: BLE001 - handed to the UI as a message
                log.exception("console export failed")
                deliver(exc)
        self._submit(1, work)


def make_console(app: Any) -> ConsoleFeature:
    """Window mode: the console acts as the signed-in user (an anonymous agent when users
    exist and nobody is signed in: sees only calls nobody handled)."""
    def actor() -> User | None:
        session = getattr(app, "session", None)
        if session is None:
            return None
        try:
            return session.actor()
        except PermissionDenied:
            return User(name="", id="", role="agent")

    return ConsoleFeature(app.store, app.hub, current_user=actor,
                          annotations=getattr(app, "annotations", None))
