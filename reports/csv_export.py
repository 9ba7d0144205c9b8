"""Export any list to CSV (REP-2): UTF-8 with a BOM (Excel then reads Greek, Cyrillic and
Persian right), a header row, dates ``YYYY-MM-DD HH:MM:SS``, durations in seconds.

Text that a spreadsheet would run as a formula (starting with ``=`` ``+`` ``-`` ``@``, tab
or carriage return) gets a leading apostrophe, so opening the file runs nothing.
"""
from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from .columns import Column
from .xlsx import FORMULA_START, PROGRESS_EVERY

Progress = Callable[[int, "int | None"], None]


def csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, timedelta):
        return str(int(value.total_seconds()))
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def export_csv(path: Path | str, columns: Sequence[Column], records: Iterable[Any], *,
               total: int | None = None, progress: Progress | None = None, delimiter: str = ",") -> int:
    """Write ``records`` to ``path`` as CSV; returns the row count."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    getters = [c.get for c in columns]
    count = 0
    with open(tmp, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=delimiter)
        writer.writerow([csv_text(c.title) for c in columns])
        for record in records:
            writer.writerow([csv_text(get(record)) for get in getters])
            count += 1
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(count, total)
    tmp.replace(path)
    if progress is not None:
        progress(count, total)
    return count
