"""An office with a real store (calls, scheduled calls, contacts in Greek, Cyrillic, Czech
and Persian) and the admin command line run as a real process against it."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from callcore.records import CallRecord, Contact, Phone, ScheduledCall
from callcore.store import Store

ROOT = Path(__file__).resolve().parents[2]
NAMES = ["Γιώργος Μανουσάκης", "Иван Петров", "Jiří Dvořák", "رضا احمدی", "Žofie Nováková"]
USERS = ["anna", "Σοφία", "Пётр"]


def make_calls(n: int, month: str = "2026-01") -> list[CallRecord]:
    """``n`` calls in ``month``: directions and statuses in turn, talk time ``i`` seconds."""
    directions = ["in", "in", "out", "internal"]
    statuses = ["answered", "missed", "answered", "unanswered", "transferred"]
    calls = []
    for i in range(n):
        direction, status = directions[i % 4], statuses[i % 5]
        calls.append(CallRecord(
            id=f"call-{month}-{i}", linkedid=f"{i}.1", direction=direction, status=status,
            started_at=f"{month}-{1 + i % 28:02d}T{8 + i % 10:02d}:{i % 60:02d}:00+00:00",
            caller_number=f"69{i:08d}" if direction != "out" else str(200 + i % 3),
            called_number="2101234567" if direction != "out" else f"69{i:08d}", contact_name=NAMES[i % 5],
            extension=str(200 + i % 3), user=USERS[i % 3], ring_seconds=4.0,
            talk_seconds=float(i % 300) if status in ("answered", "transferred") else 0.0,
            transferred_to="205" if status == "transferred" else "",
            notes="σημείωση" if i % 2 else ""))
    return calls


@pytest.fixture
def office(tmp_path: Path):
    """(settings path, store folders) of an office named in Greek, store filled once."""
    (tmp_path / "share").mkdir()
    settings = tmp_path / "desk.json"
    settings.write_text(json.dumps({"station": {"id": "desk-a"}, "office": {"name": "Γραφείο Αθηνών"},
                                    "store": {"local_folder": str(tmp_path / "local"),
                                              "shared_folder": str(tmp_path / "share")}}), encoding="utf-8")
    return settings


def fill(settings: Path, calls=(), contacts=(), scheduled=()) -> None:
    data = json.loads(settings.read_text(encoding="utf-8"))
    store = Store.open(Path(data["store"]["local_folder"]), Path(data["store"]["shared_folder"]), "desk-a",
                       background_sync=False)
    try:
        with store.batch():
            for call in calls:
                store.calls.add(call)
            for contact in contacts:
                store.contacts.put(contact)
            for item in scheduled:
                store.scheduled.put(item)
    finally:
        store.close()


def run(settings: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "operator_app.py"), "--settings", str(settings), *args],
                          capture_output=True, timeout=300, cwd=str(settings.parent),
                          env={"PYTHONIOENCODING": "utf-8", "PATH": "/usr/bin:/bin", "TZ": "UTC"})


def ok(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    return proc.stdout.decode("utf-8")


__all__ = ["make_calls", "fill", "run", "ok", "NAMES", "Contact", "Phone", "ScheduledCall"]
