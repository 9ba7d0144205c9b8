"""Call console benchmark (issue 9, CON-3, REP-3) at full size: 100,000 contacts and
1,000,000 calls over 36 months (users, extensions, lines, contacts with companies, every
status), in a fresh child process running the real operator window (Xvfb).

Measured: the console index built from the store (every month read once, newest first);
the first page (200 rows) of a query with a filter; re-sort and regroup over all dates;
statistics of a year; resident memory of the window with the console open.

    DISPLAY=:99 python benchmarks/bench_console.py [--quick] [--data DIR] [--reps 15]
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from callcore.store.tablefiles import TableFiles, write_state  # noqa: E402

STATIONS = [f"ws{i}" for i in range(10)]
USERS = [("Μαρία", "201"), ("Jiří Dvořák", "202"), ("Иван Петров", "203"), ("Ελένη", "204"), ("Žofie", "205"),
         ("Анна", "206"), ("Νίκος", "207"), ("Petr", "208"), ("Reza", "209"), ("John", "210")]
STATUSES = ["answered"] * 12 + ["missed"] * 3 + ["unanswered", "busy", "abandoned", "transferred"]


def generate(local: Path, contacts: int, calls: int, months: int = 36, seed: int = 3) -> None:
    rnd = random.Random(seed)
    files = TableFiles(local / "tables")
    devices = [f"{s}#{i:06x}" for i, s in enumerate(STATIONS)]
    hlc0 = int(time.time() * 1000 - 3 * 365 * 86400_000) << 16
    first = ["Γιώργος", "Иван", "Jiří", "Anna", "Maria", "Петр", "Ελένη", "John", "Žofie", "Reza"]
    last = ["Μανουσάκης", "Петров", "Dvořák", "Smith", "Novák", "Παπαδόπουλος", "Ivanova", "Rossi", "Kovač", "Ahmadi"]
    ids = [str(uuid.UUID(int=rnd.getrandbits(128), version=4)) for _ in range(contacts)]
    names = [f"{rnd.choice(first)} {rnd.choice(last)} {i}" for i in range(contacts)]

    def contact_docs():
        for i in range(contacts):
            yield {"k": ids[i],
                   "v": {"name": names[i], "type": "contact_person" if i % 3 else "customer",
                         "company": f"Εταιρεία {i // 20}" if i % 3 else "", "city": "Αθήνα",
                         "phones": [{"number": f"69{i:08d}", "label": "mobile"}], "popup_priority": 1},
                   "h": [hlc0 + i, devices[i % 10]]}
    files.write("contacts", contact_docs(), 0)
    per_month = calls // months
    seq = 0
    for m in range(months):
        label = f"{2024 + m // 12:04d}-{m % 12 + 1:02d}"

        def call_docs():
            nonlocal seq
            for j in range(per_month):
                seq += 1
                day = 1 + j * 28 // per_month
                c = rnd.randrange(contacts)
                known = j % 4 != 0
                user, ext = USERS[j % len(USERS)]
                status = STATUSES[rnd.randrange(len(STATUSES))]
                direction = "out" if status in ("unanswered", "busy") else ("in" if j % 7 else "internal")
                number = f"69{c:08d}"
                v = {"linkedid": f"17{seq}.{j}", "direction": direction, "status": status,
                     "started_at": f"{label}-{day:02d}T{8 + j % 10:02d}:{j % 60:02d}:00+02:00",
                     "caller_number": ext if direction == "out" else number,
                     "called_number": number if direction == "out" else f"21012345{j % 8:02d}",
                     "extension": ext, "user": user, "ring_seconds": float(j % 30),
                     "talk_seconds": float(j % 600) if status in ("answered", "transferred") else 0.0}
                if known:
                    v["contact_id"], v["contact_name"] = ids[c], names[c]
                yield {"k": str(uuid.UUID(int=rnd.getrandbits(128), version=4)), "v": v,
                       "h": [hlc0 + contacts + seq, devices[seq % 10]]}
        files.write(f"calls-{label}", call_docs(), 0)
    per_device = (contacts + calls) // 10 + 1
    write_state(local / "state.json", {"station": "bench", "epoch": "b0b0b0", "views_pos": 0, "own_seq": 0,
                                      "published": 0, "hlc": hlc0 + contacts + seq, "snapshot": "",
                                      "ranges": {d: [[1, per_device]] for d in devices}})


CHILD = r"""
import json, sys, time, statistics
sys.path.insert(0, sys.argv[1])
import psutil
from datetime import datetime
from callcore.settings import settings_from_dict
settings = settings_from_dict({"station": {"id": "bench", "extension": "201"}, "ami": {"port": 1},
                               "store": {"local_folder": sys.argv[2]}})
