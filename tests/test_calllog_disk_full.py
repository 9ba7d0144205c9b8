"""A full local disk never loses a finished call (issue 6 item 1): the call log keeps the
calls it cannot write, says how many are waiting, writes them once space returns, and on
close keeps them in a file for the next start (or logs each one when even that fails).

Proven on a real, small tmpfs filled by a real file (needs root to mount it)."""
from __future__ import annotations

import errno
import json
import logging
import os
import subprocess
from pathlib import Path

import pytest

from callcore.calllog import SPILL_NAME, CallLogger
from callcore.records import CallRecord, call_id_for
from callcore.store import Store
from tests.waiting import wait_for

CALLS = 14


@pytest.fixture
def disk(tmp_path):
    """A 2 MB tmpfs of its own: the store's local folder lives on it."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(folder: Path) -> Path:
    """Write a filler file until the disk says it is full; returns it."""
    filler = folder / "filler.bin"
    block = b"\0" * 4096
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(block)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    for small in (1024, 256, 64, 1):       # the last crumbs too: not even one line fits
        try:
            with open(filler, "ab", buffering=0) as f:
                while True:
                    f.write(b"\0" * small)
        except OSError:
            pass
    return filler


def calls(n: int = CALLS) -> list[CallRecord]:
    return [CallRecord(id=call_id_for(f"1764400000.{i}"), linkedid=f"1764400000.{i}",
                       direction="in", status="answered", started_at="2026-11-29T10:00:00+02:00",
                       caller_number=f"69451234{i:02d}", caller_name="Γιώργος Παπαδόπουλος")
            for i in range(n)]


def no_lookup(_number):
    return []


def open_store(local: Path) -> Store:
    return Store.open(local, None, "desk-1")


def logged_ids(local: Path) -> set[str]:
    with open_store(local) as store:
        return {c.id for c in store.calls.since()}


def test_calls_finished_while_the_disk_is_full_are_written_when_space_returns(disk, caplog):
    caplog.set_level(logging.WARNING, logger="callcore.calllog")
    local = disk / "store"
    store = open_store(local)
    seen_waiting: list[int] = []
    logger = CallLogger(store, no_lookup, "maria", on_waiting=seen_waiting.append,
                        retry_initial=0.05, retry_max=0.2)
    filler = fill(disk)
    try:
        for record in calls():
            logger.log(record)
        assert wait_for(lambda: logger.waiting == CALLS, 10), logger.waiting
        assert len(list(store.calls.since())) == 0
        assert "No space left on device" in caplog.text
        filler.unlink()                              # space returns
        assert wait_for(lambda: logger.waiting == 0 and seen_waiting[-1] == 0, 10), logger.waiting
        assert logger.written == CALLS and max(seen_waiting) == CALLS
    finally:
        logger.close()
        store.close()
    ids = logged_ids(local)                          # on disk, not only in memory
    assert ids == {c.id for c in calls()}
    assert not (local / SPILL_NAME).exists()


def test_calls_still_unwritten_at_close_are_kept_and_written_at_next_start(disk, tmp_path):
    local = disk / "store"
    spill = tmp_path / "spill"                       # another disk, with space
    store = open_store(local)
    logger = CallLogger(store, no_lookup, "maria", retry_initial=0.05, retry_max=0.2,
                        spill_folders=[local, spill])
    filler = fill(disk)
    for record in calls():
        logger.log(record)
    assert wait_for(lambda: logger.waiting == CALLS, 10)
    logger.close()
    store.close()
    kept = [json.loads(line) for line in (spill / SPILL_NAME).read_text(encoding="utf-8").splitlines()]
    assert [k["id"] for k in kept] == [c.id for c in calls()]
    assert kept[0]["caller_name"] == "Γιώργος Παπαδόπουλος" and kept[0]["user"] == "maria"

    filler.unlink()
    store = open_store(local)
    logger = CallLogger(store, no_lookup, "maria", spill_folders=[local, spill])
    try:
        assert wait_for(lambda: len(list(store.calls.since())) == CALLS and logger.waiting == 0, 10)
        assert wait_for(lambda: not (spill / SPILL_NAME).exists())
    finally:
        logger.close()
        store.close()
    assert logged_ids(local) == {c.id for c in calls()}


def test_calls_that_cannot_be_kept_anywhere_are_each_logged_loudly(disk, caplog):
    caplog.set_level(logging.ERROR, logger="callcore.calllog")
    local = disk / "store"
    store = open_store(local)
    logger = CallLogger(store, no_lookup, "maria", retry_initial=0.05, retry_max=0.2)
    fill(disk)
    for record in calls(3):
        logger.log(record)
    assert wait_for(lambda: logger.waiting == 3, 10)
    logger.close()
    store.close()
    not_saved = [r for r in caplog.records if "NOT SAVED" in r.getMessage()]
    assert len(not_saved) == 3
    assert all(c.id in r.getMessage() for c, r in zip(calls(3), not_saved))
    assert not (local / SPILL_NAME).exists()
