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
RECENT_CALLS_MONTHS = 12     # how far back a popup looks for "last calls with this number"


class PopupPrefs:
    """Plain attribute holder the UI reads (``ui.ports.PopupSettings`` has the same shape)."""

    def __init__(self, popup: dict[str, Any]):
        self.on_incoming = bool(popup["on_incoming"])
        self.on_outgoing = bool(popup["on_outgoing"])
        self.silent = bool(popup["silent"])
        self.bring_to_front = bool(popup["bring_to_front"])


def load_directory(store: Store, rules: MatchRules, directory: Directory | None = None,
                   on_numbers_ready: Callable[[], None] | None = None) -> Directory:
    directory = Directory(rules) if directory is None else directory  # (an empty one is falsy)
    directory.load(store.contacts.all(copy=False), on_numbers_ready)  # read-only: no copy
    return directory


class BackgroundDirectory:
    """The directory, built in a thread so the window opens at once (100,000 contacts take
    about 1.5 s). ``ready`` is set once numbers are indexed (lookup answers from then on;
    name search waits for its own pass inside the directory). Readers wait for it at most
    ``wait_seconds``; the directory's lock orders the build and the store's change feed, so
    no edit is lost in between."""

    def __init__(self, store: Store, rules: MatchRules, wait_seconds: float = 10.0):
        self.directory = Directory(rules)
        self.ready = threading.Event()
        self.stop = threading.Event()
        self.wait_seconds = wait_seconds
        self._thread = threading.Thread(target=self._build, args=(store,), name="directory-load",
                                        daemon=True)
        self._thread.start()

    def _build(self, store: Store) -> None:
        try:
            load_directory(store, self.directory.rules, self.directory, self.ready.set)
        finally:
            self.ready.set()
        try:   # then make "recent calls" fast for unknown numbers; harmless if cut short
            store.calls.prepare_number_search(stop=self.stop)
        except Exception:  # noqa: BLE001 - the store closed under it: nothing to prepare
            log.debug("number search preparation stopped", exc_info=True)

    def get(self) -> Directory:
        self.ready.wait(self.wait_seconds)
        return self.directory


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
        self._unsubscribe = store.subscribe(self._store_changed)  # before the build: no gap
        self._directory = BackgroundDirectory(store, MatchRules.from_settings(settings))
        self.call_logger = CallLogger(store, self.lookup, settings.get("station.user"))
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

    @property
    def directory(self) -> Directory:
        """The directory, once built (waits for the start-up build)."""
        return self._directory.get()

    def _store_changed(self, change: ChangeSet) -> None:
        if change.table != "contacts":
            return
        directory = self._directory.directory   # its lock waits for a build in progress
        for key in change.keys:
            contact = self.store.contacts.get(key)
            if contact is None:
                directory.remove(key)
            else:
                directory.put(contact)

    def close(self) -> None:
        """Stop AMI, write queued calls, publish to the share, release the store."""
        self._directory.stop.set()
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
        return self.directory.lookup(number)

    def search(self, text: str, limit: int = 50) -> list[Contact]:
        return self.directory.search(text, limit)

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

    def store_problems(self) -> list[str]:
        return [str(p) for p in self.store.problems]

    def settings_values(self) -> dict[str, dict[str, Any]]:
        return {k: dict(v) for k, v in self.settings.data.items()}

    def save_settings(self, values: dict[str, dict[str, Any]]) -> None:
        """Per-user overrides; they take effect at the next start (the dialog says so)."""
        if self.is_demo:
            raise ValueError(_("settings cannot be changed in the demo"))
        save_user_settings(values)
