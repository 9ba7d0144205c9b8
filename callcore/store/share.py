"""File layout and file operations on the shared folder. One writer per file: a station
writes only in ``stations/<its id>/`` (batches + heartbeat) and its own snapshots.

    <share>/stations/<station>/b-<epoch>-<first seq>-<last seq>.jsonl   change batches
    <share>/stations/<station>/heartbeat.json
    <share>/snapshots/s-<hlc>-<station>/manifest.json + parts (*.jsonl.gz)
    <share>/archive/<station>/      batches covered by a snapshot
    <share>/quarantine/<station>/   damaged files, set aside
    <share>/conflicts/<station>/    sync-tool conflict copies, merged then set aside
    <share>/share.json               the share's identity (``share_id``), see ``identify``
"""
from __future__ import annotations

import gzip
import json
import logging
import os
import re
import shutil
import time
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..i18n import _
from .base import is_write_denied, named, reason
from .changes import canonical, checksum
from .files import fsync_dir, move_aside, temp_name, write_atomic

log = logging.getLogger(__name__)
MARKER = "share.json"
# what a fresh share folder may already hold (sync-tool and OS clutter): still "empty"
_CLUTTER = {"desktop.ini", "thumbs.db", "icon\r"}

BATCH_RE = re.compile(r"^b-([0-9a-z]+)-(\d{12})-(\d{12})\.jsonl$")
SNAPSHOT_RE = re.compile(r"^s-(\d{20})-(.+)$")
CONFLICT_MARKERS = (".sync-conflict-", " conflicted copy ", "(conflicted copy")


def is_conflict_copy(name: str) -> bool:
    return any(marker in name for marker in CONFLICT_MARKERS)


def batch_name(epoch: str, first: int, last: int) -> str:
    return f"b-{epoch}-{first:012d}-{last:012d}.jsonl"


