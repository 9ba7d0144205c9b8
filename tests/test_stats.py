"""Console statistics (REP-3) over column arrays: periods, line load per hour × weekday,
outcome rates, ring and talk totals and averages, per operator / contact / company / line,
monthly trend of the contacts that take most phone time."""
from __future__ import annotations

from datetime import datetime

import numpy as np

from callcore import stats
from callcore.records import CALL_STATUSES

NAMES = ["", "Anna", "Иван", "Γιώργος Μανουσάκης", "Dvořák s.r.o.", "Ολυμπιακή ΑΕ", "2101234567", "2109999999"]


def wall(text: str) -> int:
    return int((datetime.fromisoformat(text) - datetime(1970, 1, 1)).total_seconds())


def data(rows):
    """rows: (when, status, ring, talk, user, contact, company, line) with names as text."""
    code = {n: i for i, n in enumerate(NAMES)}
    cols = list(zip(*rows))
    return stats.StatsInput(
        t=np.array([wall(w) for w in cols[0]], dtype=np.int64),
        status=np.array([CALL_STATUSES.index(s) for s in cols[1]], dtype=np.int8),
        ring=np.array(cols[2], dtype=np.float32), talk=np.array(cols[3], dtype=np.float32),
        user=np.array([code[x] for x in cols[4]]), contact=np.array([code[x] for x in cols[5]]),
        company=np.array([code[x] for x in cols[6]]), line=np.array([code[x] for x in cols[7]]),
        name_of=NAMES.__getitem__)


ROWS = [
    ("2026-03-02T09:15", "answered", 5, 120, "Anna", "Γιώργος Μανουσάκης", "Ολυμπιακή ΑΕ", "2101234567"),
    ("2026-03-02T09:40", "missed", 20, 0, "Anna", "", "", "2101234567"),
    ("2026-03-03T14:00", "transferred", 3, 60, "Иван", "Γιώργος Μανουσάκης", "Ολυμπιακή ΑΕ", "2109999999"),
    ("2026-04-06T09:05", "abandoned", 40, 0, "Иван", "", "", "2101234567"),
    ("2026-04-07T10:00", "busy", 1, 0, "Anna", "Dvořák s.r.o.", "Dvořák s.r.o.", "2109999999"),
    ("2026-04-08T11:00", "answered", 2, 900, "Иван", "Dvořák s.r.o.", "Dvořák s.r.o.", "2109999999"),
]


def test_outcomes_rates_and_times():
    s = stats.compute(data(ROWS))
    assert s.calls == 6
    assert s.outcomes == {"answered": 3, "missed": 1, "unanswered": 1, "abandoned": 1}
    assert s.rate("answered") == 0.5
    assert (s.ring_total, s.talk_total) == (71.0, 1080.0)
    assert s.talk_average == 360.0 and round(s.ring_average, 2) == 11.83


def test_periods_day_week_month_and_line_load():
    d = data(ROWS)
    assert [(p.label, p.calls) for p in stats.compute(d, "month").periods] == [("2026-03", 3), ("2026-04", 3)]
    weeks = stats.compute(d, "week").periods
    assert [(p.label, p.counts) for p in weeks] == [("2026-W10", (2, 1, 0, 0)), ("2026-W15", (1, 0, 1, 1))]
    days = stats.compute(d, "day")
    assert days.periods[0].label == "2026-03-02" and days.periods[0].talk_seconds == 120.0
    assert days.by_hour[9] == 3 and sum(days.by_hour) == 6
    assert days.load[0][9] == 3          # Mondays 9:00-10:00: two on 2 March, one on 6 April
    assert days.load[1][14] == 1 and days.load[2][11] == 1
    assert stats.auto_period(d.t) == "day"


def test_per_operator_contact_company_line_and_trend():
    s = stats.compute(data(ROWS))
    ops = {t.name: (t.calls, t.answered, t.talk_seconds, t.average_talk) for t in s.operators}
    assert ops == {"Anna": (3, 1, 120.0, 120.0), "Иван": (3, 2, 960.0, 480.0)}
    assert [t.name for t in s.contacts] == ["Dvořák s.r.o.", "Γιώργος Μανουσάκης"]   # most talk time first
    assert [t.name for t in s.companies] == ["Dvořák s.r.o.", "Ολυμπιακή ΑΕ"]
    assert {t.name: t.calls for t in s.lines} == {"2101234567": 3, "2109999999": 3}
    assert s.contact_trend["Γιώργος Μανουσάκης"] == [("2026-03", 180.0), ("2026-04", 0.0)]
    assert s.company_trend["Dvořák s.r.o."] == [("2026-03", 0.0), ("2026-04", 900.0)]


def test_no_calls():
    empty = stats.compute(stats.StatsInput(*(np.zeros(0, dtype=np.int64) for _ in range(8))))
    assert empty.calls == 0 and empty.periods == [] and empty.rate("missed") == 0.0
