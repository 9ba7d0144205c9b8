"""Refuse a second running copy of the same workstation: an OS file lock on the local
folder (released by the OS even after kill -9) and a heartbeat file in the station's own
share folder (seen by other machines; a heartbeat older than ``stale_seconds`` or from a
dead process on this host is taken over)."""
from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from ..i18n import _
from .base import named
from .files import write_atomic

log = logging.getLogger(__name__)


class StationInUseError(RuntimeError):
    """Another live process already runs this workstation id."""


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        import psutil  # optional: precise on every platform
        return psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except ImportError:
        pass
    except Exception:
        return False
    if os.name == "nt":
        import ctypes
        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        ctypes.windll.kernel32.CloseHandle(handle)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _try_os_lock(fd: int) -> bool:
    try:
        if os.name == "nt":
            import msvcrt
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


try_os_lock = _try_os_lock   # public name for other single-owner locks (callcore.app.single_instance)


@dataclass
class Holder:
    station: str
    host: str
    pid: int
    time: float = 0.0
    token: str = ""

    def describe(self) -> str:
        return _("host {host}, process {pid}").format(host=self.host, pid=self.pid)


class LocalLock:
    """Held for the life of the process; the lock file names who holds it."""

    def __init__(self, folder: Path, station: str):
        self.path = folder / "station.lock"
        self.info_path = folder / "station.lock.json"
        self.station = station
        self.fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise named(_("open"), self.path, exc) from None
        if not _try_os_lock(fd):
            os.close(fd)
            holder = self._read_holder()
            raise StationInUseError(_(
                "Workstation '{station}' is already running ({who}); local folder {folder}. "
                "Close the other copy or give this one a different station.id.").format(
                station=holder.station if holder else self.station,
                who=holder.describe() if holder else _("another process"), folder=self.path.parent))
        self.fd = fd
        info = Holder(self.station, socket.gethostname(), os.getpid(), time.time())
        try:
            write_atomic(self.info_path, [json.dumps(info.__dict__)])
        except OSError as exc:   # disk full: the OS lock holds all the same, only the name is missing
            log.warning("cannot write %s: %s", self.info_path, exc)

    def _read_holder(self) -> Holder | None:
        try:
            return Holder(**json.loads(self.info_path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None

    def release(self) -> None:
        if self.fd is not None:
            try:
                self.info_path.unlink()
            except OSError:
                pass
            os.close(self.fd)       # closing releases the OS lock
            self.fd = None


class ShareHeartbeat:
    """``<share>/stations/<id>/heartbeat.json``: who runs this station, refreshed by the
    sync thread. Only this station writes it."""

    def __init__(self, station_folder: Path, station: str, stale_seconds: float = 30.0):
        self.path = station_folder / "heartbeat.json"
        self.station = station
        self.stale_seconds = stale_seconds
        self.me = Holder(station, socket.gethostname(), os.getpid(), 0.0, uuid.uuid4().hex)

    def check_free(self) -> None:
        """Raise StationInUseError when another live copy holds the heartbeat. OSError
        (share unreachable) propagates: the caller decides to carry on offline."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            other = Holder(**data)
        except FileNotFoundError:
            return
        except (ValueError, TypeError):
            return                       # a damaged heartbeat is taken over
        if other.token == self.me.token:
            return
        if other.host == self.me.host:
            alive = (pid_alive(other.pid)
                     and abs(time.time() - other.time) < self.stale_seconds)
        else:
            alive = abs(time.time() - other.time) < self.stale_seconds
        if alive:
            raise StationInUseError(_(
                "Workstation '{station}' is already running ({who}), according to {path}. "
                "Close the other copy or give this one a different station.id.").format(
                station=self.station, who=other.describe(), path=self.path))

    def beat(self) -> None:
        self.me.time = time.time()
        self.path.parent.mkdir(exist_ok=True)     # stations/ must exist: never into an empty mount point
        write_atomic(self.path, [json.dumps(self.me.__dict__)])

    def remove(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("token") == self.me.token:
                self.path.unlink()
        except (OSError, ValueError):
            pass
