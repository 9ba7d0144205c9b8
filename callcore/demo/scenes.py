"""Demo scenes: recorded AMI event streams turned into replayable, ever-fresh calls.

A scene is one or more *parts*, each the events of one recorded session on a compressed
timeline, started at an offset (two overlapping parts make call waiting). Every time a
scene is played each part is *instantiated*: its Uniqueid/Linkedid values, channel
sequence numbers and bridge ids are replaced by new ones (consistent inside the part), the
recorded operator extension becomes the demo station's extension, and chosen caller
numbers/names are swapped for the demo directory's. The tracker therefore sees a new call
every time, exactly as a real PBX would send it.
"""
from __future__ import annotations

import itertools
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Iterable

from .protocol import AmiMessage

# Events that belong to the recording session itself, not to the calls it recorded.
SESSION_EVENTS = frozenset({
    "fullybooted", "shutdown", "reload", "successfulauth", "challengesent", "invalidpassword",
    "failedacl", "invalidaccountid", "rtcpsent", "rtcpreceived", "userevent",
})

_CHANNEL_NAME = re.compile(r"^[A-Za-z0-9_]+/.+-([0-9a-f]{8})(;[12])?$")


@dataclass(frozen=True)
class TimedMessage:
    """A message and when it happened, in seconds from the start of its part."""

    at: float
    message: AmiMessage


@dataclass
class ScenePart:
    """One recorded session inside a scene, starting ``offset`` seconds into the scene."""

    messages: list[TimedMessage]
    offset: float = 0.0
    operator_extension: str = ""     # the recording's extension that plays the demo station


@dataclass
class Scene:
    name: str
    caption: str
    parts: list[ScenePart]
    replace: dict[str, str] = field(default_factory=dict)   # recorded value -> demo value
    dialled_number: str = ""       # click-to-dial: the Exten originated in the recording
    dial_prefix: str = ""          # click-to-dial: outgoing prefix inside dialled_number
    originate_uniqueid: str = ""   # click-to-dial: Uniqueid of the originated leg

    @property
    def duration(self) -> float:
        return max((p.offset + (p.messages[-1].at if p.messages else 0.0) for p in self.parts), default=0.0)


def is_call_event(message: AmiMessage) -> bool:
    """True for events of the recorded calls; False for replies to the recording session's
    own actions (lists, Login, Ping) and for session noise. OriginateResponse is kept: it
    is broadcast by Asterisk and ties a click-to-dial to its ActionID."""
    event = message.event
    if not event:
        return False
    if event.lower() in SESSION_EVENTS:
        return False
    if message.get("Privilege").lower().startswith("security"):
        return False
    if message.has("ActionID") and event != "OriginateResponse":
        return False
    return True


def compress(messages: Iterable[TimedMessage], max_gap: float, min_gap: float = 0.0) -> list[TimedMessage]:
    """Keep the recorded order and rhythm but cap every pause at ``max_gap`` seconds, so a
    scene lasts seconds instead of a real call's minutes. Bursts stay bursts."""
    result: list[TimedMessage] = []
    previous_real: float | None = None
    clock = 0.0
    for item in messages:
        if previous_real is not None:
            gap = max(0.0, item.at - previous_real)
            clock += max(min(gap, max_gap), min_gap if gap > 0 else 0.0)
        previous_real = item.at
        result.append(TimedMessage(clock, item.message))
    return result


def spread_arrivals(messages: list[TimedMessage], seconds: float) -> list[TimedMessage]:
    """Make a call that arrives while another is up arrive at least ``seconds`` later
    than what came just before it (a recording may start the second call the instant the
    first is answered; a person watching needs a moment to see the first one answered)."""
    result: list[TimedMessage] = []
    live: dict[str, set[str]] = {}      # Linkedid -> Uniqueids still up
    shift = 0.0
    previous = 0.0
    for item in messages:
        message = item.message
        linked, uid = message.get("Linkedid"), message.get("Uniqueid")
        at = item.at + shift
        if message.event == "Newchannel" and linked and uid:
            others_up = any(legs for call, legs in live.items() if call != linked)
            if linked not in live and others_up and at - previous < seconds:
                shift += seconds - (at - previous)
                at = previous + seconds
            live.setdefault(linked, set()).add(uid)
        elif message.event == "Hangup" and linked in live:
            live[linked].discard(uid)
        result.append(TimedMessage(at, message))
        previous = at
    return result


class IdAllocator:
    """Fresh Asterisk-looking ids for every instantiated part of every scene."""

    def __init__(self, start: int = 1):
        self._sequence = itertools.count(start)
        self._channels = itertools.count(start)
        self._epoch = int(time.time())

    def uniqueid(self) -> str:
        return f"{self._epoch}.{next(self._sequence)}"

    def channel_sequence(self) -> str:
        return f"{next(self._channels) & 0xFFFFFFFF:08x}"

    @staticmethod
    def bridge() -> str:
        return str(uuid.uuid4())


