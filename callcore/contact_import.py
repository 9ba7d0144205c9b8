"""Read contacts from a CSV file (SPEC DIR-4; ``contacts import FILE.csv``).

The file is UTF-8 (with or without a BOM) or UTF-16 (with or without a BOM), or any
encoding named with ``encoding=``; comma-, semicolon- or tab-separated, with a header row
naming the columns: ``name``, ``type``, ``phone`` (repeatable, or several numbers in one
cell separated by ``;`` ``,`` ``|`` or `` / ``), ``company`` and any other contact field by
its name. Phone columns may carry a label: ``phone:mobile``, ``mobile``, ``home_phone``,
``fax`` … Spreadsheet damage is undone where it can be (``2101234568.0``) and refused
where digits are lost (``2.10123E+09``); ``2101234567 ext 12`` keeps its extension.

Every data row becomes either an :class:`ImportRow` (a validated
:class:`~callcore.records.Contact` plus which fields the row filled, so an update by id
touches only those) or a :class:`RejectedRow` naming its line in the file, the field and
the problem: a bad row never stops the good ones. Only a file that cannot be read as CSV
at all (wrong encoding, no header, no name column) raises :class:`ImportFileError`.
Nothing is stored here: :mod:`callcore.contact_merge` decides what to write.
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import dataclasses
import functools
import gc
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, NamedTuple

from .i18n import _
from .records import CONTACT_TYPES, PHONE_LABELS, Contact, Phone, RecordError

DELIMITERS = (",", ";", "\t")

# Header spellings that mean a contact field (after lower-casing, spaces/hyphens -> "_").
_FIELD_ALIASES = {
    "full_name": "name", "display_name": "name",
    "first": "first_name", "firstname": "first_name", "given_name": "first_name",
    "last": "last_name", "lastname": "last_name", "surname": "last_name", "family_name": "last_name",
    "shortname": "short_name", "nickname": "short_name",
    "organisation": "company", "organization": "company",
    "e_mail": "email", "mail": "email",
    "zip": "postcode", "zip_code": "postcode", "postal_code": "postcode", "post_code": "postcode",
    "comment": "comments", "note": "comments", "notes": "comments",
    "priority": "popup_priority",
}
_PHONE_WORDS = ("phone", "phones", "telephone", "tel", "number", "numbers")
_LABEL_ALIASES = {"cell": "mobile", "mob": "mobile", "office": "work", "business": "work",
                  "private": "home"}
_TYPE_ALIASES = {
    "contact_person": "contact_person", "person": "contact_person", "contact": "contact_person",
    "other_contact": "other", "internal_user": "internal", "extension": "internal",
    "user": "internal", "client": "customer", "vendor": "supplier",
}
_PHONE_SPLIT = re.compile(r"[;,|\n]")
# A number a spreadsheet turned into a float: digits are gone ("2.10123E+09") or a ".0"
# was added ("2101234568.0"; "2101234568,0" where the decimal mark is a comma).
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+")
_FLOAT_ZERO = re.compile(r"(\d+)[.,]0+")
# An extension after the number: "ext 12", "ext. 12", "x12", "#12", "εσωτ. 12", "доб. 12",
# "kl. 12", "linka 12"; kept as "<number> ext <digits>" (matching ignores it: numbers.py).
_EXT_WORD = r"(?:ext|extension|x|#|εσωτ|εσωτερικό|доб|kl|klapka|linka)\.?\s*(\d+)\s*$"
EXTENSION = re.compile(r"^(.*\d)[\s,;]*" + _EXT_WORD, re.IGNORECASE)
_ONLY_EXTENSION = re.compile(r"^\s*" + _EXT_WORD, re.IGNORECASE)     # "2101234567, ext 12"
MIN_SPLIT_DIGITS = 6      # "2101234567/6971234567" is two numbers, "030/1234567" is one
_CONTACT_FIELDS = {f.name for f in dataclasses.fields(Contact)} - {"phones"}


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (the message names the file and why)."""


