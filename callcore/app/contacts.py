"""Contacts as a feature (DIR-1..3, POP-3, CON-5): read, save, delete a contact, add a
caller's number to one, its calls across every phone, and search with a type filter.

Edits go to the store only; the directory follows them through ``StoreChanged`` (local
saves and saves merged from other workstations alike), so every window that searches sees
the same thing a moment later on every workstation. (``ui.ports.ContactsPort``)
"""
from __future__ import annotations

import logging
import threading
from bisect import bisect_left
from typing import Any

from ..i18n import _
from ..events import StoreChanged
from ..records import CONTACT_TYPES, PHONE_LABELS, CallRecord, Contact, Phone, RecordError
from ..store import Store
from ..textfold import fold, fold_words

log = logging.getLogger(__name__)

# A type filter walks the directory's ranked hits in growing windows up to this many.
_MAX_SCAN = 20_000
# A type with at most this many contacts is searched by scanning just those (a rare type
# behind 100,000 others would take the ranked walk ~0.3 s a keystroke).
_SMALL_KIND = 5_000


def _digits(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())


def _search_text(contact: Contact) -> tuple[str, str]:
    """(" " + the folded words a search matches, the phones' digits joined by spaces)."""
    words = fold_words(" ".join((contact.name, contact.first_name, contact.last_name,
                                 contact.short_name, contact.company)))
    return " " + " ".join(words), " ".join(_digits(p.number) for p in contact.phones)


class _Listing:
    """The contacts of one type in name order: folded names and ids as two parallel lists
    (no tuple per contact: 6 MB less at 100,000 contacts); equal names in id order."""

    def __init__(self, keys: list[str], ids: list[str]):
        self.keys, self.ids = keys, ids

    def insert(self, key: str, cid: str) -> None:
        at = bisect_left(self.keys, key)
        while at < len(self.keys) and self.keys[at] == key and self.ids[at] < cid:
            at += 1
        self.keys.insert(at, key)
        self.ids.insert(at, cid)

    def remove(self, key: str, cid: str) -> bool:
        at = bisect_left(self.keys, key)
        while at < len(self.keys) and self.keys[at] == key:
            if self.ids[at] == cid:
                del self.keys[at], self.ids[at]
                return True
            at += 1
        return False


