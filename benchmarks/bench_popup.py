"""Popup latency and operator-window memory (issue 3 "Speed").

    python benchmarks/bench_popup.py [--contacts 100000] [--calls 200]

Latency: from handing a LegRinging to the UI (``OperatorUi.ui_event``) until the popup
window is mapped with the caller identified (title holds the contact's name), with the
real ``callcore.directory.Directory`` holding N contacts. Needs an X display; starts a
private Xvfb when DISPLAY is unset. Prints a markdown table and writes docs/perf/ui.md.
"""
from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def ensure_display() -> subprocess.Popen | None:
    if os.environ.get("DISPLAY"):
        return None
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x900x24",
                             "-nolisten", "tcp"], pass_fds=(write_fd,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        number = pipe.readline().decode().strip()
    os.environ["DISPLAY"] = f":{number}"
    return proc


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    xvfb = ensure_display()
    try:
        from benchmarks.bench_directory import make_contacts
        from callcore.directory import Directory, MatchRules
        from callcore.events import LegEnded
        from tests.gui.fakes import FakeServices, ringing
        from ui.app import OperatorUi

        process = psutil.Process()
        contacts = make_contacts(args.contacts)
        directory = Directory(MatchRules())
        directory.load(contacts)

        class Services(FakeServices):
            def lookup(self, number):
                return directory.lookup(number)

            def recent_calls(self, number, limit=5):
                return []

        services = Services(notify_seconds=0)
        ui = OperatorUi(services, notify_backend=None)
        root = ui.root
        root.update()
        gc.collect()
        rss_window = process.memory_info().rss
        latencies = []
        callers = [c for c in contacts if c.phones and c.popup_priority][: args.calls]
        for i, contact in enumerate(callers):
            event = ringing(f"B{i}", contact.phones[0].number)
            start = time.perf_counter()
            ui.ui_event(event)
            popup = ui.popups[f"B{i}"]
            while not popup.winfo_viewable():
                root.update()
            latencies.append((time.perf_counter() - start) * 1000)
            assert contact.name in popup.title() or popup.matches, "caller not identified"
            ui.ui_event(LegEnded(event.leg_id, event.call_id, "201", event.at, "answered"))
            popup.close()
            root.update()
        for i in range(20):  # call waiting: 20 popups open at once
            ui.ui_event(ringing(f"W{i}", callers[i].phones[0].number))
        root.update()
        gc.collect()
        rss_20 = process.memory_info().rss
        ui.close()

        rows = [
            ("popup latency: ringing → popup mapped, caller identified",
             f"{statistics.median(latencies):.1f} ms", f"{pct(latencies, 0.99):.1f} ms",
             f"{len(latencies)} calls, {args.contacts:,} contacts; target ≤ 50 ms p99"),
            ("RSS: operator window + directory", f"{rss_window / 2**20:.0f} MiB", "",
             f"{args.contacts:,} contacts loaded"),
            ("RSS: with 20 popups open", f"{rss_20 / 2**20:.0f} MiB", "", "call waiting"),
        ]
        table = ["| measure | median | p99 | notes |", "|---|---|---|---|"]
        table += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
        text = "\n".join(table)
        print(text)
        out = ROOT / "docs" / "perf" / "ui.md"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("## Operator UI (benchmarks/bench_popup.py, Xvfb)\n\n" + text + "\n",
                       encoding="utf-8")
    finally:
        if xvfb is not None:
            xvfb.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
