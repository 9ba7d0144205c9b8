"""Repairs the sync does by itself, kept out of the engine module:

* **Gaps**: every device numbers its changes 1, 2, 3 …; a batch file deleted from the share
  (or set aside as damaged) leaves a hole that no other station can fill. The owner
  republishes the hole from its journal; when the journal no longer holds those lines it
  writes a snapshot (from its tables), which carries them to everyone. ``share_gaps`` lists
  the holes of every device for ``store check``.
* **Journal damage**: a damaged local journal line is re-merged from the share; once the
  station's own sequence numbers are whole again the line is blanked in place and no
  longer reported.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..i18n import _
from .changes import RangeSet, encode, parse_lines
from .share import BATCH_RE, ShareLayout, SnapshotDamaged

log = logging.getLogger(__name__)
GAP_CHECK_SECONDS = 300.0
BATCH_LIMIT = 5000


@dataclass(frozen=True)
class Gap:
    station: str
    device: str
    first: int
    last: int

    def describe(self) -> str:
        return _("changes {first}-{last} of workstation {station} ({device}) are missing from the shared "
                 "folder").format(first=self.first, last=self.last, station=self.station, device=self.device)


def split_device(device: str) -> tuple[str, str]:
    station, _sep, epoch = device.rpartition("#")
    return station, epoch


def snapshot_ranges(layout: ShareLayout) -> dict[str, RangeSet]:
    try:
        info = layout.latest_snapshot()
    except SnapshotDamaged:
        return {}
    if info is None:
        return {}
    return {d: RangeSet(r) for d, r in (info.manifest.get("ranges") or {}).items()}


def coverage(layout: ShareLayout, device: str, snap: dict[str, RangeSet]) -> RangeSet:
    """Sequence numbers of ``device`` the share holds: batches (folder and archive) plus
    the newest snapshot."""
    station, epoch = split_device(device)
    out = snap.get(device, RangeSet()).copy()
    for folder in (layout.stations / station, layout.archive / station):
        for first, last in layout.batches(folder, epoch):
            out.add_range(first, last)
    return out


def share_gaps(layout: ShareLayout, known: dict[str, RangeSet]) -> list[Gap]:
    """Holes in every device's numbering on the share. ``known``: what this station has
    applied (a batch it merged and that is gone since is a hole too)."""
    snap = snapshot_ranges(layout)
    devices = set(snap) | {d for d, r in known.items() if r.max()}
    for root in (layout.stations, layout.archive):
        try:
            folders = [p for p in root.iterdir() if p.is_dir()]
        except OSError:
            continue
        for folder in folders:
            try:
                names = [p.name for p in folder.iterdir()]
            except OSError:
                continue
            devices.update(f"{folder.name}#{m.group(1)}" for n in names if (m := BATCH_RE.match(n)))
    gaps: list[Gap] = []
    for device in sorted(devices):
        cov = coverage(layout, device, snap)
        top = max(cov.max(), known.get(device, RangeSet()).max())
        station = split_device(device)[0]
        gaps.extend(Gap(station, device, a, b) for a, b in cov.holes(1, top))
    return gaps


class ShareRepairs:
    """Mixed into the Store: the attributes below are the Store's."""

    layout: ShareLayout | None
    journal: Any
    device: str
    own_seq: int
    published: int
    former: dict[str, int]
    ranges: dict[str, RangeSet]
    merged_snapshot: str
    _lock: Any
    _quarantine: Path
    _journal_damage: dict[Path, list[int]]
    _gap_check_due: bool
    _last_gap_check: float
    _snapshot_due: bool

    def _range(self, device: str) -> RangeSet: ...                       # provided by Store
    def _set_condition(self, kind: str, path: Path | None, text: str | None = None) -> None: ...
    def _forget_problems(self, path: Path) -> None: ...

    def _own_marks(self) -> dict[str, int]:
        """Every own device (the current id and former ones) → highest published seq."""
        return {**self.former, self.device: self.published}

    # ---- gaps
    def _repair_own_gaps(self) -> int:
        """Republish own changes missing from the share; returns how many lines."""
        assert self.layout is not None
        if not self._gap_check_due and time.monotonic() - self._last_gap_check < GAP_CHECK_SECONDS:
            return 0
        self._gap_check_due = False
        self._last_gap_check = time.monotonic()
        snap = snapshot_ranges(self.layout)
        total = 0
        unfillable: list[Gap] = []
        for device, published in self._own_marks().items():
            if published <= 0:
                continue
            holes = coverage(self.layout, device, snap).holes(1, published)
            if not holes:
                continue
            station, epoch = split_device(device)
            lines = self._journal_lines(device, holes)
            for a, b in holes:
                run = [lines.get(seq) for seq in range(a, b + 1)]
                if any(line is None for line in run):
                    gap = Gap(station, device, a, b)
                    with self._lock:
                        have = self._range(device).covers(a, b)
                    if have:
                        self._snapshot_due = True          # the tables hold them: a snapshot carries them
                        log.warning("%s; not in the journal any more: writing a snapshot", gap.describe())
                    else:
                        unfillable.append(gap)
                    continue
                for start in range(a, b + 1, BATCH_LIMIT):
                    end = min(b, start + BATCH_LIMIT - 1)
                    self.layout.publish(epoch, start, end, [lines[s] for s in range(start, end + 1)],
                                        station=None if device == self.device else station)
                    total += end - start + 1
                log.warning("%s; republished them from the journal", Gap(station, device, a, b).describe())
        self._set_condition("gap", self.layout.stations if unfillable else None, "; ".join(
            _("{gap}; this workstation no longer has them, they cannot be republished").format(gap=g.describe())
            for g in unfillable) or None)
        return total

    def _journal_lines(self, device: str, holes: list[tuple[int, int]]) -> dict[int, str]:
        lo = min(a for a, _b in holes)
        hi = max(b for _a, b in holes)
        wanted = RangeSet([[a, b] for a, b in holes])
        out: dict[int, str] = {}
        for seg in list(self.journal.segments):
            if seg.maxes.get(device, 0) < lo:
                continue
            try:
                data = seg.path.read_bytes()
            except OSError:
                continue
            for change in parse_lines(data).changes:
                if change.device == device and lo <= change.seq <= hi and change.seq in wanted:
                    out[change.seq] = encode(change)
        return out

    # ---- journal damage
    def _recover_journal_damage(self) -> None:
        """After a complete sync: if every own sequence number is present again, the
        damaged journal lines were recovered from the share; blank them, stop reporting."""
        if not self._journal_damage:
            return
        with self._lock:
            for device in self._own_marks():
                r = self._range(device)
                top = self.own_seq if device == self.device else r.max()
                if r.holes(1, top):
                    return                                 # an own change is still missing
            for path, lines in list(self._journal_damage.items()):
                try:
                    if path.exists():
                        self.journal.blank(path, lines)
                except OSError as exc:
                    log.warning("cannot blank the repaired lines of %s: %s", path, exc)
                    continue
                del self._journal_damage[path]
                copy = self._quarantine / f"journal-{path.name}"
                try:
                    copy.unlink()
                except OSError:
                    pass
                self._forget_problems(path)
                self._forget_problems(copy)
                log.info("damaged journal lines %s of %s were recovered from the shared folder", lines, path)
