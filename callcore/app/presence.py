"""Who can take a call right now: the live state of every extension, with the names of the
users and directory colleagues behind it (XFER-2). (``ui.ports.PresencePort``)

Why here: the transfer dialog must list every colleague with a state that is true *now*
and search them by name as the operator types, without ever asking the PBX or the disk
on the Tk thread. The PBX tells the states (``ExtensionStateChanged`` from its hints); the
store tells the names (users with an extension, ``internal`` contacts with a short phone
number). Both are kept here in memory, behind one lock; :meth:`PresenceFeature.entries`
hands out an immutable snapshot any thread may read.

While the PBX connection is down nobody knows what the phones do: every state reads
``unknown`` until the connection is back (the tracker then re-reports what changed).
"""
from __future__ import annotations

import functools
import logging
import threading
from dataclasses import dataclass
from typing import Iterable

from ..events import ConnectionStateChanged, ExtensionStateChanged, StoreChanged
from ..records import Contact, User
from ..textfold import fold_digits, fold_words
from .hub import EventHub

log = logging.getLogger(__name__)

# What the transfer dialog shows, in the order a free colleague is most useful.
FREE, RINGING, BUSY, PAUSED, OFFLINE, UNKNOWN = ("free", "ringing", "busy", "paused",
                                                 "offline", "unknown")
STATES = (FREE, RINGING, BUSY, PAUSED, OFFLINE, UNKNOWN)


def shown_state(pbx_state: str, paused: bool, connected: bool) -> str:
    """The PBX's hint state (free/ringing/busy/onhold/offline/unknown, '' = no hint) as
    the operator reads it. A paused queue member on a call is busy, not paused."""
    if not connected or pbx_state in ("", UNKNOWN):
        return UNKNOWN
    if pbx_state in (OFFLINE, RINGING):
        return pbx_state
    if pbx_state in (BUSY, "onhold"):
        return BUSY
    return PAUSED if paused else FREE


@dataclass(frozen=True)
class Presence:
    """One extension as the transfer dialog lists it."""

    extension: str
    name: str = ""          # the users' and colleagues' names on it, joined by " · "
    state: str = UNKNOWN    # one of STATES
    pbx_state: str = ""     # what the PBX said ('' = it has no hint for this number)


@dataclass
class _Slot:
    pbx_state: str = ""
    paused: bool = False
    users: dict[str, str] | None = None        # user id → name
    colleagues: dict[str, str] | None = None   # contact id → name


