"""A tiny scripted AMI server on localhost, for testing the connection handling only
(login, framing, reconnects, watchdog). Call semantics are proven with recordings and the
real test PBX, never with this.
"""
from __future__ import annotations

import asyncio
import ssl
import threading
import time
from typing import Callable

from tests.waiting import wait_for

EOL = "\r\n"


def msg(**headers: str) -> bytes:
    return ("".join(f"{k}: {v}{EOL}" for k, v in headers.items()) + EOL).encode("utf-8")


def parse(block: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in block.split(EOL):
        key, sep, value = line.partition(": ")
        if sep:
            out[key] = value
    return out


class FakeAmi:
    """``with FakeAmi() as server:`` → listens on ``server.port``."""

    def __init__(self, secret: str = "s3cret", ssl_context: ssl.SSLContext | None = None):
        self.secret = secret
        self.ssl_context = ssl_context
        self.connections = 0
        self.logins = 0
        self.actions: list[dict[str, str]] = []
        self.answer_ping = True
        self.boot_on_login = True
        self.channels: list[dict[str, str]] = []
        self.hints: list[dict[str, str]] = []
        self.replies: dict[str, Callable[[dict[str, str]], list[bytes]]] = {}
        self._writers: list[asyncio.StreamWriter] = []
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.AbstractServer | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.port = 0

    # -- life -------------------------------------------------------------------
    def __enter__(self) -> "FakeAmi":
        self._thread.start()
        fut = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        fut.result(5)
        return self

    def __exit__(self, *exc) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", 0, ssl=self.ssl_context)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        for w in list(self._writers):
            w.close()
        if self._server:
            self._server.close()

    # -- control from the test thread ----------------------------------------------------
    def _call(self, coro) -> None:
        asyncio.run_coroutine_threadsafe(coro, self._loop).result(5)

    def send(self, *chunks: bytes, pause: float = 0.05) -> None:
        """Write each chunk as its own TCP write (with a pause: separate reads)."""
        async def go():
            for i, chunk in enumerate(chunks):
                for w in list(self._writers):
                    w.write(chunk)
                    await w.drain()
                if i < len(chunks) - 1:
                    await asyncio.sleep(pause)
        self._call(go())

    def drop_all(self) -> None:
        """Cut every connection (like a network failure)."""
        async def go():
            for w in list(self._writers):
                w.transport.abort()
        self._call(go())

    def boot(self) -> None:
        self.send(msg(Event="FullyBooted", Privilege="system,all", Status="Fully Booted"))

    @property
    def clients(self) -> int:
        return len(self._writers)

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        return wait_for(predicate, timeout)

    # -- protocol -----------------------------------------------------------------------
    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        try:
            writer.write(b"Asterisk Call Manager/9.0.0\r\n")
            buf = ""
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                buf += data.decode("utf-8", "replace")
                while EOL + EOL in buf:
                    block, buf = buf.split(EOL + EOL, 1)
                    action = parse(block)
                    self.actions.append(action)
                    if not await self._answer(action, writer):
                        return
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            if writer in self._writers:
                self._writers.remove(writer)
            writer.close()

    async def _answer(self, action: dict[str, str], writer: asyncio.StreamWriter) -> bool:
        name = action.get("Action", "")
        aid = action.get("ActionID", "")
        out: list[bytes] = []
        if name == "Login":
            if action.get("Secret") != self.secret:
                writer.write(msg(Response="Error", ActionID=aid, Message="Authentication failed"))
                await writer.drain()
                writer.close()
                return False
            self.logins += 1
            out.append(msg(Response="Success", ActionID=aid, Message="Authentication accepted"))
            if self.boot_on_login:
                out.append(msg(Event="FullyBooted", Privilege="system,all", Status="Fully Booted"))
        elif name == "Ping":
            if not self.answer_ping:
                return True
            out.append(msg(Response="Success", ActionID=aid, Ping="Pong", Timestamp="1.0"))
        elif name in ("CoreShowChannels", "ExtensionStateList"):
            items = self.channels if name == "CoreShowChannels" else self.hints
            item_event = "CoreShowChannel" if name == "CoreShowChannels" else "ExtensionStatus"
            out.append(msg(Response="Success", ActionID=aid, EventList="start", Message="will follow"))
            for item in items:
                out.append(msg(Event=item_event, ActionID=aid, **item))
            out.append(msg(Event=name.replace("Channels", "ChannelsComplete") if name == "CoreShowChannels"
                           else "ExtensionStateListComplete", ActionID=aid, EventList="Complete",
                           ListItems=str(len(items))))
        elif name in self.replies:
            out.extend(self.replies[name](action))
        else:
            out.append(msg(Response="Success", ActionID=aid, Message=f"{name} done"))
        for chunk in out:
            writer.write(chunk)
        await writer.drain()
        return True
