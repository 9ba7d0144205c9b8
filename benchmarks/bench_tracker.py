"""Call tracker throughput on a recorded busy-hour stream (issue 3: >= 20,000 AMI events/s
on one core).

The stream is every recorded real session (tests/fixtures/ami, busy hour included)
concatenated many times, each copy with rewritten Uniqueids/Linkedids so every copy is a
new set of calls, and fed to one CallTracker. Run
``python benchmarks/bench_tracker.py [--copies N]``; prints a markdown table (throughput,
median and p99 per event) and writes it to ``docs/perf/tracker.md``.
"""
from __future__ import annotations

import argparse
import gc
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from callcore.ami.tracker import CallTracker  # noqa: E402
from callcore.events import CallLogged  # noqa: E402
from tests.pbx.fixtures import fixture_names, load_fixture  # noqa: E402

ID_KEYS = ("Uniqueid", "Linkedid", "DestUniqueid", "DestLinkedid", "TransfererUniqueid",
           "TransfererLinkedid", "TransfereeUniqueid", "TransfereeLinkedid",
           "OrigTransfererUniqueid", "OrigTransfererLinkedid", "SecondTransfererUniqueid",
           "SecondTransfererLinkedid", "TransferTargetUniqueid", "TransferTargetLinkedid",
           "BridgeUniqueid")


def busy_hour_stream(copies: int) -> list[dict[str, str]]:
    base = [m for name in fixture_names() for m in load_fixture(name)]
    stream: list[dict[str, str]] = []
    for i in range(copies):
        suffix = f"#{i}"
        for message in base:
            copy = dict(message)
            for key in ID_KEYS:
                value = copy.get(key)
                if value:
                    copy[key] = value + suffix
            stream.append(copy)
    return stream


def run(copies: int) -> str:
    stream = busy_hour_stream(copies)
    tracker = CallTracker(now=None)
    gc.collect()
    gc.disable()
    costs: list[float] = []
    feed = tracker.feed
    clock = time.perf_counter_ns
    logged = 0
    t0 = time.perf_counter()
    for message in stream:
        start = clock()
        events = feed(message)
        costs.append(clock() - start)
        if events:
            logged += sum(1 for e in events if isinstance(e, CallLogged))
    wall = time.perf_counter() - t0
    # a second pass without per-event timing: the honest throughput number
    tracker2 = CallTracker(now=None)
    feed2 = tracker2.feed
    t1 = time.perf_counter()
    for message in stream:
        feed2(message)
    plain = time.perf_counter() - t1
    gc.enable()
    costs.sort()
    median_us = statistics.median(costs) / 1000
    p99_us = costs[int(len(costs) * 0.99) - 1] / 1000
    rows = [
        ("AMI events replayed", f"{len(stream):,}"),
        ("calls logged", f"{logged:,}"),
        ("calls still open at end", f"{tracker.calls_in_progress}"),
        ("throughput (events/s, one core)", f"{len(stream) / plain:,.0f}"),
        ("throughput with per-event timing", f"{len(stream) / wall:,.0f}"),
        ("per-event cost median (µs)", f"{median_us:.2f}"),
        ("per-event cost p99 (µs)", f"{p99_us:.2f}"),
    ]
    table = ["| measure | value |", "|---|---|"] + [f"| {k} | {v} |" for k, v in rows]
    return "\n".join(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=200,
                        help="how many copies of all recorded sessions to replay")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    table = run(args.copies)
    print(table)
    if not args.no_write:
        out = ROOT / "docs" / "perf" / "tracker.md"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(
            "## Call tracker throughput\n\n"
            f"`python benchmarks/bench_tracker.py --copies {args.copies}`: every recorded real "
            "Asterisk 22 session (tests/fixtures/ami, busy hour included) replayed "
            f"{args.copies} times with rewritten ids through one `CallTracker` "
            f"(Python {platform.python_version()}, {platform.machine()}). Target: "
            "≥ 20,000 AMI events/s on one core.\n\n" + table + "\n", encoding="utf-8")
        print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
