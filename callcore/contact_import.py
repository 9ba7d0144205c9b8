"""Read contacts from a CSV file (SPEC DIR-4; ``contacts import FILE.csv``).

The file is UTF-8 (with or without a BOM), comma-, semicolon- or tab-separated, with a
header row naming the columns: ``name``, ``type``, ``phone`` (repeatable, or several
numbers in one cell separated by ``;`` ``,`` or ``|``), ``company`` and any other contact
field by its name. Phone columns may carry a label: ``phone:mobile``, ``mobile``,
``home_phone``, ``fax`` …

Every data row becomes either a validated :class:`~callcore.records.Contact` or a
:class:`RejectedRow` naming its line in the file, the field and the problem: a bad row never
stops the good ones. Only a file that cannot be read as CSV at all (not UTF-8, no header,
no name column) raises :class:`ImportFileError`. Nothing is stored here; the caller puts
the contacts into the store.
"""
from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

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


@dataclass
class ImportResult:
    contacts: list[Contact] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    delimiter: str = ","


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


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(_("{file}: cannot be read: {error}").format(
            file=path, error=exc.strerror or exc)) from None
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = bom + exc.start
        line = data.count(b"\n", 0, offset) + 1
        raise ImportFileError(_(
            "{file}: is not UTF-8 text (byte {offset} on line {line} is 0x{byte:02x}); "
            "save it as 'CSV UTF-8' and try again").format(
            file=path, offset=offset, line=line, byte=data[offset])) from None


def _pick_delimiter(header_line: str) -> str:
    """The delimiter under which the header names the most known columns."""
    def score(delimiter: str) -> tuple[int, int]:
        cells = next(csv.reader([header_line], delimiter=delimiter), [])
        known = sum(1 for cell in cells if _column(cell, []).known)
        return known, len(cells)
    return max(DELIMITERS, key=score)


def _split_phones(cell: str) -> list[str]:
    return [part.strip() for part in _PHONE_SPLIT.split(cell) if part.strip()]


def _contact_type(value: str) -> str:
    key = _header_key(value)
    if key in CONTACT_TYPES:
        return key
    return _TYPE_ALIASES.get(key, value.strip())


class _RowProblem(Exception):
    """A row-level problem: the row is rejected with this reason."""


def _build_contact(columns: list[_Column], cells: list[str]) -> Contact:
    if any("\x00" in cell for cell in cells):
        raise _RowProblem(_("contains NUL characters (a damaged file?)"))
    if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns):]):
        raise _RowProblem(_("has {cells} cells but the header has {columns} (a value with an "
                            "unquoted delimiter?)").format(cells=len(cells), columns=len(columns)))
    values: dict[str, object] = {}
    phones: list[Phone] = []
    for column, cell in zip(columns, cells):
        cell = cell.strip()
        if not cell or not column.known:
            continue
        if column.is_phone:
            for number in _split_phones(cell):
                if not any(ch.isdigit() for ch in number):
                    raise _RowProblem(_("{column}: has no digits: {value!r}").format(
                        column=column.header, value=number))
                phones.append(Phone(number, column.phone_label) if column.phone_label else Phone(number))
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
    contact = Contact(phones=phones, **values)  # type: ignore[arg-type]
    try:
        contact.validate()
    except RecordError as exc:
        raise _RowProblem(f"{exc.field}: {exc.problem}") from None
    return contact


def parse_contacts_text(text: str, source: str = "<text>") -> ImportResult:
    """Parse CSV ``text`` (see the module docstring); ``source`` names it in messages."""
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
        if not any(cell.strip() for cell in cells):
            continue
        try:
            contact = _build_contact(columns, cells)
        except _RowProblem as problem:
            result.rejected.append(RejectedRow(row_line, str(problem)))
            continue
        if contact.id in seen_ids:
            result.rejected.append(RejectedRow(row_line, _("id: {value!r} was already used on line {line}").format(
                value=contact.id, line=seen_ids[contact.id])))
            continue
        seen_ids[contact.id] = row_line
        result.contacts.append(contact)
    return result


def parse_contacts_csv(path: Path | str) -> ImportResult:
    """Read contacts from a CSV file; raises :class:`ImportFileError` only when the file
    as a whole cannot be used (unreadable, not UTF-8, no header or no name column)."""
    path = Path(path)
    return parse_contacts_text(_read_text(path), str(path))
