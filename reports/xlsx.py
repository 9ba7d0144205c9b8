"""Export any list to .xlsx (REP-2, DIR-4), streamed row by row into the zip: a bold frozen
header row with an autofilter, column widths, dates as Excel date-times, durations as Excel
times (``[h]:mm:ss``), numbers as numbers. openpyxl reads these files (the import, the
tests); writing goes straight to SpreadsheetML because openpyxl's write-only workbook took
about three times the 10 s allowed for 100,000 rows (docs/reports.md).

Text is never a formula: every text is an inline string cell (openpyxl would have stored a
string starting with ``=`` as a formula), and text that Excel would read as one when the
cell is edited (``=`` ``+`` ``-`` ``@``: a contact named ``=HYPERLINK(…)`` from an import,
a number ``+30 210…``) carries Excel's quote prefix. Control characters that Excel refuses are dropped. A sheet
holds at most 1,048,576 rows: a longer list continues on a second sheet.
"""
from __future__ import annotations

import re
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
# Characters XML 1.0 (and so Excel) cannot hold: control characters but tab/newline/CR,
# lone surrogates, U+FFFE/U+FFFF.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_START)


def clean_text(text: str) -> str:
    """Text as Excel accepts it: no control characters but tab/newline, at most 32,767."""
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("", text)
    return text[:MAX_TEXT]


_EPOCH = datetime(1899, 12, 30)
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# cellXfs: 0 plain, 1 header (bold, shaded), 2 date-time, 3 duration, 4 text with quote prefix
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{_NS}"><numFmts count="1"><numFmt numFmtId="164" formatCode="{DATETIME_FORMAT}"/></numFmts>\
<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>\
<font><b val="1"/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>\
<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>\
<fill><patternFill patternType="solid"><fgColor rgb="FFD7DEE8"/><bgColor indexed="64"/></patternFill></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="46" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" quotePrefix="1"/></cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""


def _letters(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _escape(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _string_cell(ref: str, text: str, style: str = "") -> str:
    """An inline string cell; formula-looking text gets the quote prefix (text, never a
    formula, also when Excel re-evaluates an edited cell)."""
    if len(text) > MAX_TEXT or not text.isprintable():
        text = clean_text(text)
    style = ' s="4"' if text.startswith(FORMULA_START) else (f' s="{style}"' if style else "")
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{_escape(text)}</t></is></c>'


class _Sheet:
    """One worksheet streamed into the zip: header row, then rows as they come."""

    def __init__(self, zf: Any, index: int, title: str, columns: Sequence[Column]):
        import tempfile
        self.title = title[:31]
        self.zf = zf
        self.name = f"xl/worksheets/sheet{index}.xml"
        # rows go to a temporary file first: the sheet must start with its size
        # (<dimension>), which openpyxl's read-only mode otherwise finds by parsing it all
        self.stream = tempfile.TemporaryFile()
        self.letters = [_letters(i) for i in range(1, len(columns) + 1)]
        self.kinds = [c.kind for c in columns]
        self.rows = 1
        self.buffer: list[str] = []
        cols = "".join(f'<col min="{i}" max="{i}" width="{c.width + 2:g}" customWidth="1"/>'
                       for i, c in enumerate(columns, start=1))
        header = "".join(_string_cell(f"{letter}1", c.title, "1") for letter, c in zip(self.letters, columns))
        self.head = (f'<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" '
                     f'topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" '
                     f'activeCell="A2" sqref="A2"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
                     f'<cols>{cols}</cols><sheetData><row r="1">{header}</row>')

    def _write(self, text: str) -> None:
        self.stream.write(text.encode("utf-8"))

    def append(self, values: Sequence[Any]) -> None:
        self.rows += 1
        n = str(self.rows)
        cells = []
        for letter, kind, value in zip(self.letters, self.kinds, values):
            if value is None or value == "":
                continue
            ref = letter + n
            if isinstance(value, str):
                cells.append(_string_cell(ref, value))
            elif isinstance(value, bool):
                cells.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, datetime):
                if value.tzinfo is not None:
                    value = value.astimezone().replace(tzinfo=None)
                serial = (value - _EPOCH).total_seconds() / 86400
                cells.append(f'<c r="{ref}" s="2"><v>{serial!r}</v></c>')
            elif isinstance(value, timedelta):
                cells.append(f'<c r="{ref}" s="3"><v>{value.total_seconds() / 86400!r}</v></c>')
            elif isinstance(value, (int, float)):
                cells.append(f'<c r="{ref}"><v>{value!r}</v></c>')
            else:
                cells.append(_string_cell(ref, str(value)))
        self.buffer.append(f'<row r="{n}">{"".join(cells)}</row>')
        if len(self.buffer) >= 500:
            self._write("".join(self.buffer))
            self.buffer.clear()

    def finish(self) -> str:
        """Close the sheet; returns its autofilter range."""
        import shutil
        ref = f"A1:{self.letters[-1]}{max(self.rows, 2)}"
        self._write("".join(self.buffer) + f'</sheetData><autoFilter ref="{ref}"/>'
                    '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
                    '</worksheet>')
        self.buffer.clear()
        with self.zf.open(self.name, "w", force_zip64=True) as out:
            out.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_NS}" '
                      f'xmlns:r="{_REL}"><dimension ref="A1:{self.letters[-1]}{self.rows}"/>{self.head}'
                      .encode("utf-8"))
            self.stream.seek(0)
            shutil.copyfileobj(self.stream, out, 1 << 20)
        self.stream.close()
        return ref


