"""The AMI connection: panoramisk's Manager in its own thread and event loop.

Why a thread of its own: Asterisk disconnects a slow reader (``writetimeout``), so the
AMI side must never wait for the UI. Every message goes through the pure
:class:`~callcore.ami.tracker.CallTracker` right here and the resulting domain events go
to ``on_event``, which must only enqueue. Commands from other threads return
``concurrent.futures.Future`` objects.

Life cycle: connecting → (Login, then ``FullyBooted``) → rebuild calls in progress from
``CoreShowChannels`` and extension states from ``ExtensionStateList`` → connected. A lost
connection (network cut, ``Shutdown``, no answer to the watchdog's ``Ping``) → failing →
reconnect with exponential backoff (capped). Wrong credentials → auth_failed and no retry
until :meth:`AmiConnection.reconnect` is called (the window: a settings problem, no
hammering) or, with ``auth_retry=True`` (the headless recorder, which nobody watches),
another login after ``auth_backoff_initial`` seconds doubling up to ``auth_backoff_max``
(30 s → 5 min), each failure logged.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import ssl as ssl_module
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Mapping

from panoramisk import Manager

from ..events import ConnectionStateChanged, DomainEvent
from ..i18n import _
from ..logs import add_secret, asyncio_exception_handler
from .notes import TRANSFER_NOTE_EVENT, encode_transfer_note
from .protocol import AmiProtocol, ConnectionClosed, plain_headers
from . import reasons
from .tracker import CallTracker

log = logging.getLogger(__name__)

EventCallback = Callable[[DomainEvent], None]
RawCallback = Callable[[Mapping[str, str]], None]


class NotConnected(ConnectionError):
    """A command was given while the AMI connection is not up."""


@dataclass(frozen=True)
class ActionResult:
    """Asterisk's answer to one action."""

    ok: bool
    message: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    channel_id: str = ""        # Originate: the ChannelId (= Uniqueid = Linkedid of the call)


class _AuthFailed(Exception):
    pass


class _Manager(Manager):
    """panoramisk's Manager without its own reconnect loop and pinger: the owning
    :class:`AmiConnection` decides when to reconnect (backoff, no retry on bad login)."""

    def __init__(self, owner: "AmiConnection", **config: Any):
        super().__init__(**config)
        self._owner = owner

    def attach(self, protocol: AmiProtocol) -> None:
        self._connected = True
        self.protocol = protocol
        protocol.factory = self
        protocol.config = self.config
        self.responses = protocol.responses

    def connection_lost(self, exc: Any) -> None:  # called once by AmiProtocol
        self._connected = False
        self.authenticated = False
        self._owner._on_lost(exc)

    def ping(self) -> None:  # pragma: no cover - panoramisk's pinger is never armed
        pass


def _clean_value(value: Any) -> Any:
    """No CR/LF inside a header: a value must never inject another header."""
    if isinstance(value, (list, tuple)):
        return [_clean_value(v) for v in value]
    return str(value).replace("\r", " ").replace("\n", " ")


def tls_context(ca_file: str = "", verify: bool = True) -> ssl_module.SSLContext:
    """TLS settings for AMI on port 5039. Office PBXs usually have a self-signed
    certificate: ``ami.tls_ca`` names it (trusted as its own CA; the host name is not
    checked then, since such certificates rarely carry the PBX's address);
    ``ami.tls_verify = false`` encrypts without checking who answers."""
    context = ssl_module.create_default_context(cafile=ca_file or None)
    if ca_file:
        context.check_hostname = False
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl_module.CERT_NONE
    return context


