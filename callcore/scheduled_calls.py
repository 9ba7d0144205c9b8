"""Scheduled calls over the store (SCHED-1, SCHED-3, POP-3): schedule, edit, reassign,
snooze, reschedule, mark done, and the schedule view (overdue / today / upcoming; mine / my group /
all as the role allows).

Every change goes through the role rules (``callcore.roles``) here, not only in the UI: an
agent changes and assigns only their own, a supervisor their group's, a director anyone's.
The actor is whoever is signed in at this workstation (``current_user``); ``None`` means
unrestricted (no users defined, or the admin command line without a user).
Shared by the window's feature (``callcore.app.schedule.ScheduleFeature`` adds Call now)
and the admin command line (``callcore.cli_schedule``), so both refuse the same things with
the same sentences, like ``callcore.users`` for users. Reminders follow the same table
(``callcore.app.reminders``).
"""
from __future__ import annotations

import bisect
import heapq
import logging
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from .i18n import _
from .records import CallAnnotation, RecordError, ScheduledCall, User
from .roles import PermissionDenied, require_assign, require_change, scope_of

log = logging.getLogger(__name__)

SECTIONS = ("overdue", "today", "upcoming")
SCOPES = ("mine", "group", "all")
SNOOZE_MINUTES = (5, 15, 60)
_SCOPE_RANK = {"own": 0, "group": 1, "all": 2}
_WANTED_RANK = {"mine": 0, "group": 1, "all": 2}


class ScheduleError(LookupError):
    """An id that names no scheduled call (a sentence for the user)."""


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def iso(dt: datetime) -> str:
    """ISO 8601 with offset (naive = local time), seconds precision."""
    if dt.tzinfo is None:
        dt = dt.astimezone()
    return dt.isoformat(timespec="seconds")


def parse_when(text: str) -> datetime:
    """An ISO 8601 date-time; without an offset it is local time. ValueError with a
    sentence when it is not one."""
    try:
        value = datetime.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise ValueError(_("not a date and time (ISO 8601, e.g. 2026-12-01T09:30): {value!r}").format(
            value=text)) from None
    return value.astimezone() if value.tzinfo is None else value


def timestamp(text: str | None) -> float:
    return datetime.fromisoformat(text).timestamp() if text else 0.0


