"""Call statistics of the console (SPEC REP-3) over column arrays. Pure: no I/O, no store.

The console keeps the whole call log as numpy columns (``callcore/app/console.py``), so a
year of calls (~330,000 rows) is counted with ``bincount`` in milliseconds instead of a
Python loop over records. Every function here takes :class:`StatsInput` — equal-length
arrays for the calls to count — and returns plain lists and dataclasses the UI draws.

Times are *wall-clock* seconds (local date and time written as if it were UTC), so day,
week, hour and weekday are integer arithmetic. Outcomes (one per call):
answered = answered or transferred; missed; abandoned (the caller hung up in a queue);
unanswered = nobody answered an outgoing/internal call, or busy.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable, Sequence

import numpy as np

from .records import CALL_STATUSES

OUTCOMES = ("answered", "missed", "unanswered", "abandoned")
_OUTCOME_OF_STATUS = {"answered": 0, "transferred": 0, "missed": 1, "unanswered": 2, "busy": 2,
                      "abandoned": 3}
# status code (index into CALL_STATUSES) -> outcome code (index into OUTCOMES)
STATUS_OUTCOME = np.array([_OUTCOME_OF_STATUS[s] for s in CALL_STATUSES], dtype=np.int8)
DAY = 86400
PERIODS = ("day", "week", "month")
_EPOCH = date(1970, 1, 1)


@dataclass
class StatsInput:
    """The calls to count, one array element per call; ``*_names`` decode the codes."""

    t: np.ndarray                 # int64 wall-clock seconds
    status: np.ndarray            # int8 index into CALL_STATUSES
    ring: np.ndarray              # float seconds
    talk: np.ndarray              # float seconds
    user: np.ndarray              # int32 codes
    contact: np.ndarray           # int32 codes (0 = no contact)
    company: np.ndarray           # int32 codes (0 = none)
    line: np.ndarray              # int32 codes of the line / DID dialled (0: not an incoming call)
    name_of: Callable[[int], str] = str   # code -> text for user, contact, company, line

    def __len__(self) -> int:
        return int(self.t.shape[0])


@dataclass
class Tally:
    """Calls of one operator, contact, company or line."""

    name: str
    calls: int
    answered: int
    talk_seconds: float
    ring_seconds: float
    code: int = 0                 # the code it was counted under (for the monthly trend)

    @property
    def average_talk(self) -> float:
        return self.talk_seconds / self.answered if self.answered else 0.0


@dataclass
class PeriodRow:
    label: str                    # 2026-03-14, 2026-W11 (the Monday's week), 2026-03
    counts: tuple[int, int, int, int]    # per OUTCOMES
    talk_seconds: float

    @property
    def calls(self) -> int:
        return sum(self.counts)


@dataclass
class CallStats:
    calls: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    ring_total: float = 0.0
    talk_total: float = 0.0
    period: str = "day"
    periods: list[PeriodRow] = field(default_factory=list)
    by_hour: list[int] = field(default_factory=lambda: [0] * 24)
    load: list[list[int]] = field(default_factory=lambda: [[0] * 24 for _ in range(7)])  # [weekday][hour]
    operators: list[Tally] = field(default_factory=list)
    contacts: list[Tally] = field(default_factory=list)
    companies: list[Tally] = field(default_factory=list)
    lines: list[Tally] = field(default_factory=list)
    # monthly talk seconds of the contacts / companies that take most phone time
    contact_trend: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    company_trend: dict[str, list[tuple[str, float]]] = field(default_factory=dict)

    def rate(self, outcome: str) -> float:
        return self.outcomes[outcome] / self.calls if self.calls else 0.0

    @property
    def answered(self) -> int:
        return self.outcomes["answered"]

    @property
    def ring_average(self) -> float:
        return self.ring_total / self.calls if self.calls else 0.0

    @property
    def talk_average(self) -> float:
        """Per answered call (unanswered calls have no talk time)."""
        return self.talk_total / self.answered if self.answered else 0.0


def day_number(t: np.ndarray) -> np.ndarray:
    return t // DAY


def weekday(days: np.ndarray) -> np.ndarray:
    """Monday = 0 (1970-01-01 was a Thursday)."""
    return (days + 3) % 7


def month_number(days: np.ndarray) -> np.ndarray:
    """Months since 1970-01 for day numbers (numpy's calendar arithmetic)."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def period_keys(t: np.ndarray, period: str) -> np.ndarray:
    days = day_number(t)
    if period == "day":
        return days
    if period == "week":
        return days - weekday(days)          # the Monday
    if period == "month":
        return month_number(days)
    raise ValueError(period)


def period_label(key: int, period: str) -> str:
    if period == "month":
        return f"{1970 + key // 12:04d}-{key % 12 + 1:02d}"
    day = _EPOCH + timedelta(days=int(key))
    if period == "week":
        year, week, _wd = day.isocalendar()
        return f"{year:04d}-W{week:02d}"
    return day.isoformat()


def auto_period(t: np.ndarray) -> str:
    """Days up to two months, weeks up to half a year, months beyond."""
    if t.size == 0:
        return "day"
    span = (int(t.max()) - int(t.min())) // DAY
    return "day" if span <= 62 else "week" if span <= 183 else "month"


def _tallies(codes: np.ndarray, answered: np.ndarray, talk: np.ndarray, ring: np.ndarray,
             name_of: Callable[[int], str], limit: int | None = None) -> list[Tally]:
    """Per code (0 = none, left out), most talk time first; only the first ``limit`` are
    built (a year has up to 100,000 contacts: the chart shows 15)."""
    if codes.size == 0:
        return []
    keys, inverse = np.unique(codes, return_inverse=True)
    calls = np.bincount(inverse, minlength=keys.size)
    ans = np.bincount(inverse, weights=answered, minlength=keys.size)
    tk = np.bincount(inverse, weights=talk, minlength=keys.size)
    rg = np.bincount(inverse, weights=ring, minlength=keys.size)
    order = np.lexsort((-calls, -tk))
    order = order[keys[order] != 0]
    if limit is not None:
        order = order[:limit]
    out = [Tally(name_of(int(keys[g])), int(calls[g]), int(ans[g]), float(tk[g]), float(rg[g]), int(keys[g]))
           for g in order]
    out.sort(key=lambda x: (-x.talk_seconds, -x.calls, x.name))
    return out


def _trend(codes: np.ndarray, months: np.ndarray, talk: np.ndarray,
           top: Sequence[Tally]) -> dict[str, list[tuple[str, float]]]:
    out: dict[str, list[tuple[str, float]]] = {}
    if codes.size == 0:
        return out
    all_months = np.unique(months)
    for tally in top:
        mask = codes == tally.code
        per = np.bincount(np.searchsorted(all_months, months[mask]), weights=talk[mask],
                          minlength=all_months.size)
        out[tally.name] = [(period_label(int(m), "month"), float(v)) for m, v in zip(all_months, per)]
    return out


def compute(data: StatsInput, period: str = "auto", top: int = 15, trend_top: int = 5) -> CallStats:
    """Every statistic of the console's statistics tab for the calls in ``data``."""
    stats = CallStats()
    n = len(data)
    stats.period = auto_period(data.t) if period == "auto" else period
    if n == 0:
        return stats
    outcome = STATUS_OUTCOME[data.status.astype(np.intp)]
    counts = np.bincount(outcome, minlength=4)
    stats.calls = n
    stats.outcomes = {name: int(c) for name, c in zip(OUTCOMES, counts)}
    talk = data.talk.astype(np.float64)
    ring = data.ring.astype(np.float64)
    stats.talk_total = float(talk.sum())
    stats.ring_total = float(ring.sum())
    answered = (outcome == 0).astype(np.float64)

    keys = period_keys(data.t, stats.period)
    uniq, inverse = np.unique(keys, return_inverse=True)
    per = np.bincount(inverse * 4 + outcome, minlength=uniq.size * 4).reshape(uniq.size, 4)
    per_talk = np.bincount(inverse, weights=talk, minlength=uniq.size)
    stats.periods = [PeriodRow(period_label(int(k), stats.period), tuple(int(x) for x in row), float(s))
                     for k, row, s in zip(uniq, per, per_talk)]

    days = day_number(data.t)
    hours = (data.t % DAY) // 3600
    stats.by_hour = [int(x) for x in np.bincount(hours, minlength=24)[:24]]
    load = np.bincount(weekday(days) * 24 + hours, minlength=7 * 24)[:7 * 24].reshape(7, 24)
    stats.load = [[int(x) for x in row] for row in load]

    name_of = data.name_of
    stats.operators = _tallies(data.user, answered, talk, ring, name_of)
    stats.operators.sort(key=lambda x: (-x.calls, x.name))
    stats.lines = _tallies(data.line, answered, talk, ring, name_of, 100)
    stats.lines.sort(key=lambda x: (-x.calls, x.name))
    contacts = _tallies(data.contact, answered, talk, ring, name_of, max(top, trend_top))
    companies = _tallies(data.company, answered, talk, ring, name_of, max(top, trend_top))
    stats.contacts, stats.companies = contacts[:top], companies[:top]
    months = month_number(days)
    stats.contact_trend = _trend(data.contact, months, talk, contacts[:trend_top])
    stats.company_trend = _trend(data.company, months, talk, companies[:trend_top])
    return stats

