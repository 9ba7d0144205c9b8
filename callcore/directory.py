"""The in-memory contact directory: who is calling (number lookup) and search-as-you-type.

Pure and I/O free: the store hands it :class:`~callcore.records.Contact` objects
(``load``/``put``/``remove``) and the popup and dial directory ask it questions. Call
``put`` again after changing a contact; the index keeps references, not copies.

Structures, chosen for 100,000 contacts with 3 phones each (see docs/perf/directory.md):

- number lookup: a dict from the last N digits of every normalised phone to the id(s) of
  the contacts owning it (similar matching probes the nine keys that differ in the last
  digit); the matching phone is found again on the contact at lookup time;
- name search: a sorted list of whole folded names and a sorted list of folded words,
  searched by prefix with ``bisect``; a substring fallback (queries of 3+ characters) runs
  ``str.find`` over one joined text of all contacts, rebuilt lazily after many edits.

All public methods take an internal lock, so the popup may look up a number on one thread
while the store merges an edit on another.
"""
from __future__ import annotations

import gc
import threading
from array import array
from bisect import bisect_left, bisect_right, insort
from sys import intern
from dataclasses import dataclass
from operator import itemgetter
from typing import Callable, Iterable, Iterator, Literal, NamedTuple

from .numbers import (MatchRules, ascii_digits, common_suffix_length, match_key, normalize,
                      strip_prefixes)
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


class _SearchForm(NamedTuple):
    """What the index holds for one contact (also what is needed to un-index it later)."""

    sort_name: str                 # folded name words joined by one space
    name_keys: tuple[str, ...]     # whole-name prefix keys (name, short name)
    words: tuple[str, ...]         # folded words of name, first/last/short name, company
    phone_keys: tuple[str, ...]    # the number-lookup keys of its phones


class _SubstringIndex:
    """Contacts whose text contains a fragment, found with ``str.find`` over one joined
    text in name order. Edited contacts are kept aside in ``_changed`` (searched one by
    one) until there are enough of them to pay for a rebuild. Texts are not stored
    twice: ``text_of`` gives a contact's current text (None once it is removed)."""

    REBUILD_AFTER = 500

    def __init__(self, ids: Callable[[], Iterable[str]], text_of: Callable[[str], str | None],
                 sort_key: Callable[[str], tuple[str, str]]):
        self._all_ids = ids
        self._text_of = text_of
        self._sort_key = sort_key
        self._blob = ""
        self._starts = array("q")
        self._ids: list[str] = []
        self._changed: set[str] = set()

    def changed(self, contact_id: str) -> None:
        """``contact_id`` was added, edited or removed since the last rebuild."""
        self._changed.add(contact_id)

    def rebuild(self, ids: list[str] | None = None, texts: list[str] | None = None) -> None:
        """Join all texts again; ``ids`` (already in name order) and their ``texts`` may
        be passed by a bulk load that has them at hand."""
        if ids is None:
            ids = sorted(self._all_ids(), key=self._sort_key)
        if texts is None:
            texts = [self._text_of(c) or "" for c in ids]
        starts, pos = array("q"), 0   # 8 bytes per start instead of a 36-byte int object
        for text in texts:
            starts.append(pos)
            pos += len(text) + 1
        self._blob = "\x1f".join(texts)
        self._starts, self._ids = starts, ids
        self._changed = set()

    def find(self, fragment: str, limit: int, skip: set[str]) -> list[str]:
        """Up to ``limit`` ids (not in ``skip``) whose text contains ``fragment``, in name order."""
        if len(self._changed) > self.REBUILD_AFTER:
            self.rebuild()
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
        extra = [c for c in changed if c not in skip and fragment in (self._text_of(c) or "")]
        if extra:
            hits = sorted(hits + extra, key=self._sort_key)[:limit]
        return hits


def _sort_word_entries(entries: list[tuple[str, str, str]]) -> None:
    """Sort (word, sort name, id) entries in place, as ``entries.sort()`` would.

    Why not just that (~240 ms of a 100,000-contact load): comparing tuples compares
    their first strings twice (equal? then less?). Sorting on the word alone and then
    sorting each run of entries sharing a word (short: names vary) takes ~180 ms."""
    entries.sort(key=itemgetter(0))
    runs: list[tuple[int, int]] = []
    start, previous = 0, None
    for i, entry in enumerate(entries):
        if entry[0] != previous:
            if i - start > 1:
                runs.append((start, i))
            start, previous = i, entry[0]
    if len(entries) - start > 1:
        runs.append((start, len(entries)))
    for start, end in runs:
        entries[start:end] = sorted(entries[start:end])