class PresenceFeature:
    """Extension states from the hub, names from the store; ``entries`` for the UI."""

    def __init__(self, store, hub: EventHub, *, internal_length: int = 3):
        self.store = store
        self.internal_length = max(1, int(internal_length))
        self._lock = threading.Lock()
        self._slots: dict[str, _Slot] = {}
        self._connected = False
        self._people_loaded = False
        # person key ("user:<id>" / "contact:<id>") → the extensions it is listed on
        self._person_exts: dict[str, tuple[str, ...]] = {}
        self._unsubscribe = [
            hub.subscribe(ExtensionStateChanged, self._state_changed),
            hub.subscribe(ConnectionStateChanged, self._connection_changed),
            hub.subscribe(StoreChanged, self._store_changed),
        ]

    # ------------------------------------------------------------------ reading
    def entries(self, query: str = "") -> list[Presence]:
        """Every extension with its state and names, by number; with ``query`` only those
        whose number starts with its digits or whose names contain words starting with
        each of its words (accents and case ignored). An exact number comes first."""
        self._load_people()
        with self._lock:
            rows = [self._row(ext, slot) for ext, slot in self._slots.items()]
        rows.sort(key=lambda p: (len(p.extension), p.extension))
        if not query.strip():
            return rows
        return matching(rows, query)

    def state_of(self, extension: str) -> str:
        with self._lock:
            slot = self._slots.get(extension)
            return self._row(extension, slot).state if slot else UNKNOWN

    def _row(self, extension: str, slot: _Slot) -> Presence:
        names = [n for n in (slot.users or {}).values()]
        names += [n for n in (slot.colleagues or {}).values() if n not in names]
        return Presence(extension=extension, name=" · ".join(sorted(names)),
                        state=shown_state(slot.pbx_state, slot.paused, self._connected),
                        pbx_state=slot.pbx_state)

    # ------------------------------------------------------------------ PBX
    def _state_changed(self, event: ExtensionStateChanged) -> None:
        with self._lock:
            slot = self._slots.setdefault(event.extension, _Slot())
            slot.pbx_state, slot.paused = event.state, bool(event.paused)

    def _connection_changed(self, event: ConnectionStateChanged) -> None:
        if event.server:      # AMI-4: a further PBX; the first PBX's state decides here
            return
        with self._lock:
            self._connected = event.status == "connected"

    # ------------------------------------------------------------------ names
    def _load_people(self) -> None:
        """The first ``entries`` reads users and internal contacts once (a scan of the
        contacts in memory, ~10 ms per 100,000); store changes keep them current after."""
        if self._people_loaded:
            return
        users = list(self.store.users.all(copy=False))
        colleagues = [c for c in self.store.contacts.all(copy=False) if c.type == "internal"]
        with self._lock:
            if self._people_loaded:
                return
            for user in users:
                self._put_user(user)
            for contact in colleagues:
                self._put_colleague(contact)
            self._people_loaded = True

    def _store_changed(self, change: StoreChanged) -> None:
        if change.table not in ("users", "contacts") or not self._people_loaded:
            return
        repo = self.store.users if change.table == "users" else self.store.contacts
        found = {key: repo.get(key) for key in change.keys}
        with self._lock:
            for key, record in found.items():
                prefix = "user:" if change.table == "users" else "contact:"
                self._forget(prefix + key)
                if isinstance(record, User):
                    self._put_user(record)
                elif isinstance(record, Contact) and record.type == "internal":
                    self._put_colleague(record)

    def _put_user(self, user: User) -> None:
        ext = fold_digits(user.extension)
        if ext:
            self._add(f"user:{user.id}", (ext,), user.name, "users")

    def _put_colleague(self, contact: Contact) -> None:
        exts = tuple(dict.fromkeys(d for d in (fold_digits(p.number) for p in contact.phones)
                                   if d and len(d) <= self.internal_length))
        if exts:
            self._add(f"contact:{contact.id}", exts, contact.name, "colleagues")

    def _add(self, person: str, exts: Iterable[str], name: str, kind: str) -> None:
        exts = tuple(exts)
        self._person_exts[person] = exts
        record_id = person.split(":", 1)[1]
        for ext in exts:
            slot = self._slots.setdefault(ext, _Slot())
            names = getattr(slot, kind) or {}
            names[record_id] = name
            setattr(slot, kind, names)

    def _forget(self, person: str) -> None:
        record_id = person.split(":", 1)[1]
        kind = "users" if person.startswith("user:") else "colleagues"
        for ext in self._person_exts.pop(person, ()):
            slot = self._slots.get(ext)
            if slot is None:
                continue
            names = getattr(slot, kind) or {}
            names.pop(record_id, None)
            if not slot.pbx_state and not slot.users and not slot.colleagues:
                del self._slots[ext]     # nobody on it and no phone the PBX knows

    def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()


def matching(rows: list[Presence], query: str) -> list[Presence]:
    """``rows`` that fit what the operator typed (see :meth:`PresenceFeature.entries`)."""
    words = fold_words(query)
    digits = fold_digits(query)
    only_digits = bool(digits) and all(w.isdigit() for w in words)
    hits: list[tuple[int, Presence]] = []
    for row in rows:
        if only_digits and row.extension.startswith(digits):
            hits.append((0 if row.extension == digits else 1, row))
            continue
        names = _folded(row.name) + (row.extension,)
        if words and all(any(n.startswith(w) for n in names) for w in words):
            hits.append((2, row))
    hits.sort(key=lambda hit: hit[0])     # stable: by number within each rank
    return [row for _rank, row in hits]


@functools.lru_cache(maxsize=8192)
def _folded(name: str) -> tuple[str, ...]:
    """Names repeat on every keystroke: fold each once."""
    return tuple(fold_words(name))
