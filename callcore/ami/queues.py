"""AMI queue messages → queue events (the AsterCRM-style queue panel). Pure, no I/O.

Where they come from (Asterisk 22, app_queue): at every connect the connection asks
``QueueStatus``, answered by ``QueueParams`` (one per queue), ``QueueMember`` (one per
member) and ``QueueEntry`` (one per waiting caller, ``Wait`` = seconds so far); live events
then keep it current: ``QueueCallerJoin`` / ``QueueCallerLeave`` / ``QueueCallerAbandon``,
``QueueMemberAdded`` / ``QueueMemberRemoved``, ``QueueMemberStatus``, ``QueueMemberPause``.
A member's ``Status`` is a device state number (``AST_DEVICE_*``); ``Membership`` is
``static`` (queues.conf), ``dynamic`` (``QueueAdd``) or ``realtime``.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable, Mapping

from ..events import (QueueCallerGone, QueueCallerWaiting, QueueEvent, QueueMemberGone,
                      QueueMemberSeen, QueueSeen)

QUEUE_EVENTS = frozenset({"QueueParams", "QueueMember", "QueueEntry", "QueueCallerJoin",
                          "QueueCallerLeave", "QueueCallerAbandon", "QueueMemberAdded",
                          "QueueMemberRemoved", "QueueMemberStatus", "QueueMemberPause"})

# AST_DEVICE_* → what the panel shows
_DEVICE_STATES = {"0": "unknown", "1": "free", "2": "busy", "3": "busy", "4": "offline",
                  "5": "offline", "6": "ringing", "7": "ringing", "8": "busy"}


def _int(text: str | None) -> int:
    try:
        return int(float(text or 0))
    except ValueError:
        return 0


def _clean(value: str | None) -> str:
    value = (value or "").strip()
    return "" if value in ("<unknown>", "<none>") else value


def member_extension(interface: str, extension_of: Callable[[str], str]) -> str:
    """``PJSIP/202`` → 202 (through the hints' device map when known);
    ``Local/202@from-queue/n`` → 202; anything else ''."""
    if interface.startswith("Local/"):
        number = interface[len("Local/"):].split("@", 1)[0]
        return number if number.isdigit() else ""
    return extension_of(interface)


def translate(m: Mapping[str, str], at: datetime,
              extension_of: Callable[[str], str]) -> list[QueueEvent]:
    """One AMI message → the queue events it means (none for other messages)."""
    name = m.get("Event", "")
    queue = m.get("Queue", "")
    if not queue or name not in QUEUE_EVENTS:
        return []
    if name == "QueueParams":
        return [QueueSeen(queue, strategy=m.get("Strategy", ""), completed=_int(m.get("Completed")),
                          abandoned=_int(m.get("Abandoned")))]
    if name == "QueueEntry":
        since = at - timedelta(seconds=_int(m.get("Wait")))
        return [QueueCallerWaiting(queue, m.get("Uniqueid", ""), _clean(m.get("CallerIDNum")),
                                   _clean(m.get("CallerIDName")), _int(m.get("Position")), since)]
    if name == "QueueCallerJoin":
        return [QueueCallerWaiting(queue, m.get("Uniqueid", ""), _clean(m.get("CallerIDNum")),
                                   _clean(m.get("CallerIDName")), _int(m.get("Position")), at)]
    if name in ("QueueCallerLeave", "QueueCallerAbandon"):
        return [QueueCallerGone(queue, m.get("Uniqueid", ""), abandoned=name == "QueueCallerAbandon")]
    interface = m.get("Interface") or m.get("Location") or ""
    if not interface:
        return []
    if name == "QueueMemberRemoved":
        return [QueueMemberGone(queue, interface)]
    reason = m.get("PausedReason") or m.get("Reason") or ""
    paused = m.get("Paused", "0") in ("1", "true", "yes")
    state_interface = m.get("StateInterface") or interface
    return [QueueMemberSeen(queue, interface, name=_clean(m.get("MemberName") or m.get("Name")),
                            extension=member_extension(state_interface, extension_of),
                            state=_DEVICE_STATES.get(m.get("Status", ""), "unknown"),
                            paused=paused, reason=reason if paused else "",
                            dynamic=m.get("Membership", "") == "dynamic")]
