"""``operator_app.py schedule …`` as a real process on a real store (SCHED-1..3): add prints
the id, list --json one object per line (--user, --due), done; an unknown id and a refused
role are one sentence with exit code 2."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def office(tmp_path: Path) -> Path:
    (tmp_path / "shared").mkdir()
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({
        "ami": {"host": "127.0.0.1", "port": 1},
        "station": {"id": "ws-cli", "extension": "201"},
        "store": {"local_folder": "local", "shared_folder": "shared"},
    }), encoding="utf-8")
    return path


def run(settings: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "operator_app.py"), "--settings", str(settings), *args],
                          capture_output=True, text=True, encoding="utf-8", timeout=60, input=stdin)


def iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


def test_add_list_done(tmp_path):
    settings = office(tmp_path)
    now = datetime.now(timezone.utc)
    for name, role in (("Anna", "agent"), ("Bob", "agent")):
        made = run(settings, "users", "add", "--name", name, "--role", role)
        assert made.returncode == 0, made.stderr
    past = run(settings, "schedule", "add", "--number", "2101234567", "--at", iso(now - timedelta(hours=1)),
               "--user", "Anna", "--note", "Ξανθή: τιμή")
    assert past.returncode == 0, past.stderr
    past_id = past.stdout.strip()
    future = run(settings, "schedule", "add", "--number", "602111222", "--at", iso(now + timedelta(days=2)),
                 "--user", "Bob")
    assert future.returncode == 0, future.stderr
    listed = run(settings, "schedule", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(r["id"], r["number"], r["assigned_user"], r["notes"]) for r in rows] == [
        (past_id, "2101234567", "Anna", "Ξανθή: τιμή"), (future.stdout.strip(), "602111222", "Bob", "")]
    bobs = [json.loads(line) for line in run(settings, "schedule", "list", "--json", "--user", "Bob").stdout.splitlines()]
    assert [r["number"] for r in bobs] == ["602111222"]
    due = [json.loads(line) for line in run(settings, "schedule", "list", "--json", "--due").stdout.splitlines()]
    assert [r["id"] for r in due] == [past_id]

    done = run(settings, "schedule", "done", past_id, "--outcome", "ordered")
    assert done.returncode == 0, done.stderr
    left = [json.loads(line) for line in run(settings, "schedule", "list", "--json").stdout.splitlines()]
    assert [r["number"] for r in left] == ["602111222"]


def test_unknown_id_and_refused_role_exit_2_with_a_sentence(tmp_path):
    settings = office(tmp_path)
    for name in ("Anna", "Bob"):
        assert run(settings, "users", "add", "--name", name, "--role", "agent").returncode == 0
    bobs = run(settings, "schedule", "add", "--number", "2101", "--at", "2030-01-01T09:00:00+00:00",
               "--user", "Bob").stdout.strip()
    unknown = run(settings, "schedule", "done", "no-such-id")
    assert unknown.returncode == 2
    assert "no-such-id" in unknown.stderr and unknown.stderr.count("\n") == 1
    refused = run(settings, "--user", "Anna", "schedule", "done", bobs)
    assert refused.returncode == 2
    assert "Anna" in refused.stderr and "may not" in refused.stderr, refused.stderr
    refused_add = run(settings, "--user", "Anna", "schedule", "add", "--number", "2101",
                      "--at", "2030-01-01T09:00", "--user", "Bob")
    assert refused_add.returncode == 2 and "may not" in refused_add.stderr
    bad_date = run(settings, "schedule", "add", "--number", "2101", "--at", "tomorrow")
    assert bad_date.returncode == 2 and "--at" in bad_date.stderr
    still = [json.loads(line) for line in run(settings, "schedule", "list", "--json").stdout.splitlines()]
    assert [(r["id"], r["status"]) for r in still] == [(bobs, "open")]
    assert run(settings, "--user", "Bob", "schedule", "done", bobs).returncode == 0


def test_a_number_in_the_directory_gets_its_contact_name(tmp_path):
    settings = office(tmp_path)
    assert run(settings, "contacts", "add", "--name", "Ξανθή Οικονόμου", "--phone", "2101234567").returncode == 0
    made = run(settings, "schedule", "add", "--number", "00302101234567", "--at", "2030-01-01T09:00")
    assert made.returncode == 0, made.stderr
    rows = [json.loads(line) for line in run(settings, "schedule", "list", "--json").stdout.splitlines()]
    assert [(r["number"], r["contact_name"]) for r in rows] == [("00302101234567", "Ξανθή Οικονόμου")]
    assert rows[0]["contact_id"]
