from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest

from callcore.records import CallRecord, Contact, Phone, new_id
from callcore.store import Store


@pytest.fixture
def share(tmp_path: Path) -> Path:
    folder = tmp_path / "share"
    folder.mkdir()
    return folder


@pytest.fixture
def open_store(tmp_path: Path, share: Path):
    opened: list[Store] = []

    def _open(station: str = "alpha", shared: Path | None | bool = True, **kw) -> Store:
        kw.setdefault("background_sync", False)
        store = Store.open(tmp_path / f"local-{station}", share if shared is True else (shared or None),
                           station, **kw)
        opened.append(store)
        return store
    yield _open
    for store in opened:
        store.close()


def make_call(started_at: str = "2024-03-05T09:30:00+02:00", **kw) -> CallRecord:
    kw.setdefault("id", new_id())
    kw.setdefault("linkedid", kw["id"])
    return CallRecord(direction=kw.pop("direction", "in"), status=kw.pop("status", "answered"),
                      started_at=started_at, **kw)


def make_contact(name: str = "Ιβάν Петров", *numbers: str, **kw) -> Contact:
    return Contact(name=name, phones=[Phone(n) for n in numbers or ("2101234567",)], **kw)


def as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


needs_root = pytest.mark.skipif(not as_root(), reason="mounts a tmpfs / read-only bind mount: needs root "
                                                      "(CI runs as root; root ignores chmod, so no other way)")


@pytest.fixture
def mounts():
    """mount(...) helpers; everything mounted is unmounted at the end, newest first."""
    done: list[Path] = []

    class Mounts:
        def tmpfs(self, folder: Path, size: str) -> Path:
            folder.mkdir(parents=True, exist_ok=True)
            subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=True)
            done.append(folder)
            return folder

        def bind(self, source: Path, folder: Path, read_only: bool = False) -> Path:
            folder.mkdir(parents=True, exist_ok=True)
            subprocess.run(["mount", "--bind", str(source), str(folder)], check=True)
            done.append(folder)
            if read_only:
                subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True)
            return folder

        def mounted(self, folder: Path) -> bool:
            return folder in done

        def umount(self, folder: Path) -> None:
            """Lazy: detached at once even while a process has a file open in it."""
            subprocess.run(["umount", "-l", str(folder)], check=True)
            done.remove(folder)

    yield Mounts()
    for folder in reversed(done):
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill_disk(folder: Path) -> Path:
    """Write one file until the file system says ENOSPC."""
    filler = folder / "filler.bin"
    chunk = b"\0" * 65536
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(chunk)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    for n in range(10000):                 # the last bytes too: small files then fail as well
        try:
            with open(folder / f"filler-{n}", "wb", buffering=0) as f:
                f.write(b"\0" * 512)
        except OSError:
            break
    return filler
