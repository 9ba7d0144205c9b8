"""The demo script: which recorded sessions make which scene, in which order.

``assets/demo/script.json`` names the scenes of the loop (incoming answered, call waiting,
transfer, missed, outgoing) and the click-to-dial scene played when a client sends
``Originate``. Each scene lists its parts (a recording and a start offset), the recording's
operator extension, and the caller numbers/names to swap for the demo directory's.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .channels import DemoExtension
from .recording import Recording, load_recording
from .scenes import Scene, ScenePart, TimedMessage, compress, is_call_event, spread_arrivals

ASSETS = Path(__file__).resolve().parent.parent.parent / "assets" / "demo"


class ScriptError(ValueError):
    """The demo script or one of its recordings is unusable; says which and why."""


@dataclass
class DemoScript:
    loop: list[Scene]
    click_to_dial: Scene | None
    extensions: list[DemoExtension]
    pause_between: float = 3.0
    start_delay: float = 1.5
    recordings: dict[str, Recording] = field(default_factory=dict)


def scene_from(spec: dict[str, Any], recordings: dict[str, Recording], default_gap: float) -> Scene:
    name = str(spec.get("name") or "scene")
    parts = []
    for part_spec in spec.get("parts") or []:
        recording = recordings.get(part_spec.get("recording", ""))
        if recording is None:
            raise ScriptError(f"scene {name}: recording {part_spec.get('recording')!r} not found")
        events = [m for m in recording.messages if is_call_event(m.message)]
        if part_spec.get("until_event"):
            cut = _first_index(events, part_spec["until_event"])
            events = events[:cut + 1] if cut is not None else events
        if not events:
            raise ScriptError(f"scene {name}: recording {recording.name} has no call events")
        timeline = compress(_rebased(events), float(part_spec.get("max_gap", spec.get("max_gap", default_gap))))
        if part_spec.get("arrive_gap"):
            timeline = spread_arrivals(timeline, float(part_spec["arrive_gap"]))
        extension = str(part_spec.get("operator_extension") or spec.get("operator_extension")
                        or recording.meta.get("extension", ""))
        parts.append(ScenePart(messages=timeline, offset=float(part_spec.get("at", 0.0)),
                               operator_extension=extension))
    if not parts:
        raise ScriptError(f"scene {name}: no parts")
    scene = Scene(name=name, caption=str(spec.get("caption", name)), parts=parts,
                  replace={str(k): str(v) for k, v in (spec.get("replace") or {}).items()})
    originate = next((m.message for p in parts for m in p.messages
                      if m.message.event == "OriginateResponse"), None)
    if originate is not None:
        scene.dialled_number = str(spec.get("dialled_number") or originate.get("Exten"))
        scene.originate_uniqueid = originate.get("Uniqueid")
        scene.dial_prefix = str(spec.get("dial_prefix", ""))
    return scene


def _first_index(events: list[TimedMessage], wanted: str) -> int | None:
    """Index of the first event matching ``"Event"`` or ``"Event:Header=Value"``."""
    name, _sep, condition = wanted.partition(":")
    key, _eq, value = condition.partition("=")
    for i, item in enumerate(events):
        if item.message.event == name and (not key or item.message.get(key) == value):
            return i
    return None


def _rebased(events: list[TimedMessage]) -> list[TimedMessage]:
    start = events[0].at
    return [TimedMessage(m.at - start, m.message) for m in events]


def load_script(folder: Path = ASSETS) -> DemoScript:
    path = folder / "script.json"
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ScriptError(f"{path}: {exc}") from None
    names = {part.get("recording") for scene in spec.get("scenes", []) for part in scene.get("parts", [])}
    if spec.get("click_to_dial"):
        names |= {part.get("recording") for part in spec["click_to_dial"].get("parts", [])}
    recordings = {}
    for name in sorted(n for n in names if n):
        file = folder / name
        if not file.is_file():
            raise ScriptError(f"{file}: recording missing")
        recordings[name] = load_recording(file)
    default_gap = float(spec.get("max_gap", 3.0))
    loop = [scene_from(s, recordings, default_gap) for s in spec.get("scenes", [])]
    click = scene_from(spec["click_to_dial"], recordings, default_gap) if spec.get("click_to_dial") else None
    extensions = [DemoExtension(exten=str(e["exten"]), hint=str(e.get("hint") or f"PJSIP/{e['exten']}"),
                                context=str(e.get("context", "internal")))
                  for e in spec.get("extensions", [])]
    return DemoScript(loop=loop, click_to_dial=click, extensions=extensions,
                      pause_between=float(spec.get("pause_between", 3.0)),
                      start_delay=float(spec.get("start_delay", 1.5)), recordings=recordings)
