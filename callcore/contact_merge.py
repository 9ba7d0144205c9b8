"""Decide what an import writes, so it never damages contacts already there (issue 6 §4).

:func:`plan_import` is pure: given the parsed rows (:mod:`callcore.contact_import`) and
the contacts in the store, it returns the contacts to put and what happened to each row.

- A row whose ``id`` names an existing contact updates it: only the fields the row gave a
  value change (an empty cell or a missing column never blanks anything); its numbers are
  added to the contact's phones (an import never removes a phone).
- A new row sharing a number with a contact (already in the store, or an earlier row of
  the same file) is a duplicate, reported with both sides, and by ``duplicates``:
  ``merge`` (default): fill the fields the contact lacks and add the numbers it lacks,
  never overwriting a value it has; ``skip``: leave the row out; ``add``: add it anyway.
  A row without numbers is a duplicate of a contact with the same name and company.
- Numbers are compared as callers are matched (last N digits, prefixes stripped: see
  :mod:`callcore.numbers`), except that an extension counts: ``2101234567 ext 12`` and
  ``… ext 13`` are two people behind one switchboard, not a duplicate.

So running the same file twice changes nothing the second time (rows come back
``unchanged``), which is also what makes an interrupted import safe to run again.
:func:`write_contacts` then puts the planned contacts in batches (one journal write each).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable, Container, Iterable, Literal

from .contact_import import EXTENSION, ImportRow, without_gc
from .i18n import _
from .numbers import MatchRules, ascii_digits, match_key, normalize
from .records import Contact, Phone

BATCH_ROWS = 2000          # contacts per journal write (one fsync) during an import
DuplicateMode = Literal["merge", "skip", "add"]
DUPLICATE_MODES: tuple[str, ...] = ("merge", "skip", "add")
# Fields a merge never fills: they always have a value (a default), so "missing" has no meaning.
_NEVER_FILLED = {"id", "phones", "type", "popup_priority"}


def phone_key(number: str, rules: MatchRules) -> str:
    """What two numbers are compared on for duplicates: the caller-matching key plus the
    extension, if any ("" when the number has no digits)."""
    ext = None if number.isdigit() else EXTENSION.match(number)
    base, suffix = (ext.group(1), "x" + ext.group(2)) if ext else (number, "")
    normalized = normalize(base, rules)
    key = match_key(normalized, rules) if normalized else ascii_digits(base)
    return key + suffix if key else ""


def _name_key(contact: Contact) -> str:
    return " ".join(contact.name.casefold().split()) + "\x1f" + " ".join(contact.company.casefold().split())


@dataclass(frozen=True)
class Duplicate:
    """Row ``row`` shares ``number`` (or, without numbers, its name) with ``other``."""

    row: int
    number: str
    other_name: str
    other_row: int | None          # the earlier row of the file, or None: already stored
    action: str                    # merged | skipped | added | unchanged | kept on both
    kept: tuple[str, ...] = ()     # fields whose stored value differs from the file's (kept)

    @staticmethod
    def action_text(action: str) -> str:
        return {"merged": _("merged"), "skipped": _("skipped"), "added": _("added anyway"),
                "unchanged": _("unchanged"), "kept on both": _("kept on both")}.get(action, action)

    def __str__(self) -> str:
        where = (_("row {row}").format(row=self.other_row) if self.other_row is not None
                 else _("already in the directory"))
        what = (_("number {number}").format(number=self.number) if self.number
                else _("same name and company"))
        text = _("{what} is also {name!r} ({where}): {action}").format(
            what=what, name=self.other_name, where=where, action=self.action_text(self.action))
        if self.kept:
            text += _("; kept the existing {fields} (the file differs)").format(fields=", ".join(self.kept))
        return text


@dataclass
class ImportPlan:
    writes: list[Contact] = field(default_factory=list)   # put these, in this order
    added: int = 0          # new contacts
    updated: int = 0        # existing contacts that change
    unchanged: int = 0      # rows that changed nothing (e.g. the same file imported again)
    merged_rows: int = 0    # rows merged into another contact (existing or an earlier row)
    skipped: int = 0        # duplicate rows left out (duplicates="skip")
    duplicates: list[Duplicate] = field(default_factory=list)
    # ids of the new contacts among ``writes``: made only from the file's rows, which the
    # parser validated, so write_contacts(validated=...) need not validate them again
    validated: set[str] = field(default_factory=set)


class _Planner:
    def __init__(self, existing: Iterable[Contact], rules: MatchRules):
        self.rules = rules
        self.existing: dict[str, Contact] = {}
        self.by_number: dict[str, str] = {}        # phone key -> first contact id owning it
        self.by_name: dict[str, str] | None = None  # name key -> contact id, built at the first phone-less row
        self.state: dict[str, Contact] = {}        # contacts touched by this import, as planned
        self.row_of: dict[str, int] = {}           # contact id -> the file row that created it
        for contact in existing:
            self.existing[contact.id] = contact
            self._index(contact)

    def keys(self, contact: Contact) -> list[str]:
        return [k for k in (phone_key(p.number, self.rules) for p in contact.phones) if k]

    def _index(self, contact: Contact, keys: list[str] | None = None) -> None:
        cid, by_number = contact.id, self.by_number
        for key in self.keys(contact) if keys is None else keys:
            if key not in by_number:
                by_number[key] = cid
        if self.by_name is not None:
            self.by_name.setdefault(_name_key(contact), cid)

    def by_name_key(self, contact: Contact) -> str | None:
        if self.by_name is None:
            self.by_name = {}
            for other in (*self.existing.values(), *self.state.values()):
                self.by_name.setdefault(_name_key(other), other.id)
        return self.by_name.get(_name_key(contact))

    def current(self, contact_id: str) -> Contact | None:
        return self.state.get(contact_id) or self.existing.get(contact_id)

    def add_phones(self, base: list[Phone], extra: Iterable[Phone]) -> list[Phone]:
        phones = list(base)
        keys = {phone_key(p.number, self.rules) for p in phones}
        for phone in extra:
            key = phone_key(phone.number, self.rules)
            if key not in keys:
                keys.add(key)
                phones.append(phone)
        return phones

    def owner(self, row: ImportRow, keys: list[str]) -> tuple[str | None, str]:
        """The contact this new row duplicates (and the shared number), if any."""
        for phone, key in zip(row.contact.phones, keys):
            cid = self.by_number.get(key)
            if cid is not None:
                return cid, phone.number
        if not row.contact.phones:
            return self.by_name_key(row.contact), ""
        return None, ""


def _update(base: Contact, row: ImportRow, planner: _Planner) -> Contact:
    """``base`` with the fields the row gave a value overwritten and its numbers added."""
    changes = {f: getattr(row.contact, f) for f in row.present if f not in ("id", "phones")}
    changes["phones"] = planner.add_phones(base.phones, row.contact.phones)
    return dataclasses.replace(base, **changes)


def _fill(base: Contact, row: ImportRow, planner: _Planner) -> tuple[Contact, tuple[str, ...]]:
    """``base`` with only its empty fields filled from the row and missing numbers added;
    also the fields where the file has another value (kept as stored)."""
    changes: dict[str, object] = {}
    kept: list[str] = []
    for name in sorted(row.present - _NEVER_FILLED):
        value, have = getattr(row.contact, name), getattr(base, name)
        if not have:
            changes[name] = value
        elif have != value:
            kept.append(name)
    changes["phones"] = planner.add_phones(base.phones, row.contact.phones)
    return dataclasses.replace(base, **changes), tuple(kept)


def plan_import(rows: Iterable[ImportRow], existing: Iterable[Contact], rules: MatchRules | None = None,
                duplicates: DuplicateMode = "merge") -> ImportPlan:
    """What to write for ``rows`` given the ``existing`` contacts (see the module docstring).
    The existing contacts are never mutated (changed copies are returned)."""
    if duplicates not in DUPLICATE_MODES:
        raise ValueError(f"duplicates must be one of {DUPLICATE_MODES}, not {duplicates!r}")
    with without_gc():
        return _plan(rows, _Planner(existing, rules or MatchRules()), duplicates)


def _plan(rows: Iterable[ImportRow], planner: _Planner, duplicates: DuplicateMode) -> ImportPlan:
    plan = ImportPlan()
    order: list[str] = []
    for row in rows:
        cid, duplicate, keys = row.contact.id, None, None
        base = planner.current(cid) if "id" in row.present else None
        if base is not None:
            new = _update(base, row, planner)
            for phone in row.contact.phones:            # a number that another contact has too
                owner = planner.by_number.get(phone_key(phone.number, planner.rules))
                other = planner.current(owner) if owner is not None and owner != cid else None
                if other is not None:
                    plan.duplicates.append(Duplicate(row.row, phone.number, other.name,
                                                     planner.row_of.get(owner), "kept on both"))
        else:
            keys = [phone_key(p.number, planner.rules) for p in row.contact.phones]
            owner, number = planner.owner(row, keys)
            other = planner.current(owner) if owner is not None else None
            if other is None or owner is None:          # a new contact: the common case, short
                contact = row.contact
                if len(set(keys)) < len(keys):          # one number twice in the row: keep it once
                    contact = dataclasses.replace(contact, phones=planner.add_phones([], contact.phones))
                keys = [k for k in dict.fromkeys(keys) if k]
                planner.row_of[cid] = row.row
                order.append(cid)
                planner.state[cid] = contact
                planner._index(contact, keys)
                continue
            if duplicates == "merge":
                new, kept = _fill(other, row, planner)
                cid = owner
                duplicate = Duplicate(row.row, number, other.name, planner.row_of.get(owner), "merged", kept)
            else:
                plan.duplicates.append(Duplicate(row.row, number, other.name, planner.row_of.get(owner),
                                                 "skipped" if duplicates == "skip" else "added"))
                if duplicates == "skip":
                    plan.skipped += 1
                    continue
                new = row.contact
                keys = [k for k in keys if k]
            if planner.current(cid) is None:
                planner.row_of[cid] = row.row
        if planner.current(cid) == new:
            plan.unchanged += 1
            if duplicate is not None and duplicate.kept:     # the file's other values were not taken
                plan.duplicates.append(dataclasses.replace(duplicate, action="unchanged"))
            continue
        if duplicate is not None:
            plan.merged_rows += 1
            plan.duplicates.append(duplicate)
        if cid not in planner.state:
            order.append(cid)
        planner.state[cid] = new
        planner._index(new, keys if new is row.contact else None)
    for cid in order:
        contact = planner.state[cid]
        if cid in planner.existing:
            plan.updated += 1
        else:
            plan.added += 1
            plan.validated.add(cid)
        plan.writes.append(contact)
    return plan


def write_contacts(store: Any, contacts: list[Contact], batch_rows: int = BATCH_ROWS,
                   on_batch: Callable[[int], None] | None = None,
                   validated: Container[str] = frozenset()) -> list[tuple[Contact, str]]:
    """Put ``contacts`` into ``store`` in batches of ``batch_rows``, each one durable journal
    write (a per-contact fsync made 100,000 rows take 81 s). Killed midway, the batches
    written are kept and importing the same file again merges onto them. Returns the
    contacts the store refused, with why (the others are written regardless).
    ``validated``: ids of contacts this process has validated already (``ImportPlan.validated``),
    written without validating again; every other contact is validated by the store.
    ``on_batch(n)`` is called after each committed batch of ``n`` contacts."""
    refused: list[tuple[Contact, str]] = []
    repo = store.contacts
    with without_gc():
        for start in range(0, len(contacts), batch_rows):
            chunk = contacts[start:start + batch_rows]
            checked = [c for c in chunk if c.id in validated] if validated else []
            others = [c for c in chunk if c.id not in validated] if checked else chunk
            with store.batch():
                if checked:
                    repo.put_many(checked, validated=True)
                refused += [(contact, str(exc)) for contact, exc in repo.put_many(others)]
            if on_batch is not None:
                on_batch(len(chunk))
    return refused
