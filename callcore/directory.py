"""The in-memory contact directory: who is calling (number lookup) and search-as-you-type.

Pure and I/O free: the store hands it :class:`~callcore.records.Contact` objects
(``load``/``put``/``remove``) and the popup and dial directory ask it questions. Call
``put`` again after changing a contact; the index keeps references, not copies.

Structures, chosen for 100,000 contacts with 3 phones each (see docs/perf/directory.md):

- number lookup: a dict from the last N digits of every normalised phone to the phones
  with that key (and, when similar matching is on, a second dict keyed without the last
  digit);
- name search: a sorted list of whole folded names and a sorted list of folded words,
  searched by prefix with ``bisect``; a substring fallback (queries of 3+ characters) runs
  ``str.find`` over one joined text of all contacts, rebuilt lazily after many edits.

All public methods take an internal lock, so the popup may look up a number on one thread
while the store merges an edit on another.
"""
from __future__ import annotations

import sys
import threading
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Literal

from .numbers import MatchRules, ascii_digits, common_suffix_length, match_key, normalize
from .records import Contact, Phone
from .textfold import fold_words

__all__ = ["Directory", "Match", "MatchRules"]

# Substring search only from this many characters: shorter fragments match nearly
# everything and are served by prefix search alone.
MIN_SUBSTRING_QUERY = 3

MatchKind = Literal["exact", "similar"]


@dataclass(frozen=True)
class Match:
    """One contact phone that matches a number; ``digits_matched`` counts the trailing
    digits the two normalised numbers share (more is a better match)."""

    contact: Contact
    phone: Phone
    kind: MatchKind
    digits_matched: int = 0


# (contact id, phone, normalised number): one indexed phone.
_PhoneEntry = tuple[str, Phone, str]


@dataclass(frozen=True)
class _SearchForm:
    """What the name index holds for one contact (kept to un-index it later)."""

    sort_name: str                 # folded name words joined by one space
    name_keys: tuple[str, ...]     # whole-name prefix keys (name, short name)
    words: tuple[str, ...]         # folded words of name, first/last/short name, company
    phone_text: str                # " "-prefixed digits of every phone, raw and normalised


class _SubstringIndex:
    """Contacts whose text contains a fragment, found with ``str.find`` over one joined
    text in name order. Edits are kept aside in ``_changed`` (searched one by one) until
    there are enough of them to pay for a rebuild."""

    REBUILD_AFTER = 500

    def __init__(self, sort_key: Callable[[str], tuple[str, str]]):
        self._sort_key = sort_key
        self._texts: dict[str, str] = {}
        self._blob = ""
        self._starts: list[int] = []
        self._ids: list[str] = []
        self._changed: set[str] = set()

    def reset(self, texts: dict[str, str]) -> None:
        self._texts = texts
        self._rebuild()

    def set(self, contact_id: str, text: str) -> None:
        self._texts[contact_id] = text
        self._changed.add(contact_id)

    def discard(self, contact_id: str) -> None:
        self._texts.pop(contact_id, None)
        self._changed.add(contact_id)

    def text(self, contact_id: str) -> str:
        return self._texts.get(contact_id, "")

    def _rebuild(self) -> None:
        ids = sorted(self._texts, key=self._sort_key)
        starts, pos = [], 0
        for contact_id in ids:
            starts.append(pos)
            pos += len(self._texts[contact_id]) + 1
        self._blob = "\x1f".join(self._texts[c] for c in ids)
        self._starts, self._ids = starts, ids
        self._changed = set()

    def find(self, fragment: str, limit: int, skip: set[str]) -> list[str]:
        """Up to ``limit`` ids (not in ``skip``) whose text contains ``fragment``, in name order."""
        if len(self._changed) > self.REBUILD_AFTER:
            self._rebuild()
        hits: list[str] = []
        blob, starts, ids, changed = self._blob, self._starts, self._ids, self._changed
        pos, end = 0, len(blob)
        while len(hits) < limit:
            at = blob.find(fragment, pos)
            if at < 0:
                break
            i = bisect_right(starts, at) - 1
            pos = starts[i + 1] if i + 1 < len(starts) else end
            contact_id = ids[i]
            if contact_id not in changed and contact_id not in skip:
                hits.append(contact_id)
        extra = [c for c in changed if c not in skip and fragment in self._texts.get(c, "")]
        if extra:
            hits = sorted(hits + extra, key=self._sort_key)[:limit]
        return hits


def _prefix_range(entries: list, prefix: str) -> Iterator:
    """The entries of a sorted list of tuples whose first item starts with ``prefix``."""
    for i in range(bisect_left(entries, (prefix,)), len(entries)):
        entry = entries[i]
        if not entry[0].startswith(prefix):
            return
        yield entry


