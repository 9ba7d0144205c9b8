"""Store benchmark (issue 2): one command, prints a markdown table (median, p99) and writes
it to docs/perf/store.md.

    python benchmarks/bench_store.py [--quick]

Full size: 100,000 contacts (3 phones each) and 1,000,000 calls over 36 months from 10
workstations, written straight into the local table-file format in bulk (not through a
million fsync'd commits). Measurements run in fresh child processes (spawned).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from callcore.store.tablefiles import TableFiles, write_state  # noqa: E402
from callcore.store.tables import FieldTable  # noqa: E402
from callcore.records import Contact  # noqa: E402

STATIONS = [f"ws{i}" for i in range(10)]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


# ------------------------------------------------------------------ data generation

def generate(local: Path, contacts: int, calls: int, months: int = 36, seed: int = 1) -> None:
    """Write a station's local folder as if it had merged everything: table files + state."""
    rnd = random.Random(seed)
    files = TableFiles(local / "tables")
    devices = [f"{s}#{i:06x}" for i, s in enumerate(STATIONS)]
    hlc0 = int(time.time() * 1000 - 3 * 365 * 86400_000) << 16
    first = ["Γιώργος", "Иван", "Jiří", "Anna", "Maria", "Петр", "Ελένη", "John", "Žofie", "Reza"]
    last = ["Μανουσάκης", "Петров", "Dvořák", "Smith", "Novák", "Παπαδόπουλος", "Ivanova", "Rossi", "Kovač", "Ahmadi"]

    table = FieldTable("contacts", Contact)

    def contact_docs():
        for i in range(contacts):
            name = f"{rnd.choice(first)} {rnd.choice(last)} {i}"
            phones = [{"number": f"21{i:08d}", "label": "work"}, {"number": f"69{i:08d}", "label": "mobile"},
                      {"number": f"+30 22{i:08d}", "label": "fax"}]
            key = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
            values = {"name": name, "type": "customer", "first_name": "", "last_name": "", "short_name": "",
                      "company": "", "company_id": "", "address": f"Οδός {i}", "area": "", "city": "Αθήνα",
                      "postcode": "", "phones": phones, "email": "", "comments": "", "popup_priority": 1}
            # as the store writes it (FieldTable.doc: fields at their default left out)
            yield table.doc(key, (table.build(key, values), (hlc0 + i, devices[i % 10]), None, None))
    files.write("contacts", contact_docs(), 0)
    per_month = calls // months
    year, month = 2023, 1
    seq = 0
    for m in range(months):
        label = f"{year + (month - 1 + m) // 12:04d}-{(month - 1 + m) % 12 + 1:02d}"

        def call_docs():
            nonlocal seq
            for j in range(per_month):
                seq += 1
                day = 1 + j * 28 // per_month
                yield {"k": str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
                       "v": {"linkedid": f"17{seq}.{j}", "direction": "in", "status": "answered",
                             "started_at": f"{label}-{day:02d}T{9 + j % 9:02d}:{j % 60:02d}:00+02:00",
                             "caller_number": f"69{rnd.randrange(contacts):08d}", "called_number": "2101234567",
                             "extension": f"{200 + j % 10}", "ended_at": f"{label}-{day:02d}T18:00:00+02:00",
                             "ring_seconds": 4.5, "talk_seconds": 63.0},
                       "h": [hlc0 + seq, devices[seq % 10]]}
        files.write(f"calls-{label}", call_docs(), 0)
    per_device = (contacts + calls) // 10 + 1
    write_state(local / "state.json", {"station": "bench", "epoch": "b0b0b0", "views_pos": 0, "own_seq": 0,
                                      "published": 0, "hlc": hlc0 + seq, "snapshot": "",
                                      "ranges": {d: [[1, per_device]] for d in devices}})


# ------------------------------------------------------------------ child measurements