def _is_leg_id_key(key: str) -> bool:
    lowered = key.lower()
    return (lowered.endswith("uniqueid") or lowered.endswith("linkedid")) and "bridge" not in lowered


def _is_bridge_key(key: str) -> bool:
    lowered = key.lower()
    return lowered.endswith("bridgeuniqueid") or lowered in ("bridgeid", "bridge")


def _token_pattern(tokens: Iterable[str], word: str = r"0-9A-Za-z") -> re.Pattern[str] | None:
    ordered = sorted({t for t in tokens if t}, key=len, reverse=True)
    if not ordered:
        return None
    alternatives = "|".join(re.escape(t) for t in ordered)
    return re.compile(rf"(?<![{word}.])({alternatives})(?![{word}])")


@dataclass
class PartRewrite:
    """The substitutions for one instantiated part (ids, channels, extension, values)."""

    ids: dict[str, str]
    channels: dict[str, str]
    values: dict[str, str]
    old_extension: str
    new_extension: str
    action_id: str = ""

    def __post_init__(self) -> None:
        self._ids = _token_pattern(self.ids)
        self._channel = re.compile(r"-([0-9a-f]{8})(?![0-9a-f])") if self.channels else None
        self._values = _token_pattern(self.values, word=r"\w")
        change_ext = self.old_extension and self.new_extension and self.old_extension != self.new_extension
        self._device = (re.compile(rf"(?<=/){re.escape(self.old_extension)}(?=[-;@&,/]|$)")
                        if change_ext else None)

    def value(self, key: str, value: str) -> str:
        if not value or key.lower() == "timestamp":
            return value
        if self._ids is not None:
            value = self._ids.sub(lambda m: self.ids[m.group(1)], value)
        if self._channel is not None:
            value = self._channel.sub(lambda m: "-" + self.channels.get(m.group(1), m.group(1)), value)
        if self._device is not None:
            if value == self.old_extension:
                value = self.new_extension
            else:
                value = self._device.sub(self.new_extension, value)
        if self._values is not None:
            value = self._values.sub(lambda m: self.values[m.group(1)], value)
        return value

    def message(self, message: AmiMessage) -> AmiMessage:
        headers = [(k, self.value(k, v)) for k, v in message.headers]
        result = AmiMessage(headers)
        if self.action_id and message.event == "OriginateResponse":
            result.set("ActionID", self.action_id)
        return result


def plan_rewrite(part: ScenePart, ids: IdAllocator, extension: str, values: dict[str, str],
                 fixed_ids: dict[str, str] | None = None, action_id: str = "") -> PartRewrite:
    """Decide the fresh ids for ``part``: first-seen order, so a part's first leg gets the
    lowest new id, as Asterisk would number it."""
    id_map: dict[str, str] = dict(fixed_ids or {})
    channel_map: dict[str, str] = {}
    for item in part.messages:
        for key, value in item.message.headers:
            if not value or value == "<unknown>":
                continue
            if _is_bridge_key(key):
                id_map.setdefault(value, ids.bridge())
            elif _is_leg_id_key(key):
                id_map.setdefault(value, ids.uniqueid())
            elif key.lower().endswith("channel"):
                match = _CHANNEL_NAME.match(value)
                if match and match.group(1) not in channel_map:
                    channel_map[match.group(1)] = ids.channel_sequence()
    return PartRewrite(ids=id_map, channels=channel_map, values=dict(values),
                       old_extension=part.operator_extension, new_extension=extension,
                       action_id=action_id)


@dataclass(frozen=True)
class PlayStep:
    """Wait ``delay`` seconds (scene time), then send ``message``."""

    delay: float
    message: AmiMessage


def instantiate(scene: Scene, ids: IdAllocator, extension: str, *, number: str = "",
                channel_id: str = "", action_id: str = "") -> list[PlayStep]:
    """The scene as fresh messages with delays. ``number``/``channel_id``/``action_id``
    come from a client's Originate (click-to-dial) and replace the recorded ones."""
    values = dict(scene.replace)
    if number and scene.dialled_number:
        values[scene.dialled_number] = number
        prefix = scene.dial_prefix
        if prefix and scene.dialled_number.startswith(prefix):
            # the dialplan strips the prefix: the trunk leg shows the bare number
            bare = number[len(prefix):] if number.startswith(prefix) else number
            values[scene.dialled_number[len(prefix):]] = bare
    timeline: list[tuple[float, int, AmiMessage]] = []
    order = itertools.count()
    for part in scene.parts:
        fixed = {}
        if channel_id and scene.originate_uniqueid:
            fixed[scene.originate_uniqueid] = channel_id
        rewrite = plan_rewrite(part, ids, extension, values, fixed, action_id)
        for item in part.messages:
            timeline.append((part.offset + item.at, next(order), rewrite.message(item.message)))
    timeline.sort(key=lambda entry: (entry[0], entry[1]))
    steps: list[PlayStep] = []
    previous = 0.0
    for at, _order, message in timeline:
        steps.append(PlayStep(max(0.0, at - previous), message))
        previous = at
    return steps
