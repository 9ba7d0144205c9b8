"""The directory index kept on disk between runs, so start-up need not build it again.

Building the index of 100,000 contacts costs over a second of pure Python; reading a
built one back is a few hundred milliseconds of mostly C. The file
(``<local>/cache/directory-index.bin``) is only a cache: it is never trusted further than
its checks, and any problem with it means one ordinary build (and a new file).

Never stale: the file records, per contact, the store's field clocks (each ``(hybrid
clock, device)`` names one change, so equal clocks mean equal contents) and a
fingerprint of all of them. At start the fingerprint of the store's contacts now is
compared: equal → the stored index is used as is; different (edited here or merged
from another station while closed, added, deleted) → the stored index is used for the
unchanged contacts and the changed ones are indexed again (or, when many changed, the
whole index is built again). The file also names the index format, the Python version,
the match rules and a hash of the indexing code, so an update or a settings change
means a build. A damaged, truncated or foreign file (checksums, magic, a restricted
unpickler that refuses every class but ``array``) is ignored, logged, and replaced.

Layout: ``MAGIC``, the sections "ids" (the indexed contact ids in index order, one
text), "index" (the directory's base, ``Directory.index_state``) and "signatures" (ids
and clocks, as columns), each pickled, then the header (pickled dict: versions,
fingerprint, each section's place, size and CRC32) and its length (4 bytes).
"""
from __future__ import annotations

import ctypes
import gc
import hashlib
import io
import logging
import marshal
import os
import pickle
import struct
import sys
import threading
import zlib
from dataclasses import dataclass, field
from itertools import compress
from operator import attrgetter, itemgetter, ne
from pathlib import Path
from typing import Any, Callable

from . import directory as directory_module, numbers as numbers_module, textfold
from .directory import INDEX_FORMAT, Directory
from .numbers import MatchRules
from .records import Contact

log = logging.getLogger(__name__)

__all__ = ["CACHE_NAME", "DirectoryLoad", "cache_path", "load_directory", "open_directory", "trim_heap"]

CACHE_NAME = "directory-index.bin"
MAGIC = b"OPDIRIX\x01"
# Up to this many contacts (and this share of them) changed, added or deleted since the
# file was written, the stored index is used and those contacts are indexed again one by
# one (~0.2 ms each, into the directory's edit overlay); beyond it, the next start builds
# the whole index and writes a fresh file.
MAX_CHANGED = 1000
MAX_CHANGED_SHARE = 0.25

# Per contact record: (base clock, per-field clocks, tombstone); see store/tables.py.
Signature = tuple


def cache_path(folder: Path) -> Path:
    """Where the index is kept inside ``folder`` (e.g. ``<local>/cache``)."""
    return Path(folder) / CACHE_NAME


@dataclass
class DirectoryLoad:
    """What ``open_directory`` did: ``source`` is "cache" (used as is), "cache+changes"
    (used; ``changed`` contacts were changed, added or deleted since and are indexed
    again) or "build" (``problem`` says why, when there was a file); ``saver`` is the
    thread writing a new file after a build."""

    directory: Directory
    source: str
    changed: int = 0
    problem: str = ""
    saver: threading.Thread | None = field(default=None, repr=False)


def load_directory(store: Any, rules: MatchRules, cache_folder: Path | None,
                   on_numbers_ready: Callable[[], None] | None = None,
                   directory: Directory | None = None) -> Directory:
    """The directory of ``store``'s contacts, from the cache in ``cache_folder`` when it is
    current, otherwise built (then saved there in the background). ``on_numbers_ready``
    is called as soon as ``lookup`` answers. ``cache_folder`` None: always build."""
    return open_directory(store, rules, cache_folder, on_numbers_ready, directory).directory


def open_directory(store: Any, rules: MatchRules, cache_folder: Path | None,
                   on_numbers_ready: Callable[[], None] | None = None,
                   directory: Directory | None = None) -> DirectoryLoad:
    """``load_directory``, saying where the index came from (see :class:`DirectoryLoad`)."""
    gc_was_enabled = gc.isenabled()
    gc.disable()     # ~1M new objects while ~2M of the store's are alive: no cyclic GC passes
    try:
        result = _open(store, rules, cache_folder, on_numbers_ready, directory)
    finally:
        if gc_was_enabled:
            gc.enable()
    trim_heap()
    return result


