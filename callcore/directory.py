"""The in-memory contact directory: who is calling (number lookup) and search-as-you-type.

Pure and I/O free: the store hands it :class:`~callcore.records.Contact` objects
(``load``/``put``/``remove``) and the popup and dial directory ask it questions. Call
``put`` again after changing a contact; the index keeps references, not copies.

Two layers, chosen for 100,000 contacts with 3 phones each (see docs/performance.md):

- the *base*, built once by ``load`` (or restored from a cache file, see
  ``callcore.directory_cache``) and never changed afterwards: flat sorted lists of
  strings and ``array`` columns of integers instead of a dict or tuple per entry
  (about a third of the memory, and it pickles in one piece). Contacts are numbered by
  their position in the load (``pos``) and by their place in name order (``rank``).
  Number lookup bisects the last N digits of every phone, encoded as one integer;
  name search bisects the sorted whole names and words; substring search runs
  ``str.find`` over one joined text of all contacts in name order;
- the *overlay*: contacts added or edited since (dicts and sorted tuple lists, cheap to
  change). An edited or removed contact's base entries are voided, never rewritten;
  queries merge both layers in the same order a fresh ``load`` would give.

All public methods take an internal lock, so the popup may look up a number on one thread
while the store merges an edit on another.
"""
from __future__ import annotations

import gc
import heapq
import threading
from array import array
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass
from operator import itemgetter
from sys import intern
from typing import Any, Callable, Iterable, Iterator, Literal, NamedTuple

from .numbers import (MatchRules, ascii_digits, common_suffix_length, match_key, normalize,
                      strip_prefixes)
from .records import Contact, Phone
from .textfold import fold_words

__all__ = ["Directory", "Match", "MatchRules", "INDEX_FORMAT"]

# Substring search only from this many characters: shorter fragments match nearly
# everything and are served by prefix search alone.
MIN_SUBSTRING_QUERY = 3
# Bump whenever the base layout or what goes into it (folding, keys) changes: a cached
# base of another format is rebuilt instead of used.
INDEX_FORMAT = 3
# Number keys of up to this many digits are held as one int64 ("1" + digits, so leading
# zeros count); longer ones (match.digits > 17) as strings.
_INT_KEY_DIGITS = 17
_TOP = "\U0010ffff"

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
    """What the overlay holds for one contact (also what is needed to un-index it later)."""

    sort_name: str                 # folded name words joined by one space
    name_keys: tuple[str, ...]     # whole-name prefix keys (name, short name)
    words: tuple[str, ...]         # folded words of name, first/last/short name, company
    phone_keys: tuple[str, ...]    # the number-lookup keys of its phones


class _Base:
    """The bulk-loaded index; immutable once built (see the module docstring).

    ``pos`` numbers contacts in load order (``ids``), ``rank`` in name order
    (``sort_names``; ``rank_pos`` and ``pos_rank`` map one to the other). Parallel columns:
    ``num_codes``/``num_pos`` (sorted number keys), ``names``/``name_ranks`` (sorted by
    whole-name key, then id), ``words``/``word_ranks`` (sorted by word, then rank)."""

    __slots__ = ("ids", "num_codes", "num_pos", "rank_pos", "pos_rank", "sort_names", "names", "name_ranks",
                 "words", "word_ranks", "name_blob", "name_starts", "phone_blob", "phone_starts")
    STATE = __slots__

    def __init__(self, ids: list[str] | None = None):
        self.ids: list[str] = ids or []
        self.num_codes: Any = array("q")
        self.num_pos = array("i")
        self.rank_pos = array("i")
        self.pos_rank = array("i")
        self.sort_names: list[str] = []
        self.names: list[str] = []
        self.name_ranks = array("i")
        self.words: list[str] = []
        self.word_ranks = array("i")
        self.name_blob = ""
        self.name_starts = array("q")
        self.phone_blob = ""
        self.phone_starts = array("q")

    def rank_id(self, rank: int) -> str:
        return self.ids[self.rank_pos[rank]]

    def text(self, blob: str, starts: array, rank: int) -> str:
        end = starts[rank + 1] - 1 if rank + 1 < len(starts) else len(blob)
        return blob[starts[rank]:end]

    def find(self, blob: str, starts: array, fragment: str, limit: int,
             skip: Callable[[str], bool]) -> list[int]:
        """Up to ``limit`` ranks (in name order) whose text contains ``fragment``."""
        hits: list[int] = []
        pos, end = 0, len(blob)
        while len(hits) < limit:
            at = blob.find(fragment, pos)
            if at < 0:
                break
            rank = bisect_right(starts, at) - 1
            pos = starts[rank + 1] if rank + 1 < len(starts) else end
            if not skip(self.rank_id(rank)):
                hits.append(rank)
        return hits


