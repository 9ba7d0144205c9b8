"""Export any list to .xlsx (REP-2, DIR-4) with openpyxl, streamed (write-only workbook):
a bold frozen header row with an autofilter, column widths, dates as Excel date-times,
durations as Excel times (``[h]:mm:ss``), numbers as numbers.

Text is never a formula: openpyxl stores a string that starts with ``=`` as a formula, and
Excel treats ``+``/``-``/``@`` the same way when a cell is edited, so such text (a contact
named ``=HYPERLINK(…)`` from an import, a number ``+30 210…``) is written as a string cell
with Excel's quote prefix. Control characters that Excel refuses are dropped. A sheet
holds at most 1,048,576 rows: a longer list continues on a second sheet.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from .columns import DATETIME, DURATION, Column

Progress = Callable[[int, "int | None"], None]

EXCEL_ROWS = 1_048_576
MAX_TEXT = 32_767                       # Excel's limit for one cell
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
DURATION_FORMAT = "[h]:mm:ss"
PROGRESS_EVERY = 1000


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_START)


def clean_text(text: str) -> str:
    """Text as Excel accepts it: no control characters but tab/newline, at most 32,767."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    if ILLEGAL_CHARACTERS_RE.search(text):
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return text[:MAX_TEXT]


class _SheetWriter:
    """One write-only sheet: styles made once, then rows appended."""

    def __init__(self, wb: Any, title: str, columns: Sequence[Column]):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter
        self.ws = ws = wb.create_sheet(title=title[:31])
        self.columns = columns
        self.cell = WriteOnlyCell
        for i, column in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = column.width + 2
        ws.freeze_panes = "A2"
        bold, fill = Font(bold=True), PatternFill("solid", fgColor="D7DEE8")
        header = []
        for column in columns:
            cell = WriteOnlyCell(ws, value=clean_text(column.title))
            cell.data_type = "s"
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(vertical="center")
            header.append(cell)
        ws.append(header)
        self.rows = 1
        self.last_column = get_column_letter(len(columns))
        # template cells: each value cell shares one style per kind
        self.kinds = [c.kind for c in columns]

    def append(self, values: Sequence[Any]) -> None:
        out: list[Any] = []
        for kind, value in zip(self.kinds, values):
            if value is None or value == "":
                out.append(None)
            elif isinstance(value, str):
                value = clean_text(value) if not value.isprintable() or len(value) > MAX_TEXT else value
                if value.startswith(FORMULA_START):
                    cell = self.cell(self.ws, value=value)
                    cell.data_type = "s"            # text, not a formula
                    cell.quotePrefix = True         # and Excel keeps it text when edited
                    out.append(cell)
                else:
                    out.append(value)
            elif kind == DATETIME and isinstance(value, datetime):
                cell = self.cell(self.ws, value=value)
                cell.number_format = DATETIME_FORMAT
                out.append(cell)
            elif kind == DURATION and isinstance(value, timedelta):
                cell = self.cell(self.ws, value=value)
                cell.number_format = DURATION_FORMAT
                out.append(cell)
            else:
                out.append(value)
        self.ws.append(out)
        self.rows += 1

    def finish(self) -> None:
        self.ws.auto_filter.ref = f"A1:{self.last_column}{max(self.rows, 2)}"


def export_xlsx(path: Path | str, columns: Sequence[Column], records: Iterable[Any], *,
                title: str = "Sheet", total: int | None = None, progress: Progress | None = None,
                rows_per_sheet: int = EXCEL_ROWS - 1) -> int:
    """Write ``records`` (one row each, values from ``columns``) to ``path``; returns the
    number of rows written. ``progress(done, total)`` every 1,000 rows and at the end.
    The file appears whole or not at all (written beside it, then renamed)."""
    from openpyxl import Workbook
    path = Path(path)
    wb = Workbook(write_only=True)
    getters = [c.get for c in columns]
    sheet = _SheetWriter(wb, title, columns)
    sheets = 1
    count = 0
    for record in records:
        if sheet.rows > rows_per_sheet:
            sheet.finish()
            sheets += 1
            sheet = _SheetWriter(wb, f"{title[:26]} ({sheets})", columns)
        sheet.append([get(record) for get in getters])
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count, total)
    sheet.finish()
    tmp = path.with_name(path.name + ".part")
    wb.save(tmp)
    tmp.replace(path)
    if progress is not None:
        progress(count, total)
    return count


def export_rows_xlsx(path: Path | str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
                     title: str = "Sheet", widths: Sequence[float] | None = None) -> int:
    """Rows that are already values (e.g. the rejected rows of an import) as .xlsx."""
    columns = [Column(f"c{i}", header, (lambda r, i=i: r[i] if i < len(r) else None),
                      width=(widths[i] if widths and i < len(widths) else 16))
               for i, header in enumerate(headers)]
    return export_xlsx(path, _Untranslated.wrap(columns), rows, title=title)


class _Untranslated:
    """Column titles given as they are (file headers), not looked up for translation."""

    @staticmethod
    def wrap(columns: list[Column]) -> list[Column]:
        return [_Raw(c.key, c.label, c.get, c.kind, c.width, c.total) for c in columns]


class _Raw(Column):
    @property
    def title(self) -> str:
        return self.label
