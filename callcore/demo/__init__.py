"""The built-in demo PBX: ``operator_app.py --demo`` runs without Asterisk.

:class:`DemoPbx` is a small AMI server on 127.0.0.1 (its own thread and asyncio loop) that
replays recorded real Asterisk 22 sessions as an endless loop of fresh calls to the demo
station's extension: a known customer calls, call waiting, a transfer, a missed call, an
outgoing call. ``Originate`` from the app plays the recorded click-to-dial with the number
asked for. :func:`demo_settings` gives the settings that point the app at it, and
:func:`demo_contacts` the demo directory matching the recorded callers.

    pbx = DemoPbx(extension="201")
    host, port = pbx.start()
    settings = demo_settings(data_folder, pbx)
    ...
    pbx.stop()
"""
from __future__ import annotations

import asyncio
import copy
import json
import secrets
import threading
from pathlib import Path
from typing import Any

from ..i18n import _
from ..records import Contact
from ..settings import DEFAULTS
from .channels import ChannelBook, DemoExtension
from .player import CAPTION_EVENT, ScenePlayer
from .script import ASSETS, DemoScript, ScriptError, load_script
from .server import AmiServer

__all__ = ["DemoPbx", "demo_settings", "demo_contacts", "DEMO_LABEL", "CAPTION_EVENT", "ScriptError"]

DEMO_LABEL = "DEMO"
DEMO_USERNAME = "demo"


class DemoPbx:
    """The demo AMI server. ``speed`` scales every pause (1.0 = the compressed recorded
    rhythm; tests use a small value). ``script`` defaults to ``assets/demo/script.json``."""

    def __init__(self, extension: str = "201", *, script: DemoScript | None = None,
                 speed: float = 1.0, secret: str | None = None):
        self.extension = str(extension)
        self.username = DEMO_USERNAME
        self.secret = secret or secrets.token_hex(8)
        self.speed = speed
        self._script = script
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self._error: BaseException | None = None
        self.address: tuple[str, int] | None = None
        self.player: ScenePlayer | None = None

    def start(self) -> tuple[str, int]:
        """Listen on 127.0.0.1 on a free port; returns (host, port) once accepting."""
        if self.address is not None:
            return self.address
        script = self._script or load_script()
        self._thread = threading.Thread(target=self._run, args=(script,), name="demo-pbx", daemon=True)
        self._thread.start()
        if not self._started.wait(timeout=15):
            raise RuntimeError("demo PBX did not start")
        if self._error is not None:
            raise RuntimeError(f"demo PBX failed: {self._error}") from self._error
        assert self.address is not None
        return self.address

    def stop(self) -> None:
        """Close every client and the listener; joins the thread. Safe to call twice."""
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            try:
                self._loop.call_soon_threadsafe(self._stop.set)
            except RuntimeError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.address = None
        self._started.clear()
        self._error = None

    def settings(self, data_folder: Path | str) -> dict[str, dict[str, Any]]:
        return demo_settings(data_folder, self)

    @property
    def scenes_played(self) -> int:
        return self.player.scenes_played if self.player else 0

    # -- the thread ----------------------------------------------------------------------
    def _run(self, script: DemoScript) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main(script))
        except BaseException as exc:   # reported by start() if it happens before listening
            self._error = exc
            self._started.set()
        finally:
            loop.close()

    async def _main(self, script: DemoScript) -> None:
        self._stop = asyncio.Event()
        extensions = station_extensions(script, self.extension)
        player = ScenePlayer(script, self.extension, speed=self.speed)
        server = AmiServer(self.username, self.secret, ChannelBook(), extensions, player)
        player.server = server
        self.player = player
        self.address = await server.start("127.0.0.1", 0)
        self._started.set()
        loop_task = asyncio.get_running_loop().create_task(player.run_loop())
        try:
            await self._stop.wait()
        finally:
            loop_task.cancel()
            await asyncio.gather(loop_task, return_exceptions=True)
            await player.close()
            await server.close()


def station_extensions(script: DemoScript, extension: str) -> list[DemoExtension]:
    """The demo's extensions with the station's one first; the script's first extension is
    the recordings' operator and becomes the station's."""
    context = script.extensions[0].context if script.extensions else "internal"
    result = [DemoExtension(extension, f"PJSIP/{extension}", context)]
    for i, item in enumerate(script.extensions):
        if i == 0 or item.exten == extension:
            continue
        result.append(item)
    return result


def demo_settings(data_folder: Path | str, pbx: DemoPbx) -> dict[str, dict[str, Any]]:
    """A complete, valid settings dict (every section) for running against ``pbx``: its
    address and credentials, the demo station, and the store under ``data_folder``."""
    if pbx.address is None:
        raise RuntimeError("start the DemoPbx before asking for its settings")
    folder = Path(data_folder)
    data = copy.deepcopy(DEFAULTS)
    host, port = pbx.address
    data["ami"].update(host=host, port=port, username=pbx.username, secret=pbx.secret,
                       tls=False, server=DEMO_LABEL.lower())
    data["station"].update(id=f"{DEMO_LABEL.lower()}-station", extension=pbx.extension,
                           technology="PJSIP", context="from-internal", user=_("Demo operator"))
    data["store"].update(shared_folder=str(folder / "shared"), local_folder=str(folder / "local"))
    data["lines"] = dict(_demo_lines())
    return data


def _demo_lines() -> dict[str, str]:
    path = ASSETS / "lines.json"
    if not path.is_file():
        return {}
    return {str(k): str(v) for k, v in json.loads(path.read_text(encoding="utf-8")).items()
            if not str(k).startswith("_")}


def demo_contacts(path: Path | None = None) -> list[Contact]:
    """The demo directory (``assets/demo/contacts.json``), validated; ids are fixed so a
    second demo run updates rather than duplicates them."""
    source = path or ASSETS / "contacts.json"
    contacts = [Contact.from_dict(item) for item in json.loads(source.read_text(encoding="utf-8"))]
    for contact in contacts:
        contact.validate()
    return contacts
