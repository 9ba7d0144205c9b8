"""Campaign benchmark (CAMP-3, CAMP-4) on a real store with a campaign of 100,000 entries.

Run ``python benchmarks/bench_campaign.py [--count N] [--runs N]``. Prints a markdown table
(median and p99):

* next entry claimed (claim written + confirmed; the confirmation wait itself, twice the
  share's propagation time, is not included) — at the start of the list, half-way through
  (50,000 completed, 10,000 waiting for a retry), and with another station's live claims —
  budget 50 ms;
* counters refreshed (CAMP-4) — budget 200 ms;
* an outcome recorded; the entries behind a counter (click on "Unanswered");
* the index built when a station opens the campaign (once per start).
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.timing import median_p99 as stats, timed_ms as timed  # noqa: E402
from callcore.campaign_book import CampaignBook  # noqa: E402
from callcore.campaigns import UNANSWERED, stamp  # noqa: E402
from callcore.records import Campaign, CampaignClaim, CampaignOutcome  # noqa: E402
from callcore.store import Store  # noqa: E402


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        return self.now




def counters_after_changes(book: CampaignBook, store: Store, clock: Clock, cid: str, runs: int,
                           other: str) -> tuple[float, float]:
    """The counters refreshed after each change (another station's claim arrives), so
    nothing is served from the last count."""
    from callcore.records import CampaignClaim as Claim
    free = [e for e, _st in book.entries_in(cid, "pending")][-runs:]
    out = []
    for e in free:
        book.repos["campaign_claims"].put(Claim(entry_id=e.id, campaign_id=cid, station=other, user="bob",
                                                claimed_at=stamp(clock.now)))
        start = time.perf_counter()
        book.counters(cid)
        out.append((time.perf_counter() - start) * 1000)
    return stats(out)


def claim_rounds(book: CampaignBook, clock: Clock, cid: str, runs: int) -> tuple[float, float]:
    """Claim + confirm the next entry ``runs`` times (the wait skipped on the clock), then
    record an outcome (not timed)."""
    out = []
    for i in range(runs):
        start = time.perf_counter()
        claims = book.claim(cid, 1)
        clock.now += timedelta(seconds=book.wait_seconds)
        won = book.confirm(claims)
        out.append((time.perf_counter() - start) * 1000)
        assert won, "lost a claim with no competitor"
        book.record_outcome(cid, won[0].entry.id, "busy" if i % 5 == 0 else "interested")
    return stats(out)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--count", type=int, default=100_000)
    p.add_argument("--runs", type=int, default=200)
    args = p.parse_args()
    rows: list[tuple[str, float, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        clock = Clock()
        store = Store.open(Path(tmp) / "local", None, "bench", background_sync=False)
        book = CampaignBook(store, station="bench", user="anna", clock=clock)
        c = book.save(Campaign(code="Big", retry_minutes=60))
        start = time.perf_counter()
        book.add_entries(c.id, ({"name": f"Πελάτης {i}", "number": f"2{i:09d}"} for i in range(args.count)))
        print(f"{args.count} entries added in {time.perf_counter() - start:.1f} s", file=sys.stderr)

        med, p99 = claim_rounds(book, clock, c.id, args.runs)
        rows.append(("next entry claimed, start of the list", med, p99, "50 ms"))
        rows.append(("counters after a change, start of the list",
                     *counters_after_changes(book, store, clock, c.id, 20, "early"), "200 ms"))

        # half-way: 50,000 completed (every 5th one unanswered, waiting for its retry)
        entries = book.entries(c.id)
        outcomes, claims_repo = book.repos["campaign_outcomes"], book.repos["campaign_claims"]
        at = stamp(clock.now)
        retry = stamp(clock.now + timedelta(hours=1))
        half = entries[args.runs:args.runs + args.count // 2]
        for startn in range(0, len(half), 5000):
            with store.batch():
                for i, e in enumerate(half[startn:startn + 5000], start=startn):
                    claim = CampaignClaim(entry_id=e.id, campaign_id=c.id, station="other", user="bob",
                                          claimed_at=at)
                    claims_repo.put(claim)
                    outcomes.put(CampaignOutcome(entry_id=e.id, campaign_id=c.id, claim_id=claim.id,
                                                 result="no_answer" if i % 5 == 0 else "not_interested",
                                                 user="bob", station="other", at=at,
                                                 retry_at=retry if i % 5 == 0 else None))
        rows.append(("first claim after 50,000 outcomes arrived (once: their states are worked out)",
                     *claim_rounds(book, clock, c.id, 1), ""))
        med, p99 = claim_rounds(book, clock, c.id, args.runs)
        rows.append(("next entry claimed, half-way (50,000 done, 10,000 waiting)", med, p99, "50 ms"))
        # another station works the campaign at the same time: its live claims are skipped
        rnd = random.Random(3)
        now = stamp(clock.now)
        with store.batch():
            for e in rnd.sample(entries[args.count // 2 + 2 * args.runs:], 50):
                claims_repo.put(CampaignClaim(entry_id=e.id, campaign_id=c.id, station="other", user="bob",
                                              claimed_at=now))
        med, p99 = claim_rounds(book, clock, c.id, args.runs)
        rows.append(("next entry claimed, another station working too", med, p99, "50 ms"))
        rows.append(("first count after 50,000 outcomes arrived (once)", *timed(lambda: book.counters(c.id), 1), ""))
        rows.append(("counters after a change, half-way",
                     *counters_after_changes(book, store, clock, c.id, 20, "late"), "200 ms"))
        rows.append(("counters again, nothing changed (the second view asking)",
                     *timed(lambda: book.counters(c.id), 20), ""))
        rows.append(("entries behind 'Unanswered' (click)",
                     *timed(lambda: book.entries_in(c.id, UNANSWERED), 5), ""))
        holder = {}

        def one_outcome() -> None:
            claims = book.claim(c.id, 1)
            clock.now += timedelta(seconds=book.wait_seconds)
            holder["won"] = book.confirm(claims)
        samples = []
        for _ in range(50):
            one_outcome()
            t = time.perf_counter()
            book.record_outcome(c.id, holder["won"][0].entry.id, "interested")
            samples.append((time.perf_counter() - t) * 1000)
        rows.append(("outcome recorded", *stats(samples), ""))
        book.close()
        rows.append(("index built when a station opens the campaign",
                     *timed(lambda: CampaignBook(store, station="x").close(), 3), ""))
        store.close()
    print(f"\nCampaign of {args.count:,} entries ({args.runs} claims per row)\n")
    print("| operation | median ms | p99 ms | budget |")
    print("|---|---:|---:|---:|")
    for name, med, p99, budget in rows:
        print(f"| {name} | {med:.1f} | {p99:.1f} | {budget} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
