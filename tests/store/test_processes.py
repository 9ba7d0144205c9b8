"""Real processes on real folders: several workstations at once, kill -9 mid-write, the
shared folder vanishing and coming back, clock skew, a second copy of a station.
Workers are spawned (subprocess), never forked."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from callcore.store import Store
from callcore.store.tablefiles import read_table_file

from .conftest import needs_root

WORKER = Path(__file__).with_name("worker.py")
ROOT = Path(__file__).resolve().parents[2]


class Worker:
    """A spawned station process whose output is collected line by line by a thread (so
    nothing read ahead of ``ready`` is lost)."""

    def __init__(self, proc: subprocess.Popen):
        self.proc = proc
        self.pid = proc.pid
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.err = ""
        self._out = threading.Thread(target=self._read, daemon=True)
        self._err = threading.Thread(target=self._read_err, daemon=True)
        self._out.start()
        self._err.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)
            if line.strip() == "ready":
                self.ready.set()
        self.ready.set()

    def _read_err(self) -> None:
        self.err = self.proc.stderr.read()

    def wait(self, timeout: float = 60) -> str:
        self.proc.wait(timeout=timeout)
        self._out.join(timeout)
        self._err.join(timeout)
        return "".join(self.lines)


def spawn(local: Path, share: Path, station: str, *args: str, env: dict | None = None) -> Worker:
    return Worker(subprocess.Popen([sys.executable, str(WORKER), str(local), str(share), station, *args],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                                   env={**os.environ, **(env or {})}))


def n_committed(worker: "Worker") -> int:
    return sum(1 for line in list(worker.lines) if line.startswith("committed "))


def committed(output: str) -> dict[str, set[str]]:
    keys: dict[str, set[str]] = {"contacts": set(), "calls": set()}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "committed":
            keys[parts[1]].add(parts[2])
    return keys


def finish(worker: Worker, timeout: float = 60) -> str:
    out = worker.wait(timeout)
    assert worker.proc.returncode == 0, worker.err
    assert out.rstrip().endswith("done"), (out[-300:], worker.err)
    return out


def wait_ready(worker: Worker) -> None:
    assert worker.ready.wait(60) and worker.lines and worker.lines[0].strip() == "ready", worker.err


def final_state(local: Path, share: Path, station: str) -> tuple[list[str], list[str]]:
    with Store.open(local, share, station, background_sync=False) as store:
        store.sync_now()
        return [c.id for c in store.contacts.all()], [c.id for c in store.calls.since()]


def test_several_stations_at_once_see_every_record_exactly_once(tmp_path):
    share = tmp_path / "share"
    share.mkdir()
    stations = [f"ws{i}" for i in range(4)]
    procs = {s: spawn(tmp_path / s, share, s, "--contacts", "25", "--calls", "25", "--delay", "0.01",
                      "--linger", "2") for s in stations}
    outputs = {s: finish(p) for s, p in procs.items()}
    want = {"contacts": set(), "calls": set()}
    for out in outputs.values():
        for table, keys in committed(out).items():
            want[table] |= keys
    assert len(want["contacts"]) == 100 and len(want["calls"]) == 100
    share_id = json.loads((share / "share.json").read_text())["share_id"]     # set up by one of the four
    assert {json.loads((tmp_path / s / "identity.json").read_text())["share_id"] for s in stations} == {share_id}
    for s in stations:
        contacts, calls = final_state(tmp_path / s, share, s)
        assert sorted(contacts) == sorted(want["contacts"])          # each exactly once
        assert sorted(calls) == sorted(want["calls"])


def test_kill_9_at_random_moments_loses_no_committed_change(tmp_path):
    share = tmp_path / "share"
    share.mkdir()
    local = tmp_path / "victim"
    rnd = random.Random(20240501)
    promised = {"contacts": set(), "calls": set()}
    for _round in range(20):
        proc = spawn(local, share, "victim", "--contacts", "100000", "--calls", "100000",
                     "--checkpoint-every", str(rnd.choice([7, 40, 150])), "--sync-interval", "0.05")
        wait_ready(proc)
        time.sleep(rnd.uniform(0.05, 0.6))
        proc.proc.send_signal(signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
        out = proc.wait(30)
        for table, keys in committed(out).items():
            promised[table] |= keys
        with Store.open(local, share, "victim", background_sync=False) as store:
            assert not store.problems, store.problems
            have_contacts = {c.id for c in store.contacts.all()}
            have_calls = {c.id for c in store.calls.since()}
            assert promised["contacts"] <= have_contacts
            assert promised["calls"] <= have_calls
        for path in (local / "tables").glob("*.json") if (local / "tables").exists() else []:
            read_table_file(path)                        # raises if any table file is corrupt
    assert len(promised["contacts"]) > 100
    # and another station gets every one of them through the share
    contacts, calls = final_state(tmp_path / "other", share, "other")
    assert promised["contacts"] <= set(contacts) and promised["calls"] <= set(calls)


def wait_for(predicate, timeout: float = 60.0) -> bool:
    """Poll until ``predicate()`` (a barrier on observed progress, not a fixed sleep)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_shared_folder_removed_and_restored_during_writes(tmp_path):
    share = tmp_path / "share"
    share.mkdir()
    away = tmp_path / "share-unplugged"
    a = spawn(tmp_path / "a", share, "a", "--contacts", "400", "--delay", "0.01", "--linger", "2.5")
    b = spawn(tmp_path / "b", share, "b", "--calls", "400", "--delay", "0.01", "--linger", "2.5")
    wait_ready(a)
    wait_ready(b)
    assert wait_for(lambda: n_committed(a) > 5 and n_committed(b) > 5)    # both have published some
    share.rename(away)
    unplugged_at = {"a": len(a.lines), "b": len(b.lines)}
    # certain, not hoped for: each worker commits 20 changes while the share is away
    assert wait_for(lambda: committed("".join(a.lines[unplugged_at["a"]:]))["contacts"].__len__() >= 20
                    and committed("".join(b.lines[unplugged_at["b"]:]))["calls"].__len__() >= 20)
    assert not share.exists()                         # nobody recreated it while it was gone
    offline_a = committed("".join(a.lines[unplugged_at["a"]:]))["contacts"]
    offline_b = committed("".join(b.lines[unplugged_at["b"]:]))["calls"]
    assert len(offline_a) >= 20 and len(offline_b) >= 20
    away.rename(share)
    want_a = committed(finish(a))
    want_b = committed(finish(b))
    assert offline_a <= want_a["contacts"] and offline_b <= want_b["calls"]
    for station in ("a", "b"):
        contacts, calls = final_state(tmp_path / station, share, station)
        assert set(contacts) == want_a["contacts"] and set(calls) == want_b["calls"]
    with Store.open(tmp_path / "c", share, "c", background_sync=False) as other:   # a third station
        other.sync_now()
        assert offline_a <= {c.id for c in other.contacts.all()}
        assert offline_b <= {c.id for c in other.calls.since()}


