"""PDF reports (REP-1) with fpdf2: a header (office, report name, period, filters), a table
whose header row repeats on every page, totals, charts, and "Page N of M" on each page.

Text prints in Greek, Cyrillic, Czech and Persian: the DejaVu fonts of assets/fonts are
embedded (subset); a cell holding Arabic-script text goes through fpdf2's HarfBuzz text
shaping (uharfbuzz), so Persian letters join and run right to left. Other cells take a
fast path (``FPDF.text`` with widths from a per-character cache): 10,000 rows print in
about a second instead of ten through ``FPDF.cell``.
"""
from __future__ import annotations

import io
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from callcore.i18n import _

from .columns import DATETIME, DURATION, NUMBER, Column, format_value

Progress = Callable[[int, "int | None"], None]

FONT = "DejaVu"
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_ELLIPSIS = "…"
PAGE_W, PAGE_H, MARGIN = 297.0, 210.0, 10.0     # A4 landscape, mm
ROW_H, FONT_SIZE = 5.0, 8
FOOTER_Y = PAGE_H - 7.0


def fonts_folder() -> Path:
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parents[1]))
    return base / "assets" / "fonts"


@dataclass
class ReportHeader:
    title: str
    office: str = ""
    period: str = ""
    filters: str = ""
    printed_at: datetime = field(default_factory=datetime.now)


