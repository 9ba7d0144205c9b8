"""The fast .xlsx reader of the contact import agrees with openpyxl on what a sheet holds,
and never returns a formula: a formula cell gives the value Excel last computed."""
from __future__ import annotations

import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from reports.xlsx_read import read_rows


def rewrite(path: Path, name: str, old: str, new: str) -> None:
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    text = parts[name].decode("utf-8")
    assert old in text
    parts[name] = text.replace(old, new).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)


def test_reader_matches_openpyxl_cell_for_cell(tmp_path):
    path = tmp_path / "mixed.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Επωνυμία", "Τηλέφωνο", "Ποσό", "Ημερομηνία", "Διάρκεια", "Ενεργός", None, "Σχόλια"])
    ws.append(["Μανουσάκης & Υιοί <ΑΕ>", 2101234567, 12.5, datetime(2026, 1, 2, 9, 30), timedelta(minutes=3),
               True, None, "  κενά  "])
    ws.append(["Иван", 306971234567, -3, None, None, False, None, "line\nbreak"])
    ws["A4"] = CellRichText([TextBlock(InlineFont(b=True), "Jiří "), "Dvořák"])
    ws["C4"] = "=1+1"
    ws["D6"] = "far away"                          # a gap of empty rows and cells
    wb.save(path)
    rewrite(path, "xl/worksheets/sheet1.xml", "<f>1+1</f><v /></c>", "<f>1+1</f><v>2</v></c>")
    ours = [(n, values) for n, values in read_rows(path).rows]
    theirs = openpyxl.load_workbook(path, data_only=True).active
    expected = {}
    for row in theirs.iter_rows():
        values = [c.value for c in row]
        while values and values[-1] is None:
            values.pop()
        if values:
            expected[row[0].row] = values
    got = {n: values for n, values in ours if any(v is not None for v in values)}
    for n in got:
        while got[n] and got[n][-1] is None:
            got[n].pop()
    assert got == expected
    assert got[4] == ["Jiří Dvořák", None, 2]                 # rich text joined, formula's value
    assert got[2][0] == "Μανουσάκης & Υιοί <ΑΕ>" and got[2][1] == 2101234567
    assert got[3][1] == 306971234567 and isinstance(got[3][1], int)
    assert got[2][3] == datetime(2026, 1, 2, 9, 30) and got[2][4] == timedelta(minutes=3)
    assert got[6] == [None, None, None, "far away"]


def test_dimension_gives_the_row_count_for_progress(tmp_path):
    path = tmp_path / "n.xlsx"
    wb = openpyxl.Workbook()
    for i in range(30):
        wb.active.append([f"N{i}", i])
    wb.save(path)
    sheet = read_rows(path)
    assert sheet.last_row == 30
    assert [n for n, _v in sheet.rows] == list(range(1, 31))
