"""The one composition root: settings in, every part of the app wired, for each mode.

    app = build_app(settings, AppMode.WINDOW)      # or RECORDER, CLI, SELFTEST
    app.start()                                    # connect the PBX, start timers
    ...
    app.close()                                    # stop the PBX, write queued calls, publish

The window, the headless recorder, the admin command line and the self-test all open the
store, the directory and the PBX connection here and nowhere else, so one settings file
always means one store (relative folders are relative to the settings file) and the parts
are connected the same way in every mode:

    AMI thread ─ domain events ─┐
    store changes ─ StoreChanged ┼─▶ EventHub ─▶ features (call log, directory, …)
    ticker ─ ClockTick ─────────┘             └─▶ UI (through its Tk pump)
"""
from __future__ import annotations

import enum
import logging
import threading
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable

from ..ami.connection import AmiConnection
from ..ami.pool import AmiPool
from ..directory_cache import trim_heap
from ..events import StoreChanged
from ..logs import add_secret
from ..numbers import MatchRules
from ..settings import Settings
from ..store import ChangeSet, Store
from .calls import CallLogFeature, CallsFeature
from .contacts import ContactsFeature
from .dialling import DialFeature
from .directory import DirectoryFeature
from .hub import EventHub
from .lazy import LazyFeature
from .pbx import PbxFeature, make_commands
from .preferences import PreferencesFeature
from .presence import PresenceFeature
from .schedule import wire_schedule
from .session import (CallLogPolicy, SessionFeature, UsersFeature, default_state_file,
                      follow_signed_in_user)
from .speed_dial import SpeedDialFeature
from .status import StatusFeature
from .ticker import Ticker
from .transfer import TransferFeature

log = logging.getLogger(__name__)


class AppMode(enum.Enum):
    WINDOW = "window"        # the operator window: everything
    RECORDER = "recorder"    # headless: PBX → call log, retries a refused login
    CLI = "cli"              # admin commands: the store only, no background sync
    SELFTEST = "selftest"    # the store only


def open_store(settings: Settings, *, background_sync: bool = True) -> Store:
    """The store named by these settings (folders resolved against the settings file)."""
    return Store.open(settings.local_folder, settings.shared_folder, settings.station_id,
                      sync_interval=float(settings.get("store.sync_interval")),
                      background_sync=background_sync)


