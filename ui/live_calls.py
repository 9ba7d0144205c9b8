"""The workstation's calls in progress, as the UI shows them (pure, no Tk).

Domain events move each leg through ringing → active ⇄ held → ended; the calls table and
the popups render :class:`LiveLeg` objects and ask them for their running duration.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from callcore.events import LegAnswered, LegEnded, LegHeld, LegResumed, LegRinging, LegTransferred

from .look import ACTIVE, ENDED, HELD, RINGING, UNKNOWN

# An event time further in the past than this is not trusted for a live counter (a replayed
# demo session, a badly set PBX clock): the arrival time is used instead.
MAX_CLOCK_SKEW = timedelta(hours=12)


def trusted_time(at: datetime | None, now: datetime) -> datetime:
    """The event's own time when plausible, else ``now``; never in the future."""
    if at is None:
        return now
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    if at > now or now - at > MAX_CLOCK_SKEW:
        return now
    return at


@dataclass
class LiveLeg:
    """One channel of this extension and what the UI knows about it."""

    leg_id: str
    call_id: str
    direction: str
    number: str
    caller_id_name: str
    line: str
    ringing_since: datetime
    state: str = RINGING
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    end_status: str = ""
    contact_name: str = ""          # best directory match, '' when unknown
    transferred_by: str = ""
    transferred_to: str = ""
    queue: str = ""
    popup_suppressed: bool = False  # best match has popup priority 0
    unknown_since: datetime | None = None  # the connection dropped: state no longer known
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def display_name(self) -> str:
        return self.contact_name or self.caller_id_name

    @property
    def shown_state(self) -> str:
        """What to show: the state, or UNKNOWN while disconnected (ended stays ended)."""
        if self.unknown_since is not None and self.state != ENDED:
            return UNKNOWN
        return self.state

    def seconds(self, now: datetime) -> float:
        """Talk time once answered, ring time before; frozen once ended, and while the
        connection is down (nobody knows whether the call still runs)."""
        start = self.answered_at or self.ringing_since
        end = self.ended_at or self.unknown_since or now
        return max(0.0, (end - start).total_seconds())


class LiveCalls:
    """Legs of one extension keyed by leg id, updated from domain events."""

    def __init__(self, extension: str):
        self.extension = extension
        self._legs: dict[str, LiveLeg] = {}

    def __iter__(self):
        return iter(list(self._legs.values()))

    def __len__(self) -> int:
        return len(self._legs)

    def get(self, leg_id: str) -> LiveLeg | None:
        return self._legs.get(leg_id)

    def is_mine(self, event) -> bool:
        return getattr(event, "extension", None) == self.extension

    def ringing(self, event: LegRinging, now: datetime) -> LiveLeg:
        leg = self._legs.get(event.leg_id)
        if leg is None:
            leg = LiveLeg(leg_id=event.leg_id, call_id=event.call_id, direction=event.direction,
                          number=event.other_number, caller_id_name=event.other_name,
                          line=event.line, ringing_since=trusted_time(event.at, now),
                          transferred_by=event.transferred_by, queue=event.queue)
            self._legs[event.leg_id] = leg
        else:
            self.refreshed(leg, event)
        return leg

    @staticmethod
    def refreshed(leg: LiveLeg, event: LegRinging) -> LiveLeg:
        """A leg we show was announced again (rebuilt after a reconnect): it is known
        again; fill in what was missing. An answered leg keeps its state (a following
        ``LegAnswered`` confirms it)."""
        leg.unknown_since = None
        if leg.answered_at is None:
            leg.state = RINGING
        leg.number = leg.number or event.other_number
        leg.caller_id_name = leg.caller_id_name or event.other_name
        leg.line = leg.line or event.line
        leg.transferred_by = leg.transferred_by or event.transferred_by
        leg.queue = leg.queue or event.queue
        return leg

    def connection_lost(self, now: datetime) -> list[LiveLeg]:
        """The connection is down: every leg's state is unknown from now on."""
        for leg in self._legs.values():
            if leg.unknown_since is None:
                leg.unknown_since = now
        return list(self._legs.values())

    def connection_back(self) -> list[LiveLeg]:
        """Connected again, calls rebuilt (gone ones were ended first): the legs still
        here are real again. Returns those that were unknown."""
        back = [leg for leg in self._legs.values() if leg.unknown_since is not None]
        for leg in back:
            leg.unknown_since = None
        return back

    def answered(self, event: LegAnswered, now: datetime) -> LiveLeg | None:
        leg = self._legs.get(event.leg_id)
        if leg is None:
            return None
        leg.state = ACTIVE
        leg.unknown_since = None
        if leg.answered_at is None:
            leg.answered_at = max(trusted_time(event.at, now), leg.ringing_since)
        if event.other_number and not leg.number:
            leg.number = event.other_number
        if event.other_name and not leg.caller_id_name:
            leg.caller_id_name = event.other_name
        return leg

    def held(self, event: LegHeld) -> LiveLeg | None:
        leg = self._legs.get(event.leg_id)
        if leg is not None and leg.state != ENDED:
            leg.state = HELD
            leg.unknown_since = None
        return leg

    def resumed(self, event: LegResumed) -> LiveLeg | None:
        leg = self._legs.get(event.leg_id)
        if leg is not None and leg.state != ENDED:
            leg.state = ACTIVE
            leg.unknown_since = None
        return leg

    def transferred(self, event: LegTransferred) -> LiveLeg | None:
        leg = self._legs.get(event.leg_id)
        if leg is not None:
            leg.transferred_to = event.target
        return leg

    def ended(self, event: LegEnded, now: datetime) -> LiveLeg | None:
        """Mark the leg ended and forget it (the popup keeps its own reference)."""
        leg = self._legs.pop(event.leg_id, None)
        if leg is not None:
            leg.state = ENDED
            leg.end_status = event.status
            leg.ended_at = max(trusted_time(event.at, now), leg.answered_at or leg.ringing_since)
        return leg
