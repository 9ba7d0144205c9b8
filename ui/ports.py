"""What the UI may ask of the application: one small Protocol per feature.

The UI never speaks AMI and never touches files. Each feature's window gets only the ports
it needs (a transfer dialog gets ``CallsPort`` and ``DirectoryPort``, not the store). The
application layer (``callcore.app``) implements them with the real parts; GUI tests
implement them with a small fake. Every method is called on the Tk main thread, so each
returns quickly (slow work goes to a background thread; results come back as events).

A new feature adds its own Protocol here and a field to :class:`UiPorts`; it does not grow
an existing port.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Protocol, Sequence, runtime_checkable

from datetime import datetime

from callcore.records import Activity, CallRecord, Contact, Phone, ScheduledCall


@dataclass(frozen=True)
class PopupSettings:
    """When and how call popups open (SPEC POP-5; settings ``popup.*``)."""

    on_incoming: bool = True
    on_outgoing: bool = True
    silent: bool = False          # open the popup minimised
    bring_to_front: bool = True   # raise popup and main window (never takes the keyboard)
    auto_close_seconds: int = 30  # close an ended call's popup without notes (0 = never)

    @classmethod
    def from_section(cls, popup: dict[str, Any]) -> "PopupSettings":
        """Build from the ``popup`` section of :class:`callcore.settings.Settings`."""
        return cls(on_incoming=bool(popup.get("on_incoming", True)),
                   on_outgoing=bool(popup.get("on_outgoing", True)),
                   silent=bool(popup.get("silent", False)),
                   bring_to_front=bool(popup.get("bring_to_front", True)),
                   auto_close_seconds=int(popup.get("auto_close_seconds", 30)))


class MatchLike(Protocol):
    """One directory hit for a number (``callcore.directory.Match`` fits)."""

    contact: Contact
    phone: Phone | str            # the contact's phone that matched
    kind: str                     # "exact" or "similar" (same number but the last digit)


@runtime_checkable
class ConnectionPort(Protocol):
    """The PBX connection (SPEC AMI-2). Outcomes arrive as ``ConnectionStateChanged``."""

    def connect(self) -> None:
        """Ask the AMI connection to (re)connect. Non-blocking."""

    def disconnect(self) -> None:
        """Switch the AMI connection off (the user wants it off). Non-blocking."""


@runtime_checkable
class CallsPort(Protocol):
    """Live calls of this workstation and their notes."""

    def hangup(self, leg_id: str) -> None:
        """Hang up the extension's channel ``leg_id`` (an Asterisk Uniqueid). Non-blocking."""

    def recent_calls(self, number: str, limit: int = 5) -> list[CallRecord]:
        """The last ``limit`` logged calls with this number, newest first. May read the
        call log: the UI calls it from a worker thread."""

    def save_notes(self, call_id: str, text: str) -> None:
        """Store the call notes typed in a popup (debounced while typing, and on close).
        Commits locally before returning."""

    def load_notes(self, call_id: str) -> str:
        """Notes already saved for this call ('' when none), e.g. after a popup reopened."""

    def line_note(self, line: str) -> str:
        """The per-DID note ("trunk info") for the line that was dialled, '' when none."""


@runtime_checkable
class DirectoryPort(Protocol):
    """The contact directory (in memory, fast)."""

    def lookup(self, number: str) -> Sequence[MatchLike]:
        """Every directory entry whose phone matches ``number``, best first."""

    def search(self, text: str, limit: int = 50) -> Sequence[Contact]:
        """Contacts whose name or company matches ``text`` (accents and case ignored)."""


@runtime_checkable
class SettingsPort(Protocol):
    def settings_values(self) -> dict[str, dict[str, Any]]:
        """Current settings as nested sections (``{"ami": {...}, ...}``) for the settings
        dialog. The AMI secret may be included; the UI never logs it."""

    def save_settings(self, values: dict[str, dict[str, Any]]) -> None:
        """Validate and persist settings from the settings dialog. Raises ``ValueError``
        (e.g. ``SettingsError``) with a user-readable message when refused."""

    def test_connection(self, ami: dict[str, Any]) -> Any:
        """Log in once with these ``ami.*`` values (the dialog's Test connection button).
        Returns a future of ``(ok, sentence)``; never blocks the Tk thread."""


@runtime_checkable
class StatusPort(Protocol):
    """Health the status bar shows: damaged files, unsaved calls, where the log is."""

    def store_problems(self) -> list[str]:
        """User-readable messages about damaged files set aside by the store ([] when fine)."""

    def calls_waiting(self) -> int:
        """Finished calls not yet written to the call log (disk full…); retried until saved."""

    def log_path(self) -> str:
        """The per-user log file a user can send with a problem report ('' when none)."""


