"""``store check``: read and verify every file the store depends on, locally and on the
share, and name each problem. Damage found on the share is set aside exactly as the sync
does; files set aside earlier keep being reported until someone has looked at them."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Protocol

from ..i18n import _
from .base import StoreProblem
from .changes import RangeSet, parse_lines
from .repair import share_gaps
from .share import BATCH_RE, ShareLayout, SnapshotDamaged, file_age, is_conflict_copy, read_snapshot_part
from .tablefiles import DamagedFile, TableFiles, read_state, read_table_file


class Store(Protocol):
    """What the checker needs of the store (a protocol, so this module never imports the
    engine: the engine imports the checker)."""

    problems: list[StoreProblem]
    layout: ShareLayout | None
    ranges: dict[str, RangeSet]
    share_status: str
    _conditions: dict[str, StoreProblem]
    _journal_damage: dict[Path, list[int]]
    _gap_check_due: bool
    journal: Any
    torn_grace: float
    _state_path: Path
    _files: TableFiles
    _quarantine: Path
    _lock: Any
    _needs_rebuild: bool

    def _problem(self, path: Path, problem: str) -> StoreProblem: ...
    def _table_damaged(self, path: Path, problem: str) -> None: ...
    def _rebuild(self) -> None: ...
    def _set_condition(self, kind: str, path: Path | None, text: str | None = None) -> None: ...
    def _own_marks(self) -> dict[str, int]: ...
    def sync_now(self) -> Any: ...


def _set_aside_earlier(store: Store, folder: Path) -> None:
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            store._problem(path, _("set aside earlier as damaged or conflicting; look at it, then delete it"))


def _report_gaps(store: Store, layout: ShareLayout) -> None:
    """Holes in a workstation's numbered changes on the share (a batch deleted or set
    aside): listed while they last; the owner republishes its own on its next sync."""
    with store._lock:
        known = {d: r.copy() for d, r in store.ranges.items()}
        stale = [k for k in store._conditions if k.startswith("gap:")]
    for kind in stale:
        store._set_condition(kind, None)
    own = store._own_marks()
    for gap in share_gaps(layout, known):
        if gap.device in own:
            continue                         # the sync just republished these, or said why it cannot
        store._set_condition(f"gap:{gap.device}:{gap.first}", layout.stations / gap.station, gap.describe())


def check_store(store: Store) -> list[StoreProblem]:
    before = len(store.problems)
    # local files
    try:
        read_state(store._state_path)
    except DamagedFile as exc:
        store._problem(exc.path, exc.problem)
    for path in store._files.all_files():
        try:
            docs = read_table_file(path)
            if path.name.startswith("calls-"):
                for doc in docs or []:
                    if not isinstance(doc.get("v"), dict) or len(doc.get("h") or ()) != 2:
                        raise DamagedFile(path, _("has a malformed record"))
        except DamagedFile as exc:
            with store._lock:
                store._table_damaged(exc.path, exc.problem)
    assert store.journal is not None
    for seg in list(store.journal.segments):
        if seg.path in store._journal_damage:
            continue                         # reported since start-up, with where its copy is
        try:
            parsed = parse_lines(seg.path.read_bytes())
        except FileNotFoundError:
            continue
        if parsed.bad_lines:
            store._problem(seg.path, _("damaged journal lines {lines}").format(
                lines=", ".join(map(str, parsed.bad_lines[:10]))))
    _set_aside_earlier(store, store._quarantine)
    if store._needs_rebuild:
        store._rebuild()
    # the share
    layout = store.layout
    if layout is not None:
        store._gap_check_due = True          # look for own gaps now, not in 5 minutes
        report = store.sync_now()
        if not report.online:
            if not store.share_status:
                store._problem(layout.root, _("shared folder not reachable: {error}").format(error=report.error))
        else:
            for folder in layout.station_folders():
                for name in sorted(os.listdir(folder)):
                    path = folder / name
                    m = BATCH_RE.match(name)
                    if not m or is_conflict_copy(name):
                        continue
                    try:
                        parsed = parse_lines(path.read_bytes())
                    except FileNotFoundError:
                        continue
                    device = f"{folder.name}#{m.group(1)}"
                    seqs = {c.seq for c in parsed.changes if c.device == device}
                    whole = seqs == set(range(int(m.group(2)), int(m.group(3)) + 1))
                    if parsed.bad_lines or (not whole and file_age(path) >= store.torn_grace):
                        moved = layout.set_aside(path, "quarantine", folder.name)
                        store._problem(path, _("damaged batch; set aside as {moved}").format(moved=moved or "-"))
                    elif not whole:
                        store._problem(path, _("incomplete batch (torn last line or lines missing); "
                                               "set aside if it stays so, or still being copied"))
            try:
                info = layout.latest_snapshot()
                if info is not None:
                    for part, meta in info.manifest.get("parts", {}).items():
                        for _doc in read_snapshot_part(info.path / f"{part}.jsonl.gz", int(meta.get("lines", -1))):
                            pass
            except SnapshotDamaged as exc:
                moved = layout.set_aside(exc.path if exc.path.name.startswith("s-") else exc.path.parent,
                                         "quarantine", "snapshots")
                store._problem(exc.path, _("{problem}; snapshot set aside as {moved}").format(
                    problem=exc.problem, moved=moved or "-"))
            _set_aside_earlier(store, layout.quarantine)
            _set_aside_earlier(store, layout.conflicts)
            _report_gaps(store, layout)
    # everything found this time, plus what was found while opening
    del before
    return list(store.problems)
