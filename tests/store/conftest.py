from __future__ import annotations

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
