"""What the demo PBX "has up" right now, learnt from the events it sends.

A client that (re)connects mid-scene asks ``CoreShowChannels`` and
``ExtensionStateList``; the answers must agree with the events it will see next, so the
book follows every sent event: Newchannel adds a channel, state/caller/bridge events
update it, Hangup removes it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from .protocol import AmiMessage

_COPIED = ("Channel", "ChannelState", "ChannelStateDesc", "CallerIDNum", "CallerIDName",
           "ConnectedLineNum", "ConnectedLineName", "Language", "AccountCode", "Context",
           "Exten", "Priority", "Uniqueid", "Linkedid")

# Asterisk's extension states (ExtensionStatus Status / StatusText).
IDLE, INUSE, BUSY, UNAVAILABLE, RINGING, ONHOLD = 0, 1, 2, 4, 8, 16
STATE_TEXT = {IDLE: "Idle", INUSE: "InUse", BUSY: "Busy", UNAVAILABLE: "Unavailable",
              RINGING: "Ringing", INUSE | RINGING: "InUse&Ringing", ONHOLD: "Hold",
              INUSE | ONHOLD: "InUse&Hold"}


@dataclass
class DemoExtension:
    exten: str
    hint: str                      # device, e.g. PJSIP/201
    context: str = "internal"


@dataclass
class LiveChannel:
    fields: dict[str, str]
    created: float = field(default_factory=time.monotonic)
    bridge: str = ""
    application: str = ""
    application_data: str = ""
    held: bool = False

    @property
    def device(self) -> str:
        name = self.fields.get("Channel", "")
        return name.rsplit("-", 1)[0] if "-" in name else name


class ChannelBook:
    def __init__(self) -> None:
        self._channels: dict[str, LiveChannel] = {}   # by Uniqueid

    def observe(self, message: AmiMessage) -> None:
        event = message.event
        uid = message.get("Uniqueid")
        if not event or not uid:
            return
        if event == "Newchannel":
            self._channels[uid] = LiveChannel({k: message.get(k) for k in _COPIED})
            return
        channel = self._channels.get(uid)
        if channel is None:
            return
        if event == "Hangup":
            del self._channels[uid]
            return
        for key in _COPIED:
            if message.has(key) and key not in ("Uniqueid",):
                channel.fields[key] = message.get(key)
        if event == "BridgeEnter":
            channel.bridge = message.get("BridgeUniqueid")
        elif event == "BridgeLeave":
            channel.bridge = ""
        elif event == "Newexten":
            channel.application = message.get("Application")
            channel.application_data = message.get("AppData")
        elif event == "Hold":
            channel.held = True
        elif event == "Unhold":
            channel.held = False

    def find(self, name: str) -> LiveChannel | None:
        return next((c for c in self._channels.values() if c.fields.get("Channel") == name), None)

    def __len__(self) -> int:
        return len(self._channels)

    def core_show_channels(self, action_id: str) -> list[AmiMessage]:
        """``CoreShowChannel`` items as Asterisk 22 formats them."""
        items = []
        now = time.monotonic()
        for channel in self._channels.values():
            seconds = int(now - channel.created)
            headers = [("Event", "CoreShowChannel"), ("ActionID", action_id)]
            headers += [(k, channel.fields.get(k, "")) for k in _COPIED]
            headers += [("BridgeId", channel.bridge), ("Application", channel.application),
                        ("ApplicationData", channel.application_data),
                        ("Duration", f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}")]
            items.append(AmiMessage(headers))
        return items

    def extension_state(self, extension: DemoExtension) -> int:
        state = IDLE
        for channel in self._channels.values():
            if channel.device != extension.hint:
                continue
            desc = channel.fields.get("ChannelStateDesc", "")
            if channel.held:
                state |= ONHOLD
            elif desc in ("Ringing", "Ring"):
                state |= RINGING
            elif desc not in ("Down", ""):
                state |= INUSE
        if state & ONHOLD and state & RINGING:
            state &= ~RINGING
        return state

    def extension_status(self, extension: DemoExtension, action_id: str) -> AmiMessage:
        status = self.extension_state(extension)
        return AmiMessage([("Event", "ExtensionStatus"), ("ActionID", action_id),
                           ("Exten", extension.exten), ("Context", extension.context),
                           ("Hint", extension.hint), ("Status", str(status)),
                           ("StatusText", STATE_TEXT.get(status, "Unknown"))])
