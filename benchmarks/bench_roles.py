"""What signing in and the role rules cost (ROLE-1..3).

- password hash (new scrypt hash) and verify (a sign-in): slow on purpose — this is what a
  guesser pays per try; it must stay well under a second for the person signing in;
- ``may_change`` (pure, called before every write) and ``UserAdmin.find`` over 200 users.

Run ``python benchmarks/bench_roles.py [--runs N]``; prints a markdown table (median, p99).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.timing import timed_ms as measure  # noqa: E402
from callcore.passwords import hash_password, verify_password  # noqa: E402
from callcore.records import User  # noqa: E402
from callcore.roles import may_change  # noqa: E402
from callcore.users import UserAdmin  # noqa: E402


class _Repo:
    def __init__(self, users):
        self._users = {u.id: u for u in users}

    def all(self):
        return iter(self._users.values())

    def get(self, key):
        return self._users.get(key)

    def __len__(self):
        return len(self._users)


class _Store:
    def __init__(self, users):
        self.users = _Repo(users)




def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    stored = hash_password("correct horse")
    users = [User(name=f"user {i}", id=f"u{i}", role=("agent", "supervisor", "director")[i % 3],
                  group_id=f"g{i % 7}") for i in range(200)]
    admin = UserAdmin(_Store(users))
    rows = [
        ("hash a new password (scrypt n=2^14 r=8 p=1)", measure(lambda: hash_password("correct horse"), runs)),
        ("verify a password (sign-in)", measure(lambda: verify_password("correct horse", stored), runs)),
        ("verify a wrong password", measure(lambda: verify_password("wrong", stored), runs)),
        ("may_change x 1000", measure(lambda: [may_change(users[i % 200], users[(i * 7) % 200])
                                               for i in range(1000)], runs * 10)),
        ("UserAdmin.find among 200 users", measure(lambda: admin.find("user 199"), runs * 10)),
    ]
    print("| operation | median ms | p99 ms |")
    print("|---|---|---|")
    for name, (median, p99) in rows:
        print(f"| {name} | {median:.3f} | {p99:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