class ReportPdf:
    """One report being written; ``save`` numbers the pages and writes the file."""

    def __init__(self, header: ReportHeader):
        from fpdf import FPDF
        self.header = header
        pdf = self.pdf = FPDF(orientation="L", unit="mm", format="A4")
        pdf.set_auto_page_break(False)
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        fonts = fonts_folder()
        pdf.add_font(FONT, "", str(fonts / "DejaVuSans.ttf"))
        pdf.add_font(FONT, "B", str(fonts / "DejaVuSans-Bold.ttf"))
        pdf.set_title(f"{header.office} – {header.title}" if header.office else header.title)
        pdf.set_creator("operator app")
        self._widths: dict[tuple[str, float], dict[str, float]] = {}
        self._codes: dict[int, dict[str, str]] = {}
        self._shaped: dict[tuple, tuple[bytes, float, float]] = {}
        self._table_columns: list[Column] | None = None
        self._col_w: list[float] = []
        self._first_page()

    # ------------------------------------------------------------ text
    def _font(self, style: str = "", size: int = FONT_SIZE) -> None:
        self.pdf.set_font(FONT, style, size)

    def width(self, text: str) -> float:
        """Width of ``text`` in the current font (mm), from a per-character cache."""
        key = (self.pdf.font_style, self.pdf.font_size_pt)
        cache = self._widths.get(key)
        if cache is None:
            cache = self._widths[key] = {}
        try:
            return sum(map(cache.__getitem__, text))
        except KeyError:
            for ch in text:
                if ch not in cache:
                    cache[ch] = self.pdf.get_string_width(ch)
            return sum(map(cache.__getitem__, text))

    def _encoder(self) -> Callable[[str], str] | None:
        """``(text) Tj`` for the current font, as ``TTFFont.encode_text`` makes it, with
        each character's subset code and escaping looked up once (the table's hot path)."""
        font = self.pdf.current_font
        if getattr(font, "is_symbol", True) or getattr(font, "color_font", True) or not hasattr(font, "subset"):
            return getattr(font, "encode_text", None)
        codes = self._codes.get(id(font))
        if codes is None:
            codes = self._codes[id(font)] = {}
        from fpdf.util import escape_parens
        pick, get = font.subset.pick, codes.get

        def encode(text: str) -> str:
            parts = []
            for ch in text:
                code = get(ch)
                if code is None:
                    mapped = pick(ord(ch))
                    code = codes[ch] = "" if mapped is None else escape_parens(
                        chr(mapped).encode("utf-16-be").decode("latin-1"))
                parts.append(code)
            return f"({''.join(parts)}) Tj"
        return encode

    def fit(self, text: str, available: float) -> str:
        if self.width(text) <= available:
            return text
        room = available - self.width(_ELLIPSIS)
        used = 0.0
        for i, ch in enumerate(text):
            used += self.width(ch)
            if used > room:
                return text[:i].rstrip() + _ELLIPSIS
        return text

    def put(self, x: float, y: float, w: float, text: str, align: str = "L", h: float = ROW_H) -> None:
        """``text`` in the box (x, y, w, h), cut with … to fit; shaped when Arabic script."""
        if not text:
            return
        text = self.fit(text, w - 2)
        if _RTL.search(text):
            self._shaped_cell(x, y, w, h, text, "R" if align == "R" or _starts_rtl(text) else "L")
            return
        tx = x + w - 1 - self.width(text) if align == "R" else x + 1
        self.texts([(tx, y + h * 0.5 + self.pdf.font_size * 0.35, text)])

    def _shaped_cell(self, x: float, y: float, w: float, h: float, text: str, align: str) -> None:
        """A cell through fpdf2's HarfBuzz shaping (Arabic script: joined letters, right to
        left). Shaping costs about a millisecond, so the drawing of each distinct text is
        kept and repeated elsewhere moved by a transformation matrix."""
        pdf = self.pdf
        key = (text, pdf.font_style, pdf.font_size_pt, round(w, 3), round(h, 3), align, pdf.text_color)
        kept = self._shaped.get(key)
        contents = pdf.pages[pdf.page].contents
        if kept is not None and isinstance(contents, bytearray):
            chunk, x0, y0 = kept
            if not pdf.current_font_is_set_on_page:
                pdf._out(pdf._set_font_for_page(pdf.current_font, pdf.font_size_pt))
            k = pdf.k
            pdf._out(b"q 1 0 0 1 %.2f %.2f cm\n" % ((x - x0) * k, (y0 - y) * k) + chunk + b"Q")
            return
        start = len(contents) if isinstance(contents, bytearray) else None
        pdf.set_text_shaping(True)
        pdf.set_xy(x, y)
        pdf.cell(w, h, text, align=align)
        pdf.set_text_shaping(False)
        if start is not None:
            self._shaped[key] = (bytes(contents[start:]), x, y)

    def texts(self, items: list[tuple[float, float, str]]) -> None:
        """Left-to-right texts at (x, baseline y) in the current font, one content-stream
        write for all of them: what ``FPDF.text`` writes, without its per-call overhead
        (the table's hot path; fpdf2 is pinned, and falls back to ``text`` if it changes)."""
        pdf = self.pdf
        font = pdf.current_font
        encode = self._encoder()
        if encode is None or not hasattr(pdf, "_out") or pdf.text_mode != 0 or pdf.underline:
            for x, y, text in items:
                pdf.text(x, y, text)
            return
        if not pdf.current_font_is_set_on_page:
            pdf._out(pdf._set_font_for_page(font, pdf.font_size_pt))
        k, top = pdf.k, pdf.h
        body = " ".join(f"BT {x * k:.2f} {(top - y) * k:.2f} Td {encode(text)} ET" for x, y, text in items)
        if pdf.fill_color != pdf.text_color:       # text is painted with the fill colour
            body = f"q {pdf.text_color.serialize().lower()} {body} Q"
        pdf._out(body)

    # ------------------------------------------------------------ pages
    def _first_page(self) -> None:
        pdf, h = self.pdf, self.header
        pdf.add_page()
        y = MARGIN
        self._font("B", 12)
        self.put(MARGIN, y, 180, h.office, h=6)
        self._font("", 8)
        self.put(PAGE_W - MARGIN - 80, y, 80, _("Printed {when}").format(
            when=h.printed_at.strftime("%Y-%m-%d %H:%M")), align="R", h=6)
        y += 7
        self._font("B", 16)
        self.put(MARGIN, y, 250, h.title, h=8)
        y += 9
        self._font("", 9)
        self.put(MARGIN, y, 250, _("Period: {period}").format(period=h.period), h=5)
        y += 5
        if h.filters:
            self.put(MARGIN, y, 270, _("Filters: {filters}").format(filters=h.filters), h=5)
            y += 5
        pdf.set_draw_color(120, 120, 120)
        pdf.line(MARGIN, y + 1.5, PAGE_W - MARGIN, y + 1.5)
        self.y = y + 4

    def new_page(self) -> None:
        pdf, h = self.pdf, self.header
        pdf.add_page()
        self._font("", 7)
        running = " – ".join(p for p in (h.office, h.title, h.period) if p)
        self.put(MARGIN, MARGIN - 2, PAGE_W - 2 * MARGIN, running, h=4)
        pdf.set_draw_color(160, 160, 160)
        pdf.line(MARGIN, MARGIN + 2.5, PAGE_W - MARGIN, MARGIN + 2.5)
        self.y = MARGIN + 4
        if self._table_columns is not None:
            self._table_header()

    def room(self, height: float) -> None:
        """Start a new page unless ``height`` mm still fit above the footer."""
        if self.y + height > FOOTER_Y - 3:
            self.new_page()

    # ------------------------------------------------------------ content
    def heading(self, text: str, keep_with: float = 12) -> None:
        """A section title, on a new page unless ``keep_with`` mm (it and what follows) fit."""
        self.room(max(12, keep_with))
        self._font("B", 11)
        self.put(MARGIN, self.y + 2, PAGE_W - 2 * MARGIN, text, h=7)
        self.y += 10

    def summary(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Label: value lines (the totals block)."""
        for label, value in pairs:
            self.room(ROW_H)
            self._font("", 9)
            self.put(MARGIN, self.y, 70, label)
            self._font("B", 9)
            self.put(MARGIN + 70, self.y, 60, value, align="R")
            self.y += ROW_H
        self.y += 2

    def image(self, png: bytes, width: float, height: float, x: float = MARGIN, new_row: bool = True) -> None:
        self.room(height)
        self.pdf.image(io.BytesIO(png), x=x, y=self.y, w=width, h=height)
        if new_row:
            self.y += height + 2

    def table(self, columns: Sequence[Column], rows: Iterable[Sequence[Any]],
              total_label: str = "", progress: Progress | None = None, total_rows: int | None = None) -> int:
        """Rows of values (one per column) with the header repeated on every page and a
        totals line (row count, sums of the ``total`` columns). Returns the row count."""
        pdf = self.pdf
        scale = (PAGE_W - 2 * MARGIN) / sum(c.width for c in columns)
        self._col_w = [c.width * scale for c in columns]
        self._table_columns = list(columns)
        aligns = ["R" if c.kind in (DURATION, NUMBER) else "L" for c in columns]
        sums: list[Any] = [None] * len(columns)
        self.room(ROW_H * 3)
        self._table_header()
        self._font("", FONT_SIZE)
        count = 0
        pdf.set_fill_color(242, 242, 242)
        for values in rows:
            if self.y + ROW_H > FOOTER_Y - 3:
                self.new_page()
                self._font("", FONT_SIZE)
                pdf.set_fill_color(242, 242, 242)
            if count % 2:
                pdf.rect(MARGIN, self.y, PAGE_W - 2 * MARGIN, ROW_H, style="F")
            x = MARGIN
            batch: list[tuple[float, float, str]] = []
            baseline = self.y + ROW_H * 0.5 + pdf.font_size * 0.35
            for i, value in enumerate(values):
                if value is None:
                    x += self._col_w[i]
                    continue
                if columns[i].total:
                    sums[i] = value if sums[i] is None else sums[i] + value
                text = format_value(value)
                if text:
                    w = self._col_w[i]
                    if _RTL.search(text):
                        self.put(x, self.y, w, text, aligns[i])
                    else:
                        text = self.fit(text, w - 2)
                        batch.append((x + w - 1 - self.width(text) if aligns[i] == "R" else x + 1,
                                      baseline, text))
                x += self._col_w[i]
            if batch:
                self.texts(batch)
            self.y += ROW_H
            count += 1
            if progress is not None and count % 1000 == 0:
                progress(count, total_rows)
        self._table_columns = None
        self.room(ROW_H + 1)
        pdf.set_draw_color(80, 80, 80)
        pdf.line(MARGIN, self.y + 0.3, PAGE_W - MARGIN, self.y + 0.3)
        self._font("B", FONT_SIZE)
        x = MARGIN
        label = total_label or _("Total: {n} rows").format(n=count)
        self.put(x, self.y + 0.5, sum(self._col_w[:2]) if len(columns) > 1 else self._col_w[0], label)
        for i, value in enumerate(sums):
            if value is not None and i >= 2:
                self.put(x, self.y + 0.5, self._col_w[i], format_value(value), aligns[i])
            x += self._col_w[i]
        self.y += ROW_H + 3
        if progress is not None:
            progress(count, total_rows)
        return count

    def _table_header(self) -> None:
        pdf = self.pdf
        columns = self._table_columns or []
        pdf.set_fill_color(215, 222, 232)
        pdf.rect(MARGIN, self.y, PAGE_W - 2 * MARGIN, ROW_H + 0.5, style="F")
        self._font("B", FONT_SIZE)
        x = MARGIN
        for column, w in zip(columns, self._col_w):
            self.put(x, self.y, w, column.title,
                     "R" if column.kind in (DURATION, NUMBER) else "L", h=ROW_H + 0.5)
            x += w
        self.y += ROW_H + 1
        self._font("", FONT_SIZE)
        pdf.set_fill_color(242, 242, 242)

    def save(self, path: Path | str) -> int:
        """Write "Page N of M" on every page, then the file; returns M."""
        pdf = self.pdf
        pages = pdf.pages_count
        self._font("", 7)
        for number in range(1, pages + 1):
            pdf.page = number
            pdf.current_font_is_set_on_page = False     # that page's stream: select it again
            self.put(PAGE_W - MARGIN - 60, FOOTER_Y, 60, _("Page {n} of {m}").format(n=number, m=pages),
                     align="R", h=4)
            if self.header.office:
                self.put(MARGIN, FOOTER_Y, 150, self.header.office, h=4)
        pdf.page = pages
        path = Path(path)
        tmp = path.with_name(path.name + ".part")
        pdf.output(str(tmp))
        tmp.replace(path)
        return pages


def _starts_rtl(text: str) -> bool:
    """Whether the first letter of ``text`` is written right to left."""
    for ch in text:
        if ch.isalpha():
            return bool(_RTL.match(ch))
    return False


__all__ = ["ReportPdf", "ReportHeader", "fonts_folder", "DATETIME"]
