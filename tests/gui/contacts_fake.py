"""An in-memory ContactsPort for GUI tests and screenshots: search is the product's own
Directory (accents/case folding), saving validates like the store, and every request is
recorded so tests can assert on what the window asked."""
from __future__ import annotations

import copy
import threading
from datetime import datetime, timedelta, timezone

from callcore.directory import Directory, MatchRules
from callcore.records import CallRecord, Contact, Phone, RecordError
from callcore.textfold import fold


class FakeContacts:
    def __init__(self, contacts=(), calls: dict[str, list[CallRecord]] | None = None):
        self.contacts: dict[str, Contact] = {}
        self.calls = calls or {}
        self.asked: list[tuple] = []
        self.recent_threads: list[str] = []
        self.directory = Directory(MatchRules())
        for contact in contacts:
            self.contacts[contact.id] = copy.deepcopy(contact)
        self.directory.load(list(self.contacts.values()))
        self.refuse_with: Exception | None = None

    def get(self, contact_id):
        contact = self.contacts.get(contact_id)
        return copy.deepcopy(contact) if contact is not None else None

    def save(self, contact):
        self.asked.append(("save", contact.id))
        if self.refuse_with is not None:
            raise self.refuse_with
        contact = copy.deepcopy(contact)
        contact.phones = [p for p in contact.phones if p.number.strip()]
        contact.validate()
        self.contacts[contact.id] = contact
        self.directory.put(contact)
        return copy.deepcopy(contact)

    def delete(self, contact_id):
        self.asked.append(("delete", contact_id))
        self.contacts.pop(contact_id, None)
        self.directory.remove(contact_id)

    def add_phone(self, contact_id, number, label, replace_number=None):
        self.asked.append(("add_phone", contact_id, number, label, replace_number))
        contact = self.get(contact_id)
        if contact is None:
            raise RecordError("Contact", "id", "no longer exists")
        if replace_number is not None:
            contact.phones = [Phone(number, label) if p.number == replace_number else p
                              for p in contact.phones]
        else:
            contact.phones.append(Phone(number, label))
        return self.save(contact)

    def recent_calls(self, contact_id, limit=20):
        self.recent_threads.append(threading.current_thread().name)
        return list(self.calls.get(contact_id, []))[:limit]

    def search(self, text, kind=None, limit=50):
        self.asked.append(("search", text, kind))
        if not text.strip():
            if kind is None:
                return []
            found = sorted((c for c in self.contacts.values() if c.type == kind), key=lambda c: fold(c.name))
            return found[:limit]
        hits = self.directory.search(text, 10_000)
        return [c for c in hits if kind is None or c.type == kind][:limit]


class FakeDial:
    def __init__(self):
        self.dialled: list[str] = []

    def dial(self, number):
        self.dialled.append(number)


def directory_people() -> list[Contact]:
    """Realistic Greek / Cyrillic / Czech directory entries of every type."""
    return [
        Contact(name="Γιώργος Παπαδόπουλος", type="customer", first_name="Γιώργος",
                last_name="Παπαδόπουλος", company="Παπαδόπουλος & Υιοί Ο.Ε.", city="Αθήνα",
                address="Λεωφ. Κηφισίας 124", postcode="115 26", email="g.papadopoulos@example.gr",
                phones=[Phone("+30 210 123 4567", "work"), Phone("+30 694 512 3456", "mobile")]),
        Contact(name="Ελληνικά Έπιπλα Α.Ε.", type="supplier", city="Θεσσαλονίκη",
                phones=[Phone("2310 555 123", "work")]),
        Contact(name="Мария Иванова", type="contact_person", company="Ελληνικά Έπιπλα Α.Ε.",
                phones=[Phone("2310 555 124", "work")]),
        Contact(name="Анна Смирнова", type="other", first_name="Анна", last_name="Смирнова",
                phones=[Phone("+7 495 765 4321", "mobile")]),
        Contact(name="Jiří Dvořák", type="customer", company="Dvořák s.r.o.", city="Brno",
                phones=[Phone("+420 602 111 222", "mobile")]),
        Contact(name="Růžena Nováková", type="internal", phones=[Phone("204", "work")]),
        Contact(name="Петра Новакова", type="internal", phones=[Phone("203", "work")]),
    ]


def contact_calls(now: datetime | None = None) -> list[CallRecord]:
    now = now or datetime.now(timezone.utc)
    rows = [("in", "answered", 184.0, "+302101234567", "", timedelta(hours=3), "Ζήτησε προσφορά"),
            ("in", "missed", 0.0, "6945123456", "", timedelta(days=1, hours=2), ""),
            ("out", "unanswered", 0.0, "", "00302101234567", timedelta(days=2), ""),
            ("in", "answered", 62.0, "2101234567", "", timedelta(days=6), "Перезвонить")]
    return [CallRecord(id=f"cc-{i}", linkedid=f"cl{i}", direction=d, status=s,
                       started_at=(now - ago).isoformat(), caller_number=caller,
                       called_number=called or "2101234500", extension="201", talk_seconds=talk,
                       notes=notes)
            for i, (d, s, talk, caller, called, ago, notes) in enumerate(rows)]
