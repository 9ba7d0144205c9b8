"""Campaigns over the store (CAMP-1..4): lists, entries, claims, outcomes, counters.

Shared by the admin command line (``callcore.cli_campaign``) and the window's feature
(``callcore.app.campaigns``), so both hand out entries the same way. An in-memory index
per campaign follows every store change (local or merged from another station), so
claiming the next entry of 100,000 and counting them stay fast (benchmarks/bench_campaign.py).

Claiming (docs/campaigns.md): :meth:`CampaignBook.claim` writes insert-only claims,
the caller waits :attr:`CampaignBook.wait_seconds` (the preview countdown covers it),
then :meth:`CampaignBook.confirm` keeps the claims this station won and releases the rest.
"""
from __future__ import annotations

import logging
import random
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable, Iterator

from .campaigns import (COMPLETED, FINAL, IN_PROGRESS, PENDING, RETRY, SCHEDULE, UNANSWERED,
                        FOREVER, CampaignClosed, Counters, EntryState, check_open, claim_live, claimable,
                        confirm_wait, entry_state_until, parse_outcomes, retry_at, stamp, state_label, utcnow,
                        winner)
from .i18n import _
from .records import Campaign, CampaignClaim, CampaignEntry, CampaignOutcome, RecordError
from .store.repos import Repo

log = logging.getLogger(__name__)
_PENDING = EntryState(PENDING, 0)
TABLES = ("campaigns", "campaign_entries", "campaign_claims", "campaign_outcomes")
_NON_DIGITS = re.compile(r"\D")


class CampaignError(LookupError):
    """A name or id that names nothing, or an action refused (a sentence for the user)."""


def number_key(number: str) -> str:
    """Digits that say whether two numbers are the same line (duplicates in a list)."""
    digits = _NON_DIGITS.sub("", number or "")
    return digits[-10:] if len(digits) > 10 else digits.lstrip("0") or digits


@dataclass
class AddReport:
    """What adding entries did: added, and what was left out and why (CAMP-1)."""

    added: list[CampaignEntry] = field(default_factory=list)
    duplicates: list[tuple[int, str, str]] = field(default_factory=list)       # (row, number, name) twice in the input
    already_listed: list[tuple[int, str, str]] = field(default_factory=list)   # in the list before
    rejected: list[tuple[int, str]] = field(default_factory=list)              # (row, reason)


@dataclass
class Claimed:
    """An entry this station may call now."""

    entry: CampaignEntry
    claim: CampaignClaim


class _Index:
    """One campaign's entries, claims and outcomes, kept in step with the store."""

    def __init__(self) -> None:
        self.entries: dict[str, CampaignEntry] = {}
        self.order: list[str] | None = None
        self.keys: dict[str, str] = {}                 # number key → entry id
        self.outcomes: dict[str, list[CampaignOutcome]] = {}
        self.claims: dict[str, dict[str, CampaignClaim]] = {}
        self.open: list[str] | None = None             # order without entries seen completed
        self.rank: dict[str, int] | None = None        # entry → its place in order
        self.by_operator: dict[str, int] = {}          # outcomes recorded per user
        self.version = 0                               # bumped by every change of this campaign
        self.counted: tuple[int, str, Counters] | None = None   # (version, valid until, counters)
        # CAMP-4 counters kept up to date entry by entry (recounting 100,000 took too long):
        self.tally: dict[tuple[str, str], int] = {}    # (state, last result) → entries
        self.tallied: dict[str, tuple[str, str]] = {}  # entry → the pair it is counted under
        self.stale: set[str] = set()                   # entries to count again
        self.expiring: dict[str, str] = {}             # in-progress entry → when its claim expires
        self.stations: dict[str, str] = {}             # station → its latest claimed_at
        self.own: set[str] = set()                     # entries this station has claims on
        self.cache: dict[str, tuple[EntryState, str]] = {}   # entry → (state, valid until stamp)

    def invalidate(self, entry_id: str) -> None:
        self.cache.pop(entry_id, None)
        self.stale.add(entry_id)
        self.version += 1

    def ordered(self) -> list[str]:
        if self.order is None:
            self.order = sorted(self.entries, key=lambda k: (self.entries[k].position, k))
            self.open = None
            self.rank = None
        return self.order

    def rank_of(self, entry_id: str) -> int:
        """1-based place of an entry in the list (0: not in it)."""
        order = self.ordered()
        if self.rank is None:
            self.rank = {k: i for i, k in enumerate(order, start=1)}
        return self.rank.get(entry_id, 0)