def _prefix_bounds(entries: list, prefix: str) -> tuple[int, int]:
    """Where the entries of a sorted list of tuples whose first item starts with
    ``prefix`` begin and end."""
    return bisect_left(entries, (prefix,)), bisect_left(entries, (prefix + "\U0010ffff",))


def _prefix_range(entries: list, prefix: str) -> Iterator:
    """The entries of a sorted list of tuples whose first item starts with ``prefix``."""
    lo, hi = _prefix_bounds(entries, prefix)
    for i in range(lo, hi):
        yield entries[i]


class Directory:
    """Number lookup and name search over a set of contacts (see the module docstring)."""

    def __init__(self, rules: MatchRules | None = None):
        self.rules = rules or MatchRules()
        self._lock = threading.RLock()
        self._clear()

    # ----------------------------------------------------------------- maintenance
    def _clear(self) -> None:
        self._contacts: dict[str, Contact] = {}
        # last N digits -> the id, or a tuple of ids, of contacts with a phone ending so
        # (a bare id for the common single owner saves ~15 MB at 300,000 phones).
        self._by_key: dict[str, str | tuple[str, ...]] = {}
        self._forms: dict[str, _SearchForm] = {}
        self._phone_keys: dict[str, tuple[str, ...]] = {}    # between the two passes of load()
        self._names_pending = False     # load() is between its passes: lookup reads lock-free
        self._names: list[tuple[str, str]] = []                    # (whole-name key, cid), sorted
        self._words: list[tuple[str, str, str]] = []               # (word, sort name, cid), sorted
        self._name_text = _SubstringIndex(self._forms.keys, self._words_text, self._sort_key)
        self._phone_text = _SubstringIndex(self._forms.keys, self._phones_text, self._sort_key)

    def _sort_key(self, contact_id: str) -> tuple[str, str]:
        return (self._forms[contact_id].sort_name, contact_id)

    def _words_text(self, contact_id: str) -> str | None:
        """The text name substring search looks in: every folded word of the contact."""
        form = self._forms.get(contact_id)
        return " ".join(form.words) if form else None

    def _phones_text(self, contact_id: str) -> str | None:
        """The text digit search looks in: the contact's phones, normalised (or as typed
        when excluded from matching by length), each after a space so " 210" finds
        numbers starting with 210. Computed when needed rather than kept."""
        contact = self._contacts.get(contact_id)
        if contact is None:
            return None
        digits: list[str] = []
        for phone in contact.phones:
            form = normalize(phone.number, self.rules) or ascii_digits(phone.number)
            if form and form not in digits:
                digits.append(form)
        return " " + " ".join(digits) if digits else ""

    def __len__(self) -> int:
        return len(self._contacts)

    def __contains__(self, contact_id: object) -> bool:
        return contact_id in self._contacts

    def get(self, contact_id: str) -> Contact | None:
        return self._contacts.get(contact_id)

    def load(self, contacts: Iterable[Contact],
             on_numbers_ready: Callable[[], None] | None = None) -> None:
        """Replace the whole index with ``contacts`` (e.g. at start-up), in two passes:
        phone numbers first, then names. Between the passes ``on_numbers_ready`` is called
        and ``lookup`` already answers (without waiting for the lock), so a popup can
        identify a caller about a second before name search is ready."""
        gc_was_enabled = gc.isenabled()
        gc.disable()  # a bulk build creates ~1M objects; cyclic GC passes would only slow it
        try:
            with self._lock:
                self._clear()
                unique = {contact.id: contact for contact in contacts}   # a repeated id: last wins
                phone_texts = {cid: self._index_phones(contact) for cid, contact in unique.items()}
                self._names_pending = True
                if on_numbers_ready is not None:
                    on_numbers_ready()
                try:
                    name_texts = {cid: self._index_names(contact, bulk=True)
                                  for cid, contact in unique.items()}
                    self._names.sort()
                    _sort_word_entries(self._words)
                    forms = self._forms
                    in_name_order = [cid for key, cid in self._names if key is forms[cid].sort_name]
                    self._name_text.rebuild(in_name_order, [name_texts[c] for c in in_name_order])
                    self._phone_text.rebuild(in_name_order, [phone_texts[c] for c in in_name_order])
                finally:
                    self._names_pending = False
        finally:
            if gc_was_enabled:
                gc.enable()

    def put(self, contact: Contact) -> None:
        """Add ``contact`` or replace the one with the same id (phones and name re-indexed)."""
        with self._lock:
            if contact.id in self._contacts:
                self._unindex(contact.id, bulk=False)
            self._index(contact, bulk=False)
            self._name_text.changed(contact.id)
            self._phone_text.changed(contact.id)

    def remove(self, contact_id: str) -> None:
        """Forget a contact (no error when it is not there)."""
        with self._lock:
            if contact_id in self._contacts:
                self._unindex(contact_id, bulk=False)
                self._name_text.changed(contact_id)
                self._phone_text.changed(contact_id)

    def _index(self, contact: Contact, bulk: bool) -> tuple[str, str]:
        """Index ``contact``; returns its name text and phone text for substring search
        (what ``_words_text``/``_phones_text`` would compute) so a bulk load gets them free.
        In bulk mode entries are appended unsorted; ``load`` sorts once at the end."""
        phone_text = self._index_phones(contact)
        return self._index_names(contact, bulk), phone_text

    def _index_phones(self, contact: Contact) -> str:
        """Index the contact's phones for lookup; returns its phone text for digit search.
        The keys wait in ``_phone_keys`` until ``_index_names`` records the search form."""
        cid = contact.id
        self._contacts[cid] = contact
        rules, by_key = self.rules, self._by_key
        last_n = -rules.digits
        keys: list[str] = []
        phone_digits: list[str] = []
        min_length, max_length = rules.min_length, rules.max_length
        for phone in contact.phones:
            # normalize(), inlined: one call per phone instead of three at 300,000 phones.
            normalized = strip_prefixes(phone.number, rules)
            if not normalized or not min_length <= len(normalized) <= max_length:
                # Excluded by length: still found by digit search, never by lookup.
                raw = ascii_digits(phone.number)
                if raw and raw not in phone_digits:
                    phone_digits.append(raw)
                continue
            if normalized not in phone_digits:
                phone_digits.append(normalized)
            key = normalized[last_n:]          # match_key()
            if key in keys:
                continue
            keys.append(key)
            owners = by_key.get(key)
            if owners is None:
                by_key[key] = cid
            else:
                by_key[key] = (owners, cid) if isinstance(owners, str) else owners + (cid,)
        self._phone_keys[cid] = tuple(keys)
        return " " + " ".join(phone_digits) if phone_digits else ""

    def _index_names(self, contact: Contact, bulk: bool) -> str:
        """Index the contact's names for search; returns its name text for substring search."""
        cid = contact.id
        name_words = fold_words(contact.name)
        sort_name = " ".join(name_words)
        short_words = fold_words(contact.short_name) if contact.short_name else ()
        short = " ".join(short_words)
        name_keys = (sort_name, short) if short and short != sort_name else (sort_name,)
        words = list(dict.fromkeys(name_words))
        # First and last name are usually words of the name already: fold them only if not.
        padded = f" {contact.name} "
        rest = " ".join(t for t in (contact.first_name, contact.last_name, contact.company)
                        if t and f" {t} " not in padded)
        for word in (*short_words, *(fold_words(rest) if rest else ())):
            if word not in words:
                words.append(word)
        words = list(map(intern, words))
        self._forms[cid] = _SearchForm(sort_name, name_keys, tuple(words), self._phone_keys.pop(cid))
        if bulk:
            names_append, words_append = self._names.append, self._words.append
            for key in name_keys:
                names_append((key, cid))
            for word in words:
                words_append((word, sort_name, cid))
        else:
            for key in name_keys:
                insort(self._names, (key, cid))
            for word in words:
                insort(self._words, (word, sort_name, cid))
        return " ".join(words)


    def _unindex(self, cid: str, bulk: bool) -> None:
        del self._contacts[cid]
        form = self._forms.pop(cid)
        for key in form.phone_keys:
            kept = tuple(c for c in self._owners(key) if c != cid)
            if not kept:
                self._by_key.pop(key, None)
            else:
                self._by_key[key] = kept[0] if len(kept) == 1 else kept
        if bulk:  # load() with a duplicate id: lists are not sorted yet
            self._names = [e for e in self._names if e[1] != cid]
            self._words = [e for e in self._words if e[2] != cid]
            return
        for key in form.name_keys:
            self._remove_sorted(self._names, (key, cid))
        for word in form.words:
            self._remove_sorted(self._words, (word, form.sort_name, cid))

    @staticmethod
    def _remove_sorted(entries: list, entry: tuple) -> None:
        i = bisect_left(entries, entry)
        if i < len(entries) and entries[i] == entry:
            del entries[i]

    # ----------------------------------------------------------------- number lookup
    def normalize(self, number: str) -> str | None:
        """``number`` as comparable digits; None when excluded by the length settings."""
        return normalize(number, self.rules)

    def _owners(self, key: str) -> tuple[str, ...]:
        owners = self._by_key.get(key, ())
        return (owners,) if isinstance(owners, str) else owners

    def lookup(self, number: str) -> list[Match]:
        """Every contact with a phone matching ``number``, best first: exact matches (last
        N digits equal) before similar ones (only the last digit differs; only when
        ``rules.similar``), then more digits matched, higher popup priority, name.
        A contact appears once, with its best-matching phone. Contacts with popup
        priority 0 are included (their call is still theirs); the popup leaves them out."""
        normalized = normalize(number, self.rules)
        if normalized is None:
            return []
        key = match_key(normalized, self.rules)
        if self._names_pending:
            # load() holds the lock for its name pass, which never touches the number index
            # or the contacts: read them now rather than wait (the start-up popup case).
            return self._lookup(key, normalized)
        with self._lock:
            return self._lookup(key, normalized)

    def _lookup(self, key: str, normalized: str) -> list[Match]:
        best: dict[str, Match] = {}
        for cid in self._owners(key):
            self._consider(best, cid, key, normalized, "exact")
        if self.rules.similar and len(key) > 1:
            stem = key[:-1]
            for last in "0123456789":
                if last != key[-1]:
                    for cid in self._owners(stem + last):
                        if cid not in best or best[cid].kind == "similar":
                            self._consider(best, cid, stem + last, normalized, "similar")
        return sorted(best.values(), key=self._match_rank)

    def _consider(self, best: dict[str, Match], cid: str, key: str, normalized: str,
                  kind: MatchKind) -> None:
        """Keep the phone of contact ``cid`` that matches best (the index holds only ids)."""
        contact = self._contacts.get(cid)
        if contact is None:      # removed while a lock-free lookup ran (start-up only)
            return
        for phone in contact.phones:
            stored = normalize(phone.number, self.rules)
            if stored is None or match_key(stored, self.rules) != key:
                continue
            if kind == "exact":
                digits = common_suffix_length(normalized, stored)
            else:
                digits = common_suffix_length(normalized[:-1], stored[:-1])
            if cid not in best or digits > best[cid].digits_matched:
                best[cid] = Match(contact, phone, kind, digits)

    def _match_rank(self, match: Match) -> tuple:
        form = self._forms.get(match.contact.id)    # None while load() indexes names
        sort_name = form.sort_name if form else " ".join(fold_words(match.contact.name))
        return (match.kind != "exact", -match.digits_matched, -match.contact.popup_priority,
                sort_name, match.contact.id)

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

    def _has_all(self, cid: str, words: list[str], digits: list[str]) -> bool:
        """Whether every typed word starts a word of the contact and every typed digit
        group occurs in one of its phones (or starts a word, e.g. "Office 2")."""
        text = " " + " ".join(self._forms[cid].words)
        if not all(" " + w in text for w in words):
            return False
        if not digits:
            return True
        phones = self._phones_text(cid) or ""
        return all(" " + d in text or d in phones for d in digits)

    def _search_words(self, tokens: list[str], take, limit: int, seen: set[str]) -> None:
        whole = " ".join(tokens)
        if take(entry[1] for entry in _prefix_range(self._names, whole)):
            return
        # Walk the rarest word's prefix range and check the other typed words per contact.
        def range_size(token: str) -> int:
            lo, hi = _prefix_bounds(self._words, token)
            return hi - lo

        driver = min((t for t in tokens if not t.isdigit()), key=range_size)
        others = list(tokens)
        others.remove(driver)
        other_words = [t for t in others if not t.isdigit()]
        other_digits = [t for t in others if t.isdigit()]

        def has_others(cid: str) -> bool:
            return self._has_all(cid, other_words, other_digits)

        if take((entry[2] for entry in _prefix_range(self._words, driver)),
                has_others if others else None):
            return
        if len(whole) >= MIN_SUBSTRING_QUERY:
            take(self._name_text.find(whole, limit, seen))

    def _search_number(self, text: str, digits: str, take, limit: int, seen: set[str]) -> None:
        if take(m.contact.id for m in self.lookup(text) if m.kind == "exact"):
            return
        # Phones are held normalised: "+30 210" typed means phones starting with 210.
        digits = strip_prefixes(text, self.rules) or digits
        if take(self._phone_text.find(" " + digits, limit, seen)):
            return
        take(self._phone_text.find(digits, limit, seen))
