"""The store facade: local-first tables, the journal that makes a change durable, and the
background thread that publishes and merges changes through the shared folder.

Life of a local change: validate → journal line fsync'd (committed) → merged into memory
→ subscribers told → published to the share within about a second → merged by every other
station. The TinyDB table files are checkpoints of the journal, written in the background.
"""
from __future__ import annotations

import gc
import logging
import os
import re
import secrets
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator

from ..i18n import _
from ..records import Campaign, CampaignClaim, CampaignEntry, CampaignOutcome  # issue 10
from ..records import (Activity, CallAnnotation, CallNote, Contact, Group, OfficeSetting, Record, ReminderClaim,
                       ScheduledCall, User)
from .base import StoreError, StoreProblem, named, reason
from .changes import Change, RangeSet, encode, encode_parts, parse_lines
from .checker import check_store
from .clock import HybridClock, env_clock_offset
from .files import move_aside
from .identity import LocalIdentity, read_identity, write_identity
from .journal import Journal
from .lock import LocalLock, ShareHeartbeat, StationInUseError
from .repos import CallsRepo, Repo
from .repair import ShareRepairs, split_device
from .share import (BATCH_RE, ShareLayout, ShareNotWritable, ShareUnavailable, SnapshotDamaged, file_age,
                    is_conflict_copy, read_snapshot_part, write_snapshot)
from .tables import CallLog, FieldTable, doc_row, month_of, row_doc
from .tablefiles import DamagedFile, TableFiles, read_state, read_table_file, write_state

STATION_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
FIELD_TABLES: dict[str, type[Record]] = {
    "contacts": Contact, "scheduled_calls": ScheduledCall, "activities": Activity, "users": User,
    "groups": Group, "office_settings": OfficeSetting, "call_notes": CallNote,
    "call_annotations": CallAnnotation, "reminder_claims": ReminderClaim,
    **{cls.TABLE: cls for cls in (Campaign, CampaignEntry, CampaignClaim, CampaignOutcome)},   # issue 10
}
BATCH_LIMIT = 5000
CHECKPOINT_SECONDS = 30.0
CHECKPOINT_LINES = 20000
HEARTBEAT_SECONDS = 5.0
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChangeSet:
    table: str
    keys: frozenset[str]
    origin: str            # "local" | "remote"


@dataclass
class SyncReport:
    online: bool = False
    published: int = 0               # own changes written to the share
    applied: int = 0                 # changes merged from other stations
    files_read: int = 0
    problems: list[StoreProblem] = field(default_factory=list)
    error: str = ""


@dataclass
class CompactReport:
    snapshot: Path | None = None
    records: int = 0
    calls: int = 0
    bytes: int = 0
    seconds: float = 0.0
    archived: int = 0


