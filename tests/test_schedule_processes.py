"""SCHED-2 across real processes: two app processes (stations A and B) sharing one folder,
each built with ``build_app(WINDOW)`` (ticker, store sync, session) but headless. A call
scheduled on A for Bob fires on B (Bob signed in there) at its time, not on A; reassigned
to Anna it fires on A instead; snoozed it fires again; due while B's app was closed, it
shows when B starts (oldest first, ``missed``).

This file is also the worker: ``python tests/test_schedule_processes.py worker SETTINGS USER``
prints ``ready``, then one ``reminder {json}`` line per ReminderDue, and obeys commands on
stdin (``schedule``, ``snooze``, ``reassign``, ``status``, ``quit``)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SYNC = 0.5                       # store.sync_interval of every station here


# ------------------------------------------------------------------------------ the worker
def worker(settings_path: str, user: str) -> int:
    sys.path.insert(0, str(ROOT))
    from callcore.app import AppMode, build_app
    from callcore.events import ReminderDue
    from callcore.settings import load_settings
    app = build_app(load_settings(Path(settings_path), user_file=False), AppMode.WINDOW)
    out_lock = threading.Lock()

    def say(line: str) -> None:
        with out_lock:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    def due(event: ReminderDue) -> None:
        say("reminder " + json.dumps({"id": event.scheduled_id, "number": event.number, "missed": event.missed,
                                      "due_at": event.due_at, "at": time.time()}))
    app.hub.subscribe(ReminderDue, due)
    app.store.sync_now()                          # the users made on the admin station
    app.session.sign_in(user)
    app.start()
    say("ready")
    try:
        for line in sys.stdin:
            cmd, *rest = line.split()
            if cmd == "quit":
                break
            if cmd == "schedule":                 # schedule NUMBER ISO USER
                item = app.schedule.schedule(rest[0], datetime.fromisoformat(rest[1]), assigned_user=rest[2])
                say(f"scheduled {item.id}")
            elif cmd == "snooze":
                app.schedule.snooze(rest[0], float(rest[1]))
                say("snoozed")
            elif cmd == "reassign":
                app.schedule.reassign(rest[0], rest[1])
                say("reassigned")
            elif cmd == "has":                    # has ID -> "has ID <assigned user or ->"
                item = app.store.scheduled.get(rest[0])
                say(f"has {rest[0]} {item.assigned_user if item else '-'}")
            elif cmd == "status":                 # what this station knows now
                claims = [c.to_dict() for c in app.store.reminder_claims.all()]
                say("status " + json.dumps({"now": time.time(), "claims": claims,
                                            "fired": [e.scheduled_id for e in app.reminders.fired]}))
    finally:
        app.close()
    return 0


# ------------------------------------------------------------------------------ the test
class Station:
    def __init__(self, settings: Path, user: str, env: dict):
        self.proc = subprocess.Popen([sys.executable, __file__, "worker", str(settings), user],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, encoding="utf-8", env=env, cwd=ROOT)
        self.lines: list[str] = []
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for(lambda line: line == "ready", 60)

    def _read(self) -> None:
        for line in self.proc.stdout:
            with self.cond:
                self.lines.append(line.strip())
                self.cond.notify_all()
        with self.cond:
            self.lines.append("<eof>")
            self.cond.notify_all()

    def wait_for(self, match, timeout: float, start: int = 0) -> str:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for line in self.lines[start:]:
                    if match(line):
                        return line
                    if line == "<eof>":
                        raise AssertionError(f"worker ended: {self.proc.stderr.read()[-3000:]}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out; output so far: {self.lines}")
                self.cond.wait(left)

    def send(self, text: str, reply: str, timeout: float = 30) -> str:
        start = len(self.lines)
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()
        return self.wait_for(lambda line: line.startswith(reply), timeout, start)

    def reminders(self) -> list[dict]:
        return [json.loads(line[len("reminder "):]) for line in list(self.lines) if line.startswith("reminder ")]

    def status(self) -> dict:
        return json.loads(self.send("status", "status ")[len("status "):])

    def quit(self) -> None:
        self.proc.stdin.write("quit\n")
        self.proc.stdin.flush()
        assert self.proc.wait(60) == 0, self.proc.stderr.read()[-3000:]


def settings_file(tmp_path: Path, station: str, extension: str) -> Path:
    path = tmp_path / f"{station}.json"
    path.write_text(json.dumps({
        "ami": {"host": "127.0.0.1", "port": 1},
        "station": {"id": station, "extension": extension},
        "store": {"local_folder": f"local-{station}", "shared_folder": "shared", "sync_interval": SYNC},
    }), encoding="utf-8")
    return path


def cli(settings: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, str(ROOT / "operator_app.py"), "--settings", str(settings), *args],
                          capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def iso_in(seconds: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).isoformat(timespec="seconds")


def ts(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def shown_everywhere(station: Station, scheduled_id: str) -> bool:
    return any(c["occurrence"].startswith(scheduled_id + "|") and c["shown"] for c in station.status()["claims"])


def wait_until(check, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.2)


def test_two_stations_fire_on_the_assigned_users_station_only(tmp_path):
    (tmp_path / "shared").mkdir()
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "PYTHONPATH": str(ROOT)}
    admin = settings_file(tmp_path, "ws-admin", "299")
    cli(admin, "users", "add", "--name", "Anna", "--role", "supervisor", "--group", "Sales")
    cli(admin, "users", "add", "--name", "Bob", "--role", "agent", "--group", "Sales")
    a = Station(settings_file(tmp_path, "ws-a", "201"), "Anna", env)
    b = Station(settings_file(tmp_path, "ws-b", "202"), "Bob", env)
    slack = 2.0 + SYNC + (SYNC + 1.0)           # ±2 s, plus sync, plus the claim window
    try:
        # 1. scheduled on A for Bob: fires on B at its time, not on A
        due1 = iso_in(6)
        first = a.send(f"schedule 2101234567 {due1} Bob", "scheduled ").split()[1]
        fired = json.loads(b.wait_for(lambda l: l.startswith("reminder ") and first in l, 30)[len("reminder "):])
        print(f"fired on B {fired['at'] - ts(due1):+.2f} s from its time")
        assert abs(fired["at"] - ts(due1)) <= slack, fired
        wait_until(lambda: shown_everywhere(a, first))          # A has seen B's shown claim…
        assert first not in a.status()["fired"]                 # …and did not show it itself

        # 2. snoozed on B: fires again on B
        b.send(f"snooze {first} 0.1", "snoozed")
        again = b.wait_for(lambda l: l.startswith("reminder ") and first in l and '"missed": false' in l
                           and l != f"reminder {json.dumps(fired)}", 40, start=0)
        assert len([r for r in b.reminders() if r["id"] == first]) == 2, again

        # 3. another for Bob, reassigned to Anna (his supervisor, on A) before its time:
        #    fires on A, not on B
        due2 = iso_in(8)
        second = a.send(f"schedule 602111222 {due2} Bob", "scheduled ").split()[1]
        wait_until(lambda: b.send(f"has {second}", "has ").split()[2] == "Bob")
        a.send(f"reassign {second} Anna", "reassigned")
        on_a = json.loads(a.wait_for(lambda l: l.startswith("reminder ") and second in l, 30)[len("reminder "):])
        print(f"reassigned: fired on A {on_a['at'] - ts(due2):+.2f} s from its time")
        assert abs(on_a["at"] - ts(due2)) <= slack, on_a
        wait_until(lambda: shown_everywhere(b, second))
        assert second not in b.status()["fired"]

        # 4. due while B's app is closed: shown when B starts, oldest first
        b.quit()
        due_late, due_early = iso_in(2), iso_in(1)
        later = a.send(f"schedule 2109990001 {due_late} Bob", "scheduled ").split()[1]
        earlier = a.send(f"schedule 2109990002 {due_early} Bob", "scheduled ").split()[1]
        wait_until(lambda: a.status()["now"] > ts(due_late) + slack)
        assert {later, earlier}.isdisjoint(a.status()["fired"])
        b = Station(settings_file(tmp_path, "ws-b", "202"), "Bob", env)
        b.wait_for(lambda l: l.startswith("reminder ") and later in l, 30)
        missed = [r for r in b.reminders() if r["id"] in (later, earlier)]
        assert [(r["id"], r["missed"]) for r in missed] == [(earlier, True), (later, True)]
    finally:
        for station in (a, b):
            if station.proc.poll() is None:
                station.quit()


def test_one_user_signed_in_on_two_stations_sees_it_once(tmp_path):
    (tmp_path / "shared").mkdir()
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "PYTHONPATH": str(ROOT)}
    admin = settings_file(tmp_path, "ws-admin", "299")
    cli(admin, "users", "add", "--name", "Bob", "--role", "agent")
    first = Station(settings_file(tmp_path, "ws-b1", "202"), "Bob", env)
    second = Station(settings_file(tmp_path, "ws-b2", "203"), "Bob", env)
    try:
        item = first.send(f"schedule 2101234567 {iso_in(6)} Bob", "scheduled ").split()[1]
        deadline = time.monotonic() + 40
        while not any(item in line for s in (first, second) for line in s.lines if line.startswith("reminder ")):
            assert time.monotonic() < deadline, "no station showed it"
            time.sleep(0.2)
        wait_until(lambda: shown_everywhere(first, item) and shown_everywhere(second, item))
        fired = first.status()["fired"] + second.status()["fired"]
        assert fired.count(item) == 1, fired
    finally:
        for station in (first, second):
            if station.proc.poll() is None:
                station.quit()


if __name__ == "__main__" and len(sys.argv) >= 4 and sys.argv[1] == "worker":
    sys.exit(worker(sys.argv[2], sys.argv[3]))
