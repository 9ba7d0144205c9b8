"""A small AMI server on localhost: enough of Asterisk's manager protocol for the
product's AMI client (login, FullyBooted, Ping, the two lists it rebuilds from, the call
actions it may send), plus a broadcast of the demo's events to every logged-in client.

It never blocks on a client: events are written without waiting, and a client that stops
reading is dropped, as Asterisk does with ``writetimeout``.
"""
from __future__ import annotations

import asyncio
import hmac
import logging
import time
from typing import Protocol

from .channels import ChannelBook, DemoExtension
from .protocol import GREETING, AmiMessage, MessageReader, MessageTooLarge

log = logging.getLogger(__name__)

MAX_PENDING_BYTES = 4 * 1024 * 1024


class Director(Protocol):
    """The demo side the server hands call actions to."""

    def originate(self, action: AmiMessage) -> str | None:
        """Start a click-to-dial; None when accepted, else the error message."""

    def hangup(self, channel: str) -> bool:
        """Hang up a demo channel; False when there is no such channel."""

    def client_ready(self) -> None:
        """A client logged in (the scene loop may start)."""


class AmiSession:
    """One connected client."""

    def __init__(self, server: "AmiServer", reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.server = server
        self.reader = reader
        self.writer = writer
        self.logged_in = False
        self.events_on = True
        self.closed = False

    def send(self, message: AmiMessage) -> None:
        if self.closed:
            return
        transport = self.writer.transport
        if transport.is_closing():
            self.close()
            return
        if transport.get_write_buffer_size() > MAX_PENDING_BYTES:
            log.warning("demo AMI: dropping a client that does not read")
            self.close()
            return
        try:
            self.writer.write(message.encode())
        except (ConnectionError, RuntimeError):
            self.close()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.writer.close()

    async def run(self) -> None:
        self.writer.write(GREETING.encode("ascii"))
        parser = MessageReader()
        try:
            while not self.closed:
                data = await self.reader.read(65536)
                if not data:
                    break
                for action in parser.feed(data):
                    self.handle(action)
                    if self.closed:
                        break
        except (ConnectionError, MessageTooLarge, asyncio.IncompleteReadError):
            pass
        finally:
            self.close()

    # -- actions -----------------------------------------------------------------------
    def reply(self, action: AmiMessage, response: str, *headers: tuple[str, str]) -> None:
        pairs = [("Response", response)]
        if action.has("ActionID"):
            pairs.append(("ActionID", action.get("ActionID")))
        self.send(AmiMessage(pairs + list(headers)))

    def handle(self, action: AmiMessage) -> None:
        name = action.action.lower()
        if not name:
            self.reply(action, "Error", ("Message", "Missing action in request"))
            return
        if name == "login":
            self.login(action)
            return
        if name == "logoff":
            self.reply(action, "Goodbye", ("Message", "Thanks for all the fish."))
            self.close()
            return
        if not self.logged_in:
            self.reply(action, "Error", ("Message", "Authentication Required"))
            return
        handler = getattr(self, "action_" + name, None)
        if handler is None:
            self.reply(action, "Error", ("Message", f"Invalid/unknown command: {action.action}. "
                                                    "Use Action: ListCommands to show available commands."))
            return
        handler(action)

    def login(self, action: AmiMessage) -> None:
        if self.logged_in:
            self.reply(action, "Success", ("Message", "Already authenticated"))
            return
        if not self.server.check_credentials(action.get("Username"), action.get("Secret")):
            self.reply(action, "Error", ("Message", "Authentication failed"))
            self.close()
            return
        self.logged_in = True
        self.events_on = action.get("Events", "on").strip().lower() not in ("off", "no", "false", "0")
        self.reply(action, "Success", ("Message", "Authentication accepted"))
        self.send(AmiMessage([("Event", "FullyBooted"), ("Privilege", "system,all"),
                              ("Uptime", str(self.server.uptime())), ("LastReload", str(self.server.uptime())),
                              ("Status", "Fully Booted")]))
        self.server.director.client_ready()

    def action_ping(self, action: AmiMessage) -> None:
        self.reply(action, "Success", ("Ping", "Pong"), ("Timestamp", f"{time.time():.6f}"))

    def action_events(self, action: AmiMessage) -> None:
        mask = action.get("EventMask", "on").strip().lower()
        self.events_on = mask not in ("off", "no", "false", "0", "")
        self.reply(action, "Success", ("Events", "On" if self.events_on else "Off"))

    def action_coreshowchannels(self, action: AmiMessage) -> None:
        action_id = action.get("ActionID")
        items = self.server.book.core_show_channels(action_id)
        self.reply(action, "Success", ("EventList", "start"), ("Message", "Channels will follow"))
        for item in items:
            self.send(item)
        self.send(AmiMessage([("Event", "CoreShowChannelsComplete"), ("ActionID", action_id),
                              ("EventList", "Complete"), ("ListItems", str(len(items)))]))

    def action_extensionstatelist(self, action: AmiMessage) -> None:
        action_id = action.get("ActionID")
        self.reply(action, "Success", ("EventList", "start"),
                   ("Message", "Extension Statuses will follow"))
        for extension in self.server.extensions:
            self.send(self.server.book.extension_status(extension, action_id))
        self.send(AmiMessage([("Event", "ExtensionStateListComplete"), ("ActionID", action_id),
                              ("EventList", "Complete"), ("ListItems", str(len(self.server.extensions)))]))

    def _empty_list(self, action: AmiMessage, complete: str) -> None:
        action_id = action.get("ActionID")
        self.reply(action, "Success", ("EventList", "start"), ("Message", "Items will follow"))
        self.send(AmiMessage([("Event", complete), ("ActionID", action_id),
                              ("EventList", "Complete"), ("ListItems", "0")]))

    def action_devicestatelist(self, action: AmiMessage) -> None:
        self._empty_list(action, "DeviceStateListComplete")

    def action_queuestatus(self, action: AmiMessage) -> None:
        self._empty_list(action, "QueueStatusComplete")

    def action_queuesummary(self, action: AmiMessage) -> None:
        self._empty_list(action, "QueueSummaryComplete")

    def action_originate(self, action: AmiMessage) -> None:
        error = self.server.director.originate(action)
        if error:
            self.reply(action, "Error", ("Message", error))
        else:
            self.reply(action, "Success", ("Message", "Originate successfully queued"))

    def action_hangup(self, action: AmiMessage) -> None:
        if self.server.director.hangup(action.get("Channel")):
            self.reply(action, "Success", ("Message", "Channel Hungup"))
        else:
            self.reply(action, "Error", ("Message", "No such channel"))

    def _accepted(self, action: AmiMessage) -> None:
        self.reply(action, "Success", ("Message", f"{action.action} accepted (demo)"))

    # Call-control actions the demo acknowledges without changing its recorded script.
    action_redirect = action_atxfer = action_blindtransfer = _accepted
    action_queuepause = action_setvar = action_absolutetimeout = _accepted

    def action_userevent(self, action: AmiMessage) -> None:
        headers = [("Event", "UserEvent"), ("Privilege", "user,all"),
                   ("UserEvent", action.get("UserEvent"))]
        headers += [(k, v) for k, v in action.headers if k.lower() not in ("action", "actionid", "userevent")]
        self.reply(action, "Success")
        self.server.broadcast(AmiMessage(headers))

    def action_getvar(self, action: AmiMessage) -> None:
        self.reply(action, "Success", ("Variable", action.get("Variable")), ("Value", ""))


class AmiServer:
    def __init__(self, username: str, secret: str, book: ChannelBook,
                 extensions: list[DemoExtension], director: Director):
        self.username = username
        self.secret = secret
        self.book = book
        self.extensions = extensions
        self.director = director
        self.sessions: set[AmiSession] = set()
        self._started = time.monotonic()
        self._server: asyncio.base_events.Server | None = None
        self._session_tasks: set[asyncio.Task | None] = set()

    def check_credentials(self, username: str, secret: str) -> bool:
        return (hmac.compare_digest(username.encode("utf-8"), self.username.encode("utf-8"))
                and hmac.compare_digest(secret.encode("utf-8"), self.secret.encode("utf-8")))

    def uptime(self) -> int:
        return int(time.monotonic() - self._started)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> tuple[str, int]:
        self._server = await asyncio.start_server(self._accept, host, port)
        address = self._server.sockets[0].getsockname()
        return address[0], address[1]

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = AmiSession(self, reader, writer)
        self.sessions.add(session)
        task = asyncio.current_task()
        if task is not None:
            self._session_tasks.add(task)
        try:
            await session.run()
        finally:
            self.sessions.discard(session)
            self._session_tasks.discard(task)

    @property
    def listeners(self) -> int:
        """Logged-in clients that want events."""
        return sum(1 for s in self.sessions if s.logged_in and s.events_on and not s.closed)

    def broadcast(self, message: AmiMessage) -> None:
        """Send an event to every logged-in client and keep the channel book in step."""
        self.book.observe(message)
        for session in list(self.sessions):
            if session.logged_in and session.events_on:
                session.send(message)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for session in list(self.sessions):
            session.close()
        tasks = [t for t in self._session_tasks if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
