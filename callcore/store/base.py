"""Types every store module shares (the engine, the checker, the share code), kept in a
module of their own so those modules never import each other in a circle."""
from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path

from ..i18n import _


class StoreError(RuntimeError):
    """The store cannot be opened or used (bad station id, unusable folder)."""


@dataclass(frozen=True)
class StoreProblem:
    path: Path
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


def reason(exc: OSError) -> str:
    """A short, translated cause a user can act on (disk full, permission denied …)."""
    code = exc.errno or 0
    if code == errno.ENOSPC:
        return _("the disk is full")
    if code == errno.EDQUOT:
        return _("the disk quota is used up")
    if code in (errno.EACCES, errno.EPERM):
        return _("permission denied")
    if code == errno.EROFS:
        return _("the folder is read-only")
    return exc.strerror or str(exc)


def is_write_denied(exc: OSError) -> bool:
    """Writing there cannot work for now (permission, read-only, full), but reading can."""
    return (exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT)
            or isinstance(exc, PermissionError))


class StoreIOError(OSError):
    """An OSError that names the file and says why in words (it stays an OSError, so
    callers that retry on OSError keep doing so)."""

    def __init__(self, action: str, path: Path, cause: OSError):
        super().__init__(cause.errno, cause.strerror or str(cause), str(path))
        self.action = action
        self.path = Path(path)
        self.cause = cause

    def __str__(self) -> str:
        return _("cannot {action} {path}: {reason}").format(action=self.action, path=self.path,
                                                           reason=reason(self.cause))


def named(action: str, path: Path, exc: OSError) -> OSError:
    """``exc`` as a StoreIOError naming ``path`` (unchanged if it already names a file)."""
    if isinstance(exc, StoreIOError):
        return exc
    return StoreIOError(action, path, exc)
