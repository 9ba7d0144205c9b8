"""What masking secrets costs per log line (callcore/logs.py).

Writes the same lines to a rotating log file twice: through setup_logging's handler
(redaction filter + redacting formatter, one registered secret) and through a plain
RotatingFileHandler. Run ``python benchmarks/bench_logs.py [--lines N]``; prints a
markdown table (median and p99 per line, µs).
"""
from __future__ import annotations

import argparse
import logging
import logging.handlers
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from callcore import logs  # noqa: E402

LINES = [
    ("AMI %s:%s %s %s", ("127.0.0.1", 5038, "connected", "")),
    ("call %s logged: %s %s → %s, %d s", ("in-654e0a7ce2", "answered", "6945123456", "201", 184)),
    ("sending %s", ({"Action": "Originate", "Channel": "PJSIP/201", "Exten": "6912345678",
                     "Context": "internal", "Async": "true"},)),
    ("store: published batch %s (%d changes) for station %s", ("b-000123", 3, "reception")),
]


def timed(logger: logging.Logger, count: int) -> list[float]:
    costs = []
    clock = time.perf_counter_ns
    for i in range(count):
        message, args = LINES[i % len(LINES)]
        start = clock()
        logger.info(message, *args)
        costs.append((clock() - start) / 1000)
    costs.sort()
    return costs


def run(count: int) -> str:
    folder = Path(tempfile.mkdtemp())
    logs.setup_logging("bench", "INFO", folder)
    logs.add_secret("s3cret-Ωmega")
    masked = timed(logging.getLogger("bench.masked"), count)

    root = logging.getLogger()
    ours = list(root.handlers)
    for handler in ours:
        root.removeHandler(handler)
    plain_handler = logging.handlers.RotatingFileHandler(folder / "plain.log", maxBytes=logs.MAX_BYTES,
                                                         backupCount=logs.BACKUPS, encoding="utf-8")
    plain_handler.setFormatter(logging.Formatter(logs.FORMAT))
    root.addHandler(plain_handler)
    plain = timed(logging.getLogger("bench.plain"), count)

    def row(name: str, costs: list[float]) -> str:
        p99 = costs[int(len(costs) * 0.99) - 1]
        return f"| {name} | {statistics.median(costs):.1f} | {p99:.1f} |"

    return "\n".join([f"{count:,} INFO lines to a rotating file (Python {sys.version.split()[0]})", "",
                      "| handler | median µs/line | p99 µs/line |", "|---|---:|---:|",
                      row("setup_logging (secrets masked)", masked),
                      row("plain RotatingFileHandler", plain)])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=50_000)
    print(run(parser.parse_args().lines))