def _sort_word_entries(entries: list[tuple]) -> None:
    """Sort (word, …) entries in place, as ``entries.sort()`` would.

    Why not just that: comparing tuples compares their first strings twice (equal? then
    less?). Sorting on the word alone and then sorting each run of entries sharing a word
    (short: names vary) is ~25% faster."""
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


def _prefix_bounds(entries: list, prefix: str, tuples: bool = True) -> tuple[int, int]:
    """Where the entries of a sorted list (of tuples whose first item is a string, or of
    strings) that start with ``prefix`` begin and end."""
    if tuples:
        return bisect_left(entries, (prefix,)), bisect_left(entries, (prefix + _TOP,))
    return bisect_left(entries, prefix), bisect_left(entries, prefix + _TOP)


def _prefix_range(entries: list, prefix: str) -> Iterator:
    """The entries of a sorted list of tuples whose first item starts with ``prefix``."""
    lo, hi = _prefix_bounds(entries, prefix)
    for i in range(lo, hi):
        yield entries[i]


def _merge(base: Iterator[tuple], overlay: list[tuple]) -> Iterator[tuple]:
    """Two sorted entry streams as one (the overlay is usually empty)."""
    return heapq.merge(base, overlay) if overlay else base


class Directory:
    """Number lookup and name search over a set of contacts (see the module docstring)."""

    def __init__(self, rules: MatchRules | None = None):
        self.rules = rules or MatchRules()
        self.lock = threading.RLock()
        self._names_pending = False     # load() is between its passes: lookup reads lock-free
        self._clear()

    # ----------------------------------------------------------------- maintenance
    def _clear(self, base: _Base | None = None, contacts: dict[str, Contact] | None = None) -> None:
        self._contacts: dict[str, Contact] = contacts if contacts is not None else {}
        self._base = base or _Base()
        self._void: set[str] = set()          # base contacts edited or removed since
        # The overlay. Number keys: the id, or a tuple of ids, of contacts with a phone
        # ending so.
        self._by_key: dict[str, str | tuple[str, ...]] = {}
        self._forms: dict[str, _SearchForm] = {}
        self._names: list[tuple[str, str]] = []                    # (whole-name key, cid), sorted
        self._words: list[tuple[str, str, str]] = []               # (word, sort name, cid), sorted

    def _encode(self, key: str) -> int | str:
        return int("1" + key) if self.rules.digits <= _INT_KEY_DIGITS else key

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
            with self.lock:
                unique = {contact.id: contact for contact in contacts}   # a repeated id: last wins
                base = _Base(list(unique))
                people = list(unique.values())
                phone_texts = self._index_numbers(base, people)
                self._clear(base, unique)
                self._names_pending = True
                if on_numbers_ready is not None:
                    on_numbers_ready()
                try:
                    self._index_names(base, people, phone_texts)
                finally:
                    self._names_pending = False
        finally:
            if gc_was_enabled:
                gc.enable()

    def _index_numbers(self, base: _Base, people: list[Contact]) -> list[str]:
        """Fill the base's number columns; returns each contact's phone text (by pos)."""
        rules = self.rules
        last_n, min_length, max_length = -rules.digits, rules.min_length, rules.max_length
        as_int = rules.digits <= _INT_KEY_DIGITS
        pairs: list[tuple[Any, int]] = []
        texts: list[str] = []
        for pos, contact in enumerate(people):
            keys: list[str] = []
            phone_digits: list[str] = []
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
                if key not in keys:
                    keys.append(key)
                    pairs.append((int("1" + key) if as_int else key, pos))
            texts.append(" " + " ".join(phone_digits) if phone_digits else "")
        pairs.sort()
        base.num_codes = array("q", [code for code, _pos in pairs]) if as_int else [c for c, _p in pairs]
        base.num_pos = array("i", [pos for _code, pos in pairs])
        return texts

    def _index_names(self, base: _Base, people: list[Contact], phone_texts: list[str]) -> None:
        """Fill the base's name columns (search is ready once this returns)."""
        ids = base.ids
        sort_names: list[str] = []
        name_texts: list[str] = []
        name_entries: list[tuple[str, str, int]] = []      # (key, cid, pos)
        word_entries: list[tuple[str, int]] = []           # (word, pos)
        for pos, contact in enumerate(people):
            sort_name, name_keys, words = _fold_contact(contact)
            sort_names.append(sort_name)
            cid = ids[pos]
            for key in name_keys:
                name_entries.append((key, cid, pos))
            for word in words:
                word_entries.append((word, pos))
            name_texts.append(" ".join(words))
        rank_pos = sorted(range(len(people)), key=lambda p: (sort_names[p], ids[p]))
        rank_of = array("i", bytes(4 * len(people)))
        for rank, pos in enumerate(rank_pos):
            rank_of[pos] = rank
        word_entries = [(word, rank_of[pos]) for word, pos in word_entries]
        _sort_word_entries(word_entries)
        name_entries.sort()
        base.rank_pos = array("i", rank_pos)
        base.pos_rank = rank_of
        base.sort_names = [sort_names[p] for p in rank_pos]
        base.names = [key for key, _cid, _pos in name_entries]
        base.name_ranks = array("i", [rank_of[pos] for _key, _cid, pos in name_entries])
        base.words = [word for word, _rank in word_entries]
        base.word_ranks = array("i", [rank for _word, rank in word_entries])
        base.name_blob, base.name_starts = _join([name_texts[p] for p in rank_pos])
        base.phone_blob, base.phone_starts = _join([phone_texts[p] for p in rank_pos])

    # ----------------------------------------------------------------- cache support
    def index_state(self) -> dict[str, Any] | None:
        """The base as plain lists, arrays and strings (for ``directory_cache``); None
        when edits are in the overlay (the base alone would not be the whole index).
        Call with ``lock`` held; the base is immutable, so the result stays valid."""
        if self._void or self._forms or self._names_pending:
            return None
        return {name: getattr(self._base, name) for name in _Base.STATE}

    def restore(self, contacts: dict[str, Contact], state: dict[str, Any],
                void: Iterable[str] = ()) -> None:
        """Install a base made by ``index_state``. Each of its ``ids`` must be a key of
        ``contacts`` (the contact now) or in ``void`` (removed or changed since: its base
        entries are ignored; ``put`` the changed ones afterwards) — the caller checks
        that. Raises ValueError, changing nothing, when the state is malformed."""
        base = _Base()
        try:
            for name in _Base.STATE:
                setattr(base, name, state[name])
            n = len(base.ids)
            fits = (len(base.rank_pos) == n and len(base.pos_rank) == n and len(base.sort_names) == n
                    and len(base.name_starts) == n and len(base.phone_starts) == n
                    and len(base.names) == len(base.name_ranks)
                    and len(base.words) == len(base.word_ranks)
                    and len(base.num_codes) == len(base.num_pos)
                    and isinstance(base.name_blob, str) and isinstance(base.phone_blob, str)
                    and all(isinstance(column, array) and column.typecode == "i" for column in
                            (base.rank_pos, base.pos_rank, base.name_ranks, base.word_ranks, base.num_pos)))
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"directory index state: {exc!r}") from None
        if not fits:
            raise ValueError("directory index state is malformed")
        with self.lock:
            self._clear(base, contacts)
            self._void = set(void)

    # ----------------------------------------------------------------- edits (overlay)
    def put(self, contact: Contact) -> None:
        """Add ``contact`` or replace the one with the same id (phones and name re-indexed)."""
        with self.lock:
            self._forget(contact.id)
            cid = contact.id
            self._contacts[cid] = contact
            keys: list[str] = []
            for phone in contact.phones:
                normalized = normalize(phone.number, self.rules)
                if normalized is None:
                    continue
                key = match_key(normalized, self.rules)
                if key in keys:
                    continue
                keys.append(key)
                owners = self._by_key.get(key)
                if owners is None:
                    self._by_key[key] = cid
                else:
                    self._by_key[key] = (owners, cid) if isinstance(owners, str) else owners + (cid,)
            sort_name, name_keys, words = _fold_contact(contact)
            self._forms[cid] = _SearchForm(sort_name, name_keys, words, tuple(keys))
            for key in name_keys:
                insort(self._names, (key, cid))
            for word in words:
                insort(self._words, (word, sort_name, cid))

    def remove(self, contact_id: str) -> None:
        """Forget a contact (no error when it is not there)."""
        with self.lock:
            self._forget(contact_id)
            self._contacts.pop(contact_id, None)

    def _forget(self, cid: str) -> None:
        """Take ``cid`` out of the index: void its base entries, drop its overlay ones."""
        form = self._forms.pop(cid, None)
        if form is None:
            if cid in self._contacts:
                self._void.add(cid)
            return
        for key in form.phone_keys:
            kept = tuple(c for c in self._owners(key) if c != cid)
            if not kept:
                self._by_key.pop(key, None)
            else:
                self._by_key[key] = kept[0] if len(kept) == 1 else kept
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
        """Overlay contacts with a phone whose key is ``key``."""
        owners = self._by_key.get(key, ())
        return (owners,) if isinstance(owners, str) else owners

    def _owners_between(self, first: str, last: str, names: dict[str, str]) -> list[tuple[str, str]]:
        """(key, cid) of every contact with a phone whose key is ``first``..``last`` (keys
        of one length, differing in the last digit only), in key order. ``names`` gets
        each base contact's sort name (the ranking needs it; None while names pending)."""
        base, void = self._base, self._void
        lo = bisect_left(base.num_codes, self._encode(first))
        hi = bisect_right(base.num_codes, self._encode(last), lo)
        found: list[tuple[str, str]] = []
        if lo < hi:
            ids, num_pos, codes = base.ids, base.num_pos, base.num_codes
            ranked = len(base.sort_names) == len(ids)
            for i in range(lo, hi):
                code = codes[i]
                if isinstance(code, str) and len(code) != len(first):
                    continue                     # a key of another length sorting in between
                pos = num_pos[i]
                cid = ids[pos]
                if cid not in void:
                    found.append((str(code)[1:] if isinstance(code, int) else code, cid))
                    if ranked:
                        names[cid] = base.sort_names[base.pos_rank[pos]]
        if self._by_key:
            for digit in "0123456789":
                key = first[:-1] + digit
                if first <= key <= last:
                    for cid in self._owners(key):
                        found.append((key, cid))
                        names[cid] = self._forms[cid].sort_name
            found.sort(key=itemgetter(0))        # stable: base before overlay within a key
        return found

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
        with self.lock:
            return self._lookup(key, normalized)

    def _lookup(self, key: str, normalized: str) -> list[Match]:
        best: dict[str, Match] = {}
        names: dict[str, str] = {}
        for _key, cid in self._owners_between(key, key, names):
            self._consider(best, cid, key, normalized, "exact")
        if self.rules.similar and len(key) > 1:
            # The ten keys differing in the last digit are neighbours in the sorted codes.
            stem = key[:-1]
            for other, cid in self._owners_between(stem + "0", stem + "9", names):
                if other != key and (cid not in best or best[cid].kind == "similar"):
                    self._consider(best, cid, other, normalized, "similar")

        def rank(match: Match) -> tuple:
            sort_name = names.get(match.contact.id)
            if sort_name is None:       # load() is still indexing names
                sort_name = " ".join(fold_words(match.contact.name))
            return (match.kind != "exact", -match.digits_matched, -match.contact.popup_priority,
                    sort_name, match.contact.id)
        return sorted(best.values(), key=rank)

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
        with self.lock:
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

    def _has_all(self, cid: str, text: str, words: list[str], digits: list[str]) -> bool:
        """Whether every typed word starts a word of the contact (``text``: its words) and
        every typed digit group occurs in one of its phones (or starts a word)."""
        text = " " + text
        if not all(" " + w in text for w in words):
            return False
        if not digits:
            return True
        phones = self._phones_text(cid) or ""
        return all(" " + d in text or d in phones for d in digits)

    def _base_names(self, prefix: str) -> Iterator[tuple[str, str]]:
        base, void = self._base, self._void
        lo, hi = _prefix_bounds(base.names, prefix, tuples=False)
        for i in range(lo, hi):
            cid = base.rank_id(base.name_ranks[i])
            if cid not in void:
                yield base.names[i], cid

    def _base_words(self, prefix: str) -> Iterator[tuple[str, str, str, int]]:
        """(word, sort name, cid, rank) of base contacts with a word starting so."""
        base, void = self._base, self._void
        lo, hi = _prefix_bounds(base.words, prefix, tuples=False)
        words, ranks, sort_names = base.words, base.word_ranks, base.sort_names
        for i in range(lo, hi):
            rank = ranks[i]
            cid = base.rank_id(rank)
            if cid not in void:
                yield words[i], sort_names[rank], cid, rank

    def _search_words(self, tokens: list[str], take, limit: int, seen: set[str]) -> None:
        whole = " ".join(tokens)
        if take(entry[1] for entry in _merge(self._base_names(whole),
                                             list(_prefix_range(self._names, whole)))):
            return
        # Walk the rarest word's prefix range and check the other typed words per contact.
        # (The base's count includes voided entries: after edits the choice, and so the
        # order within this rank, may differ from a fresh load; the contacts found do not.)
        def range_size(token: str) -> int:
            lo, hi = _prefix_bounds(self._base.words, token, tuples=False)
            olo, ohi = _prefix_bounds(self._words, token)
            return hi - lo + ohi - olo

        driver = min((t for t in tokens if not t.isdigit()), key=range_size)
        others = list(tokens)
        others.remove(driver)
        other_words = [t for t in others if not t.isdigit()]
        other_digits = [t for t in others if t.isdigit()]
        base = self._base
        entries = _merge(self._base_words(driver),
                         [entry + (-1,) for entry in _prefix_range(self._words, driver)])
        if others:
            def matching() -> Iterator[str]:
                for _word, _sort, cid, rank in entries:
                    if cid in seen:
                        continue
                    text = (base.text(base.name_blob, base.name_starts, rank) if rank >= 0
                            else " ".join(self._forms[cid].words))
                    if self._has_all(cid, text, other_words, other_digits):
                        yield cid
            ids: Iterator[str] = matching()
        else:
            ids = (entry[2] for entry in entries)
        if take(ids):
            return
        if len(whole) >= MIN_SUBSTRING_QUERY:
            take(self._find(whole, limit, seen, names=True))

    def _search_number(self, text: str, digits: str, take, limit: int, seen: set[str]) -> None:
        if take(m.contact.id for m in self.lookup(text) if m.kind == "exact"):
            return
        # Phones are held normalised: "+30 210" typed means phones starting with 210.
        digits = strip_prefixes(text, self.rules) or digits
        if take(self._find(" " + digits, limit, seen, names=False)):
            return
        take(self._find(digits, limit, seen, names=False))

    def _find(self, fragment: str, limit: int, seen: set[str], names: bool) -> list[str]:
        """Up to ``limit`` ids (not in ``seen``) whose name text (``names``) or phone text
        contains ``fragment``, in name order: the base's joined text, then the overlay's
        contacts one by one."""
        base, void = self._base, self._void
        blob, starts = ((base.name_blob, base.name_starts) if names
                        else (base.phone_blob, base.phone_starts))

        def skip(cid: str) -> bool:
            return cid in void or cid in seen

        ranks = base.find(blob, starts, fragment, limit, skip)
        if not self._forms:
            return [base.rank_id(rank) for rank in ranks]
        hits = [(base.sort_names[rank], base.rank_id(rank)) for rank in ranks]
        for cid, form in self._forms.items():
            if cid in seen:
                continue
            text = " ".join(form.words) if names else (self._phones_text(cid) or "")
            if fragment in text:
                hits.append((form.sort_name, cid))
        hits.sort()
        return [cid for _sort, cid in hits[:limit]]


def _fold_contact(contact: Contact) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """A contact's folded name (its sort key), whole-name keys and distinct words."""
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
    return sort_name, name_keys, tuple(map(intern, words))


def _join(texts: list[str]) -> tuple[str, array]:
    """One text of ``texts`` separated by \\x1f, and where each starts (8 bytes a start
    instead of a 36-byte int object)."""
    starts, pos = array("q"), 0
    for text in texts:
        starts.append(pos)
        pos += len(text) + 1
    return "\x1f".join(texts), starts
