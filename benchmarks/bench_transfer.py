"""Transfer and dial latency against the real test PBX (Asterisk 22 + sipp phones).

* blind transfer: from the ``PbxCommands.blind_transfer()`` call on workstation A to
  ``TransferNoteReceived`` and to the target's ``LegRinging`` arriving on workstation B
  (a second AmiConnection), over ``--transfers`` calls (target ≤ 300 ms p99);
* dial: from the ``PbxCommands.dial()`` call to the Originate action written on the
  socket, seen by a byte-level TCP relay in front of Asterisk (target ≤ 50 ms p99).

Each transfer: an outside caller dials 205 directly (answers at once), 205's leg is
blind-transferred to 202 with a note in Greek and Persian, 202 is hung up. The dials use
the unplugged extension 209 as the operator phone, so no phone rings. Needs the PBX
(``python -m tests.pbx.pbx start``). ``python benchmarks/bench_transfer.py``.
"""
from __future__ import annotations

import argparse
import platform
import queue
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from callcore.ami.commands import DialSettings, PbxCommands  # noqa: E402
from callcore.ami.connection import AmiConnection  # noqa: E402
from callcore.ami.notes import TransferNote  # noqa: E402
from callcore.events import CallLogged, LegAnswered, LegRinging, TransferNoteReceived  # noqa: E402
from tests.pbx import scenarios  # noqa: E402
from tests.pbx.ami import AmiClient  # noqa: E402
from tests.pbx.plan import AMI_HOST, AMI_PORT, AMI_SECRET, AMI_USER, OUTGOING_PREFIX, direct_did  # noqa: E402

NOTE = TransferNote(notes="Θέλει προσφορά — محمد رضایی", contact_name="Νίκος Παπαδόπουλος")


class Stamped:
    """on_event that stamps each domain event on arrival (in the AMI thread)."""

    def __init__(self):
        self.q: "queue.Queue[tuple[float, object]]" = queue.Queue()
        self.seen: list[tuple[float, object]] = []

    def __call__(self, event) -> None:
        self.q.put((time.perf_counter(), event))

    def wait(self, predicate, timeout: float = 20.0) -> float:
        """Arrival time of the first event matching ``predicate``."""
        end = time.monotonic() + timeout
        while True:
            for at, event in self.seen:
                if predicate(event):
                    return at
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError("event did not arrive")
            try:
                self.seen.append(self.q.get(timeout=left))
            except queue.Empty:
                pass


