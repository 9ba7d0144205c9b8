"""A workstation process for the real-process store tests (spawned, never forked).

    python worker.py LOCAL SHARE STATION --contacts N --calls N [--delay S] [--edit KEY=VALUE…]

Prints ``ready`` once open, then ``committed <table> <key>`` after each change's commit
returned (the tests check that every printed key survives a kill -9) and ``status <text>``
whenever the store's share status changes, then syncs until every own change is on the
share and prints ``done``.
"""
from __future__ import annotations

import argparse
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from callcore.records import CallRecord, Contact, Phone  # noqa: E402
from callcore.store import Store  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("local")
    p.add_argument("share")
    p.add_argument("station")
    p.add_argument("--contacts", type=int, default=0)
    p.add_argument("--calls", type=int, default=0)
    p.add_argument("--delay", type=float, default=0.0)
    p.add_argument("--sync-interval", type=float, default=0.2)
    p.add_argument("--linger", type=float, default=0.0, help="keep syncing this long after writing")
    p.add_argument("--checkpoint-every", type=int, default=0)
    p.add_argument("--set-name", nargs=2, metavar=("KEY", "NAME"), help="edit one contact's name")
    args = p.parse_args()
    store = Store.open(Path(args.local), Path(args.share), args.station, sync_interval=args.sync_interval,
                       torn_grace=0.5)
    print("ready", flush=True)
    if args.set_name:
        store.sync_now()
        key, name = args.set_name
        contact = store.contacts.get(key) or Contact(id=key, name=name)
        contact.name = name
        store.contacts.put(contact)
        print(f"committed contacts {key}", flush=True)
    status = ""
    for i in range(max(args.contacts, args.calls)):
        if store.share_status != status:
            status = store.share_status
            print(f"status {status}", flush=True)
        if i < args.contacts:
            c = Contact(name=f"{args.station} contact {i} Μανουσάκης", phones=[Phone(f"210{i:07d}")])
            store.contacts.put(c)
            print(f"committed contacts {c.id}", flush=True)
        if i < args.calls:
            call = CallRecord(id=str(uuid.uuid4()), linkedid=f"{args.station}-{i}", direction="in",
                              status="answered", started_at=f"2024-0{1 + i % 3}-1{i % 10}T10:00:00+02:00",
                              caller_number=f"69{i:08d}")
            store.calls.add(call)
            print(f"committed calls {call.id}", flush=True)
        if args.checkpoint_every and i % args.checkpoint_every == args.checkpoint_every - 1:
            store.checkpoint()
        if args.delay:
            time.sleep(args.delay)
    end = time.monotonic() + args.linger
    while time.monotonic() < end:
        store.sync_now()
        time.sleep(0.1)
    store.close()
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
