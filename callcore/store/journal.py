"""The local append-only journal: the durability point of the store. A change is committed
when its line is written and fsync'd here; the TinyDB table files are checkpoints of the
journal, written later. Segments are named by the position of their first line."""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import _
from .changes import Change, encode, parse_lines

SEGMENT_BYTES = 8 * 1024 * 1024


@dataclass
class Segment:
    start: int
    path: Path
    lines: int = 0
    own_max: int = 0        # highest own sequence number in this segment
    size: int = 0

    @property
    def end(self) -> int:
        return self.start + self.lines


@dataclass
class Replayed:
    entries: list[tuple[int, Change]] = field(default_factory=list)   # (position, change)
    problems: list[tuple[Path, str]] = field(default_factory=list)


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
                    with open(path, "r+b") as f:        # a crash mid-append: drop the torn tail
                        f.truncate(good_end)
                        os.fsync(f.fileno())
                else:
                    parsed.bad_lines.append(data.count(b"\n") + 1)
            if parsed.bad_lines:
                self.quarantine.mkdir(parents=True, exist_ok=True)
                copy = self.quarantine / f"journal-{path.name}"
                shutil.copyfile(path, copy)
                out.problems.append((path, _("damaged journal lines {lines}; a copy is in {copy}").format(
                    lines=", ".join(map(str, parsed.bad_lines[:10])), copy=copy)))
            # positions count every line, good or bad, so they never shift
            bad = set(parsed.bad_lines)
            n_lines = data[:good_end].count(b"\n")
            it = iter(parsed.changes)
            for line_no in range(1, n_lines + 1):
                if line_no in bad:
                    continue
                change = next(it, None)
                if change is None:
                    break
                out.entries.append((seg.start + line_no - 1, change))
                if change.device == self.device:
                    seg.own_max = max(seg.own_max, change.seq)
            seg.lines = n_lines
            seg.size = good_end
            self.segments.append(seg)
        return out

    def open(self) -> None:
        if not self.segments:
            self.segments.append(Segment(0, self.folder / f"{0:012d}.jsonl"))
        seg = self.segments[-1]
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0)
        self.fd = os.open(seg.path, flags, 0o644)

    def append(self, lines: list[str], own_max: int = 0) -> int:
        """Write and fsync lines; returns the position after the last one."""
        assert self.fd is not None
        data = "".join(lines).encode("utf-8")
        seg = self.segments[-1]
        view = memoryview(data)
        try:
            while view:
                n = os.write(self.fd, view)
                view = view[n:]
            os.fsync(self.fd)
        except OSError:
            try:                       # never leave half a line for the next append to follow
                os.ftruncate(self.fd, seg.size)
            except OSError:
                pass
            raise
        seg.lines += len(lines)
        seg.size += len(data)
        seg.own_max = max(seg.own_max, own_max)
        return seg.end

    def rotate_if_big(self, limit: int = SEGMENT_BYTES) -> None:
        seg = self.segments[-1]
        if seg.size < limit or self.fd is None:
            return
        os.close(self.fd)
        self.segments.append(Segment(seg.end, self.folder / f"{seg.end:012d}.jsonl"))
        self.fd = None
        self.open()

    def drop_applied(self, applied_pos: int, published_seq: int) -> None:
        """Delete whole segments that the table files hold and the share has."""
        while len(self.segments) > 1:
            seg = self.segments[0]
            if seg.end > applied_pos or seg.own_max > published_seq:
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
            if seg.own_max <= seq:
                continue
            for change in parse_lines(seg.path.read_bytes()).changes:
                if change.device == self.device and change.seq > seq:
                    out.append(encode(change))
        return out

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