@needs_root
def test_unmounted_share_gets_nothing_from_running_workstations(tmp_path, mounts):
    """The share is a real mount; unmounting it leaves an empty mount point, which the
    workers' sync threads must see as 'not available' and never write to."""
    real = tmp_path / "real-share"
    real.mkdir()
    share = mounts.bind(real, tmp_path / "share")
    a = spawn(tmp_path / "a", share, "a", "--contacts", "400", "--delay", "0.01", "--linger", "2.5")
    b = spawn(tmp_path / "b", share, "b", "--calls", "400", "--delay", "0.01", "--linger", "2.5")
    wait_ready(a)
    wait_ready(b)
    assert wait_for(lambda: n_committed(a) > 5 and n_committed(b) > 5)
    mounts.umount(share)
    since = {"a": len(a.lines), "b": len(b.lines)}

    def refused_and_worked_on(worker: Worker, key: str) -> bool:
        later = list(worker.lines)[since[key]:]
        return (any(line.startswith("status ") and "not available" in line for line in later)
                and sum(1 for line in later if line.startswith("committed ")) >= 20)
    # barrier: both sync threads have met the empty mount point and refused it, and both
    # have committed 20 changes since
    assert wait_for(lambda: refused_and_worked_on(a, "a") and refused_and_worked_on(b, "b"))
    assert os.listdir(share) == []
    mounts.bind(real, share)
    want_a = committed(finish(a))
    want_b = committed(finish(b))
    for station in ("a", "b"):
        contacts, calls = final_state(tmp_path / station, share, station)
        assert set(contacts) == want_a["contacts"] and set(calls) == want_b["calls"]


def test_clock_hours_apart_newest_edit_wins(tmp_path):
    share = tmp_path / "share"
    share.mkdir()
    key = "0b6f4a8e-7e6f-4d6c-9d0e-5d1c2b3a4f50"
    ahead = spawn(tmp_path / "ahead", share, "ahead", "--set-name", key, "first, clock 5 h fast",
                  env={"CALLCORE_CLOCK_OFFSET_SECONDS": str(5 * 3600)})
    finish(ahead)
    behind = spawn(tmp_path / "behind", share, "behind", "--set-name", key, "second, clock 5 h slow",
                   env={"CALLCORE_CLOCK_OFFSET_SECONDS": str(-5 * 3600)})
    finish(behind)
    for station in ("ahead", "behind"):
        with Store.open(tmp_path / station, share, station, background_sync=False) as store:
            store.sync_now()
            assert store.contacts.get(key).name == "second, clock 5 h slow"


def test_second_process_with_the_same_station_id_is_refused(tmp_path):
    share = tmp_path / "share"
    share.mkdir()
    first = spawn(tmp_path / "a", share, "desk1", "--linger", "3")
    wait_ready(first)
    settings = tmp_path / "settings.json"
    settings.write_text('{"station": {"id": "desk1"}, "store": {"local_folder": "other", "shared_folder": "share"}}',
                        encoding="utf-8")
    second = subprocess.run([sys.executable, str(ROOT / "operator_app.py"), "--settings", str(settings),
                             "contacts", "add", "--name", "X", "--phone", "123456"],
                            capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert second.returncode == 2
    assert "desk1" in second.stderr and str(first.pid) in second.stderr
    finish(first)
