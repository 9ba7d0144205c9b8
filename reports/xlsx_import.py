"""Import contacts from .xlsx and CSV with a column mapping (DIR-4).

The headers are guessed in English, Greek, Russian and Czech (:func:`guess_mapping`:
``Επωνυμία`` → name, ``Телефон`` → phone, ``Jméno`` → first name, ``Κινητό`` → mobile …);
a mapping given by the user (``--map phone:mobile=Κιν.``) wins. Each row then becomes a
contact through the CSV import's own rules (:class:`callcore.contact_import.RowMapper`:
phone cells with several numbers, ``2101234568.0``, lost digits, types, ids), so an .xlsx
and a CSV with the same content import the same. Rejected rows come back with their line
and reason and can be saved as an .xlsx report (:func:`write_rejected`); :func:`preview`
gives the first rows as the mapping reads them.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from callcore.contact_import import (ImportFileError, ImportResult, ImportRow, RejectedRow, RowMapper,
                                     header_field, parse_contacts_text, read_text, without_gc)
from callcore.i18n import _
from callcore.records import PHONE_LABELS

Progress = Callable[[int, "int | None"], None]

CONTACT_FIELDS = ("name", "first_name", "last_name", "short_name", "company", "type", "address", "area",
                  "city", "postcode", "email", "comments", "popup_priority", "id")
PHONE_FIELDS = ("phone",) + tuple(f"phone:{label}" for label in PHONE_LABELS)
FIELDS = CONTACT_FIELDS + PHONE_FIELDS
XLSX_SUFFIXES = (".xlsx", ".xlsm")

# Header words per field, folded (lower case, no accents, punctuation as spaces).
_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "full name", "display name", "contact", "contact name", "customer", "client",
             "επωνυμια", "ονοματεπωνυμο", "πελατης", "επαφη", "ονομα επαφης",
             "фио", "наименование", "название", "полное имя", "контакт", "клиент", "имя контакта",
             "nazev", "jmeno a prijmeni", "cele jmeno", "kontakt", "zakaznik", "odberatel"),
    "first_name": ("first name", "given name", "ονομα", "имя", "jmeno", "krestni jmeno"),
    "last_name": ("last name", "surname", "family name", "επωνυμο", "фамилия", "prijmeni"),
    "short_name": ("short name", "nickname", "συντομο ονομα", "διακριτικος τιτλος", "краткое имя",
                   "краткое наименование", "zkratka", "prezdivka"),
    "company": ("company", "organisation", "organization", "εταιρεια", "επιχειρηση", "εταιρια",
                "компания", "организация", "фирма", "firma", "spolecnost", "organizace"),
    "type": ("type", "category", "τυπος", "κατηγορια", "тип", "категория", "typ", "kategorie"),
    "address": ("address", "street", "διευθυνση", "οδος", "адрес", "улица", "adresa", "ulice"),
    "area": ("area", "district", "region", "περιοχη", "νομος", "район", "область", "регион",
             "oblast", "kraj", "ctvrt", "okres"),
    "city": ("city", "town", "πολη", "δημος", "город", "населенный пункт", "mesto", "obec"),
    "postcode": ("postcode", "zip", "τκ", "ταχυδρομικος κωδικας", "ταχ κωδ", "индекс",
                 "почтовый индекс", "psc", "postovni smerovaci cislo"),
    "email": ("email", "e mail", "mail", "ηλεκτρονικο ταχυδρομειο", "ηλ ταχυδρομειο", "почта",
              "эл почта", "электронная почта", "e mailova adresa"),
    "comments": ("comments", "notes", "remarks", "σχολια", "παρατηρησεις", "σημειωσεις",
                 "комментарий", "комментарии", "примечание", "примечания", "заметки",
                 "poznamka", "poznamky", "komentar"),
    "phone": ("phone", "telephone", "tel", "phone number", "number", "τηλεφωνο", "τηλ", "αριθμος",
              "телефон", "тел", "номер", "номер телефона", "telefon", "tel c", "telefonni cislo", "cislo"),
    "phone:mobile": ("mobile", "mobile phone", "cell", "cell phone", "κινητο", "κινητο τηλεφωνο", "κιν",
                     "мобильный", "мобильный телефон", "моб", "сотовый", "mobil", "mobilni telefon",
                     "mobilni"),
    "phone:home": ("home", "home phone", "οικια", "σπιτι", "τηλ οικιας", "τηλεφωνο οικιας",
                   "домашний", "домашний телефон", "domu", "domaci telefon", "soukromy telefon"),
    "phone:work": ("work", "work phone", "office phone", "εργασια", "τηλ εργασιας", "γραφειο",
                   "τηλεφωνο εργασιας", "рабочий", "рабочий телефон", "prace", "pracovni telefon",
                   "sluzebni telefon"),
    "phone:fax": ("fax", "φαξ", "факс"),
}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+|_", " ", text).split())


_BY_ALIAS = {_fold(alias): field_name for field_name, aliases in _ALIASES.items() for alias in aliases}


def guess_field(header: str) -> str:
    """The contact field a header names ("" when unknown): the CSV import's own reading
    first (English, ``phone:mobile``), then the en/el/ru/cs words, then the same with a
    trailing number removed ("Τηλέφωνο 2")."""
    known = header_field(header)
    if known:
        return known
    folded = _fold(header)
    return _BY_ALIAS.get(folded) or _BY_ALIAS.get(re.sub(r"\s*\d+$", "", folded), "")


def guess_mapping(headers: Iterable[str]) -> dict[str, str]:
    """field → the first header that names it."""
    mapping: dict[str, str] = {}
    for header in headers:
        if header and header.strip():
            name = guess_field(header)
            if name and name not in mapping:
                mapping[name] = header
    return mapping


def parse_mapping(text: str) -> dict[str, str]:
    """``name=Επωνυμία,phone:mobile=Κινητό`` → {field: header}; raises ValueError naming
    an unknown field."""
    mapping: dict[str, str] = {}
    for part in (p for p in text.split(",") if p.strip()):
        name, sep, header = part.partition("=")
        name = name.strip()
        if not sep or not header.strip():
            raise ValueError(_("--map: {part!r} is not field=Header").format(part=part.strip()))
        if name == "mobile" or name in PHONE_LABELS and name != "other":
            name = f"phone:{name}"
        if name not in FIELDS:
            raise ValueError(_("--map: unknown field {field!r} (known: {fields})").format(
                field=name, fields=", ".join(FIELDS)))
        mapping[name] = header.strip()
    return mapping


def resolve_mapping(headers: list[str], given: dict[str, str] | None = None) -> dict[str, str]:
    """The guessed mapping with the user's entries on top (a header the user gave to a
    field is taken from the field guessed for it). Raises ValueError for a header the
    file does not have."""
    mapping = guess_mapping(headers)
    for name, header in (given or {}).items():
        if header not in headers:
            matches = [h for h in headers if _fold(h) == _fold(header)]
            if not matches:
                raise ValueError(_("--map: the file has no column {header!r} (columns: {columns})").format(
                    header=header, columns=", ".join(repr(h) for h in headers if h)))
            header = matches[0]
        mapping = {k: v for k, v in mapping.items() if v != header}
        mapping[name] = header
    return mapping


def canonical_headers(headers: list[str], mapping: dict[str, str]) -> list[str]:
    """The header row as the CSV import understands it: a mapped column gets its field's
    name; another phone column stays a phone column ("Τηλέφωνο 2"); another column that
    names an already mapped field is left out; the rest is left as it is (and reported
    as not imported)."""
    by_header = {header: name for name, header in mapping.items()}
    out = []
    for header in headers:
        if header in by_header:
            out.append(by_header[header])
            continue
        guessed = guess_field(header) if header else ""
        if guessed.startswith("phone"):
            out.append(guessed)
        elif guessed:
            out.append("")
        else:
            out.append(header)
    return out


# ---------------------------------------------------------------- reading files

def cell_text(value: Any) -> str:
    """An .xlsx cell as the text a CSV would hold: whole numbers without ``.0`` (a phone
    typed as a number), dates ISO."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value)