@runtime_checkable
class EventsPort(Protocol):
    """Subscribe to domain events by type (``callcore.app.hub.EventHub`` fits)."""

    def subscribe(self, event_type: type, handler: Callable[[Any], None], *,
                  deliver: Callable[..., None] | None = None) -> Callable[[], None]:
        """``deliver(handler, event)`` runs the handler (the UI passes its pump's
        ``call_soon`` so handlers run on the Tk thread). Returns an unsubscribe function."""


class PresenceLike(Protocol):
    """One extension in the transfer dialog's list (``callcore.app.presence.Presence``)."""

    extension: str
    name: str                     # users and directory colleagues on it, '' when none
    state: str                    # free | ringing | busy | paused | offline | unknown


@runtime_checkable
class PresencePort(Protocol):
    """Live state of every extension and user (XFER-2), from memory: fast on the Tk thread.
    Changes arrive as ``ExtensionStateChanged`` / ``ConnectionStateChanged`` events."""

    def entries(self, query: str = "") -> Sequence[PresenceLike]:
        """Every extension by number; with ``query`` those whose number starts with its
        digits or whose names match its words (accents and case ignored)."""


@runtime_checkable
class TransferPort(Protocol):
    """Transfers (XFER-1/3). Each method returns a request id at once; the PBX's answer
    comes back as a ``TransferOutcome`` event with that id."""

    def blind_transfer(self, leg_id: str, target: str, note: str = "", *, call_id: str = "",
                       number: str = "") -> str:
        """Send the other party of ``leg_id`` to ``target`` now, with the typed note (the
        feature adds who transfers, the call notes and the caller's contact)."""

    def attended_transfer(self, leg_id: str, target: str, note: str = "", *,
                          call_id: str = "", number: str = "") -> str:
        """Call ``target`` first while the caller waits."""

    def complete_transfer(self, leg_id: str) -> str:
        """Attended transfer: join caller and target; this operator leaves the call."""

    def cancel_transfer(self, leg_id: str) -> str:
        """Attended transfer: drop the consult call, back to the caller."""


@runtime_checkable
class DialPort(Protocol):
    """Click-to-dial (OUT-2): ring this workstation's phone, then the number."""

    def dial(self, number: str) -> Any:
        """Non-blocking; a refusal comes back as an event (``CommandFailed``)."""


class SpeedDialLike(Protocol):
    """One speed-dial slot (``callcore.app.speed_dial.SpeedDialEntry`` fits)."""

    slot: int                     # 1..9
    name: str
    number: str                   # '' = empty slot


@runtime_checkable
class ContactsPort(Protocol):
    """The contacts (DIR-1..3, POP-3): cards, edits, search with a type filter. Edits go to
    the store; the directory follows them (here and on every other workstation)."""

    def get(self, contact_id: str) -> Contact | None:
        """The contact as stored now (None when deleted meanwhile)."""

    def save(self, contact: Contact) -> Contact:
        """Validate and store. Raises ``callcore.records.RecordError`` (``field`` names the
        input, the text says why) and stores nothing when refused."""

    def delete(self, contact_id: str) -> None:
        """Remove the contact everywhere."""

    def add_phone(self, contact_id: str, number: str, label: str,
                  replace_number: str | None = None) -> Contact:
        """Add a caller's number (keeps every phone unless ``replace_number`` names one)."""

    def recent_calls(self, contact_id: str, limit: int = 20) -> list[CallRecord]:
        """The contact's last calls over all its phones, newest first. Reads the call
        log: the UI calls it from a worker thread."""

    def search(self, text: str, kind: str | None = None, limit: int = 50) -> Sequence[Contact]:
        """Search as you type (accents/case ignored); ``kind`` one of CONTACT_TYPES."""


@runtime_checkable
class SpeedDialPort(Protocol):
    """Speed dial (OUT-5): nine entries of this station's user group."""

    def entries(self) -> Sequence[SpeedDialLike]:
        """Slots 1..9 in order, empty ones included."""

    def set_entry(self, slot: int, name: str, number: str) -> Any:
        """Store one slot for the group (empty number clears); ``RecordError`` if refused."""

    def group_name(self) -> str:
        """The group whose entries these are, as shown in the dial pad."""


