"""Presence benchmark (XFER-2): what the transfer dialog costs on the Tk thread.

Run ``python benchmarks/bench_presence.py [--contacts N] [--extensions N]``. Prints a
markdown table (median and p99 per operation). The store is an in-memory stand-in with
the repository methods presence uses, so only the feature's own work is timed: the first
``entries()`` scans every contact once for the internal ones; afterwards each keystroke in
the dialog is one ``entries(query)`` and each PBX state change one hub publish.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.timing import timed_ms as timed  # noqa: E402
from benchmarks.bench_directory import make_contacts  # noqa: E402
from callcore.app.hub import EventHub  # noqa: E402
from callcore.app.presence import PresenceFeature  # noqa: E402
from callcore.events import ConnectionStateChanged, ExtensionStateChanged  # noqa: E402
from callcore.records import Contact, Phone, User  # noqa: E402


class Repo:
    def __init__(self, records):
        self.records = {r.id: r for r in records}

    def all(self, copy=True):
        return iter(self.records.values())

    def get(self, key):
        return self.records.get(key)


class MemoryStore:
    def __init__(self, contacts, users):
        self.contacts, self.users = Repo(contacts), Repo(users)




def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--extensions", type=int, default=300)
    args = parser.parse_args()
    contacts = make_contacts(args.contacts)
    names = [c.name for c in contacts[:args.extensions]]
    colleagues = [Contact(name=names[i], type="internal", phones=[Phone(str(100 + i))])
                  for i in range(0, args.extensions, 2)]
    users = [User(name="Μαρία " + names[i], extension=str(100 + i)) for i in range(1, args.extensions, 2)]
    hub = EventHub()
    presence = PresenceFeature(MemoryStore(contacts + colleagues, users), hub)
    hub.publish(ConnectionStateChanged("connected"))
    for i in range(args.extensions):
        hub.publish(ExtensionStateChanged(str(100 + i), ("free", "busy", "ringing")[i % 3]))

    start = time.perf_counter()
    presence.entries()
    first = (time.perf_counter() - start) * 1000
    rows = [("first entries() (scan of all contacts)", first, first)]
    for label, query in (("entries('') — the whole list", ""), ("entries('2') — a digit typed", "2"),
                         ("entries('μαρ') — a name typed", "μαρ"), ("entries('zz') — no match", "zz")):
        rows.append((label, *timed(lambda q=query: presence.entries(q), 200)))
    n = [0]

    def state_change():
        n[0] += 1
        hub.publish(ExtensionStateChanged(str(100 + n[0] % args.extensions), ("free", "busy")[n[0] % 2]))
    rows.append(("one ExtensionStateChanged published", *timed(state_change, 2000)))
    print(f"{args.contacts:,} contacts, {args.extensions} extensions "
          f"({len(colleagues)} colleagues, {len(users)} users)\n")
    print("| operation | median ms | p99 ms |\n|---|---:|---:|")
    for label, median, p99 in rows:
        print(f"| {label} | {median:.3f} | {p99:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
