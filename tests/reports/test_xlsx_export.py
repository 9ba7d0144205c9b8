"""Excel and CSV export (REP-2): the files are read back with openpyxl, the raw sheet XML
and the csv module, as Excel or LibreOffice would open them."""
from __future__ import annotations

import csv
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl

from reports.columns import call_columns, contact_columns
from reports.csv_export import export_csv
from reports.xlsx import export_xlsx
from tests.reports.helpers import Contact, Phone, fill, make_calls, ok, run

HOSTILE = ['=HYPERLINK("http://evil.example","click")', "+30 210 1234567", "-2+3", "@SUM(A1:A9)",
           "=1+1", "\tTAB"]


def sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_calls_export_keeps_dates_durations_and_text_as_excel_values(office, tmp_path):
    calls = make_calls(50)
    calls[0].contact_name = HOSTILE[0]
    calls[1].notes = "=cmd|' /C calc'!A0"
    calls[2].caller_number = "+30 210 1234567"
    fill(office, calls=calls)
    out = tmp_path / "calls.xlsx"
    assert ok(run(office, "export", "calls", "--out", str(out))).strip() == f"exported 50 rows to {out}"
    assert "<f>" not in sheet_xml(out)                   # no formula anywhere in the file
    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[1]]
    assert header[:6] == ["Started", "Direction", "Status", "From", "To", "Contact"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:L{len(calls) + 1}"
    assert ws.column_dimensions["F"].width > ws.column_dimensions["B"].width
    first = ws[2]
    assert isinstance(first[0].value, datetime) and first[0].value == datetime(2026, 1, 1, 8, 0)
    assert first[0].is_date and "yy" in first[0].number_format
    talk = header.index("Talk")
    answered = next(r for r in ws.iter_rows(min_row=2) if r[2].value == "answered" and r[talk].value)
    assert isinstance(answered[talk].value, timedelta) and answered[talk].number_format == "[h]:mm:ss"
    contact = next(r for r in ws.iter_rows(min_row=2) if r[5].value == HOSTILE[0])[5]
    assert contact.data_type == "s" and contact.quotePrefix
    note = next(r for r in ws.iter_rows(min_row=2) if r[11].value == "=cmd|' /C calc'!A0")[11]
    assert note.data_type == "s"
    plus = [r[3] for r in ws.iter_rows(min_row=2) if r[3].value == "+30 210 1234567"]
    assert plus and plus[0].data_type == "s"


def test_export_neutralises_every_formula_start_and_reports_progress(tmp_path):
    contacts = [Contact(name=name, phones=[Phone("+30 210 1234567")], comments="ok\x07bell")
                for name in HOSTILE]
    contacts += [Contact(name=f"Ιβάν {i}", phones=[Phone(f"69{i:08d}")]) for i in range(2500)]
    seen: list[tuple[int, int | None]] = []
    out = tmp_path / "c.xlsx"
    count = export_xlsx(out, contact_columns(), contacts, title="Contacts", total=len(contacts),
                        progress=lambda done, total: seen.append((done, total)))
    assert count == len(contacts)
    assert seen == [(1000, len(contacts)), (2000, len(contacts)), (len(contacts), len(contacts))]
    assert "<f>" not in sheet_xml(out)
    ws = openpyxl.load_workbook(out)["Contacts"]
    names = [ws.cell(row=i, column=1) for i in range(2, 2 + len(HOSTILE))]
    assert [c.value for c in names] == HOSTILE
    assert all(c.data_type == "s" for c in names)
    assert ws.cell(row=2, column=6).value == "+30 210 1234567"       # Work phone stays text
    assert ws.cell(row=2, column=16).value == "okbell"               # Excel refuses control chars
    csv_out = tmp_path / "c.csv"
    export_csv(csv_out, contact_columns(), contacts[:len(HOSTILE)])
    with open(csv_out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert [r[0] for r in rows[1:]] == ["'" + h for h in HOSTILE]
    assert rows[1][5] == "'+30 210 1234567"


def test_a_list_longer_than_a_sheet_continues_on_the_next(tmp_path):
    out = tmp_path / "calls.xlsx"
    export_xlsx(out, call_columns(), make_calls(25), title="Calls", rows_per_sheet=10)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Calls", "Calls (2)", "Calls (3)"]
    assert [wb[n].max_row for n in wb.sheetnames] == [11, 11, 6]
    assert all(wb[n]["A1"].value == "Started" for n in wb.sheetnames)


def test_export_filters_and_formats_from_the_command_line(office, tmp_path):
    fill(office, calls=make_calls(60) + make_calls(10, month="2026-02"),
         contacts=[Contact(name="Jiří Dvořák", type="other", phones=[Phone("602123456", "mobile")]),
                   Contact(name="Customer", type="customer", phones=[Phone("2101234567")])])
    out = tmp_path / "feb.csv"
    ok(run(office, "export", "calls", "--from", "2026-02-01", "--to", "2026-02-28", "--direction", "in",
           "--out", str(out)))
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows and all(r["Started"].startswith("2026-02") and r["Direction"] == "incoming" for r in rows)
    assert {r["Talk"] for r in rows} <= {str(i) for i in range(300)}          # seconds
    out = tmp_path / "jan.csv"
    ok(run(office, "export", "calls", "--from", "2026-01-28", "--to", "2026-01-28", "--out", str(out)))
    with open(out, encoding="utf-8-sig", newline="") as f:
        days = {r["Started"][:10] for r in csv.DictReader(f)}
    assert days == {"2026-01-28"}
    out = tmp_path / "others.xlsx"
    ok(run(office, "export", "contacts", "--type", "other", "--out", str(out)))
    ws = openpyxl.load_workbook(out).active
    assert [[c.value for c in r][:2] for r in ws.iter_rows(min_row=2)] == [["Jiří Dvořák", "other contact"]]
    assert ws.cell(row=2, column=7).value == "602123456"
    proc = run(office, "export", "calls", "--out", str(tmp_path / "x.ods"))
    assert proc.returncode == 2
    assert proc.stderr.decode().strip() == "--format: give xlsx or csv (or an --out file ending in .xlsx or .csv)"