class AmiConnection:
    """One AMI connection to one Asterisk. Thread-safe; see the module docstring.

    ``on_event`` gets every domain event (leg events, call records, extension states,
    connection states) in the AMI thread: it must only enqueue. ``on_raw`` (optional) gets
    every raw AMI event as a ``dict[str, str]`` (recorder, demo, debugging)."""

    def __init__(self, host: str, port: int, username: str, secret: str, tls: bool = False,
                 on_event: EventCallback | None = None, *, on_raw: RawCallback | None = None,
                 tracker: CallTracker | None = None, server: str = "",
                 ssl_context: ssl_module.SSLContext | None = None,
                 technology: str = "PJSIP", context: str = "from-internal",
                 connect_timeout: float = 10.0, action_timeout: float = 10.0,
                 ping_interval: float = 10.0, ping_timeout: float = 5.0,
                 backoff_initial: float = 1.0, backoff_max: float = 30.0,
                 auth_retry: bool = False, auth_backoff_initial: float = 30.0,
                 auth_backoff_max: float = 300.0,
                 now: Callable[[], datetime] | None = None, outgoing_prefix: str = ""):
        self.host, self.port, self.username = host, int(port), username
        self._secret = secret
        add_secret(secret)           # masked in every log line from now on
        self.tls = tls
        self._ssl_context = ssl_context
        self._on_event = on_event or (lambda event: None)
        self._on_raw = on_raw
        self._now = now or (lambda: datetime.now().astimezone())
        self.tracker = tracker or CallTracker(server=server, now=self._now,
                                              outgoing_prefix=outgoing_prefix)
        self.technology, self.context = technology, context
        self._connect_timeout, self._action_timeout = connect_timeout, action_timeout
        self._ping_interval, self._ping_timeout = ping_interval, ping_timeout
        self._backoff_initial, self._backoff_max = backoff_initial, backoff_max
        self._backoff = backoff_initial
        self._auth_retry = auth_retry
        self._auth_backoff_initial, self._auth_backoff_max = auth_backoff_initial, auth_backoff_max
        self._auth_backoff = auth_backoff_initial
        self._status: str = "off"
        self._reason = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._manager: _Manager | None = None
        self._protocol: AmiProtocol | None = None
        self._lost: asyncio.Future | None = None
        self._booted: asyncio.Future | None = None
        self._wake: asyncio.Event | None = None
        self._buffer: list[dict[str, str]] | None = None
        self._lost_reason = ""
        self.attempts = 0            # TCP connection attempts so far (tests: no hammering)

    def __repr__(self) -> str:  # never show the secret
        return f"AmiConnection({self.host}:{self.port}, user={self.username!r}, status={self._status})"

    @classmethod
    def from_settings(cls, settings: Any, on_event: EventCallback | None = None,
                      **kwargs: Any) -> "AmiConnection":
        """Build from :class:`callcore.settings.Settings` (``ami.*`` and ``station.*``)."""
        get = settings.get
        if get("ami.tls") and "ssl_context" not in kwargs:
            kwargs["ssl_context"] = tls_context(get("ami.tls_ca"), bool(get("ami.tls_verify")))
        return cls(get("ami.host"), int(get("ami.port")), get("ami.username"), get("ami.secret"),
                   bool(get("ami.tls")), on_event, server=get("ami.server") or "",
                   technology=get("station.technology") or "PJSIP",
                   context=get("station.context") or "from-internal",
                   connect_timeout=float(get("ami.timeout") or 10.0),
                   outgoing_prefix=get("dial.outgoing_prefix") or "", **kwargs)

    # ------------------------------------------------------------------ state
    @property
    def status(self) -> str:
        """off | connecting | connected | failing | auth_failed"""
        return self._status

    @property
    def reason(self) -> str:
        return self._reason

    @property
    def connected(self) -> bool:
        return self._status == "connected"

    def _set_status(self, status: str, reason: str = "") -> None:
        if (status, reason) == (self._status, self._reason):
            return
        self._status, self._reason = status, reason
        log.info("AMI %s:%s %s %s", self.host, self.port, status, reason)
        self._emit([ConnectionStateChanged(status, reason)])  # type: ignore[arg-type]

    def _emit(self, events: list[DomainEvent]) -> None:
        for event in events:
            try:
                self._on_event(event)
            except Exception:  # trap: a consumer's error must not kill the connection
                log.exception("on_event callback failed for %s", type(event).__name__)

    # ------------------------------------------------------------------ start/stop
    def start(self) -> None:
        """Start the AMI thread and connect (idempotent)."""
        if self._thread is not None and self._thread.is_alive():
            self.reconnect()
            return
        self._stopping = False
        ready = threading.Event()
        self._thread = threading.Thread(target=self._thread_main, args=(ready,),
                                        name=f"ami-{self.host}:{self.port}", daemon=True)
        self._thread.start()
        ready.wait(5)

    def stop(self, timeout: float = 5.0) -> None:
        """Disconnect and end the thread; the status becomes ``off``."""
        loop, thread = self._loop, self._thread
        self._stopping = True
        if loop is not None and thread is not None and thread.is_alive():
            loop.call_soon_threadsafe(self._stop_in_loop)
            thread.join(timeout)
        self._thread = None

    def reconnect(self) -> None:
        """Connect again now (after auth_failed, or to skip the backoff wait)."""
        loop = self._loop
        if loop is None or self._thread is None or not self._thread.is_alive():
            self.start()
            return
        loop.call_soon_threadsafe(self._reconnect_in_loop)

    def _thread_main(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        loop.set_exception_handler(asyncio_exception_handler)
        asyncio.set_event_loop(loop)
        self._loop = loop
        self._wake = asyncio.Event()
        ready.set()
        try:
            loop.run_until_complete(self._main())
        except Exception:
            log.exception("AMI thread crashed")
        finally:
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()
                self._loop = None
            self._set_status("off")

    def _stop_in_loop(self) -> None:
        self._stopping = True
        self._close_transport()
        if self._wake is not None:
            self._wake.set()
        if self._lost is not None and not self._lost.done():
            self._lost.set_result(_("switched off"))

    def _reconnect_in_loop(self) -> None:
        self._backoff = self._backoff_initial
        self._auth_backoff = self._auth_backoff_initial
        if self._status == "connected":
            self._lost_reason = _("Reconnecting to the PBX at {where}").format(
                where=reasons.where(self.host, self.port))
            self._close_transport()
        if self._wake is not None:
            self._wake.set()

    def _close_transport(self) -> None:
        if self._protocol is not None:
            self._protocol.abort()

    # ------------------------------------------------------------------ session loop
    async def _main(self) -> None:
        assert self._wake is not None
        while not self._stopping:
            self._wake.clear()
            outcome = await self._session()
            if self._stopping:
                break
            if outcome == "auth_failed":
                if not self._auth_retry:
                    await self._wake.wait()     # no hammering: wait until the user reconnects
                    continue
                delay = self._auth_backoff
                self._auth_backoff = min(self._auth_backoff * 2, self._auth_backoff_max)
                log.warning("AMI %s:%s: the PBX refused the login of user %r (attempt %d); "
                            "trying again in %g s", self.host, self.port, self.username,
                            self.attempts, delay)
                try:
                    await asyncio.wait_for(self._wake.wait(), delay)
                except asyncio.TimeoutError:
                    pass
                continue
            delay, self._backoff = self._backoff, min(self._backoff * 2, self._backoff_max)
            try:
                await asyncio.wait_for(self._wake.wait(), delay)
            except asyncio.TimeoutError:
                pass
        self._set_status("off")

    async def _session(self) -> str:
        loop = asyncio.get_running_loop()
        self._set_status("connecting")
        self._lost = loop.create_future()
        self._booted = loop.create_future()
        self._lost_reason = ""
        manager = _Manager(self, loop=loop, host=self.host, port=self.port, ssl=self._ssl(),
                           protocol_factory=AmiProtocol, encoding="utf-8", ping_delay=10 ** 9)
        manager.register_event("*", self._on_message)
        self.attempts += 1
        try:
            _transport, protocol = await asyncio.wait_for(
                loop.create_connection(AmiProtocol, self.host, self.port, ssl=self._ssl()),
                self._connect_timeout)
        except (OSError, asyncio.TimeoutError) as exc:
            self._set_status("failing", reasons.cannot_connect(exc, self.host, self.port,
                                                               self._connect_timeout))
            return "failed"
        self._protocol = protocol
        manager.attach(protocol)
        self._manager = manager
        try:
            await self._login(manager)
        except _AuthFailed:
            self._set_status("auth_failed", reasons.auth_failed(
                self.host, self.port, self._auth_backoff if self._auth_retry else None))
            protocol.close()
            return "auth_failed"
        except (ConnectionClosed, asyncio.TimeoutError, asyncio.CancelledError) as exc:
            self._set_status("failing", self._lost_reason or reasons.login_incomplete(
                exc, self.host, self.port, self._connect_timeout))
            protocol.abort()
            return "failed"
        self._backoff = self._backoff_initial
        self._auth_backoff = self._auth_backoff_initial
        await self._rebuild(manager)
        if self._lost.done():
            self._set_status("failing", str(self._lost.result()))
            return "lost"
        self._set_status("connected")
        watchdog = asyncio.ensure_future(self._watchdog(manager, protocol))
        try:
            reason = await self._lost
        finally:
            watchdog.cancel()
            self._manager = None
            self._protocol = None
        self.tracker.connection_lost(self._now())
        if not self._stopping:
            self._set_status("failing", self._lost_reason or str(reason))
        return "lost"

    def _ssl(self) -> ssl_module.SSLContext | bool:
        if not self.tls:
            return False
        return self._ssl_context or ssl_module.create_default_context()

    async def _login(self, manager: _Manager) -> None:
        """Login, then wait for ``FullyBooted`` (trap: connect() returns before login)."""
        reply = await asyncio.wait_for(manager.send_action(
            {"Action": "Login", "Username": self.username, "Secret": self._secret, "Events": "on"},
            as_list=False), self._connect_timeout)
        if not reply.success:
            raise _AuthFailed()
        assert self._booted is not None and self._lost is not None
        done, _pending = await asyncio.wait({self._booted, self._lost}, timeout=self._connect_timeout,
                                            return_when=asyncio.FIRST_COMPLETED)
        if self._booted not in done:
            if self._lost in done:
                raise ConnectionClosed("no FullyBooted")
            raise asyncio.TimeoutError()        # logged in, but never FullyBooted

    async def _rebuild(self, manager: _Manager) -> None:
        """Ask Asterisk what is going on now; live events arriving meanwhile wait in a
        buffer and are fed after, so nothing is lost or seen twice."""
        self._buffer = []
        states: list = []
        channels: list | None = None
        queues: list = []
        try:
            states = await self._list(manager, "ExtensionStateList")
            channels = await self._list(manager, "CoreShowChannels")
        except (asyncio.TimeoutError, ConnectionClosed) as exc:
            log.warning("AMI rebuild incomplete: %s", type(exc).__name__)
        try:
            queues = await self._queue_status(manager)         # the queue panel (issue 11)
        except (asyncio.TimeoutError, ConnectionClosed) as exc:
            log.warning("AMI QueueStatus incomplete: %s", type(exc).__name__)
        events: list[DomainEvent] = []
        try:
            for item in states:
                if item.get("Event") == "ExtensionStatus":
                    events.extend(self.tracker.feed(item))
            if channels is not None:
                events.extend(self.tracker.rebuild_from(
                    [c for c in channels if c.get("Event") == "CoreShowChannel"], self._now()))
            for item in queues:        # QueueParams, QueueMember, QueueEntry
                if item.get("Event") in ("QueueParams", "QueueMember", "QueueEntry"):
                    events.extend(self.tracker.feed(item))
        except Exception:
            log.exception("AMI rebuild failed")
        buffered, self._buffer = self._buffer, None
        for headers in buffered:
            events.extend(self._track(headers))
        self._emit(events)

    async def _queue_status(self, manager: _Manager) -> list[dict[str, str]]:
        """QueueStatus items; [] from a PBX without app_queue. Not ``as_list``: its single
        error (or plain) reply would then wait for a list that never comes."""
        reply = await asyncio.wait_for(manager.send_action({"Action": "QueueStatus"}),
                                       self._action_timeout)
        return [plain_headers(r) for r in reply] if isinstance(reply, list) else []

    async def _list(self, manager: _Manager, action: str) -> list[dict[str, str]]:
        replies = await asyncio.wait_for(manager.send_action({"Action": action}, as_list=True),
                                         self._action_timeout)
        if not isinstance(replies, list):
            replies = [replies]
        return [plain_headers(r) for r in replies]

    async def _watchdog(self, manager: _Manager, protocol: AmiProtocol) -> None:
        """Trap: a half-open TCP connection is never noticed. Ping; no answer → drop it."""
        while True:
            await asyncio.sleep(self._ping_interval)
            try:
                await asyncio.wait_for(manager.send_action({"Action": "Ping"}, as_list=False),
                                       self._ping_timeout)
            except asyncio.TimeoutError:
                log.warning("AMI: no answer to Ping within %.1f s, dropping the connection", self._ping_timeout)
                self._lost_reason = reasons.stopped_answering(self.host, self.port, self._ping_timeout)
                protocol.abort()
                self._on_lost(None)
                return
            except ConnectionClosed:
                return

    def _on_lost(self, exc: Any) -> None:
        if self._lost is None or self._lost.done():
            return
        reason = reasons.connection_lost(exc, self.host, self.port)
        self._lost.set_result(reason)
        if self._booted is not None and not self._booted.done():
            self._booted.set_exception(ConnectionClosed(reason))
            self._booted.exception()  # mark retrieved

    # ------------------------------------------------------------------ events
    def _on_message(self, _manager: Any, message: Any) -> None:
        """panoramisk's '*' callback: never raises (trap: it would kill the connection)."""
        try:
            headers = plain_headers(message)
            name = headers.get("Event", "")
            if name == "FullyBooted" and self._booted is not None and not self._booted.done():
                self._booted.set_result(True)
            if self._on_raw is not None:
                try:
                    self._on_raw(headers)
                except Exception:
                    log.exception("on_raw callback failed")
            if self._buffer is not None:
                self._buffer.append(headers)
                return
            self._emit(self._track(headers))
        except Exception:
            log.exception("AMI event handling failed")

    def _track(self, headers: dict[str, str]) -> list[DomainEvent]:
        try:
            return self.tracker.feed(headers)
        except Exception:
            log.exception("Call tracker failed on %s", headers.get("Event"))
            return []

    # ------------------------------------------------------------------ commands
    def send_action(self, action: Mapping[str, Any], *, as_list: bool = False,
                    timeout: float | None = None) -> concurrent.futures.Future:
        """Send any AMI action from any thread. The future gives an :class:`ActionResult`
        (or, with ``as_list``, the list of reply dicts); :class:`NotConnected` when down."""
        return self._submit(self._send(dict(action), as_list, timeout))

    def submit(self, coro: Any) -> concurrent.futures.Future:
        """Run a coroutine in the AMI thread's loop (PbxCommands: the tracker is read there)."""
        return self._submit(coro)

    def _submit(self, coro: Any) -> concurrent.futures.Future:
        loop = self._loop
        if loop is None or not loop.is_running():
            coro.close()
            future: concurrent.futures.Future = concurrent.futures.Future()
            future.set_exception(NotConnected(_("not connected to the PBX")))
            return future
        return asyncio.run_coroutine_threadsafe(coro, loop)

    async def _send(self, action: dict[str, Any], as_list: bool, timeout: float | None,
                    channel_id: str = "") -> Any:
        manager = self._manager
        if manager is None or self._status != "connected":
            raise NotConnected(_("not connected to the PBX"))
        for key in [k for k, v in action.items() if isinstance(v, str) and k.lower() == "channel"
                    and v and "/" not in v]:
            action[key] = self.tracker.channel_of(action[key]) or action[key]  # a leg id
        action = {_clean_value(k): _clean_value(v) for k, v in action.items()}
        # as_list=False for single replies: panoramisk's KeyError: 'async' (#97) otherwise
        reply = await asyncio.wait_for(manager.send_action(action, as_list=as_list),
                                       timeout or self._action_timeout)
        if as_list:
            return [plain_headers(r) for r in (reply if isinstance(reply, list) else [reply])]
        headers = plain_headers(reply)
        return ActionResult(ok=bool(reply.success), message=headers.get("Message", ""),
                            headers=headers, channel_id=channel_id)

    def originate(self, extension: str, number: str, *, channel_id: str | None = None,
                  caller_id: str = "", context: str | None = None, technology: str | None = None,
                  timeout: float = 30.0, variables: Mapping[str, str] | None = None
                  ) -> concurrent.futures.Future:
        """Click-to-dial: ring ``extension``'s phone first, then dial ``number`` from
        ``context``. ``Async: true`` always; the ``ChannelId`` (returned in the result)
        becomes the call's Linkedid, so ``call_id_for(result.channel_id)`` is its log id."""
        channel_id = channel_id or str(uuid.uuid4())
        action: dict[str, Any] = {
            "Action": "Originate", "Channel": f"{technology or self.technology}/{extension}",
            "Context": context or self.context, "Exten": number, "Priority": "1",
            "Async": "true", "ChannelId": channel_id, "Timeout": str(int(timeout * 1000))}
        if caller_id:
            action["CallerID"] = caller_id
        if variables:
            action["Variable"] = [f"{k}={v}" for k, v in variables.items()]
        return self._submit(self._send(action, False, None, channel_id=channel_id))

    def redirect(self, channel: str, exten: str, context: str | None = None, priority: int = 1,
                 extra_channel: str = "") -> concurrent.futures.Future:
        """Move a channel (name or leg id) elsewhere in the dialplan: a blind transfer of
        that party. Asterisk emits no transfer event; the tracker detects it."""
        action = {"Action": "Redirect", "Channel": channel, "Exten": exten,
                  "Context": context or self.context, "Priority": str(priority)}
        if extra_channel:
            action.update({"ExtraChannel": extra_channel, "ExtraExten": exten,
                           "ExtraContext": context or self.context, "ExtraPriority": str(priority)})
        return self.send_action(action)

    def redirect_peer(self, leg_id: str, exten: str, context: str | None = None) -> concurrent.futures.Future:
        """Blind-transfer the other party of this extension's leg (Redirect of its peer)."""
        return self._submit(self._redirect_peer(leg_id, exten, context))

    async def _redirect_peer(self, leg_id: str, exten: str, context: str | None) -> ActionResult:
        peer = self.tracker.peer_channel_of(leg_id)
        if not peer:
            return ActionResult(False, _("the other party of this call is not known"))
        return await self._send({"Action": "Redirect", "Channel": peer, "Exten": exten,
                                 "Context": context or self.context, "Priority": "1"}, False, None)

    def blind_transfer(self, channel: str, exten: str, context: str | None = None) -> concurrent.futures.Future:
        """``BlindTransfer`` of the party bridged with ``channel`` (the operator's leg)."""
        return self.send_action({"Action": "BlindTransfer", "Channel": channel, "Exten": exten,
                                 "Context": context or self.context})

    def atxfer(self, channel: str, exten: str, context: str | None = None) -> concurrent.futures.Future:
        """Attended transfer from the operator's leg ``channel`` to ``exten``."""
        return self.send_action({"Action": "Atxfer", "Channel": channel, "Exten": exten,
                                 "Context": context or self.context})

    def hangup(self, channel: str, cause: int | None = None) -> concurrent.futures.Future:
        """Hang up one channel (exact name, or a leg id)."""
        action: dict[str, Any] = {"Action": "Hangup", "Channel": channel}
        if cause is not None:
            action["Cause"] = str(cause)
        return self.send_action(action)

    def user_event(self, name: str, headers: Mapping[str, str] | None = None) -> concurrent.futures.Future:
        """Broadcast a ``UserEvent`` to every AMI client (e.g. transfer notes)."""
        action: dict[str, Any] = {"Action": "UserEvent", "UserEvent": name}
        for key, value in (headers or {}).items():
            if key.lower() not in ("action", "actionid", "userevent"):
                action[key] = value
        return self.send_action(action)

    def send_transfer_note(self, call_id: str, from_extension: str, to_extension: str,
                           notes: str, context: str = "") -> concurrent.futures.Future:
        """Broadcast transfer notes; every workstation's tracker turns them into
        :class:`~callcore.events.TransferNoteReceived` (see ``notes.py``)."""
        return self.user_event(TRANSFER_NOTE_EVENT, encode_transfer_note(
            call_id, from_extension, to_extension, notes, context))

    def ping(self) -> concurrent.futures.Future:
        return self.send_action({"Action": "Ping"})
