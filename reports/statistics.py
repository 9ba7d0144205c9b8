"""Call statistics (REP-3) in one pass over the calls: per period and hour of day (line
load), answered / missed / unanswered rates, talk time totals and averages, per operator
and per contact. Pure: the charts (reports/charts.py), the PDF report and the console's
statistics view all read the same :class:`Statistics`."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable

from callcore.records import CallRecord

from .columns import call_contact, local_time

MISSED = ("missed", "abandoned")


@dataclass
class Tally:
    calls: int = 0
    answered: int = 0
    talk_seconds: float = 0.0

    @property
    def average_talk(self) -> float:
        return self.talk_seconds / self.answered if self.answered else 0.0


@dataclass
class Statistics:
    calls: int = 0
    by_status: Counter = field(default_factory=Counter)
    by_direction: Counter = field(default_factory=Counter)
    by_period: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    by_hour: list[int] = field(default_factory=lambda: [0] * 24)
    per_user: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    per_contact: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    talk_seconds: float = 0.0
    period: str = "day"               # "day" or "month": the key format of by_period

    @property
    def answered(self) -> int:
        return self.by_status["answered"] + self.by_status["transferred"]

    @property
    def missed(self) -> int:
        return sum(self.by_status[s] for s in MISSED)

    @property
    def unanswered(self) -> int:
        return self.by_status["unanswered"] + self.by_status["busy"]

    def rate(self, count: int) -> float:
        return count / self.calls if self.calls else 0.0

    @property
    def average_talk(self) -> float:
        return self.talk_seconds / self.answered if self.answered else 0.0

    def top_contacts(self, n: int = 10) -> list[tuple[str, Tally]]:
        """Who takes most of our phone time."""
        return sorted(self.per_contact.items(), key=lambda kv: (-kv[1].talk_seconds, kv[0]))[:n]

    def users(self) -> list[tuple[str, Tally]]:
        return sorted(self.per_user.items(), key=lambda kv: (-kv[1].calls, kv[0]))


def outcome(call: CallRecord) -> str:
    if call.status in ("answered", "transferred"):
        return "answered"
    if call.status in MISSED:
        return "missed"
    return "unanswered"


def compute(calls: Iterable[CallRecord], start: datetime | None = None,
            end: datetime | None = None) -> Statistics:
    """Statistics of ``calls``; periods are days when the range is at most 62 days long
    (or unknown and the calls span at most that), months otherwise."""
    stats = Statistics()
    rows: list[tuple[datetime, CallRecord]] = []
    for call in calls:
        when = local_time(call.started_at)
        if when is not None:
            rows.append((when, call))
    if start and end:
        long = (end - start).days > 62
    else:
        long = bool(rows) and (max(w for w, _c in rows) - min(w for w, _c in rows)).days > 62
    stats.period = "month" if long else "day"
    key_format = "%Y-%m" if long else "%Y-%m-%d"
    for when, call in rows:
        stats.calls += 1
        stats.by_status[call.status] += 1
        stats.by_direction[call.direction] += 1
        result = outcome(call)
        stats.by_period[when.strftime(key_format)][result] += 1
        stats.by_hour[when.hour] += 1
        answered = result == "answered"
        talk = call.talk_seconds or 0.0
        stats.talk_seconds += talk
        for table, key in ((stats.per_user, call.user), (stats.per_contact, call_contact(call))):
            if not key:
                continue
            tally = table[key]
            tally.calls += 1
            tally.answered += answered
            tally.talk_seconds += talk
    return stats