@dataclass
class App:
    """Every running part of one process, reachable for wiring and tests; features get only
    what they need in their constructors, never this object."""

    settings: Settings
    mode: AppMode
    store: Store
    hub: EventHub
    preferences: PreferencesFeature
    status: StatusFeature
    is_demo: bool = False
    log_file: Path | None = None
    directory: DirectoryFeature | None = None
    call_log: CallLogFeature | None = None
    connection: AmiConnection | None = None      # the first PBX (ami.*)
    pool: AmiPool | None = None                  # every PBX (AMI-4: ami.* + pbxes)
    pbx: PbxFeature | None = None
    commands: Any = None
    calls: CallsFeature | None = None
    dialling: DialFeature | None = None
    presence: PresenceFeature | None = None
    transfer: TransferFeature | None = None
    contacts: ContactsFeature | None = None
    speed_dial: SpeedDialFeature | None = None
    session: SessionFeature | None = None
    schedule: Any = None          # callcore.app.schedule (issue 8): wired by wire_schedule
    reminders: Any = None
    activities: Any = None
    annotations: Any = None
    users: UsersFeature | None = None
    console: Any = None           # callcore.app.console (issue 9): the call console
    campaigns: Any = None         # callcore.app.campaigns (issue 10): mass-call campaigns
    queues: Any = None            # callcore.app.queues (issue 11): the queue panel
    recordings: Any = None        # callcore.app.recordings (issue 11): play buttons
    ticker: Ticker | None = None
    _closers: list[Callable[[], None]] = field(default_factory=list)
    _closed: bool = False
    _extras_started: bool = False

    @property
    def extension(self) -> str:
        return str(self.settings.get("station.extension"))

    def start(self, connect: bool = True) -> None:
        """Start timers and connect to the PBX (non-blocking). ``connect=False``: users must
        sign in first and the line connects at sign-in (ROLE-3)."""
        if self.directory is not None:
            self.directory.start()       # callers' names for the first popups
        if self.ticker is not None:
            self.ticker.start()
        if self.pbx is not None and connect:
            self.pbx.connect()
        if self.mode is AppMode.WINDOW and not self._extras_started:
            self._extras_started = True             # the window is up: now the slow extras
            threading.Thread(target=self._prepare_extras, name="after-start", daemon=True).start()

    def _prepare_extras(self) -> None:
        """One after the other on one thread, then the freed heap handed back once: run
        side by side they slowed the window and left ~25 MB more resident."""
        try:
            if self.directory is not None:
                self.directory.prepare_call_search()
            if self.contacts is not None:
                self.contacts.prepare_listing()
        except Exception:  # noqa: BLE001 - each is made at first use instead
            log.exception("preparing after start failed")
        trim_heap()

    def close(self) -> None:
        """Stop the PBX, write every queued call, publish to the share, release the store.
        Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        for closer in reversed(self._closers):
            try:
                closer()
            except Exception:  # noqa: BLE001 - close the rest regardless; logged
                log.exception("closing %r failed", closer)
        self.store.close()


def _make_console(app: App) -> Any:
    from .console import make_console
    return make_console(app)


def build_app(settings: Settings, mode: AppMode, *, is_demo: bool = False,
              hub: EventHub | None = None,
              store: Store | None = None, connection: AmiConnection | None = None,
              log_file: Path | None = None,
              on_call_written: Callable[[Any, bool], None] | None = None,
              connection_options: dict[str, Any] | None = None) -> App:
    """Wire the parts ``mode`` needs. ``store``/``connection`` may be given (tests, demo); a
    given connection must publish into ``hub`` (build it with ``on_event=hub.publish``)."""
    add_secret(settings.get("ami.secret"))      # masked in every log line from now on
    hub = hub or EventHub()
    background_sync = mode in (AppMode.WINDOW, AppMode.RECORDER)
    store = store or open_store(settings, background_sync=background_sync)
    app = App(settings=settings, mode=mode, store=store, hub=hub, is_demo=is_demo,
              log_file=log_file, preferences=PreferencesFeature(settings, is_demo=is_demo),
              status=StatusFeature(store, None, log_file))
    try:
        _wire(app, connection, on_call_written, connection_options or {})
    except BaseException:
        app.close()
        raise
    return app


def _wire(app: App, connection: AmiConnection | None, on_call_written: Any,
          connection_options: dict[str, Any]) -> None:
    hub, store, settings = app.hub, app.store, app.settings

    def store_changed(change: ChangeSet) -> None:
        hub.publish(StoreChanged(change.table, change.keys, change.origin))
    app._closers.append(store.subscribe(store_changed))
    if app.mode in (AppMode.CLI, AppMode.SELFTEST):
        return

    app.directory = DirectoryFeature(store, hub, MatchRules.from_settings(settings))
    app._closers.append(app.directory.close)
    user = settings.get("station.user") or ("recorder" if app.mode is AppMode.RECORDER else "")
    extension = "" if app.mode is AppMode.RECORDER else app.extension
    app.call_log = CallLogFeature(store, hub, app.directory, user, extension,
                                  on_written=on_call_written)
    app._closers.append(app.call_log.close)
    app.status.call_log = app.call_log
    log_policy = CallLogPolicy(store, extension)          # ROLE-3: lines logged only when signed in
    app.call_log.wants = log_policy.wants

    app.connection = connection or AmiConnection.from_settings(
        settings, on_event=hub.publish, **connection_options)
    app.pool = AmiPool.from_settings(settings, hub.publish, first=app.connection,
                                     **connection_options)
    app.pbx = PbxFeature(app.pool)
    app._closers.append(app.pbx.close)       # closed before the call log: last calls get queued
    app.commands = make_commands(app.pool, settings)
    app.calls = CallsFeature(settings, store, app.commands, hub)
    if app.mode is AppMode.RECORDER:
        return
    app.dialling = DialFeature(app.commands, hub)
    app._closers.append(app.dialling.close)
    if app.mode is AppMode.WINDOW:
        app.ticker = Ticker(hub)
        app._closers.append(app.ticker.stop)
        app.presence = PresenceFeature(store, hub,
                                       internal_length=int(settings.get("dial.internal_length") or 3))
        app._closers.append(app.presence.close)
        app.transfer = TransferFeature(store, hub, app.commands, app.directory, user_name=user)
        app.contacts = ContactsFeature(store, app.directory, hub)
        app._closers.append(app.contacts.close)
        app.speed_dial = SpeedDialFeature(store, user_name=user, extension=app.extension)
        app.session = SessionFeature(store, hub, settings, default_state_file(), extension=app.extension)
        app.users = UsersFeature(store, app.session)
        log_policy.session = app.session
        from .queues import QueuesFeature     # issue 11: the queue panel
        app.queues = QueuesFeature(store, hub, app.commands, extension=app.extension,
                                   technology=settings.get("station.technology") or "PJSIP",
                                   own_server=app.pool.server_of_extension(app.extension),
                                   joinable=settings.get("queues.joinable") or "",
                                   session=app.session, member_name=user)
        app._closers.append(app.queues.close)
        from .recordings import RecordingsFeature   # issue 11: recordings of calls
        app.recordings = RecordingsFeature(settings)
        wire_schedule(app)            # scheduled calls, reminders, activities (issue 8)
        # the call console and statistics (issue 9): numpy and an index of the whole log,
        # made when the console is first opened, not at every start (start-up time, memory)
        app.console = LazyFeature(partial(_make_console, app), "console")
        app._closers.append(app.console.close_if_made)
        from .campaigns import CampaignFeature    # issue 10: campaigns and the preview dialler
        app.campaigns = CampaignFeature(store, hub, settings, station=settings.station_id, user=user,
                                        dial=app.dialling.dial)
        app._closers.append(app.campaigns.close)
        app._closers.append(follow_signed_in_user(
            hub, [(app.call_log, "user"), (app.transfer, "user_name"), (app.speed_dial, "user_name"),
                  (app.campaigns, "user_name")], user))
