"""Contact import benchmark (issue 6 §4): prints a markdown table (median, p99).

    python benchmarks/bench_import.py [--rows 100000] [--batch 2000] [--quick]

A CSV of ROWS contacts (Greek, Cyrillic, Czech and Persian names, two numbers each) is
imported into an empty store with a shared folder:

1. in-process, step by step: parse, plan (duplicates), each batched journal write (median
   and p99 per batch), close (publish to the share + checkpoint);
2. end to end as an administrator runs it: ``operator_app.py --settings S contacts import
   F`` in a fresh process (wall clock, interpreter start included);
3. for comparison, one durable commit per contact (the old import) on a sample of rows,
   scaled to ROWS.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from callcore.contact_import import parse_contacts_csv  # noqa: E402
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


def in_process(folder: Path, csv: Path, batch: int) -> dict[str, object]:
    local, share = fresh(folder, "steps")
    started = time.perf_counter()
    result = parse_contacts_csv(csv)
    parsed = time.perf_counter()
    store = Store.open(local, share, "bench", background_sync=False)
    plan = plan_import(result.rows, store.contacts.all(copy=False), MatchRules())
    planned = time.perf_counter()
    batches: list[float] = []
    last = [time.perf_counter()]

    def on_batch(_n: int) -> None:
        now = time.perf_counter()
        batches.append(now - last[0])
        last[0] = now
    write_contacts(store, plan.writes, batch, on_batch)
    written = time.perf_counter()
    store.close()
    closed = time.perf_counter()
    return {"parse": parsed - started, "plan": planned - parsed, "batches": batches,
            "write": written - planned, "close": closed - written, "total": closed - started,
            "added": plan.added}


def end_to_end(folder: Path, csv: Path) -> tuple[float, str]:
    local, share = fresh(folder, "cli")
    settings = folder / "cli" / "settings.json"
    settings.write_text(json.dumps({"station": {"id": "bench-cli"},
                                    "store": {"local_folder": str(local), "shared_folder": str(share)}}),
                        encoding="utf-8")
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, str(ROOT / "operator_app.py"), "--settings", str(settings),
                           "contacts", "import", str(csv)], capture_output=True, timeout=600)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(proc.stderr.decode("utf-8", "replace"))
    return elapsed, proc.stdout.decode("utf-8").splitlines()[0]


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
    parser.add_argument("--quick", action="store_true", help="10,000 rows")
    args = parser.parse_args()
    rows = 10_000 if args.quick else args.rows
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        folder = Path(tmp)
        csv = folder / "contacts.csv"
        write_csv(csv, rows)
        steps = in_process(folder, csv, args.batch)
        cli_seconds, cli_summary = end_to_end(folder, csv)
        old = per_row_commits(folder, csv, min(args.sample, rows))
    batches: list[float] = steps["batches"]  # type: ignore[assignment]
    print(f"## Contact import, {rows:,} rows (batches of {args.batch:,}; "
          f"{len(batches)} batches)\n")
    print("| measure | median | p99 | total |")
    print("|---|---:|---:|---:|")
    print(f"| per batch write ({args.batch:,} contacts, one fsync) | {statistics.median(batches) * 1000:.1f} ms "
          f"| {pct(batches, 99) * 1000:.1f} ms | {steps['write']:.2f} s |")
    print(f"| parse CSV | | | {steps['parse']:.2f} s |")
    print(f"| plan (updates, duplicates) | | | {steps['plan']:.2f} s |")
    print(f"| close (publish to share + checkpoint) | | | {steps['close']:.2f} s |")
    print(f"| **in-process total** | | | **{steps['total']:.2f} s** |")
    print(f"| **CLI `contacts import` end to end** | | | **{cli_seconds:.2f} s** |")
    print(f"| old: one commit per contact ({len(old):,} sampled, scaled) | {statistics.median(old) * 1000:.2f} ms "
          f"| {pct(old, 99) * 1000:.2f} ms | {sum(old) / len(old) * rows:.1f} s |")
    print(f"\nCLI said: {cli_summary}")


if __name__ == "__main__":
    main()