CHILD = r'''
import json, os, sys, time, threading, uuid, random
sys.path.insert(0, sys.argv[1])
t0 = time.perf_counter()
from callcore.store import Store
from callcore.records import CallRecord
import psutil
local, share, mode = sys.argv[2], sys.argv[3], sys.argv[4]
out = {}
store = Store.open(local, share if share != "-" else None, "bench", background_sync=(share != "-"))
out["startup_s"] = time.perf_counter() - t0
out["rss_mb"] = psutil.Process().memory_info().rss / 2**20
out["contacts"] = len(store.contacts)
if mode in ("full", "append"):
    # durable append of a finished call, with the background sync publishing and a
    # checkpoint of the current month running concurrently every second
    stop = threading.Event()
    def checkpoints():
        while not stop.wait(1.0):
            store.checkpoint()
    th = threading.Thread(target=checkpoints, daemon=True); th.start()
    times = []
    month = max(store.calllog.known) if store.calllog.known else "2025-12"
    for i in range(int(sys.argv[5])):
        rec = CallRecord(id=str(uuid.uuid4()), linkedid=f"bench{i}", direction="in", status="answered",
                         started_at=f"{month}-27T10:{i % 60:02d}:00+02:00", caller_number="6900000001",
                         ended_at=f"{month}-27T10:59:00+02:00", talk_seconds=12.0)
        t = time.perf_counter(); store.calls.add(rec); times.append(time.perf_counter() - t)
    stop.set(); th.join()
    out["append_ms"] = [x * 1000 for x in times]
if mode == "full":
    try:
        from callcore.directory import Directory, MatchRules
        from callcore.settings import DEFAULTS, Settings
        import copy
        t = time.perf_counter()
        d = Directory(MatchRules.from_settings(Settings(copy.deepcopy(DEFAULTS))))
        d.load(store.contacts.all(copy=False))
        out["directory_load_s"] = time.perf_counter() - t
        out["rss_dir_mb"] = psutil.Process().memory_info().rss / 2**20
        n = out["contacts"]
        rnd = random.Random(5)
        lt = []
        for _ in range(20000):
            num = f"0030 69{rnd.randrange(n):08d}"
            t = time.perf_counter(); d.lookup(num); lt.append(time.perf_counter() - t)
        out["lookup_ms"] = [x * 1000 for x in lt]
        words = ["Μαν", "μανουσ", "iv", "Петр", "dvor", "zofi", "Smith 12", "ahm", "ελενη", "novak 3"]
        st = []
        for i in range(600):
            w = words[i % len(words)]
            for k in range(1, len(w) + 1):
                t = time.perf_counter(); d.search(w[:k], limit=50); st.append(time.perf_counter() - t)
        out["search_ms"] = [x * 1000 for x in st]
    except ImportError:
        pass
if mode == "compact":
    r = store.compact()
    out["compact_s"] = r.seconds
    out["snapshot_mb"] = r.bytes / 2**20
    out["snapshot_calls"] = r.calls
store.close()
print(json.dumps(out))
'''

VIS_CHILD = r'''
import json, sys, time, threading
sys.path.insert(0, sys.argv[1])
from callcore.store import Store
from callcore.records import Contact, Phone
local, share, station, role, n = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])
store = Store.open(local, share, station, sync_interval=1.0)
print("ready", flush=True)
if role == "writer":
    sys.stdin.readline()
    for i in range(n):
        c = Contact(name=f"vis {i}", phones=[Phone("2100000000")], comments=repr(time.time()))
        store.contacts.put(c)
        time.sleep(0.37)
else:
    seen = []
    done = threading.Event()
    def on_change(cs):
        if cs.table == "contacts" and cs.origin == "remote":
            now = time.time()
            for k in cs.keys:
                c = store.contacts.get(k)
                if c is not None:
                    seen.append(now - float(c.comments))
            if len(seen) >= n:
                done.set()
    store.subscribe(on_change)
    done.wait(n * 0.37 + 30)
    print(json.dumps(seen), flush=True)
store.close()
'''


def run_child(local: Path, share: Path | None, mode: str, appends: int = 0) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), str(local), str(share) if share else "-", mode,
                           str(appends)], capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def visibility(tmp: Path, n: int) -> list[float]:
    share = tmp / "vis-share"
    share.mkdir()
    reader = subprocess.Popen([sys.executable, "-c", VIS_CHILD, str(ROOT), str(tmp / "vis-r"), str(share), "reader",
                               "reader", str(n)], stdout=subprocess.PIPE, text=True)
    writer = subprocess.Popen([sys.executable, "-c", VIS_CHILD, str(ROOT), str(tmp / "vis-w"), str(share), "writer",
                               "writer", str(n)], stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True)
    assert reader.stdout.readline().strip() == "ready" and writer.stdout.readline().strip() == "ready"
    time.sleep(1.5)
    writer.stdin.write("go\n")
    writer.stdin.flush()
    out, _ = reader.communicate(timeout=n + 120)
    writer.wait(timeout=60)
    return json.loads(out.strip().splitlines()[-1])


