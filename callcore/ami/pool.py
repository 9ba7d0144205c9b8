"""Several PBXs (SPEC AMI-4): one :class:`AmiConnection` per PBX, behind one object.

Why a pool and not a list: every part of the app that talks to "the PBX" (status, the
command layer, the queue panel) must find *which* PBX without knowing there are several.
The first PBX is the ``ami.*`` section (old settings files work unchanged); the others come
from ``pbxes`` (``callcore/pbxes.py``). Each connection has its own thread, tracker,
backoff and state; one going down never touches the others.

Keeping two PBXs apart: Asterisk Uniqueids and Linkedids are per PBX and may be equal on
two of them. Call ids already differ (``call_id_for(linkedid, server)``, each tracker has
its PBX's name as ``server``). Leg ids of the *other* PBXs are published as
``<uniqueid>@<name>`` (the first PBX keeps plain Uniqueids, as before), and
:meth:`AmiPool.for_leg` takes that apart again, so a hang-up or transfer of a leg always
goes to the PBX that has it. ``ConnectionStateChanged.server`` is '' for the first PBX and
the name for the others.
"""
from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
from typing import Any, Callable, Iterable, Mapping

from ..events import (ConnectionStateChanged, DomainEvent, ExtensionStateChanged, LegAnswered, LegEnded, LegHeld,
                      LegResumed, LegRinging, LegTransferred, QueueCallerGone, QueueCallerWaiting,
                      QueueMemberGone, QueueMemberSeen, QueueSeen, TransferNoteReceived)
from ..logs import add_secret
from ..pbxes import PbxSpec, parse_pbx_list, server_for
from .connection import AmiConnection, tls_context

log = logging.getLogger(__name__)

EventCallback = Callable[[DomainEvent], None]
_LEG_EVENTS = (LegRinging, LegAnswered, LegHeld, LegResumed, LegTransferred, LegEnded,
               TransferNoteReceived)
_SERVER_EVENTS = (ConnectionStateChanged, QueueSeen, QueueMemberSeen, QueueMemberGone,
                  QueueCallerWaiting, QueueCallerGone)
SEPARATOR = "@"


def qualify_leg(leg_id: str, server: str) -> str:
    """The leg id the app sees for a leg of a non-first PBX."""
    return f"{leg_id}{SEPARATOR}{server}" if leg_id and server else leg_id


def relabel(event: DomainEvent, server: str) -> DomainEvent:
    """An event of a non-first PBX as the app sees it: leg ids and state carry its name."""
    if isinstance(event, _SERVER_EVENTS):
        return dataclasses.replace(event, server=server)
    if isinstance(event, _LEG_EVENTS) and getattr(event, "leg_id", ""):
        return dataclasses.replace(event, leg_id=qualify_leg(event.leg_id, server))
    return event


