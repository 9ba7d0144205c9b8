"""The pure call tracker: raw AMI messages in, typed domain events out.

No I/O and no clock: a message's time is its own ``Timestamp`` header (``timestampevents
= yes``) or, without one, whatever the injected ``now`` returns. A *leg* is one channel
(one ``Uniqueid``); a *call* is every leg sharing one ``Linkedid``. Leg events are emitted
for the legs of every extension (the app keeps its own, the recorder keeps all), and each
finished call yields exactly one :class:`CallLogged`. The status rules are in
``docs/ami.md``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable, Mapping

from ..events import (QueueMemberGone, QueueMemberSeen)
from ..events import (CallLogged, DomainEvent, ExtensionStateChanged, LegAnswered, LegEnded,
                      LegHeld, LegResumed, LegRinging, LegTransferred, TransferNoteReceived)
from .notes import TRANSFER_NOTE_EVENT, decode_transfer_note
from .queues import QUEUE_EVENTS, translate as translate_queue
from ..records import CallRecord, call_id_for

Message = Mapping[str, str]

log = logging.getLogger(__name__)

UNKNOWN = "<unknown>"
RINGING, UP = 5, 6
EXTENSION_TECHS = ("PJSIP", "SIP", "IAX2", "DAHDI")
DID_VARIABLES = ("CALLED_DID", "__CALLED_DID", "_CALLED_DID", "FROM_DID", "__FROM_DID")
CAMPAIGN_VARIABLES = ("CAMPAIGN_ITEM", "_CAMPAIGN_ITEM", "__CAMPAIGN_ITEM")   # set by a campaign dial

# ExtensionStatus "Status" → ExtensionStateChanged.state
_HINT_STATES = {"0": "free", "1": "busy", "2": "busy", "4": "offline", "8": "ringing",
                "9": "ringing", "16": "onhold", "17": "onhold"}

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# A transfer note announces a Redirect issued right after it: the transferring leg must
# end within this time for the note to count (a refused Redirect sends "cancelled").
PENDING_WINDOW = timedelta(seconds=10)


def clean(value: str | None) -> str:
    """A caller-id value as the user should see it: ``<unknown>`` and blanks → ''."""
    if not value or value == UNKNOWN:
        return ""
    return value.strip()


def device_of(channel: str) -> str:
    """``PJSIP/201-0000002a`` → ``PJSIP/201``."""
    return channel.rsplit("-", 1)[0] if "-" in channel else channel


def _number_of(dial_string: str) -> str:
    """``PJSIP/6912345678@trunk`` or ``6912345678@trunk-out`` → ``6912345678``."""
    target = dial_string.split("&", 1)[0].split(",", 1)[0]
    target = target.rsplit("/", 1)[-1].split("@", 1)[0]
    return target.rsplit(":", 1)[-1].strip()


def _duration_seconds(text: str) -> float:
    """CoreShowChannel ``Duration`` (``HH:MM:SS`` or seconds) → seconds."""
    try:
        if ":" in text:
            total = 0.0
            for part in text.split(":"):
                total = total * 60 + float(part)
            return total
        return float(text or 0)
    except ValueError:
        return 0.0


@dataclass(eq=False)
class _Leg:
    uid: str
    channel: str
    extension: str                 # '' unless this is an extension's phone
    local: bool
    call: "_Call"
    created: datetime
    state: int = 0
    cid_num: str = ""
    cid_name: str = ""
    conn_num: str = ""
    conn_name: str = ""
    exten: str = ""
    dialled_by: str = ""           # Uniqueid of the leg that dialled this one
    is_dest: bool = False          # this leg was dialled (DialBegin destination)
    dialled_out: bool = False      # this leg dialled someone
    originated: bool = False       # created by an Originate (click-to-dial rings the phone first)
    dial_status: str = ""
    ring_emitted: bool = False
    answered: bool = False
    answered_at: datetime | None = None
    went_up: bool = False
    held: bool = False
    transferred_away: bool = False
    bridge: str = ""
    record_id: str = ""            # the call log record this leg belongs to (fixed at its popup)
    consult_from: str = ""         # rung by this extension for a transfer not (yet) made
    ended_at: datetime | None = None


@dataclass(eq=False)
class _Call:
    linkedid: str
    started: datetime
    legs: dict[str, _Leg] = field(default_factory=dict)       # alive legs
    ext_legs: list[_Leg] = field(default_factory=list)        # every extension leg, ever
    origin: _Leg | None = None
    line: str = ""
    line_from_variable: bool = False
    campaign_item_id: str = ""     # CAMPAIGN_ITEM channel variable (a campaign dial, issue 10)
    caller_num: str = ""
    caller_name: str = ""
    caller_known: bool = False
    dialled: str = ""              # what the originating side dialled (first DialBegin)
    out_number: str = ""           # the number sent out to a trunk (DialString, prefix stripped)
    ring_start: datetime | None = None
    answered_at: datetime | None = None
    answered_leg: _Leg | None = None
    first_rung_ext: str = ""
    dial_statuses: list[str] = field(default_factory=list)
    app_dial_statuses: list[str] = field(default_factory=list)   # DIALSTATUS of Dials that made no channel
    attempted: bool = False        # the dialplan tried to reach someone (Dial/Queue)
    queue: str = ""
    queue_abandoned: bool = False
    transferred: bool = False
    transferred_from: str = ""
    transferred_to: str = ""
    pending_transfer_by: str = ""  # a BlindTransfer announced: the next ringing leg came from it
    record_id: str = ""            # id of the record being built ('' = the call's own id)
    received_from: str = ""        # this part came by transfer from that extension (XFER-4)
    received_note: str = ""        # … with this note
    pending: "TransferNoteReceived | None" = None   # a transfer announced by a note
    pending_at: datetime | None = None
    parties: tuple[str, str, str, str] | None = None  # a received part keeps the call's
                                   # direction, caller and number dialled (XFER-4)
    merged_into: "_Call | None" = None
    non_local: bool = False
    last_at: datetime | None = None


@dataclass(frozen=True)
class LegInfo:
    """A live leg as :class:`~callcore.ami.commands.PbxCommands` sees it."""

    leg_id: str
    channel: str
    peer_channel: str
    extension: str
    linkedid: str
    call_id: str
    answered: bool


# AMI caller-id headers → the _Leg attribute each one updates
_ID_HEADERS = (("CallerIDNum", "cid_num"), ("CallerIDName", "cid_name"),
               ("ConnectedLineNum", "conn_num"), ("ConnectedLineName", "conn_name"))


class CallTracker:
    """Feed raw AMI messages (``feed``); get domain events back. One instance per PBX."""

    def __init__(self, server: str = "", now: Callable[[], datetime] | None = None,
                 did_variables: Iterable[str] = DID_VARIABLES, outgoing_prefix: str = ""):
        self.server = server
        self._outgoing_prefix = outgoing_prefix
        self._now = now
        self._did_variables = frozenset(did_variables)
        self._legs: dict[str, _Leg] = {}
        self._calls: dict[str, _Call] = {}
        self._device_ext: dict[str, str] = {}
        self._ext_state: dict[str, str] = {}
        self._last_at: datetime | None = None
        self._last_stamp = ""
        self._disconnected_at: datetime | None = None
        self.failed_events = 0     # AMI messages a handler could not take (logged, see feed)
        self._paused_in: dict[str, set[str]] = {}          # extension → queues it is paused in
        self._member_ext: dict[tuple[str, str], str] = {}  # (queue, interface) → extension
        self._handlers: dict[str, Callable[[Message, datetime], list[DomainEvent]]] = {
            "Newchannel": self._on_newchannel,
            "Newstate": self._on_newstate,
            "NewConnectedLine": self._on_connected_line,
            "NewCallerid": self._on_callerid,
            "Newexten": self._on_newexten,
            "VarSet": self._on_varset,
            "DialBegin": self._on_dial_begin,
            "DialEnd": self._on_dial_end,
            "BridgeEnter": self._on_bridge_enter,
            "BridgeLeave": self._on_bridge_leave,
            "Hold": self._on_hold,
            "Unhold": self._on_unhold,
            "Hangup": self._on_hangup,
            "BlindTransfer": self._on_blind_transfer,
            "AttendedTransfer": self._on_attended_transfer,
            "QueueCallerJoin": self._on_queue_join,
            "QueueCallerAbandon": self._on_queue_abandon,
            "ExtensionStatus": self._on_extension_status,
            "OriginateResponse": self._on_originate_response,
            "UserEvent": self._on_user_event,
            "Shutdown": self._on_shutdown,
        }

    # ------------------------------------------------------------------ public API
    def feed(self, message: Message) -> list[DomainEvent]:
        """One AMI message → the domain events it causes (often none). Never raises on
        unknown or malformed messages: those are counted in ``failed_events`` and logged."""
        try:
            if message.get("Event", "") in QUEUE_EVENTS:
                return self._feed_queue(message)
            handler = self._handlers.get(message.get("Event", ""))
            if handler is None:
                stamp = message.get("Timestamp")
                if stamp:
                    self._last_stamp = stamp  # Asterisk's clock, for rebuild_from
                return []
            return handler(message, self._time(message))
        except Exception as exc:  # a malformed message must not stop call tracking
            self._failed(message, exc)
            return []

    def _feed_queue(self, message: Message) -> list[DomainEvent]:
        """Queue messages: the call's queue (ring time, abandon) as before, the queue panel's
        events (callcore/ami/queues.py), and a member's pause as its extension's state."""
        at = self._time(message)
        handler = self._handlers.get(message.get("Event", ""))
        out: list[DomainEvent] = handler(message, at) if handler is not None else []
        for event in translate_queue(message, at, self.extension_of):
            out.append(event)  # type: ignore[arg-type]
            key = (event.queue, getattr(event, "interface", ""))
            if isinstance(event, QueueMemberSeen) and event.extension:
                self._member_ext[key] = event.extension
                out.extend(self._set_paused(event.extension, event.queue, event.paused))
            elif isinstance(event, QueueMemberGone) and key in self._member_ext:
                out.extend(self._set_paused(self._member_ext.pop(key), event.queue, False))
        return out

    def _set_paused(self, extension: str, queue: str, paused: bool) -> list[DomainEvent]:
        queues = self._paused_in.setdefault(extension, set())
        before = bool(queues)
        (queues.add if paused else queues.discard)(queue)
        if bool(queues) == before:
            return []
        return [ExtensionStateChanged(extension=extension, paused=bool(queues),  # type: ignore[arg-type]
                                      state=self._ext_state.get(extension) or "unknown")]

    def forget_extension_states(self) -> list[str]:
        """The connection is gone: states are unknown now; the next ExtensionStateList
        reports each one again. Returns the extensions that had a state (AMI-4: a further
        PBX marks only its own extensions unknown)."""
        known, self._ext_state = list(self._ext_state), {}
        return known

    def is_paused(self, extension: str) -> bool:
        """Paused in at least one queue (the transfer dialog shows "paused")."""
        return bool(self._paused_in.get(extension))

    def _failed(self, message: object, exc: Exception) -> None:
        """Count and log (event name and error, never the whole message) an AMI message
        that could not be handled; after the first 20, only every 100th is logged."""
        self.failed_events += 1
        count = self.failed_events
        if count <= 20 or count % 100 == 0:
            try:
                name = str(message.get("Event", "?"))  # type: ignore[attr-defined]
            except Exception:
                name = type(message).__name__
            log.warning("AMI event %r not handled (%d so far): %s: %s", name, count,
                        type(exc).__name__, exc, exc_info=count <= 5)

    def feed_many(self, messages: Iterable[Message]) -> list[DomainEvent]:
        out: list[DomainEvent] = []
        for message in messages:
            out.extend(self.feed(message))
        return out

    @property
    def calls_in_progress(self) -> int:
        return len(self._calls)

    @property
    def legs_in_progress(self) -> int:
        return len(self._legs)

    def channel_of(self, leg_id: str) -> str:
        """The channel name of a live leg ('' when unknown) — for Hangup/Redirect."""
        leg = self._legs.get(leg_id)
        return leg.channel if leg else ""

    def peer_channel_of(self, leg_id: str) -> str:
        """The channel of the other party of a live leg: the one sharing its bridge, else
        the leg that dialled it or that it dialled ('' when unknown)."""
        leg = self._legs.get(leg_id)
        if leg is None:
            return ""
        for other in leg.call.legs.values():
            if other is not leg and leg.bridge and other.bridge == leg.bridge:
                return other.channel
        if leg.dialled_by in self._legs:
            return self._legs[leg.dialled_by].channel
        for other in leg.call.legs.values():
            if other.dialled_by == leg.uid:
                return other.channel
        return ""

    def leg_info(self, leg_id: str) -> "LegInfo | None":
        """What a command needs about a live leg (None when it has ended)."""
        leg = self._legs.get(leg_id)
        if leg is None:
            return None
        return LegInfo(leg_id=leg.uid, channel=leg.channel, peer_channel=self.peer_channel_of(leg_id),
                       extension=leg.extension, linkedid=leg.call.linkedid,
                       call_id=self._leg_call_id(leg), answered=leg.answered)

    def extension_state(self, extension: str) -> str:
        """free | ringing | busy | onhold | offline | unknown from the PBX hints; '' when
        the PBX has no hint for it (not a phone, or not known yet)."""
        return self._ext_state.get(extension, "")

    def extension_of(self, channel: str) -> str:
        """The extension whose phone a channel belongs to, '' for trunks/Local/unknown."""
        if not channel or channel.startswith("Local/"):
            return ""
        device = device_of(channel)
        ext = self._device_ext.get(device)
        if ext is not None:
            return ext
        tech, _sep, resource = device.partition("/")
        if tech in EXTENSION_TECHS and resource.isdigit() and len(resource) <= 6:
            return resource
        return ""

    def connection_lost(self, at: datetime | None = None) -> None:
        """The AMI connection dropped: remember when, to end honestly what is gone when
        it comes back (:meth:`rebuild_from`)."""
        if self._disconnected_at is None:
            self._disconnected_at = at or self._last_at or self._clock()

    def rebuild_from(self, core_show_channels: list[Message],
                     at: datetime | None = None) -> list[DomainEvent]:
        """After a (re)connect: reconcile with Asterisk's ``CoreShowChannel`` list.

        Legs we knew that are gone ended while we were away (ended at the disconnect time,
        with what is known); legs we did not know are added (``LegRinging(restored=True)``,
        plus ``LegAnswered`` when already up); legs known on both sides are only updated,
        so no popup or log entry is duplicated."""
        items = [c for c in core_show_channels if c.get("Uniqueid")]
        stamped = next((c for c in items if c.get("Timestamp")), None)
        if stamped is not None:   # Asterisk's own clock, consistent with the events' times
            at = self._time(stamped)
        elif self._last_stamp:
            at = self._time({"Timestamp": self._last_stamp})
        at = at or self._last_at or self._clock()
        present = {c["Uniqueid"] for c in items}
        ended_at = self._disconnected_at or at
        out: list[DomainEvent] = []
        for uid in [u for u in self._legs if u not in present]:
            out.extend(self._end_leg(self._legs[uid], ended_at, cause="gone"))
        # oldest first, so a call's origin is its longest-living leg
        items.sort(key=lambda c: (c["Uniqueid"] != c.get("Linkedid"),
                                  -_duration_seconds(c.get("Duration", ""))))
        bridges: dict[str, list[_Leg]] = {}
        for item in items:
            uid = item["Uniqueid"]
            state = int(item.get("ChannelState") or 0)
            leg = self._legs.get(uid)
            if leg is not None:
                self._update_ids(leg, item)
                if state == UP and leg.is_dest and not leg.answered:
                    out.extend(self._answer_leg(leg, at))
                leg.state = state
            else:
                created = at - timedelta(seconds=_duration_seconds(item.get("Duration", "")))
                leg = self._new_leg(item, created)
                leg.state = state
                leg.bridge = item.get("BridgeId", "")
                if leg.bridge:
                    bridges.setdefault(leg.bridge, []).append(leg)
                if leg.extension and state in (RINGING, UP):
                    call = leg.call
                    leg.is_dest = call.origin is not leg
                    if leg.is_dest:
                        origin = call.origin
                        if origin is not None:
                            leg.dialled_by = origin.uid
                            if not call.line and not origin.extension and origin.exten != "s":
                                call.line = origin.exten
                        if not call.caller_known:  # the caller is who this phone is connected to
                            call.caller_known = True
                            call.caller_num, call.caller_name = leg.conn_num, leg.conn_name
                        call.first_rung_ext = call.first_rung_ext or leg.extension
                        call.ring_start = call.ring_start or created
                    out.append(self._ringing_event(leg, created, restored=True))
                    if state == UP:
                        leg.went_up = True
                        if leg.is_dest or leg.bridge:
                            out.extend(self._answer_leg(leg, created))
        for legs in bridges.values():  # legs sharing a bridge talk to each other: answered
            if len(legs) > 1:
                call = legs[0].call
                if call.answered_at is None:
                    call.answered_at = min(leg.created for leg in legs)
        self._disconnected_at = None
        return out

    # ------------------------------------------------------------------ time
    def _clock(self) -> datetime:
        if self._now is not None:
            return self._now()
        return self._last_at or _EPOCH

    def _time(self, message: Message) -> datetime:
        stamp = message.get("Timestamp")
        if stamp:
            try:
                at = datetime.fromtimestamp(float(stamp)).astimezone()
                self._last_at = at
                self._last_stamp = stamp
                return at
            except (ValueError, OverflowError, OSError):
                pass
        at = self._clock()
        self._last_at = at
        return at

    # ------------------------------------------------------------------ legs
    def _new_leg(self, m: Message, at: datetime, prefix: str = "") -> _Leg:
        uid = m[prefix + "Uniqueid"]
        linkedid = m.get(prefix + "Linkedid") or uid
        call = self._calls.get(linkedid)
        if call is None:
            call = _Call(linkedid=linkedid, started=at)
            self._calls[linkedid] = call
        channel = m.get(prefix + "Channel", "")
        leg = _Leg(uid=uid, channel=channel, extension=self.extension_of(channel),
                   local=channel.startswith("Local/"), call=call, created=at)
        self._update_ids(leg, m, prefix)
        self._legs[uid] = leg
        call.legs[uid] = leg
        if call.origin is None:
            call.origin = leg
        if leg.extension:
            call.ext_legs.append(leg)
        if not leg.local:
            call.non_local = True
        return leg

    @staticmethod
    def _update_ids(leg: _Leg, m: Message, prefix: str = "") -> None:
        for header, attribute in _ID_HEADERS:
            value = m.get(prefix + header)
            if value is not None:
                setattr(leg, attribute, clean(value))
        value = m.get(prefix + "Exten")
        if value:
            leg.exten = value

    def _leg(self, m: Message, at: datetime, prefix: str = "", create: bool = True) -> _Leg | None:
        uid = m.get(prefix + "Uniqueid")
        if not uid:
            return None
        leg = self._legs.get(uid)
        if leg is None and create and m.get(prefix + "Channel"):
            leg = self._new_leg(m, at, prefix)
        return leg

    def _direction_for(self, leg: _Leg) -> str:
        call = leg.call
        origin = call.origin
        origin_is_ext = origin is not None and bool(origin.extension)
        if leg.is_dest:
            if origin_is_ext and origin is not leg:
                return "internal"
            caller = self._legs.get(leg.dialled_by)
            return "internal" if caller is not None and caller.extension else "in"
        # this extension is the calling side
        if call.dialled and self._is_extension_number(call.dialled):
            return "internal"
        for other in call.legs.values():
            if other.is_dest and other.extension and other is not leg:
                return "internal"
        return "out"

    def _is_extension_number(self, number: str) -> bool:
        return number in self._device_ext.values()

    def _ringing_event(self, leg: _Leg, at: datetime, restored: bool = False) -> LegRinging:
        leg.ring_emitted = True
        call = leg.call
        direction = self._direction_for(leg)
        if leg.is_dest:
            number, name = leg.conn_num, leg.conn_name
            if not number and leg.dialled_by in self._legs:
                caller = self._legs[leg.dialled_by]
                number, name = caller.cid_num, caller.cid_name
            line = call.line or call.dialled
        else:
            number = call.dialled or leg.conn_num or (leg.exten if leg.exten not in ("s", "") else "")
            name = leg.conn_name if number and number == leg.conn_num else ""
            line = number
        transferred_by = ""
        if leg.is_dest and call.transferred and call.transferred_to == leg.extension:
            transferred_by = call.transferred_from
        call_id = self._leg_call_id(leg)
        if leg.is_dest and not transferred_by and call_id != call_id_for(call.linkedid, self.server):
            transferred_by = call.received_from if call_id == call.record_id else (
                call.pending.from_extension if call.pending is not None else
                call.answered_leg.extension if call.answered_leg is not None else "")
        return LegRinging(leg_id=leg.uid, call_id=call_id, linkedid=call.linkedid,
                          extension=leg.extension, direction=direction, other_number=number,
                          other_name=name, line=line, at=at, queue=call.queue,
                          transferred_by=transferred_by, channel=leg.channel, restored=restored)

    def _answer_leg(self, leg: _Leg, at: datetime) -> list[DomainEvent]:
        if leg.answered:
            return []
        leg.answered = True
        leg.answered_at = at
        call = leg.call
        # an attended transfer's consult leg belongs to the next part: it does not take the call
        if leg.is_dest and (not leg.extension or self._leg_call_id(leg) == self._call_id(call)):
            if call.answered_at is None:
                call.answered_at = at
            call.answered_leg = leg
        if not leg.extension:
            return []
        number, name = leg.conn_num, leg.conn_name
        return [LegAnswered(leg_id=leg.uid, call_id=self._leg_call_id(leg), extension=leg.extension,
                            at=at, other_number=number, other_name=name)]

    def _call_id(self, call: _Call) -> str:
        return call.record_id or call_id_for(call.linkedid, self.server)

    def _leg_call_id(self, leg: _Leg) -> str:
        """The record a leg's events belong to, fixed when first asked. A transfer splits a
        call into one record per part (XFER-4): an extension rung after another one took
        the call (or named by a transfer note) belongs to the next part, whose id is
        derived from the transferring leg — the same on every workstation."""
        if leg.record_id:
            return leg.record_id
        call = leg.call
        record_id = self._call_id(call)
        if leg.extension and not leg.originated:
            # (the pending test does not need is_dest: a phone's Newstate Ringing can come
            # before the DialBegin that dialled it — events of different channels race)
            pending, handler = call.pending, call.answered_leg
            if pending is not None and pending.to_extension == leg.extension and pending.leg_id in self._legs \
                    and pending.leg_id != leg.uid:
                record_id = self._next_id(call, pending.leg_id)
                leg.consult_from = pending.from_extension
            elif leg.is_dest and handler is not None and handler is not leg and handler.extension \
                    and handler.extension != leg.extension and handler.answered_at is not None \
                    and leg.created > handler.answered_at:   # not a ring-all colleague
                record_id = self._next_id(call, handler.uid)
                leg.consult_from = handler.extension
        leg.record_id = record_id
        return record_id

    def _next_id(self, call: _Call, transferer_uid: str) -> str:
        return call_id_for(f"{call.linkedid}|{transferer_uid}", self.server)

    # ------------------------------------------------------------------ handlers
    def _on_newchannel(self, m: Message, at: datetime) -> list[DomainEvent]:
        uid = m.get("Uniqueid")
        if not uid:
            return []
        leg = self._legs.get(uid)
        if leg is not None:
            self._update_ids(leg, m)
            return []
        leg = self._new_leg(m, at)
        leg.state = int(m.get("ChannelState") or 0)
        leg.call.last_at = at
        if leg.state == RINGING and leg.extension:
            return [self._ringing_event(leg, at)]
        return []

    def _on_newstate(self, m: Message, at: datetime) -> list[DomainEvent]:
        leg = self._leg(m, at)
        if leg is None:
            return []
        self._update_ids(leg, m)
        state = int(m.get("ChannelState") or 0)
        leg.state = state
        out: list[DomainEvent] = []
        if not leg.extension:
            return out
        if state == RINGING and not leg.ring_emitted:
            out.append(self._ringing_event(leg, at))
        elif state == UP:
            leg.went_up = True
            if leg.is_dest:
                if not leg.ring_emitted:
                    out.append(self._ringing_event(leg, at))
                out.extend(self._answer_leg(leg, at))
        return out

    def _on_connected_line(self, m: Message, at: datetime) -> list[DomainEvent]:
        leg = self._leg(m, at, create=False)
        if leg is not None:
            self._update_ids(leg, m)
        return []

    _on_callerid = _on_connected_line

    def _on_newexten(self, m: Message, at: datetime) -> list[DomainEvent]:
        leg = self._legs.get(m.get("Uniqueid", ""))
        if leg is None:
            return []
        exten = m.get("Exten")
        if exten:
            leg.exten = exten
        app = m.get("Application")
        if app == "Dial" or app == "Queue":
            # the dialplan tries to reach someone; a Dial to an unreachable phone makes no
            # channel and no DialBegin, so this is the only trace of who was wanted
            call = leg.call
            call.attempted = True
            if not call.caller_known and not leg.extension:
                call.caller_known = True
                call.caller_num, call.caller_name = leg.cid_num, leg.cid_name
                call.dialled = leg.exten if leg.exten != "s" else ""
                if not call.line:
                    call.line = call.dialled
            if app == "Dial" and not call.first_rung_ext:
                target = m.get("AppData", "").split(",", 1)[0]
                for device in target.split("&"):
                    ext = self.extension_of(device.strip() + "-x")
                    if ext:
                        call.first_rung_ext = ext
                        break
        return []

    def _on_varset(self, m: Message, at: datetime) -> list[DomainEvent]:
        variable = m.get("Variable")
        if variable == "DIALSTATUS":
            value = m.get("Value", "")
            leg = self._legs.get(m.get("Uniqueid", ""))
            if value and leg is not None:
                leg.call.app_dial_statuses.append(value)
            return []
        if variable in CAMPAIGN_VARIABLES:
            leg = self._legs.get(m.get("Uniqueid", ""))
            if leg is not None and m.get("Value", "").strip():
                leg.call.campaign_item_id = m.get("Value", "").strip()
            return []
        if variable in self._did_variables:
            leg = self._legs.get(m.get("Uniqueid", ""))
            value = m.get("Value", "").strip()
            if leg is not None and value and not leg.call.line_from_variable:
                leg.call.line = value
                leg.call.line_from_variable = True
        return []

    def _on_dial_begin(self, m: Message, at: datetime) -> list[DomainEvent]:
        dest = self._leg(m, at, prefix="Dest")
        if dest is None:
            return []
        self._update_ids(dest, m, "Dest")
        caller = self._leg(m, at)
        call = dest.call
        out: list[DomainEvent] = []
        if caller is None:
            # an Originate dialling its first channel (the operator's phone, or the
            # outside caller's Local half in the test PBX): not a destination of the call
            dest.originated = True
            return out
        dest.is_dest = True
        if call.ring_start is None:
            call.ring_start = at
        dest.dialled_by = caller.uid
        caller.dialled_out = True
        if not call.caller_known:
            call.caller_known = True
            call.caller_num, call.caller_name = caller.cid_num, caller.cid_name
            call.dialled = clean(m.get("Exten")) if m.get("Exten") not in ("s", None) else ""
            if not call.line:
                call.line = call.dialled
        if not dest.extension and not call.out_number and caller.extension and not caller.is_dest:
            call.out_number = _number_of(m.get("DialString", ""))
        if caller.extension and not caller.ring_emitted and not caller.is_dest:
            out.append(self._ringing_event(caller, at))
        if dest.extension:
            if not call.first_rung_ext:
                call.first_rung_ext = dest.extension
            out.extend(self._check_redirect_transfer(call, dest, at))
            if dest.state == RINGING and not dest.ring_emitted:
                out.append(self._ringing_event(dest, at))
        return out

    def _on_dial_end(self, m: Message, at: datetime) -> list[DomainEvent]:
        dest = self._legs.get(m.get("DestUniqueid", ""))
        if dest is None:
            return []
        status = m.get("DialStatus", "")
        dest.dial_status = status
        if not dest.is_dest:
            return []  # the Originate's own dial (see DialBegin)
        call = dest.call
        call.dial_statuses.append(status)
        out: list[DomainEvent] = []
        if status == "ANSWER":
            if dest.extension and not dest.ring_emitted:
                out.append(self._ringing_event(dest, at))
            out.extend(self._answer_leg(dest, at))
            caller = self._legs.get(dest.dialled_by)
            if caller is not None and caller.extension and not caller.is_dest:
                caller.conn_num = caller.conn_num or dest.cid_num
                out.extend(self._answer_leg(caller, at))
                if call.answered_at is None:
                    call.answered_at = at
        return out

    def _on_bridge_enter(self, m: Message, at: datetime) -> list[DomainEvent]:
        leg = self._leg(m, at, create=False)
        if leg is not None:
            leg.bridge = m.get("BridgeUniqueid", "")
        return []

    def _on_bridge_leave(self, m: Message, at: datetime) -> list[DomainEvent]:
        leg = self._leg(m, at, create=False)
        if leg is not None and leg.bridge == m.get("BridgeUniqueid", ""):
            leg.bridge = ""
        return []

    def _on_hold(self, m: Message, at: datetime) -> list[DomainEvent]:
        leg = self._leg(m, at, create=False)
        if leg is None or not leg.extension or leg.held:
            return []
        leg.held = True
        return [LegHeld(leg_id=leg.uid, call_id=self._leg_call_id(leg), extension=leg.extension, at=at)]

    def _on_unhold(self, m: Message, at: datetime) -> list[DomainEvent]:
        leg = self._leg(m, at, create=False)
        if leg is None or not leg.extension or not leg.held:
            return []
        leg.held = False
        return [LegResumed(leg_id=leg.uid, call_id=self._leg_call_id(leg), extension=leg.extension, at=at)]

    def _on_hangup(self, m: Message, at: datetime) -> list[DomainEvent]:
        leg = self._legs.get(m.get("Uniqueid", ""))
        if leg is None:
            return []
        self._update_ids(leg, m)
        return self._end_leg(leg, at)

    def _on_blind_transfer(self, m: Message, at: datetime) -> list[DomainEvent]:
        if m.get("Result", "Success") != "Success":
            return []
        leg = self._legs.get(m.get("TransfererUniqueid", ""))
        if leg is None:
            return []
        target = m.get("Extension", "")
        return self._mark_transfer(leg.call, leg, target, "blind", at)

    def _on_attended_transfer(self, m: Message, at: datetime) -> list[DomainEvent]:
        if m.get("Result", "Success") != "Success":
            return []
        transferer = self._legs.get(m.get("OrigTransfererUniqueid", ""))
        transferee = self._legs.get(m.get("TransfereeUniqueid", ""))
        target_leg = self._legs.get(m.get("TransferTargetUniqueid", ""))
        if transferer is None:
            return []
        call = transferee.call if transferee is not None else transferer.call
        target = (target_leg.extension if target_leg is not None and target_leg.extension
                  else clean(m.get("TransferTargetCallerIDNum") or m.get("SecondTransfererConnectedLineNum")))
        if target_leg is not None and target_leg.call is not call:
            self._merge(target_leg.call, call)
        out = self._mark_transfer(call, transferer, target, "attended", at)
        if target_leg is not None and target_leg.extension:
            call.answered_leg = target_leg
        return out

    def _on_queue_join(self, m: Message, at: datetime) -> list[DomainEvent]:
        leg = self._leg(m, at, create=False)
        if leg is not None:
            leg.call.queue = m.get("Queue", "")
            if leg.call.ring_start is None:
                leg.call.ring_start = at
        return []

    def _on_queue_abandon(self, m: Message, at: datetime) -> list[DomainEvent]:
        leg = self._leg(m, at, create=False)
        if leg is not None:
            leg.call.queue_abandoned = True
            leg.call.queue = leg.call.queue or m.get("Queue", "")
        return []

    def _on_extension_status(self, m: Message, at: datetime) -> list[DomainEvent]:
        exten = m.get("Exten", "")
        if not exten:
            return []
        for device in m.get("Hint", "").split("&"):
            device = device.strip()
            if "/" in device and not device.startswith(("Custom:", "Queue:")):
                self._device_ext[device] = exten
        state = _HINT_STATES.get(m.get("Status", ""), "unknown")
        if self._ext_state.get(exten) == state:
            return []
        self._ext_state[exten] = state
        return [ExtensionStateChanged(extension=exten, state=state,  # type: ignore[arg-type]
                                      paused=self.is_paused(exten))]

    def _on_originate_response(self, m: Message, at: datetime) -> list[DomainEvent]:
        """Tells what a click-to-dial wanted to call even when the operator never answered."""
        leg = self._legs.get(m.get("Uniqueid", ""))
        exten = clean(m.get("Exten"))
        if leg is not None and exten and exten != "s" and not leg.call.dialled:
            leg.call.dialled = exten
        return []

    def _originated_number(self, origin: "_Leg | None", origin_ext: str) -> str:
        """The number a click-to-dial wanted, from the caller ID the Originate gave the
        operator's channel. Asterisk sends OriginateResponse and the channel's Hangup from
        different threads, so when the operator never answered the Hangup can come first
        and the OriginateResponse (with its Exten) too late for the record."""
        if origin is None or not origin.cid_num or origin.cid_num == origin_ext:
            return ""
        return self._strip_prefix(clean(origin.cid_num))

    def _strip_prefix(self, number: str) -> str:
        prefix = self._outgoing_prefix
        if prefix and number.startswith(prefix) and len(number) > len(prefix) + 6:
            return number[len(prefix):]
        return number

    def _on_user_event(self, m: Message, at: datetime) -> list[DomainEvent]:
        if m.get("UserEvent") != TRANSFER_NOTE_EVENT:
            return []
        note = decode_transfer_note(m)
        if note is None:
            return []
        call = self._calls.get(note.linkedid) if note.linkedid else None
        if call is None:
            return [] if note.kind == "cancelled" else [note]
        if note.kind == "cancelled":
            call.pending = None
            return []
        if note.kind in ("blind", "attended") and note.leg_id in self._legs:
            call.pending, call.pending_at = note, at
            # the receiving part's record (and the target's popup) carry this id
            note = replace(note, call_id=self._next_id(call, note.leg_id))
        return [note]

    def _on_shutdown(self, m: Message, at: datetime) -> list[DomainEvent]:
        self.connection_lost(at)
        return []

    # ------------------------------------------------------------------ transfers
    def _mark_transfer(self, call: _Call, leg: _Leg, target: str, kind: str,
                       at: datetime) -> list[DomainEvent]:
        source = leg.extension or (call.answered_leg.extension if call.answered_leg else "")
        if call.transferred and call.transferred_to == target and call.transferred_from == source:
            return []
        call.transferred = True
        call.transferred_from = source
        call.transferred_to = target
        leg.transferred_away = True
        if not leg.extension:
            return []
        out: list[DomainEvent] = [LegTransferred(
            leg_id=leg.uid, call_id=self._leg_call_id(leg), extension=leg.extension,
            target=target, kind=kind, at=at)]  # type: ignore[arg-type]
        if leg.uid not in self._legs and leg.ended_at is not None and call.legs:
            out.extend(self._split(call, leg, leg.ended_at))   # learnt only after it left
        return out

    def _check_redirect_transfer(self, call: _Call, dest: _Leg, at: datetime) -> list[DomainEvent]:
        """A Redirect emits no transfer event: an answered call whose answering extension
        left, ringing another extension, was transferred (blind)."""
        handler = call.answered_leg
        if handler is None or not handler.extension or handler.extension == dest.extension:
            return []
        if handler.uid in call.legs and handler.bridge:
            return []  # still talking: a consult call of an attended transfer, not a transfer yet
        if call.transferred and call.transferred_to == dest.extension:
            return []
        return self._mark_transfer(call, handler, dest.extension, "blind", at)

    def _consult_record(self, leg: _Leg, at: datetime) -> CallRecord:
        """An attended transfer that did not happen (target hung up, did not answer, or it
        was cancelled): the consult call was an internal call of its own."""
        answered_at = leg.answered_at
        ring_end = answered_at or at
        return CallRecord(
            id=leg.record_id, linkedid=leg.call.linkedid, direction="internal",
            status="answered" if answered_at is not None else "missed",
            started_at=leg.created.isoformat(timespec="milliseconds"),
            caller_number=leg.consult_from, called_number=leg.extension, extension=leg.extension,
            answered_at=answered_at.isoformat(timespec="milliseconds") if answered_at else None,
            ended_at=at.isoformat(timespec="milliseconds"),
            ring_seconds=round(max((ring_end - leg.created).total_seconds(), 0.0), 3),
            talk_seconds=round(max((at - answered_at).total_seconds(), 0.0), 3) if answered_at else 0.0)

    def _split(self, call: _Call, leg: _Leg, at: datetime) -> list[DomainEvent]:
        """XFER-4: the transferring leg ended — log its part now (status transferred, its
        own talk time) and go on with the receiving part as a record of its own."""
        if not call.transferred or call.transferred_from != leg.extension:
            return []
        record = self._record(call, at)
        out: list[DomainEvent] = [CallLogged(record)] if record is not None else []
        note = call.pending if call.pending is not None and call.pending.leg_id == leg.uid else None
        target = call.transferred_to
        receiver = next((other for other in call.legs.values()
                         if other.extension and other.extension == target), None)
        call.record_id = self._next_id(call, leg.uid)
        if record is not None and call.parties is None:
            call.parties = (record.direction, record.caller_number, record.caller_name, record.called_number)
        call.received_from, call.received_note = leg.extension, note.notes if note is not None else ""
        if note is None and call.pending is not None and call.pending.to_extension == target:
            call.received_note = call.pending.notes    # an attended transfer's note
        call.pending = None
        call.started = min(at, receiver.created) if receiver is not None else at
        call.ring_start = call.started
        call.answered_leg = receiver if receiver is not None and receiver.answered else None
        call.answered_at = receiver.answered_at if call.answered_leg is not None else None
        call.transferred, call.transferred_from, call.transferred_to = False, "", ""
        call.dial_statuses, call.app_dial_statuses = [], []
        call.first_rung_ext = target
        call.queue = ""
        return out

    def _merge(self, source: _Call, target: _Call) -> None:
        """An attended transfer joined the consult call into the original: its live legs
        now belong to the original call, and it is never logged on its own."""
        for uid, leg in list(source.legs.items()):
            leg.call = target
            target.legs[uid] = leg
            if leg.extension:
                target.ext_legs.append(leg)
        source.legs.clear()
        source.merged_into = target
        self._calls.pop(source.linkedid, None)

    # ------------------------------------------------------------------ endings
    def _end_leg(self, leg: _Leg, at: datetime, cause: str = "") -> list[DomainEvent]:
        self._legs.pop(leg.uid, None)
        call = leg.call
        call.legs.pop(leg.uid, None)
        call.last_at = at
        out: list[DomainEvent] = []
        pending = call.pending
        if pending is not None and pending.leg_id == leg.uid and pending.kind == "blind":
            # announced by a note; the Redirect emits no transfer event
            if call.legs and at - (call.pending_at or at) <= PENDING_WINDOW:
                out.extend(self._mark_transfer(call, leg, pending.to_extension, "blind", at))
            else:
                call.pending = None
        if leg.extension:
            if leg is call.answered_leg and not call.transferred:
                # the handler left while a newly rung extension is still there: a Redirect
                for other in call.legs.values():
                    if other.extension and other.is_dest and other.created >= (leg.answered_at or at) \
                            and other.extension != leg.extension:
                        out.extend(self._mark_transfer(call, leg, other.extension, "blind", at))
                        break
        if leg.extension and leg.ring_emitted:  # a phone that never rang (busy) had no popup
            status, answered_by = self._leg_status(leg)
            out.append(LegEnded(leg_id=leg.uid, call_id=self._leg_call_id(leg), extension=leg.extension,
                                at=at, status=status, answered_by=answered_by))
        leg.ended_at = at
        if leg.transferred_away and leg.extension and call.legs and call.merged_into is None:
            out.extend(self._split(call, leg, at))
        if leg.consult_from and leg.record_id != self._call_id(call) and not call.transferred:
            out.append(CallLogged(self._consult_record(leg, at)))
            if call.pending is not None and call.pending.to_extension == leg.extension:
                call.pending = None     # that transfer is off
        if not call.legs and call.merged_into is None:
            self._calls.pop(call.linkedid, None)
            record = self._record(call, at)
            if record is not None:
                out.append(CallLogged(record))
        return out

    def _leg_status(self, leg: _Leg) -> tuple[str, str]:
        call = leg.call
        if leg.transferred_away:
            return "transferred", ""
        if leg.answered:
            return "answered", ""
        if leg.consult_from and leg.record_id != self._call_id(call):
            return "missed", ""         # a consult call of a transfer that did not happen
        if leg.is_dest:
            handler = call.answered_leg
            if handler is not None and handler is not leg and handler.extension != leg.extension:
                return "answered", handler.extension   # e.g. a queue colleague took it
            if leg.dial_status == "BUSY":
                return "busy", ""
            return "missed", ""
        # the calling side (a phone that dialled, or a click-to-dial)
        if "BUSY" in call.dial_statuses or "BUSY" in call.app_dial_statuses:
            return "busy", ""
        return "unanswered", ""

    def _record(self, call: _Call, ended: datetime) -> CallRecord | None:
        if not (call.non_local or call.attempted or call.queue or call.dial_statuses):
            return None  # only Local halves that never tried to reach anyone
        origin = call.origin
        origin_ext = origin.extension if origin is not None else ""
        rung_exts = [leg for leg in call.ext_legs if leg.is_dest]
        if origin_ext:
            direction = "internal" if rung_exts or self._is_extension_number(call.dialled) else "out"
        else:
            direction = "in"
        statuses = call.dial_statuses or call.app_dial_statuses
        handler = call.answered_leg
        answered_at = call.answered_at
        if call.transferred:
            status = "transferred"
        elif answered_at is not None:
            status = "answered"
        elif direction == "out":
            # far end busy → busy; no answer, unreachable, or the operator's own phone
            # never took the click-to-dial → unanswered
            status = "busy" if "BUSY" in statuses else "unanswered"
        elif call.queue:
            status = "missed"             # a caller who gave up in the queue: the queue's missed call
        elif statuses and all(s == "BUSY" for s in statuses):
            status = "busy"
        elif rung_exts or statuses:
            status = "missed"
        else:
            status = "abandoned"          # the caller left before any phone rang
        if direction == "out":
            extension = origin_ext
            caller_number, caller_name = origin_ext, (origin.cid_name if origin and origin.cid_num == origin_ext else "")
            called = call.out_number or self._strip_prefix(call.dialled) or self._originated_number(origin, origin_ext)
        else:
            if handler is not None and handler.extension:
                extension = handler.extension
            elif call.queue and answered_at is None:
                extension = ""
            else:
                extension = call.first_rung_ext
            if direction == "internal":
                caller_number = origin_ext
                caller_name = origin.cid_name if origin and origin.cid_num == origin_ext else ""
                called = call.dialled or call.first_rung_ext
            else:
                caller_number, caller_name = call.caller_num, call.caller_name
                if not call.caller_known and origin is not None:
                    caller_number, caller_name = origin.cid_num, origin.cid_name
                called = call.line or call.dialled
        if call.parties is not None:     # the part received by transfer
            direction, caller_number, caller_name, called = call.parties
            extension = handler.extension if handler is not None and handler.extension else call.first_rung_ext
            if not call.transferred:
                status = ("answered" if answered_at is not None else
                          "busy" if statuses and all(s == "BUSY" for s in statuses) else "missed")
        if call.transferred and call.transferred_from:
            extension = call.transferred_from  # who had it; transferred_to says where it went
        ring_end = answered_at or ended
        ring_seconds = (ring_end - call.ring_start).total_seconds() if call.ring_start else 0.0
        talk_seconds = (ended - answered_at).total_seconds() if answered_at else 0.0
        return CallRecord(
            id=self._call_id(call), linkedid=call.linkedid, direction=direction, status=status,
            started_at=call.started.isoformat(timespec="milliseconds"),
            caller_number=caller_number, caller_name=caller_name, called_number=called,
            extension=extension,
            answered_at=answered_at.isoformat(timespec="milliseconds") if answered_at else None,
            ended_at=ended.isoformat(timespec="milliseconds"),
            ring_seconds=round(max(ring_seconds, 0.0), 3), talk_seconds=round(max(talk_seconds, 0.0), 3),
            transferred_from=call.received_from, transferred_to=call.transferred_to,
            queue=call.queue, transfer_note=call.received_note, campaign_item_id=call.campaign_item_id)

    def _is_extension_like(self, number: str) -> bool:
        return self._is_extension_number(number) or (number.isdigit() and len(number) <= 6)
