"""Call recordings (issue 11): which logged calls have one, and playing it with the
system's player. (``ui.ports.RecordingsPort``)

Why here: the PBX records (``MixMonitor``) into a folder the workstation can read, or
serves the files over HTTP; the window only shows a play button for calls that *have* a
recording and never touches files itself. Settings: ``recordings.folder`` (relative to
the settings file), ``recordings.file_pattern`` (default ``{linkedid}.wav``; ``*`` allowed,
e.g. ``*-{uniqueid}.wav`` for MixMonitor's date-prefixed names), ``recordings.url_pattern``
(e.g. ``https://pbx/rec/{linkedid}.wav``, checked with an HTTP HEAD). The folder wins when
both are set. Fields: ``{linkedid}``, ``{uniqueid}`` (= the Linkedid: the call's first
channel), ``{call_id}``, ``{extension}``, ``{caller_number}``, ``{called_number}``,
``{date}`` (YYYYMMDD), ``{year}``, ``{month}``, ``{day}`` of the call's start.
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from ..i18n import _
from ..records import CallRecord

log = logging.getLogger(__name__)


def default_player() -> list[str] | None:
    """The system's "open with the default program": None = ``os.startfile`` (Windows)."""
    if os.name == "nt":
        return None
    if sys.platform == "darwin":
        return ["open"]
    return ["xdg-open"]


class _Blank(dict):
    def __missing__(self, key: str) -> str:       # an unknown {field} stays as typed
        return "{" + key + "}"


def fields_of(record: CallRecord) -> dict[str, str]:
    try:
        started = datetime.fromisoformat(record.started_at)
    except (TypeError, ValueError):
        started = None
    day = started.strftime("%Y%m%d") if started else ""
    return _Blank(linkedid=record.linkedid, uniqueid=record.linkedid, call_id=record.id,
                  extension=record.extension, caller_number=record.caller_number,
                  called_number=record.called_number, date=day, year=day[:4], month=day[4:6],
                  day=day[6:8])


class RecordingsFeature:
    """Finds the recording of a call and opens it in the system's player."""

    def __init__(self, settings: Any, *, player: list[str] | None | str = "default",
                 head_timeout: float = 3.0):
        folder = settings.get("recordings.folder") or ""
        self.folder: Path | None = settings.resolve_path(folder) if folder else None
        self.file_pattern = settings.get("recordings.file_pattern") or "{linkedid}.wav"
        self.url_pattern = settings.get("recordings.url_pattern") or ""
        self.player = default_player() if player == "default" else player
        self.head_timeout = head_timeout

    @property
    def enabled(self) -> bool:
        return self.folder is not None or bool(self.url_pattern)

    # ------------------------------------------------------------------ finding
    def locate(self, record: CallRecord) -> str:
        """The recording's path or URL, '' when this call has none. File or network I/O:
        call it from a worker thread."""
        if not record.linkedid:
            return ""
        fields = fields_of(record)
        if self.folder is not None:
            name = self.file_pattern.format_map(fields)
            try:
                if "*" in name or "?" in name:
                    found = sorted(self.folder.glob(name))
                    return str(found[0]) if found else ""
                path = self.folder / name
                return str(path) if path.is_file() and path.stat().st_size > 0 else ""
            except OSError as exc:
                log.warning("recordings folder %s: %s", self.folder, exc)
                return ""
        if self.url_pattern:
            url = self.url_pattern.format_map(fields)
            try:
                request = urllib.request.Request(url, method="HEAD")
                with urllib.request.urlopen(request, timeout=self.head_timeout) as reply:
                    return url if 200 <= reply.status < 300 else ""
            except (urllib.error.URLError, OSError, ValueError) as exc:
                log.info("no recording at %s: %s", url.split("?")[0], type(exc).__name__)
                return ""
        return ""

    def recorded(self, records: Iterable[CallRecord]) -> set[str]:
        """Ids of the calls that have a recording (blocking: from a worker thread)."""
        if not self.enabled:
            return set()
        return {r.id for r in records if self.locate(r)}

    def check(self, records: Sequence[CallRecord], deliver: Callable[[set[str]], None]) -> None:
        """:meth:`recorded` on a worker thread; ``deliver(ids)`` is called from it."""
        records = list(records)
        if not self.enabled or not records:
            deliver(set())
            return

        def work() -> None:
            try:
                found = self.recorded(records)
            except Exception:  # noqa: BLE001 - no button rather than a crash; logged
                log.exception("looking for recordings failed")
                found = set()
            deliver(found)
        threading.Thread(target=work, name="recordings-check", daemon=True).start()

    # ------------------------------------------------------------------ playing
    def play(self, record: CallRecord) -> str:
        """Open the call's recording with the system's player (does not wait for it).
        Returns '' when started, else a sentence for the operator."""
        where = self.locate(record)
        if not where:
            return _("This call has no recording")
        try:
            if self.player is None:
                os.startfile(where)  # type: ignore[attr-defined]  # Windows: the default player
                return ""
            if shutil.which(self.player[0]) is None:
                return _("No program to play recordings ({program} is not installed)").format(
                    program=self.player[0])
            subprocess.Popen([*self.player, where], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
            log.info("playing the recording of call %s", record.id)
            return ""
        except OSError as exc:
            log.warning("cannot play the recording of call %s: %s", record.id, exc)
            return _("The recording could not be opened: {error}").format(error=exc.strerror or exc)
