"""Pure rules of mass-call campaigns (CAMP-1..4): outcome codes, the retry policy, an
entry's state, and which of several claims on an entry wins. No I/O: the store side is
``callcore.campaign_book``, the window's side ``callcore.app.campaigns``.

Why claims work without a server (docs/campaigns.md): a station writes an insert-only
claim, waits :func:`confirm_wait` (twice the time a change needs to reach every other
station), then looks again. With a wait of at least twice the propagation delay, two
stations that both claimed one entry both see both claims at their confirmation time,
so the deterministic order ``(claimed_at, station, id)`` picks the same winner on both,
whatever their clocks say.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterable

from .i18n import _
from .records import DEFAULT_CAMPAIGN_OUTCOMES, Campaign, CampaignClaim, CampaignOutcome

FINAL, RETRY, SCHEDULE = "final", "retry", "schedule"
# Entry states; each entry is in exactly one (the counters partition the total).
PENDING, IN_PROGRESS, UNANSWERED, COMPLETED = "pending", "in_progress", "unanswered", "completed"
STATES = (IN_PROGRESS, UNANSWERED, PENDING, COMPLETED)
PUBLISH_DELAY = 0.25      # the store publishes a change this long after it is made


def outcome_labels() -> dict[str, str]:
    """The default outcome codes as the user reads them."""
    return {"interested": _("Interested"), "not_interested": _("Not interested"),
            "wrong_number": _("Wrong number"), "no_answer": _("No answer"), "busy": _("Busy"),
            "call_back": _("Call back later")}


def state_label(state: str) -> str:
    return {PENDING: _("pending"), IN_PROGRESS: _("in progress"), UNANSWERED: _("unanswered"),
            COMPLETED: _("completed")}.get(state, state)


def outcome_label(code: str) -> str:
    return outcome_labels().get(code, code.replace("_", " "))


def parse_outcomes(text: str) -> dict[str, str]:
    """``code:kind,…`` → {code: kind} in the campaign's order."""
    out: dict[str, str] = {}
    for part in (text or DEFAULT_CAMPAIGN_OUTCOMES).split(","):
        code, _sep, kind = part.strip().partition(":")
        if code.strip():
            out[code.strip()] = kind if kind in (FINAL, RETRY, SCHEDULE) else FINAL
    return out


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def stamp(dt: datetime) -> str:
    """ISO 8601 UTC with microseconds: sorts as text in time order (claims are ordered by it)."""
    return dt.astimezone(timezone.utc).isoformat(timespec="microseconds")


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.astimezone()


def confirm_wait(sync_interval: float) -> float:
    """Seconds between writing a claim and trusting it: twice the longest time a change
    takes to reach another station (published ``PUBLISH_DELAY`` after it is made, read at
    the other's next poll, every ``sync_interval / 2``), plus a margin."""
    return 2 * (PUBLISH_DELAY + sync_interval / 2) + 0.25


class CampaignClosed(ValueError):
    """The campaign hands out no entries now (inactive, finished, outside its dates, not
    for this user); the text says why."""


def check_open(campaign: Campaign, now: datetime, user: str = "", user_group: str = "") -> None:
    """Raise :class:`CampaignClosed` when ``user`` may not be given entries now."""
    if not campaign.active:
        raise CampaignClosed(_("Campaign {code} is not active").format(code=campaign.code))
    if campaign.status == "finished":
        raise CampaignClosed(_("Campaign {code} is finished").format(code=campaign.code))
    start, end = parse_time(campaign.start_at), parse_time(campaign.end_at)
    if start is not None and now < start:
        raise CampaignClosed(_("Campaign {code} starts on {when}").format(
            code=campaign.code, when=start.astimezone().strftime("%Y-%m-%d %H:%M")))
    if end is not None and now > end:
        raise CampaignClosed(_("Campaign {code} ended on {when}").format(
            code=campaign.code, when=end.astimezone().strftime("%Y-%m-%d %H:%M")))
    if user and campaign.assigned_user and campaign.assigned_user.casefold() != user.casefold():
        raise CampaignClosed(_("Campaign {code} is assigned to {user}").format(
            code=campaign.code, user=campaign.assigned_user))
    if user and campaign.assigned_group and not campaign.assigned_user \
            and campaign.assigned_group.casefold() != (user_group or "").casefold():
        raise CampaignClosed(_("Campaign {code} is assigned to the group {group}").format(
            code=campaign.code, group=campaign.assigned_group))


FOREVER = "9999"          # sorts after every stamp: a cached state that never expires by itself


def expiry_cutoff(now_text: str, claim_seconds: int) -> str:
    """Claims last renewed (or made) at or before this stamp have expired."""
    return stamp(parse_time(now_text) - timedelta(seconds=claim_seconds))   # type: ignore[operator]