@dataclass(frozen=True)
class RejectedRow:
    """A data row that was not imported: ``row`` is its 1-based line in the file."""

    row: int
    reason: str

    def __str__(self) -> str:
        return _("line {row}: {reason}").format(row=self.row, reason=self.reason)


class ImportRow(NamedTuple):
    """A good data row: its contact and the fields the row gave a value (``"phones"`` when
    it had a number; ``"id"`` when it named an existing contact to update). A named tuple:
    100,000 of them are made per large import."""

    row: int
    contact: Contact
    present: frozenset[str]


@dataclass
class ImportResult:
    rows: list[ImportRow] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    delimiter: str = ","
    encoding: str = "utf-8"

    @property
    def contacts(self) -> list[Contact]:
        return [r.contact for r in self.rows]


@dataclass(frozen=True)
class _Column:
    """What one header cell means: a contact field, a phone (with label) or nothing."""

    header: str
    field: str = ""          # contact field name, when a field column
    phone_label: str = ""    # label, when a phone column ("" = Phone's default)
    is_phone: bool = False

    @property
    def known(self) -> bool:
        return bool(self.field) or self.is_phone


def _header_key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().casefold())


def _label(word: str) -> str | None:
    word = _LABEL_ALIASES.get(word, word)
    return word if word in PHONE_LABELS else None


def _column(header: str, warnings: list[str]) -> _Column:
    key = _header_key(header)
    key = _FIELD_ALIASES.get(key, key)
    if key in _CONTACT_FIELDS:
        return _Column(header, field=key)
    key = re.sub(r"_?\d+$", "", key)  # "phone 2", "mobile2": numbered copies of a column
    if key in _PHONE_WORDS:
        return _Column(header, is_phone=True)
    if _label(key):
        return _Column(header, phone_label=_label(key), is_phone=True)
    # phone:mobile, phone_mobile, phone (mobile), mobile_phone, tel.fax …
    parts = [p for p in re.split(r"[:_().\[\]/]+", key) if p]
    if len(parts) == 2 and (parts[0] in _PHONE_WORDS or parts[1] in _PHONE_WORDS):
        word = parts[1] if parts[0] in _PHONE_WORDS else parts[0]
        label = _label(word)
        if label is None:
            warnings.append(_("column {header!r}: unknown phone label {label!r}, numbers imported "
                              "with label 'other' (known: {known})").format(
                header=header, label=word, known=", ".join(PHONE_LABELS)))
            label = "other"
        return _Column(header, phone_label=label, is_phone=True)
    return _Column(header)


