"""A small in-memory OperatorServices for GUI tests and screenshots."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from callcore.directory import Directory, Match, MatchRules
from callcore.events import LegRinging
from callcore.records import CallRecord, Contact, Phone, call_id_for
from ui.ports import PopupSettings

# The GUI tests show similar numbers too (only the last digit differs)
GUI_MATCH_RULES = MatchRules(similar=True)


@dataclass
class FakeServices:
    extension: str = "201"
    is_demo: bool = False
    notify_seconds: int = 3
    popup_settings: PopupSettings = field(default_factory=PopupSettings)
    contacts: list[Contact] = field(default_factory=list)
    calls_log: list[CallRecord] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)
    line_notes: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    actions: list[tuple] = field(default_factory=list)
    saved: list[tuple[str, str]] = field(default_factory=list)
    recent_threads: list[str] = field(default_factory=list)
    waiting: int = 0                  # calls waiting to be saved (StatusPort)
    log_file: str = ""
    rules: MatchRules = GUI_MATCH_RULES
    _directory: Directory | None = field(default=None, repr=False)
    _indexed: list[Contact] = field(default_factory=list, repr=False)

    def connect(self) -> None:
        self.actions.append(("connect",))

    def disconnect(self) -> None:
        self.actions.append(("disconnect",))

    def hangup(self, leg_id: str) -> None:
        self.actions.append(("hangup", leg_id))

    def lookup(self, number: str) -> list[Match]:
        """The product's own number matching (callcore.directory) over ``contacts`` as they
        are now (a test may change them after building the fake)."""
        if self._directory is None or self._indexed != self.contacts:
            self._directory = Directory(self.rules)
            self._directory.load(self.contacts)
            self._indexed = list(self.contacts)
        return self._directory.lookup(number)

    def recent_calls(self, number: str, limit: int = 5) -> list[CallRecord]:
        self.recent_threads.append(threading.current_thread().name)
        digits = "".join(ch for ch in number if ch.isdigit())
        hits = [c for c in self.calls_log if c.caller_number.endswith(digits[-10:])]
        return sorted(hits, key=lambda c: c.started_at, reverse=True)[:limit]

    def save_notes(self, call_id: str, text: str) -> None:
        self.saved.append((call_id, text))
        self.notes[call_id] = text

    def load_notes(self, call_id: str) -> str:
        return self.notes.get(call_id, "")

    def line_note(self, line: str) -> str:
        return self.line_notes.get(line, "")

    def store_problems(self) -> list[str]:
        return list(self.problems)

    def calls_waiting(self) -> int:
        return self.waiting

    def log_path(self) -> str:
        return self.log_file

    def settings_values(self) -> dict[str, dict[str, Any]]:
        return self.settings

    def save_settings(self, values: dict[str, dict[str, Any]]) -> None:
        self.settings = values

    def test_connection(self, ami: dict[str, Any]):
        """Answers like the real one: a future of (ok, sentence)."""
        import concurrent.futures
        self.actions.append(("test_connection", dict(ami)))
        future: concurrent.futures.Future = concurrent.futures.Future()
        future.set_result((ami.get("secret") == "right", "answer for " + str(ami.get("host"))))
        return future


def ringing(leg_id: str, number: str, *, extension: str = "201", direction: str = "in",
            name: str = "", line: str = "2101234500", at: datetime | None = None,
            transferred_by: str = "", linkedid: str | None = None) -> LegRinging:
    linked = linkedid or f"linked-{leg_id}"
    return LegRinging(leg_id=leg_id, call_id=call_id_for(linked), linkedid=linked,
                      extension=extension, direction=direction, other_number=number,
                      other_name=name, line=line, at=at or datetime.now(timezone.utc),
                      transferred_by=transferred_by)


def sample_contacts() -> list[Contact]:
    return [
        Contact(name="Γιώργος Παπαδόπουλος", type="customer",
                phones=[Phone("+30 210 123 4567", "work")], popup_priority=1),
        Contact(name="Ελληνικά Έπιπλα Α.Ε.", type="supplier",
                phones=[Phone("2101234567", "work")]),
        Contact(name="Мария Иванова", type="contact_person", company="Ελληνικά Έπιπλα Α.Ε.",
                phones=[Phone("2101234568", "mobile")]),
        Contact(name="Анна Смирнова", type="other", phones=[Phone("+7 495 765 4321", "mobile")]),
        Contact(name="Spam Robot", type="other", phones=[Phone("2109999999", "work")],
                popup_priority=0),
        Contact(name="Jiří Dvořák", type="customer", phones=[Phone("+420 602 111 222", "mobile")]),
        Contact(name="رضا محمدی", type="customer", phones=[Phone("+98 21 8888 7777", "mobile")]),
    ]


def sample_log(now: datetime | None = None) -> list[CallRecord]:
    now = now or datetime.now(timezone.utc)
    rows = []
    for i, (status, talk, notes, ago) in enumerate([
            ("answered", 184.0, "Ζήτησε προσφορά για 12 καρέκλες", timedelta(hours=3)),
            ("missed", 0.0, "", timedelta(days=1, hours=2)),
            ("answered", 62.0, "Перезвонить в понедельник", timedelta(days=6)),
    ]):
        started = now - ago
        rows.append(CallRecord(id=f"log-{i}", linkedid=f"l{i}", direction="in", status=status,
                               started_at=started.isoformat(), caller_number="2101234567",
                               called_number="2101234500", extension="201",
                               talk_seconds=talk, notes=notes))
    return rows


class Clock:
    """A settable clock for the UI (live durations are computed from it)."""

    def __init__(self):
        self.now = datetime(2025, 3, 4, 10, 0, tzinfo=timezone.utc)

    def __call__(self):
        return self.now
