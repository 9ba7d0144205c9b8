"""Start-up of the operator window at full size (issue 2 "start-up to ready ≤ 3 s", issue 3
"memory of a running operator window", issue 6 §6): 100,000 contacts × 3 phones and
1,000,000 calls.

Each run is a fresh process under the current DISPLAY (start Xvfb first), timed from the
process start to: store open, window mapped, callers identified (number index), name
search ready; then the resident memory of the running window. Directory modes:

- ``plain``: the index is built at every start (as before the cache; ``--before`` adds
  an older checkout measured the same way, its runs alternating with these);
- ``cold``: with the index cache, but its file deleted before each run (first start, or
  after many contact changes): a build, then the file is written in the background;
- ``warm``: with the index cache present (every other start).

As in the app, the background extras (the "recent calls" digests, contacts listed by
type) start once the window is up (``App.start``); "steady" memory is measured after them.

The machine is shared: take several runs; the table gives best, median and worst.

    DISPLAY=:99 python benchmarks/bench_startup.py [--quick] [--runs 5] [--modes plain,cold,warm]
        [--data DIR (generated once, reused)] [--before CHECKOUT]
"""
from __future__ import annotations

import argparse
import json
import shutil
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
import callcore.app.directory as app_directory
MODE, LOADS = sys.argv[3], []
if MODE == "plain":
    from callcore.directory import Directory
    def plain(store, rules, directory=None, on_numbers_ready=None):
        directory = Directory(rules) if directory is None else directory
        directory.load(store.contacts.all(copy=False), on_numbers_ready)
        return directory
    app_directory.load_directory = plain
else:
    from callcore.directory_cache import open_directory
    def cached(store, rules, directory=None, on_numbers_ready=None):
        LOADS.append(open_directory(store, rules, store.local / "cache", on_numbers_ready, directory))
        return LOADS[-1].directory
    app_directory.load_directory = cached
from callcore.settings import settings_from_dict
settings = settings_from_dict({"station": {"id": "bench", "extension": "201"},
                               "ami": {"port": 1},
                               "store": {"local_folder": sys.argv[2]}})
import ttkbootstrap as ttk
from callcore.app import AppMode, build_app
from ui.app import OperatorUi
root = ttk.Window(title="bench", themename="flatly", size=(900, 520))
import gc
gc.disable()        # as operator_app.run_app: only the Tk thread collects (ui/tk_gc.py)
app = build_app(settings, AppMode.WINDOW)
gc.freeze()         # as operator_app.start_operator
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
cpu = time.process_time()
rss = psutil.Process().memory_info().rss / 2**20
while MODE != "plain" and not LOADS and time.perf_counter() - T0 < 60:
    time.sleep(0.01)        # search answers as the index is installed, a moment before this
import threading, resource
app.start(connect=False)    # as start_operator once the window is up: the background extras
for thread in threading.enumerate():    # ("recent calls" digests, contacts by type): steady state
    if thread.name in ("directory-load", "after-start"):
        thread.join(120)
if LOADS and LOADS[0].saver is not None:
    LOADS[0].saver.join()       # the next (warm) run reads the file
import gc; gc.collect()
rss_steady = psutil.Process().memory_info().rss / 2**20
from callcore.directory_cache import trim_heap
trim_heap()                 # what the app could do once the digests are prepared
rss_trimmed = psutil.Process().memory_info().rss / 2**20
rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"store": t_store, "window": t_window, "directory": t_directory,
                  "search": t_search, "rss": rss, "source": LOADS[0].source if LOADS else MODE,
                  "window_after_store": t_window - t_store, "search_after_store": t_search - t_store,
                  "cpu": cpu, "rss_steady": rss_steady, "rss_trimmed": rss_trimmed,
                  "rss_peak": rss_peak}))
ui.close(); app.close(); root.destroy()
"""


MEASURES = (("store", "store open (local files loaded)", "≤ 3 s"),
            ("window", "window mapped, usable", "≤ 2 s"),
            ("directory", "callers identified (number index ready)", "≤ 2.5 s"),
            ("search", "name search ready (whole directory)", "≤ 2.5 s"),
            ("window_after_store", "… window, counted from store open", ""),
            ("search_after_store", "… name search, counted from store open", ""),
            ("cpu", "CPU time of the process until name search ready", ""),
            ("rss", "resident memory of the running window at name search ready (MB)", "≤ 400 MB"),
            ("rss_steady", "… once the background preparation after it is done (MB)", "≤ 400 MB"),
            ("rss_trimmed", "… then with freed heap handed back (malloc_trim) (MB)", "≤ 400 MB"),
            ("rss_peak", "… peak during start-up (MB)", ""))


def run_once(root: Path, local: Path, mode: str) -> dict:
    if mode == "cold":
        shutil.rmtree(local / "cache", ignore_errors=True)
    proc = subprocess.run([sys.executable, "-c", CHILD, str(root), str(local), mode],
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    expected = {"cold": "build", "warm": "cache", "plain": "plain"}[mode]
    if result["source"] != expected:
        raise RuntimeError(f"{mode} run: index from {result['source']}, expected {expected}")
    return result


def table(title: str, results: list[dict]) -> str:
    lines = [title, "", "| from process start to | best | median | worst | target |", "|---|---|---|---|---|"]
    for key, label, target in MEASURES:
        values = [r[key] for r in results]
        unit = "" if key.startswith("rss") else " s"
        lines.append(f"| {label} | {min(values):.2f}{unit} | {statistics.median(values):.2f}{unit} "
                     f"| {max(values):.2f}{unit} | {target} |")
    return "\n".join(lines)


def main() -> int:
    from bench_store import generate
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10,000 contacts, 100,000 calls")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--modes", default="plain,cold,warm")
    parser.add_argument("--data", type=Path, help="generate here once and reuse")
    parser.add_argument("--before", type=Path,
                        help="also measure this checkout (mode plain) as 'before', run for run")
    args = parser.parse_args()
    contacts, calls = (10_000, 100_000) if args.quick else (100_000, 1_000_000)
    configs = [(f"{mode}", ROOT, mode) for mode in args.modes.split(",")]
    if args.before:
        configs.insert(0, ("before (plain build, old directory)", args.before, "plain"))
    results: dict[str, list[dict]] = {label: [] for label, _root, _mode in configs}
    import compileall             # as the built app: bytecode ready (PYTHONDONTWRITEBYTECODE
    for _label, root, _mode in configs:   # would otherwise recompile edited modules every run)
        for part in ("callcore", "ui", "reports"):
            compileall.compile_dir(str(root / part), quiet=1)
        compileall.compile_file(str(root / "operator_app.py"), quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        local = (args.data or Path(tmp)) / "local"
        if not (local / "state.json").exists():
            generate(local, contacts, calls)
        # Runs of each configuration alternate, so a busy moment on the shared machine
        # does not fall on one configuration only.
        for _ in range(args.runs):
            for label, root, mode in configs:
                if mode.startswith("warm") and not (local / "cache").exists():
                    run_once(root, local, "cold")             # writes the file
                results[label].append(run_once(root, local, mode))
    for label, _root, _mode in configs:
        print(table(f"## Operator window start-up, directory {label} "
                    f"({contacts:,} contacts, {calls:,} calls, {args.runs} runs)", results[label]))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
