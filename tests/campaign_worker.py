"""A workstation working a campaign for the real-process tests (spawned, never forked).

    python campaign_worker.py LOCAL SHARE STATION CAMPAIGN [--count K] [--sync-interval S]

Uses the command line's claim path (``CampaignBook`` + ``cli_campaign.sync_wait``): claim,
wait while syncing, confirm, record ``interested``. Prints ``ready``, then per round
``claimed <entry>…`` (claims written), ``won <entry> <attempt>`` (confirmed),
``completed <entry>`` (outcome committed); ``finished`` once every entry is completed
and its own changes are on the share.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from callcore.campaign_book import CampaignBook  # noqa: E402
from callcore.cli_campaign import sync_wait  # noqa: E402
from callcore.store import Store  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("local")
    p.add_argument("share")
    p.add_argument("station")
    p.add_argument("campaign")
    p.add_argument("--count", type=int, default=10)
    p.add_argument("--sync-interval", type=float, default=0.25)
    p.add_argument("--deadline", type=float, default=240.0)
    args = p.parse_args()
    store = Store.open(Path(args.local), Path(args.share), args.station, sync_interval=args.sync_interval,
                       background_sync=False)
    store.sync_now()
    book = CampaignBook(store, station=args.station, user=args.station, sync_interval=args.sync_interval)
    wait = sync_wait(store)
    end = time.monotonic() + args.deadline
    while not book.campaigns() and time.monotonic() < end:
        wait(0.1)
    campaign = book.find(args.campaign)
    print("ready", flush=True)
    while time.monotonic() < end:
        held = book.held(campaign.id)
        if held:
            won = held
        else:
            claims = book.claim(campaign.id, args.count)
            if not claims:
                counters = book.counters(campaign.id)
                if counters.completed == counters.total:
                    break
                wait(0.2)              # others hold the rest (or a dead station's claims expire)
                continue
            print("claimed " + " ".join(c.entry_id for c in claims), flush=True)
            wait(book.wait_seconds)
            won = book.confirm(claims)
        for item in won:
            print(f"won {item.entry.id} {item.claim.attempt}", flush=True)
        for item in won:
            book.record_outcome(campaign.id, item.entry.id, "interested", f"by {args.station}")
            print(f"completed {item.entry.id}", flush=True)
        store.sync_now()
    for _ in range(3):
        store.sync_now()
    store.close()
    print("finished", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
