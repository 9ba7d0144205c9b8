"""The queue panel's rules (AsterCRM-style queue panel, issue 11). Pure: no I/O, no AMI.

:class:`QueueBoard` keeps every queue of every PBX as the queue events say
(``callcore/events.py``: QueueSeen, QueueMemberSeen/Gone, QueueCallerWaiting/Gone) and
answers what one operator sees (:meth:`QueueBoard.views`):

* who sees which queue (``callcore.roles.scope_of``): agents the queues they are a member
  of and those they may join; supervisors also every queue where someone of their group
  is a member; directors (and a workstation without users) every queue;
* joining and leaving: Asterisk lets ``QueueAdd`` add anyone to any queue, so the office
  says which queues operators may join themselves (setting ``queues.joinable``: names,
  comma-separated, ``*`` = all). Only a *dynamic* membership (one made by ``QueueAdd``) can
  be left: a static member (queues.conf) is refused by Asterisk's ``QueueRemove``.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Iterable

from .events import (QueueCallerGone, QueueCallerWaiting, QueueMemberGone, QueueMemberSeen,
                     QueueSeen)


@dataclass(frozen=True)
class WaitingCaller:
    uniqueid: str
    number: str = ""
    name: str = ""
    position: int = 0
    since: datetime | None = None

    def wait_seconds(self, now: datetime) -> int:
        return max(0, int((now - self.since).total_seconds())) if self.since else 0


@dataclass(frozen=True)
class Member:
    interface: str
    name: str = ""
    extension: str = ""
    state: str = "unknown"      # free / ringing / busy / offline / unknown
    paused: bool = False
    reason: str = ""
    dynamic: bool = False


@dataclass(frozen=True)
class QueueView:
    """One queue as one operator sees it."""

    server: str                 # '' = the first PBX
    queue: str
    strategy: str = ""
    completed: int = 0
    abandoned: int = 0
    callers: tuple[WaitingCaller, ...] = ()
    members: tuple[Member, ...] = ()
    own: Member | None = None   # the operator's own membership, if any
    may_join: bool = False
    may_leave: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.server, self.queue)

    def longest_wait(self, now: datetime) -> int:
        return max((c.wait_seconds(now) for c in self.callers), default=0)


@dataclass
class _Queue:
    params: QueueSeen
    members: dict[str, Member] = field(default_factory=dict)
    callers: dict[str, WaitingCaller] = field(default_factory=dict)


def joinable(setting: str, queue: str) -> bool:
    """``queues.joinable``: ``*`` or a comma-separated list of queue names."""
    names = {n.strip() for n in (setting or "").split(",") if n.strip()}
    return "*" in names or queue in names


class QueueBoard:
    """Every queue of every PBX (not thread-safe: the feature holds a lock)."""

    def __init__(self) -> None:
        self._queues: dict[tuple[str, str], _Queue] = {}

    def _queue(self, server: str, name: str) -> _Queue:
        key = (server, name)
        if key not in self._queues:
            self._queues[key] = _Queue(QueueSeen(name, server=server))
        return self._queues[key]

    def apply(self, event: object) -> bool:
        """Take one queue event; True when something the panel shows changed."""
        if isinstance(event, QueueSeen):
            queue = self._queue(event.server, event.queue)
            changed = queue.params != event
            queue.params = event
            return changed
        if isinstance(event, QueueMemberSeen):
            queue = self._queue(event.server, event.queue)
            member = Member(event.interface, event.name, event.extension, event.state, event.paused,
                            event.reason, event.dynamic)
            old = queue.members.get(event.interface)
            if old is not None and not member.name:
                member = replace(member, name=old.name)
            queue.members[event.interface] = member
            return old != member
        if isinstance(event, QueueMemberGone):
            queue = self._queues.get((event.server, event.queue))
            return bool(queue and queue.members.pop(event.interface, None))
        if isinstance(event, QueueCallerWaiting):
            queue = self._queue(event.server, event.queue)
            queue.callers[event.uniqueid] = WaitingCaller(event.uniqueid, event.number, event.name,
                                                          event.position, event.since)
            return True
        if isinstance(event, QueueCallerGone):
            queue = self._queues.get((event.server, event.queue))
            return bool(queue and queue.callers.pop(event.uniqueid, None))
        return False

    def clear(self, server: str) -> bool:
        """A PBX disconnected: what it said is no longer known (QueueStatus refills it)."""
        gone = [key for key in self._queues if key[0] == server]
        for key in gone:
            del self._queues[key]
        return bool(gone)

    def views(self, *, scope: str = "all", extension: str = "", own_server: str = "",
              group_extensions: Iterable[str] = (), joinable_setting: str = "") -> list[QueueView]:
        """The queues this operator sees, by server then name. ``scope`` is
        ``roles.scope_of(user)``; ``group_extensions`` the extensions of their group."""
        group = set(group_extensions)
        out = []
        for (server, name), queue in sorted(self._queues.items()):
            members = tuple(sorted(queue.members.values(), key=lambda m: (m.extension or m.interface)))
            own = next((m for m in members if extension and m.extension == extension
                        and server == own_server), None)
            may_join = (own is None and bool(extension) and server == own_server
                        and joinable(joinable_setting, name))
            visible = (scope == "all" or own is not None or may_join
                       or (scope == "group" and any(m.extension in group for m in members)))
            if not visible:
                continue
            callers = tuple(sorted(queue.callers.values(), key=lambda c: (c.position, c.since.timestamp() if c.since else 0.0)))
            out.append(QueueView(server, name, queue.params.strategy, queue.params.completed,
                                 queue.params.abandoned, callers, members, own, may_join,
                                 may_leave=own is not None and own.dynamic))
        return out