class ContactsFeature:
    def __init__(self, store: Store, directory: Any, hub: Any = None):
        self.store = store
        self.directory = directory       # DirectoryFeature (search by name/number)
        self._lock = threading.Lock()
        # Contacts by type in name order (listing a type, searching a rare one): built in
        # the background at start (~1 s at 100,000), then kept in step with every change.
        self._by_kind: dict[str, _Listing] | None = None
        self._entry: dict[str, str] = {}      # id → its folded name (the listing's key)
        self._words: dict[str, tuple[str, str]] = {}     # id → (" word word…", phone digits)
        self._closed = False
        self._unsubscribe = hub.subscribe(StoreChanged, self._store_changed) if hub is not None else None

    def prepare_listing(self) -> None:
        """Build the by-type listing now (blocks), so it is ready before the first type
        is picked (built at first use otherwise). Run once the window is up (``App.start``),
        not earlier: its second of Python would compete with building the window for the
        one interpreter."""
        ready = getattr(self.directory, "ready", None)
        if ready is not None:
            ready.wait(60)        # after the directory's numbers: popups come first at start
        try:
            with self._lock:
                if self._by_kind is None and not self._closed:
                    self._build()
        except Exception:  # noqa: BLE001 - built on first use instead
            if not self._closed:
                log.exception("listing contacts by type failed")

    # -- one contact ---------------------------------------------------------------------
    def get(self, contact_id: str) -> Contact | None:
        return self.store.contacts.get(contact_id) if contact_id else None

    def save(self, contact: Contact) -> Contact:
        """Validate and store; a :class:`RecordError` (its ``field`` names the input, its
        ``problem`` says why) leaves the store untouched. Phones without any text are
        dropped first: an empty row left in the card is not an error."""
        contact.phones = [p for p in contact.phones if p.number.strip()]
        contact.name = contact.name.strip()
        contact.validate()
        return self.store.contacts.put(contact)

    def delete(self, contact_id: str) -> None:
        self.store.contacts.delete(contact_id)

    def add_phone(self, contact_id: str, number: str, label: str,
                  replace_number: str | None = None) -> Contact:
        """Add ``number`` to a contact (POP-3 "Add to contact"). With ``replace_number``,
        that phone is replaced (same place in the list); otherwise both are kept. A number
        the contact already has is not added twice (its label is updated)."""
        contact = self.get(contact_id)
        if contact is None:
            raise RecordError("Contact", "id", _("no longer exists (deleted on another workstation?)"))
        if label not in PHONE_LABELS:
            raise RecordError("Contact", "phones.label", _("must be one of {values}, not {value!r}").format(
                values=", ".join(PHONE_LABELS), value=label))
        new = Phone(number.strip(), label)
        phones = list(contact.phones)
        same = [i for i, p in enumerate(phones) if _digits(p.number) == _digits(new.number)]
        if same:
            phones[same[0]] = Phone(phones[same[0]].number, label)
        elif replace_number is not None:
            at = [i for i, p in enumerate(phones) if p.number == replace_number]
            if not at:
                raise RecordError("Contact", "phones", _("has no phone {number}").format(number=replace_number))
            phones[at[0]] = new
        else:
            phones.append(new)
        contact.phones = phones
        return self.save(contact)

    # -- calls ---------------------------------------------------------------------------
    def recent_calls(self, contact_id: str, limit: int = 20) -> list[CallRecord]:
        """The contact's last calls over all its phones, newest first (reads the call log:
        call it off the Tk thread)."""
        contact = self.get(contact_id)
        if contact is None:
            return []
        found: dict[str, CallRecord] = {}
        for phone in contact.phones:
            digits = _digits(phone.number)
            if len(digits) < 3:
                continue
            tail = digits[-9:] if len(digits) > 9 else digits   # ignores +30 / 0030 / 9 prefixes
            for record in self.store.calls.for_number(tail, limit=limit):
                if len(digits) <= 4 and digits not in (_digits(record.caller_number),
                                                       _digits(record.called_number)):
                    continue            # an extension: 201 is not every number ending in 201
                found.setdefault(record.id, record)
        return sorted(found.values(), key=lambda r: r.started_at, reverse=True)[:limit]

    # -- search --------------------------------------------------------------------------
    def search(self, text: str, kind: str | None = None, limit: int = 50) -> list[Contact]:
        """Search as you type (accents and case ignored, any script), only contacts of
        ``kind`` (one of ``CONTACT_TYPES``) when given. An empty text lists contacts of
        that kind by name (nothing without a kind)."""
        if kind is not None and kind not in CONTACT_TYPES:
            raise ValueError(f"unknown contact type {kind!r}")
        if not text.strip():
            if kind is None:
                return []
            return self._listed(kind, limit)
        if kind is None:
            return list(self.directory.search(text, limit))
        small = self._small_kind(kind)
        if small is not None:
            return self._scan(small, fold_words(text), limit)
        window = limit * 4          # a common type: its hits are dense in the ranked list
        while True:
            hits = self.directory.search(text, window)
            picked = [c for c in hits if c.type == kind]
            if len(picked) >= limit or len(hits) < window or window >= _MAX_SCAN:
                return picked[:limit]
            window *= 4

    # -- one type in name order ------------------------------------------------------------
    def _listed(self, kind: str, limit: int) -> list[Contact]:
        with self._lock:
            if self._by_kind is None:
                self._build()
            listing = self._by_kind.get(kind)  # type: ignore[union-attr]
            ids = listing.ids[:limit] if listing is not None else []
        found = (self.store.contacts.get(cid) for cid in ids)
        return [c for c in found if c is not None]

    def _small_kind(self, kind: str) -> list[str] | None:
        """The ids of ``kind`` in name order when there are few of them, else None."""
        with self._lock:
            if self._by_kind is None:
                self._build()
            listing = self._by_kind.get(kind)  # type: ignore[union-attr]
            if listing is None:
                return []
            return list(listing.ids) if len(listing.ids) <= _SMALL_KIND else None

    def _scan(self, ids: list[str], tokens: list[str], limit: int) -> list[Contact]:
        """Contacts among ``ids`` (name order) where every typed word starts a word of the
        name, first/last/short name or company, or (digits) occurs in a phone — the
        directory's own rule."""
        found: list[Contact] = []
        for cid in ids:
            text = self._words.get(cid)
            if text is None:
                contact = self.store.contacts.get(cid)
                if contact is None:
                    continue
                text = self._words[cid] = _search_text(contact)
            words, phones = text
            if all(" " + t in words or (t.isdigit() and t in phones) for t in tokens):
                contact = self.store.contacts.get(cid)
                if contact is not None:
                    found.append(contact)
                    if len(found) >= limit:
                        break
        return found

    def _build(self) -> None:
        items: dict[str, list[tuple[str, str]]] = {k: [] for k in CONTACT_TYPES}
        entry: dict[str, str] = {}
        for contact in self.store.contacts.all(copy=False):
            key = entry[contact.id] = fold(contact.name)
            items.setdefault(contact.type, []).append((key, contact.id))
        by_kind = {}
        for kind, pairs in items.items():
            pairs.sort()
            by_kind[kind] = _Listing([k for k, _i in pairs], [i for _k, i in pairs])
        self._by_kind, self._entry = by_kind, entry

    def _store_changed(self, change: StoreChanged) -> None:
        if change.table != "contacts":
            return
        with self._lock:
            if self._by_kind is None:
                return
            for cid in change.keys:
                self._words.pop(cid, None)
                old = self._entry.pop(cid, None)
                if old is not None:
                    for listing in self._by_kind.values():
                        if listing.remove(old, cid):
                            break
                contact = self.store.contacts.get(cid)
                if contact is not None:
                    key = self._entry[cid] = fold(contact.name)
                    self._by_kind.setdefault(contact.type, _Listing([], [])).insert(key, cid)

    def close(self) -> None:
        self._closed = True
        if self._unsubscribe is not None:
            self._unsubscribe()
