"""The PBX connection as a feature: on/off for the user, state for the status bar, and the
command layer every feature uses to ask the PBX to do something. (``ui.ports.ConnectionPort``)"""
from __future__ import annotations

import logging
import threading
from typing import Any

from ..ami.commands import DialSettings, PbxCommands
from ..ami.connection import AmiConnection
from ..settings import Settings

log = logging.getLogger(__name__)


def make_commands(connection: Any, settings: Settings) -> PbxCommands:
    """The PBX command layer for this station: every feature that asks the PBX to do
    something (dial, transfer, hang up) goes through it and gets a future back.
    ``connection``: an AmiConnection or an AmiPool (then each command finds its PBX)."""
    return PbxCommands(connection, DialSettings.from_settings(settings),
                       server=settings.get("ami.server") or "",
                       user_name=settings.get("station.user") or "")


class PbxFeature:
    def __init__(self, connection: Any):     # an AmiConnection or an AmiPool (all PBXs)
        self.connection = connection

    @property
    def status(self) -> str:
        return self.connection.status

    def connect(self) -> None:
        self.connection.start()

    def disconnect(self) -> None:
        """Non-blocking: stopping waits for the AMI thread to finish."""
        threading.Thread(target=self.connection.stop, name="ami-stop", daemon=True).start()

    def close(self) -> None:
        self.connection.stop()