# Legacy Windows code pages seen in the offices this app serves, with the letters that
# are most frequent in their languages: the one whose decoding gives the most of them is
# named in the "not UTF-8" message (script names are translated when shown).
_LEGACY = (
    ("cp1253", "Greek", "αοιετνσςρκπμλυηάέίόήύώ"),
    ("cp1251", "Cyrillic", "оеаинтсрвлкмдпуяыгзбчй"),
    ("cp1250", "Central European", "áéíóúůýčďěňřšťž"),
    ("cp1256", "Arabic/Persian", "اینمهرودبتسلکیشگ"),
)


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when the bytes look like UTF-16 text without a BOM:
    text in any of our scripts has a NUL in every other byte of its ASCII (digits,
    separators, line ends) and never a NUL in UTF-8 or a code page."""
    sample = data[:4096]
    sample = sample[:len(sample) & ~1]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    # A few NULs on the other side: characters such as U+0400 or U+0600 (low byte 0).
    if odd >= half * 0.3 and even <= odd * 0.05:
        return "utf-16-le"
    if even >= half * 0.3 and odd <= even * 0.05:
        return "utf-16-be"
    return None


def _guess_legacy(data: bytes) -> tuple[str, str] | None:
    """The legacy code page (and its script's name) that the text most likely is in."""
    best: tuple[int, str, str] | None = None
    for encoding, script, letters in _LEGACY:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        common = set(letters) | set(letters.upper())
        score = sum(1 for ch in text if ch in common)
        if score and (best is None or score > best[0]):
            best = (score, encoding, script)
    return (best[1], best[2]) if best else None


def _decode(data: bytes, encoding: str, path: Path) -> str:
    try:
        return data.decode(encoding)
    except LookupError:
        raise ImportFileError(_("unknown encoding {encoding!r} (e.g. utf-8, utf-16, cp1253, "
                                "cp1251, cp1250, cp1256)").format(encoding=encoding)) from None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ImportFileError(_("{file}: is not {encoding} text (byte {offset} on line {line} "
                                "is 0x{byte:02x})").format(
            file=path, encoding=encoding, offset=exc.start, line=line,
            byte=data[exc.start])) from None


def _read_text(path: Path, encoding: str | None = None) -> tuple[str, str]:
    """The file's text and the encoding it was read with."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(_("{file}: cannot be read: {error}").format(
            file=path, error=exc.strerror or exc)) from None
    if encoding:
        text = _decode(data, encoding, path)
        return text.removeprefix("\ufeff"), encoding
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                      (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return _decode(data[len(bom):], name, path), name
    utf16 = _utf16_without_bom(data)
    if utf16:
        return _decode(data, utf16, path), utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        offset = exc.start
        line = data.count(b"\n", 0, offset) + 1
        message = _("{file}: is not UTF-8 text (byte {offset} on line {line} is 0x{byte:02x})").format(
            file=path, offset=offset, line=line, byte=data[offset])
        guess = _guess_legacy(data)
        if guess:
            message += _("; it looks like {script} Windows text ({encoding})").format(
                script=_(guess[1]), encoding=guess[0])
        message += _(". In Excel: File > Save As > 'CSV UTF-8 (Comma delimited)'; in LibreOffice: "
                     "Save As > Text CSV, character set 'Unicode (UTF-8)'. Or import it as it is "
                     "with --encoding {encoding}").format(encoding=guess[0] if guess else "cp1253")
        raise ImportFileError(message) from None


def _pick_delimiter(header_line: str) -> str:
    """The delimiter under which the header names the most known columns."""
    def score(delimiter: str) -> tuple[int, int]:
        cells = next(csv.reader([header_line], delimiter=delimiter), [])
        known = sum(1 for cell in cells if _column(cell, []).known)
        return known, len(cells)
    return max(DELIMITERS, key=score)


def _lost_digits(column: str, value: str) -> "_RowProblem":
    return _RowProblem(_("{column}: number lost its digits (spreadsheet scientific format): "
                         "{value!r}; format the column as Text in the spreadsheet and export "
                         "again").format(column=column, value=value))


def _one_number(text: str, column: str) -> str:
    """One number as it is stored: ".0" removed, an extension written as " ext N"."""
    text = text.strip()
    if _SCIENTIFIC.fullmatch(text):
        raise _lost_digits(column, text)
    zero = _FLOAT_ZERO.fullmatch(text)
    if zero:
        return zero.group(1)
    ext = EXTENSION.match(text)
    if ext:
        return f"{ext.group(1).strip()} ext {ext.group(2)}"
    return text


def split_phones(cell: str, column: str = "phone") -> list[str]:
    """The numbers in one phone cell (see the module docstring); raises the row problem
    when a number lost digits."""
    cell = cell.strip()
    if _SCIENTIFIC.fullmatch(cell) or _FLOAT_ZERO.fullmatch(cell):  # "2,10123E+09", "2101234568,0"
        return [_one_number(cell, column)]
    numbers: list[str] = []
    for part in _PHONE_SPLIT.split(cell):
        ext = _ONLY_EXTENSION.match(part)
        if ext and numbers and " ext " not in numbers[-1]:
            numbers[-1] = f"{numbers[-1]} ext {ext.group(1)}"
            continue
        pieces = [p for p in part.split("/") if p.strip()]
        if len(pieces) > 1 and all(sum(ch.isdigit() for ch in p) >= MIN_SPLIT_DIGITS for p in pieces):
            numbers.extend(_one_number(p, column) for p in pieces)
        elif part.strip():
            numbers.append(_one_number(part, column))
    return numbers


@functools.lru_cache(maxsize=256)
def _contact_type(value: str) -> str:
    key = _header_key(value)
    if key in CONTACT_TYPES:
        return key
    return _TYPE_ALIASES.get(key, value.strip())


class _RowProblem(Exception):
    """A row-level problem: the row is rejected with this reason."""


_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


def _new_ids() -> Iterator[str]:
    """Random (version 4) UUID texts as ``records.new_id`` makes, from one ``os.urandom``
    call per 1,024: a large import makes 100,000 and ``str(uuid4())`` each took 1/6 of
    the parse. One generator per parse (a generator is not thread-safe)."""
    while True:
        block = os.urandom(16 * 1024).hex()
        for i in range(0, len(block), 32):
            h = block[i:i + 32]
            yield f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


def _build_contact(columns: list[_Column], cells: list[str], check_nul: bool = True,
                   ids: Iterator[str] | None = None) -> tuple[Contact, frozenset[str]]:
    if check_nul and any("\x00" in cell for cell in cells):
        raise _RowProblem(_("contains NUL characters (a damaged file?)"))
    if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns):]):
        raise _RowProblem(_("has {cells} cells but the header has {columns} (a value with an "
                            "unquoted delimiter?)").format(cells=len(cells), columns=len(columns)))
    values: dict[str, object] = {}
    phones: list[Phone] = []
    for column, cell in zip(columns, cells):
        if not cell or not (column.field or column.is_phone):
            continue
        cell = cell.strip()
        if not cell:
            continue
        if column.is_phone:
            label = column.phone_label or "work"
            if cell.isdigit():                      # most cells: one plain number
                phones.append(Phone(cell, label))
                continue
            for number in split_phones(cell, column.header):
                if not any(ch.isdigit() for ch in number):
                    raise _RowProblem(_("{column}: has no digits: {value!r}").format(
                        column=column.header, value=number))
                phones.append(Phone(number, label))
        elif column.field not in values:
            values[column.field] = cell
    if "popup_priority" in values:
        text = str(values["popup_priority"])
        try:
            values["popup_priority"] = int(text)
        except ValueError:
            raise _RowProblem(_("popup_priority: must be a whole number, not {value!r}").format(
                value=text)) from None
    if "type" in values:
        values["type"] = _contact_type(str(values["type"]))
    if not values.get("name"):
        composed = " ".join(str(values[k]) for k in ("first_name", "last_name") if values.get(k))
        values["name"] = composed
    present = _present(tuple(values), bool(phones))       # before a new id is added
    if ids is not None and "id" not in values:
        values["id"] = next(ids)
    contact = Contact(phones=phones, **values)  # type: ignore[arg-type]
    try:
        contact.validate()
    except RecordError as exc:
        raise _RowProblem(f"{exc.field}: {exc.problem}") from None
    return contact, present


@functools.lru_cache(maxsize=1024)
def _present(fields: tuple[str, ...], phones: bool) -> frozenset[str]:
    """The (shared) set of fields a row filled: rows of one file mostly fill the same ones."""
    return frozenset(fields + ("phones",) if phones else fields)


@contextlib.contextmanager
def without_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: an import makes ~1M objects that hold no cycles,
    and collections triggered by their number alone cost a third of the parse time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse_contacts_text(text: str, source: str = "<text>") -> ImportResult:
    """Parse CSV ``text`` (see the module docstring); ``source`` names it in messages."""
    with without_gc():
        return _parse_text(text, source)


def _parse_text(text: str, source: str) -> ImportResult:
    lines = text.splitlines()
    header_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if header_index is None:
        raise ImportFileError(_("{file}: is empty (a header row naming the columns is needed)").format(
            file=source))
    hint = re.fullmatch(r"\s*sep=(.)\s*", lines[header_index], re.IGNORECASE)  # Excel's "sep=;"
    if hint:
        result = ImportResult(delimiter=hint.group(1))
    else:
        result = ImportResult(delimiter=_pick_delimiter(lines[header_index]))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=result.delimiter, strict=True)
    if hint:
        for _line in range(header_index + 1):
            next(reader, None)
    header: list[str] = []
    try:
        while not any(cell.strip() for cell in header):
            header = next(reader)
    except (StopIteration, csv.Error):
        raise ImportFileError(_("{file}: has no readable header row naming the columns").format(
            file=source)) from None
    columns = [_column(cell, result.warnings) for cell in header]
    names = [c.field for c in columns]
    if not {"name", "first_name", "last_name"} & set(names):
        raise ImportFileError(_("{file}: the header row has no 'name' column (found: {found})").format(
            file=source, found=", ".join(repr(h) for h in header)))
    unknown = [c.header for c in columns if not c.known and c.header.strip()]
    if unknown:
        result.warnings.append(_("columns not imported (not a contact field): {columns}").format(
            columns=", ".join(repr(h) for h in unknown)))
    repeated = sorted({f for f in names if f and names.count(f) > 1})
    if repeated:
        result.warnings.append(_("columns given more than once (the first non-empty value is "
                                 "used): {columns}").format(columns=", ".join(repeated)))

    seen_ids: dict[str, int] = {}
    has_nul = "\x00" in text
    ids = _new_ids()
    while True:
        row_line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                result.rejected.append(RejectedRow(row_line, _(
                    "a quote opened here is never closed, so everything to the end of the file "
                    "was read as one value ({error})").format(error=exc)))
                break
            result.rejected.append(RejectedRow(row_line, _("is not valid CSV: {error}").format(error=exc)))
            continue
        if not "".join(cells).strip():
            continue
        try:
            contact, present = _build_contact(columns, cells, has_nul, ids)
        except _RowProblem as problem:
            result.rejected.append(RejectedRow(row_line, str(problem)))
            continue
        if contact.id in seen_ids:
            result.rejected.append(RejectedRow(row_line, _("id: {value!r} was already used on line {line}").format(
                value=contact.id, line=seen_ids[contact.id])))
            continue
        seen_ids[contact.id] = row_line
        result.rows.append(ImportRow(row_line, contact, present))
    return result


def parse_contacts_csv(path: Path | str, encoding: str | None = None) -> ImportResult:
    """Read contacts from a CSV file; raises :class:`ImportFileError` only when the file
    as a whole cannot be used (unreadable, wrong encoding, no header or no name column).
    ``encoding`` (e.g. ``cp1253``) reads a file not saved as UTF-8/UTF-16."""
    path = Path(path)
    text, used = _read_text(path, encoding)
    result = parse_contacts_text(text, str(path))
    result.encoding = used
    return result


# ---------------------------------------------------------------- other file types (.xlsx)

def header_field(header: str) -> str:
    """What a header cell is read as: a contact field name, ``phone`` or ``phone:<label>``,
    or "" when it is not a contact column (reports/xlsx_import.py guesses those)."""
    column = _column(header, [])
    if column.field:
        return column.field
    if column.is_phone:
        return f"phone:{column.phone_label}" if column.phone_label else "phone"
    return ""


def read_text(path: Path | str, encoding: str | None = None) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read with, as the import reads it."""
    return _read_text(Path(path), encoding)


class RowMapper:
    """Turns the rows of any table (an .xlsx sheet: reports/xlsx_import.py) into contacts
    exactly as CSV rows are turned: the same header meanings, phone cells and checks."""

    def __init__(self, headers: list[str]):
        self.warnings: list[str] = []
        self.columns = [_column(h, self.warnings) for h in headers]
        self.has_name = bool({"name", "first_name", "last_name"} & {c.field for c in self.columns})
        self._ids = _new_ids()

    def row(self, line: int, cells: list[str]) -> ImportRow | RejectedRow:
        """The contact of one data row (``line``: its row number in the file), or why not."""
        try:
            contact, present = _build_contact(self.columns, cells, True, self._ids)
        except _RowProblem as problem:
            return RejectedRow(line, str(problem))
        return ImportRow(line, contact, present)
