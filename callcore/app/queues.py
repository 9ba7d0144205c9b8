"""The queue panel as a feature (AsterCRM-style, issue 11). (``ui.ports.QueuesPort``)

Why here: the queue events of every PBX arrive on the AMI threads; the panel reads an
immutable list of :class:`~callcore.queue_board.QueueView` on the Tk thread, filtered by
who is signed in (``roles.scope_of``), and asks the PBX to pause/resume, join or leave
through the command layer (the PBX serving the operator's extension; never the Tk
thread). Each change publishes :class:`~callcore.events.QueuesChanged`.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from ..events import (ConnectionStateChanged, QueueCallerGone, QueueCallerWaiting,
                      QueueMemberGone, QueueMemberSeen, QueueSeen, QueuesChanged)
from ..queue_board import QueueBoard, QueueView
from ..roles import scope_of
from .hub import EventHub

log = logging.getLogger(__name__)

Done = Callable[[bool, str], None]


class QueuesFeature:
    """Queues of every PBX for the panel; the operator's own membership commands."""

    def __init__(self, store: Any, hub: EventHub, commands: Any, *, extension: str,
                 technology: str = "PJSIP", own_server: str = "", joinable: str = "",
                 session: Any = None, member_name: str = ""):
        self.store, self.hub, self.commands = store, hub, commands
        self.extension = extension
        self.technology = technology
        self.own_server = own_server          # '' = the first PBX serves this extension
        self.joinable = joinable
        self.session = session
        self.member_name = member_name
        self._board = QueueBoard()
        self._lock = threading.Lock()
        self._unsubscribe = [hub.subscribe(kind, self._queue_event) for kind in
                             (QueueSeen, QueueMemberSeen, QueueMemberGone, QueueCallerWaiting,
                              QueueCallerGone)]
        self._unsubscribe.append(hub.subscribe(ConnectionStateChanged, self._connection))

    def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []

    # ------------------------------------------------------------------ state
    def _queue_event(self, event: Any) -> None:
        with self._lock:
            changed = self._board.apply(event)
        if changed:
            self.hub.publish(QueuesChanged(event.server))

    def _connection(self, event: ConnectionStateChanged) -> None:
        if event.status == "connected":
            return
        with self._lock:
            changed = self._board.clear(event.server)
        if changed:
            self.hub.publish(QueuesChanged(event.server))

    def _who(self) -> tuple[str, list[str]]:
        """(scope, extensions of the user's group) of whoever is signed in now."""
        user = self.session.current if self.session is not None else None
        if user is None:
            has_users = self.session is not None and self.session.has_users()
            return ("own" if has_users else "all"), []
        group = [u.extension for u in self.store.users.all(copy=False)
                 if u.extension and user.group_id and u.group_id == user.group_id]
        return scope_of(user), group

    def queues(self) -> list[QueueView]:
        """The queues the signed-in operator sees (any thread; an immutable snapshot)."""
        scope, group = self._who()
        with self._lock:
            return self._board.views(scope=scope, extension=self.extension, own_server=self.own_server,
                                     group_extensions=group, joinable_setting=self.joinable)

    def _interface(self, server: str, queue: str) -> str:
        for view in self.queues():
            if view.key == (server, queue) and view.own is not None:
                return view.own.interface
        return f"{self.technology}/{self.extension}"

    # ------------------------------------------------------------------ commands
    def pause(self, server: str, queue: str, paused: bool, reason: str = "",
              done: Done | None = None) -> None:
        """Pause (with a reason) or resume the operator's own membership in ``queue`` ('' =
        every queue of that PBX). The panel changes when the PBX says QueueMemberPause."""
        future = self.commands.queue_pause(server, self._interface(server, queue), paused,
                                           reason, queue)
        self._report(future, done)

    def join(self, server: str, queue: str, done: Done | None = None) -> None:
        """Join as a dynamic member named after the signed-in user (else the station's)."""
        user = self.session.current if self.session is not None else None
        name = (user.name if user is not None else "") or self.member_name
        self._report(self.commands.queue_add(server, queue, f"{self.technology}/{self.extension}",
                                             name), done)

    def leave(self, server: str, queue: str, done: Done | None = None) -> None:
        self._report(self.commands.queue_remove(server, queue, self._interface(server, queue)), done)

    @staticmethod
    def _report(future: Any, done: Done | None) -> None:
        def finished(f: Any) -> None:
            try:
                result = f.result()
                ok, message = result.ok, result.message
            except Exception as exc:  # noqa: BLE001 - a sentence for the panel, logged
                log.exception("queue command failed")
                ok, message = False, str(exc)
            if done is not None:
                done(ok, "" if ok else message)
        future.add_done_callback(finished)