@runtime_checkable
class DialPadPort(Protocol):
    """The dial pad (OUT-1, OUT-4): dial, redial, quick connect. Refusals come back as
    ``CommandFailed`` events, success as ``DialStarted``."""

    @property
    def last_number(self) -> str:
        """What redial dials ('' before the first call)."""

    def dial(self, number: str) -> Any:
        """Non-blocking: ring this workstation's phone, then the number."""

    def redial(self) -> Any:
        """Dial ``last_number`` again."""

    def quick_connect(self, outside_number: str, extension: str) -> Any:
        """Ring ``extension``; when answered, dial ``outside_number`` and bridge them."""


class UserLike(Protocol):
    """A user as the UI sees it (``callcore.records.User`` fits)."""

    id: str
    name: str
    role: str                     # agent | supervisor | director
    group_id: str
    extension: str


@runtime_checkable
class SessionPort(Protocol):
    """Who is signed in at this workstation (ROLE-1). Changes arrive as ``UserSignedIn`` /
    ``UserSignedOut`` events. Reads users from memory: fast on the Tk thread."""

    @property
    def current(self) -> UserLike | None:
        """The signed-in user, None when nobody is (or no users are defined)."""

    @property
    def passwords_required(self) -> bool:
        """Setting ``users.passwords``: False means signing in only picks the user."""

    def has_users(self) -> bool:
        """False when no users are defined: the window works without signing in."""

    def users(self) -> Sequence[UserLike]:
        """Every user by name, for the sign-in list."""

    def last_user(self) -> str:
        """Who signed in last at this workstation ('' when nobody yet)."""

    def first_time(self, notice: str) -> bool:
        """True only the first time ``notice`` is asked on this workstation (say a hint once)."""

    def sign_in(self, name: str, password: str = "") -> UserLike:
        """Raises ``ValueError`` (``SignInError``) with a sentence for the user when refused."""

    def sign_out(self) -> None:
        """Nobody is signed in afterwards."""

    def group_name(self, user: UserLike | None = None) -> str:
        """The group of ``user`` (the signed-in one by default), '' when none."""

    def line_options(self, extension: str | None = None) -> Any:
        """ROLE-3 options of a line (``callcore.users.LineOptions``; this station's by default)."""


@runtime_checkable
class UsersPort(Protocol):
    """The users screen (ROLE-1..3), acting as the signed-in user: refusals raise
    ``PermissionDenied`` or ``ValueError`` with a sentence for the user."""

    def rows(self) -> list[dict[str, Any]]:
        """id, name, role, group, extension of every user."""

    def group_names(self) -> list[str]: ...

    def may_manage(self) -> bool:
        """Whether the signed-in user may open the users screen (directors, supervisors)."""

    def add_user(self, name: str, role: str, group: str = "", extension: str = "",
                 password: str = "") -> Any: ...

    def update_user(self, user_id: str, *, name: str | None = None, role: str | None = None,
                    group: str | None = None, extension: str | None = None) -> Any: ...

    def remove_user(self, user_id: str) -> None: ...

    def set_password(self, user_id: str, password: str) -> None: ...

    def line_options(self, extension: str) -> Any: ...

    def set_line_options(self, extension: str, options: Any) -> None: ...


class ScheduleRowLike(Protocol):
    """One line of the schedule view (``callcore.app.schedule.ScheduleRow``)."""

    item: ScheduledCall
    section: str                  # overdue | today | upcoming | done
    when: datetime                # the reminder time (snooze included), local


@runtime_checkable
class SchedulePort(Protocol):
    """Scheduled calls and their reminders (SCHED-1..3, POP-3, POP-6). The role rules are
    applied by the feature: a refused change raises ``callcore.roles.PermissionDenied``
    (its text is a sentence for the user); a bad value ``RecordError``."""

    def schedule(self, number: str, due_at: datetime, *, contact_id: str = "", contact_name: str = "",
                 assigned_user: str | None = None, notes: str = "", priority: int = 1,
                 call_id: str = "") -> ScheduledCall:
        """Store a new scheduled call (``assigned_user`` None: for oneself)."""

    def get(self, scheduled_id: str) -> ScheduledCall:
        """As stored now (``LookupError`` when gone)."""

    def update(self, item: ScheduledCall) -> ScheduledCall:
        """Store an edited scheduled call."""

    def snooze(self, scheduled_id: str, minutes: int) -> ScheduledCall: ...

    def done(self, scheduled_id: str, outcome: str = "") -> ScheduledCall: ...

    def reassign(self, scheduled_id: str, user_name: str) -> ScheduledCall: ...

    def reschedule(self, scheduled_id: str, due_at: datetime) -> ScheduledCall: ...

    def call_now(self, scheduled_id: str) -> Any:
        """Dial it (non-blocking); the logged call is linked to the scheduled call."""

    def view(self, section: str = "all", scope: str = "mine", *, limit: int = 200) -> Sequence[ScheduleRowLike]:
        """Open scheduled calls of a section (overdue / today / upcoming / all) and scope
        (mine / group / all), earliest first."""

    def scopes(self) -> list[str]:
        """The scopes this user may pick."""

    def assignable_users(self) -> list[str]:
        """Names this user may schedule for, self first."""

    def quick_choices(self) -> list[tuple[str, datetime]]:
        """(label, time) quick picks: in 1 hour, tomorrow 9:00."""

    def open_for(self, *, contact_id: str = "", number: str = "", limit: int = 20) -> list[ScheduledCall]:
        """POP-3: open scheduled calls of this contact or number."""

    def search(self, text: str, limit: int = 50) -> list[ScheduledCall]:
        """SCHED-3 / OUT-1: open scheduled calls whose number, contact or note holds ``text``
        (for the directory's "scheduled calls" type)."""