@dataclass
class Table:
    """A sheet's header row and its data rows as text, with their row numbers."""

    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]
    total: int | None = None          # data rows, when the file says


def read_xlsx(path: Path | str, scan: int = 20) -> Table:
    """The first sheet of an .xlsx (reports/xlsx_read.py). The header is the row, among the
    first ``scan`` non-empty ones, that names the most contact fields (a title row above it
    is skipped). Formula cells give their last computed value, never the formula."""
    from .xlsx_read import read_rows
    path = Path(path)
    try:
        sheet = read_rows(path)
    except (ValueError, zipfile.BadZipFile, KeyError) as exc:
        raise ImportFileError(_("{file}: is not an Excel .xlsx workbook ({error})").format(
            file=path, error=exc)) from None
    rows = _guarded(sheet.rows, path)
    first: list[tuple[int, list[str]]] = []
    for number, values in rows:
        cells = [cell_text(v) for v in values]
        if any(c.strip() for c in cells):
            first.append((number, cells))
            if len(first) >= scan:
                break
    if not first:
        rows.close()
        raise ImportFileError(_("{file}: the first sheet is empty (a header row naming the columns "
                                "is needed)").format(file=path))
    scores = [sum(1 for c in cells if c.strip() and guess_field(c.strip())) for _n, cells in first]
    best = max(range(len(first)), key=lambda i: (scores[i], -i))
    header_line, header_cells = first[best]
    headers = [c.strip() for c in header_cells]
    while headers and not headers[-1]:
        headers.pop()
    total = sheet.last_row - header_line if sheet.last_row else None
    buffered = first[best + 1:]

    def data() -> Iterator[tuple[int, list[str]]]:
        try:
            yield from buffered
            for number, values in rows:
                cells = [cell_text(v) for v in values]
                if any(c.strip() for c in cells):
                    yield number, cells
        finally:
            rows.close()
    return Table(headers, data(), total)


