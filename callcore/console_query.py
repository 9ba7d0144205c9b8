"""The call console's vocabulary (CON-1..6): what the UI asks for and what it gets back.

Plain dataclasses and pure helpers, shared by ``callcore.app.console`` (which answers) and
``ui/console`` (which asks); no I/O.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from .i18n import _
from .records import CallRecord

_EPOCH = datetime(1970, 1, 1)
COLUMNS = ("started", "direction", "status", "caller", "called", "name", "company", "user", "extension",
           "ring", "talk")
GROUPS = ("contact", "company", "user", "day", "status", "line")
QUICK_RANGES = ("today", "yesterday", "this_week", "this_month", "last_month", "this_year", "all")
PRESETS = ("mine", "group", "all")

def quick_range(name: str, today: date | None = None) -> tuple[datetime | None, datetime | None]:
    """(start inclusive, end exclusive), naive local, for a quick choice of the filter bar."""
    today = today or date.today()
    day = datetime.combine(today, time(0))
    if name == "today":
        return day, day + timedelta(days=1)
    if name == "yesterday":
        return day - timedelta(days=1), day
    if name == "this_week":
        monday = day - timedelta(days=today.weekday())
        return monday, monday + timedelta(days=7)
    if name == "this_month":
        first = day.replace(day=1)
        return first, (first + timedelta(days=32)).replace(day=1)
    if name == "last_month":
        first = day.replace(day=1)
        return (first - timedelta(days=1)).replace(day=1), first
    if name == "this_year":
        return day.replace(month=1, day=1), day.replace(year=today.year + 1, month=1, day=1)
    return None, None


def wall_seconds(when: datetime) -> int:
    """Local wall-clock time as seconds since 1970 (aware times are turned local first)."""
    if when.tzinfo is not None:
        when = when.astimezone().replace(tzinfo=None)
    return int((when - _EPOCH).total_seconds())


def _wall_of_iso(text: str) -> int:
    try:
        return wall_seconds(datetime.fromisoformat(text))
    except (TypeError, ValueError):
        return 0


@dataclass(frozen=True)
class ConsoleQuery:
    """What the console shows. Empty tuples mean "any"; ``start``/``end`` naive local."""

    start: datetime | None = None
    end: datetime | None = None
    directions: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()          # user group names
    extensions: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()           # line / DID (the called number)
    campaign: str = ""                    # "" any, "yes" campaign calls only, "no" none
    contact_types: tuple[str, ...] = ()
    text: str = ""                        # name or number, anywhere in it
    preset: str = "all"                   # mine / group / all (narrowed to what the role allows)
    sort: str = "started"
    descending: bool = True
    group_by: str = ""


@dataclass(frozen=True)
class ConsoleRow:
    id: str
    month: str
    started: datetime
    direction: str
    status: str
    caller_number: str
    called_number: str
    name: str
    company: str
    user: str
    extension: str
    ring_seconds: float
    talk_seconds: float
    transferred_to: str
    contact_id: str

    @property
    def number(self) -> str:
        """The other party: who called us, or whom we called."""
        return self.called_number if self.direction == "out" else self.caller_number

    @property
    def can_call_back(self) -> bool:
        """CON-5: missed incoming and unanswered outgoing calls get a one-click call back."""
        return bool(self.number) and (
            (self.direction == "in" and self.status in ("missed", "abandoned", "unanswered", "busy"))
            or (self.direction == "out" and self.status in ("unanswered", "busy", "missed")))


@dataclass(frozen=True)
class GroupRow:
    key: str                      # the grouped value as text (a day: 2026-03-14)
    calls: int
    answered: int
    missed: int
    ring_seconds: float
    talk_seconds: float

    @property
    def average_talk(self) -> float:
        return self.talk_seconds / self.answered if self.answered else 0.0


@dataclass
class CallDetails:
    """CON-4: everything about one call for the details pane."""

    record: CallRecord
    contact_type: str = ""
    company: str = ""
    legs: list[CallRecord] = field(default_factory=list)       # transfer legs, oldest first
    activity: Any = None
    scheduled: Any = None
    deleted: bool = False




# CON-2: every status the console shows, and its colour unless the setting
# ``console.status_colours`` ("answered=#2e7d32, missed=#c62828, …") says otherwise.
CONSOLE_STATUSES = ("not_started", "ringing", "in_progress", "unanswered", "answered", "transferred", "missed",
                    "abandoned", "busy", "scheduled")
DEFAULT_STATUS_COLOURS = {
    "not_started": "#9e9e9e", "ringing": "#f9a825", "in_progress": "#1565c0", "unanswered": "#ef6c00",
    "answered": "#2e7d32", "transferred": "#6a1b9a", "missed": "#c62828", "abandoned": "#ad1457",
    "busy": "#8d6e63", "scheduled": "#00838f",
}


def status_colours(text: str) -> dict[str, str]:
    """The colour of each status: the defaults with the setting's ``status=#rrggbb`` pairs
    laid over (separated by commas or semicolons; unknown statuses and bad colours are
    left out, so a typo never hides a row)."""
    colours = dict(DEFAULT_STATUS_COLOURS)
    for part in (text or "").replace(";", ",").split(","):
        name, _sep, colour = part.partition("=")
        name, colour = name.strip().lower().replace(" ", "_"), colour.strip()
        if name in colours and len(colour) in (4, 7) and colour.startswith("#") \
                and all(ch in "0123456789abcdefABCDEF" for ch in colour[1:]):
            colours[name] = colour
    return colours


def status_colours_text(colours: dict[str, str]) -> str:
    return ", ".join(f"{name}={colour}" for name, colour in colours.items())


def status_label(status: str) -> str:
    return {"not_started": _("not started"), "ringing": _("ringing"), "in_progress": _("in progress"),
            "unanswered": _("not answered"), "answered": _("answered"), "transferred": _("transferred"),
            "missed": _("missed"), "abandoned": _("abandoned"), "busy": _("busy"),
            "scheduled": _("scheduled")}.get(status, status)


def direction_label(direction: str) -> str:
    return {"in": _("incoming"), "out": _("outgoing"), "internal": _("internal")}.get(direction, direction)
