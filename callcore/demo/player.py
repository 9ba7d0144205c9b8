"""Plays demo scenes onto the demo AMI server: the endless loop of recorded calls, and a
click-to-dial scene whenever a client sends ``Originate``.

Scenes wait for a listener: nobody misses the first ringing call because the loop ran
while no window was connected. Hanging up a demo channel (the popup's hang-up button)
plays the rest of its scene at once, so the call ends when the operator asks.
"""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

from .protocol import AmiMessage
from .scenes import IdAllocator, PlayStep, Scene, instantiate
from .script import DemoScript
from .server import AmiServer

log = logging.getLogger(__name__)

CAPTION_EVENT = "OperatorDemoScene"


@dataclass
class _Playing:
    channels: set[str] = field(default_factory=set)
    hurry: asyncio.Event = field(default_factory=asyncio.Event)


class ScenePlayer:
    def __init__(self, script: DemoScript, extension: str, speed: float = 1.0,
                 ids: IdAllocator | None = None):
        self.script = script
        self.extension = extension
        self.speed = max(0.0, speed)
        self.ids = ids or IdAllocator()
        self.server: AmiServer | None = None
        self.scenes_played = 0
        self._ready = asyncio.Event()
        self._playing: list[_Playing] = []
        self._tasks: set[asyncio.Task] = set()

    # -- Director (called by the server) ------------------------------------------------
    def client_ready(self) -> None:
        self._ready.set()

    def originate(self, action: AmiMessage) -> str | None:
        scene = self.script.click_to_dial
        if not action.get("Channel"):
            return "Channel not specified"
        if not action.get("Exten") and not action.get("Application"):
            return "Exten not specified"
        if scene is None:
            return "This demo has no click-to-dial recording"
        device = action.get("Channel")
        extension = device.split("/", 1)[1] if device.upper().startswith("PJSIP/") else self.extension
        steps = instantiate(scene, self.ids, extension or self.extension,
                            number=action.get("Exten"), channel_id=action.get("ChannelId"),
                            action_id=action.get("ActionID"))
        self._spawn(self.play(scene, steps))
        return None

    def hangup(self, channel: str) -> bool:
        if self.server is None or self.server.book.find(channel) is None:
            return False
        for playing in self._playing:
            if channel in playing.channels:
                playing.hurry.set()
        return True

    # -- playing --------------------------------------------------------------------------
    def _spawn(self, coroutine) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def play(self, scene: Scene, steps: list[PlayStep]) -> None:
        assert self.server is not None
        playing = _Playing()
        self._playing.append(playing)
        try:
            self.server.broadcast(AmiMessage([
                ("Event", "UserEvent"), ("Privilege", "user,all"), ("UserEvent", CAPTION_EVENT),
                ("Scene", scene.name), ("Caption", scene.caption)]))
            for step in steps:
                await self._pause(step.delay, playing.hurry)
                message = step.message
                if message.has("Timestamp"):
                    message = message.copy()
                    message.set("Timestamp", f"{time.time():.6f}")
                channel = message.get("Channel")
                if channel:
                    playing.channels.add(channel)
                self.server.broadcast(message)
            self.scenes_played += 1
        finally:
            self._playing.remove(playing)

    async def _pause(self, seconds: float, hurry: asyncio.Event) -> None:
        seconds *= self.speed
        if seconds <= 0 or hurry.is_set():
            await asyncio.sleep(0)
            return
        try:
            await asyncio.wait_for(hurry.wait(), timeout=seconds)
        except asyncio.TimeoutError:
            pass

    async def _wait_for_listener(self) -> None:
        assert self.server is not None
        while self.server.listeners == 0:
            await asyncio.sleep(0.2)

    async def run_loop(self) -> None:
        """Play the loop scenes forever, starting once a client has logged in."""
        if not self.script.loop:
            return
        await self._ready.wait()
        await asyncio.sleep(self.script.start_delay * self.speed)
        while True:
            for scene in self.script.loop:
                await self._wait_for_listener()
                try:
                    # recorded ActionIDs belong to the recording client: make them unique
                    steps = instantiate(scene, self.ids, self.extension,
                                        action_id=f"demo-script-{self.ids.uniqueid()}")
                    await self.play(scene, steps)
                except Exception:   # a broken scene must not stop the demo
                    log.exception("demo scene %s failed", scene.name)
                await asyncio.sleep(max(self.script.pause_between * self.speed, 0.01))

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
