"""Helpers for the e2e tests: a product AmiConnection whose events land in a queue, a
control client (the PBX helper's own AMI client, independent of product code) and a
TCP proxy to cut the network in the middle of a call."""
from __future__ import annotations

import queue
import socket
import threading
import time
from typing import Callable

from callcore.ami.connection import AmiConnection
from callcore.events import CallLogged, ConnectionStateChanged, DomainEvent
from tests.pbx.ami import AmiClient
from tests.pbx.plan import AMI_HOST, AMI_PORT, AMI_SECRET, AMI_USER, OUTGOING_PREFIX


class Collector:
    """What the UI's queue would get: events in arrival order (thread-safe)."""

    def __init__(self):
        self.queue: "queue.Queue[DomainEvent]" = queue.Queue()
        self.events: list[DomainEvent] = []

    def __call__(self, event: DomainEvent) -> None:
        self.queue.put(event)

    def drain(self) -> list[DomainEvent]:
        while True:
            try:
                self.events.append(self.queue.get_nowait())
            except queue.Empty:
                return self.events

    def of(self, kind) -> list:
        return [e for e in self.drain() if isinstance(e, kind)]

    def records(self, linkedids=None) -> list:
        recs = [e.record for e in self.of(CallLogged)]
        return [r for r in recs if linkedids is None or r.linkedid in linkedids]

    def wait(self, predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.drain()
            if predicate():
                return True
            time.sleep(0.05)
        self.drain()
        return predicate()

    def statuses(self) -> list[str]:
        return [e.status for e in self.of(ConnectionStateChanged)]


def product_connection(collector: Collector, port: int = AMI_PORT, secret: str = AMI_SECRET,
                       **kw) -> AmiConnection:
    opts = dict(context="internal", backoff_initial=0.2, backoff_max=2.0, ping_interval=2.0,
                ping_timeout=2.0, outgoing_prefix=OUTGOING_PREFIX)
    opts.update(kw)
    return AmiConnection(AMI_HOST, port, AMI_USER, secret, on_event=collector, **opts)


def control_client() -> AmiClient:
    return AmiClient(AMI_HOST, AMI_PORT, AMI_USER, AMI_SECRET).connect()


class CuttableProxy:
    """localhost TCP proxy to the PBX's AMI port; ``cut()`` drops every connection (a
    network failure), ``block``/``unblock`` refuse new ones while the network is 'down'."""

    def __init__(self, target_port: int = AMI_PORT):
        self.target = (AMI_HOST, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.blocked = False
        self.accepted = 0
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _addr = self.listener.accept()
            except OSError:
                return
            if self.blocked:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:  # the PBX itself is down: like a refused connection
                client.close()
                continue
            self.accepted += 1
            with self._lock:
                self._pairs.append((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for a, b in pairs:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def close(self) -> None:
        self._closed = True
        self.cut()
        self.listener.close()
