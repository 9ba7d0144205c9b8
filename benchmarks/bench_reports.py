"""Reports and exports benchmark (issue 9: REP-1, REP-2, DIR-4); prints a markdown table.

    python benchmarks/bench_reports.py [--quick] [--runs N]

Full size: a store of 1,000,000 calls and 100,000 contacts (benchmarks/bench_store.py's
generator, 36 months). Measured:
- the PDF writer on 10,000 calls (in process, N runs) and ``report incoming`` end to end
  on the 1M-call store (a fresh process: start, open, select ~10,000 calls, write);
- the .xlsx writer on 100,000 calls (in process) and ``export calls`` end to end;
- the .xlsx contact import: parsing 100,000 rows (in process) and ``contacts import
  FILE.xlsx`` end to end into a fresh store (parse, plan, batched commits).
Targets (issue 9): PDF 10,000 rows <= 5 s, xlsx export 100,000 rows <= 10 s, xlsx import
100,000 rows <= 15 s.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_store import generate, pct  # noqa: E402


CPU: list[float] = []          # CPU seconds of the last measurement's runs (wall clock lies on a busy machine)


def timed(fn, runs: int) -> list[float]:
    out = []
    CPU.clear()
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        fn()
        out.append(time.perf_counter() - t)
        CPU.append(time.process_time() - c)
    return out


def row(name: str, values: list[float], target: str, note: str = "") -> str:
    cpu = f"{statistics.median(CPU):.2f} s" if CPU else "–"
    return (f"| {name} | {len(values)} | {statistics.median(values):.2f} s | {pct(values, 99):.2f} s | {cpu} | "
            f"{target} | {note} |")


def cli(settings: Path, *args: str) -> float:
    import resource
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, str(ROOT / "operator_app.py"), "--settings", str(settings), *args],
                          capture_output=True, env={**os.environ, "TZ": "UTC"})
    elapsed = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"{args}: {proc.stderr.decode('utf-8', 'replace')}")
    return elapsed


def clis(settings: Path, runs: int, *args: str) -> list[float]:
    CPU.clear()
    return [cli(settings, *args) for _ in range(runs)]


def settings_for(folder: Path, local: Path) -> Path:
    path = folder / f"{local.name}.json"
    path.write_text(json.dumps({"station": {"id": "bench"}, "office": {"name": "Γραφείο Αθηνών"},
                                "store": {"local_folder": str(local)}}), encoding="utf-8")
    return path


def contacts_workbook(path: Path, n: int) -> None:
    """A contacts sheet as an office would have it: Greek headers, the phone as a number
    cell, a few formula-looking texts."""
    from reports.xlsx import export_rows_xlsx
    first = ["Γιώργος", "Иван", "Jiří", "Anna", "رضا"]
    rows = ([f"{first[i % 5]} Πελάτης {i}", 2300000000 + i, f"69{i + 50_000_000:08d}", f"Οδός {i}",
             "Θεσσαλονίκη", "54622", "=not a formula" if i % 1000 == 0 else ""] for i in range(n))
    export_rows_xlsx(path, ["Επωνυμία", "Τηλέφωνο", "Κινητό", "Διεύθυνση", "Πόλη", "Τ.Κ.", "Σχόλια"], rows,
                     title="Επαφές")


def read_xlsx_rows(path: Path):
    from reports.xlsx_import import read_xlsx
    return read_xlsx(path).rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="100,000 calls / 10,000 contacts")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    n_calls, n_contacts = (100_000, 10_000) if args.quick else (1_000_000, 100_000)
    export_rows, import_rows, pdf_rows = (20_000, 10_000, 10_000) if args.quick else (100_000, 100_000, 10_000)
    tmp = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    lines = []
    try:
        t = time.perf_counter()
        local = tmp / "office"
        generate(local, n_contacts, n_calls)
        print(f"generated {n_calls:,} calls / {n_contacts:,} contacts in {time.perf_counter() - t:.0f} s",
              file=sys.stderr)
        settings = settings_for(tmp, local)

        from callcore.store import Store
        store = Store.open(local, None, "bench", background_sync=False)
        t = time.perf_counter()
        calls = list(store.calls.since(None))
        read_s = time.perf_counter() - t
        store.close()
        from reports.columns import call_columns
        from reports.make import Source, write_report
        from reports.query import ReportFilter
        from reports.xlsx import export_xlsx
        from reports.xlsx_import import read_contacts

        sample = calls[-pdf_rows:]
        pdf = tmp / "r.pdf"
        values = timed(lambda: write_report(pdf, "incoming", ReportFilter(), Source(calls=lambda s: sample),
                                            office="Γραφείο"), args.runs)
        from pypdf import PdfReader
        pages = len(PdfReader(str(pdf)).pages)
        lines.append(row(f"PDF writer, {pdf_rows:,} calls", values, "<= 5 s", f"{pages} pages"))

        # the last days of the log holding ~10,000 calls, end to end through the CLI
        first_day = sample[0].started_at[:10]
        last_day = sample[-1].started_at[:10]
        values = clis(settings, max(1, args.runs // 2), "report", "incoming", "--from", first_day, "--to", last_day,
                      "--out", str(tmp / "cli.pdf"))
        pages = len(PdfReader(str(tmp / "cli.pdf")).pages)
        lines.append(row(f"`report incoming` CLI on {n_calls:,} calls ({first_day} – {last_day})", values,
                         "—", f"{pages} pages, incl. process start + store open"))

        rows = calls[-export_rows:]
        xlsx = tmp / "calls.xlsx"
        values = timed(lambda: export_xlsx(xlsx, call_columns(), rows, title="Calls"), max(1, args.runs // 2 + 1))
        lines.append(row(f"xlsx writer, {export_rows:,} calls x 12 columns", values, "<= 10 s",
                         f"{xlsx.stat().st_size / 2**20:.1f} MiB"))
        first_day = rows[0].started_at[:10]
        values = clis(settings, max(1, args.runs // 3), "export", "calls", "--from", first_day,
                      "--out", str(tmp / "cli.xlsx"))
        lines.append(row(f"`export calls --from {first_day}` CLI on {n_calls:,} calls", values, "—",
                         "incl. process start + store open"))

        book = tmp / "contacts.xlsx"
        contacts_workbook(book, import_rows)
        values = timed(lambda: read_contacts(book), max(1, args.runs // 2))
        lines.append(row(f"xlsx import parse, {import_rows:,} rows (Greek headers)", values, "—",
                         f"{book.stat().st_size / 2**20:.1f} MiB"))
        values = []
        CPU.clear()
        for i in range(max(1, args.runs // 3)):
            fresh = settings_for(tmp, tmp / f"empty{i}")
            values.append(cli(fresh, "contacts", "import", str(book)))
        lines.append(row(f"`contacts import` xlsx CLI, {import_rows:,} rows into an empty store", values,
                         "<= 15 s", "parse + plan + batched commits + close"))
        copy = tmp / "office-copy"
        shutil.copytree(local, copy)
        values = clis(settings_for(tmp, copy), 1, "contacts", "import", str(book))
        lines.append(row(f"`contacts import` xlsx CLI, {import_rows:,} rows into {n_contacts:,} contacts", values,
                         "<= 15 s", f"store of {n_calls:,} calls"))
        # the same rows as a plain CSV through the CSV import, into the same store: what the
        # store open, duplicate plan, commits and checkpoint cost whatever the file type
        import csv
        plain = tmp / "contacts.csv"
        with open(plain, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["name", "phone", "phone:mobile", "address", "city", "postcode", "comments"])
            for _n, cells in read_xlsx_rows(book):
                writer.writerow(cells)
        shutil.rmtree(copy)
        shutil.copytree(local, copy)
        values = clis(settings_for(tmp, copy), 1, "contacts", "import", str(plain))
        lines.append(row(f"for comparison: `contacts import` CSV CLI, the same rows into {n_contacts:,} contacts",
                         values, "—", f"store of {n_calls:,} calls"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nReports benchmark, {datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f} at the end (others' work shares the CPUs: CPU seconds are the steadier "
          f"measure); reading {n_calls:,} calls from the store: {read_s:.1f} s, not in the rows below\n")
    print("| step | runs | wall median | wall p99 | CPU median | target | note |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
