"""Campaigns in the window (CAMP-1..4): the list editor's actions, the counters, and the
work view with its preview dialler (``ui.ports.CampaignPort``).

The preview dialler shows the next entry at once, and dials it when the countdown
(``campaign.countdown_seconds``) has run out, unless paused or skipped. The entry is
claimed when it is shown; the claim is confirmed (docs/campaigns.md) before the dial,
which the countdown normally covers — with a shorter countdown the dial waits for it.
A claim is renewed while the entry is worked, released on pause, skip and close.
Timers hang on ``ClockTick`` (once a second); everything else is the operator's click.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

from ..campaign_book import AddReport, CampaignBook, CampaignError, numbers_called_since, scheduler
from ..campaigns import CampaignClosed, CampaignWorkChanged, Counters, EntryState, parse_outcomes, utcnow
from ..events import ClockTick
from ..i18n import _
from ..records import Campaign, CampaignClaim, CampaignEntry, CampaignOutcome
from .hub import EventHub

log = logging.getLogger(__name__)

IDLE, RESERVING, COUNTDOWN, PAUSED, CALLING, DONE, CLOSED = (
    "idle", "reserving", "countdown", "paused", "calling", "done", "closed")


@dataclass(frozen=True)
class WorkState:
    """What the work view shows."""

    campaign_id: str = ""
    phase: str = IDLE
    entry: CampaignEntry | None = None
    seconds_left: int = 0          # countdown to the dial
    message: str = ""
    call_id: str = ""
    history: tuple[CampaignOutcome, ...] = ()
    position: int = 0              # of the shown entry in the list (1-based) …
    total: int = 0                 # … of this many
    browsing: bool = False         # shown by previous/next, not claimed


@dataclass
class _Work:
    campaign_id: str = ""
    phase: str = IDLE
    entry: CampaignEntry | None = None
    claim: CampaignClaim | None = None
    confirmed: bool = False
    confirm_at: datetime | None = None
    dial_at: datetime | None = None
    left_when_paused: float = 0.0
    message: str = ""
    call_id: str = ""
    browse: CampaignEntry | None = None
    last_renew: datetime | None = None
    seen: set[str] = field(default_factory=set)


class CampaignFeature:
    def __init__(self, store: Any, hub: EventHub, settings: Any, *, station: str,
                 user: str = "", dial: Callable[..., Any] | None = None,
                 clock: Callable[[], datetime] = utcnow):
        self.store = store
        self.hub = hub
        self.settings = settings
        self.clock = clock
        self.user_name = user          # follows the signed-in user (container: follow_signed_in_user)
        self.book = CampaignBook(store, station=station, user=lambda: self.user_name, clock=clock,
                                 sync_interval=float(settings.get("store.sync_interval")),
                                 background_load=True)
        self._dial = dial
        self._lock = threading.RLock()
        self._work = _Work()
        self._unsubscribe = hub.subscribe(ClockTick, lambda e: self.tick())

    # ------------------------------------------------------------------ lists (CAMP-1, CAMP-2)
    def campaigns(self) -> list[Campaign]:
        return self.book.campaigns()

    def save_campaign(self, campaign: Campaign) -> Campaign:
        return self.book.save(campaign)

    def entries(self, campaign_id: str) -> list[CampaignEntry]:
        return self.book.entries(campaign_id)

    def add_entries(self, campaign_id: str, rows: list[dict[str, Any]]) -> AddReport:
        return self.book.add_entries(campaign_id, rows)

    def remove_entry(self, campaign_id: str, entry_id: str) -> None:
        self.book.remove_entry(campaign_id, entry_id)

    def preview_file(self, path: str) -> tuple[list[str], dict[str, str], list[list[str]]]:
        """The column-mapping step: the file's headers, the guessed mapping, first rows."""
        from ..campaign_import import guess_mapping, read_table
        headers, rows = read_table(Path(path))
        return headers, guess_mapping(headers), [cells for _n, cells in rows[:10]]

    def import_file(self, campaign_id: str, path: str, mapping: dict[str, str]) -> AddReport:
        from ..campaign_import import read_entries
        return self.book.add_entries(campaign_id, read_entries(Path(path), mapping).rows)

    def select_contacts(self, campaign_id: str, *, type: str = "", city: str = "", company: str = "",
                        not_called_days: int = 0) -> AddReport:
        called = None
        if not_called_days:
            called = numbers_called_since(self.store.calls.since(self.clock() - timedelta(days=not_called_days)))
        rows = self.book.select_contacts(self.store.contacts.all(copy=False), type=type, city=city,
                                         company=company, called_since=called)
        return self.book.add_entries(campaign_id, rows)

    def outcomes(self, campaign_id: str) -> list[str]:
        return list(parse_outcomes(self.book.find(campaign_id).outcomes))

    # ------------------------------------------------------------------ counters (CAMP-4)
    def counters(self, campaign_id: str) -> Counters:
        return self.book.counters(campaign_id)

    def entries_in(self, campaign_id: str, state: str = "", result: str = "",
                   operator: str = "") -> list[tuple[CampaignEntry, EntryState]]:
        return self.book.entries_in(campaign_id, state, result=result, operator=operator)

    def export(self, campaign_id: str, path: str) -> int:
        from ..campaign_export import export_results
        return export_results(self.book, self.book.find(campaign_id), Path(path))

    # ------------------------------------------------------------------ the work view (CAMP-3)
    @property
    def countdown(self) -> int:
        return int(self.settings.get("campaign.countdown_seconds"))

    def state(self) -> WorkState:
        with self._lock:
            w = self._work
            entry = w.browse or w.entry
            left = 0
            if w.phase in (RESERVING, COUNTDOWN) and w.dial_at is not None:
                left = max(0, int(-(-(w.dial_at - self.clock()).total_seconds() // 1)))
            elif w.phase == PAUSED:
                left = int(w.left_when_paused)
            position = total = 0
            if w.campaign_id and entry is not None:
                position, total = self.book.place(w.campaign_id, entry.id)
            history = tuple(self.book.history(w.campaign_id, entry.id)) if entry is not None else ()
            return WorkState(w.campaign_id, w.phase, entry, left, w.message, w.call_id, history,
                             position, total, browsing=w.browse is not None)

    def recent_calls(self, number: str, limit: int = 5) -> list[Any]:
        """The number's latest calls in the call log (the work view's history)."""
        digits = "".join(ch for ch in number if ch.isdigit())
        return self.store.calls.for_number(digits, limit, 12) if digits else []

    def script(self, campaign_id: str) -> str:
        return self.book.find(campaign_id).script

    def _changed(self) -> None:
        self.hub.publish(CampaignWorkChanged(self._work.campaign_id, self._work.phase))

    def start(self, campaign_id: str) -> WorkState:
        """Start (or resume) working a campaign: the next entry, with the countdown."""
        with self._lock:
            if self._work.campaign_id and self._work.campaign_id != campaign_id:
                self._release()
            if self._work.campaign_id != campaign_id:
                self._work = _Work(campaign_id=campaign_id)
            self._take_next(start_after="")
        self._changed()
        return self.state()

    def _release(self) -> None:
        w = self._work
        if w.claim is not None:
            try:
                self.book.release([w.claim])
            except OSError:
                log.exception("could not release a campaign claim")
        w.claim, w.confirmed = None, False

    def _take_next(self, start_after: str = "", entry_id: str = "") -> None:
        """Claim the next claimable entry (or ``entry_id``) and start its countdown."""
        w = self._work
        w.browse = None
        w.call_id = ""
        try:
            claims = (self.book.claim(w.campaign_id, entry_id=entry_id) if entry_id else
                      self.book.claim(w.campaign_id, 1, start_after=start_after))
        except CampaignClosed as exc:
            w.phase, w.entry, w.claim, w.message = CLOSED, None, None, str(exc)
            return
        if not claims and start_after:
            claims = self.book.claim(w.campaign_id, 1)
        if not claims:
            counters = self.book.counters(w.campaign_id)
            w.phase, w.entry, w.claim = DONE, None, None
            w.message = _("End of the list: {completed} of {total} completed, {waiting} waiting for a retry, "
                          "{busy} being called by others").format(
                completed=counters.completed, total=counters.total, waiting=counters.unanswered,
                busy=counters.in_progress)
            return
        now = self.clock()
        w.claim = claims[0]
        w.entry = self.book.entry(w.campaign_id, w.claim.entry_id)
        w.confirmed = False
        w.confirm_at = now + timedelta(seconds=self.book.wait_seconds)
        w.dial_at = now + timedelta(seconds=self.countdown)
        w.phase, w.message = RESERVING, _("Reserving this entry…")
        w.last_renew = now

    def tick(self) -> None:
        """Once a second: confirm the claim, count down, dial; keep the claim alive."""
        changed = False
        dial = None
        with self._lock:
            w = self._work
            now = self.clock()
            if w.phase == RESERVING and w.confirm_at is not None and now >= w.confirm_at:
                won = self.book.confirm([w.claim]) if w.claim is not None else []
                if won:
                    w.confirmed, w.phase = True, COUNTDOWN
                    w.message = _("Dialling when the countdown ends")
                else:
                    left = w.dial_at
                    self._take_next(start_after=w.entry.id if w.entry else "")
                    if w.phase == RESERVING and left is not None:
                        w.dial_at = max(left, w.confirm_at or left)
                changed = True
            if w.phase == COUNTDOWN and w.dial_at is not None and now >= w.dial_at and w.confirmed:
                dial = self._begin_call()
                changed = True
            elif w.phase in (RESERVING, COUNTDOWN):
                changed = True                              # the countdown moved
            if w.claim is not None and w.phase in (COUNTDOWN, CALLING) and w.last_renew is not None:
                c = self.book.find(w.campaign_id)
                if now - w.last_renew >= timedelta(seconds=max(1, c.claim_seconds // 3)):
                    w.last_renew = now
                    if not self.book.renew([w.claim]):
                        w.message = _("This entry was given to another workstation (the claim expired)")
        if dial is not None:
            dial()
        if changed:
            self._changed()

    def _begin_call(self) -> Callable[[], None] | None:
        w = self._work
        entry = w.entry
        if entry is None or self._dial is None:
            return None
        w.phase, w.message = CALLING, _("Calling {number}…").format(number=entry.number)

        def go() -> None:
            future = self._dial(entry.number, campaign_item_id=entry.id)
            if future is not None and hasattr(future, "add_done_callback"):
                def done(f: Any) -> None:
                    try:
                        result = f.result()
                    except Exception:  # noqa: BLE001 - reported by the dial feature
                        return
                    with self._lock:
                        if self._work.entry is not None and self._work.entry.id == entry.id:
                            self._work.call_id = getattr(result, "call_id", "") or ""
                            if not getattr(result, "ok", False):
                                self._work.message = getattr(result, "message", "")
                    self._changed()
                future.add_done_callback(done)
        return go

    def call_now(self) -> None:
        """Call: dial the shown entry without waiting for the countdown (once the claim is
        confirmed; until then the dial waits for it). A browsed entry is claimed first."""
        with self._lock:
            w = self._work
            if w.browse is not None:
                target = w.browse
                self._release()
                try:
                    self._take_next(entry_id=target.id)
                except CampaignError as exc:
                    w.browse, w.message = target, str(exc)
                    self._changed()
                    return
            if w.phase == PAUSED and w.entry is not None:
                self._take_next(entry_id=w.entry.id)
            if w.phase in (RESERVING, COUNTDOWN):
                w.dial_at = self.clock()
        self.tick()

    def pause(self) -> None:
        """Stop the countdown and give the entry back (others may call it meanwhile)."""
        with self._lock:
            w = self._work
            if w.phase not in (RESERVING, COUNTDOWN):
                return
            w.left_when_paused = max(0.0, (w.dial_at - self.clock()).total_seconds()) if w.dial_at else 0.0
            self._release()
            w.phase, w.message = PAUSED, _("Paused")
        self._changed()

    def resume(self) -> None:
        with self._lock:
            w = self._work
            if w.phase != PAUSED:
                return
            entry_id = w.entry.id if w.entry else ""
            try:
                self._take_next(entry_id=entry_id) if entry_id else self._take_next()
            except CampaignError:
                self._take_next(start_after=entry_id)
        self._changed()

    def skip(self) -> None:
        """Not this one now: give it back and show the next."""
        with self._lock:
            w = self._work
            after = (w.browse or w.entry).id if (w.browse or w.entry) else ""
            self._release()
            self._take_next(start_after=after)
        self._changed()

    def browse(self, step: int) -> None:
        """Previous/next through the list (just looking; Call claims the shown entry)."""
        with self._lock:
            w = self._work
            entries = self.book.entries(w.campaign_id)
            current = w.browse or w.entry
            ids = [e.id for e in entries]
            if not ids:
                return
            i = ids.index(current.id) if current is not None and current.id in ids else -1
            j = min(max(i + step, 0), len(ids) - 1)
            if w.phase in (RESERVING, COUNTDOWN):
                w.left_when_paused = max(0.0, (w.dial_at - self.clock()).total_seconds()) if w.dial_at else 0.0
                self._release()
                w.phase, w.message = PAUSED, _("Paused while looking through the list")
            w.browse = entries[j]
        self._changed()

    def record_outcome(self, result: str, note: str = "", call_back_at: datetime | None = None) -> CampaignOutcome:
        """The outcome and notes of the current entry, then the next entry (unless paused)."""
        with self._lock:
            w = self._work
            if w.entry is None or w.browse is not None:
                raise CampaignError(_("No entry is being worked"))
            if not w.confirmed:
                raise CampaignError(_("This entry is still being reserved; a moment, please"))
            c = self.book.find(w.campaign_id)
            outcome = self.book.record_outcome(w.campaign_id, w.entry.id, result, note, call_id=w.call_id,
                                               schedule=scheduler(self.store, self.book.user, c),
                                               call_back_at=call_back_at)
            w.claim = None
            self._take_next(start_after=w.entry.id)
        self._changed()
        return outcome

    def stop(self) -> None:
        """Close the work view: the claim is released."""
        with self._lock:
            self._release()
            cid = self._work.campaign_id
            self._work = _Work(campaign_id=cid)
        self._changed()

    def close(self) -> None:
        self._unsubscribe()
        try:
            self.stop()
            self.book.release_all()
        except Exception:  # noqa: BLE001 - closing: logged, the claims expire anyway
            log.exception("releasing campaign claims at close failed")
        self.book.close()
