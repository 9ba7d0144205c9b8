"""One call per report kind: records in, a finished PDF out (REP-1).

``source`` gives the records lazily (:class:`Source`), so a call report never reads the
contacts and a contacts report never reads the call log. The console hands its own rows
through the same class.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable, Iterable

from callcore.i18n import _
from callcore.records import CallRecord, Contact, ScheduledCall

from . import statistics as stats_mod
from .columns import call_columns, contact_columns, format_value, pick, row_values, schedule_columns
from .columns import CONTACT_REPORT_KEYS
from .pdf import ROW_H, Progress, ReportHeader, ReportPdf
from .query import CALL_KINDS, ReportFilter, report_title, select_calls, select_contacts, select_schedule


@dataclass
class Source:
    calls: Callable[[datetime | None], Iterable[CallRecord]] = lambda start: ()
    scheduled: Callable[[], Iterable[ScheduledCall]] = lambda: ()
    contacts: Callable[[], Iterable[Contact]] = lambda: ()


# The call reports leave out columns that say the same on every row of their kind.
_CALL_REPORT_KEYS = {
    "incoming": ("started_at", "status", "caller_number", "contact", "called_number", "extension", "user",
                 "ring_seconds", "talk_seconds", "notes"),
    "outgoing": ("started_at", "status", "called_number", "contact", "extension", "user", "ring_seconds",
                 "talk_seconds", "notes"),
    "internal": ("started_at", "status", "caller_number", "called_number", "extension", "user",
                 "talk_seconds", "notes"),
    "transferred": ("started_at", "direction", "caller_number", "contact", "extension", "user",
                    "transferred_to", "talk_seconds", "notes"),
}


def duration_text(seconds: float) -> str:
    return format_value(timedelta(seconds=round(seconds)))


def call_summary(calls: list[CallRecord]) -> list[tuple[str, str]]:
    s = stats_mod.compute(calls)
    return [(_("Calls"), str(s.calls)),
            (_("Answered"), f"{s.answered} ({100 * s.rate(s.answered):.0f}%)"),
            (_("Missed"), f"{s.missed} ({100 * s.rate(s.missed):.0f}%)"),
            (_("Unanswered"), f"{s.unanswered} ({100 * s.rate(s.unanswered):.0f}%)"),
            (_("Total talk time"), duration_text(s.talk_seconds)),
            (_("Average talk time"), duration_text(s.average_talk))]


def write_report(path: Path | str, kind: str, flt: ReportFilter, source: Source, office: str = "",
                 progress: Progress | None = None) -> int:
    """Write the ``kind`` report for the filter to ``path``; returns the page count."""
    header = ReportHeader(title=report_title(kind), office=office, period=flt.period_text(),
                          filters=flt.filter_text())
    doc = ReportPdf(header)
    start = flt.start - timedelta(days=1) if flt.start else None   # local vs UTC: a day of slack
    if kind in CALL_KINDS:
        calls = list(select_calls(source.calls(start), flt, kind))
        columns = pick(call_columns(), _CALL_REPORT_KEYS[kind])
        doc.table(columns, (row_values(columns, c) for c in calls), progress=progress, total_rows=len(calls))
        doc.heading(_("Totals"), keep_with=12 + 7 * ROW_H)
        doc.summary(call_summary(calls))
    elif kind == "scheduled":
        items = select_schedule(source.scheduled(), flt)
        columns = pick(schedule_columns(), ("due_at", "number", "contact_name", "assigned_user", "priority",
                                            "status", "notes", "outcome"))
        doc.table(columns, (row_values(columns, s) for s in items), progress=progress, total_rows=len(items))
        doc.heading(_("Totals"), keep_with=12 + 7 * ROW_H)
        doc.summary([(_("Scheduled calls"), str(len(items)))]
                    + [(_(label), str(sum(1 for s in items if s.status == status)))
                       for status, label in (("open", "Open"), ("done", "Done"), ("cancelled", "Cancelled"))])
    elif kind == "contacts":
        contacts = select_contacts(source.contacts(), flt, types=("other",))
        columns = pick(contact_columns(), CONTACT_REPORT_KEYS)
        doc.table(columns, (row_values(columns, c) for c in contacts), progress=progress,
                  total_rows=len(contacts))
    elif kind == "statistics":
        calls = list(select_calls(source.calls(start), flt))
        write_statistics(doc, stats_mod.compute(calls, flt.start, flt.end))
    else:
        raise ValueError(_("unknown report {kind!r}").format(kind=kind))
    return doc.save(path)


def write_statistics(doc: ReportPdf, s: stats_mod.Statistics) -> None:
    """Totals, the charts, then the per-operator and per-contact tables (REP-3)."""
    from . import charts
    from .columns import Column, DURATION, NUMBER
    doc.heading(_("Totals"))
    doc.summary([(_("Calls"), str(s.calls)),
                 (_("Answered"), f"{s.answered} ({100 * s.rate(s.answered):.0f}%)"),
                 (_("Missed"), f"{s.missed} ({100 * s.rate(s.missed):.0f}%)"),
                 (_("Unanswered"), f"{s.unanswered} ({100 * s.rate(s.unanswered):.0f}%)"),
                 (_("Total talk time"), duration_text(s.talk_seconds)),
                 (_("Average talk time"), duration_text(s.average_talk))])
    full_w, half_w = 277.0, 136.0
    doc.image(charts.png(charts.calls_per_period(s)), full_w, full_w * 2.6 / 9)
    doc.image(charts.png(charts.calls_per_hour(s)), full_w, full_w * 2.6 / 9)
    doc.room(half_w * 2.9 / 4.5)
    doc.image(charts.png(charts.outcome_rates(s)), half_w, half_w * 2.9 / 4.5, new_row=False)
    doc.image(charts.png(charts.talk_per_user(s)), half_w, half_w * 2.9 / 4.5, x=10 + half_w + 5)
    doc.image(charts.png(charts.talk_per_contact(s)), half_w, half_w * 2.9 / 4.5)
    tally_columns = [
        Column("name", "Name", lambda r: r[0], width=30),
        Column("calls", "Calls", lambda r: r[1].calls, NUMBER, 8, total=True),
        Column("answered", "Answered", lambda r: r[1].answered, NUMBER, 8, total=True),
        Column("talk", "Talk", lambda r: timedelta(seconds=round(r[1].talk_seconds)), DURATION, 10, total=True),
        Column("average", "Average talk", lambda r: timedelta(seconds=round(r[1].average_talk)), DURATION, 10),
    ]
    doc.heading(_("Per operator"))
    doc.table(tally_columns, (row_values(tally_columns, r) for r in s.users()))
    doc.heading(_("Contacts with the most talk time"))
    doc.table(tally_columns, (row_values(tally_columns, r) for r in s.top_contacts(30)))