class Relay:
    """TCP relay in front of Asterisk's AMI port; stamps when an Originate passes."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.originates: "queue.Queue[float]" = queue.Queue()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection((AMI_HOST, AMI_PORT))
            for a, b, watch in ((client, upstream, True), (upstream, client, False)):
                threading.Thread(target=self._pipe, args=(a, b, watch), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, watch: bool) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if watch and b"Originate" in data:
                    self.originates.put(time.perf_counter())
                dst.sendall(data)
        except OSError:
            pass

    def close(self) -> None:
        self.listener.close()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p * len(ordered))) - 1))]


def connection(on_event, port: int = AMI_PORT) -> AmiConnection:
    conn = AmiConnection(AMI_HOST, port, AMI_USER, AMI_SECRET, on_event=on_event, context="internal",
                         outgoing_prefix=OUTGOING_PREFIX)
    conn.start()
    deadline = time.monotonic() + 20
    while not conn.connected:
        if time.monotonic() > deadline:
            raise SystemExit(f"cannot connect to the test PBX: {conn.reason}")
        time.sleep(0.05)
    return conn


def bench_transfers(count: int) -> tuple[list[float], list[float]]:
    a_events, b_events = Stamped(), Stamped()
    a, b = connection(a_events), connection(b_events)
    ctl = AmiClient(AMI_HOST, AMI_PORT, AMI_USER, AMI_SECRET).connect()
    commands = PbxCommands(a, DialSettings(extension="205", context="internal"))
    to_note, to_ring = [], []
    try:
        for _ in range(count):
            linkedid = scenarios.outside_call(ctl, direct_did("205"), scenarios.PERSIAN, talk=30)
            a_events.wait(lambda e: isinstance(e, LegAnswered) and e.extension == "205"
                          and any(isinstance(r, LegRinging) and r.leg_id == e.leg_id and r.linkedid == linkedid
                                  for _t, r in a_events.seen))
            leg = next(r for _t, r in a_events.seen if isinstance(r, LegRinging) and r.linkedid == linkedid)
            t0 = time.perf_counter()
            future = commands.blind_transfer(leg.leg_id, "202", NOTE)
            t_note = b_events.wait(lambda e: isinstance(e, TransferNoteReceived) and e.linkedid == linkedid)
            t_ring = b_events.wait(lambda e: isinstance(e, LegRinging) and e.linkedid == linkedid
                                   and e.extension == "202")
            result = future.result(10)
            if not result.ok:
                raise SystemExit(f"transfer failed: {result.message}")
            to_note.append((t_note - t0) * 1000)
            to_ring.append((t_ring - t0) * 1000)
            target = next(e for _t, e in b_events.seen if isinstance(e, LegRinging)
                          and e.linkedid == linkedid and e.extension == "202")
            b_events.wait(lambda e: isinstance(e, LegAnswered) and e.leg_id == target.leg_id)
            commands.hangup(target.leg_id).result(10)
            b_events.wait(lambda e: isinstance(e, CallLogged) and e.record.linkedid == linkedid
                          and e.record.extension == "202")
    finally:
        a.stop()
        b.stop()
        ctl.close()
    return to_note, to_ring


def bench_dials(count: int) -> tuple[list[float], list[float]]:
    relay = Relay()
    conn = connection(lambda e: None, port=relay.port)
    commands = PbxCommands(conn, DialSettings(extension="209", context="internal",
                                              outgoing_prefix=OUTGOING_PREFIX))
    to_socket, to_reply = [], []
    try:
        for _ in range(count):
            t0 = time.perf_counter()
            future = commands.dial("202")
            t_sent = relay.originates.get(timeout=10)
            future.result(10)
            to_reply.append((time.perf_counter() - t0) * 1000)
            to_socket.append((t_sent - t0) * 1000)
            time.sleep(0.05)      # let Asterisk fail the call to the unplugged phone
    finally:
        conn.stop()
        relay.close()
    return to_socket, to_reply


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transfers", type=int, default=30)
    parser.add_argument("--dials", type=int, default=100)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    to_socket, to_reply = bench_dials(args.dials)
    to_note, to_ring = bench_transfers(args.transfers)
    rows = [
        (f"blind_transfer() → TransferNoteReceived on 2nd station (n={len(to_note)})", to_note, "≤ 300"),
        (f"blind_transfer() → target's LegRinging on 2nd station (n={len(to_ring)})", to_ring, "≤ 300"),
        (f"dial() → Originate written on the socket (n={len(to_socket)})", to_socket, "≤ 50"),
        (f"dial() → PBX reply in the future (n={len(to_reply)})", to_reply, "—"),
    ]
    table = ["| measure (ms) | median | p99 | max | target p99 |", "|---|---|---|---|---|"]
    for name, values, target in rows:
        table.append(f"| {name} | {statistics.median(values):.1f} | {pct(values, 0.99):.1f} | "
                     f"{max(values):.1f} | {target} |")
    text = "\n".join(table)
    print(text)
    if not args.no_write:
        out = ROOT / "docs" / "perf" / "transfer.md"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(
            "## Transfer and dial latency (real test PBX)\n\n"
            f"`python benchmarks/bench_transfer.py --transfers {args.transfers} --dials {args.dials}` "
            f"against Asterisk 22 + sipp phones on localhost (Python {platform.python_version()}, "
            f"{platform.machine()}, 2 CPUs shared with other test runs).\n\n" + text + "\n",
            encoding="utf-8")
        print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
