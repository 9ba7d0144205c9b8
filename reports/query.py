"""Which records a report or export lists: the kind, a date range and the console's filters.

Pure functions over iterables of records (the caller reads the store: ``store.calls.since``,
``store.scheduled.all()``, ``store.contacts.all()``), so the call console can hand its own
already-filtered rows to the same writers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Iterable, Iterator

from callcore.i18n import _
from callcore.records import CALL_DIRECTIONS, CALL_STATUSES, CallRecord, Contact, ScheduledCall
from callcore.textfold import fold

from .columns import direction_text, local_time, status_text

CALL_KINDS = ("incoming", "outgoing", "transferred", "internal")
REPORT_KINDS = ("scheduled", "incoming", "outgoing", "transferred", "internal", "contacts", "statistics")
SCHEDULE_STATUSES = ("open", "done", "cancelled")


def report_title(kind: str) -> str:
    return {"scheduled": _("Scheduled calls"), "incoming": _("Incoming calls"),
            "outgoing": _("Outgoing calls"), "transferred": _("Transferred calls"),
            "internal": _("Internal calls"), "contacts": _("Other contacts"),
            "statistics": _("Call statistics"), "calls": _("Calls"),
            "schedule": _("Scheduled calls")}.get(kind, kind)


@dataclass(frozen=True)
class ReportFilter:
    """A date range (``start`` inclusive, ``end`` exclusive, naive = local time) and the
    console's filters; an empty tuple means "any"."""

    start: datetime | None = None
    end: datetime | None = None
    directions: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    extensions: tuple[str, ...] = ()
    text: str = ""
    _folded: str = field(default="", init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_folded", fold(self.text.strip()) if self.text else "")

    def period_text(self) -> str:
        """``2026-01-01 – 2026-01-31`` (the end shown inclusive), for report headers."""
        if self.start is None and self.end is None:
            return _("all dates")
        first = _fmt(self.start) if self.start else "…"
        last = "…"
        if self.end is not None:
            shown = self.end - timedelta(days=1) if self.end.time() == time(0) else self.end
            last = _fmt(shown)
        return f"{first} – {last}"

    def filter_text(self) -> str:
        """The filters in words, for the report header ("" when none)."""
        parts = []
        if self.directions:
            parts.append(_("direction: {v}").format(v=", ".join(direction_text(d) for d in self.directions)))
        if self.statuses:
            parts.append(_("status: {v}").format(v=", ".join(status_text(s) for s in self.statuses)))
        if self.users:
            parts.append(_("user: {v}").format(v=", ".join(self.users)))
        if self.extensions:
            parts.append(_("extension: {v}").format(v=", ".join(self.extensions)))
        if self.text:
            parts.append(_("text: {v}").format(v=self.text))
        return "; ".join(parts)

    def in_range(self, when: datetime | None) -> bool:
        if when is None:
            return self.start is None and self.end is None
        return (self.start is None or when >= self.start) and (self.end is None or when < self.end)

    def matches_text(self, *values: str) -> bool:
        return not self._folded or self._folded in fold(" ".join(v for v in values if v))


def _fmt(value: datetime) -> str:
    return value.strftime("%Y-%m-%d") if value.time() == time(0) else value.strftime("%Y-%m-%d %H:%M")


def parse_day(text: str, end: bool = False) -> datetime:
    """``2026-01-31`` or ``2026-01-31T14:00`` as a naive local time; a plain date given as
    an end means the end of that day (the next midnight). Raises ValueError."""
    text = text.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        value = datetime.fromisoformat(text)
        return value.astimezone().replace(tzinfo=None) if value.tzinfo else value
    start = datetime.combine(day, time(0))
    return start + timedelta(days=1) if end else start


def _call_kind(call: CallRecord, kind: str) -> bool:
    if kind == "incoming":
        return call.direction == "in"
    if kind == "outgoing":
        return call.direction == "out"
    if kind == "internal":
        return call.direction == "internal"
    if kind == "transferred":
        return call.status == "transferred" or bool(call.transferred_to or call.transferred_from)
    return True


def select_calls(calls: Iterable[CallRecord], flt: ReportFilter, kind: str = "calls") -> Iterator[CallRecord]:
    """The calls of ``kind`` (incoming, outgoing, transferred, internal; anything else: all)
    that pass the filter, in the order given."""
    for call in calls:
        if not _call_kind(call, kind):
            continue
        if flt.directions and call.direction not in flt.directions:
            continue
        if flt.statuses and call.status not in flt.statuses:
            continue
        if flt.users and call.user not in flt.users:
            continue
        if flt.extensions and call.extension not in flt.extensions:
            continue
        if (flt.start or flt.end) and not flt.in_range(local_time(call.started_at)):
            continue
        if flt._folded and not flt.matches_text(call.caller_number, call.called_number, call.caller_name,
                                                call.contact_name, call.notes, call.user,
                                                call.transferred_to, call.transfer_note):
            continue
        yield call


def until(calls: Iterable[CallRecord], end: datetime | None) -> Iterator[CallRecord]:
    """Calls given oldest first (``store.calls.since``), stopped a day after ``end`` (local
    times vs stored offsets), so a report on one month of a long log does not read the
    months after it. ``select_calls`` still applies the exact range."""
    if end is None:
        yield from calls
        return
    stop = end + timedelta(days=1)
    for call in calls:
        started = local_time(call.started_at)
        if started is not None and started >= stop:
            return
        yield call


def select_schedule(items: Iterable[ScheduledCall], flt: ReportFilter) -> list[ScheduledCall]:
    """Scheduled calls due in the range that pass the filter (status: open/done/cancelled;
    user: the assigned user), by due time."""
    out = []
    for item in items:
        if flt.statuses and item.status not in flt.statuses:
            continue
        if flt.users and item.assigned_user not in flt.users:
            continue
        if (flt.start or flt.end) and not flt.in_range(local_time(item.due_at)):
            continue
        if flt._folded and not flt.matches_text(item.number, item.contact_name, item.notes,
                                                item.outcome, item.assigned_user):
            continue
        out.append(item)
    out.sort(key=lambda s: local_time(s.due_at) or datetime.min)
    return out


def select_contacts(contacts: Iterable[Contact], flt: ReportFilter,
                    types: tuple[str, ...] = ()) -> list[Contact]:
    """Contacts of ``types`` (all when empty) matching the text filter, by name."""
    out = [c for c in contacts
           if (not types or c.type in types)
           and (not flt._folded or flt.matches_text(c.name, c.company, c.city, c.address, c.comments,
                                                     c.email, *(p.number for p in c.phones)))]
    out.sort(key=lambda c: fold(c.name))
    return out


def check_filter_values(flt: ReportFilter, schedule: bool = False) -> None:
    """Raise ValueError naming a direction or status that does not exist."""
    for d in flt.directions:
        if d not in CALL_DIRECTIONS:
            raise ValueError(_("--direction: {value!r} is not one of {values}").format(
                value=d, values=", ".join(CALL_DIRECTIONS)))
    allowed = SCHEDULE_STATUSES if schedule else CALL_STATUSES
    for s in flt.statuses:
        if s not in allowed:
            raise ValueError(_("--status: {value!r} is not one of {values}").format(
                value=s, values=", ".join(allowed)))
    if flt.start and flt.end and flt.start >= flt.end:
        raise ValueError(_("--from must be before --to"))
