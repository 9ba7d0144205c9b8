"""The directory index kept on disk (callcore/directory_cache.py) at full size: 100,000
contacts × 3 phones in a real store (the data of bench_store.py).

Measures, each several times (the machine is shared: best and median are printed):
building the index (no file), writing the file, reading it back when nothing changed,
reading it when some contacts changed since (they are indexed again on top), and the
memory the index keeps (tracemalloc) before and after.

    python benchmarks/bench_directory_cache.py [--data DIR] [--runs 5] [--quick]
"""
from __future__ import annotations

import argparse
import gc
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from callcore import directory_cache  # noqa: E402
from callcore.directory import Directory  # noqa: E402
from callcore.directory_cache import cache_path, open_directory  # noqa: E402
from callcore.numbers import MatchRules  # noqa: E402
from callcore.store import Store  # noqa: E402

RULES = MatchRules(digits=10, country_code="30", international_prefix="00")


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def row(label: str, values: list[float]) -> str:
    return (f"| {label} | {min(values) * 1000:.0f} ms | {statistics.median(values) * 1000:.0f} ms "
            f"| {max(values) * 1000:.0f} ms |")


def kept_mb(make) -> float:
    """Memory still held by what ``make`` returns (its build temporaries freed)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    held = make()
    gc.collect()
    kept = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del held
    return kept / 2**20


def main() -> int:
    from bench_store import generate
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="bench_store data folder (generated once, reused)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="10,000 contacts")
    args = parser.parse_args()
    contacts, calls = (10_000, 10_000) if args.quick else (100_000, 1_000_000)
    with tempfile.TemporaryDirectory() as tmp:
        source = (args.data or Path(tmp)) / "local"
        if not (source / "state.json").exists():
            generate(source, contacts, calls)
        local = Path(tmp) / "copy"                 # edits below must not touch the data
        shutil.copytree(source, local, ignore=shutil.ignore_patterns("cache", "calls-*"))
        folder = local / "cache"
        store = Store.open(local, None, "bench", background_sync=False)
        n = len(store.contacts)

        def build() -> Directory:
            directory = Directory(RULES)
            directory.load(store.contacts.all(copy=False))
            return directory

        def cold() -> None:
            shutil.rmtree(folder, ignore_errors=True)
            result = open_directory(store, RULES, folder)
            assert result.source == "build"
            result.saver.join()

        def warm() -> Directory:
            result = open_directory(store, RULES, folder)
            assert result.source == "cache", result.problem
            return result.directory

        rows = [row("build (no file)", timed(build, args.runs)),
                row("build, then write the file (background thread, joined)", timed(cold, args.runs)),
                row("read the file, nothing changed", timed(warm, args.runs))]
        size = cache_path(folder).stat().st_size
        write = []
        for _ in range(args.runs):
            directory = build()
            with directory.lock:
                state = directory.index_state()
            snapshot = directory_cache._snapshot(store)
            t0 = time.perf_counter()
            directory_cache.write_cache(cache_path(folder), directory_cache._expected_header(RULES),
                                        snapshot.fingerprint(), snapshot, state)
            write.append(time.perf_counter() - t0)
        rows.insert(2, row("write the file alone", write))
        memory = [f"- index kept in memory (tracemalloc): built {kept_mb(build):.1f} MB, "
                  f"read from the file {kept_mb(warm):.1f} MB; file size {size / 2**20:.1f} MB"]

        changed_total = 0
        for changed in (100, 1000):
            for contact in list(store.contacts.all())[changed_total:changed]:
                contact.name += " Νέο"
                store.contacts.put(contact)
            changed_total = changed

            def diff(expect: int = changed) -> None:
                result = open_directory(store, RULES, folder)
                assert result.source == "cache+changes" and result.changed == expect, (result.source, result.changed)
            rows.append(row(f"read the file, {changed:,} contacts changed since", timed(diff, args.runs)))
        store.close()

    print("\n".join([
        f"## Directory index file ({n:,} contacts x 3 phones, {args.runs} runs, "
        f"Python {sys.version.split()[0]})", "",
        "| operation | best | median | worst |", "|---|---|---|---|", *rows, "", *memory]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
