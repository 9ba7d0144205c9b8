"""PbxCommands: the one place the app asks the PBX to do something.

Why one place: every command needs the same things done right — numbers cleaned and
prefixed the same way, the operator's leg turned into a channel *inside the AMI thread*
(the tracker lives there; the Tk thread never touches it), transfer notes sent before the
phone rings, and every failure turned into one sentence the operator understands. Nothing
here blocks: each method returns a ``concurrent.futures.Future`` of :class:`CommandResult`
(never an exception; a refusal is ``ok=False`` with a translated ``message``).

Facts of Asterisk 22 this relies on (docs/ami.md "Commands"): a Redirect emits no
transfer event and a Redirect to a missing extension is accepted (then the caller is
lost), so the target is checked first; Originate refuses a missing extension at once;
``CancelAtxfer`` aborts an attended transfer, hanging up the transferer completes it,
and swapping between caller and target is only a feature code fed in as DTMF.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import copy
import logging
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Mapping

from ..i18n import _
from ..records import call_id_for
from .notes import TRANSFER_NOTE_EVENT, TransferNote, encode_note

log = logging.getLogger(__name__)

# what people type between digits: dropped without a word
_SEPARATORS = frozenset(" \t-./()[]\u00a0\u2010\u2011\u2012\u2013\u2014\u2212\u200e\u200f")


@dataclass(frozen=True)
class DialSettings:
    """The station's dial settings (``station.*`` and ``dial.*``)."""

    extension: str                    # the operator's own phone: dial() rings it first
    technology: str = "PJSIP"
    context: str = "from-internal"
    outgoing_prefix: str = ""         # e.g. "9": added to outside numbers only (OUT-2)
    internal_length: int = 3          # numbers this long or shorter are extensions
    international_prefix: str = "00"  # what "+" becomes

    @classmethod
    def from_settings(cls, settings: Any) -> "DialSettings":
        get = settings.get
        return cls(extension=str(get("station.extension") or ""),
                   technology=get("station.technology") or "PJSIP",
                   context=get("station.context") or "from-internal",
                   outgoing_prefix=str(get("dial.outgoing_prefix") or ""),
                   internal_length=int(get("dial.internal_length") or 3),
                   international_prefix=str(get("dial.international_prefix") or "00"))


@dataclass(frozen=True)
class CommandResult:
    """What became of a command: ``message`` is for the operator, already translated."""

    ok: bool
    message: str = ""
    call_id: str = ""       # dial/quick_connect: the call log id of the new call
    linkedid: str = ""      # dial/quick_connect: the Asterisk Linkedid (= the ChannelId sent)
    dialled: str = ""       # the exact string sent to the PBX (prefixes added)


class Refused(ValueError):
    """A command refused before reaching the PBX; the text is for the operator."""


def clean_number(text: str) -> tuple[str, bool]:
    """``text`` as dialable characters and whether it began with ``+``. Separators go,
    letters and anything else undialable are refused with a :class:`Refused`."""
    text = (text or "").strip()
    if not text:
        raise Refused(_("Type a number to dial"))
    plus = text[0] in "+\uff0b"
    out: list[str] = []
    for ch in text[1:] if plus else text:
        if ch in _SEPARATORS:
            continue
        if ch in "*#":
            out.append(ch)
            continue
        digit = unicodedata.decimal(ch, None)   # Persian, Arabic, full-width digits too
        if digit is not None:
            out.append(str(digit))
        elif ch.isalpha():
            raise Refused(_("{number} contains letters: only digits can be dialled").format(number=text))
        else:
            raise Refused(_("{number} contains {char!r}, which cannot be dialled").format(
                number=text, char=ch))
    if not out:
        raise Refused(_("{number} has no digits to dial").format(number=text))
    return "".join(out), plus


def dial_string(text: str, settings: DialSettings) -> str:
    """What to send to the PBX for a typed number: ``+`` → international prefix; outside
    numbers get the outgoing prefix, extensions (``internal_length`` digits or fewer) not."""
    digits, plus = clean_number(text)
    if plus:
        if not digits.isdigit():
            raise Refused(_("{number} is not a valid international number").format(number=text))
        return settings.outgoing_prefix + settings.international_prefix + digits
    if len(digits) <= settings.internal_length or not digits.isdigit():
        return digits       # an extension or a feature code (*72…)
    return settings.outgoing_prefix + digits


def transfer_target(text: str) -> str:
    """A transfer target: an extension or number as typed, cleaned (no prefixes added:
    the dial plan of the station's context decides)."""
    digits, plus = clean_number(text)
    if plus:
        raise Refused(_("Transfer to an extension or a number as dialled from a phone, without +"))
    return digits


