"""Directory window search with a type filter (DIR-3, OUT-1): ContactsFeature.search over
the real in-memory Directory with N contacts, for a rare type (1 in 5,000: colleagues)
and a common one, typed text in Greek/Cyrillic/Czech and digits. This runs on the Tk
thread at every keystroke.

    python benchmarks/bench_contact_search.py [--contacts 100000] [--rounds 50]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from callcore.app.contacts import ContactsFeature  # noqa: E402
from callcore.directory import Directory, MatchRules  # noqa: E402
from callcore.records import Contact, Phone  # noqa: E402

FIRST = ["Γιώργος", "Μαρία", "Ελένη", "Νίκος", "Анна", "Мария", "Jiří", "Růžena", "Петра", "Κωνσταντίνος"]
LAST = ["Παπαδόπουλος", "Ιωάννου", "Смирнова", "Dvořák", "Novák", "Οικονόμου", "Иванова"]
QUERIES = ["γιωργος", "παπ", "мария", "dvorak", "n", "2100050"]


class _Repo:
    def __init__(self, contacts: list[Contact]):
        self._all = contacts
        self._by_id = {c.id: c for c in contacts}

    def get(self, cid: str):
        return self._by_id.get(cid)

    def all(self, copy: bool = True):
        return iter(self._all)


class _Store:
    def __init__(self, contacts: list[Contact]):
        self.contacts = _Repo(contacts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(7)
    contacts = [Contact(name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                        type="internal" if i % 5000 == 0 else "customer",
                        phones=[Phone(f"210{i:07d}")]) for i in range(args.contacts)]
    directory = Directory(MatchRules())
    directory.load(contacts)
    feature = ContactsFeature(_Store(contacts), directory)
    started = time.perf_counter()
    feature.search("", "internal")
    build = time.perf_counter() - started
    print(f"{args.contacts} contacts; type index built in {build * 1000:.0f} ms (background thread at start)")
    print()
    print("| type | query | hits | median ms | p99 ms |")
    print("|---|---|---:|---:|---:|")
    for kind in ("internal", "customer", None):
        for query in QUERIES:
            times = []
            for _ in range(args.rounds):
                t0 = time.perf_counter()
                hits = feature.search(query, kind, 200)
                times.append((time.perf_counter() - t0) * 1000)
            times.sort()
            p99 = times[min(len(times) - 1, round(0.99 * len(times)) - 1)]
            print(f"| {kind or 'all'} | {query} | {len(hits)} | {statistics.median(times):.2f} | {p99:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