def trim_heap() -> None:
    """Hand the memory freed after a build or a file read back to the OS. glibc keeps
    freed blocks in its heap, so the window would otherwise stay at the start-up peak
    (about 20 MB more at 100,000 contacts, file read; 25 MB after a build). Elsewhere a
    no-op: other allocators return memory themselves or have no such call."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):      # not glibc (e.g. musl)
        pass


def _open(store: Any, rules: MatchRules, cache_folder: Path | None,
          on_numbers_ready: Callable[[], None] | None, directory: Directory | None) -> DirectoryLoad:
    directory = Directory(rules) if directory is None else directory   # (an empty one is falsy)
    path = cache_path(cache_folder) if cache_folder is not None else None
    # The store's change feed waits on this lock (``Directory.put``): a change after the
    # snapshot below is applied after the index is in place, and none is lost.
    with directory.lock:
        snapshot = _snapshot(store) if path is not None else None
        if snapshot is None:
            path = None
            contacts = list(store.contacts.all(copy=False))    # read-only: no copy
        else:
            contacts = snapshot.contacts
        fingerprint = snapshot.fingerprint() if snapshot is not None else b""
        header = _expected_header(rules) if path is not None else {}
        result = None
        if path is not None:
            try:
                result = _from_file(path, directory, snapshot, fingerprint, header)
            except FileNotFoundError:
                result = DirectoryLoad(directory, "build", problem="no file yet")
            except (OSError, CacheDamaged) as exc:
                problem = str(exc) if isinstance(exc, CacheDamaged) else f"cannot read: {exc}"
                log.warning("directory cache %s ignored (%s); building the index", path, problem)
                result = DirectoryLoad(directory, "build", problem=problem)
            except Exception as exc:  # noqa: BLE001 - whatever goes wrong, a build still answers
                log.exception("directory cache %s failed; building the index", path)
                result = DirectoryLoad(directory, "build", problem=repr(exc))
        if result is not None and result.source != "build":
            if on_numbers_ready is not None:
                on_numbers_ready()
            return result
        directory.load(contacts, on_numbers_ready)
        state = directory.index_state()
        result = result or DirectoryLoad(directory, "build")
    if path is not None and snapshot is not None and state is not None:
        result.saver = _start_writer(path, header, fingerprint, snapshot, state)
    return result


# ------------------------------------------------------------------------ fingerprint
@dataclass
class _Snapshot:
    """The store's contacts at one moment: the visible ones, and the clocks of every
    contact record (deleted ones too) as columns in record order."""

    contacts: list[Contact]
    keys: list[str]
    columns: tuple[list, list, list]      # base clock, per-field clocks, tombstone

    def fingerprint(self) -> bytes:
        # marshal version 2 has no back-references: equal data gives equal bytes.
        data = marshal.dumps((self.keys, *self.columns), 2)
        return hashlib.blake2b(data, digest_size=20).digest()

    def signatures(self) -> dict[str, Signature]:
        return dict(zip(self.keys, zip(*self.columns)))


def _snapshot(store: Any) -> _Snapshot | None:
    """None when the store does not keep its contacts the way this module knows (then
    no cache is used)."""
    try:
        items = list(store.tables["contacts"].records.items())   # key -> (obj, base, over, tomb)
        states = list(map(itemgetter(1), items))
        return _Snapshot(list(filter(None, map(itemgetter(0), states))),   # a Contact is true
                         list(map(itemgetter(0), items)),
                         tuple(list(map(itemgetter(i), states)) for i in (1, 2, 3)))  # type: ignore[arg-type]
    except (AttributeError, KeyError, TypeError, ValueError):
        log.warning("directory cache not used: unknown store layout", exc_info=True)
        return None


def _code_hash() -> str:
    """Changes when the indexing code changes (an update must not read an old index)."""
    digest = hashlib.blake2b(digest_size=12)
    for module in (directory_module, numbers_module, textfold):
        try:
            digest.update(Path(module.__file__ or "").read_bytes())
        except OSError:
            digest.update(module.__name__.encode())     # frozen build: the format decides
    return digest.hexdigest()


def _expected_header(rules: MatchRules) -> dict[str, Any]:
    return {"format": INDEX_FORMAT, "python": list(sys.version_info[:2]), "code": _code_hash(),
            "rules": repr(rules)}


# ------------------------------------------------------------------------ reading
class CacheDamaged(Exception):
    """The file is not a usable index (damaged, truncated, foreign, other version)."""


class _Unpickler(pickle.Unpickler):
    """Plain data and arrays only: a foreign file must not run code."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "array" and name in ("array", "_array_reconstructor"):
            return super().find_class(module, name)
        raise CacheDamaged(f"refuses {module}.{name}")


