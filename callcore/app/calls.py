"""Calls as a feature: finished calls into the call log, notes typed in popups, a call's
recent history, hang up. (``ui.ports.CallsPort``)"""
from __future__ import annotations

import logging
from typing import Any, Protocol

from ..calllog import CallLogger
from ..events import CallLogged, CommandFailed
from ..records import CallNote, CallRecord
from ..settings import Settings
from ..store import Store
from .directory import DirectoryFeature
from .hub import EventHub

log = logging.getLogger(__name__)

RECENT_CALLS_MONTHS = 12     # how far back a popup looks for "last calls with this number"


class HangsUp(Protocol):
    def hangup(self, leg_id: str) -> Any: ...


def report_failure(hub: EventHub, future: Any, action: str, leg_id: str = "") -> None:
    """When the command's future resolves to a failed ``CommandResult``, log it and publish
    ``CommandFailed`` so the operator reads why (any thread; never raises)."""
    def done(f: Any) -> None:
        try:
            result = f.result()
        except Exception as exc:  # noqa: BLE001 - the command layer should not raise; be safe
            log.exception("%s failed", action)
            hub.publish(CommandFailed(action, str(exc), leg_id))
            return
        if not getattr(result, "ok", True):
            log.warning("%s refused for leg %s: %s", action, leg_id, result.message)
            hub.publish(CommandFailed(action, result.message, leg_id))
    if future is not None and hasattr(future, "add_done_callback"):
        future.add_done_callback(done)


class CallLogFeature:
    """Every ``CallLogged`` event becomes a record in the call log, written off the AMI
    thread, enriched with the directory's contact and the user's name."""

    def __init__(self, store: Store, hub: EventHub, directory: DirectoryFeature, user: str,
                 extension: str = "", on_written=None):
        self.store = store
        self.user = user
        self.extension = extension
        self.logger = CallLogger(store, directory.lookup, self.user_for, on_written=on_written)
        self.wants = lambda record: True     # ROLE-3 line options (session.CallLogPolicy)
        self._unsubscribe = hub.subscribe(
            CallLogged, lambda event: self.logger.log(event.record) if self.wants(event.record) else None)

    def user_for(self, record: CallRecord) -> str:
        """Who handled this record: this station's user for its own extension's calls, the
        user set up for another extension, else nobody. Every station logs every call, so
        the first station to write a record must not stamp its own operator on a colleague's
        call (XFER-4: the receiving leg of a transfer)."""
        if not record.extension or record.extension == self.extension:
            return self.user
        for user in self.store.users.all(copy=False):
            if user.extension == record.extension:
                return user.name
        return ""

    @property
    def waiting(self) -> int:
        """Calls not yet written (kept and retried; e.g. while the disk is full)."""
        return int(getattr(self.logger, "waiting", 0))

    def close(self) -> None:
        self._unsubscribe()
        self.logger.close()


class CallsFeature:
    """What a popup asks about its call."""

    def __init__(self, settings: Settings, store: Store, commands: HangsUp, hub: EventHub):
        self.settings = settings
        self.store = store
        self.commands = commands
        self.hub = hub

    def hangup(self, leg_id: str) -> None:
        """Non-blocking; a refusal comes back as a ``CommandFailed`` event."""
        report_failure(self.hub, self.commands.hangup(leg_id), "hangup", leg_id)

    def recent_calls(self, number: str, limit: int = 5) -> list[CallRecord]:
        digits = "".join(ch for ch in number if ch.isdigit())
        return self.store.calls.for_number(digits, limit, RECENT_CALLS_MONTHS) if digits else []

    def save_notes(self, call_id: str, text: str) -> None:
        note = self.store.call_notes.get(call_id) or CallNote(id=call_id)
        if note.notes == text:
            return
        note.notes = text
        note.user = note.user or self.settings.get("station.user")
        self.store.call_notes.put(note)

    def load_notes(self, call_id: str) -> str:
        note = self.store.call_notes.get(call_id)
        return note.notes if note else ""

    def line_note(self, line: str) -> str:
        lines: dict[str, str] = self.settings.section("lines")
        if line in lines:
            return lines[line]
        stored = self.store.office_settings.get(f"line_note:{line}")
        return stored.value if stored else ""