def row(name: str, values: list[float] | float, unit: str, target: str, p: float = 99) -> str:
    if isinstance(values, list):
        med, tail = statistics.median(values), pct(values, p)
        return f"| {name} | {med:.3f} {unit} | {tail:.3f} {unit} (p{p:g}) | {target} |"
    return f"| {name} | {values:.3f} {unit} | – | {target} |"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="10,000 contacts, 100,000 calls")
    ap.add_argument("--out", default=str(ROOT / "docs" / "perf" / "store.md"))
    args = ap.parse_args()
    n_contacts, n_calls = (10_000, 100_000) if args.quick else (100_000, 1_000_000)
    tmp = Path(tempfile.mkdtemp(prefix="bench-store-"))
    rows: list[str] = []
    t = time.perf_counter()
    generate(tmp / "big", n_contacts, n_calls)
    gen_s = time.perf_counter() - t
    print(f"generated {n_contacts:,} contacts and {n_calls:,} calls in {gen_s:.1f} s", file=sys.stderr)
    generate(tmp / "small", 1_000, 10_000, months=1, seed=2)
    (tmp / "share").mkdir()
    small = run_child(tmp / "small", tmp / "share", "append", 3000)
    starts, rss = [], []
    full = None
    for i in range(3):
        res = run_child(tmp / "big", None, "full" if i == 0 else "startup", 3000)
        starts.append(res["startup_s"])
        rss.append(res["rss_mb"])
        full = full or res
    assert full is not None
    (tmp / "share2").mkdir()
    big_append = run_child(tmp / "big", tmp / "share2", "append", 3000)
    rows.append(row("durable append of a call, 10,000 calls", small["append_ms"], "ms", "≤ 10 ms p99"))
    rows.append(row(f"durable append of a call, {n_calls:,} calls", big_append["append_ms"], "ms", "≤ 10 ms p99"))
    rows.append(row(f"start-up to ready ({n_contacts:,} contacts, {n_calls:,} calls; 3 runs)", starts, "s",
                    "≤ 3 s", p=100))
    rows.append(row("resident memory after start-up", statistics.median(rss), "MB", "≤ 400 MB"))
    if "lookup_ms" in full:
        rows.append(row("directory load (store → Directory)", full["directory_load_s"], "s", "–"))
        rows.append(row("resident memory with the directory loaded", full["rss_dir_mb"], "MB", "≤ 400 MB"))
        rows.append(row(f"number lookup ({n_contacts:,} contacts)", full["lookup_ms"], "ms", "≤ 0.2 ms p99"))
        rows.append(row("name search as you type", full["search_ms"], "ms", "≤ 30 ms p99"))
    vis = visibility(tmp, 12 if args.quick else 40)
    rows.append(row("change visible in another station process (local folder)", vis, "s", "≤ 2 s p95", p=95))
    (tmp / "share3").mkdir()
    comp = run_child(tmp / "big", tmp / "share3", "compact")
    rows.append(row(f"compaction into a snapshot ({comp['snapshot_calls']:,} calls)", comp["compact_s"], "s", "–"))
    rows.append(row("snapshot size (gzip)", comp["snapshot_mb"], "MB", "–"))
    table = "\n".join(["| measure | median | tail | target |", "|---|---|---|---|", *rows])
    import platform
    header = (f"## Store ({'quick' if args.quick else 'full'} run, {time.strftime('%Y-%m-%d')}, "
              f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs)\n\n"
              f"`python benchmarks/bench_store.py{' --quick' if args.quick else ''}`; data generated in "
              f"{gen_s:.0f} s. Appends run with the background sync publishing and a checkpoint every second.\n\n")
    print(header + table)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    notes = ""
    if out.exists():
        text = out.read_text(encoding="utf-8")
        marker = "\n## Notes"
        notes = text[text.index(marker):] if marker in text else ""
    out.write_text(header + table + "\n" + notes, encoding="utf-8")
    import shutil
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
