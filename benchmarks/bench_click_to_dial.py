"""Click-to-dial latency (OUT-1/OUT-2): from a click on a contact's number (the contact
card's Call button, invoked on the Tk thread) to the Originate action read by the AMI
server off its socket, and on to the PBX's answer (``DialStarted`` on the hub).

    python benchmarks/bench_click_to_dial.py [--clicks 300]

The path measured is the product's own: ContactCard → DialFeature → PbxCommands →
AmiConnection (its own thread and asyncio loop) → TCP. The server is the local scripted AMI
server of the tests (tests/ami/fake_ami.py), which stamps each action the moment it has
parsed it. Needs an X display (starts a private Xvfb when DISPLAY is unset). Target: p99
≤ 50 ms. Prints a table (median, p90, p99, max).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_popup import ensure_display  # noqa: E402


class StampedActions(list):
    """The fake server's action list, stamping each Originate as it arrives."""

    def __init__(self):
        super().__init__()
        self.stamps: list[float] = []
        self.arrived = threading.Condition()

    def append(self, action):  # type: ignore[override]
        if action.get("Action") == "Originate":
            with self.arrived:
                self.stamps.append(time.perf_counter())
                self.arrived.notify_all()
        super().append(action)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clicks", type=int, default=300)
    args = parser.parse_args()
    xvfb = ensure_display()
    try:
        import ttkbootstrap as ttk

        from callcore.ami.commands import DialSettings, PbxCommands
        from callcore.ami.connection import AmiConnection
        from callcore.app.dialling import DialFeature
        from callcore.app.hub import EventHub
        from callcore.events import DialStarted
        from tests.ami.fake_ami import FakeAmi
        from tests.gui.contacts_fake import FakeContacts, directory_people
        from ui.contact_card import ContactCard
        from ui.look import setup_fonts, style_tables

        with FakeAmi(secret="s3cret") as server:
            server.actions = StampedActions()
            conn = AmiConnection("127.0.0.1", server.port, "bench", "s3cret", context="from-internal")
            conn.start()
            deadline = time.monotonic() + 10
            while not conn.connected and time.monotonic() < deadline:
                time.sleep(0.05)
            if not conn.connected:
                print("could not connect to the local AMI server", file=sys.stderr)
                return 1
            hub = EventHub()
            started: list[float] = []
            answered = threading.Condition()

            def on_started(_event) -> None:
                with answered:
                    started.append(time.perf_counter())
                    answered.notify_all()
            hub.subscribe(DialStarted, on_started)
            dialling = DialFeature(PbxCommands(conn, DialSettings(extension="201", outgoing_prefix="9")), hub)

            root = ttk.App(title="bench", theme="flatly")
            setup_fonts(root)
            style_tables(root)
            people = directory_people()
            card = ContactCard(root, contacts=FakeContacts(people), dial=dialling, contact_id=people[0].id)
            root.update()
            button = card.phone_rows[0].call_button
            to_socket: list[float] = []
            to_answer: list[float] = []
            for i in range(args.clicks + 10):
                root.update()
                t0 = time.perf_counter()
                button.invoke()                         # the click's callback on the Tk thread
                with server.actions.arrived:
                    server.actions.arrived.wait_for(lambda: len(server.actions.stamps) > i, 5)
                with answered:
                    answered.wait_for(lambda: len(started) > i, 5)
                if i >= 10:                             # warm-up clicks not counted
                    to_socket.append((server.actions.stamps[i] - t0) * 1000)
                    to_answer.append((started[i] - t0) * 1000)
            card.close()
            root.destroy()
            dialling.close()
            conn.stop()

        print(f"click-to-dial over {args.clicks} clicks (local scripted AMI server, "
              "ContactCard Call → DialFeature → PbxCommands → AmiConnection)")
        print()
        print("| path | median ms | p90 ms | p99 ms | max ms |")
        print("|---|---:|---:|---:|---:|")
        for name, values in (("click → Originate read by the server", to_socket),
                             ("click → PBX answer (DialStarted)", to_answer)):
            print(f"| {name} | {statistics.median(values):.2f} | {percentile(values, 90):.2f} | "
                  f"{percentile(values, 99):.2f} | {max(values):.2f} |")
        p99 = percentile(to_socket, 99)
        print()
        print(f"target p99 ≤ 50 ms: {'met' if p99 <= 50 else 'NOT met'} ({p99:.2f} ms)")
    finally:
        if xvfb is not None:
            xvfb.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
