"""Reminders (SCHED-2, POP-6): at its time, a scheduled call's reminder fires once, on
the workstation where its assigned user is signed in.

Cheap per tick: the signed-in user's open scheduled calls sit in a heap by reminder time
(kept up to date from ``StoreChanged``, stale entries skipped when popped; rebuilt when
another user signs in), so a ``ClockTick`` looks at the top of the heap only —
microseconds at 100,000 scheduled calls.

Once, on one station (docs/schedule.md): a reminder *occurrence* is
``<id>|<reminder time>|<assigned user>`` (a snooze, a new time or a new user make a new
one). ``CLAIM_LEAD`` before it is due, every station where that user is signed in writes
an insert-only :class:`~callcore.records.ReminderClaim` (``<occurrence>|<station>``),
which the store syncs like any record. At the due time, and at least ``confirm_after``
(longer than the sync interval) after claiming, each claimant looks at the claims it
knows: the earliest live claim ``(claimed_at, station)`` wins, and only the winner shows
it and marks its claim ``shown``. A shown claim ends that occurrence everywhere, also for
stations started later. A claim not shown within ``STALE_SECONDS`` (its station closed)
no longer counts, so a reminder is never lost to a station that went away.
Missed reminders (due while the app was closed or nobody signed in) fire at the next
start or sign-in, oldest first, with ``missed=True``.
"""
from __future__ import annotations

import heapq
import logging
import threading
from collections import deque
from datetime import datetime, timezone
from typing import Any, Callable

from ..events import ClockTick, ReminderDue, StoreChanged
from ..records import ReminderClaim, ScheduledCall, User
from .hub import EventHub

log = logging.getLogger(__name__)

SCHEDULED = "scheduled_calls"
CLAIMS = "reminder_claims"
STALE_SECONDS = 120.0


def occurrence_of(item: ScheduledCall) -> str:
    return f"{item.id}|{item.snoozed_until or item.due_at}|{item.assigned_user}"