reps = int(sys.argv[3])
import ttkbootstrap as ttk
import operator_app
from callcore.app import AppMode, build_app
from callcore.console_query import ConsoleQuery
from ui.app import OperatorUi
root = ttk.Window(title="bench", themename="flatly", size=(900, 520))
import gc
gc.disable()        # as operator_app: only the Tk thread collects
app = build_app(settings, AppMode.WINDOW)
gc.freeze()
ui = OperatorUi(operator_app.ui_ports_for(app), root=root, notify_backend=None)
root.update()
app.start(connect=False)      # as the app once the window is up: directory, background extras
app.directory.ready.wait(); app.directory.search("a")
import threading
for thread in threading.enumerate():
    if thread.name in ("directory-load", "after-start"):
        thread.join(300)
out = {"rss_window": psutil.Process().memory_info().rss / 2**20}
console = app.console
t = time.perf_counter()
window = ui.console.show()
assert console.wait_indexed(1800)
out["index_s"] = time.perf_counter() - t
while window.results_seen == 0 or not window.result.complete:
    ui.pump.drain(); root.update(); time.sleep(0.01)
for _ in range(50):
    ui.pump.drain(); root.update(); time.sleep(0.01)
gc.collect()
out["rss_console"] = psutil.Process().memory_info().rss / 2**20
out["calls"] = console.run(ConsoleQuery(preset="all")).total
months = console.store.calls.months()
last = datetime.strptime(months[-1], "%Y-%m")
year = datetime(last.year, 1, 1)

def timed(name, fn):
    times = []
    for _ in range(reps):
        t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
    out[name] = times

def page(q):
    return lambda: console.run(q).page(0, 200)
timed("page_month_missed", page(ConsoleQuery(start=last, statuses=("missed",))))
timed("page_all_text_name", page(ConsoleQuery(text="μανουσακης 12")))
timed("page_all_number", page(ConsoleQuery(text="6900012")))
timed("page_all_user", page(ConsoleQuery(users=("Иван Петров",), directions=("in",))))
timed("sort_all_name", page(ConsoleQuery(sort="name", descending=False)))
timed("sort_all_talk", page(ConsoleQuery(sort="talk")))
timed("group_all_contact", lambda: console.run(ConsoleQuery(group_by="contact")))
timed("group_all_company", lambda: console.run(ConsoleQuery(group_by="company")))
timed("group_all_day", lambda: console.run(ConsoleQuery(group_by="day")))
from callcore import stats
timed("stats_year", lambda: stats.compute(console.run(ConsoleQuery(start=year, end=datetime(year.year + 1, 1, 1))).stats_input()))
out["year_calls"] = console.run(ConsoleQuery(start=year, end=datetime(year.year + 1, 1, 1))).total
out["rss_end"] = psutil.Process().memory_info().rss / 2**20
print(json.dumps(out))
ui.close(); app.close(); root.destroy()
"""

ROWS = (("page_month_missed", "first page (200 rows): newest month, missed", "≤ 300 ms"),
        ("page_all_text_name", "first page: all dates, name text (folded)", "≤ 300 ms"),
        ("page_all_number", "first page: all dates, part of a number", "≤ 300 ms"),
        ("page_all_user", "first page: all dates, one user, incoming", "≤ 300 ms"),
        ("sort_all_name", "re-sort all calls by name (first page)", "≤ 1 s"),
        ("sort_all_talk", "re-sort all calls by talk time (first page)", "≤ 1 s"),
        ("group_all_contact", "regroup all calls by contact", "≤ 1 s"),
        ("group_all_company", "regroup all calls by company", "≤ 1 s"),
        ("group_all_day", "regroup all calls by day", "≤ 1 s"),
        ("stats_year", "statistics of a year", "≤ 2 s"))


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10,000 contacts, 100,000 calls")
    parser.add_argument("--data", type=Path, help="generate here once and reuse")
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args()
    contacts, calls = (10_000, 100_000) if args.quick else (100_000, 1_000_000)
    local = args.data or Path(tempfile.mkdtemp(prefix="bench-console-")) / "local"
    if not (local / "state.json").exists():
        t = time.perf_counter()
        generate(local, contacts, calls)
        print(f"generated {contacts:,} contacts and {calls:,} calls in {time.perf_counter() - t:.0f} s",
              file=sys.stderr)
    proc = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), str(local), str(args.reps)],
                          capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        return 1
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"Console at {r['calls']:,} calls ({r['year_calls']:,} in the year), {args.reps} runs each\n")
    print("| measure | median | p99 | target |\n|---|---|---|---|")
    for key, label, target in ROWS:
        print(f"| {label} | {statistics.median(r[key]) * 1000:.0f} ms | {pct(r[key], 99) * 1000:.0f} ms | {target} |")
    print(f"| console index built (every month read once) | {r['index_s']:.1f} s | – | – |")
    print(f"| resident memory: window, directory loaded | {r['rss_window']:.0f} MB | – | – |")
    print(f"| resident memory: window with the console open | {r['rss_console']:.0f} MB | – | ≤ 450 MB |")
    print(f"| … after the measurements above | {r['rss_end']:.0f} MB | – | – |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