@runtime_checkable
class ActivitiesPort(Protocol):
    """Activities / tasks (CON-6, POP-3) and linking a logged call to a contact."""

    def types(self) -> list[str]:
        """The office's activity types."""

    def create(self, subject: str, *, type: str = "", due_at: str | None = None, user: str | None = None,
               call_id: str = "", contact_id: str = "", number: str = "", notes: str = "") -> Activity: ...

    def list(self, scope: str = "mine", status: str = "open", limit: int = 500) -> list[Activity]: ...

    def set_done(self, activity_id: str, done: bool = True) -> Activity: ...

    def scopes(self) -> list[str]: ...

    def assignable_users(self) -> list[str]: ...

    def link_contact(self, call_id: str, contact_id: str) -> Any:
        """CON-6: the logged call was with this contact (the call log stays unchanged)."""


@runtime_checkable
class ConsolePort(Protocol):
    """The call console (CON-1..6): queries over the whole call log run on the console's
    own thread; each answer is handed to ``deliver`` from that thread (pass the pump's
    ``call_soon``). Types: ``callcore.console_query``; results page their rows on demand."""

    def search(self, query: Any, deliver: Callable[[Any], None]) -> None: ...

    def details(self, call_id: str, month: str, deliver: Callable[[Any], None]) -> None: ...

    def presets(self) -> list[str]:
        """mine / group / all, as far as the signed-in user's role allows."""

    def delete(self, call_ids: Sequence[str], users: Sequence[str]) -> int:
        """Hide these calls (role rules: ``PermissionDenied`` when one is not allowed)."""

    def clear(self, result: Any, deliver: Callable[[Any], None]) -> None:
        """Delete every call of ``result`` the user may change; delivers the count or an error."""

    def export(self, result: Any, path: str, kind: str, deliver: Callable[[Any], None],
               office: str = "") -> None:
        """csv / xlsx / pdf / stats-pdf of ``result``; delivers the path or an error."""


@runtime_checkable
class StatsPort(Protocol):
    """Statistics of a console query (REP-3): ``callcore.stats.CallStats`` delivered."""

    def statistics(self, query: Any, deliver: Callable[[Any], None], period: str = "auto") -> None: ...


@dataclass(frozen=True)
class StationInfo:
    """Who this workstation is; fixed for the life of the window. ``popup_settings`` is
    asked at every new call, so a change in the settings dialog applies to the next call."""

    extension: str
    is_demo: bool = False
    notify_seconds: int = 10      # how long desktop notifications (and the toast) stay
    popup_settings: Callable[[], PopupSettings] = PopupSettings


@runtime_checkable
class RecordingsPort(Protocol):
    """Call recordings (issue 11): a play button only for calls that have one."""

    def recorded(self, records: Sequence[CallRecord]) -> set[str]:
        """Ids of the calls that have a recording. File/network I/O: from a worker thread."""

    def check(self, records: Sequence[CallRecord], deliver: Callable[[set[str]], None]) -> None:
        """``recorded`` on callcore's worker thread; ``deliver(ids)`` is called from it."""

    def play(self, record: CallRecord) -> str:
        """Open the recording in the system's player; '' when started, else why not."""


