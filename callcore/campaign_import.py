"""Campaign entries from an .xlsx or CSV file with a column-mapping step (CAMP-1).

The columns are guessed with the contact import's header words (``reports.xlsx_import``:
en/el/ru/cs, ``Τηλέφωνο`` → number, ``Σχόλια`` → comment …); a mapping given by the user
(``--map number=Κινητό,comment=Notes``) wins. Duplicates are found when the rows are
added (``CampaignBook.add_entries``), so the file may hold anything.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .i18n import _

FIELDS = ("name", "number", "comment", "company", "city", "contact_id")
_ALIASES = {"phone": "number", "comments": "comment", "notes": "comment", "id": "contact_id"}
XLSX_SUFFIXES = (".xlsx", ".xlsm")


class CampaignFileError(ValueError):
    """The file cannot be used as a whole (the text says why)."""


@dataclass
class EntriesFile:
    headers: list[str]
    mapping: dict[str, str]                      # field → header
    rows: list[dict[str, Any]] = field(default_factory=list)   # field → text, plus "row" (file line)


def parse_map(text: str) -> dict[str, str]:
    """``number=Κινητό,comment=Notes`` → {field: header}; ValueError names a bad part."""
    out: dict[str, str] = {}
    for part in (p for p in (text or "").split(",") if p.strip()):
        name, sep, header = part.partition("=")
        name = _ALIASES.get(name.strip(), name.strip())
        if not sep or not header.strip():
            raise ValueError(_("--map: {part!r} is not field=Header").format(part=part.strip()))
        if name not in FIELDS:
            raise ValueError(_("--map: unknown field {field!r} (known: {fields})").format(
                field=name, fields=", ".join(FIELDS)))
        out[name] = header.strip()
    return out


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """field → header, from the contact import's header words."""
    from reports.xlsx_import import guess_field
    out: dict[str, str] = {}
    for header in headers:
        if not header or not header.strip():
            continue
        guessed = guess_field(header)
        name = ("number" if guessed.startswith("phone") else "name" if guessed in ("name", "first_name")
                else _ALIASES.get(guessed, guessed))
        if name in FIELDS and name not in out:
            out[name] = header
    return out


def resolve_mapping(headers: list[str], given: dict[str, str] | None) -> dict[str, str]:
    mapping = guess_mapping(headers)
    for name, header in (given or {}).items():
        match = next((h for h in headers if h == header), None) or next(
            (h for h in headers if h.strip().casefold() == header.strip().casefold()), None)
        if match is None:
            raise ValueError(_("--map: the file has no column {header!r} (columns: {columns})").format(
                header=header, columns=", ".join(repr(h) for h in headers if h)))
        mapping = {k: v for k, v in mapping.items() if v != match}
        mapping[name] = match
    return mapping


def read_table(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header row and the data rows (with their line numbers) of an .xlsx or CSV."""
    if not path.is_file():
        raise CampaignFileError(_("file not found: {path}").format(path=path))
    if path.suffix.lower() in XLSX_SUFFIXES:
        from callcore.contact_import import ImportFileError
        from reports.xlsx_import import read_xlsx
        try:
            table = read_xlsx(path)
        except ImportFileError as exc:
            raise CampaignFileError(str(exc)) from None
        return table.headers, list(table.rows)
    from callcore.contact_import import read_text
    text, _encoding = read_text(path)
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise CampaignFileError(_("{file}: the file is empty").format(file=path))
    if lines[first].strip().lower().startswith("sep=") and len(lines[first].strip()) == 5:
        delimiter = lines[first].strip()[4]
        first += 1
    else:
        delimiter = max((",", ";", "\t"), key=lambda d: lines[first].count(d))
    reader = csv.reader(io.StringIO("\n".join(lines[first:])), delimiter=delimiter)
    rows = [(i + first + 1, cells) for i, cells in enumerate(reader)]
    if not rows:
        raise CampaignFileError(_("{file}: the file is empty").format(file=path))
    headers = rows[0][1]
    return headers, [(n, cells) for n, cells in rows[1:] if any(c.strip() for c in cells)]


def read_entries(path: Path, given: dict[str, str] | None = None) -> EntriesFile:
    """The file's rows as entry fields under the guessed (and given) mapping."""
    headers, rows = read_table(Path(path))
    mapping = resolve_mapping(headers, given)
    if "number" not in mapping:
        raise CampaignFileError(_("{file}: no column is a phone number (columns: {found}); name one with "
                                  "--map number=HEADER").format(file=path, found=", ".join(repr(h) for h in headers if h)))
    at = {name: headers.index(header) for name, header in mapping.items()}
    out = EntriesFile(headers, mapping)
    for line, cells in rows:
        row: dict[str, Any] = {"row": line}
        for name, i in at.items():
            row[name] = cells[i].strip() if i < len(cells) and cells[i] else ""
        out.rows.append(row)
    return out
