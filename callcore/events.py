"""Typed domain events: what the call tracker tells the rest of the app.

The tracker turns raw AMI messages into these; the UI, the call log and the recorder only
ever see these. A *leg* is one channel of one extension (one Asterisk Uniqueid); a *call*
is everything sharing one Linkedid. Call waiting = one extension with several legs.
Times are timezone-aware datetimes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Union

from .records import CallRecord

Direction = Literal["in", "out", "internal"]
ConnectionStatus = Literal["off", "connecting", "connected", "failing", "auth_failed"]


@dataclass(frozen=True)
class LegRinging:
    """An extension's phone rings (incoming) or was rung by click-to-dial (outgoing)."""

    leg_id: str                 # Uniqueid of the extension's channel
    call_id: str                # call log id (from Linkedid), ties notes to the record
    linkedid: str
    extension: str
    direction: Direction
    other_number: str           # the other party's number, '' when unknown
    other_name: str             # the other party's caller-id name, '' when unknown
    line: str                   # the DID / line dialled (incoming) or the number dialled (outgoing)
    at: datetime
    queue: str = ""
    transferred_by: str = ""    # extension that transferred this call here, if any
    channel: str = ""           # the Asterisk channel name of this leg (for Hangup/Redirect)
    restored: bool = False      # rebuilt from CoreShowChannels after a (re)connect, not new


@dataclass(frozen=True)
class LegAnswered:
    leg_id: str
    call_id: str
    extension: str
    at: datetime
    other_number: str = ""       # may be known only now (e.g. click-to-dial target answered)
    other_name: str = ""


@dataclass(frozen=True)
class LegHeld:
    leg_id: str
    call_id: str
    extension: str
    at: datetime


@dataclass(frozen=True)
class LegResumed:
    leg_id: str
    call_id: str
    extension: str
    at: datetime


@dataclass(frozen=True)
class LegTransferred:
    leg_id: str
    call_id: str
    extension: str              # who transferred
    target: str                 # extension or number it went to
    kind: Literal["blind", "attended"]
    at: datetime


@dataclass(frozen=True)
class LegEnded:
    leg_id: str
    call_id: str
    extension: str
    at: datetime
    status: str                 # one of records.CALL_STATUSES, seen from this extension
    answered_by: str = ""       # another extension took the call (queue/ring group): not missed here


@dataclass(frozen=True)
class CallLogged:
    """A whole call finished: the record to store in the call log."""

    record: CallRecord


@dataclass(frozen=True)
class ExtensionStateChanged:
    extension: str
    state: Literal["free", "ringing", "busy", "onhold", "offline", "unknown"]
    paused: bool = False


@dataclass(frozen=True)
class ConnectionStateChanged:
    status: ConnectionStatus
    reason: str = ""            # translated, user-readable: why it is failing / off
    server: str = ""            # '' = the first PBX (ami.*); else the name of a pbxes entry (AMI-4)


@dataclass(frozen=True)
class TransferNoteReceived:
    """Notes sent with a transfer (AMI UserEvent) for the receiving workstation's popup."""

    call_id: str
    from_extension: str
    to_extension: str
    notes: str
    context: str = ""           # JSON text of attached context items
    linkedid: str = ""          # the call (Asterisk Linkedid) being transferred
    leg_id: str = ""            # the transferring extension's leg
    kind: str = "note"          # blind | attended | note (nothing announced)
    from_user: str = ""         # the transferring operator's name
    call_notes: str = ""        # the call's notes so far
    contact_id: str = ""        # the caller's contact, as the transferring side knew it
    contact_name: str = ""


@dataclass(frozen=True)
class StoreChanged:
    """Records of one table changed, here (``origin="local"``) or merged from another
    workstation (``"remote"``). Published by the app layer for every store change."""

    table: str
    keys: frozenset[str]
    origin: str = "local"


@dataclass(frozen=True)
class ClockTick:
    """Once a second (window mode): what timers (reminders, auto-close) hang on."""

    at: datetime


@dataclass(frozen=True)
class CallsWaitingToBeSaved:
    """Finished calls the call log could not write yet (disk full, folder gone); they are
    retried until written. ``count`` 0 means all are saved."""

    count: int