def _unpickle(data: bytes | memoryview) -> Any:
    try:
        return _Unpickler(io.BytesIO(data)).load()
    except CacheDamaged:
        raise
    except Exception as exc:  # noqa: BLE001 - any damage shows up as some error
        raise CacheDamaged(f"unreadable section: {exc!r}") from None


def _read(path: Path) -> tuple[dict[str, Any], memoryview]:
    """The header (at the end of the file) and the whole file."""
    data = memoryview(path.read_bytes())
    if data[:len(MAGIC)] != MAGIC or len(data) < len(MAGIC) + 4:
        raise CacheDamaged("not a directory index file")
    (size,) = struct.unpack("<I", data[-4:])
    if size > len(data) - len(MAGIC) - 4:
        raise CacheDamaged("truncated")
    header = _unpickle(data[len(data) - 4 - size:len(data) - 4])
    if not isinstance(header, dict):
        raise CacheDamaged("bad header")
    return header, data


def _section(header: dict[str, Any], data: memoryview, name: str) -> Any:
    try:
        begin, length, crc = header["sections"][name]
        begin, length = len(MAGIC) + int(begin), int(length)
    except (KeyError, TypeError, ValueError):
        raise CacheDamaged("bad header") from None
    part = data[begin:begin + length]
    if len(part) != length or zlib.crc32(part) != crc:
        raise CacheDamaged(f"{name} section damaged (checksum)")
    return _unpickle(part)


def _from_file(path: Path, directory: Directory, snapshot: _Snapshot, fingerprint: bytes,
               expected: dict[str, Any]) -> DirectoryLoad:
    header, data = _read(path)
    for key, value in expected.items():
        if header.get(key) != value:
            return DirectoryLoad(directory, "build", problem=f"{key} differs")
    contacts = snapshot.contacts
    if header.get("fingerprint") == fingerprint:
        ids = list(map(attrgetter("id"), contacts))
        if _stored_ids(header, data) != ids:
            raise CacheDamaged("ids differ")
        _restore(directory, dict(zip(ids, contacts)), _section(header, data, "index"), ids)
        log.info("directory index read from %s", path)
        return DirectoryLoad(directory, "cache")
    # Contacts changed while we were away: find which records' clocks differ.
    changed = _changed_keys(_section(header, data, "signatures"), snapshot)
    if len(changed) > min(MAX_CHANGED, MAX_CHANGED_SHARE * len(contacts)):
        return DirectoryLoad(directory, "build", problem=f"{len(changed)} contacts changed")
    current = dict(zip(map(attrgetter("id"), contacts), contacts))
    again = [current.pop(key) for key in changed if key in current]      # edited or added
    # Every stored contact is now either unchanged (in ``current``) or changed (voided:
    # deleted, or edited and indexed again below).
    _restore(directory, current, _section(header, data, "index"), _stored_ids(header, data), changed)
    for contact in again:
        directory.put(contact)
    log.info("directory index read from %s; %d changed contacts indexed again", path, len(again))
    return DirectoryLoad(directory, "cache+changes", changed=len(changed))


