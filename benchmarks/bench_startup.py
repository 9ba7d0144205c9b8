"""Start-up of the operator window at full size (issue 2 "start-up to ready ≤ 3 s", issue 3
"memory of a running operator window"): 100,000 contacts × 3 phones and 1,000,000 calls.

Each run is a fresh process under the current DISPLAY (start Xvfb first), timed from the
process start to: store open, window mapped, directory ready (popups identify callers).

    DISPLAY=:99 python benchmarks/bench_startup.py [--quick] [--runs 3]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

CHILD = r"""
import time; T0 = time.perf_counter()
import json, sys
sys.path.insert(0, sys.argv[1])
import psutil
from pathlib import Path
import operator_app
from callcore.settings import settings_from_dict
settings = settings_from_dict({"station": {"id": "bench", "extension": "201"},
                               "ami": {"port": 1},
                               "store": {"local_folder": sys.argv[2]}})
import ttkbootstrap as ttk
from callcore.app import AppMode, build_app
from ui.app import OperatorUi
root = ttk.Window(title="bench", themename="flatly", size=(900, 520))
app = build_app(settings, AppMode.WINDOW)
store = app.store
t_store = time.perf_counter() - T0
ui = OperatorUi(operator_app.ui_ports_for(app), root=root, notify_backend=None)
root.update()
t_window = time.perf_counter() - T0
app.directory.ready.wait()
t_directory = time.perf_counter() - T0
app.directory.search("a")           # waits for the name pass
t_search = time.perf_counter() - T0
assert len(app.directory.directory) > 0
rss = psutil.Process().memory_info().rss / 2**20
print(json.dumps({"store": t_store, "window": t_window, "directory": t_directory,
                  "search": t_search, "rss": rss}))
ui.close(); app.close(); root.destroy()
"""


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    from bench_store import generate
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10,000 contacts, 100,000 calls")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    contacts, calls = (10_000, 100_000) if args.quick else (100_000, 1_000_000)
    with tempfile.TemporaryDirectory() as tmp:
        local = Path(tmp) / "local"
        generate(local, contacts, calls)
        results = []
        for _ in range(args.runs):
            proc = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), str(local)],
                                  capture_output=True, text=True, timeout=600)
            if proc.returncode != 0:
                print(proc.stderr, file=sys.stderr)
                return 1
            results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    lines = [f"## Operator window start-up ({contacts:,} contacts, {calls:,} calls, {args.runs} runs)", "",
             "| from process start to | median | max | target |", "|---|---|---|---|"]
    for key, label, target in (("store", "store open (local files loaded)", "≤ 3 s"),
                               ("window", "window mapped, usable", "≤ 3 s"),
                               ("directory", "callers identified (number index built)", "≤ 3 s"),
                               ("search", "name search ready (whole directory built)", "≤ 3 s"),
                               ("rss", "resident memory of the running window (MB)", "≤ 400 MB")):
        values = [r[key] for r in results]
        unit = "" if key == "rss" else " s"
        lines.append(f"| {label} | {statistics.median(values):.2f}{unit} | {max(values):.2f}{unit} | {target} |")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
