"""The contact directory as a feature: built in the background at start, kept in step with
the store (local edits and edits merged from other workstations), asked by number or name."""
from __future__ import annotations

import logging
import threading
from typing import Callable

from ..directory import Directory, Match
from ..directory_cache import load_directory as load_cached_directory
from ..events import StoreChanged
from ..numbers import MatchRules
from ..records import Contact
from ..store import Store
from .hub import EventHub

log = logging.getLogger(__name__)


def load_directory(store: Store, rules: MatchRules, directory: Directory | None = None,
                   on_numbers_ready: Callable[[], None] | None = None) -> Directory:
    """Read from ``<local>/cache`` when current, else built (and saved there in the
    background): see callcore/directory_cache.py."""
    return load_cached_directory(store, rules, store.local / "cache", on_numbers_ready, directory)


class BackgroundDirectory:
    """The directory, loaded in a thread so the window opens at once (100,000 contacts:
    0.3 s from the index file, 1.5 s to build). The thread starts at :meth:`start` (the
    window calls it once it is up: the load no longer competes with building the window)
    or at the first use, whichever comes first. ``ready`` is set once numbers are indexed
    (lookup answers from then on; name search waits for its own pass inside the
    directory). Readers wait for it at most ``wait_seconds``; the directory's lock orders
    the build and the store's change feed, so no edit is lost in between."""

    def __init__(self, store: Store, rules: MatchRules, wait_seconds: float = 10.0):
        self.directory = Directory(rules)
        self.store = store
        self._ready = threading.Event()
        self.stop = threading.Event()
        self.wait_seconds = wait_seconds
        self._thread = threading.Thread(target=self._build, name="directory-load", daemon=True)
        self._start_lock = threading.Lock()

    def start(self) -> None:
        with self._start_lock:
            if self._thread.ident is None:
                self._thread.start()

    @property
    def ready(self) -> threading.Event:
        """Set once numbers are indexed (asking starts the load)."""
        if self._thread.ident is None:
            self.start()
        return self._ready

    def _build(self) -> None:
        try:
            load_directory(self.store, self.directory.rules, self.directory, self._ready.set)
        except Exception:  # noqa: BLE001 - logged; lookups then answer from what was built
            log.exception("building the directory failed")
        finally:
            self._ready.set()

    def prepare_call_search(self) -> None:
        """Make "recent calls" fast for unknown numbers (per-month digests of every call
        file); blocks. Run once the window is up (``App.start``), not during its build: it
        reads months of call files, and done then the window comes up sooner and ~30 MB
        smaller. Harmless if cut short by closing."""
        self.ready.wait()
        try:
            self.store.calls.prepare_number_search(stop=self.stop)
        except Exception:  # noqa: BLE001 - the store closed under it: nothing to prepare
            log.debug("number search preparation stopped", exc_info=True)

    def get(self) -> Directory:
        self.ready.wait(self.wait_seconds)
        return self.directory


class DirectoryFeature:
    """Lookup by number and search by name (``ui.ports.DirectoryPort``)."""

    def __init__(self, store: Store, hub: EventHub, rules: MatchRules):
        self.store = store
        # Subscribe before the build starts: no change can fall between the two.
        self._unsubscribe = hub.subscribe(StoreChanged, self._store_changed)
        self._background = BackgroundDirectory(store, rules)

    def start(self) -> None:
        """Start loading (at the latest, the first use starts it)."""
        self._background.start()

    def prepare_call_search(self) -> None:
        """Window mode, once the window is up (blocks): see BackgroundDirectory."""
        self._background.prepare_call_search()

    @property
    def directory(self) -> Directory:
        """The directory, once built (waits for the start-up build)."""
        return self._background.get()

    @property
    def ready(self) -> threading.Event:
        return self._background.ready

    def lookup(self, number: str) -> list[Match]:
        return self.directory.lookup(number)

    def search(self, text: str, limit: int = 50) -> list[Contact]:
        return self.directory.search(text, limit)

    def _store_changed(self, change: StoreChanged) -> None:
        if change.table != "contacts":
            return
        self._background.start()                 # a change before the first use: load first
        directory = self._background.directory   # its lock waits for a build in progress
        for key in change.keys:
            contact = self.store.contacts.get(key)
            if contact is None:
                directory.remove(key)
            else:
                directory.put(contact)

    def close(self) -> None:
        self._background.stop.set()
        self._unsubscribe()