def _changed_keys(columns: Any, snapshot: _Snapshot) -> list[str]:
    """Ids of the contact records whose clocks differ between the file and now (edited,
    deleted, added). Records keep their order in the store, new ones come last: then the
    columns are compared element by element at C speed; otherwise id by id."""
    try:
        stored_keys, *stored = columns
        if len(stored) != 3:
            raise ValueError
        keys, now = snapshot.keys, snapshot.columns
        common = min(len(stored_keys), len(keys))
        if stored_keys[:common] == keys[:common]:
            differ: set[str] = set(keys[common:]) | set(stored_keys[common:])
            for old, new in zip(stored, now):
                differ.update(compress(keys[:common], map(ne, old[:common], new[:common])))
            return sorted(differ)
        old_sigs = dict(zip(stored_keys, zip(*stored)))
        new_sigs = snapshot.signatures()
        return sorted(key for key in old_sigs.keys() | new_sigs.keys()
                      if old_sigs.get(key) != new_sigs.get(key))
    except (TypeError, ValueError, IndexError, KeyError):
        raise CacheDamaged("bad signatures") from None


def _stored_ids(header: dict[str, Any], data: memoryview) -> list[str]:
    """The ids of the stored index in its order (kept as one text: quick to read)."""
    ids = _section(header, data, "ids")
    if not isinstance(ids, str):
        raise CacheDamaged("bad ids")
    return ids.split("\x1f") if ids else []


def _restore(directory: Directory, contacts: dict[str, Contact], state: Any, ids: list[str],
             void: list[str] | None = None) -> None:
    if not isinstance(state, dict):
        raise CacheDamaged("bad index section")
    state["ids"] = ids
    try:
        directory.restore(contacts, state, void or ())
    except ValueError as exc:
        raise CacheDamaged(str(exc)) from None


# ------------------------------------------------------------------------ writing
def _start_writer(path: Path, header: dict[str, Any], fingerprint: bytes,
                  snapshot: _Snapshot, state: dict[str, Any]) -> threading.Thread:
    thread = threading.Thread(target=_write_quietly, args=(path, header, fingerprint, snapshot, state),
                              name="directory-cache-write", daemon=True)
    thread.start()
    return thread


def _write_quietly(path: Path, header: dict[str, Any], fingerprint: bytes,
                   snapshot: _Snapshot, state: dict[str, Any]) -> None:
    try:
        write_cache(path, header, fingerprint, snapshot, state)
    except Exception:  # noqa: BLE001 - a cache that cannot be written is only slower next time
        log.warning("directory cache %s not written", path, exc_info=True)
    del snapshot, state
    trim_heap()


class _SectionWriter:
    """Streams a pickle into the file, keeping its size and CRC32 (no copy in memory)."""

    def __init__(self, file: Any, at: int):
        self.file, self.begin, self.size, self.crc = file, at, 0, 0

    def write(self, data: bytes) -> int:
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        return self.file.write(data)


def write_cache(path: Path, header: dict[str, Any], fingerprint: bytes, snapshot: _Snapshot,
                state: dict[str, Any]) -> None:
    """Write the file whole (temp file, then rename): a reader sees the old or the new."""
    parts = {"ids": "\x1f".join(state["ids"]),
             "index": {k: v for k, v in state.items() if k != "ids"},
             "signatures": (snapshot.keys, *snapshot.columns)}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    for stale in path.parent.glob(f"{path.name}.*.tmp"):    # left by a process that ended mid-write
        if stale != tmp:
            stale.unlink(missing_ok=True)
    try:
        with open(tmp, "wb") as f:
            f.write(MAGIC)
            sections, at = {}, 0
            for name, value in parts.items():
                writer = _SectionWriter(f, at)
                pickle.dump(value, writer, protocol=5)    # written frame by frame
                sections[name] = (at, writer.size, writer.crc)
                at += writer.size
            head = pickle.dumps(dict(header, fingerprint=fingerprint, contacts=len(state["ids"]),
                                     sections=sections), protocol=5)
            f.write(head + struct.pack("<I", len(head)))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    log.info("directory index saved to %s (%d bytes)", path, len(MAGIC) + at + len(head) + 4)