def _ts(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def _utc_text(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="microseconds")


class ReminderFeature:
    """Fires ``ReminderDue`` for this station's signed-in user (``current_user``)."""

    def __init__(self, store: Any, hub: EventHub, station: str, *,
                 current_user: Callable[[], User | None] = lambda: None,
                 confirm_after: float = 2.0, claim_lead: float | None = None,
                 now: Callable[[], float] | None = None):
        import time
        self.store = store
        self.hub = hub
        self.station = station
        self.current_user = current_user
        self.confirm_after = confirm_after
        self.claim_lead = confirm_after if claim_lead is None else claim_lead
        self._now = now or time.time
        self._lock = threading.RLock()
        self._heap: list[tuple[float, str, str]] = []       # (reminder ts, id, occurrence)
        self._current: dict[str, str] = {}                   # id → occurrence of open items
        self._claims: dict[str, dict[str, tuple[str, bool]]] = {}   # occ → station → (at, shown)
        self._pending: dict[str, tuple[float, str, float]] = {}     # occ → (decide at, id, due ts)
        self._built = False
        self._rebuild_wanted = False
        self._changes: deque[tuple[str, frozenset[str]]] = deque()
        self._started = self._now()
        self.fired: list[ReminderDue] = []                   # this run's reminders, in order
        self._unsubscribe = [hub.subscribe(ClockTick, self._tick),
                             hub.subscribe(StoreChanged, self._store_changed)]
        self._user_unsubscribe: list[Callable[[], None]] = []
        try:
            from ..events import UserSignedIn, UserSignedOut
            self._user_unsubscribe = [hub.subscribe(UserSignedIn, self._user_changed),
                                      hub.subscribe(UserSignedOut, self._user_changed)]
        except ImportError:     # sign-in not there: the station's user is fixed
            pass

    def _user_changed(self, _event: Any) -> None:
        self._rebuild_wanted = True        # the next tick: their missed reminders come up

    # -- index ----------------------------------------------------------------------------
    def rebuild(self) -> None:
        """Index every open scheduled call (first tick, and when the signed-in user
        changes: their missed reminders come up)."""
        with self._lock:
            self._changes.clear()           # the full read below covers them
            heap, current = [], {}
            me = self._my_name()
            for item in self.store.scheduled.all(copy=False):
                if item.assigned_user == me and item.status == "open":   # only this user's
                    occ = occurrence_of(item)
                    current[item.id] = occ
                    heap.append((_ts(item.snoozed_until or item.due_at), item.id, occ))
            heapq.heapify(heap)
            claims: dict[str, dict[str, tuple[str, bool]]] = {}
            for claim in self.store.reminder_claims.all(copy=False):
                claims.setdefault(claim.occurrence, {})[claim.station] = (claim.claimed_at, claim.shown)
            self._heap, self._current, self._claims = heap, current, claims
            self._pending.clear()
            self._built = True

    def _store_changed(self, event: StoreChanged) -> None:
        """Any thread (the store's sync thread holds the store lock): only queue the keys;
        the next tick applies them, so this never waits on the tick's store writes."""
        if event.table in (SCHEDULED, CLAIMS):
            self._changes.append((event.table, event.keys))

    def _apply_changes(self) -> None:
        while self._changes:
            table_name, keys = self._changes.popleft()
            table = self.store.tables[table_name]
            if table_name == CLAIMS:
                for key in keys:
                    claim = table.get(key)
                    if claim is not None:
                        self._claims.setdefault(claim.occurrence, {})[claim.station] = (
                            claim.claimed_at, claim.shown)
                continue
            me = self._my_name()
            for key in keys:
                item = table.get(key)
                if item is None or item.status != "open" or item.assigned_user != me:
                    self._current.pop(key, None)
                    continue
                occ = occurrence_of(item)
                if self._current.get(key) != occ:
                    self._current[key] = occ
                    heapq.heappush(self._heap, (_ts(item.snoozed_until or item.due_at), key, occ))
        if len(self._heap) > 2 * len(self._current) + 1000:
            self._heap = [e for e in self._heap if self._current.get(e[1]) == e[2]]
            heapq.heapify(self._heap)

    # -- the tick ---------------------------------------------------------------------------
    def _tick(self, _event: ClockTick | None = None) -> None:
        self.check(self._now())

    def check(self, now: float) -> list[ReminderDue]:
        """Claim what falls due soon, decide what is due: the per-tick work."""
        due: list[tuple[float, ReminderDue]] = []
        with self._lock:
            if not self._built or self._rebuild_wanted:
                self._rebuild_wanted = False
                self.rebuild()
            elif self._changes:
                self._apply_changes()
            heap = self._heap
            while heap and heap[0][0] - self.claim_lead <= now:
                ts, key, occ = heapq.heappop(heap)
                if self._current.get(key) != occ:
                    continue                      # changed or closed since it was indexed
                self._claim(key, occ, ts, now)
            if self._pending:
                for occ, (decide_at, key, ts) in list(self._pending.items()):
                    if decide_at <= now:
                        del self._pending[occ]
                        event = self._decide(occ, key, ts, now)
                        if event is not None:
                            due.append((ts, event))
        due.sort(key=lambda pair: pair[0])        # missed ones: oldest first
        events = [e for _ts_, e in due]
        for event in events:
            self.fired.append(event)
            self.hub.publish(event)
        return events

    def _my_name(self) -> str:
        user = self.current_user()
        return user.name if user is not None else ""

    def _mine(self, item: ScheduledCall) -> bool:
        return self._my_name() == item.assigned_user

    def _claim(self, key: str, occ: str, ts: float, now: float) -> None:
        item = self.store.tables[SCHEDULED].get(key)
        if item is None or not self._mine(item):
            return
        claims = self._claims.get(occ, {})
        if any(shown for _at, shown in claims.values()):
            return                                # it fired already (here or elsewhere)
        if self.station not in claims or not self._live(claims[self.station], now):
            claim = ReminderClaim(id=f"{occ}|{self.station}", occurrence=occ, station=self.station,
                                  user=item.assigned_user, claimed_at=_utc_text(now))
            try:
                self.store.reminder_claims.put(claim)
            except Exception:  # noqa: BLE001 - store closed or refused: no reminder this tick
                log.exception("reminder claim for %s not written", key)
                return
            self._claims.setdefault(occ, {})[self.station] = (claim.claimed_at, False)
        self._pending[occ] = (max(ts, now + self.confirm_after), key, ts)

    def _live(self, claim: tuple[str, bool], now: float) -> bool:
        at, shown = claim
        return shown or now - _ts(at) < STALE_SECONDS

    def _decide(self, occ: str, key: str, ts: float, now: float) -> ReminderDue | None:
        item = self.store.tables[SCHEDULED].get(key)
        if item is None or item.status != "open" or occurrence_of(item) != occ or not self._mine(item):
            return None
        claims = {station: c for station, c in self._claims.get(occ, {}).items() if self._live(c, now)}
        if any(shown for _at, shown in claims.values()):
            return None
        if self.station not in claims:            # ours went stale while waiting: claim anew
            self._claim(key, occ, ts, now)
            return None
        winner = min(claims.items(), key=lambda sc: (sc[1][0], sc[0]))[0]
        if winner != self.station:
            # Look again until the winner's "shown" arrives, or its claim goes stale (that
            # station went away before showing it): then this one takes over.
            log.info("reminder %s goes to %s", key, winner)
            self._pending[occ] = (now + max(self.confirm_after, 5.0), key, ts)
            return None
        at = claims[self.station][0]
        try:
            self.store.reminder_claims.put(ReminderClaim(
                id=f"{occ}|{self.station}", occurrence=occ, station=self.station,
                user=item.assigned_user, claimed_at=at, shown=True))
        except Exception:  # noqa: BLE001
            log.exception("reminder %s: shown mark not written", key)
        self._claims.setdefault(occ, {})[self.station] = (at, True)
        contact = self.store.tables["contacts"].get(item.contact_id) if item.contact_id else None
        return ReminderDue(scheduled_id=item.id, number=item.number,
                           name=contact.name if contact is not None else item.contact_name,
                           notes=item.notes, due_at=item.reminder_at, assigned_user=item.assigned_user,
                           missed=ts < self._started - 1.0)

    @property
    def indexed(self) -> int:
        return len(self._current)

    def close(self) -> None:
        for unsubscribe in self._unsubscribe + self._user_unsubscribe:
            unsubscribe()