def _refusal(message: str, target: str = "") -> str:
    """Asterisk's reply text → a sentence for the operator."""
    low = (message or "").lower()
    if "extension does not exist" in low or "did not find extension" in low:
        return _("Extension {number} does not exist").format(number=target)
    if "channel does not exist" in low or "no such channel" in low or "channel specified does not exist" in low:
        return _("The call has already ended")
    return _("The PBX refused: {message}").format(message=message or _("no reason given"))


def _failure(exc: BaseException) -> str:
    if isinstance(exc, Refused):
        return str(exc)
    if isinstance(exc, (ConnectionError, )) or type(exc).__name__ == "NotConnected":
        return _("Not connected to the PBX")
    if isinstance(exc, (asyncio.TimeoutError, concurrent.futures.TimeoutError, TimeoutError)):
        return _("The PBX did not answer in time")
    return _("The command failed: {error}").format(error=type(exc).__name__)


def _done(result: CommandResult) -> concurrent.futures.Future:
    future: concurrent.futures.Future = concurrent.futures.Future()
    future.set_result(result)
    return future


class PbxCommands:
    """Commands for one station. ``connection`` is an :class:`AmiConnection` (or anything
    with its ``send_action``/``submit``/``tracker``), or an :class:`~callcore.ami.pool.AmiPool`:
    then each command goes to the PBX that serves the extension (dialling) or has the leg
    (hang-up, transfers), and ``server`` in call ids is that PBX's (AMI-4)."""

    def __init__(self, connection: Any, settings: DialSettings, *, server: str = "",
                 user_name: str = ""):
        self._conn = connection
        self.settings = settings
        self.server = server
        self.user_name = user_name

    # ------------------------------------------------------------------ which PBX (AMI-4)
    def _bound(self, connection: Any, server: str) -> "PbxCommands":
        view = copy.copy(self)
        view._conn, view.server = connection, server
        return view

    def _via_extension(self, extension: str) -> "PbxCommands":
        route = getattr(self._conn, "for_extension", None)
        return self._bound(*route(extension)) if route is not None else self

    def _via_server(self, label: str) -> "PbxCommands":
        """The PBX named ``label`` ('' = the first), e.g. the one a queue is on."""
        route = getattr(self._conn, "for_server", None)
        connection = route(label) if route is not None else (self._conn if not label else None)
        if connection is None:
            raise Refused(_("No PBX named {name} in the settings").format(name=label))
        return self._bound(connection, label or self.server)

    def _via_leg(self, leg_id: str) -> tuple["PbxCommands", str]:
        route = getattr(self._conn, "for_leg", None)
        if route is None:
            return self, leg_id
        connection, server, uid = route(leg_id)
        return self._bound(connection, server), uid

    # ------------------------------------------------------------------ plumbing
    def _run(self, make: Callable[[], Awaitable[CommandResult]]) -> concurrent.futures.Future:
        """Run ``make()`` in the AMI thread's loop; the future always holds a result."""
        async def guarded() -> CommandResult:
            try:
                return await make()
            except Exception as exc:  # every failure is a sentence, never a traceback in the UI
                if not isinstance(exc, (Refused, ConnectionError, asyncio.TimeoutError)):
                    log.exception("PBX command failed")
                return CommandResult(False, _failure(exc))
        try:
            future = self._conn.submit(guarded())
        except Exception as exc:
            return _done(CommandResult(False, _failure(exc)))
        out: concurrent.futures.Future = concurrent.futures.Future()

        def relay(inner: concurrent.futures.Future) -> None:
            try:
                out.set_result(inner.result())
            except BaseException as exc:  # NotConnected from submit(), cancelled loop
                out.set_result(CommandResult(False, _failure(exc)))
        future.add_done_callback(relay)
        return out

    async def _action(self, action: Mapping[str, Any]) -> Any:
        return await asyncio.wrap_future(self._conn.send_action(action))

    def _tracker(self) -> Any:
        return self._conn.tracker

    def _leg(self, leg_id: str) -> Any:
        info = self._tracker().leg_info(leg_id)
        if info is None:
            raise Refused(_("The call has already ended"))
        return info

    async def _check_target(self, target: str, own_extension: str) -> None:
        """Refuse a target the call would be lost to: missing, offline, or oneself."""
        if target == own_extension:
            raise Refused(_("The call is already on extension {number}").format(number=target))
        state = self._tracker().extension_state(target)
        if state == "offline":
            raise Refused(_("Extension {number} is offline (its phone is not connected)").format(number=target))
        if state:
            return          # a phone the PBX has a hint for: it exists
        reply = await self._action({"Action": "ShowDialPlan", "Context": self.settings.context,
                                    "Extension": target})
        if not reply.ok:
            raise Refused(_refusal(reply.message or "did not find extension", target))

    # ------------------------------------------------------------------ dialling
    def dial(self, number: str, variables: Mapping[str, str] | None = None) -> concurrent.futures.Future:
        """Click-to-dial: ring the operator's phone, then ``number`` (OUT-2). ``variables``
        become channel variables of the call (``CAMPAIGN_ITEM``: logged with that campaign
        entry by every station's tracker, issue 10)."""
        return self._via_extension(self.settings.extension)._originate(
            self.settings.extension, number, show=number, variables=variables)

    def quick_connect(self, outside_number: str, extension: str) -> concurrent.futures.Future:
        """OUT-4: ring ``extension``; when it answers, dial ``outside_number`` and bridge
        them. The extension's phone shows the outside number it is being connected to."""
        try:
            ext = transfer_target(extension)
        except Refused as exc:
            return _done(CommandResult(False, str(exc)))
        return self._via_extension(ext)._originate(ext, outside_number, show=outside_number)

    def _originate(self, extension: str, number: str, show: str,
                   variables: Mapping[str, str] | None = None) -> concurrent.futures.Future:
        if not extension:
            return _done(CommandResult(False, _("This station has no extension set (station.extension)")))
        try:
            dialled = dial_string(number, self.settings)
        except Refused as exc:
            return _done(CommandResult(False, str(exc)))   # letters never reach the PBX
        linkedid = str(uuid.uuid4())
        shown = show.strip()
        action = {"Action": "Originate", "Channel": f"{self.settings.technology}/{extension}",
                  "Context": self.settings.context, "Exten": dialled, "Priority": "1",
                  "Async": "true", "ChannelId": linkedid, "Timeout": "30000",
                  "CallerID": f'"{shown}" <{dialled}>'}
        if variables:
            action["Variable"] = [f"{k}={v}" for k, v in variables.items()]

        async def run() -> CommandResult:
            reply = await self._action(action)
            if not reply.ok:
                return CommandResult(False, _refusal(reply.message, dialled), dialled=dialled)
            return CommandResult(True, _("Calling {number}…").format(number=shown),
                                 call_id=call_id_for(linkedid, self.server), linkedid=linkedid,
                                 dialled=dialled)
        return self._run(run)

    # ------------------------------------------------------------------ calls
    def hangup(self, leg_id: str) -> concurrent.futures.Future:
        view, leg_id = self._via_leg(leg_id)     # AMI-4: the PBX that has this leg
        if view is not self:
            return view.hangup(leg_id)

        async def run() -> CommandResult:
            leg = self._leg(leg_id)
            reply = await self._action({"Action": "Hangup", "Channel": leg.channel})
            return CommandResult(reply.ok, "" if reply.ok else _refusal(reply.message))
        return self._run(run)

    def blind_transfer(self, leg_id: str, target: str,
                       note: TransferNote | None = None) -> concurrent.futures.Future:
        """XFER-1: move the *other party* of ``leg_id`` to ``target`` (Redirect of its
        channel), ringing or answered, incoming or outgoing. The note (XFER-3) is broadcast
        first, so it is on the target's screen before its phone rings."""
        return self._transfer(leg_id, target, note, "blind")

    def attended_transfer(self, leg_id: str, target: str,
                          note: TransferNote | None = None) -> concurrent.futures.Future:
        """Consult ``target`` while the caller waits (Atxfer on the operator's channel).
        Then :meth:`complete_transfer` joins them, :meth:`cancel_transfer` returns to the
        caller; if the target hangs up or does not answer, the caller is back by itself."""
        return self._transfer(leg_id, target, note, "attended")

    def _transfer(self, leg_id: str, target: str, note: TransferNote | None,
                  kind: str) -> concurrent.futures.Future:
        try:
            target = transfer_target(target)
        except Refused as exc:
            return _done(CommandResult(False, str(exc)))
        view, leg_id = self._via_leg(leg_id)     # AMI-4: the PBX that has this leg
        if view is not self:
            return view._transfer(leg_id, target, note, kind)

        async def run() -> CommandResult:
            leg = self._leg(leg_id)
            if kind == "blind":
                channel = leg.peer_channel
                if not channel:
                    raise Refused(_("The other party of this call is not known yet"))
            else:
                channel = leg.channel
                if not leg.answered:
                    raise Refused(_("Answer the call before an attended transfer"))
            await self._check_target(target, leg.extension)
            await self._announce(leg, target, note, kind)
            if kind == "blind":
                action = {"Action": "Redirect", "Channel": channel, "Exten": target,
                          "Context": self.settings.context, "Priority": "1"}
            else:
                action = {"Action": "Atxfer", "Channel": channel, "Exten": target,
                          "Context": self.settings.context}
            reply = await self._action(action)
            if not reply.ok:
                await self._announce(leg, target, None, "cancelled")
                return CommandResult(False, _refusal(reply.message, target))
            if kind == "blind":
                return CommandResult(True, _("Transferred to {number}").format(number=target))
            return CommandResult(True, _("Calling {number}; the caller is waiting").format(number=target))
        return self._run(run)

    def complete_transfer(self, leg_id: str) -> concurrent.futures.Future:
        """Attended transfer: join the caller and the target (the operator leaves)."""
        return self.hangup(leg_id)

    def cancel_transfer(self, leg_id: str) -> concurrent.futures.Future:
        """Attended transfer: drop the consult call, back to the caller (``CancelAtxfer``)."""
        view, leg_id = self._via_leg(leg_id)     # AMI-4: the PBX that has this leg
        if view is not self:
            return view.cancel_transfer(leg_id)

        async def run() -> CommandResult:
            leg = self._leg(leg_id)
            reply = await self._action({"Action": "CancelAtxfer", "Channel": leg.channel})
            if reply.ok:
                await self._announce(leg, "", None, "cancelled")
                return CommandResult(True, _("Transfer cancelled: back to the caller"))
            return CommandResult(False, _refusal(reply.message))
        return self._run(run)

    def swap_transfer(self, leg_id: str, code: str = "*4") -> concurrent.futures.Future:
        """Attended transfer: talk to the other one (caller ↔ target), the first waits.
        Asterisk has no action for it: the ``atxferswap`` feature code (features.conf,
        Asterisk's default ``*4``) is fed in as DTMF received from the operator's phone
        (``PlayDTMF`` with ``Receive``, module app_senddtmf)."""
        view, leg_id = self._via_leg(leg_id)     # AMI-4: the PBX that has this leg
        if view is not self:
            return view.swap_transfer(leg_id, code)

        async def run() -> CommandResult:
            leg = self._leg(leg_id)
            for digit in code:
                reply = await self._action({"Action": "PlayDTMF", "Channel": leg.channel, "Digit": digit,
                                            "Duration": "100", "Receive": "true"})
                if not reply.ok:
                    return CommandResult(False, _refusal(reply.message))
            return CommandResult(True, "")
        return self._run(run)

    def send_transfer_note(self, leg_id: str, target: str,
                           note: TransferNote | None = None) -> concurrent.futures.Future:
        """Only the note (e.g. the transfer was made on the phone itself)."""
        view, leg_id = self._via_leg(leg_id)     # AMI-4: the PBX that has this leg
        if view is not self:
            return view.send_transfer_note(leg_id, target, note)

        async def run() -> CommandResult:
            await self._announce(self._leg(leg_id), transfer_target(target), note, "note")
            return CommandResult(True, "")
        return self._run(run)

    async def _announce(self, leg: Any, target: str, note: TransferNote | None, kind: str) -> None:
        note = note or TransferNote()
        headers = encode_note(note, call_id=leg.call_id, linkedid=leg.linkedid, leg_id=leg.leg_id,
                              from_extension=leg.extension,
                              from_user=note.from_user or self.user_name, to=target, kind=kind)
        reply = await self._action({"Action": "UserEvent", "UserEvent": TRANSFER_NOTE_EVENT, **headers})
        if not reply.ok:
            raise Refused(_refusal(reply.message))

    # ------------------------------------------------------------------ queues (issue 11)
    def queue_pause(self, server: str, interface: str, paused: bool, reason: str = "",
                    queue: str = "") -> concurrent.futures.Future:
        """Pause or resume a member (``QueuePause``) in ``queue``, or in every queue of
        that PBX when ``queue`` is ''. The reason shows in QueueMemberPause and reports."""
        action = {"Action": "QueuePause", "Interface": interface, "Paused": "true" if paused else "false"}
        if queue:
            action["Queue"] = queue
        if reason and paused:
            action["Reason"] = reason
        return self._queue_action(server, action, queue or interface)

    def queue_add(self, server: str, queue: str, interface: str,
                  member_name: str = "") -> concurrent.futures.Future:
        """Join ``queue`` as a dynamic member (``QueueAdd``; it can be left again)."""
        action = {"Action": "QueueAdd", "Queue": queue, "Interface": interface}
        if member_name:
            action["MemberName"] = member_name
        return self._queue_action(server, action, queue)

    def queue_remove(self, server: str, queue: str, interface: str) -> concurrent.futures.Future:
        """Leave ``queue`` (``QueueRemove``: dynamic members only; Asterisk refuses static)."""
        return self._queue_action(server, {"Action": "QueueRemove", "Queue": queue,
                                           "Interface": interface}, queue)

    def _queue_action(self, server: str, action: Mapping[str, Any], what: str) -> concurrent.futures.Future:
        try:
            view = self._via_server(server)
        except Refused as exc:
            return _done(CommandResult(False, str(exc)))

        async def run() -> CommandResult:
            reply = await view._action(action)
            if reply.ok:
                return CommandResult(True, reply.message)
            return CommandResult(False, _("The PBX refused: {message}").format(
                message=reply.message or _("no reason given")))
        return view._run(run)