def claim_live(claim: CampaignClaim, now_text: str, claim_seconds: int, cutoff: str = "") -> bool:
    """Not released and renewed (or made) within ``claim_seconds`` of ``now_text``. Stamps
    are UTC texts of one format (:func:`stamp`), so they compare as text."""
    if claim.released_at or not claim.claimed_at:
        return False
    return (claim.renewed_at or claim.claimed_at) > (cutoff or expiry_cutoff(now_text, claim_seconds))


def claim_order(claim: CampaignClaim) -> tuple[str, str, str]:
    return (claim.claimed_at, claim.station, claim.id)


def winner(claims: Iterable[CampaignClaim], attempt: int, now_text: str,
           claim_seconds: int) -> CampaignClaim | None:
    """The claim that may call the entry's ``attempt`` now: the earliest live one."""
    mine = [c for c in claims if c.attempt == attempt and not c.released_at]
    if not mine:
        return None
    cutoff = expiry_cutoff(now_text, claim_seconds)
    live = [c for c in mine if claim_live(c, now_text, claim_seconds, cutoff)]
    return min(live, key=claim_order) if live else None


@dataclass(frozen=True)
class EntryState:
    state: str
    attempt: int                    # outcomes so far (the next claim's attempt number)
    last_result: str = ""
    retry_at: str | None = None     # unanswered: not handed out before this


def entry_state(outcomes: list[CampaignOutcome], claims: Iterable[CampaignClaim], campaign: Campaign,
                kinds: dict[str, str], now_text: str) -> EntryState:
    """Where an entry stands: completed (a final or scheduling outcome, or ``max_tries``
    reached), in progress (a live claim for its next attempt), unanswered (waiting for a
    retry) or pending (never called)."""
    return entry_state_until(outcomes, claims, campaign, kinds, now_text)[0]


def entry_state_until(outcomes: list[CampaignOutcome], claims: Iterable[CampaignClaim], campaign: Campaign,
                      kinds: dict[str, str], now_text: str) -> tuple[EntryState, str]:
    """:func:`entry_state` and the stamp until which it holds when nothing is written
    (an in-progress entry's claim expires; the other states change only by a write)."""
    attempt = len(outcomes)
    last = max(outcomes, key=lambda o: (o.at, o.id)) if outcomes else None
    if last is not None:
        kind = kinds.get(last.result, FINAL)
        if kind != RETRY or attempt >= campaign.max_tries:
            return EntryState(COMPLETED, attempt, last.result), FOREVER
    win = winner(claims, attempt, now_text, campaign.claim_seconds)
    if win is not None:
        until = stamp(parse_time(win.renewed_at or win.claimed_at)    # type: ignore[operator]
                      + timedelta(seconds=campaign.claim_seconds))
        return EntryState(IN_PROGRESS, attempt, last.result if last else "", last.retry_at if last else None), until
    if last is not None:
        return EntryState(UNANSWERED, attempt, last.result, last.retry_at), FOREVER
    return EntryState(PENDING, 0), FOREVER


def claimable(state: EntryState, now_text: str) -> bool:
    """May a new claim be made for this entry now (the retry interval respected)?"""
    if state.state == PENDING:
        return True
    return state.state == UNANSWERED and (not state.retry_at or state.retry_at <= now_text)


def retry_at(campaign: Campaign, kind: str, attempt_after: int, at: datetime) -> str | None:
    """When a retried entry may be called again (None: it will not be)."""
    if kind != RETRY or attempt_after >= campaign.max_tries:
        return None
    return stamp(at + timedelta(minutes=campaign.retry_minutes))


@dataclass
class Counters:
    """CAMP-4: the live counters of one campaign."""

    total: int = 0
    in_progress: int = 0
    unanswered: int = 0
    pending: int = 0
    completed: int = 0
    by_outcome: dict[str, int] | None = None     # last result per entry
    by_operator: dict[str, int] | None = None    # outcomes recorded per user

    @property
    def progress(self) -> float:
        """Completed share, 0..1 (the progress bar)."""
        return self.completed / self.total if self.total else 0.0

    def as_dict(self) -> dict[str, object]:
        return {"total": self.total, "in_progress": self.in_progress, "unanswered": self.unanswered,
                "pending": self.pending, "completed": self.completed,
                "by_outcome": dict(self.by_outcome or {}), "by_operator": dict(self.by_operator or {}),
                "progress": round(self.progress, 4)}


@dataclass(frozen=True)
class CampaignWorkChanged:
    """The work view's state changed (entry, phase, countdown): the window redraws it."""

    campaign_id: str
    phase: str
