"""'Last calls with this number' for a popup at 1,000,000 calls over 36 months: the popup's
worker thread asks the store for a number's recent calls; an unknown caller must not make it
re-read the whole history.

    python benchmarks/bench_recent_calls.py [--quick]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def p99(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def main() -> int:
    from bench_store import generate
    from callcore.app.calls import RECENT_CALLS_MONTHS
    from callcore.store import Store
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="100,000 calls")
    args = parser.parse_args()
    calls = 100_000 if args.quick else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        local = Path(tmp) / "local"
        generate(local, 1000, calls)
        store = Store.open(local, None, "bench", background_sync=False)
        try:
            t = time.perf_counter()
            store.calls.prepare_number_search(pause=0)
            prepare = time.perf_counter() - t
            known = [r.caller_number for r in store.calls.since(None)][-2000:]
            rnd = random.Random(5)
            rows = []
            for label, numbers in (("known number", rnd.sample(known, 200)),
                                   ("unknown number", [f"69{rnd.randrange(10**8):08d}" for _ in range(200)])):
                times = []
                for number in numbers:
                    t = time.perf_counter()
                    store.calls.for_number(number, 5, RECENT_CALLS_MONTHS)
                    times.append((time.perf_counter() - t) * 1000)
                rows.append(f"| {label} | {statistics.median(times):.2f} ms | {p99(times):.2f} ms |")
        finally:
            store.close()
    print(f"## Recent calls with a number ({calls:,} calls, 36 months, look-back {RECENT_CALLS_MONTHS} months)\n")
    print("| query | median | p99 |\n|---|---|---|")
    print("\n".join(rows))
    print(f"\nOne-off preparation of the month digests after start-up (background thread): {prepare:.1f} s;"
          " before it, an unknown number read every month (7.8 s at 1M calls).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