@runtime_checkable
class QueuesPort(Protocol):
    """The queue panel (issue 11): ``queues()`` is an immutable snapshot for the signed-in
    operator (``callcore.queue_board.QueueView``); changes arrive as ``QueuesChanged``.
    Commands are non-blocking; ``done(ok, message)`` is called from another thread."""

    def queues(self) -> list[Any]:
        """The queues this operator sees, with waiting callers and members."""

    def pause(self, server: str, queue: str, paused: bool, reason: str = "",
              done: Callable[[bool, str], None] | None = None) -> None:
        """Pause (with a reason) or resume the operator's own membership ('' = every queue)."""

    def join(self, server: str, queue: str, done: Callable[[bool, str], None] | None = None) -> None:
        """Join the queue as a dynamic member (where ``may_join``)."""

    def leave(self, server: str, queue: str, done: Callable[[bool, str], None] | None = None) -> None:
        """Leave the queue (a dynamic membership only, ``may_leave``)."""


class CampaignPort(Protocol):
    """Mass-call campaigns (CAMP-1..4; ``callcore.app.campaigns.CampaignFeature``): lists and
    entries, the work view's preview dialler, the counters. ``CampaignWorkChanged`` events
    say when the work view's state moved (countdown, phase)."""

    def campaigns(self) -> list[Any]: ...
    def save_campaign(self, campaign: Any) -> Any: ...
    def entries(self, campaign_id: str) -> list[Any]: ...
    def add_entries(self, campaign_id: str, rows: list[dict[str, Any]]) -> Any: ...
    def remove_entry(self, campaign_id: str, entry_id: str) -> None: ...
    def preview_file(self, path: str) -> tuple[list[str], dict[str, str], list[list[str]]]: ...
    def import_file(self, campaign_id: str, path: str, mapping: dict[str, str]) -> Any: ...
    def select_contacts(self, campaign_id: str, **filters: Any) -> Any: ...
    def outcomes(self, campaign_id: str) -> list[str]: ...
    def counters(self, campaign_id: str) -> Any: ...
    def entries_in(self, campaign_id: str, state: str = "", result: str = "", operator: str = "") -> list[Any]: ...
    def export(self, campaign_id: str, path: str) -> int: ...
    def state(self) -> Any: ...
    def script(self, campaign_id: str) -> str: ...
    def recent_calls(self, number: str, limit: int = 5) -> list[Any]: ...
    def start(self, campaign_id: str) -> Any: ...
    def call_now(self) -> None: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def skip(self) -> None: ...
    def browse(self, step: int) -> None: ...
    def record_outcome(self, result: str, note: str = "", call_back_at: datetime | None = None) -> Any: ...
    def stop(self) -> None: ...


@dataclass(frozen=True)
class UiPorts:
    """Everything the operator window is given, one port per feature."""

    station: StationInfo
    connection: ConnectionPort
    calls: CallsPort
    directory: DirectoryPort
    settings: SettingsPort
    status: StatusPort
    events: EventsPort | None = None   # None: events are handed in with OperatorUi.queue_event
    transfer: TransferPort | None = None   # None: no Transfer buttons
    presence: PresencePort | None = None
    dial: DialPort | None = None           # None: no Call back button
    contacts: "ContactsPort | None" = None     # None: no directory, contact cards
    speed_dial: "SpeedDialPort | None" = None
    dial_pad: "DialPadPort | None" = None      # None: no dial pad (Calls › Dial…)
    session: "SessionPort | None" = None       # None: no users, no sign-in (as before ROLE)
    users: "UsersPort | None" = None           # None: no users screen
    schedule: "SchedulePort | None" = None     # None: no scheduled calls, no reminders
    activities: "ActivitiesPort | None" = None  # None: no activities
    console: "ConsolePort | None" = None       # None: no call console (View › Call console)
    stats: "StatsPort | None" = None           # None: no statistics tab
    queues: "QueuesPort | None" = None         # None: no queue panel (Calls › Queues…)
    recordings: "RecordingsPort | None" = None  # None: no play buttons
    campaigns: "CampaignPort | None" = None    # None: no campaigns (Calls › Campaigns…)

    @classmethod
    def of(cls, provider: Any, events: EventsPort | None = None) -> "UiPorts":
        """Ports from one object implementing every feature Protocol (GUI test fakes)."""
        station = StationInfo(extension=provider.extension, is_demo=provider.is_demo,
                              notify_seconds=provider.notify_seconds,
                              popup_settings=lambda: provider.popup_settings)
        return cls(station=station, connection=provider, calls=provider, directory=provider,
                   settings=provider, status=provider, events=events,
                   transfer=provider if isinstance(provider, TransferPort) else None,
                   presence=provider if isinstance(provider, PresencePort) else None,
                   dial=provider if isinstance(provider, DialPort) else None)
