"""Print / export of what the console shows (CON-3, REP-3) through the reports package:
the same PDF writer (fpdf2, DejaVu embedded) and xlsx/csv writers as the reports, so the
console never has its own file formats."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from ..i18n import _
from ..records import CallRecord

_KEYS = ("started_at", "direction", "status", "caller_number", "called_number", "contact", "extension", "user",
         "ring_seconds", "talk_seconds", "transferred_to", "notes")


def _period(query: Any) -> str:
    from reports.query import ReportFilter
    return ReportFilter(start=query.start, end=query.end).period_text()


def write(path: Path | str, kind: str, records: Sequence[CallRecord], query: Any, office: str = "") -> None:
    """``kind``: csv, xlsx, pdf (the rows) or stats-pdf (the statistics, charts included)."""
    from reports.columns import call_columns, pick
    columns = pick(call_columns(), _KEYS)
    if kind == "csv":
        from reports.csv_export import export_csv
        export_csv(path, columns, records)
    elif kind == "xlsx":
        from reports.xlsx import export_xlsx
        export_xlsx(path, columns, records)
    elif kind in ("pdf", "stats-pdf"):
        from reports.make import call_summary, write_statistics
        from reports.pdf import ReportHeader, ReportPdf
        from reports.columns import row_values
        from reports import statistics
        title = _("Call statistics") if kind == "stats-pdf" else _("Calls")
        doc = ReportPdf(ReportHeader(title=title, office=office, period=_period(query)))
        if kind == "pdf":
            doc.table(columns, (row_values(columns, c) for c in records), total_rows=len(records))
            doc.heading(_("Totals"))
            doc.summary(call_summary(list(records)))
        else:
            write_statistics(doc, statistics.compute(records, query.start, query.end))
        doc.save(path)
    else:
        raise ValueError(_("unknown export {kind!r}").format(kind=kind))