def _workbook_parts(sheets: list[tuple[str, str]]) -> dict[str, str]:
    """The package parts around the sheets: (title, autofilter range) per sheet."""
    def quoted(title: str) -> str:
        return "'" + title.replace("'", "''") + "'"

    def absolute(ref: str) -> str:
        first, last = ref.split(":")
        split = lambda c: (c.rstrip("0123456789"), c[len(c.rstrip("0123456789")):])  # noqa: E731
        (a, b), (c, d) = split(first), split(last)
        return f"${a}${b}:${c}${d}"
    sheet_list = "".join(f'<sheet name="{_escape(t).replace(chr(34), "&quot;")}" sheetId="{i}" r:id="rId{i}"/>'
                         for i, (t, _r) in enumerate(sheets, start=1))
    names = "".join(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
                    f'{_escape(quoted(t))}!{absolute(r)}</definedName>' for i, (t, r) in enumerate(sheets))
    rels = "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                   for i in range(1, len(sheets) + 1))
    n = len(sheets)
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                        f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, n + 1))
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    return {
        "[Content_Types].xml": head + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' + overrides + '</Types>',
        "_rels/.rels": head + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": head + f'<workbook xmlns="{_NS}" xmlns:r="{_REL}"><bookViews><workbookView '
        f'activeTab="0"/></bookViews><sheets>{sheet_list}</sheets><definedNames>{names}</definedNames></workbook>',
        "xl/_rels/workbook.xml.rels": head + '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
        f'2006/relationships">{rels}<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        '</Relationships>',
        "xl/styles.xml": STYLES,
    }


def export_xlsx(path: Path | str, columns: Sequence[Column], records: Iterable[Any], *,
                title: str = "Sheet", total: int | None = None, progress: Progress | None = None,
                rows_per_sheet: int = EXCEL_ROWS - 1) -> int:
    """Write ``records`` (one row each, values from ``columns``) to ``path``; returns the
    number of rows written. ``progress(done, total)`` every 1,000 rows and at the end.
    The file appears whole or not at all (written beside it, then renamed).

    The sheet XML is streamed straight into the zip (SpreadsheetML as Excel and openpyxl
    write it): openpyxl's write-only workbook took ~3x the 10 s allowed for 100,000 rows."""
    import zipfile
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    getters = [c.get for c in columns]
    count = 0
    done: list[tuple[str, str]] = []
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=3) as zf:
            sheet = _Sheet(zf, 1, title, columns)
            for record in records:
                if sheet.rows > rows_per_sheet:
                    done.append((sheet.title, sheet.finish()))
                    sheet = _Sheet(zf, len(done) + 1, f"{title[:26]} ({len(done) + 1})", columns)
                sheet.append([get(record) for get in getters])
                count += 1
                if progress is not None and count % PROGRESS_EVERY == 0:
                    progress(count, total)
            done.append((sheet.title, sheet.finish()))
            for name, text in _workbook_parts(done).items():
                zf.writestr(name, text)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
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