def _guarded(rows: Iterator[tuple[int, list[Any]]], path: Path) -> Iterator[tuple[int, list[Any]]]:
    """The rows, with damage met halfway through the sheet said as an import error."""
    try:
        yield from rows
    except Exception as exc:  # noqa: BLE001 - lxml/zip errors of a damaged sheet
        raise ImportFileError(_("{file}: the sheet is damaged ({error})").format(file=path, error=exc)) from None
    finally:
        rows.close()  # type: ignore[attr-defined]


def _csv_header(text: str) -> tuple[int, str, list[str]] | None:
    """(line index, delimiter, cells) of a CSV text's header row."""
    lines = text.splitlines()
    index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if index is None:
        return None
    hint = re.fullmatch(r"\s*sep=(.)\s*", lines[index], re.IGNORECASE)
    if hint:
        index += 1
        if index >= len(lines):
            return None
    line = lines[index]

    def score(delimiter: str) -> tuple[int, int]:
        cells = next(csv.reader([line], delimiter=delimiter), [])
        return sum(1 for c in cells if guess_field(c)), len(cells)
    delimiter = hint.group(1) if hint else max((",", ";", "\t"), key=score)
    return index, delimiter, next(csv.reader([line], delimiter=delimiter), [])


# ---------------------------------------------------------------- import

@dataclass
class ContactsFile:
    """A file read for import: what the mapping made of it."""

    headers: list[str]
    mapping: dict[str, str]
    result: ImportResult
    raw: dict[int, list[str]] = field(default_factory=dict)   # rejected row number → its cells


def read_contacts(path: Path | str, mapping: dict[str, str] | None = None, encoding: str | None = None,
                  progress: Progress | None = None) -> ContactsFile:
    """Contacts of an .xlsx or CSV file under the guessed (and given) mapping. Raises
    :class:`ImportFileError` when the file as a whole cannot be used, ValueError for a
    mapping naming a column the file lacks."""
    path = Path(path)
    if path.suffix.lower() in XLSX_SUFFIXES:
        return _read_xlsx_contacts(path, mapping, progress)
    return _read_csv_contacts(path, mapping, encoding, progress)


def _need_name(headers: list[str], canonical: list[str], path: Path) -> None:
    if not {"name", "first_name", "last_name"} & set(canonical):
        raise ImportFileError(_("{file}: no column is a contact's name (columns: {found}); name one "
                                "with --map name=HEADER").format(
            file=path, found=", ".join(repr(h) for h in headers if h)))


def _read_xlsx_contacts(path: Path, given: dict[str, str] | None, progress: Progress | None) -> ContactsFile:
    table = read_xlsx(path)
    mapping = resolve_mapping(table.headers, given)
    canonical = canonical_headers(table.headers, mapping)
    _need_name(table.headers, canonical, path)
    mapper = RowMapper(canonical)
    result = ImportResult(delimiter="", encoding="xlsx")
    result.warnings.extend(mapper.warnings)
    unknown = [h for h, c in zip(table.headers, canonical) if h and c == h and not guess_field(h)]
    if unknown:
        result.warnings.append(_("columns not imported (not a contact field): {columns}").format(
            columns=", ".join(repr(h) for h in unknown)))
    out = ContactsFile(table.headers, mapping, result)
    seen: dict[str, int] = {}
    count = 0
    width = len(canonical)
    with without_gc():
        for number, cells in table.rows:
            count += 1
            if len(cells) > width and not any(c.strip() for c in cells[width:]):
                cells = cells[:width]
            row = mapper.row(number, cells)
            if isinstance(row, ImportRow) and row.contact.id in seen:
                row = RejectedRow(number, _("id: {value!r} was already used on row {line}").format(
                    value=row.contact.id, line=seen[row.contact.id]))
            if isinstance(row, RejectedRow):
                result.rejected.append(row)
                out.raw[number] = cells
            else:
                seen[row.contact.id] = number
                result.rows.append(row)
            if progress is not None and count % 1000 == 0:
                progress(count, table.total)
    if progress is not None:
        progress(count, table.total)
    return out


