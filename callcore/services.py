"""The application services behind the operator window (implements ``ui.ports.OperatorServices``
structurally; this module never imports ui).

Wires one settings object, one store, one directory and one AMI connection:
AMI thread → domain events → (call log writer, UI sink). The directory follows the store's
contact changes, local or merged from another workstation.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from .ami.connection import AmiConnection
from .calllog import CallLogger
from .directory import Directory, Match
from .i18n import _
from .events import CallLogged, DomainEvent
from .numbers import MatchRules
from .records import CallNote, CallRecord, Contact
from .settings import Settings, save_user_settings
from .store import ChangeSet, Store

log = logging.getLogger(__name__)

EventSink = Callable[[Any], None]


class PopupPrefs:
    """Plain attribute holder the UI reads (``ui.ports.PopupSettings`` has the same shape)."""

    def __init__(self, popup: dict[str, Any]):
        self.on_incoming = bool(popup["on_incoming"])
        self.on_outgoing = bool(popup["on_outgoing"])
        self.silent = bool(popup["silent"])
        self.bring_to_front = bool(popup["bring_to_front"])


def load_directory(store: Store, rules: MatchRules) -> Directory:
    directory = Directory(rules)
    directory.load(store.contacts.all(copy=False))  # read-only: no second copy
    return directory


class LiveServices:
    """Everything the operator window asks of the app, with the real parts."""

    def __init__(self, settings: Settings, store: Store, *, is_demo: bool = False,
                 connection: AmiConnection | None = None):
        self.settings = settings
        self.store = store
        self.is_demo = is_demo
        self.extension = settings.get("station.extension")
        self.notify_seconds = int(settings.get("notify.seconds"))
        self.popup_settings = PopupPrefs(settings.section("popup"))
        self._directory_lock = threading.Lock()
        self.directory = load_directory(store, MatchRules.from_settings(settings))
        self._unsubscribe = store.subscribe(self._store_changed)
        self.call_logger = CallLogger(store, self.directory, settings.get("station.user"))
        self._sink: EventSink = lambda event: None
        self.connection = connection or AmiConnection.from_settings(settings, on_event=self._on_event)

    # -- wiring ---------------------------------------------------------------------------
    def attach_ui(self, sink: EventSink) -> None:
        """Domain events go to ``sink`` (thread-safe, e.g. ``OperatorUi.queue_event``)."""
        self._sink = sink

    def _on_event(self, event: DomainEvent) -> None:
        """AMI thread: log finished calls, pass everything on. Never blocks."""
        if isinstance(event, CallLogged):
            self.call_logger.log(event.record)
        self._sink(event)

    def _store_changed(self, change: ChangeSet) -> None:
        if change.table != "contacts":
            return
        with self._directory_lock:
            for key in change.keys:
                contact = self.store.contacts.get(key)
                if contact is None:
                    self.directory.remove(key)
                else:
                    self.directory.put(contact)

    def close(self) -> None:
        """Stop AMI, write queued calls, publish to the share, release the store."""
        self.connection.stop()
        self.call_logger.close()
        self._unsubscribe()
        self.store.close()

    # -- OperatorServices -----------------------------------------------------------------
    def connect(self) -> None:
        self.connection.start()

    def disconnect(self) -> None:
        threading.Thread(target=self.connection.stop, name="ami-stop", daemon=True).start()

    def hangup(self, leg_id: str) -> None:
        channel = self.connection.tracker.channel_of(leg_id) or leg_id
        self.connection.hangup(channel)

    def lookup(self, number: str) -> list[Match]:
        with self._directory_lock:
            return self.directory.lookup(number)

    def search(self, text: str, limit: int = 50) -> list[Contact]:
        with self._directory_lock:
            return self.directory.search(text, limit)

    def recent_calls(self, number: str, limit: int = 5) -> list[CallRecord]:
        digits = "".join(ch for ch in number if ch.isdigit())
        return self.store.calls.for_number(digits, limit) if digits else []

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

    def store_problems(self) -> list[str]:
        return [str(p) for p in self.store.problems]

    def settings_values(self) -> dict[str, dict[str, Any]]:
        return {k: dict(v) for k, v in self.settings.data.items()}

    def save_settings(self, values: dict[str, dict[str, Any]]) -> None:
        """Per-user overrides; they take effect at the next start (the dialog says so)."""
        if self.is_demo:
            raise ValueError(_("settings cannot be changed in the demo"))
        save_user_settings(values)