class ShareUnavailable(OSError):
    """The configured shared folder is not the share this workstation uses (unmounted,
    another share, not reachable): work goes on locally, nothing is written there."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ShareNotWritable(OSError):
    """The share can be read (others' changes are merged) but not written."""

    def __init__(self, folder: Path, cause: OSError):
        super().__init__(cause.errno, cause.strerror or str(cause), str(folder))
        self.folder = folder
        self.cause = cause

    def __str__(self) -> str:
        return _("cannot write to the shared folder {folder}: {reason}; changes from other workstations "
                 "are still merged, this workstation's changes wait until it can write there").format(
            folder=self.folder, reason=reason(self.cause))


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

    def require(self) -> None:
        if not self.root.is_dir():
            raise FileNotFoundError(str(self.root))

    def read_marker(self) -> str | None:
        """The share id in ``share.json``; None when there is none."""
        try:
            data = json.loads((self.root / MARKER).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (ValueError, UnicodeDecodeError):
            raise ShareUnavailable(_("shared folder not available: {path} does not parse").format(
                path=self.root / MARKER)) from None
        share_id = data.get("share_id") if isinstance(data, dict) else None
        if not isinstance(share_id, str) or not share_id:
            raise ShareUnavailable(_("shared folder not available: {path} has no share id").format(
                path=self.root / MARKER))
        return share_id

    def contents(self) -> str:
        """"layout" (the store's folders), "empty" (apart from OS/sync-tool clutter) or "other"."""
        try:
            names = os.listdir(self.root)
        except OSError:
            return "other"
        if "stations" in names:
            return "layout"
        return "empty" if all(n.startswith(".") or n.lower() in _CLUTTER for n in names) else "other"

    def identify(self, known: str, synced_before: bool = False) -> str:
        """Make sure this is the shared folder this workstation uses; returns its share id.

        Rule (docs/store.md, "Which folder is the share"): a workstation records the share
        id the first time it reaches the configured folder (``known`` is empty then). On that
        first contact a folder with ``share.json`` is adopted; a folder without one is set
        up (``share.json`` created, never overwritten) only if it already holds the store
        layout (``stations/``, a share from before share.json) or is empty and this
        workstation has never synced (``synced_before``: then an empty folder is far more
        likely an unmounted share) — a folder with other files is refused. Later, a
        folder without ``share.json`` (an empty mount point) or with another share id is
        "not available": nothing is written there and work goes on locally."""
        if not self.root.is_dir():
            raise ShareUnavailable(_("shared folder not reachable: {path}").format(path=self.root))
        found = self.read_marker()
        if known:
            if found is None:
                raise ShareUnavailable(_(
                    "shared folder not available: {path} has no {marker} (is the share mounted?); "
                    "work goes on locally and is published when the share is back").format(
                    path=self.root, marker=MARKER))
            if found != known:
                raise ShareUnavailable(_(
                    "shared folder not available: {path} is another shared folder (share id {found}, "
                    "this workstation uses {known}); work goes on locally").format(
                    path=self.root, found=found, known=known))
            if not self.stations.is_dir():
                try:
                    self.stations.mkdir()        # only here, right after share.json was read
                except FileExistsError:
                    pass
                except OSError as exc:
                    if not is_write_denied(exc):
                        raise named(_("write"), self.stations, exc) from None
            return found
        if found is not None:
            return found
        contents = self.contents()
        if contents == "other":
            raise ShareUnavailable(_(
                "shared folder not available: {path} holds other files and no {marker}; "
                "choose an empty folder for a new share").format(path=self.root, marker=MARKER))
        if contents == "empty" and synced_before:
            raise ShareUnavailable(_(
                "shared folder not available: {path} is empty, but this workstation has synced with a "
                "shared folder before (is the share mounted?); work goes on locally").format(path=self.root))
        share_id = uuid.uuid4().hex
        marker = self.root / MARKER
        try:
            create_exclusive(marker, json.dumps({"share_id": share_id, "created": time.time(),
                                                 "by": self.station}).encode("utf-8"))
            self.stations.mkdir(exist_ok=True)
        except FileExistsError:                            # another station was quicker: theirs
            return self.read_marker() or share_id
        except OSError as exc:
            if is_write_denied(exc):
                raise ShareNotWritable(self.root, exc) from None
            raise named(_("write"), marker, exc) from None
        log.info("set up a new shared folder %s (share id %s)", self.root, share_id)
        return share_id

    def station_folders(self) -> list[Path]:
        try:
            return sorted(p for p in self.stations.iterdir() if p.is_dir() and not p.name.startswith("."))
        except FileNotFoundError:
            return []

    def own_published_max(self, epoch: str, station: str | None = None) -> int:
        """Highest own sequence number already on the share (folder or archive)."""
        best = 0
        station = station or self.station
        for folder in (self.stations / station, self.archive / station):
            try:
                names = os.listdir(folder)
            except FileNotFoundError:
                continue
            for name in names:
                m = BATCH_RE.match(name)
                if m and m.group(1) == epoch:
                    best = max(best, int(m.group(3)))
        return best

    def batches(self, folder: Path, epoch: str) -> list[tuple[int, int]]:
        """(first, last) of every batch of ``epoch`` in ``folder``."""
        try:
            names = os.listdir(folder)
        except OSError:
            return []
        return [(int(m.group(2)), int(m.group(3))) for n in names
                if (m := BATCH_RE.match(n)) and m.group(1) == epoch]

    def publish(self, epoch: str, first: int, last: int, lines: list[str], station: str | None = None) -> Path:
        """Write one batch. ``station``: a former id of this workstation (renamed PC), whose
        batches of this epoch only this local folder ever writes."""
        self.require()
        folder = self.stations / station if station else self.own
        target = folder / batch_name(epoch, first, last)
        try:
            # never parents=True: in an empty mount point (the share unmounted a moment ago)
            # stations/ is missing and this fails instead of creating a local look-alike
            folder.mkdir(exist_ok=True)
            if target.exists():          # published before a crash: same lines, never rewrite
                return target
            write_atomic(target, lines, overwrite=False)
        except FileExistsError:
            return target
        except OSError as exc:
            if is_write_denied(exc):
                raise ShareNotWritable(self.root, exc) from None
            raise named(_("write"), target, exc) from None
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
        """Move a damaged or conflicting file out of the way; None if it cannot be moved
        (gone, or a read-only share: then it is only reported)."""
        folder = {"quarantine": self.quarantine, "conflicts": self.conflicts}[kind] / station
        try:
            return move_aside(path, folder)
        except OSError as exc:
            log.warning("cannot set aside %s: %s", path, reason(exc))
            return None


def create_exclusive(target: Path, data: bytes) -> None:
    """Create ``target`` with ``data`` unless it exists (FileExistsError), atomically: two
    stations setting up one share at the same moment must not both win. A hard link of a
    complete temp file is atomic and exclusive; where links are not supported, O_EXCL."""
    tmp = temp_name(target)
    try:
        with open(tmp, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(tmp, target)
        except FileExistsError:
            raise
        except OSError:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
            try:
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
    finally:
        try:
            tmp.unlink()
        except OSError:
            pass
    fsync_dir(target.parent)


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
    if not (layout.root / MARKER).is_file():
        raise ShareUnavailable(_("shared folder not available: {path} has no {marker}").format(
            path=layout.root, marker=MARKER))
    layout.snapshots.mkdir(exist_ok=True)
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