class CampaignBook:
    def __init__(self, store: Any, *, station: str, user: Callable[[], str] | str = "",
                 sync_interval: float = 1.0, clock: Callable[[], datetime] = utcnow,
                 user_group: Callable[[str], str] | None = None, rng: random.Random | None = None,
                 background_load: bool = False):
        self.store = store
        self.station = station
        self._user = user if callable(user) else (lambda: user)   # type: ignore[assignment,return-value]
        self.clock = clock
        self.wait_seconds = confirm_wait(sync_interval)
        self._user_group = user_group or self._group_of
        self._rng = rng or random.Random()
        self._lock = threading.RLock()
        self._campaigns: dict[str, Campaign] = {}
        self._index: dict[str, _Index] = {}
        self.repos = {name: Repo(store, store.tables[name]) for name in TABLES}
        self._ready = threading.Event()
        self._unsubscribe = store.subscribe(self._changed)
        if background_load:       # the window: 100,000 entries must not delay the start (~0.5 s)
            threading.Thread(target=self._load, name="campaign-index", daemon=True).start()
        else:
            self._load()

    @property
    def user(self) -> str:
        return self._user() or ""

    def close(self) -> None:
        self._unsubscribe()

    # ------------------------------------------------------------------ index
    def _load(self) -> None:
        try:
            self._load_all()
        except Exception:  # noqa: BLE001 - a damaged record must not leave waiters hanging
            log.exception("building the campaign index failed")
        finally:
            self._ready.set()

    def ready(self) -> None:
        """Wait for the index (built on its own thread in the window)."""
        self._ready.wait()

    def _load_all(self) -> None:
        with self._lock:
            for c in self.repos["campaigns"].all(copy=False):
                self._campaigns[c.id] = c
            for e in self.repos["campaign_entries"].all(copy=False):
                self._put_entry(e)
            for o in self.repos["campaign_outcomes"].all(copy=False):
                self._put_outcome(o)
            for c in self.repos["campaign_claims"].all(copy=False):
                self._put_claim(c)
            now_text = self._now()[1]
            for cid, idx in self._index.items():        # every entry's state and the counters, now
                campaign = self._campaigns.get(cid)
                if campaign is not None:
                    self._recount(idx, campaign, parse_outcomes(campaign.outcomes), now_text)

    def _idx(self, campaign_id: str) -> _Index:
        idx = self._index.get(campaign_id)
        if idx is None:
            idx = self._index[campaign_id] = _Index()
        return idx

    def _put_entry(self, e: CampaignEntry) -> None:
        idx = self._idx(e.campaign_id)
        old = idx.entries.get(e.id)
        if old is None or old.position != e.position:
            idx.order = None
        if old is not None and idx.keys.get(number_key(old.number)) == e.id:
            del idx.keys[number_key(old.number)]
        idx.entries[e.id] = e
        idx.version += 1
        idx.keys.setdefault(number_key(e.number), e.id)

    def _put_outcome(self, o: CampaignOutcome) -> None:
        idx = self._idx(o.campaign_id)
        items = idx.outcomes.setdefault(o.entry_id, [])
        if all(x.id != o.id for x in items):
            items.append(o)
            who = o.user or o.station
            idx.by_operator[who] = idx.by_operator.get(who, 0) + 1
        idx.invalidate(o.entry_id)

    def _put_claim(self, c: CampaignClaim) -> None:
        idx = self._idx(c.campaign_id)
        idx.claims.setdefault(c.entry_id, {})[c.id] = c
        idx.invalidate(c.entry_id)
        if c.claimed_at > idx.stations.get(c.station, ""):
            idx.stations[c.station] = c.claimed_at
        if c.station == self.station:
            idx.own.add(c.entry_id)

    def _changed(self, change: Any) -> None:
        if change.table not in TABLES:
            return
        table = self.store.tables[change.table]
        with self._lock:
            for key in change.keys:
                obj = table.get(key)
                if change.table == "campaigns":
                    if obj is None:
                        self._campaigns.pop(key, None)
                    else:
                        self._campaigns[key] = obj
                    idx = self._idx(key)                  # outcome kinds, tries, claim time may differ
                    idx.cache.clear()
                    idx.stale.update(idx.outcomes.keys() | idx.claims.keys())
                    idx.version += 1
                elif obj is None:
                    if change.table == "campaign_entries":
                        for idx in self._index.values():
                            gone = idx.entries.pop(key, None)
                            if gone is not None:
                                idx.order = None
                                idx.invalidate(key)
                                if idx.keys.get(number_key(gone.number)) == key:
                                    del idx.keys[number_key(gone.number)]
                elif change.table == "campaign_entries":
                    self._put_entry(obj)
                elif change.table == "campaign_outcomes":
                    self._put_outcome(obj)
                else:
                    self._put_claim(obj)

    # ------------------------------------------------------------------ campaigns
    def campaigns(self) -> list[Campaign]:
        self._ready.wait()
        with self._lock:
            return sorted(self._campaigns.values(), key=lambda c: c.code.casefold())

    def find(self, name: str) -> Campaign:
        """A campaign by id or code (case-insensitive)."""
        self._ready.wait()
        with self._lock:
            if name in self._campaigns:
                return self._campaigns[name]
            folded = (name or "").strip().casefold()
            for c in self._campaigns.values():
                if c.code.strip().casefold() == folded:
                    return c
        raise CampaignError(_("no campaign called {name!r}").format(name=name))

    def save(self, campaign: Campaign) -> Campaign:
        """Create or change a campaign (codes are unique)."""
        campaign.code = campaign.code.strip()
        with self._lock:
            for other in self._campaigns.values():
                if other.id != campaign.id and other.code.casefold() == campaign.code.casefold():
                    raise RecordError("Campaign", "code", _("{code!r} is already used by another campaign").format(
                        code=campaign.code))
        if not campaign.created_at:
            campaign.created_at = stamp(self.clock())
            campaign.created_by = campaign.created_by or self.user
        self.repos["campaigns"].put(campaign)
        return campaign

    def _fresh(self, campaign_id: str) -> Campaign:
        self._ready.wait()
        with self._lock:
            c = self._campaigns.get(campaign_id)
        if c is None:
            raise CampaignError(_("no campaign with id {id}").format(id=campaign_id))
        return c

    # ------------------------------------------------------------------ entries
    def entries(self, campaign_id: str) -> list[CampaignEntry]:
        self._ready.wait()
        with self._lock:
            idx = self._idx(campaign_id)
            return [idx.entries[k] for k in idx.ordered()]

    def entry(self, campaign_id: str, entry_id: str) -> CampaignEntry:
        self._ready.wait()
        with self._lock:
            e = self._idx(campaign_id).entries.get(entry_id)
        if e is None:
            raise CampaignError(_("campaign has no entry {id}").format(id=entry_id))
        return e

    def add_entries(self, campaign_id: str, rows: Iterable[dict[str, Any]]) -> AddReport:
        """Add entries (dicts with name, number, comment, contact_id, company, city) in
        order; a number twice in ``rows`` or already in the list is reported, not added."""
        self._fresh(campaign_id)
        report = AddReport()
        now = stamp(self.clock())
        with self._lock:
            idx = self._idx(campaign_id)
            seen: dict[str, int] = {}
            position = max((e.position for e in idx.entries.values()), default=0)
            for row_no, row in enumerate(rows, start=1):
                row_no = int(row.get("row", row_no))
                number = str(row.get("number") or "").strip()
                name = str(row.get("name") or "").strip()
                key = number_key(number)
                if not key:
                    report.rejected.append((row_no, _("no phone number") if not number else
                                            _("no digits in {number!r}").format(number=number)))
                    continue
                if key in seen:
                    report.duplicates.append((row_no, number, name))
                    continue
                if key in idx.keys:
                    report.already_listed.append((row_no, number, idx.entries[idx.keys[key]].name))
                    continue
                seen[key] = row_no
                position += 1
                report.added.append(CampaignEntry(
                    campaign_id=campaign_id, number=number, name=name,
                    comment=str(row.get("comment") or "").strip(), contact_id=str(row.get("contact_id") or ""),
                    company=str(row.get("company") or "").strip(), city=str(row.get("city") or "").strip(),
                    position=position, added_at=now, added_by=self.user))
        repo = self.repos["campaign_entries"]
        for start in range(0, len(report.added), 2000):
            with self.store.batch():
                for e in report.added[start:start + 2000]:
                    repo.put(e)
        return report

    def remove_entry(self, campaign_id: str, entry_id: str) -> None:
        self.entry(campaign_id, entry_id)
        self.repos["campaign_entries"].delete(entry_id)

    # ------------------------------------------------------------------ state
    def _now(self) -> tuple[datetime, str]:
        now = self.clock()
        return now, stamp(now)

    def _state(self, idx: _Index, c: Campaign, kinds: dict[str, str], entry_id: str, now_text: str) -> EntryState:
        hit = idx.cache.get(entry_id)
        if hit is not None and now_text < hit[1]:
            return hit[0]
        outcomes = idx.outcomes.get(entry_id)
        claims = idx.claims.get(entry_id)
        if not outcomes and not claims:
            return _PENDING
        state, until = entry_state_until(outcomes or [], (claims or {}).values(), c, kinds, now_text)
        idx.cache[entry_id] = (state, until)
        return state

    def state_of(self, campaign_id: str, entry_id: str) -> EntryState:
        c = self._fresh(campaign_id)
        with self._lock:
            return self._state(self._idx(campaign_id), c, parse_outcomes(c.outcomes), entry_id, self._now()[1])

    def place(self, campaign_id: str, entry_id: str) -> tuple[int, int]:
        """(place of the entry in the list, 1-based; entries in the list)."""
        self._ready.wait()
        with self._lock:
            idx = self._idx(campaign_id)
            return idx.rank_of(entry_id), len(idx.entries)

    def history(self, campaign_id: str, entry_id: str) -> list[CampaignOutcome]:
        """The entry's outcomes, oldest first."""
        self._ready.wait()
        with self._lock:
            return sorted(self._idx(campaign_id).outcomes.get(entry_id, []), key=lambda o: (o.at, o.id))

    def counters(self, campaign_id: str) -> Counters:
        """CAMP-4: every entry in exactly one of in progress / unanswered / pending /
        completed; the last result per entry; outcomes per operator."""
        c = self._fresh(campaign_id)
        kinds = parse_outcomes(c.outcomes)
        now_text = self._now()[1]
        counts = {PENDING: 0, IN_PROGRESS: 0, UNANSWERED: 0, COMPLETED: 0}
        by_outcome: dict[str, int] = {}
        with self._lock:
            idx = self._idx(campaign_id)
            if idx.counted is not None and idx.counted[0] == idx.version and now_text < idx.counted[1]:
                return _copy_counters(idx.counted[2])          # nothing changed since (two views ask)
            self._recount(idx, c, kinds, now_text)
            entries, tally = idx.entries, idx.tally
            counts[PENDING] = len(entries) - len(idx.tallied)     # never claimed: pending
            for (state, last), n in tally.items():
                if n:
                    counts[state] += n
                    if last:
                        by_outcome[last] = by_outcome.get(last, 0) + n
            valid = min(idx.expiring.values(), default=FOREVER)
            result = Counters(total=len(entries), in_progress=counts[IN_PROGRESS], unanswered=counts[UNANSWERED],
                              pending=counts[PENDING], completed=counts[COMPLETED], by_outcome=by_outcome,
                              by_operator=dict(idx.by_operator))
            idx.counted = (idx.version, valid, result)
        return _copy_counters(result)

    def _recount(self, idx: _Index, c: Campaign, kinds: dict[str, str], now_text: str) -> None:
        """Count again the entries changed (or whose claim expired) since the last count."""
        for key, until in list(idx.expiring.items()):
            if until <= now_text:
                del idx.expiring[key]
                idx.cache.pop(key, None)
                idx.stale.add(key)
        tally, tallied, entries = idx.tally, idx.tallied, idx.entries
        for key in idx.stale:
            old = tallied.pop(key, None)
            if old is not None:
                tally[old] -= 1
            idx.expiring.pop(key, None)
            if key not in entries or (key not in idx.outcomes and key not in idx.claims):
                continue
            st = self._state(idx, c, kinds, key, now_text)
            pair = (st.state, st.last_result)
            tally[pair] = tally.get(pair, 0) + 1
            tallied[key] = pair
            hit = idx.cache.get(key)
            if hit is not None and hit[1] != FOREVER:
                idx.expiring[key] = hit[1]
        idx.stale.clear()

    def entries_in(self, campaign_id: str, state: str = "", *, result: str = "",
                   operator: str = "") -> list[tuple[CampaignEntry, EntryState]]:
        """The entries behind a counter (clicking it lists them), in list order."""
        c = self._fresh(campaign_id)
        kinds = parse_outcomes(c.outcomes)
        now_text = self._now()[1]
        out = []
        with self._lock:
            idx = self._idx(campaign_id)
            for key in idx.ordered():
                st = self._state(idx, c, kinds, key, now_text)
                if state and st.state != state:
                    continue
                if result and st.last_result != result:
                    continue
                if operator and not any((o.user or o.station) == operator for o in idx.outcomes.get(key, [])):
                    continue
                out.append((idx.entries[key], st))
        return out

    # ------------------------------------------------------------------ claiming
    def _user_group_name(self) -> str:
        return self._user_group(self.user) if self.user else ""

    def _group_of(self, user: str) -> str:
        folded = user.casefold()
        for u in self.store.users.all(copy=False):
            if u.name.casefold() == folded and u.group_id:
                g = self.store.groups.get(u.group_id)
                return g.name if g else ""
        return ""

    def held(self, campaign_id: str) -> list[Claimed]:
        """Entries this station has claimed, confirmed (older than the wait) and not yet
        given an outcome, in list order."""
        c = self._fresh(campaign_id)
        now, now_text = self._now()
        ripe = stamp(now - timedelta(seconds=self.wait_seconds))
        out = []
        with self._lock:
            idx = self._idx(campaign_id)
            for entry_id in list(idx.own):
                claims = idx.claims.get(entry_id, {})
                attempt = len(idx.outcomes.get(entry_id, []))
                win = winner(claims.values(), attempt, now_text, c.claim_seconds)
                if win is None or win.station != self.station or entry_id not in idx.entries:
                    if not any(x.station == self.station and x.attempt >= attempt
                               and claim_live(x, now_text, c.claim_seconds) for x in claims.values()):
                        idx.own.discard(entry_id)        # nothing of ours left to wait for
                    continue
                if win.claimed_at <= ripe:
                    out.append(Claimed(idx.entries[entry_id], win))
        return sorted(out, key=lambda x: (x.entry.position, x.entry.id))

    def _candidates(self, idx: _Index, c: Campaign, want: int, now_text: str,
                    start_after: str = "") -> list[str]:
        """Up to ``want`` claimable entries in list order (after ``start_after``). Walks
        the list without the entries already seen completed (``_Index.open``), with each
        entry's cached state, so the 100,000th entry costs what the first does."""
        kinds = parse_outcomes(c.outcomes)
        order = idx.ordered()
        if idx.open is None:
            idx.open = list(order)
        after = None
        if start_after and start_after in idx.entries:
            after = (idx.entries[start_after].position, start_after)
        entries, cache, outcomes, claims = idx.entries, idx.cache, idx.outcomes, idx.claims
        out: list[str] = []
        dead = 0
        for key in idx.open:
            if after is not None and (entries[key].position, key) <= after:
                continue
            hit = cache.get(key)
            if hit is not None and now_text < hit[1]:
                st = hit[0]
            elif key not in outcomes and key not in claims:
                out.append(key)
                if len(out) >= want:
                    break
                continue
            else:
                st = self._state(idx, c, kinds, key, now_text)
            if st.state == COMPLETED:
                dead += 1
            elif claimable(st, now_text):
                out.append(key)
                if len(out) >= want:
                    break
        if dead > 256:          # forget completed entries now and then (they stay completed)
            idx.open = [k for k in idx.open if not ((hit := cache.get(k)) and hit[0].state == COMPLETED)]
        return out

    def claim(self, campaign_id: str, count: int = 1, *, entry_id: str = "",
              start_after: str = "") -> list[CampaignClaim]:
        """Write claims for up to ``count`` claimable entries (or for ``entry_id``); they
        are this station's only once :meth:`confirm` says so. Raises CampaignClosed when
        the campaign hands out nothing now (inactive, finished, dates, assignee)."""
        c = self._fresh(campaign_id)
        now, now_text = self._now()
        check_open(c, now, self.user, self._user_group_name())
        with self._lock:
            idx = self._idx(campaign_id)
            kinds = parse_outcomes(c.outcomes)
            if entry_id:
                if entry_id not in idx.entries:
                    raise CampaignError(_("campaign has no entry {id}").format(id=entry_id))
                st = self._state(idx, c, kinds, entry_id, now_text)
                if not claimable(st, now_text):
                    raise CampaignError(_("{name} is not free to call: {state}").format(
                        name=idx.entries[entry_id].name or idx.entries[entry_id].number,
                        state=state_label(st.state)))
                keys = [entry_id]
            else:
                recent = stamp(now - timedelta(seconds=max(60, self.wait_seconds * 4)))
                others = sum(1 for s, at in idx.stations.items() if s != self.station and at >= recent)
                pool = self._candidates(idx, c, count * (1 + 2 * others), now_text, start_after)
                keys = pool if len(pool) <= count or not others else self._rng.sample(pool, count)
                keys.sort(key=lambda k: (idx.entries[k].position, k))
            claims = [CampaignClaim(entry_id=k, campaign_id=campaign_id, attempt=self._state(
                idx, c, kinds, k, now_text).attempt, station=self.station, user=self.user,
                claimed_at=now_text) for k in keys]
        repo = self.repos["campaign_claims"]
        with self.store.batch():
            for claim in claims:
                repo.put(claim)
            if claims and c.status == "not_started":
                self.repos["campaigns"].put(_with(c, status="in_progress"))
        return claims

    def confirm(self, claims: Iterable[CampaignClaim]) -> list[Claimed]:
        """The claims that won (call these entries); the lost ones are released."""
        won, lost = [], []
        with self._lock:
            for claim in claims:
                c = self._campaigns.get(claim.campaign_id)
                idx = self._idx(claim.campaign_id)
                now_text = self._now()[1]
                attempt = len(idx.outcomes.get(claim.entry_id, []))
                win = (winner(idx.claims.get(claim.entry_id, {}).values(), attempt, now_text, c.claim_seconds)
                       if c is not None and attempt == claim.attempt else None)
                entry = idx.entries.get(claim.entry_id)
                if win is not None and win.id == claim.id and entry is not None:
                    won.append(Claimed(entry, win))
                else:
                    lost.append(claim)
        self.release(lost)
        return won

    def release(self, claims: Iterable[CampaignClaim]) -> None:
        """Give entries back (pause, close, a lost claim)."""
        repo = self.repos["campaign_claims"]
        now_text = self._now()[1]
        with self.store.batch():
            for claim in claims:
                current = repo.get(claim.id)
                if current is not None and not current.released_at and current.station == self.station:
                    current.released_at = now_text
                    repo.put(current)

    def release_all(self, campaign_id: str = "") -> int:
        """Release every live claim of this station (closing the window)."""
        self._ready.wait()
        now_text = self._now()[1]
        mine = []
        with self._lock:
            for cid, idx in self._index.items():
                if campaign_id and cid != campaign_id:
                    continue
                c = self._campaigns.get(cid)
                if c is None:
                    continue
                for claims in idx.claims.values():
                    mine += [x for x in claims.values() if x.station == self.station
                             and claim_live(x, now_text, c.claim_seconds)]
        self.release(mine)
        return len(mine)

    def renew(self, claims: Iterable[CampaignClaim]) -> list[CampaignClaim]:
        """Keep claims alive while their entries are being worked (not a crash). An
        expired claim is not brought back (another station may be calling the entry by
        now); the claims still alive are returned."""
        repo = self.repos["campaign_claims"]
        now_text = self._now()[1]
        alive = []
        with self.store.batch():
            for claim in claims:
                current = repo.get(claim.id)
                c = self._campaigns.get(claim.campaign_id)
                if current is not None and c is not None and claim_live(current, now_text, c.claim_seconds):
                    current.renewed_at = now_text
                    repo.put(current)
                    alive.append(current)
        return alive

    def next_entries(self, campaign_id: str, wait: Callable[[float], None], count: int = 1,
                     tries: int = 20) -> list[Claimed]:
        """Claim, wait, confirm: up to ``count`` entries this station may call now (those
        it already holds first). [] when nothing is left to hand out now."""
        held = self.held(campaign_id)
        if held:
            return held[:count]
        for _ in range(tries):
            claims = self.claim(campaign_id, count)
            if not claims:
                self._maybe_finished(campaign_id)
                return []
            wait(self.wait_seconds)
            won = self.confirm(claims)
            if won:
                return won
        return []

    def _maybe_finished(self, campaign_id: str) -> None:
        c = self._fresh(campaign_id)
        counters = self.counters(campaign_id)
        if counters.total and counters.completed == counters.total and c.status != "finished":
            self.repos["campaigns"].put(_with(c, status="finished"))

    # ------------------------------------------------------------------ outcomes
    def record_outcome(self, campaign_id: str, entry_id: str, result: str, note: str = "", *,
                       call_id: str = "", schedule: Callable[[CampaignEntry, datetime, str], str] | None = None,
                       call_back_at: datetime | None = None) -> CampaignOutcome:
        """Record what came of the call this station holds the claim for. A retry outcome
        makes the entry wait ``retry_minutes`` (up to ``max_tries``); a scheduling one
        (call back later) creates a scheduled call through ``schedule``."""
        c = self._fresh(campaign_id)
        kinds = parse_outcomes(c.outcomes)
        if result not in kinds:
            raise CampaignError(_("{result!r} is not an outcome of campaign {code} (known: {known})").format(
                result=result, code=c.code, known=", ".join(kinds)))
        now, now_text = self._now()
        with self._lock:
            idx = self._idx(campaign_id)
            entry = idx.entries.get(entry_id)
            if entry is None:
                raise CampaignError(_("campaign has no entry {id}").format(id=entry_id))
            attempt = len(idx.outcomes.get(entry_id, []))
            win = winner(idx.claims.get(entry_id, {}).values(), attempt, now_text, c.claim_seconds)
        if win is None or win.station != self.station:
            who = _("nobody") if win is None else win.station
            raise CampaignError(_("{name} is not claimed by this workstation (held by {who}); take it "
                                  "with 'campaign next' first").format(name=entry.name or entry.number, who=who))
        kind = kinds[result]
        scheduled_id = ""
        if kind == SCHEDULE and schedule is not None:
            when = call_back_at or now + timedelta(minutes=c.retry_minutes or 60)
            scheduled_id = schedule(entry, when, note)
        outcome = CampaignOutcome(entry_id=entry_id, campaign_id=campaign_id, result=result, attempt=attempt,
                                  note=note.strip(), user=self.user, station=self.station, at=now_text,
                                  claim_id=win.id, call_id=call_id, scheduled_id=scheduled_id,
                                  retry_at=retry_at(c, kind, attempt + 1, now))
        self.repos["campaign_outcomes"].put(outcome)
        return outcome

    # ------------------------------------------------------------------ directory
    def select_contacts(self, contacts: Iterable[Any], *, type: str = "", city: str = "", company: str = "",
                        called_since: set[str] | None = None) -> list[dict[str, Any]]:
        """Rows for :meth:`add_entries` from the directory with filters (CAMP-1): type,
        city, company (case-insensitive, part of the text), and — ``called_since`` being
        the number keys called after the cut-off — only contacts not called since."""
        city_f, company_f = city.strip().casefold(), company.strip().casefold()
        rows = []
        for contact in contacts:
            if type and contact.type != type:
                continue
            if city_f and city_f not in (contact.city or "").casefold():
                continue
            if company_f and company_f not in (contact.company or contact.name or "").casefold():
                continue
            if not contact.phones:
                continue
            if called_since is not None and any(number_key(p.number) in called_since for p in contact.phones):
                continue
            phone = next((p for p in contact.phones if p.label in ("mobile", "work")), contact.phones[0])
            rows.append({"name": contact.name, "number": phone.number, "contact_id": contact.id,
                         "company": contact.company, "city": contact.city, "comment": ""})
        return rows


