"""The columns of every list a report or an export shows (REP-1, REP-2, DIR-4).

One :class:`Column` says how to get a value out of a record and what kind it is, so the
PDF prints it as text, the .xlsx keeps it as a real date / duration / number and the CSV
writes it in one plain form. Titles are translated when asked for (``title``), so a
column set built once follows the active language. Contact columns are named so that an
exported .xlsx/CSV imports back (``Work phone``, ``Mobile``, ``Home phone`` …).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Sequence

from callcore.i18n import _
from callcore.records import CallRecord, Contact, ScheduledCall

TEXT, DATETIME, DURATION, NUMBER = "text", "datetime", "duration", "number"


@dataclass(frozen=True)
class Column:
    key: str
    label: str                       # untranslated; ``title`` translates
    get: Callable[[Any], Any]        # record -> str | datetime | timedelta | int | float | None
    kind: str = TEXT
    width: float = 12                # characters (xlsx); PDF widths are scaled from these
    total: bool = False              # summed in the totals line (durations, numbers)

    @property
    def title(self) -> str:
        return _(self.label)


def local_time(iso: str | None) -> datetime | None:
    """An ISO 8601 time of the store as a naive local time (Excel has no time zones)."""
    if not iso:
        return None
    try:
        value = datetime.fromisoformat(iso)
    except ValueError:
        return None
    return value.astimezone().replace(tzinfo=None) if value.tzinfo else value


def seconds(value: float | int | None) -> timedelta | None:
    return timedelta(seconds=round(value)) if value else timedelta(0)


def direction_text(value: str) -> str:
    return {"in": _("incoming"), "out": _("outgoing"), "internal": _("internal")}.get(value, value)


def status_text(value: str) -> str:
    return {"answered": _("answered"), "missed": _("missed"), "busy": _("busy"),
            "unanswered": _("unanswered"), "transferred": _("transferred"),
            "abandoned": _("abandoned"), "open": _("open"), "done": _("done"),
            "cancelled": _("cancelled")}.get(value, value)


def type_text(value: str) -> str:
    return {"customer": _("customer"), "supplier": _("supplier"),
            "contact_person": _("contact person"), "other": _("other contact"),
            "internal": _("internal")}.get(value, value)


def priority_text(value: int) -> str:
    return {0: _("low"), 1: _("normal"), 2: _("high")}.get(value, str(value))


def call_contact(call: CallRecord) -> str:
    return call.contact_name or call.caller_name


def call_columns() -> list[Column]:
    return [
        Column("started_at", "Started", lambda c: local_time(c.started_at), DATETIME, 17),
        Column("direction", "Direction", lambda c: direction_text(c.direction), width=9),
        Column("status", "Status", lambda c: status_text(c.status), width=10),
        Column("caller_number", "From", lambda c: c.caller_number, width=15),
        Column("called_number", "To", lambda c: c.called_number, width=15),
        Column("contact", "Contact", call_contact, width=26),
        Column("extension", "Extension", lambda c: c.extension, width=10),
        Column("user", "User", lambda c: c.user, width=12),
        Column("ring_seconds", "Ring", lambda c: seconds(c.ring_seconds), DURATION, 8, total=True),
        Column("talk_seconds", "Talk", lambda c: seconds(c.talk_seconds), DURATION, 9, total=True),
        Column("transferred_to", "Transferred to", lambda c: c.transferred_to, width=12),
        Column("notes", "Notes", lambda c: c.notes, width=30),
    ]


def _phones(contact: Contact, label: str) -> str:
    return "; ".join(p.number for p in contact.phones if p.label == label)


def contact_columns() -> list[Column]:
    return [
        Column("name", "Name", lambda c: c.name, width=28),
        Column("type", "Type", lambda c: type_text(c.type), width=12),
        Column("first_name", "First name", lambda c: c.first_name, width=14),
        Column("last_name", "Last name", lambda c: c.last_name, width=16),
        Column("company", "Company", lambda c: c.company, width=20),
        Column("phone_work", "Work phone", lambda c: _phones(c, "work"), width=16),
        Column("phone_mobile", "Mobile", lambda c: _phones(c, "mobile"), width=16),
        Column("phone_home", "Home phone", lambda c: _phones(c, "home"), width=16),
        Column("phone_fax", "Fax", lambda c: _phones(c, "fax"), width=14),
        Column("phone_other", "Other phones", lambda c: _phones(c, "other"), width=14),
        Column("email", "Email", lambda c: c.email, width=22),
        Column("address", "Address", lambda c: c.address, width=24),
        Column("area", "Area", lambda c: c.area, width=12),
        Column("city", "City", lambda c: c.city, width=14),
        Column("postcode", "Postcode", lambda c: c.postcode, width=9),
        Column("comments", "Comments", lambda c: c.comments, width=30),
        Column("id", "Id", lambda c: c.id, width=10),
    ]


# The contacts report (other contacts, DIR-1) prints these; the export has them all.
CONTACT_REPORT_KEYS = ("name", "phone_work", "phone_mobile", "phone_home", "address", "city",
                       "postcode", "comments")


def schedule_columns() -> list[Column]:
    return [
        Column("due_at", "Due", lambda s: local_time(s.due_at), DATETIME, 17),
        Column("number", "Number", lambda s: s.number, width=15),
        Column("contact_name", "Contact", lambda s: s.contact_name, width=26),
        Column("assigned_user", "Assigned to", lambda s: s.assigned_user, width=14),
        Column("priority", "Priority", lambda s: priority_text(s.priority), width=8),
        Column("status", "Status", lambda s: status_text(s.status), width=10),
        Column("notes", "Notes", lambda s: s.notes, width=30),
        Column("outcome", "Outcome", lambda s: s.outcome, width=20),
        Column("created_by", "Created by", lambda s: s.created_by, width=12),
        Column("done_at", "Done at", lambda s: local_time(s.done_at), DATETIME, 17),
    ]


def pick(columns: Sequence[Column], keys: Sequence[str]) -> list[Column]:
    by_key = {c.key: c for c in columns}
    return [by_key[k] for k in keys if k in by_key]


def format_value(value: Any) -> str:
    """A value as one line of text (PDF cells, CSV): dates ``YYYY-MM-DD HH:MM``,
    durations ``H:MM:SS``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, timedelta):
        total = int(value.total_seconds())
        return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value).replace("\r", " ").replace("\n", " ")


def row_values(columns: Sequence[Column], record: Any) -> list[Any]:
    return [c.get(record) for c in columns]


__all__ = ["Column", "call_columns", "contact_columns", "schedule_columns", "pick", "format_value",
           "row_values", "local_time", "CallRecord", "ScheduledCall", "TEXT", "DATETIME",
           "DURATION", "NUMBER"]
