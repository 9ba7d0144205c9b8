"""File layout and file operations on the shared folder. One writer per file: a station
writes only in ``stations/<its id>/`` (batches + heartbeat) and its own snapshots.

    <share>/stations/<station>/b-<epoch>-<first seq>-<last seq>.jsonl   change batches
    <share>/stations/<station>/heartbeat.json
    <share>/snapshots/s-<hlc>-<station>/manifest.json + parts (*.jsonl.gz)
    <share>/archive/<station>/      batches covered by a snapshot
    <share>/quarantine/<station>/   damaged files, set aside
    <share>/conflicts/<station>/    sync-tool conflict copies, merged then set aside
"""
from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..i18n import _
from .changes import canonical, checksum
from .files import fsync_dir, move_aside, write_atomic

BATCH_RE = re.compile(r"^b-([0-9a-z]+)-(\d{12})-(\d{12})\.jsonl$")
SNAPSHOT_RE = re.compile(r"^s-(\d{20})-(.+)$")
CONFLICT_MARKERS = (".sync-conflict-", " conflicted copy ", "(conflicted copy")


def is_conflict_copy(name: str) -> bool:
    return any(marker in name for marker in CONFLICT_MARKERS)


def batch_name(epoch: str, first: int, last: int) -> str:
    return f"b-{epoch}-{first:012d}-{last:012d}.jsonl"


@dataclass
class SnapshotInfo:
    path: Path
    name: str
    manifest: dict[str, Any]


class ShareLayout:
    def __init__(self, root: Path, station: str):
        self.root = root
        self.station = station
        self.stations = root / "stations"
        self.own = self.stations / station
        self.snapshots = root / "snapshots"
        self.archive = root / "archive"
        self.quarantine = root / "quarantine"
        self.conflicts = root / "conflicts"

    def reachable(self) -> bool:
        """The share root must exist: we never create it (an unmounted share would
        otherwise turn into a local folder of the same name)."""
        return self.root.is_dir()

    def require(self) -> None:
        if not self.root.is_dir():
            raise FileNotFoundError(str(self.root))

    def station_folders(self) -> list[Path]:
        try:
            return sorted(p for p in self.stations.iterdir() if p.is_dir() and not p.name.startswith("."))
        except FileNotFoundError:
            return []

    def own_published_max(self, epoch: str) -> int:
        """Highest own sequence number already on the share (folder or archive)."""
        best = 0
        for folder in (self.own, self.archive / self.station):
            try:
                names = os.listdir(folder)
            except FileNotFoundError:
                continue
            for name in names:
                m = BATCH_RE.match(name)
                if m and m.group(1) == epoch:
                    best = max(best, int(m.group(3)))
        return best

    def publish(self, epoch: str, first: int, last: int, lines: list[str]) -> Path:
        self.require()
        self.own.mkdir(parents=True, exist_ok=True)
        target = self.own / batch_name(epoch, first, last)
        if target.exists():          # published before a crash: same lines, never rewrite
            return target
        write_atomic(target, lines, overwrite=False)
        return target

    # ---- snapshots
    def snapshot_list(self) -> list[Path]:
        try:
            return sorted(p for p in self.snapshots.iterdir() if SNAPSHOT_RE.match(p.name))
        except FileNotFoundError:
            return []

    def latest_snapshot(self) -> SnapshotInfo | None:
        """Newest snapshot with a readable manifest (written last, so it marks completion)."""
        for path in reversed(self.snapshot_list()):
            manifest_path = path / "manifest.json"
            try:
                manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                continue
            except (ValueError, UnicodeDecodeError):
                raise SnapshotDamaged(path, _("manifest does not parse")) from None
            return SnapshotInfo(path, path.name, manifest)
        return None

    def set_aside(self, path: Path, kind: str, station: str) -> Path | None:
        folder = {"quarantine": self.quarantine, "conflicts": self.conflicts}[kind] / station
        return move_aside(path, folder)


class SnapshotDamaged(ValueError):
    def __init__(self, path: Path, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


def snapshot_line(doc: dict[str, Any]) -> str:
    text = canonical(doc)
    return text[:-1] + f',"c":"{checksum(text)}"}}\n'


def read_snapshot_part(path: Path, expected_lines: int) -> Iterator[dict[str, Any]]:
    """Documents of one snapshot part, every line verified; SnapshotDamaged otherwise."""
    n = 0
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                cut = line.rfind(',"c":"')
                text = line[:cut] + "}"
                if cut < 0 or checksum(text) != line[cut + 6:cut + 14]:
                    raise SnapshotDamaged(path, _("line {n} fails its checksum").format(n=n + 1))
                n += 1
                yield json.loads(text)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, SnapshotDamaged):
            raise
        raise SnapshotDamaged(path, _("does not read: {error}").format(error=str(exc)[:80])) from None
    if n != expected_lines:
        raise SnapshotDamaged(path, _("has {n} lines where the manifest says {m}").format(n=n, m=expected_lines))


def write_snapshot(layout: ShareLayout, name: str, parts: Iterable[tuple[str, Iterable[dict[str, Any]]]],
                   header: dict[str, Any]) -> tuple[Path, int]:
    """Write parts into a hidden folder, the manifest last, then rename the folder into
    place: readers only ever see complete snapshots. Returns (folder, total bytes)."""
    layout.require()
    layout.snapshots.mkdir(parents=True, exist_ok=True)
    tmp = layout.snapshots / f".tmp-{name}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    manifest: dict[str, Any] = dict(header, parts={})
    total = 0
    for part, docs in parts:
        path = tmp / f"{part}.jsonl.gz"
        n = 0
        with open(path, "wb") as raw:
            with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) as gz:
                buf: list[str] = []
                for doc in docs:
                    buf.append(snapshot_line(doc))
                    n += 1
                    if len(buf) >= 512:
                        gz.write("".join(buf).encode("utf-8"))
                        buf = []
                if buf:
                    gz.write("".join(buf).encode("utf-8"))
            raw.flush()
            os.fsync(raw.fileno())
        total += path.stat().st_size
        manifest["parts"][part] = {"lines": n}
    total += write_atomic(tmp / "manifest.json", [json.dumps(manifest, ensure_ascii=False)])
    fsync_dir(tmp)
    final = layout.snapshots / name
    os.replace(tmp, final)
    fsync_dir(layout.snapshots)
    return final, total


def file_age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0
