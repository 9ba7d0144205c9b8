"""Crash-safe file writing: a temp file beside the target, fsync, then ``os.replace`` —
a reader sees the old file or the new one, never half of one. Also the TinyDB ``Storage``
built on it, so the local table files stay ordinary TinyDB files."""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any, Iterable

from tinydb.storages import Storage

from .changes import json_encoder


def fsync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX); Windows cannot open a folder and needs nothing."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def temp_name(target: Path) -> Path:
    return target.with_name(f".tmp-{target.name}-{os.getpid()}-{time.monotonic_ns()}")


def write_atomic(target: Path, chunks: Iterable[str | bytes], *, overwrite: bool = True) -> int:
    """Write ``chunks`` to ``target`` atomically; returns the byte count. With
    ``overwrite=False`` refuses (FileExistsError) to replace an existing file."""
    tmp = temp_name(target)
    size = 0
    try:
        with open(tmp, "wb") as out:
            for chunk in chunks:
                data = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
                out.write(data)
                size += len(data)
            out.flush()
            os.fsync(out.fileno())
        if not overwrite and target.exists():
            raise FileExistsError(str(target))
        os.replace(tmp, target)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    fsync_dir(target.parent)
    return size


def move_aside(path: Path, folder: Path) -> Path | None:
    """Move a file or folder into ``folder`` under a name that is not taken yet; None if
    it is gone (checked first, so a vanished share gets no new folders)."""
    if not os.path.lexists(path):
        return None
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    n = 1
    while target.exists():
        target = folder / f"{path.name}.{n}"
        n += 1
    try:
        shutil.move(str(path), str(target))
    except FileNotFoundError:
        return None          # someone else moved it first
    return target


_DUMPS = json_encoder(sort_keys=False)


def tinydb_chunks(tables: dict[str, Iterable[dict[str, Any] | str]]) -> Iterable[str]:
    """Encode ``{table: documents}`` in TinyDB's file layout, one document at a time (so a
    big table never holds the interpreter for long and never needs a second copy). A
    document given as a ``str`` is its JSON text already."""
    dumps = _DUMPS
    yield "{"
    for t_index, (name, docs) in enumerate(tables.items()):
        yield ("," if t_index else "") + dumps(name) + ":{"
        buf: list[str] = []
        for d_index, doc in enumerate(docs, start=1):
            text = doc if type(doc) is str else dumps(doc)     # str: already encoded
            buf.append(('"%d":' if d_index == 1 else ',"%d":') % d_index + text)
            if len(buf) >= 256:
                yield "".join(buf)
                buf = []
        buf.append("}")
        yield "".join(buf)
    yield "}\n"


class AtomicJSONStorage(Storage):
    """TinyDB storage that never rewrites a file in place (temp + fsync + os.replace)."""

    def __init__(self, path: str | Path, **_kwargs: Any):
        self.path = Path(path)

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        return json.loads(text) if text.strip() else None

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, [json.dumps(data, ensure_ascii=False)])

    def close(self) -> None:
        pass
