"""Contact import benchmark (issue 6 §4): prints a markdown table (median, p99).

    python benchmarks/bench_import.py [--rows 100000] [--batch 2000] [--runs 5] [--quick]

A CSV of ROWS contacts (Greek, Cyrillic, Czech and Persian names, two numbers each) is
imported into an empty store with a shared folder:

1. in-process, step by step: parse, plan (duplicates), each batched journal write (median
   and p99 per batch), close (publish to the share + checkpoint);
2. end to end as an administrator runs it: ``operator_app.py --settings S contacts import
   F`` in a fresh process and a fresh store, RUNS times (wall clock, interpreter start
   included, and the child's CPU): best and median, since other processes load the machine;
3. for comparison, one durable commit per contact (the old import) on a sample of rows,
   scaled to ROWS.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from callcore.contact_import import parse_contacts_csv, without_gc  # noqa: E402
from callcore.contact_merge import plan_import, write_contacts  # noqa: E402
from callcore.numbers import MatchRules  # noqa: E402
from callcore.store import Store  # noqa: E402

FIRST = ["Γιώργος", "Иван", "Jiří", "Ελένη", "مریم", "Мария", "Žofie", "رضا"]
LAST = ["Μανουσάκης", "Петров", "Dvořák", "Παπαδοπούλου", "کریمی", "Иванова", "Nováková", "احمدی"]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write("name,type,phone,mobile,company,city\n")
        for i in range(rows):
            f.write(f"{FIRST[i % 8]} {LAST[(i // 8) % 8]} {i},customer,21{i:08d},69{i:08d},"
                    f"Εταιρεία {i % 500},Αθήνα\n")


def fresh(folder: Path, name: str) -> tuple[Path, Path]:
    local, share = folder / name / "local", folder / name / "share"
    share.mkdir(parents=True)
    return local, share


def clocks() -> tuple[float, float]:
    """(wall, CPU of this process) seconds: CPU shows the cost on a busy machine too."""
    return time.perf_counter(), time.process_time()


def in_process(folder: Path, csv: Path, batch: int) -> dict[str, tuple[float, float]]:
    """Wall and CPU seconds of each step (and each batch) of an import in this process."""
    local, share = fresh(folder, "steps")
    marks = [clocks()]
    result = parse_contacts_csv(csv)
    marks.append(clocks())
    store = Store.open(local, share, "bench", background_sync=False)
    plan = plan_import(result.rows, store.contacts.all(copy=False), MatchRules())
    marks.append(clocks())
    batches: list[tuple[float, float]] = []
    last = [clocks()]

    def on_batch(_n: int) -> None:
        now = clocks()
        batches.append((now[0] - last[0][0], now[1] - last[0][1]))
        last[0] = now
    write_contacts(store, plan.writes, batch, on_batch, validated=plan.validated)   # as the CLI does
    marks.append(clocks())
    store.close()
    marks.append(clocks())

    def span(a: int, b: int) -> tuple[float, float]:
        return marks[b][0] - marks[a][0], marks[b][1] - marks[a][1]
    return {"parse": span(0, 1), "plan": span(1, 2), "write": span(2, 3), "close": span(3, 4),
            "total": span(0, 4), "batches": batches}  # type: ignore[dict-item]


def children_cpu() -> float:
    try:
        import resource
    except ImportError:              # Windows: no CPU figure for the child
        return float("nan")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def end_to_end(folder: Path, csv: Path, name: str = "cli") -> tuple[float, float, str]:
    local, share = fresh(folder, name)
    settings = folder / name / "settings.json"
    settings.write_text(json.dumps({"station": {"id": "bench-cli"},
                                    "store": {"local_folder": str(local), "shared_folder": str(share)}}),
                        encoding="utf-8")
    started, cpu = time.perf_counter(), children_cpu()
    proc = subprocess.run([sys.executable, str(ROOT / "operator_app.py"), "--settings", str(settings),
                           "contacts", "import", str(csv)], capture_output=True, timeout=600)
    elapsed, cpu = time.perf_counter() - started, children_cpu() - cpu
    if proc.returncode != 0:
        raise SystemExit(proc.stderr.decode("utf-8", "replace"))
    return elapsed, cpu, proc.stdout.decode("utf-8").splitlines()[0]


def per_row_commits(folder: Path, csv: Path, sample: int) -> list[float]:
    """The old import: one durable commit (journal fsync) per contact."""
    local, share = fresh(folder, "per-row")
    rows = parse_contacts_csv(csv).rows[:sample]
    times: list[float] = []
    with Store.open(local, share, "bench-old", background_sync=False) as store:
        for row in rows:
            started = time.perf_counter()
            store.contacts.put(row.contact)
            times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--sample", type=int, default=2000, help="rows of the per-row-commit comparison")
    parser.add_argument("--runs", type=int, default=5, help="end-to-end CLI runs (best and median)")
    parser.add_argument("--quick", action="store_true", help="10,000 rows")
    args = parser.parse_args()
    rows = 10_000 if args.quick else args.rows
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        folder = Path(tmp)
        csv = folder / "contacts.csv"
        write_csv(csv, rows)
        with without_gc():        # as the CLI runs the whole command
            steps = in_process(folder, csv, args.batch)
        cli = [end_to_end(folder, csv, f"cli-{i}") for i in range(max(1, args.runs))]
        cli_summary = cli[0][2]
        old = per_row_commits(folder, csv, min(args.sample, rows))
    batches = steps["batches"]
    walls, cpus = [b[0] for b in batches], [b[1] for b in batches]  # type: ignore[index]
    calibration = min(timeit.repeat("sum(range(10**7))", number=1, repeat=5))
    print(f"## Contact import, {rows:,} rows (batches of {args.batch:,}: {len(batches)} batches)\n")
    print(f"Machine speed: `sum(range(10**7))` {calibration * 1000:.0f} ms; load average "
          f"{os.getloadavg()[0] if hasattr(os, 'getloadavg') else float('nan'):.1f}. "
          "Wall time depends on what else runs; CPU time much less.\n")
    print("| measure | median | p99 | total wall | total CPU |")
    print("|---|---:|---:|---:|---:|")
    print(f"| per batch write ({args.batch:,} contacts, one fsync), wall | {statistics.median(walls) * 1000:.1f} ms "
          f"| {pct(walls, 99) * 1000:.1f} ms | {steps['write'][0]:.2f} s | {steps['write'][1]:.2f} s |")
    print(f"| per batch write, CPU | {statistics.median(cpus) * 1000:.1f} ms | {pct(cpus, 99) * 1000:.1f} ms | | |")
    for label, key in (("parse CSV", "parse"), ("plan (updates, duplicates)", "plan"),
                       ("close (publish to share + checkpoint)", "close")):
        print(f"| {label} | | | {steps[key][0]:.2f} s | {steps[key][1]:.2f} s |")
    print(f"| **in-process total** | | | **{steps['total'][0]:.2f} s** | **{steps['total'][1]:.2f} s** |")
    walls_cli, cpus_cli = [c[0] for c in cli], [c[1] for c in cli]
    print(f"| **CLI `contacts import` end to end, best of {len(cli)}** | | | **{min(walls_cli):.2f} s** "
          f"| **{min(cpus_cli):.2f} s** |")
    print(f"| CLI end to end, median of {len(cli)} | | | {statistics.median(walls_cli):.2f} s "
          f"| {statistics.median(cpus_cli):.2f} s |")
    print(f"| old: one commit per contact ({len(old):,} sampled, scaled) | {statistics.median(old) * 1000:.2f} ms "
          f"| {pct(old, 99) * 1000:.2f} ms | {sum(old) / len(old) * rows:.1f} s | |")
    print(f"\nCLI said: {cli_summary}")


if __name__ == "__main__":
    main()