class AmiPool:
    """The first PBX plus the others; quacks like one :class:`AmiConnection` for the parts
    that only need "the PBX" (status, start/stop, ``submit``/``send_action`` go to the first)."""

    def __init__(self, first: AmiConnection, first_server: str = "",
                 others: Iterable[tuple[PbxSpec, AmiConnection]] = ()):
        self.first = first
        self.first_server = first_server
        self._others = list(others)
        self.specs = [spec for spec, _conn in self._others]
        self._by_name = {spec.name: conn for spec, conn in self._others}

    @classmethod
    def from_settings(cls, settings: Any, on_event: EventCallback,
                      first: AmiConnection | None = None, **options: Any) -> "AmiPool":
        """``first`` (built from ``ami.*`` when not given) and one connection per ``pbxes``
        entry, each publishing into ``on_event`` with its events labelled (see module doc)."""
        first_server = settings.get("ami.server") or ""
        first = first or AmiConnection.from_settings(settings, on_event=on_event, **options)
        specs = parse_pbx_list(settings.data.get("pbxes"), first_server)
        others = []
        for spec in specs:
            add_secret(spec.secret)
            others.append((spec, cls._connect_spec(spec, settings, on_event, options)))
        return cls(first, first_server, others)

    @staticmethod
    def _connect_spec(spec: PbxSpec, settings: Any, on_event: EventCallback,
                      options: Mapping[str, Any]) -> AmiConnection:
        get = settings.get
        kwargs = dict(options)
        if spec.tls and "ssl_context" not in kwargs:
            kwargs["ssl_context"] = tls_context(spec.tls_ca, spec.tls_verify)

        def publish(event: DomainEvent, name: str = spec.name) -> None:
            on_event(relabel(event, name))
            if isinstance(event, ConnectionStateChanged) and event.status != "connected":
                # its phones' states are unknown until it is back (the first PBX's are
                # handled by everyone through ConnectionStateChanged with server '')
                for extension in connection.tracker.forget_extension_states():
                    on_event(ExtensionStateChanged(extension, "unknown"))  # type: ignore[arg-type]
        connection = AmiConnection(spec.host, spec.port, spec.username, spec.secret, spec.tls, publish,
                                   server=spec.name, technology=get("station.technology") or "PJSIP",
                                   context=get("station.context") or "from-internal",
                                   connect_timeout=float(get("ami.timeout") or 10.0),
                                   outgoing_prefix=get("dial.outgoing_prefix") or "", **kwargs)
        return connection

    # ------------------------------------------------------------------ which PBX
    def connections(self) -> list[tuple[str, AmiConnection]]:
        """(server label, connection): '' for the first PBX, then the others' names."""
        return [("", self.first)] + [(spec.name, conn) for spec, conn in self._others]

    def server_of_extension(self, extension: str) -> str:
        """The server label ('' = the first PBX) of the PBX serving ``extension``."""
        name = server_for(extension, self.specs, "")
        return name

    def for_extension(self, extension: str) -> tuple[AmiConnection, str]:
        """(connection, server for call ids) of the PBX that serves ``extension``."""
        name = self.server_of_extension(extension)
        if name:
            return self._by_name[name], name
        return self.first, self.first_server

    def for_leg(self, leg_id: str) -> tuple[AmiConnection, str, str]:
        """(connection, server for call ids, the PBX's own Uniqueid) of a leg id."""
        uid, sep, name = leg_id.rpartition(SEPARATOR)
        if sep and name in self._by_name:
            return self._by_name[name], name, uid
        return self.first, self.first_server, leg_id

    def for_server(self, label: str) -> AmiConnection | None:
        return self.first if not label else self._by_name.get(label)

    # ------------------------------------------------------------------ like one connection
    @property
    def status(self) -> str:
        return self.first.status

    @property
    def reason(self) -> str:
        return self.first.reason

    @property
    def connected(self) -> bool:
        return self.first.connected

    @property
    def tracker(self) -> Any:
        return self.first.tracker

    def statuses(self) -> dict[str, str]:
        """Server label → status, for the status bar and diagnostics."""
        return {label: conn.status for label, conn in self.connections()}

    def start(self) -> None:
        for _label, conn in self.connections():
            conn.start()

    def stop(self, timeout: float = 5.0) -> None:
        for _label, conn in self.connections():
            try:
                conn.stop(timeout)
            except Exception:  # noqa: BLE001 - stop the others regardless
                log.exception("stopping AMI %s:%s failed", conn.host, conn.port)

    def reconnect(self) -> None:
        for _label, conn in self.connections():
            conn.reconnect()

    def submit(self, coro: Any) -> concurrent.futures.Future:
        return self.first.submit(coro)

    def send_action(self, action: Mapping[str, Any], **kwargs: Any) -> concurrent.futures.Future:
        return self.first.send_action(action, **kwargs)

    def __repr__(self) -> str:
        return f"AmiPool({[repr(c) for _l, c in self.connections()]})"