def _read_csv_contacts(path: Path, given: dict[str, str] | None, encoding: str | None,
                       progress: Progress | None) -> ContactsFile:
    """The header row is rewritten with the mapped field names, then the CSV import reads
    the file exactly as it reads any CSV (quotes, delimiters, line numbers)."""
    text, used = read_text(path, encoding)
    found = _csv_header(text)
    if found is None:
        raise ImportFileError(_("{file}: is empty (a header row naming the columns is needed)").format(file=path))
    index, delimiter, headers = found
    mapping = resolve_mapping(headers, given)
    canonical = canonical_headers(headers, mapping)
    _need_name(headers, canonical, path)
    lines = text.splitlines(keepends=True)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="").writerow(canonical)
    ending = lines[index][len(lines[index].rstrip("\r\n")):]
    lines[index] = buffer.getvalue() + ending
    result = parse_contacts_text("".join(lines), str(path))
    result.encoding = used
    out = ContactsFile(headers, mapping, result)
    if result.rejected:
        plain = text.splitlines()
        for rejected in result.rejected:
            if 0 < rejected.row <= len(plain):
                out.raw[rejected.row] = next(csv.reader([plain[rejected.row - 1]], delimiter=delimiter), [])
    if progress is not None:
        progress(len(result.rows) + len(result.rejected), len(result.rows) + len(result.rejected))
    return out


def needs_mapping(path: Path | str, encoding: str | None = None) -> bool:
    """Whether a CSV file has columns that only the en/el/ru/cs guess understands (the
    plain CSV import would leave them out)."""
    try:
        text, _used = read_text(path, encoding)
    except ImportFileError:
        return False
    found = _csv_header(text)
    return bool(found) and any(h.strip() and not header_field(h) and guess_field(h) for h in found[2])


@dataclass
class Preview:
    headers: list[str]
    mapping: dict[str, str]
    rows: list[list[str]]          # first data rows, as in the file


def preview(path: Path | str, rows: int = 10, mapping: dict[str, str] | None = None,
            encoding: str | None = None) -> Preview:
    """The header, the mapping that would be used and the first ``rows`` data rows, for
    the import dialog's preview (reads only as much of the file as it shows)."""
    path = Path(path)
    if path.suffix.lower() in XLSX_SUFFIXES:
        table = read_xlsx(path)
        first = []
        for _number, cells in table.rows:
            first.append(cells)
            if len(first) >= rows:
                break
        table.rows.close()   # type: ignore[attr-defined]
        return Preview(table.headers, resolve_mapping(table.headers, mapping), first)
    text, _used = read_text(path, encoding)
    found = _csv_header(text)
    if found is None:
        raise ImportFileError(_("{file}: is empty (a header row naming the columns is needed)").format(file=path))
    index, delimiter, headers = found
    reader = csv.reader(io.StringIO("\n".join(text.splitlines()[index + 1:index + 1 + rows * 4])),
                        delimiter=delimiter)
    first = [r for r in reader if any(c.strip() for c in r)][:rows]
    return Preview(headers, resolve_mapping(headers, mapping), first)


@dataclass
class ImportSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    merged_rows: int = 0
    skipped: int = 0
    duplicates: list[Any] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)


def import_contacts(store: Any, read: ContactsFile, rules: Any, duplicates: str = "merge",
                    progress: Progress | None = None) -> ImportSummary:
    """Plan (merge with the contacts already there, callcore.contact_merge) and write in
    batched commits; ``progress(written, to_write)`` after each batch."""
    from callcore.contact_merge import plan_import, write_contacts
    plan = plan_import(read.result.rows, store.contacts.all(copy=False), rules, duplicates)
    total = len(plan.writes)
    done = 0

    def batch_done(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)
    refused = write_contacts(store, plan.writes, on_batch=batch_done, validated=plan.validated)
    summary = ImportSummary(plan.added, plan.updated, plan.unchanged, plan.merged_rows, plan.skipped,
                            list(plan.duplicates), [(r.row, r.reason) for r in read.result.rejected])
    summary.rejected += [(-1, f"{contact.name}: {reason}") for contact, reason in refused]
    return summary


def write_rejected(path: Path | str, read: ContactsFile, extra: Iterable[tuple[int, str]] = ()) -> int:
    """The rejected rows as an .xlsx: row number, reason, then the row's cells under the
    file's own headers (text stays text: a cell ``=cmd|…`` is not a formula here either)."""
    from .xlsx import export_rows_xlsx
    rows = [[r.row, r.reason, *read.raw.get(r.row, [])] for r in read.result.rejected]
    rows += [[row if row > 0 else None, reason] for row, reason in extra]
    headers = [_("Row"), _("Reason"), *read.headers]
    return export_rows_xlsx(path, headers, rows, title=_("Rejected rows"), widths=[6, 50])