@dataclass(frozen=True)
class CommandFailed:
    """A PBX command the operator gave (hang up, dial, transfer…) did not happen.
    ``message`` is a translated sentence for the operator; the call itself is not lost."""

    action: str                 # "hangup", "dial", "transfer", …
    message: str
    leg_id: str = ""


@dataclass(frozen=True)
class DialRequested:
    """Dial this number as if typed into the dial pad (from another program through
    ``operator_app dial NUMBER``, a ``tel:`` link, or a reminder)."""

    number: str
    source: str = ""            # "handoff", "reminder", …


@dataclass(frozen=True)
class DialStarted:
    """The PBX accepted a dial: this workstation's phone is ringing first."""

    number: str
    call_id: str = ""
    message: str = ""


@dataclass(frozen=True)
class WindowRaiseRequested:
    """The app was started again on this workstation: bring the running window forward."""


@dataclass(frozen=True)
class TransferOutcome:
    """What became of a transfer command (blind, attended, complete, cancel), published by
    ``callcore.app.transfer`` once the PBX answered, for the transfer dialog. ``request_id``
    is what the feature's method returned; ``message`` is translated, for the operator."""

    request_id: str
    action: str                 # blind | attended | complete | cancel
    ok: bool
    message: str = ""
    leg_id: str = ""
    target: str = ""


@dataclass(frozen=True)
class UserSignedIn:
    """A user signed in at this workstation (ROLE-1); features act as this user now."""

    user_id: str
    name: str


@dataclass(frozen=True)
class UserSignedOut:
    """Nobody is signed in at this workstation any more."""


@dataclass(frozen=True)
class ReminderDue:
    """A scheduled call's reminder is due on this workstation (SCHED-2), published once per
    occurrence on the one station that won it (``callcore.app.reminders``). ``missed``: it
    fell due while the app was closed (or nobody was signed in); shown oldest first."""

    scheduled_id: str
    number: str
    name: str
    notes: str
    due_at: str
    assigned_user: str = ""
    missed: bool = False


@dataclass(frozen=True)
class QueueSeen:
    """A call queue of a PBX (AMI ``QueueParams``, from ``QueueStatus`` at every connect)."""

    queue: str
    strategy: str = ""
    completed: int = 0
    abandoned: int = 0
    server: str = ""            # '' = the first PBX (as ConnectionStateChanged.server)


@dataclass(frozen=True)
class QueueMemberSeen:
    """A member of a queue as it is now (``QueueMember`` at connect, then
    ``QueueMemberAdded/Status/Pause``). ``state``: free/ringing/busy/offline/unknown."""

    queue: str
    interface: str              # e.g. PJSIP/202: what QueuePause/QueueRemove name
    name: str = ""
    extension: str = ""         # '' when the interface is no extension's phone
    state: str = "unknown"
    paused: bool = False
    reason: str = ""            # why paused (QueuePause Reason)
    dynamic: bool = False       # added by QueueAdd (may leave); static ones are in queues.conf
    server: str = ""


@dataclass(frozen=True)
class QueueMemberGone:
    queue: str
    interface: str
    server: str = ""


@dataclass(frozen=True)
class QueueCallerWaiting:
    """A caller waits in a queue (``QueueEntry`` at connect, ``QueueCallerJoin``)."""

    queue: str
    uniqueid: str
    number: str = ""
    name: str = ""
    position: int = 0
    since: datetime | None = None   # when they started waiting (for the wait time)
    server: str = ""


@dataclass(frozen=True)
class QueueCallerGone:
    """A caller left a queue: answered (``QueueCallerLeave``) or gave up (``…Abandon``)."""

    queue: str
    uniqueid: str
    abandoned: bool = False
    server: str = ""


@dataclass(frozen=True)
class QueuesChanged:
    """The queue panel's state changed (``callcore.app.queues``): read it again."""

    server: str = ""


QueueEvent = Union[QueueSeen, QueueMemberSeen, QueueMemberGone, QueueCallerWaiting, QueueCallerGone]

DomainEvent = Union[LegRinging, LegAnswered, LegHeld, LegResumed, LegTransferred, LegEnded,
                    CallLogged, ExtensionStateChanged, ConnectionStateChanged, TransferNoteReceived,
                    QueueSeen, QueueMemberSeen, QueueMemberGone, QueueCallerWaiting, QueueCallerGone]