def scheduler(store: Any, user: str, campaign: Any) -> Any:
    """'Call back later': a scheduled call for the user (issue 8's ScheduleBook)."""
    from .records import User
    from .scheduled_calls import ScheduleBook

    def me() -> Any:
        return User(name=user, id="") if user else None
    book = ScheduleBook(store, me=me)

    def schedule(entry: Any, when: datetime, note: str) -> str:
        known = bool(user) and book.user_named(user) is not None
        item = book.schedule(entry.number, when, contact_id=entry.contact_id, contact_name=entry.name,
                             assigned_user=user if known or len(store.users) == 0 else "",
                             notes=(f"{campaign.code}: {note}" if note else campaign.code))
        return item.id
    return schedule


def _copy_counters(n: Counters) -> Counters:
    return Counters(n.total, n.in_progress, n.unanswered, n.pending, n.completed,
                    dict(n.by_outcome or {}), dict(n.by_operator or {}))


def _with(c: Campaign, **values: Any) -> Campaign:
    new = Campaign.from_dict({**c.to_dict(), **values})
    return new


def numbers_called_since(calls: Iterator[Any]) -> set[str]:
    """Number keys of every call in ``calls`` (for the 'last call older than' filter)."""
    out: set[str] = set()
    for call in calls:
        for number in (call.caller_number, call.called_number):
            if number:
                out.add(number_key(number))
    return out


__all__ = ["AddReport", "CampaignBook", "CampaignClosed", "CampaignError", "Claimed", "FINAL", "RETRY",
           "SCHEDULE", "number_key", "numbers_called_since", "scheduler", "state_label"]
