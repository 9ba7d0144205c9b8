"""Item: a full local disk or a refused write names the file and says why; reading still
works on a full disk (opening the store, `contacts find`, `calls`). A real tmpfs, filled up."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from callcore.store import Store

from .conftest import fill_disk, make_call, make_contact, needs_root

ROOT = Path(__file__).resolve().parents[2]
NAME = "Μανουσάκης Ιωάννης"


def cli(settings: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "operator_app.py"), "--settings", str(settings), *args],
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


@pytest.fixture
def full_disk(tmp_path, share, mounts):
    """alpha's local folder on a tmpfs that is full; the share holds news from beta."""
    disk = mounts.tmpfs(tmp_path / "disk", "2m")
    local = disk / "local"
    with Store.open(local, share, "alpha", background_sync=False) as store:
        store.contacts.put(make_contact(NAME, "2101234567"))
        store.calls.add(make_call(caller_number="6970000001"))
        store.sync_now()
        store.checkpoint()
    with Store.open(tmp_path / "local-beta", share, "beta", background_sync=False) as beta:
        beta.contacts.put(make_contact("from beta, not merged by alpha yet"))
        beta.sync_now()
    fill_disk(disk)
    with Store.open(local, None, "alpha", background_sync=False) as store:   # opening works, and
        for _n in range(100):                          # the journal's last page has room for a few lines:
            try:                                       # fill that too, so that the disk is full for good
                store.contacts.put(make_contact("filler", "2100000000"))
            except OSError as exc:
                refused = str(exc)
                break
        else:
            raise AssertionError("the disk never filled up")
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"station": {"id": "alpha"}, "store": {
        "local_folder": str(local), "shared_folder": str(share)}}), encoding="utf-8")
    return local, settings, refused


@needs_root
def test_reading_works_on_a_full_disk(full_disk):
    local, settings, _refused = full_disk
    found = cli(settings, "contacts", "find", "Μανουσάκης")
    assert found.returncode == 0, found.stderr
    assert NAME in found.stdout
    calls = cli(settings, "calls")
    assert calls.returncode == 0, calls.stderr
    assert "6970000001" in calls.stdout


@needs_root
def test_a_write_on_a_full_disk_names_the_file(full_disk, share):
    local, settings, refused = full_disk
    assert str(local / "journal") in refused and "disk is full" in refused, refused
    added = cli(settings, "contacts", "add", "--name", "X", "--phone", "2107654321")
    assert added.returncode == 2
    assert str(local / "journal") in added.stderr and "disk is full" in added.stderr, added.stderr
    assert "Traceback" not in added.stderr
    with Store.open(local, share, "alpha", background_sync=False) as store:
        report = store.sync_now()                       # merging beta's news cannot be written …
        assert "disk is full" in report.error and str(local) in report.error
        assert any("disk is full" in str(p) for p in store.problems)        # … and that is shown
        assert NAME in {c.name for c in store.contacts.all()}


@needs_root
def test_refused_writes_name_the_file_and_say_why(open_store, tmp_path, mounts):
    store = open_store("alpha", shared=False)
    store.contacts.put(make_contact("x"))
    tables = tmp_path / "local-alpha" / "tables"
    tables.mkdir(exist_ok=True)
    mounts.bind(tables, tables, read_only=True)                  # the table folder becomes read-only
    with pytest.raises(OSError) as err:
        store.checkpoint()
    assert str(tables / "contacts.json") in str(err.value) and "read-only" in str(err.value)
    store.close()
    local = tmp_path / "local-alpha"
    mounts.bind(local, local, read_only=True)
    with pytest.raises(OSError) as err:
        Store.open(local, None, "alpha", background_sync=False)
    assert str(local / "station.lock") in str(err.value) and "read-only" in str(err.value)


@needs_root
def test_a_full_share_is_still_merged_and_says_it_is_full(tmp_path, mounts):
    share = mounts.tmpfs(tmp_path / "share-disk", "1m")
    with Store.open(tmp_path / "beta", share, "beta", background_sync=False) as beta:
        theirs = beta.contacts.put(make_contact("from beta"))
        beta.sync_now()
    alpha = Store.open(tmp_path / "alpha", share, "alpha", background_sync=False)
    try:
        alpha.sync_now()
        fill_disk(share)
        mine = alpha.contacts.put(make_contact("from alpha " + "x" * 5000))    # bigger than any slack
        report = alpha.sync_now()
        assert alpha.contacts.get(theirs.id) == theirs
        assert "cannot write to the shared folder" in report.error and str(share) in report.error
        assert "disk is full" in report.error and "not reachable" not in report.error
        for filler in share.glob("filler*"):
            filler.unlink()
        assert alpha.sync_now().published == 1
        assert not any("disk is full" in str(p) for p in alpha.problems)
    finally:
        alpha.close()
    with Store.open(tmp_path / "beta", share, "beta", background_sync=False) as beta:
        beta.sync_now()
        assert beta.contacts.get(mine.id) == mine
