"""Batched import commits stay crash-safe (issue 6 §4 item 5): ``Store.batch()`` and a real
``kill -9`` of ``operator_app.py contacts import`` in the middle of a large file."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from callcore.records import Contact, Phone
from callcore.store import Store

ROOT = Path(__file__).resolve().parents[1]
NAMES = ["Μανουσάκης Γιώργος", "Иван Петров", "Jiří Dvořák", "رضا احمدی", "Ελένη Παπαδοπούλου",
         "Мария Иванова", "Žofie Nováková", "مریم کریمی"]


def open_store(tmp_path: Path, station: str = "desk-a") -> Store:
    return Store.open(tmp_path / f"local-{station[5:]}", tmp_path / "share", station, background_sync=False)


def test_batch_is_visible_after_the_block_and_published_whole(tmp_path):
    (tmp_path / "share").mkdir()
    store = open_store(tmp_path)
    seen = []
    store.subscribe(seen.append)
    with store.batch():
        for i, name in enumerate(NAMES):
            store.contacts.put(Contact(name=name, phones=[Phone(f"21000000{i:02d}")]))
        assert len(store.contacts) == 0 and seen == []          # nothing before the commit
    assert sorted(c.name for c in store.contacts.all()) == sorted(NAMES)
    assert len(seen) == 1 and len(seen[0].keys) == len(NAMES)  # one notification for the batch
    store.close()
    other = open_store(tmp_path, "desk-b")
    other.sync_now()
    assert sorted(c.name for c in other.contacts.all()) == sorted(NAMES)
    assert other.problems == []
    other.close()


def test_batch_that_raises_writes_nothing_and_leaves_no_gap(tmp_path):
    (tmp_path / "share").mkdir()
    store = open_store(tmp_path)
    with pytest.raises(RuntimeError):
        with store.batch():
            store.contacts.put(Contact(name="Μισό", phones=[Phone("2100000001")]))
            raise RuntimeError("stop")
    assert len(store.contacts) == 0
    store.contacts.put(Contact(name="Ολόκληρο", phones=[Phone("2100000002")]))
    store.close()
    again = open_store(tmp_path)                         # the journal replays cleanly
    assert [c.name for c in again.contacts.all()] == ["Ολόκληρο"]
    assert again.check() == []
    again.close()
    other = open_store(tmp_path, "desk-b")               # the published batch is complete
    other.sync_now()
    assert [c.name for c in other.contacts.all()] == ["Ολόκληρο"] and other.problems == []
    other.close()


def _cli(settings: Path, *args: str) -> list[str]:
    return [sys.executable, str(ROOT / "operator_app.py"), "--settings", str(settings), *args]


def _journal_lines(local: Path) -> int:
    return sum(p.read_bytes().count(b"\n") for p in (local / "journal").glob("*.jsonl"))


def test_kill_9_mid_import_leaves_a_consistent_store_and_rerun_does_not_duplicate(tmp_path):
    rows = 40_000
    (tmp_path / "share").mkdir()
    settings = tmp_path / "desk-a.json"
    settings.write_text(json.dumps({"station": {"id": "desk-a"},
                                    "store": {"local_folder": "local-a", "shared_folder": "share"}}),
                        encoding="utf-8")
    csv = tmp_path / "big.csv"
    with csv.open("w", encoding="utf-8") as f:
        f.write("name,phone,mobile,city\n")
        for i in range(rows):
            f.write(f"{NAMES[i % len(NAMES)]} {i},21{i:08d},69{i:08d},Αθήνα\n")
    local = tmp_path / "local-a"

    proc = subprocess.Popen(_cli(settings, "contacts", "import", str(csv)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # Kill as soon as the first batch is durable: well before the last of 20 batches.
        while proc.poll() is None and not (local.exists() and _journal_lines(local) > 0):
            time.sleep(0.002)
        proc.kill()                                        # SIGKILL on POSIX
    finally:
        proc.communicate(timeout=60)
    committed = _journal_lines(local)
    assert 0 < committed < rows, "the import was not interrupted in the middle"

    check = subprocess.run(_cli(settings, "store", "check"), capture_output=True, timeout=120)
    assert check.returncode == 0, check.stdout.decode("utf-8") + check.stderr.decode("utf-8")
    assert "store OK" in check.stdout.decode("utf-8")
    with open_store(tmp_path) as store:                    # opens fine; every contact whole
        kept = list(store.contacts.all(copy=False))
        assert 0 < len(kept) < rows
        assert all(len(c.phones) == 2 and c.city == "Αθήνα" for c in kept)

    rerun = subprocess.run(_cli(settings, "contacts", "import", str(csv)), capture_output=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr.decode("utf-8")
    lines = rerun.stdout.decode("utf-8").splitlines()
    missing = rows - len(kept)
    assert lines[0] == f"imported {missing} contacts: {missing} added, 0 updated"
    assert lines[1].startswith(f"{len(kept)} rows unchanged")
    with open_store(tmp_path) as store:
        contacts = list(store.contacts.all(copy=False))
        assert len(contacts) == rows
        numbers = [p.number for c in contacts for p in c.phones]
        assert len(numbers) == len(set(numbers)) == 2 * rows
        assert store.check() == []