class Store(ShareRepairs):
    """Open with :meth:`open`; close with :meth:`close` (or use as a context manager)."""

    def __init__(self, local_folder: Path, shared_folder: Path | None, station_id: str, *,
                 sync_interval: float = 1.0, clock_offset: float | None = None, calls_window: int = 2,
                 torn_grace: float = 10.0, stale_seconds: float = 30.0):
        if not STATION_ID_RE.match(station_id or ""):
            raise StoreError(_("station.id: must be 1-64 letters, digits, '.', '_' or '-', not {value!r}").format(
                value=station_id))
        self.local = Path(local_folder)
        self.station = station_id
        self.sync_interval = sync_interval
        self.torn_grace = torn_grace
        self.clock = HybridClock(env_clock_offset() if clock_offset is None else clock_offset)
        self.problems: list[StoreProblem] = []
        self._lock = threading.RLock()
        self._sync_lock = threading.Lock()
        self._checkpoint_lock = threading.Lock()
        self._subscribers: list[Callable[[ChangeSet], None]] = []
        self._files = TableFiles(self.local / "tables")
        self._quarantine = self.local / "quarantine"
        self._state_path = self.local / "state.json"
        self._local_lock = LocalLock(self.local, station_id)
        self.layout = ShareLayout(Path(shared_folder), station_id) if shared_folder else None
        self._heartbeat = ShareHeartbeat(self.layout.own, station_id, stale_seconds) if self.layout else None
        self._calls_window = calls_window
        self.epoch = ""
        self.device = ""
        self.own_seq = 0
        self.published = 0
        self.ranges: dict[str, RangeSet] = {}
        self.merged_snapshot = ""
        self.pending: list[tuple[int, str]] = []
        self.lines_since_checkpoint = 0
        self.last_checkpoint = time.monotonic()
        self._done: dict[str, set[str]] = {}
        self._seen_problems: set[str] = set()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._last_beat = 0.0
        self._published_checked = False
        self._needs_rebuild = False
        self.online: bool | None = None
        self.closed = False
        self.tables: dict[str, FieldTable] = {name: FieldTable(name, cls) for name, cls in FIELD_TABLES.items()}
        self.calllog: CallLog | None = None
        self.journal: Journal | None = None
        self._batch: list[tuple[Change, Record | None]] | None = None   # local changes of an open batch()
        self._identity_path = self.local / "identity.json"
        self.identity = LocalIdentity()
        self.share_id = ""                           # the share this local folder syncs with
        self.share_status = ""                       # "" or why the share cannot be used now
        self.former: dict[str, int] = {}             # earlier own device ids → published mark
        self.former_pending: dict[str, list[tuple[int, str]]] = {}
        self._conditions: dict[str, StoreProblem] = {}   # problems that last only while true
        self._journal_damage: dict[Path, list[int]] = {}
        self._gap_check_due = True
        self._last_gap_check = 0.0
        self._snapshot_due = False
        self._in_compact = False
        self._own_batches: dict[Path, set[str]] = {}

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, local_folder: Path, shared_folder: Path | None, station_id: str, *,
             sync_interval: float = 1.0, background_sync: bool = True, **options: Any) -> "Store":
        store = cls(local_folder, shared_folder, station_id, sync_interval=sync_interval, **options)
        try:
            store._open()
        except BaseException:
            store._local_lock.release()
            raise
        if background_sync and store.layout is not None:
            store._thread = threading.Thread(target=store._run, name=f"store-sync-{station_id}", daemon=True)
            store._thread.start()
        return store

    def _open(self) -> None:
        try:
            self.local.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(_("store.local_folder: cannot create {path}: {error}").format(
                path=self.local, error=exc)) from None
        self._local_lock.acquire()
        if self._heartbeat is not None:
            try:
                self._heartbeat.check_free()
            except OSError:
                pass                         # share unreachable: work offline, check again later
        state = self._load_state()
        views_pos = int(state.get("views_pos", 0))
        self.identity = self._load_identity()
        self.share_id = self.identity.share_id
        # same station id and state: carry on; renamed PC or lost state: a new device id,
        # and the old ones become "former" devices whose unpublished lines are still published
        same = bool(state.get("epoch")) and state.get("station", self.station) == self.station
        self.epoch = state["epoch"] if same else secrets.token_hex(3)
        self.device = f"{self.station}#{self.epoch}"
        self.own_seq = int(state.get("own_seq", 0)) if same else 0
        self.published = int(state.get("published", 0)) if same else 0
        self.former = {d: int(p) for d, p in (state.get("former") or {}).items() if d != self.device}
        if state.get("epoch") and not same:
            old = f"{state.get('station')}#{state['epoch']}"
            self.former[old] = max(self.former.get(old, 0), int(state.get("published", 0)))
        for d in self.identity.devices:
            if d != self.device:
                self.former.setdefault(d, 0)
        self.ranges = {dev: RangeSet(r) for dev, r in (state.get("ranges") or {}).items()}
        self.merged_snapshot = state.get("snapshot", "")
        self.clock.observe(int(state.get("hlc", 0)))
        gc_was_on = gc.isenabled()
        gc.disable()            # millions of new objects: the cyclic GC would rescan them again and again
        try:
            loaded = self._load_tables()
        finally:
            if gc_was_on:
                gc.enable()
        if not loaded:
            views_pos = 0
            self.ranges = {}                 # re-merge everything the share still has
            self.merged_snapshot = ""
            self._needs_rebuild = False
        self.journal = Journal(self.local / "journal", self.device, self._quarantine)
        replay = self.journal.recover()
        for path, problem in replay.problems:
            self._problem(path, problem)
        self._journal_damage = dict(replay.damaged)
        if replay.damaged:
            self.merged_snapshot = ""        # look at the snapshot again: it may hold the lost lines
        if replay.entries:
            # lines of this station id in this folder's journal are this folder's own, even
            # when state and identity are lost or lag behind (or already on the share, which
            # publishing skips)
            prefix = f"{self.station}#"
            for d in {c.device for _p, c in replay.entries}:
                if d.startswith(prefix) and d != self.device:
                    self.former.setdefault(d, 0)
        for pos, change in replay.entries:
            if change.device == self.device:
                self.own_seq = max(self.own_seq, change.seq)
            self.clock.observe(change.hlc)
            self._range(change.device).add(change.seq)
            if pos >= views_pos:
                self._apply(change)
        self.pending = [(c.seq, encode(c)) for _p, c in replay.entries
                        if c.device == self.device and c.seq > self.published]
        if self.former:
            for _p, c in replay.entries:
                mark = self.former.get(c.device)
                if mark is not None and c.seq > mark:
                    self.former_pending.setdefault(c.device, []).append((c.seq, encode(c)))
        self.journal.open(tolerant=True)     # a full disk must not stop reading
        self.lines_since_checkpoint = max(0, self.journal.pos - views_pos)
        if self.device not in self.identity.devices:
            self.identity.devices.append(self.device)
            self._save_identity()
        if not same or not self._state_path.exists():
            try:
                self._write_state(self._state_snapshot(views_pos))
            except OSError as exc:
                log.warning("cannot write %s yet: %s", self._state_path, reason(exc))
        self._beat(force=True)

    def _load_identity(self) -> LocalIdentity:
        try:
            return read_identity(self._identity_path) or LocalIdentity()
        except DamagedFile as exc:
            self._quarantine_local(exc.path, exc.problem)
            return LocalIdentity()

    def _save_identity(self) -> None:
        self.identity.share_id = self.share_id
        try:
            write_identity(self._identity_path, self.identity)
        except OSError as exc:               # disk full: tried again when something changes
            log.warning("cannot write %s: %s", self._identity_path, reason(exc))

    def _load_state(self) -> dict[str, Any]:
        try:
            return read_state(self._state_path) or {}
        except DamagedFile as exc:
            self._quarantine_local(exc.path, exc.problem)
            return {"views_pos": 0, "damaged": True}

    def _load_tables(self) -> bool:
        """Read the table files; False if one was damaged (it is set aside)."""
        for name, table in self.tables.items():
            try:
                table.load_docs(self._files.read(name) or [])
            except (DamagedFile, KeyError, TypeError, ValueError) as exc:
                path = getattr(exc, "path", self._files.path(name))
                self._table_damaged(path, getattr(exc, "problem", str(exc)))
                table.records.clear()
        self.calllog = CallLog(self._load_month, self._files.months(), self._calls_window)
        return not self._needs_rebuild

    def _load_month(self, month: str) -> list[dict[str, Any]]:
        path = self._files.path(f"calls-{month}")
        try:
            docs = read_table_file(path) or []
            for doc in docs:
                if not isinstance(doc.get("v"), dict) or len(doc.get("h") or ()) != 2:
                    raise DamagedFile(path, _("has a malformed record"))
            return docs
        except DamagedFile as exc:
            self._table_damaged(path, exc.problem)
            return []

    def _table_damaged(self, path: Path, problem: str) -> None:
        """A local table file is bad: set it aside and rebuild what it held from the
        journal and the shared folder (never carry on as if it were empty)."""
        self._quarantine_local(path, problem)
        self._needs_rebuild = True

    def _rebuild(self) -> None:
        """Forget which changes were applied and replay the journal; the next sync merges
        the snapshot and every batch on the share again (merging is idempotent)."""
        assert self.journal is not None
        with self._lock:
            self._needs_rebuild = False
            self.ranges = {}
            self.merged_snapshot = ""
            self._done.clear()
            for seg in list(self.journal.segments):
                for change in parse_lines(seg.path.read_bytes()).changes:
                    self._range(change.device).add(change.seq)
                    self._apply(change)

    def _quarantine_local(self, path: Path, problem: str) -> None:
        try:
            moved = move_aside(path, self._quarantine) if path.exists() else None
        except OSError as exc:
            log.warning("cannot set aside %s: %s", path, reason(exc))
            moved = None
        self._problem(path, _("{problem}; set aside as {moved}; rebuilt from the journal and the shared folder").format(
            problem=problem, moved=moved or "-"))

    def _problem(self, path: Path, problem: str) -> StoreProblem:
        item = StoreProblem(Path(path), problem)
        if str(item) not in self._seen_problems:
            self._seen_problems.add(str(item))
            self.problems.append(item)
            log.warning("store problem: %s", item)
        return item

    def _forget_problems(self, path: Path) -> None:
        """Stop reporting problems of ``path`` (repaired)."""
        with self._lock:
            for item in [p for p in self.problems if p.path == Path(path)]:
                self.problems.remove(item)
                self._seen_problems.discard(str(item))

    def _set_condition(self, kind: str, path: Path | None, text: str | None = None) -> None:
        """A problem that lasts only while it is true (share not available, cannot write,
        disk full): listed in ``problems`` until cleared with ``text=None``."""
        with self._lock:
            old = self._conditions.get(kind)
            if old is not None and (text is None or str(old) != f"{path}: {text}"):
                del self._conditions[kind]
                if old in self.problems:
                    self.problems.remove(old)
                self._seen_problems.discard(str(old))
            if text is not None and path is not None and kind not in self._conditions:
                self._conditions[kind] = self._problem(path, text)
            if kind in ("share", "write"):
                self.share_status = "; ".join(str(c.problem) for k, c in self._conditions.items()
                                              if k in ("share", "write"))

    def _range(self, device: str) -> RangeSet:
        r = self.ranges.get(device)
        if r is None:
            r = self.ranges[device] = RangeSet()
        return r

    # ------------------------------------------------------------------ repositories
    @property
    def contacts(self) -> Repo[Contact]:
        return Repo(self, self.tables["contacts"])

    @property
    def scheduled(self) -> Repo[ScheduledCall]:
        return Repo(self, self.tables["scheduled_calls"])

    @property
    def activities(self) -> Repo[Activity]:
        return Repo(self, self.tables["activities"])

    @property
    def users(self) -> Repo[User]:
        return Repo(self, self.tables["users"])

    @property
    def groups(self) -> Repo[Group]:
        return Repo(self, self.tables["groups"])

    @property
    def office_settings(self) -> Repo[OfficeSetting]:
        return Repo(self, self.tables["office_settings"])

    @property
    def call_notes(self) -> Repo[CallNote]:
        return Repo(self, self.tables["call_notes"])

    @property
    def call_annotations(self) -> Repo[CallAnnotation]:
        return Repo(self, self.tables["call_annotations"])

    @property
    def reminder_claims(self) -> Repo[ReminderClaim]:
        return Repo(self, self.tables["reminder_claims"])

    @property
    def calls(self) -> CallsRepo:
        assert self.calllog is not None
        return CallsRepo(self, self.calllog, self.tables["call_notes"])

    # ------------------------------------------------------------------ changes
    def _apply(self, change: Change, fields_text: str | None = None, record: Record | None = None) -> bool:
        if change.table == "calls":
            assert self.calllog is not None
            return self.calllog.apply(change)
        table = self.tables.get(change.table)
        if table is None:
            return False                     # a table of a newer version: kept in the journal
        try:
            return table.apply(change, fields_text, record)
        except (TypeError, ValueError, AttributeError) as exc:
            self._problem(Path(change.table), _("change {id} cannot be applied: {error}").format(
                id=change.change_id, error=exc))
            return False

    def _commit(self, table: str, key: str, fields: dict[str, Any] | None) -> None:
        """Make one local change durable, then apply it. Caller holds ``_lock``.
        Inside :meth:`batch` the change waits for the batch's single journal write."""
        self._commit_many(table, [(key, fields)])

    def _commit_many(self, table: str, entries: list[tuple[str, dict[str, Any] | None]],
                     records: list[Record] | None = None) -> None:
        """:meth:`_commit` for many ``(key, fields)`` of one table (``Repo.put_many``):
        one journal write, or joined to the open :meth:`batch`. ``records``: the validated
        records the fields came from (one per entry), copied into memory instead of being
        rebuilt from the fields. Caller holds ``_lock``."""
        if self.closed:
            raise StoreError(_("the store is closed"))
        assert self.journal is not None
        if not entries:
            return
        device, seq = self.device, self.own_seq
        changes = [Change(device, seq + i, hlc, table, key, fields)
                   for i, hlc, (key, fields) in zip(range(1, len(entries) + 1),
                                                    self.clock.now_many(len(entries)), entries)]
        items = list(zip(changes, records if records is not None else [None] * len(changes)))
        if self._batch is not None:
            self._batch.extend(items)
            self.own_seq = changes[-1].seq     # taken back if the batch is not written
            return
        self._write_local(items)

    def _write_local(self, items: list[tuple[Change, Record | None]]) -> None:
        """Journal the changes with one write and fsync (the commit), then apply them and
        tell subscribers once per table. Caller holds ``_lock``."""
        assert self.journal is not None
        changes = [change for change, _record in items]
        encoded = [encode_parts(c) for c in changes]
        lines = [line for line, _fields in encoded]
        self.journal.append(lines, own_max=changes[-1].seq)   # committed once this returns
        self.own_seq = max(self.own_seq, changes[-1].seq)
        own = self._range(self.device)
        first, last = changes[0].seq, changes[-1].seq
        if last - first + 1 == len(changes):           # a batch: consecutive numbers
            own.add_range(first, last)
        else:
            for change in changes:
                own.add(change.seq)
        self.pending.extend(zip([c.seq for c in changes], lines))
        touched: dict[str, set[str]] = {}
        for (change, record), (_line, fields_text) in zip(items, encoded):
            self._apply(change, fields_text, record)
            touched.setdefault(change.table, set()).add(change.key)
        self.lines_since_checkpoint += len(changes)
        self._notify(ChangeSet(t, frozenset(k), "local") for t, k in touched.items())
        self._wake.set()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Commit every put/add/delete made inside as one journal write (one fsync) and
        one notification per table, e.g. for a bulk import. Still crash-safe: the journal
        write is the commit, one whole line per change, so after ``kill -9`` the store holds
        the batch's changes up to the last whole line (a torn line is cut at start-up) and
        nothing half-written. Changes are not visible (nor ``get``-able) before the block
        ends; an exception inside writes nothing. Holds the store lock meanwhile. A nested
        ``batch()`` joins the outer one."""
        with self._lock:
            if self._batch is not None:
                yield
                return
            first_seq, self._batch = self.own_seq, []
            try:
                yield
                changes, self._batch = self._batch, None
                if changes:
                    self._write_local(changes)
            except BaseException:
                if self.own_seq not in self._range(self.device):
                    self.own_seq = first_seq   # not written: leave no gap in own sequence numbers
                raise
            finally:
                self._batch = None

    def subscribe(self, callback: Callable[[ChangeSet], None]) -> Callable[[], None]:
        """Call ``callback`` for every change (from the thread that made or merged it)."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            try:
                self._subscribers.remove(callback)
            except ValueError:
                pass
        return unsubscribe

    def _notify(self, changesets: Iterable[ChangeSet]) -> None:
        for cs in changesets:
            for callback in list(self._subscribers):
                try:
                    callback(cs)
                except Exception as exc:  # a subscriber's bug must not break the store
                    log.exception("store subscriber failed: %r", exc)

    def merge_changes(self, changes: Iterable[Change], origin: str = "remote") -> int:
        """Merge changes from elsewhere (skipping ones already applied): journal them
        durably first, then apply. Returns how many were new."""
        touched: dict[str, set[str]] = {}
        with self._lock:
            fresh = []
            for c in changes:
                r = self._range(c.device)
                if c.seq in r:
                    continue
                fresh.append(c)
                r.add(c.seq)               # also dedupes within this call
            if not fresh:
                return 0
            assert self.journal is not None
            try:
                self.journal.append([encode(c) for c in fresh])
            except OSError:
                for c in fresh:            # not durable: forget them, they will be read again
                    self.ranges[c.device] = _without(self.ranges[c.device], c.seq)
                raise
            self.lines_since_checkpoint += len(fresh)
            for c in fresh:
                self.clock.observe(c.hlc)
                if self._apply(c):
                    touched.setdefault(c.table, set()).add(c.key)
        self._notify(ChangeSet(t, frozenset(k), origin) for t, k in touched.items())
        return len(fresh)

    # ------------------------------------------------------------------ checkpoints
    def _state_snapshot(self, views_pos: int) -> dict[str, Any]:
        return {"station": self.station, "epoch": self.epoch, "views_pos": views_pos, "own_seq": self.own_seq,
                "published": self.published, "hlc": self.clock.last, "snapshot": self.merged_snapshot,
                "ranges": {d: r.to_json() for d, r in self.ranges.items()}, "former": dict(self.former)}

    def _write_state(self, state: dict[str, Any]) -> None:
        try:
            write_state(self._state_path, state)
        except OSError as exc:
            raise named(_("write"), self._state_path, exc) from None

    def checkpoint(self) -> None:
        """Write every changed table/month file, then the state that says how far they go."""
        assert self.journal is not None and self.calllog is not None
        with self._checkpoint_lock:
            with self._lock:
                pos = self.journal.pos
                work: list[tuple[str, list[dict[str, Any]] | list[tuple]]] = []
                texts: dict[str, dict[str, tuple[Any, str]]] = {}
                for name, table in self.tables.items():
                    if table.dirty:
                        work.append((name, list(table.records.items())))
                        table.dirty = False
                    texts[name], table.texts = table.texts, {}
                for month in sorted(self.calllog.dirty):
                    work.append((f"calls-{month}", list(self.calllog.months[month].values())))
                self.calllog.dirty.clear()
                state = self._state_snapshot(pos)
                lines_then = self.lines_since_checkpoint
            try:
                for name, items in work:
                    if name.startswith("calls-"):
                        docs = (row_doc(row) for row in items)
                    else:
                        docs = self.tables[name].file_docs(items, texts[name])
                    try:
                        self._files.write(name, docs, pos)
                    except OSError as exc:
                        raise named(_("write"), self._files.path(name), exc) from None
                self._write_state(state)
            except OSError:
                with self._lock:            # try again next time
                    for name, _items in work:
                        if name.startswith("calls-"):
                            self.calllog.dirty.add(name[6:])
                        else:
                            self.tables[name].dirty = True
                raise
            with self._lock:
                self.lines_since_checkpoint = max(0, self.lines_since_checkpoint - lines_then)
                self.last_checkpoint = time.monotonic()
                self.calllog.evict()
                self.journal.rotate_if_big()
                self.journal.drop_applied(pos, self._own_marks())

    # ------------------------------------------------------------------ sync
    def _beat(self, force: bool = False) -> None:
        if self._heartbeat is None or self.layout is None:
            return
        if not force and time.monotonic() - self._last_beat < HEARTBEAT_SECONDS:
            return
        try:
            self._require_share()
            self._heartbeat.beat()
            self._last_beat = time.monotonic()
        except OSError:
            pass

    def _require_share(self) -> None:
        """Raise ShareUnavailable (an OSError) unless the configured folder is the share
        this workstation uses; the first contact records its share id."""
        assert self.layout is not None
        with self._lock:
            synced = self.published > 0 or any(r.max() for d, r in self.ranges.items() if d != self.device)
        share_id = self.layout.identify(self.share_id, synced_before=synced)
        if share_id != self.share_id:
            self.share_id = share_id
            self._save_identity()

    def sync_now(self) -> SyncReport:
        """Publish own changes and merge everything new on the share, now."""
        report = SyncReport()
        if self._needs_rebuild:
            self._rebuild()
        if self.layout is None:
            report.error = _("no shared folder configured")
            return report
        with self._sync_lock:
            try:
                self._require_share()
                self._set_condition("share", None)
                writable = True
                try:                       # a read-only share is still read: merging goes on
                    if not self._published_checked:
                        self._check_own_published()
                    self._beat()
                    report.published = self._publish()
                    self._set_condition("write", None)
                except ShareNotWritable as exc:
                    writable = False
                    report.error = str(exc)
                    self._set_condition("write", self.layout.root, report.error)
                self._merge_snapshot(report)
                self._poll(report)
                if writable:
                    report.published += self._repair_own_gaps()
                report.online = True
                self._set_condition("local", None)
            except OSError as exc:
                report.error = str(exc)
                self._sync_failed(exc)
            self.online = report.online
        if self._snapshot_due and not self._in_compact and report.online:
            self._snapshot_due = False
            try:
                self.compact()
            except OSError as exc:
                self._set_condition("gap", self.layout.root, _(
                    "changes of this workstation are missing from the shared folder and the snapshot "
                    "that would carry them cannot be written: {error}").format(error=exc))
        if report.online:
            self._recover_journal_damage()
        return report

    def _sync_failed(self, exc: OSError) -> None:
        """Name what went wrong where a user sees it: the local disk, or the share."""
        path = getattr(exc, "path", None) or (Path(exc.filename) if exc.filename else None)
        local = path is not None and Path(path).is_relative_to(self.local)
        if local:
            self._set_condition("local", Path(path), str(exc))
        elif isinstance(exc, ShareUnavailable):
            self.online = False
            self._set_condition("share", self.layout.root if self.layout else self.local, str(exc))
        else:
            self.online = False
            self._set_condition("share", self.layout.root if self.layout else self.local, _(
                "shared folder not reachable: {error}").format(error=reason(exc) if not path else exc))

    def _check_own_published(self) -> None:
        assert self.layout is not None
        if self._heartbeat is not None:
            self._heartbeat.check_free()
        on_share = self.layout.own_published_max(self.epoch)
        with self._lock:
            if on_share > self.published:
                self.published = on_share
                self.pending = [(s, line) for s, line in self.pending if s > on_share]
        for device in list(self.former):
            station, epoch = split_device(device)
            on_share = self.layout.own_published_max(epoch, station)
            with self._lock:
                if on_share > self.former[device]:
                    self.former[device] = on_share
                    self.former_pending[device] = [(s, ln) for s, ln in self.former_pending.get(device, [])
                                                   if s > on_share]
        self._published_checked = True

    def _publish(self) -> int:
        assert self.layout is not None
        total = 0
        while True:
            with self._lock:
                batch = _run_of(self.pending)
            if not batch:
                break
            first, last = batch[0][0], batch[-1][0]
            self.layout.publish(self.epoch, first, last, [line for _s, line in batch])
            with self._lock:
                if self.pending[:len(batch)] == batch:     # still the head: drop it in place
                    del self.pending[:len(batch)]       # (refiltering 100,000 lines per batch file
                else:                                   # made publishing a big import quadratic)
                    self.pending = [(s, line) for s, line in self.pending if s > last]
                self.published = max(self.published, last)
            total += len(batch)
        for device in list(self.former_pending):       # lines of this folder's former ids
            station, epoch = split_device(device)
            while True:
                with self._lock:
                    batch = _run_of(self.former_pending.get(device, []))
                if not batch:
                    self.former_pending.pop(device, None)
                    break
                first, last = batch[0][0], batch[-1][0]
                self.layout.publish(epoch, first, last, [line for _s, line in batch], station=station)
                with self._lock:
                    self.former_pending[device] = [(s, ln) for s, ln in self.former_pending[device] if s > last]
                    self.former[device] = max(self.former.get(device, 0), last)
                total += len(batch)
        return total

    def _poll(self, report: SyncReport) -> None:
        assert self.layout is not None
        for folder in self.layout.station_folders():
            station = folder.name
            done = self._done.setdefault(station, set())
            try:
                names = sorted(os.listdir(folder))
            except OSError:
                continue
            self._watch_own_batches(folder, names)
            for name in names:
                if name in done or name.startswith(".") or name == "heartbeat.json":
                    continue
                path = folder / name
                if is_conflict_copy(name):
                    self._read_batch(path, station, None, report)
                    moved = self.layout.set_aside(path, "conflicts", station)
                    report.problems.append(self._problem(path, _(
                        "conflict copy made by a sync tool: merged, then set aside as {moved}").format(
                        moved=moved or "-")))
                    done.add(name)
                    continue
                m = BATCH_RE.match(name)
                if not m:
                    done.add(name)         # not ours to read (notes, thumbs.db, …)
                    continue
                first, last = int(m.group(2)), int(m.group(3))
                device = f"{station}#{m.group(1)}"
                if self._range(device).covers(first, last):
                    done.add(name)
                    continue
                if self._read_batch(path, station, (device, first, last), report) and path.exists():
                    done.add(name)         # (a file set aside may come back, republished by its owner)

    def _watch_own_batches(self, folder: Path, names: list[str]) -> None:
        """An own batch that vanished from the share (deleted, set aside): check for gaps."""
        marks = self._own_marks()
        if not any(d.startswith(folder.name + "#") for d in marks):
            return                           # another station's folder
        current = set(names)
        seen = self._own_batches.get(folder, set())
        if not seen <= current:
            self._gap_check_due = True
        self._own_batches[folder] = (seen & current) | {
            n for n in current - seen if (m := BATCH_RE.match(n)) and f"{folder.name}#{m.group(1)}" in marks}

    def _read_batch(self, path: Path, station: str, expect: tuple[str, int, int] | None,
                    report: SyncReport) -> bool:
        """Merge one batch file; True when it is fully handled (applied or set aside)."""
        assert self.layout is not None
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return True
        report.files_read += 1
        parsed = parse_lines(data)
        report.applied += self.merge_changes(parsed.changes)
        complete = not parsed.bad_lines and not parsed.torn_last
        if complete and expect is not None:
            device, first, last = expect
            seqs = {c.seq for c in parsed.changes if c.device == device}
            complete = seqs == set(range(first, last + 1))
        if complete:
            return True
        if not parsed.bad_lines and file_age(path) < self.torn_grace:
            return False                   # maybe still being copied by a sync tool: look again
        problem = _("damaged batch (lines {lines}{torn}); its good lines were merged").format(
            lines=", ".join(map(str, parsed.bad_lines[:10])) or "-",
            torn=_(", torn last line") if parsed.torn_last else (
                _(", lines missing") if not parsed.bad_lines else ""))
        moved = self.layout.set_aside(path, "quarantine", station)
        report.problems.append(self._problem(path, _("{problem}; set aside as {moved}").format(
            problem=problem, moved=moved or "-")))
        return True

    def _merge_snapshot(self, report: SyncReport) -> None:
        """Load the newest snapshot if it holds changes this station has not seen."""
        assert self.layout is not None
        try:
            info = self.layout.latest_snapshot()
        except SnapshotDamaged as exc:
            moved = self.layout.set_aside(exc.path, "quarantine", "snapshots")
            report.problems.append(self._problem(exc.path, _("{problem}; set aside as {moved}").format(
                problem=exc.problem, moved=moved or "-")))
            return
        if info is None or info.name == self.merged_snapshot:
            return
        snap_ranges = {d: RangeSet(r) for d, r in info.manifest.get("ranges", {}).items()}
        with self._lock:
            needed = any(not r.issubset(self._range(d)) for d, r in snap_ranges.items())
        if needed:
            try:
                self._load_snapshot(info)
            except SnapshotDamaged as exc:
                moved = self.layout.set_aside(info.path, "quarantine", "snapshots")
                report.problems.append(self._problem(exc.path, _("{problem}; snapshot set aside as {moved}").format(
                    problem=exc.problem, moved=moved or "-")))
                return
            with self._lock:
                for d, r in snap_ranges.items():
                    self._range(d).update(r)
        with self._lock:
            self.merged_snapshot = info.name
            self.clock.observe(int(info.manifest.get("hlc", 0)))
        try:
            self.checkpoint()
        except OSError as exc:               # local disk full: merged all the same, written later
            self._sync_failed(exc)
        self._archive_own(snap_ranges)

    def _load_snapshot(self, info: Any) -> None:
        touched: dict[str, set[str]] = {}
        for part, meta in info.manifest.get("parts", {}).items():
            docs = read_snapshot_part(info.path / f"{part}.jsonl.gz", int(meta.get("lines", -1)))
            if part.startswith("calls-"):
                assert self.calllog is not None
                chunk: list[dict[str, Any]] = []
                for doc in docs:
                    chunk.append(doc)
                    if len(chunk) >= 2000:
                        self._merge_call_docs(chunk, touched)
                        chunk = []
                self._merge_call_docs(chunk, touched)
                self.checkpoint()          # write the month out and let it leave memory
            elif part in self.tables:
                table = self.tables[part]
                for doc in docs:
                    key, state = table.state_from_doc(doc)
                    with self._lock:
                        if table.merge_state(key, state):
                            touched.setdefault(part, set()).add(key)
        self._notify(ChangeSet(t, frozenset(k), "remote") for t, k in touched.items())

    def _merge_call_docs(self, docs: list[dict[str, Any]], touched: dict[str, set[str]]) -> None:
        assert self.calllog is not None
        with self._lock:
            for doc in docs:
                row = doc_row(doc, self.calllog.devices)
                fields = {"started_at": doc["v"].get("started_at")}
                fields.update(doc["v"])
                change = Change(row[-1], 0, row[-2], "calls", row[0], fields)
                if month_of(fields) and self.calllog.apply(change):
                    touched.setdefault("calls", set()).add(row[0])

    def _archive_own(self, snap_ranges: dict[str, RangeSet]) -> int:
        """Move own batches that a snapshot holds to the archive (only we write our folder)."""
        assert self.layout is not None
        covered = snap_ranges.get(self.device)
        if covered is None:
            return 0
        moved = 0
        try:
            names = os.listdir(self.layout.own)
        except OSError:
            return 0
        for name in names:
            m = BATCH_RE.match(name)
            if m and m.group(1) == self.epoch and covered.covers(int(m.group(2)), int(m.group(3))):
                try:
                    if move_aside(self.layout.own / name, self.layout.archive / self.station):
                        moved += 1
                except OSError as exc:       # read-only share: they stay where they are
                    log.warning("cannot archive %s: %s", self.layout.own / name, reason(exc))
                    break
        return moved

    # ------------------------------------------------------------------ compaction
    def compact(self) -> CompactReport:
        """Checkpoint, then (with a share) write a snapshot of the merged state so a new
        station loads it instead of replaying every batch; archive own covered batches."""
        started = time.perf_counter()
        report = CompactReport()
        self._in_compact = True
        share_ok = False
        try:
            if self.layout is not None:
                self.sync_now()
            self.checkpoint()
            if self.layout is not None:
                self._require_share()
                share_ok = True
        except ShareUnavailable:
            pass
        finally:
            self._in_compact = False
        if not share_ok:
            report.seconds = time.perf_counter() - started
            return report
        assert self.calllog is not None
        with self._sync_lock:
            with self._lock:
                ranges = {d: r.copy() for d, r in self.ranges.items()}
                hlc = self.clock.now()
                tables = {name: list(t.records.items()) for name, t in self.tables.items()}
                months = sorted(self.calllog.known)
            counts = {"records": 0, "calls": 0}

            def table_docs(name: str) -> Iterable[dict[str, Any]]:
                table = self.tables[name]
                for k, s in tables[name]:
                    counts["records"] += 1
                    yield table.doc(k, s)

            def month_docs(month: str) -> Iterable[dict[str, Any]]:
                with self._lock:
                    resident = self.calllog.months.get(month)
                    rows = list(resident.values()) if resident is not None else None
                if rows is None:
                    rows = list(self.calllog.read_month(month).values())
                for row in rows:
                    counts["calls"] += 1
                    yield row_doc(row)

            parts: list[tuple[str, Iterable[dict[str, Any]]]] = [(n, table_docs(n)) for n in tables]
            parts += [(f"calls-{m}", month_docs(m)) for m in months]
            name = f"s-{hlc:020d}-{self.station}"
            header = {"station": self.station, "hlc": hlc, "created": time.time(),
                      "ranges": {d: r.to_json() for d, r in ranges.items()}}
            path, size = write_snapshot(self.layout, name, parts, header)
            with self._lock:
                self.merged_snapshot = name
            report.snapshot, report.bytes = path, size
            report.records, report.calls = counts["records"], counts["calls"]
            report.archived = self._archive_own(ranges)
            for old in self.layout.snapshot_list()[:-2]:     # keep the newest two
                shutil.rmtree(old, ignore_errors=True)
        self.checkpoint()
        self._snapshot_due = False           # a snapshot now carries every own change
        report.seconds = time.perf_counter() - started
        return report

    # ------------------------------------------------------------------ checking
    def check(self) -> list[StoreProblem]:
        """Verify every local and shared file; damaged shared batches are set aside."""
        return check_store(self)

    # ------------------------------------------------------------------ background
    def _run(self) -> None:
        next_poll = 0.0
        while not self._stop.is_set():
            self._wake.wait(max(0.05, self.sync_interval / 4))
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                now = time.monotonic()
                if now >= next_poll:
                    self.sync_now()
                    next_poll = now + self.sync_interval / 2
                elif (self.pending or self.former_pending) and self.layout is not None:
                    with self._sync_lock:
                        self._require_share()
                        if not self._published_checked:
                            self._check_own_published()
                        try:
                            self._publish()
                        except ShareNotWritable as exc:
                            self._set_condition("write", self.layout.root, str(exc))
                if self.lines_since_checkpoint and (
                        self.lines_since_checkpoint >= CHECKPOINT_LINES
                        or time.monotonic() - self.last_checkpoint >= CHECKPOINT_SECONDS):
                    self.checkpoint()
            except StationInUseError as exc:
                self._problem(self.layout.own if self.layout else self.local, str(exc))
            except OSError as exc:
                self._sync_failed(exc)
            except Exception as exc:                   # keep syncing whatever happens
                log.exception("store sync failed: %r", exc)

    def close(self, checkpoint_lines: int = 1000) -> None:
        """Publish pending changes (if the share is there), stop syncing, release locks."""
        if self.closed:
            return
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        if self.layout is not None and self.pending:
            self.sync_now()
        if self.lines_since_checkpoint >= checkpoint_lines:
            try:
                self.checkpoint()
            except OSError:
                pass
        with self._lock:
            self.closed = True
            if self.journal is not None:
                self.journal.close()
        if self._heartbeat is not None:
            self._heartbeat.remove()
        self._local_lock.release()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _run_of(pending: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The first run of consecutive sequence numbers (a batch file holds exactly
    first..last), at most BATCH_LIMIT long."""
    run = pending[:1]
    for item in pending[1:BATCH_LIMIT]:
        if item[0] != run[-1][0] + 1:
            break
        run.append(item)
    return run


def _without(r: RangeSet, seq: int) -> RangeSet:
    out = RangeSet()
    for a, b in zip(r.starts, r.ends):
        out.add_range(a, min(b, seq - 1))
        out.add_range(max(a, seq + 1), b)
    return out
