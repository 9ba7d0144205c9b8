"""Dialling as a feature (OUT-1, OUT-2, OUT-4, CON-5, PKG-5): click-to-dial, call back,
redial, quick connect and numbers handed over by another program (``operator_app dial N``).
Every dial goes through the PBX command layer, which applies the outgoing prefix to
outside numbers only and refuses letters before anything reaches the PBX.
(``ui.ports.DialPort``)"""
from __future__ import annotations

import logging
import threading
from typing import Any

from ..ami.commands import Refused, dial_string
from ..events import DialRequested, DialStarted, WindowRaiseRequested
from ..i18n import _
from .calls import report_failure
from .hub import EventHub

log = logging.getLogger(__name__)


class DialFeature:
    def __init__(self, commands: Any, hub: EventHub):
        self.commands = commands
        self.hub = hub
        self._lock = threading.Lock()
        self._last = ""
        self._unsubscribe = hub.subscribe(DialRequested, lambda event: self.dial(event.number))

    @property
    def last_number(self) -> str:
        """What redial dials ('' before the first call)."""
        with self._lock:
            return self._last

    def dial(self, number: str, campaign_item_id: str = "") -> Any:
        """Ring this workstation's phone, then ``number``. Non-blocking: returns the future
        of the PBX's answer; a refusal also comes back as ``CommandFailed``, a success as
        ``DialStarted``. ``campaign_item_id``: the call is logged with that campaign entry
        (a channel variable every station's tracker reads, issue 10)."""
        number = (number or "").strip()
        if not number:
            return None
        with self._lock:
            self._last = number
        future = (self.commands.dial(number, {"CAMPAIGN_ITEM": campaign_item_id}) if campaign_item_id
                  else self.commands.dial(number))
        self._announce(future, number, "dial")
        return future

    def redial(self) -> Any:
        return self.dial(self.last_number) if self.last_number else None

    def quick_connect(self, outside_number: str, extension: str) -> Any:
        """OUT-4: ``extension`` rings; when answered, ``outside_number`` is dialled and bridged."""
        future = self.commands.quick_connect(outside_number, extension)
        self._announce(future, outside_number, "quick_connect")
        return future

    def _announce(self, future: Any, number: str, action: str) -> None:
        report_failure(self.hub, future, action)

        def started(f: Any) -> None:
            try:
                result = f.result()
            except Exception:  # noqa: BLE001 - reported by report_failure
                return
            if getattr(result, "ok", False):
                self.hub.publish(DialStarted(number, getattr(result, "call_id", ""),
                                             getattr(result, "message", "")))
        if future is not None and hasattr(future, "add_done_callback"):
            future.add_done_callback(started)

    def close(self) -> None:
        self._unsubscribe()



def handoff_handler(hub: EventHub, commands: Any):
    """Answers another start of the app (``callcore.app.single_instance``): ``raise`` brings
    the window forward; ``dial`` checks the number the way the dial pad does (letters are
    refused at once, with the reason) and dials it."""
    def handle(request: dict[str, Any]) -> dict[str, Any]:
        command = request.get("command")
        if command == "raise":
            hub.publish(WindowRaiseRequested())
            return {"ok": True, "message": _("The operator window was brought forward.")}
        if command == "dial":
            number = str(request.get("number", "")).strip()
            try:
                dial_string(number, commands.settings)
            except Refused as exc:
                return {"ok": False, "message": str(exc)}
            hub.publish(DialRequested(number, "handoff"))
            return {"ok": True, "message": _("Dialling {number}").format(number=number)}
        return {"ok": False, "message": _("unknown request {name!r}").format(name=command)}
    return handle
