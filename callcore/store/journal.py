"""The local append-only journal: the durability point of the store. A change is committed
when its line is written and fsync'd here; the TinyDB table files are checkpoints of the
journal, written later. Segments are named by the position of their first line."""
from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import _
from .base import named, reason
from .changes import Change, encode, parse_lines

log = logging.getLogger(__name__)

SEGMENT_BYTES = 8 * 1024 * 1024


@dataclass
class Segment:
    start: int
    path: Path
    lines: int = 0
    maxes: dict[str, int] = field(default_factory=dict)   # device → highest sequence number here
    size: int = 0

    @property
    def own_max(self) -> int:
        """Kept for callers of the old single-device API: the highest of all devices."""
        return max(self.maxes.values(), default=0)

    @property
    def end(self) -> int:
        return self.start + self.lines


@dataclass
class Replayed:
    entries: list[tuple[int, Change]] = field(default_factory=list)   # (position, change)
    problems: list[tuple[Path, str]] = field(default_factory=list)
    damaged: dict[Path, list[int]] = field(default_factory=dict)      # segment → bad line numbers


class Journal:
    def __init__(self, folder: Path, device: str, quarantine: Path):
        self.folder = folder
        self.device = device
        self.quarantine = quarantine
        self.segments: list[Segment] = []
        self.fd: int | None = None

    @property
    def pos(self) -> int:
        return self.segments[-1].end if self.segments else 0

    def recover(self) -> Replayed:
        """Read every retained segment: cut a torn last line, keep a copy of a damaged
        segment in quarantine (its good lines are still used) and return all changes."""
        self.folder.mkdir(parents=True, exist_ok=True)
        out = Replayed()
        names = sorted(p for p in self.folder.glob("*.jsonl") if p.stem.isdigit())
        for index, path in enumerate(names):
            data = path.read_bytes()
            parsed = parse_lines(data)
            seg = Segment(int(path.stem), path)
            good_end = len(data)
            if parsed.torn_last:
                good_end = data.rfind(b"\n") + 1
                if index == len(names) - 1:
                    try:
                        with open(path, "r+b") as f:        # a crash mid-append: drop the torn tail
                            f.truncate(good_end)
                            os.fsync(f.fileno())
                    except OSError as exc:                  # e.g. a read-only disk: read on
                        log.warning("cannot cut the torn last line of %s: %s", path, reason(exc))
                else:
                    parsed.bad_lines.append(data.count(b"\n") + 1)
            if parsed.bad_lines:
                out.damaged[path] = list(parsed.bad_lines)
                copy = self.quarantine / f"journal-{path.name}"
                try:
                    self.quarantine.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, copy)
                    where = _("a copy is in {copy}").format(copy=copy)
                except OSError as exc:                      # disk full: report it all the same
                    where = _("no copy could be made: {reason}").format(reason=reason(exc))
                out.problems.append((path, _("damaged journal lines {lines}; {where}").format(
                    lines=", ".join(map(str, parsed.bad_lines[:10])), where=where)))
            # positions count every line, good, bad or blank, so they never shift
            skip = set(parsed.bad_lines) | set(parsed.blank_lines)
            n_lines = data[:good_end].count(b"\n")
            it = iter(parsed.changes)
            maxes = seg.maxes
            for line_no in range(1, n_lines + 1):
                if line_no in skip:
                    continue
                change = next(it, None)
                if change is None:
                    break
                out.entries.append((seg.start + line_no - 1, change))
                if change.seq > maxes.get(change.device, 0):
                    maxes[change.device] = change.seq
            seg.lines = n_lines
            seg.size = good_end
            self.segments.append(seg)
        return out

    def open(self, tolerant: bool = False) -> None:
        """Open the newest segment for appending. ``tolerant``: a failure (disk full,
        read-only) is logged and the next append tries again, so reading still works."""
        if not self.segments:
            self.segments.append(Segment(0, self.folder / f"{0:012d}.jsonl"))
        seg = self.segments[-1]
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0)
        try:
            self.fd = os.open(seg.path, flags, 0o644)
        except OSError as exc:
            if not tolerant:
                raise named(_("write"), seg.path, exc) from None
            log.warning("cannot open the journal %s for writing yet: %s", seg.path, reason(exc))

    def append(self, lines: list[str], own_max: int = 0) -> int:
        """Write and fsync lines; returns the position after the last one. An OSError
        names the segment file and says why (disk full, permission denied …)."""
        if self.fd is None:
            self.open()
        assert self.fd is not None
        data = "".join(lines).encode("utf-8")
        seg = self.segments[-1]
        view = memoryview(data)
        try:
            while view:
                n = os.write(self.fd, view)
                view = view[n:]
            os.fsync(self.fd)
        except OSError as exc:
            try:                       # never leave half a line for the next append to follow
                os.ftruncate(self.fd, seg.size)
            except OSError:
                pass
            raise named(_("write"), seg.path, exc) from None
        seg.lines += len(lines)
        seg.size += len(data)
        if own_max > seg.maxes.get(self.device, 0):
            seg.maxes[self.device] = own_max
        return seg.end

    def blank(self, path: Path, line_numbers: list[int]) -> None:
        """Overwrite the given lines of a segment with spaces in place (same length, so
        positions and the open append handle stay valid): damage that has been repaired
        from the share is then no longer found at every start."""
        wanted = set(line_numbers)
        with open(path, "r+b") as f:
            data = f.read()
            offset = 0
            for line_no, raw in enumerate(data.split(b"\n"), start=1):
                end = offset + len(raw)
                if line_no in wanted and end < len(data):          # only whole lines (with a newline)
                    f.seek(offset)
                    f.write(b" " * len(raw))
                offset = end + 1
            last = data.rfind(b"\n") + 1
            if self.segments and path != self.segments[-1].path and last < len(data):
                f.truncate(last)                                   # a torn tail in an old segment
            f.flush()
            os.fsync(f.fileno())

    def rotate_if_big(self, limit: int = SEGMENT_BYTES) -> None:
        seg = self.segments[-1]
        if seg.size < limit or self.fd is None:
            return
        os.close(self.fd)
        self.segments.append(Segment(seg.end, self.folder / f"{seg.end:012d}.jsonl"))
        self.fd = None
        self.open()

    def drop_applied(self, applied_pos: int, published: int | dict[str, int]) -> None:
        """Delete whole segments that the table files hold and the share has:
        ``published`` maps each own device (current and former ids) to its published mark."""
        if isinstance(published, int):
            published = {self.device: published}
        while len(self.segments) > 1:
            seg = self.segments[0]
            if seg.end > applied_pos or any(seg.maxes.get(d, 0) > p for d, p in published.items()):
                break
            try:
                seg.path.unlink()
            except OSError:
                break
            self.segments.pop(0)

    def read_own_after(self, seq: int) -> list[str]:
        """Own lines with a sequence number above ``seq`` (still to publish)."""
        out: list[str] = []
        for seg in self.segments:
            if seg.maxes.get(self.device, 0) <= seq:
                continue
            for change in parse_lines(seg.path.read_bytes()).changes:
                if change.device == self.device and change.seq > seq:
                    out.append(encode(change))
        return out

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
