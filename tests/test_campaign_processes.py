"""Several real station processes on one shared folder work one campaign of 500 entries
through the command line's claim path at full speed: every entry is completed exactly
once and no entry is won by two stations; with one station killed (-9) in the middle of a
claim, its claims expire and the others work its entries. Workers are spawned, never forked."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

from callcore.campaign_book import CampaignBook
from callcore.store import Store

ROOT = Path(__file__).resolve().parents[1]
WORKER = Path(__file__).with_name("campaign_worker.py")
ENTRIES = 500


class Worker:
    def __init__(self, proc: subprocess.Popen):
        self.proc = proc
        self.lines: list[str] = []
        self.err = ""
        self.claimed = threading.Event()       # set at the first "claimed" after arm()
        self._armed = False
        self._out = threading.Thread(target=self._read, daemon=True)
        self._err = threading.Thread(target=lambda: setattr(self, "err", proc.stderr.read()), daemon=True)
        self._out.start()
        self._err.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.strip())
            if self._armed and line.startswith("claimed "):
                self.claimed.set()
        self.claimed.set()

    def arm(self) -> None:
        self._armed = True

    def wait(self, timeout: float = 300) -> list[str]:
        self.proc.wait(timeout=timeout)
        self._out.join(timeout)
        self._err.join(timeout)
        return self.lines


def spawn(tmp: Path, share: Path, station: str, *args: str) -> Worker:
    return Worker(subprocess.Popen(
        [sys.executable, str(WORKER), str(tmp / station), str(share), station, "Spring", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8"))


def make_campaign(tmp: Path, claim_seconds: int = 900) -> Path:
    """The campaign created by the real command line on a supervisor's station."""
    share = tmp / "share"
    share.mkdir()
    rows = ["Name,Phone,Comment"] + [f"Πελάτης {i},2{i:09d},row {i}" for i in range(ENTRIES)]
    (tmp / "list.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    settings = tmp / "settings.json"
    settings.write_text(json.dumps({
        "ami": {"host": "127.0.0.1", "port": 1}, "station": {"id": "supervisor", "extension": "299"},
        "store": {"local_folder": str(tmp / "supervisor"), "shared_folder": str(share), "sync_interval": 0.25}}))
    made = subprocess.run([sys.executable, str(ROOT / "operator_app.py"), "--settings", str(settings),
                           "campaign", "create", "Spring", "--from", str(tmp / "list.csv"),
                           "--claim-seconds", str(claim_seconds)],
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert made.returncode == 0, made.stderr
    assert f"{ENTRIES} entries added" in made.stdout
    return share


def lines_of(lines: list[str], word: str) -> list[str]:
    return [line.split()[1] for line in lines if line.startswith(word + " ")]


def outcomes_on_share(tmp: Path, share: Path) -> tuple[Counter, dict[str, str], list]:
    with Store.open(tmp / "auditor", share, "auditor", background_sync=False) as store:
        store.sync_now()
        book = CampaignBook(store, station="auditor")
        campaign = book.find("Spring")
        entries = book.entries(campaign.id)
        per_entry: Counter = Counter()
        station_of: dict[str, str] = {}
        for o in store.tables["campaign_outcomes"].visible():
            per_entry[o.entry_id] += 1
            station_of[o.entry_id] = o.station
        counters = book.counters(campaign.id)
        book.close()
    assert len(entries) == ENTRIES and counters.completed == ENTRIES and counters.total == ENTRIES
    return per_entry, station_of, entries


def run_stations(tmp: Path, n: int) -> None:
    share = make_campaign(tmp)
    workers = {f"ws{i}": spawn(tmp, share, f"ws{i}") for i in range(n)}
    outputs = {s: w.wait() for s, w in workers.items()}
    for s, w in workers.items():
        assert w.proc.returncode == 0 and outputs[s][-1] == "finished", (s, w.err[-2000:])
    won = Counter(e for out in outputs.values() for e in lines_of(out, "won"))
    assert len(won) == ENTRIES and max(won.values()) == 1            # none claimed by two stations
    per_entry, station_of, entries = outcomes_on_share(tmp, share)
    assert {e.id for e in entries} == set(per_entry) and set(per_entry.values()) == {1}   # each exactly once
    for s, out in outputs.items():
        assert set(lines_of(out, "completed")) == {e for e, st in station_of.items() if st == s}
    assert all(lines_of(out, "completed") for out in outputs.values())   # every station did its share


def test_two_stations_work_one_campaign_each_entry_once(tmp_path):
    run_stations(tmp_path, 2)


def test_four_stations_work_one_campaign_each_entry_once(tmp_path):
    run_stations(tmp_path, 4)


def test_station_killed_mid_claim_its_entries_are_worked_by_the_others(tmp_path):
    share = make_campaign(tmp_path, claim_seconds=4)
    victim = spawn(tmp_path, share, "victim", "--count", "25")
    others = {f"ws{i}": spawn(tmp_path, share, f"ws{i}", "--count", "5") for i in range(2)}
    # let the victim finish one round, then kill it right after it wrote its next claims
    while not lines_of(victim.lines, "completed") and victim.proc.poll() is None:
        victim.claimed.wait(0.2)
    victim.arm()
    victim.claimed.clear()
    assert victim.claimed.wait(120) and victim.proc.poll() is None, victim.err[-2000:]
    os.kill(victim.proc.pid, signal.SIGKILL)
    victim_lines = victim.wait()
    last_claims = [line for line in victim_lines if line.startswith("claimed ")][-1]
    pending = set(last_claims.split()[1:])                  # claimed, never confirmed: killed in between
    outputs = {s: w.wait() for s, w in others.items()}
    for s, w in others.items():
        assert w.proc.returncode == 0 and outputs[s][-1] == "finished", (s, w.err[-2000:])
    per_entry, station_of, entries = outcomes_on_share(tmp_path, share)
    assert set(per_entry.values()) == {1} and len(per_entry) == ENTRIES           # each exactly once
    assert {station_of[e] for e in pending} <= set(others)                      # its last claims: worked by others
    survivors_won = Counter(e for out in outputs.values() for e in lines_of(out, "won"))
    assert max(survivors_won.values()) == 1                                     # never by two live stations
    victim_done = set(lines_of(victim_lines, "completed"))
    assert all(station_of[e] == "victim" for e in victim_done)                  # nothing it finished was redone
