"""A campaign's results to .xlsx, CSV or PDF (CAMP-4), through the report writers in
``reports/`` (the same column kinds, the same file safety)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .campaign_book import state_label
from .campaigns import outcome_label


def result_rows(book: Any, campaign: Any) -> list[dict[str, Any]]:
    """One row per entry: who, state, last result, tries, notes, last operator and time."""
    rows = []
    for entry, st in book.entries_in(campaign.id):
        history = book.history(campaign.id, entry.id)
        last = history[-1] if history else None
        rows.append({"position": entry.position, "name": entry.name, "number": entry.number,
                     "company": entry.company, "city": entry.city, "comment": entry.comment,
                     "state": state_label(st.state), "result": outcome_label(st.last_result) if st.last_result else "",
                     "tries": len(history), "notes": " | ".join(o.note for o in history if o.note),
                     "user": last.user if last else "", "at": last.at if last else None,
                     "retry_at": st.retry_at})
    return rows


def result_columns() -> list[Any]:
    from reports.columns import DATETIME, NUMBER, Column, local_time
    return [Column("position", "No.", lambda r: r["position"], NUMBER, 6),
            Column("name", "Name", lambda r: r["name"], width=24),
            Column("number", "Number", lambda r: r["number"], width=16),
            Column("company", "Company", lambda r: r["company"], width=18),
            Column("city", "City", lambda r: r["city"], width=14),
            Column("state", "State", lambda r: r["state"], width=12),
            Column("result", "Result", lambda r: r["result"], width=16),
            Column("tries", "Tries", lambda r: r["tries"], NUMBER, 6),
            Column("notes", "Notes", lambda r: r["notes"], width=30),
            Column("user", "Operator", lambda r: r["user"], width=12),
            Column("at", "Last call", lambda r: local_time(r["at"]), DATETIME, 18),
            Column("comment", "Comment", lambda r: r["comment"], width=20)]


def export_results(book: Any, campaign: Any, path: Path) -> int:
    """Write the results; the suffix picks the format. Returns the rows written."""
    rows = result_rows(book, campaign)
    columns = result_columns()
    suffix = path.suffix.lower()
    if suffix == ".csv":
        from reports.csv_export import export_csv
        return export_csv(path, columns, rows)
    if suffix == ".pdf":
        from reports.pdf import ReportHeader, ReportPdf
        from .i18n import _
        counters = book.counters(campaign.id)
        pdf = ReportPdf(ReportHeader(title=_("Campaign {code}").format(code=campaign.code),
                                     filters=campaign.description))
        pdf.summary([(_("Total"), str(counters.total)), (_("Completed"), str(counters.completed)),
                     (_("Unanswered"), str(counters.unanswered)), (_("Pending"), str(counters.pending)),
                     (_("In progress"), str(counters.in_progress))]
                    + [(outcome_label(k), str(v)) for k, v in sorted((counters.by_outcome or {}).items())])
        pdf.table(columns, ([c.get(r) for c in columns] for r in rows))
        pdf.save(path)
        return len(rows)
    from reports.xlsx import export_xlsx
    return export_xlsx(path, columns, rows, title=campaign.code[:31] or "Campaign")