class Directory:
    """Number lookup and name search over a set of contacts (see the module docstring)."""

    def __init__(self, rules: MatchRules | None = None):
        self.rules = rules or MatchRules()
        self._lock = threading.RLock()
        self._clear()

    # ----------------------------------------------------------------- maintenance
    def _clear(self) -> None:
        self._contacts: dict[str, Contact] = {}
        self._phones: dict[str, tuple[_PhoneEntry, ...]] = {}      # cid -> its indexed phones
        self._by_key: dict[str, tuple[_PhoneEntry, ...]] = {}      # last N digits -> phones
        self._by_stem: dict[str, tuple[_PhoneEntry, ...]] = {}     # same without last digit
        self._forms: dict[str, _SearchForm] = {}
        self._names: list[tuple[str, str]] = []                    # (whole-name key, cid), sorted
        self._words: list[tuple[str, str, str]] = []               # (word, sort name, cid), sorted
        self._name_text = _SubstringIndex(self._sort_key)
        self._phone_text = _SubstringIndex(self._sort_key)

    def _sort_key(self, contact_id: str) -> tuple[str, str]:
        return (self._forms[contact_id].sort_name, contact_id)

    def __len__(self) -> int:
        return len(self._contacts)

    def __contains__(self, contact_id: object) -> bool:
        return contact_id in self._contacts

    def get(self, contact_id: str) -> Contact | None:
        return self._contacts.get(contact_id)

    def load(self, contacts: Iterable[Contact]) -> None:
        """Replace the whole index with ``contacts`` (e.g. at start-up)."""
        with self._lock:
            self._clear()
            names_text: dict[str, str] = {}
            phones_text: dict[str, str] = {}
            for contact in contacts:
                if contact.id in self._contacts:
                    self._unindex(contact.id, bulk=True)
                self._index(contact, bulk=True)
                form = self._forms[contact.id]
                names_text[contact.id] = " ".join(form.words)
                phones_text[contact.id] = form.phone_text
            self._names.sort()
            self._words.sort()
            self._name_text.reset(names_text)
            self._phone_text.reset(phones_text)

    def put(self, contact: Contact) -> None:
        """Add ``contact`` or replace the one with the same id (phones and name re-indexed)."""
        with self._lock:
            if contact.id in self._contacts:
                self._unindex(contact.id, bulk=False)
            self._index(contact, bulk=False)
            form = self._forms[contact.id]
            self._name_text.set(contact.id, " ".join(form.words))
            self._phone_text.set(contact.id, form.phone_text)

    def remove(self, contact_id: str) -> None:
        """Forget a contact (no error when it is not there)."""
        with self._lock:
            if contact_id in self._contacts:
                self._unindex(contact_id, bulk=False)
                self._name_text.discard(contact_id)
                self._phone_text.discard(contact_id)

    def _index(self, contact: Contact, bulk: bool) -> None:
        cid = contact.id
        self._contacts[cid] = contact
        entries: list[_PhoneEntry] = []
        phone_digits: list[str] = []
        for phone in contact.phones:
            raw = ascii_digits(phone.number)
            if raw and raw not in phone_digits:
                phone_digits.append(raw)
            normalized = normalize(phone.number, self.rules)
            if normalized is None:
                continue
            if normalized not in phone_digits:
                phone_digits.append(normalized)
            entry = (cid, phone, normalized)
            entries.append(entry)
            key = match_key(normalized, self.rules)
            self._by_key[key] = self._by_key.get(key, ()) + (entry,)
            if self.rules.similar and len(key) > 1:
                stem = key[:-1]
                self._by_stem[stem] = self._by_stem.get(stem, ()) + (entry,)
        self._phones[cid] = tuple(entries)

        name_words = fold_words(contact.name)
        sort_name = sys.intern(" ".join(name_words))
        name_keys = [sort_name]
        short = " ".join(fold_words(contact.short_name))
        if short and short != sort_name:
            name_keys.append(short)
        words: list[str] = []
        for text in (contact.name, contact.first_name, contact.last_name, contact.short_name,
                     contact.company):
            for word in fold_words(text) if text else ():
                if word not in words:
                    words.append(sys.intern(word))
        phone_text = " " + " ".join(phone_digits) if phone_digits else ""
        self._forms[cid] = _SearchForm(sort_name, tuple(name_keys), tuple(words), phone_text)
        add = list.append if bulk else insort
        for key in name_keys:
            add(self._names, (key, cid))
        for word in words:
            add(self._words, (word, sort_name, cid))

    def _unindex(self, cid: str, bulk: bool) -> None:
        del self._contacts[cid]
        for entry in self._phones.pop(cid, ()):
            key = match_key(entry[2], self.rules)
            self._drop(self._by_key, key, cid)
            if self.rules.similar and len(key) > 1:
                self._drop(self._by_stem, key[:-1], cid)
        form = self._forms.pop(cid)
        if bulk:  # load() with a duplicate id: lists are not sorted yet
            self._names = [e for e in self._names if e[1] != cid]
            self._words = [e for e in self._words if e[2] != cid]
            return
        for key in form.name_keys:
            self._remove_sorted(self._names, (key, cid))
        for word in form.words:
            self._remove_sorted(self._words, (word, form.sort_name, cid))

    @staticmethod
    def _drop(index: dict[str, tuple[_PhoneEntry, ...]], key: str, cid: str) -> None:
        kept = tuple(e for e in index.get(key, ()) if e[0] != cid)
        if kept:
            index[key] = kept
        else:
            index.pop(key, None)

    @staticmethod
    def _remove_sorted(entries: list, entry: tuple) -> None:
        i = bisect_left(entries, entry)
        if i < len(entries) and entries[i] == entry:
            del entries[i]

    # ----------------------------------------------------------------- number lookup
    def normalize(self, number: str) -> str | None:
        """``number`` as comparable digits; None when excluded by the length settings."""
        return normalize(number, self.rules)

    def lookup(self, number: str) -> list[Match]:
        """Every contact with a phone matching ``number``, best first: exact matches (last
        N digits equal) before similar ones (only the last digit differs; only when
        ``rules.similar``), then more digits matched, higher popup priority, name.
        A contact appears once, with its best-matching phone."""
        normalized = normalize(number, self.rules)
        if normalized is None:
            return []
        key = match_key(normalized, self.rules)
        with self._lock:
            best: dict[str, Match] = {}
            for cid, phone, stored in self._by_key.get(key, ()):
                digits = common_suffix_length(normalized, stored)
                if cid not in best or digits > best[cid].digits_matched:
                    best[cid] = Match(self._contacts[cid], phone, "exact", digits)
            if self.rules.similar and len(key) > 1:
                for cid, phone, stored in self._by_stem.get(key[:-1], ()):
                    stored_key = match_key(stored, self.rules)
                    if cid in best or len(stored_key) != len(key) or stored_key == key:
                        continue
                    digits = common_suffix_length(normalized[:-1], stored[:-1])
                    best[cid] = Match(self._contacts[cid], phone, "similar", digits)
            return sorted(best.values(), key=self._match_rank)

    def _match_rank(self, match: Match) -> tuple:
        return (match.kind != "exact", -match.digits_matched, -match.contact.popup_priority,
                self._forms[match.contact.id].sort_name, match.contact.id)

    # ----------------------------------------------------------------- name search
    def search(self, text: str, limit: int = 50) -> list[Contact]:
        """Contacts for search-as-you-type, case- and accent-insensitive in every script.

        Every typed word must start a word of the contact's name, first/last/short name
        or company (digits may also occur anywhere in a phone). Ranked: whole name starts
        with the query, then a word starts with it, then (3+ characters) the text occurs
        anywhere; within a rank by name. A query of digits only searches phones: the
        number itself first, then phones starting with, then containing, the digits.
        """
        tokens = fold_words(text)
        if not tokens or limit <= 0:
            return []
        with self._lock:
            found: list[str] = []
            seen: set[str] = set()

            def take(ids: Iterable[str], check: Callable[[str], bool] | None = None) -> bool:
                """Add new ids in order; True once ``limit`` is reached."""
                for cid in ids:
                    if len(found) >= limit:
                        return True
                    if cid in seen or (check is not None and not check(cid)):
                        continue
                    seen.add(cid)
                    found.append(cid)
                return len(found) >= limit

            if all(t.isdigit() for t in tokens):
                self._search_number(text, "".join(tokens), take, limit, seen)
            else:
                self._search_words(tokens, take, limit, seen)
            return [self._contacts[cid] for cid in found]

    def _token_matches(self, cid: str, token: str) -> bool:
        form = self._forms[cid]
        if any(word.startswith(token) for word in form.words):
            return True
        return token.isdigit() and token in form.phone_text

    def _search_words(self, tokens: list[str], take, limit: int, seen: set[str]) -> None:
        whole = " ".join(tokens)
        if take(entry[1] for entry in _prefix_range(self._names, whole)):
            return
        driver = max((t for t in tokens if not t.isdigit()), key=len)
        others = list(tokens)
        others.remove(driver)

        def all_others(cid: str) -> bool:
            return all(self._token_matches(cid, t) for t in others)

        if take((entry[2] for entry in _prefix_range(self._words, driver)),
                all_others if others else None):
            return
        if len(whole) >= MIN_SUBSTRING_QUERY:
            take(self._name_text.find(whole, limit, seen))

    def _search_number(self, text: str, digits: str, take, limit: int, seen: set[str]) -> None:
        if take(m.contact.id for m in self.lookup(text) if m.kind == "exact"):
            return
        if take(self._phone_text.find(" " + digits, limit, seen)):
            return
        take(self._phone_text.find(digits, limit, seen))
