"""Scheduled calls benchmark (SCHED-2/3) on a real store with 100,000 scheduled calls.

Run ``python benchmarks/bench_schedule.py [--count N] [--runs N]``. Prints a markdown
table (median and p99):

* schedule view, first page (200 rows) of all / overdue / mine — budget 200 ms;
* the due-reminder check of one ``ClockTick`` (nothing due; and with a store change
  queued) — budget 5 ms;
* the reminder index built at the first tick (once per start / sign-in);
* start-up: a new process opening the store and building the window's application
  (``build_app(WINDOW)``, no Tk) until the first tick is done — budget 3 s.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.timing import timed_ms as timed  # noqa: E402
from callcore.app.hub import EventHub  # noqa: E402
from callcore.app.reminders import ReminderFeature  # noqa: E402
from callcore.events import StoreChanged  # noqa: E402
from callcore.records import Group, ScheduledCall, User  # noqa: E402
from callcore.scheduled_calls import ScheduleBook  # noqa: E402
from callcore.store import Store  # noqa: E402

USERS = [f"user{i:02d}" for i in range(40)]




def fill(store: Store, count: int) -> None:
    rnd = random.Random(8)
    now = datetime.now(timezone.utc)
    group = store.groups.put(Group(name="Sales"))
    for i, name in enumerate(USERS):
        store.users.put(User(name=name, role="agent", group_id=group.id if i < 10 else ""))
    with store.batch():
        for i in range(count):
            due = now + timedelta(minutes=rnd.randint(-60 * 24 * 30, 60 * 24 * 90))
            store.scheduled.put(ScheduledCall(
                number=f"210{rnd.randint(1000000, 9999999)}", due_at=due.isoformat(timespec="seconds"),
                assigned_user=rnd.choice(USERS), notes=f"note {i}", contact_name=f"Contact {i}",
                status="open" if rnd.random() < 0.8 else "done", priority=rnd.randint(0, 2)))


def startup_child(settings: str) -> None:
    """Child process: build the window's application and run the first reminder tick."""
    start = time.perf_counter()
    from callcore.app import AppMode, build_app
    from callcore.app.container import open_store
    from callcore.settings import load_settings
    loaded = load_settings(Path(settings), user_file=False)
    store = open_store(loaded)
    opened = time.perf_counter() - start
    app = build_app(loaded, AppMode.WINDOW, store=store)
    built = time.perf_counter() - start
    app.reminders.check(time.time())
    elapsed = time.perf_counter() - start
    indexed = app.reminders.indexed
    app.close()
    print(json.dumps({"seconds": elapsed, "opened": opened, "built": built, "indexed": indexed}))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--startups", type=int, default=5)
    parser.add_argument("--startup-child", metavar="SETTINGS")
    args = parser.parse_args()
    if args.startup_child:
        startup_child(args.startup_child)
        return 0
    folder = Path(tempfile.mkdtemp(prefix="bench-schedule-"))
    (folder / "shared").mkdir()
    store = Store.open(folder / "local", folder / "shared", "ws-bench", background_sync=False)
    t = time.perf_counter()
    fill(store, args.count)
    fill_s = time.perf_counter() - t
    hub = EventHub()
    store.subscribe(lambda cs: hub.publish(StoreChanged(cs.table, cs.keys, cs.origin)))
    me = store.users.get(next(u.id for u in store.users.all() if u.name == "user03"))
    book = ScheduleBook(store, current_user=lambda: None, me=lambda: me)
    rows = []
    med, p99 = timed(lambda: (ScheduleBook(store).prepare()), 3)
    rows.append(("schedule order built (once, 5 s after start)", med, p99, "—"))
    book.prepare()
    for label, section, scope in (("view: all, first page", "all", "all"),
                                  ("view: overdue, all users", "overdue", "all"),
                                  ("view: mine, all sections", "all", "mine"),
                                  ("view: my group", "all", "group")):
        med, p99 = timed(lambda: book.view(section, scope, limit=200), max(5, args.runs // 3))
        rows.append((label, med, p99, "200"))
    reminders = ReminderFeature(store, hub, "ws-bench", current_user=lambda: me, confirm_after=2.0)
    med, p99 = timed(reminders.rebuild, 5)
    rows.append((f"reminder index build ({reminders.indexed:,} open)", med, p99, "—"))
    reminders.check(time.time())
    ticks = [time.time() + i for i in range(args.runs * 10)]
    it = iter(ticks)
    med, p99 = timed(lambda: reminders.check(next(it)), len(ticks))
    rows.append(("due check per tick (nothing due)", med, p99, "5"))
    some = [i for i in store.scheduled.all(copy=False) if i.status == "open"][:args.runs * 10]

    def changed_then_tick(state={"i": 0}):
        item = store.scheduled.get(some[state["i"]].id)
        state["i"] += 1
        item.notes += "!"
        store.scheduled.put(item)
    changes = []
    for _ in range(args.runs * 5):
        changed_then_tick()
        start = time.perf_counter()
        reminders.check(time.time())
        changes.append((time.perf_counter() - start) * 1000)
    changes.sort()
    rows.append(("due check per tick (after a store change)", statistics.median(changes),
                 changes[int(len(changes) * 0.99) - 1], "5"))
    reminders.close()
    store.close()

    settings = folder / "settings.json"
    settings.write_text(json.dumps({"ami": {"host": "127.0.0.1", "port": 1},
                                    "station": {"id": "ws-bench", "extension": "201", "user": "user03"},
                                    "store": {"local_folder": "local", "shared_folder": "shared"}}))
    starts, opens, builds = [], [], []
    for _ in range(args.startups):
        out = subprocess.run([sys.executable, __file__, "--startup-child", str(settings)],
                             capture_output=True, text=True, check=True,
                             env={"PYTHONPATH": str(ROOT), "XDG_CONFIG_HOME": str(folder / "cfg"),
                                  "PATH": "/usr/bin:/bin", "HOME": str(folder)}).stdout
        result = json.loads(out.strip().splitlines()[-1])
        starts.append(result["seconds"] * 1000)
        opens.append(result["opened"] * 1000)
        builds.append(result["built"] * 1000)
    for label, values in (("start-up: store open (100k scheduled)", opens),
                          ("start-up: + build_app(WINDOW)", builds),
                          ("start-up: + first tick (reminder index)", starts)):
        values.sort()
        rows.append((label, statistics.median(values), values[-1], "3000"))

    print(f"\n{args.count:,} scheduled calls (filled in {fill_s:.1f} s), {args.runs} runs\n")
    print("| operation | median ms | p99 ms | budget ms |")
    print("|---|---:|---:|---:|")
    for label, med, p99, budget in rows:
        print(f"| {label} | {med:.2f} | {p99:.2f} | {budget} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