def quick_choices(now: datetime) -> list[tuple[str, datetime]]:
    """The schedule dialog's quick choices: in 1 hour, tomorrow 9:00 (local time)."""
    local = now.astimezone()
    tomorrow = (local + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    return [(_("In 1 hour"), (local + timedelta(hours=1)).replace(second=0, microsecond=0)),
            (_("Tomorrow 9:00"), tomorrow)]


@dataclass(frozen=True)
class ScheduleRow:
    """One line of the schedule view (a copy: safe to keep on the Tk thread)."""

    item: ScheduledCall
    section: str                 # overdue | today | upcoming | done
    when: datetime               # the reminder time, local


class OpenIndex:
    """Open scheduled calls ordered by reminder time, kept up to date from change
    notices (any thread) and applied when read, so the first page of the schedule is a
    walk from the right place, not a sort of 100,000 records."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sorted: list[tuple[float, str]] | None = None
        self._ts: dict[str, float] = {}
        self._dirty: deque[frozenset[str] | set[str]] = deque()

    def changed(self, keys: Any) -> None:
        self._dirty.append(keys)         # also while building: applied right after it

    def locked(self, table: Any) -> "OpenIndex":
        """Bring the order up to date; use as ``with index.locked(table): index.entries``."""
        self._lock.acquire()
        try:
            if self._sorted is None:
                entries = []
                for item in table.visible():
                    if item.status == "open":
                        ts = timestamp(item.snoozed_until or item.due_at)
                        self._ts[item.id] = ts
                        entries.append((ts, item.id))
                entries.sort()
                self._sorted = entries
            while self._dirty:
                for key in self._dirty.popleft():
                    self._update(table, key)
        except BaseException:
            self._lock.release()
            raise
        return self

    def _update(self, table: Any, key: str) -> None:
        entries = self._sorted
        assert entries is not None
        old = self._ts.pop(key, None)
        if old is not None:
            i = bisect.bisect_left(entries, (old, key))
            if i < len(entries) and entries[i] == (old, key):
                del entries[i]
        item = table.get(key)
        if item is not None and item.status == "open":
            ts = timestamp(item.snoozed_until or item.due_at)
            bisect.insort(entries, (ts, key))
            self._ts[key] = ts

    @property
    def entries(self) -> list[tuple[float, str]]:
        return self._sorted or []

    def __enter__(self) -> "OpenIndex":
        return self

    def __exit__(self, *exc: Any) -> None:
        self._lock.release()


class ScheduleBook:
    """Scheduled calls in the store, with the role rules applied."""

    def __init__(self, store: Any, hub: Any = None, *,
                 current_user: Callable[[], User | None] = lambda: None,
                 dial: Callable[[str], Any] | None = None,
                 clock: Callable[[], datetime] = utcnow,
                 me: Callable[[], User | None] | None = None):
        self.store = store
        self.hub = hub
        self.current_user = current_user          # whom the role rules check (may raise)
        self._me = me or current_user             # whose schedule "mine" is
        self._dial = dial
        self.clock = clock
        self._index = OpenIndex()
        self._unsubscribe = None
        if hub is not None:
            from .events import StoreChanged
            self._unsubscribe = hub.subscribe(StoreChanged, self._store_changed)

    def _store_changed(self, event: Any) -> None:
        if event.table == ScheduledCall.TABLE:
            self._index.changed(event.keys)

    def _put(self, item: ScheduledCall) -> ScheduledCall:
        self.store.scheduled.put(item)
        self._index.changed((item.id,))
        return item

    def prepare(self) -> None:
        """Build the schedule's order now (a background thread at start), so the first
        opening of the schedule view does not pay for it."""
        with self._index.locked(self.store.tables[ScheduledCall.TABLE]):
            pass

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    # -- who ------------------------------------------------------------------------------
    def user_named(self, name: str) -> User | None:
        folded = (name or "").strip().casefold()
        if not folded:
            return None
        for user in self.store.users.all(copy=False):
            if user.name.strip().casefold() == folded or user.id == name:
                return user
        return None

    def me(self) -> str:
        user = self._me()
        return user.name if user is not None else ""

    def scopes(self) -> list[str]:
        """The view presets this user may pick (mine / my group / all); only "mine" while
        users exist but nobody is signed in."""
        try:
            allowed = _SCOPE_RANK[scope_of(self.current_user())]
        except PermissionDenied:
            return ["mine"]
        return [s for s in SCOPES if _WANTED_RANK[s] <= allowed]

    def assignable_users(self) -> list[str]:
        """Names this user may schedule for (self first)."""
        from .roles import assignable_names_of
        return assignable_names_of(self.current_user, self.store.users.all(copy=False), self._me())

    def quick_choices(self) -> list[tuple[str, datetime]]:
        return quick_choices(self.clock())

    def _owner(self, item: ScheduledCall) -> User | None:
        return self.user_named(item.assigned_user) if item.assigned_user else None

    def _require_change(self, item: ScheduledCall, what: str) -> None:
        require_change(self.current_user(), self._owner(item), what)

    def _check_target(self, name: str) -> str:
        """The stored name for an assignee; refuses unknown names when users exist and
        targets the role does not allow."""
        name = (name or "").strip()
        if not name:
            return ""
        target = self.user_named(name)
        if target is None:
            if len(self.store.users) > 0:
                raise RecordError("ScheduledCall", "assigned_user", _("no user called {name!r}").format(name=name))
            return name
        require_assign(self.current_user(), target, _("schedule a call for {name}").format(name=target.name))
        return target.name

    # -- changing ----------------------------------------------------------------------------
    def schedule(self, number: str, due_at: datetime, *, contact_id: str = "", contact_name: str = "",
                 assigned_user: str | None = None, notes: str = "", priority: int = 1,
                 call_id: str = "") -> ScheduledCall:
        """SCHED-1: a call to make at ``due_at`` (for oneself unless ``assigned_user``)."""
        number = (number or "").strip()
        if not any(ch.isdigit() for ch in number):
            raise RecordError("ScheduledCall", "number", _("a number to call is required"))
        assignee = self.me() if assigned_user is None else assigned_user
        if not contact_id and not contact_name:
            contact_id, contact_name = self.contact_for_number(number)
        item = ScheduledCall(number=number, due_at=iso(due_at), contact_id=contact_id,
                             contact_name=contact_name or self._contact_name(contact_id),
                             assigned_user=self._check_target(assignee), created_by=self.me(),
                             notes=notes.strip(), priority=int(priority), created_at=iso(self.clock()),
                             call_id="")
        self._put(item)
        if call_id:
            self._annotate(call_id, scheduled_id=item.id)
        return item

    def get(self, scheduled_id: str) -> ScheduledCall:
        item = self.store.scheduled.get(scheduled_id) if scheduled_id else None
        if item is None:
            raise ScheduleError(_("no scheduled call with id {id}").format(id=scheduled_id))
        return item

    def update(self, item: ScheduledCall) -> ScheduledCall:
        """Store an edited scheduled call (dialog: time, number, note, priority, user)."""
        before = self.get(item.id)
        self._require_change(before, _("change {name}'s scheduled call").format(name=before.assigned_user))
        if item.assigned_user != before.assigned_user:
            item.assigned_user = self._check_target(item.assigned_user)
        if item.due_at != before.due_at:
            item.snoozed_until = None
        return self._put(item)

    def _change(self, scheduled_id: str, what: str, **values: Any) -> ScheduledCall:
        item = self.get(scheduled_id)
        self._require_change(item, what.format(name=item.assigned_user or _("nobody")))
        for name, value in values.items():
            setattr(item, name, value)
        return self._put(item)

    def snooze(self, scheduled_id: str, minutes: int) -> ScheduledCall:
        """The reminder comes back in ``minutes`` (the due time stays as it was)."""
        until = self.clock() + timedelta(minutes=float(minutes))
        return self._change(scheduled_id, _("snooze {name}'s scheduled call"), snoozed_until=iso(until))

    def reschedule(self, scheduled_id: str, due_at: datetime) -> ScheduledCall:
        return self._change(scheduled_id, _("reschedule {name}'s call"), due_at=iso(due_at),
                            snoozed_until=None, status="open")

    def reassign(self, scheduled_id: str, user_name: str) -> ScheduledCall:
        item = self.get(scheduled_id)
        require_change(self.current_user(), self._owner(item),
                       _("reassign {name}'s call").format(name=item.assigned_user or _("nobody")))
        item.assigned_user = self._check_target(user_name)
        return self._put(item)

    def done(self, scheduled_id: str, outcome: str = "") -> ScheduledCall:
        return self._change(scheduled_id, _("mark {name}'s call done"), status="done",
                            outcome=outcome.strip(), done_at=iso(self.clock()))

    def cancel(self, scheduled_id: str) -> ScheduledCall:
        return self._change(scheduled_id, _("cancel {name}'s call"), status="cancelled",
                            done_at=iso(self.clock()))

    def _annotate(self, call_id: str, **values: str) -> None:
        note = self.store.call_annotations.get(call_id) or CallAnnotation(id=call_id)
        for name, value in values.items():
            setattr(note, name, value)
        note.updated_at = iso(self.clock())
        note.user = note.user or self.me()
        self.store.call_annotations.put(note)

    def _contact_name(self, contact_id: str) -> str:
        contact = self.store.contacts.get(contact_id) if contact_id else None
        return contact.name if contact is not None else ""

    def contact_for_number(self, number: str) -> tuple[str, str]:
        """(id, name) of the one contact with this phone (the last 9 digits compared),
        ('', '') when none or several: a reminder then says the number only."""
        digits = "".join(ch for ch in number if ch.isdigit())[-9:]
        if len(digits) < 4:
            return "", ""
        found = []
        for contact in self.store.contacts.all(copy=False):
            for phone in contact.phones:
                if "".join(ch for ch in phone.number if ch.isdigit()).endswith(digits):
                    found.append(contact)
                    break
            if len(found) > 1:
                return "", ""
        return (found[0].id, found[0].name) if found else ("", "")

    # -- reading -----------------------------------------------------------------------------
    def _names_in_scope(self, scope: str) -> set[str] | None:
        """Assignee names a view shows (None = everyone). Asking for more than the role
        allows is refused."""
        actor = self.current_user()
        if scope not in self.scopes():
            raise PermissionDenied(actor, _("see the {scope} schedule").format(scope=scope))
        if scope == "all":
            return None
        mine = self._me() or actor
        if scope == "mine":
            return {mine.name if mine is not None else ""}
        if mine is None:
            return None
        return {u.name for u in self.store.users.all(copy=False)
                if u.name == mine.name or (mine.group_id and u.group_id == mine.group_id)} | {mine.name}

    def view(self, section: str = "all", scope: str = "mine", *, limit: int = 200,
             user: str | None = None, now: datetime | None = None,
             include_done: bool = False) -> list[ScheduleRow]:
        """SCHED-3: open scheduled calls, earliest reminder first. ``section`` overdue /
        today / upcoming / all; ``scope`` mine / group / all (by role); ``user`` narrows
        to one assignee. The first page of 100,000 takes well under 200 ms (benchmarks)."""
        names = self._names_in_scope(scope)
        now = now or self.clock()
        now_ts = now.timestamp()
        local = now.astimezone()
        day_end = (local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)).timestamp()
        lo, hi = {"overdue": (None, now_ts), "today": (now_ts, day_end),
                  "upcoming": (day_end, None)}.get(section, (None, None))
        want_user = user.strip().casefold() if user else None
        table = self.store.tables[ScheduledCall.TABLE]

        def wanted(item: ScheduledCall) -> bool:
            assignee = item.assigned_user
            return ((names is None or assignee in names)
                    and (want_user is None or assignee.casefold() == want_user))
        page: list[tuple[float, ScheduledCall]] = []
        if include_done:                          # the command line's --all: every record
            found = []
            for item in table.visible():
                if wanted(item):
                    ts = timestamp(item.snoozed_until or item.due_at)
                    if (lo is None or ts >= lo) and (hi is None or ts < hi):
                        found.append((ts, item.id, item))
            page = [(ts, item) for ts, _id, item in heapq.nsmallest(limit, found)]
        else:
            with self._index.locked(table) as index:
                entries = index.entries
                i = bisect.bisect_left(entries, (lo, "")) if lo is not None else 0
                while i < len(entries) and len(page) < limit:
                    ts, key = entries[i]
                    i += 1
                    if hi is not None and ts >= hi:
                        break
                    item = table.get(key)
                    if item is not None and item.status == "open" and wanted(item):
                        page.append((ts, item))
        out = []
        for ts, item in page:
            kind = ("done" if item.status != "open" else "overdue" if ts < now_ts
                    else "today" if ts < day_end else "upcoming")
            out.append(ScheduleRow(self.store.scheduled.get(item.id) or item, kind,
                                   datetime.fromtimestamp(ts).astimezone()))
        return out

    def open_for(self, *, contact_id: str = "", number: str = "", limit: int = 20) -> list[ScheduledCall]:
        """POP-3: open scheduled calls for this contact or number, earliest first."""
        digits = "".join(ch for ch in number if ch.isdigit())
        found = []
        for item in self.store.scheduled.all(copy=False):
            if item.status != "open":
                continue
            if (contact_id and item.contact_id == contact_id) or (
                    digits and "".join(ch for ch in item.number if ch.isdigit()).endswith(digits[-9:])):
                found.append(item)
        found.sort(key=lambda i: timestamp(i.reminder_at))
        return [self.store.scheduled.get(i.id) or i for i in found[:limit]]

    def search(self, text: str, limit: int = 50) -> list[ScheduledCall]:
        """SCHED-3 / OUT-1: open scheduled calls whose number, name or note holds ``text``."""
        from .textfold import fold
        folded = fold(text or "")
        digits = "".join(ch for ch in text if ch.isdigit())
        found = []
        for item in self.store.scheduled.all(copy=False):
            if item.status != "open":
                continue
            if (digits and digits in item.number) or (folded and (
                    folded in fold(item.contact_name) or folded in fold(item.notes))):
                found.append(item)
        found.sort(key=lambda i: timestamp(i.reminder_at))
        return found[:limit]

