"""Queue panel benchmark (issue 11): a busy call centre on the AMI thread and the panel's
read on the Tk thread.

    python benchmarks/bench_queue_board.py [--queues 40] [--members 30] [--callers 200]

Measures (median, p99): one live queue event through the tracker and the board (what
the AMI thread pays per QueueMemberStatus), and ``QueueBoard.views`` for a supervisor
(what every panel redraw reads). Prints a markdown table.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from callcore.ami.tracker import CallTracker  # noqa: E402
from callcore.queue_board import QueueBoard  # noqa: E402


def p99(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.99) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queues", type=int, default=40)
    parser.add_argument("--members", type=int, default=30)
    parser.add_argument("--callers", type=int, default=200)
    args = parser.parse_args()
    rnd = random.Random(11)
    tracker, board = CallTracker(), QueueBoard()

    def feed(message: dict) -> None:
        for event in tracker.feed(message):
            board.apply(event)
    exts = [str(2000 + i) for i in range(args.members * 3)]
    for ext in exts:
        feed({"Event": "ExtensionStatus", "Exten": ext, "Hint": f"PJSIP/{ext}", "Status": "0"})
    for q in range(args.queues):
        feed({"Event": "QueueParams", "Queue": f"q{q}", "Strategy": "ringall"})
        for ext in rnd.sample(exts, args.members):
            feed({"Event": "QueueMember", "Queue": f"q{q}", "Name": f"Agent {ext}", "Location": f"PJSIP/{ext}",
                  "StateInterface": f"PJSIP/{ext}", "Membership": "static", "Status": "1", "Paused": "0"})
    for c in range(args.callers):
        feed({"Event": "QueueCallerJoin", "Queue": f"q{rnd.randrange(args.queues)}", "Uniqueid": f"u{c}",
              "Position": "1", "CallerIDNum": f"69{c:08d}", "CallerIDName": "Μανουσάκης Γιώργος",
              "Timestamp": f"{1764410000 + c}.0"})
    live = []
    for i in range(5000):
        ext = rnd.choice(exts)
        message = {"Event": "QueueMemberStatus", "Queue": f"q{rnd.randrange(args.queues)}",
                   "Interface": f"PJSIP/{ext}", "StateInterface": f"PJSIP/{ext}", "Membership": "static",
                   "Status": rnd.choice("126"), "Paused": rnd.choice("0001"), "PausedReason": "Обед",
                   "MemberName": f"Agent {ext}"}
        start = time.perf_counter()
        feed(message)
        live.append((time.perf_counter() - start) * 1000)
    group = exts[: args.members]
    views = []
    for _ in range(200):
        start = time.perf_counter()
        board.views(scope="group", extension=exts[0], group_extensions=group, joinable_setting="*")
        views.append((time.perf_counter() - start) * 1000)
    print(f"{args.queues} queues × {args.members} members, {args.callers} waiting callers\n")
    print("| operation | median ms | p99 ms |\n|---|---|---|")
    print(f"| one QueueMemberStatus (tracker + board, AMI thread) | {statistics.median(live):.3f} | {p99(live):.3f} |")
    print(f"| views() for a supervisor (each panel redraw) | {statistics.median(views):.3f} | {p99(views):.3f} |")


if __name__ == "__main__":
    main()
