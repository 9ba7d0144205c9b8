"""Log files a user can send: one rotating file per mode, secrets masked, crashes recorded.

Why one file per mode (``operator-window.log``, ``operator-recorder.log``,
``operator-cli.log``): the window and the recorder may run at once on one PC, and on
Windows two processes cannot rotate the same file. The files live in the per-user log
folder (platformdirs), so a user can zip that folder and send it.

Why redaction here and not at each call site: a secret slips into a log by accident (a
settings dict, an AMI Login action, an exception message). Every record is cleaned on its
way out: registered secrets (``add_secret``, e.g. the AMI secret) wherever they appear,
plus any ``Secret: x`` AMI header or ``"secret": "x"`` / ``password=x`` value.

Why exception hooks: the window runs without a console (pythonw); an uncaught exception
in the main thread, a worker thread, an asyncio task or a Tk callback would otherwise
vanish without a trace.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import logging.handlers
import os
import re
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, Mapping

from .i18n import _

APP_NAME = "operator-app"
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 5
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MASK = "********"
MIN_SECRET_LENGTH = 3      # shorter "secrets" would mask every such letter in the log
FORMAT = "%(asctime)s %(levelname)-7s [%(process)d %(threadName)s] %(name)s: %(message)s"

log = logging.getLogger(__name__)
crash_log = logging.getLogger("callcore.crash")

_MODE = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
# key (secret, password, …), an optional closing quote, ':' or '=', then the value:
# double-quoted, single-quoted, or bare up to the end of the line / a separator.
_KEYED_SECRET = re.compile(
    r"""(?ix)
    ((?:secret|password|passwd|pwd)["']?\s*[:=]\s*)
    ( "(?:[^"\\]|\\.)*"
    | '(?:[^'\\]|\\.)*'
    | (?!["'])[^\s"',;}\]\\]+(?:[ \t]+[^\s"',;}\]\\:=]+)*
    )""")

_secrets: set[str] = set()
_secrets_lock = threading.Lock()
_handler: logging.Handler | None = None
_setup_lock = threading.Lock()


class LogLevelError(ValueError):
    """``--log-level`` got a name that is not a log level."""


# ----------------------------------------------------------------------------- redaction
def add_secret(value: Any) -> None:
    """Mask ``value`` in every log record from now on (also its repr/JSON/bytes forms)."""
    text = "" if value is None else str(value)
    if len(text) < MIN_SECRET_LENGTH:
        return
    forms = {text, repr(text)[1:-1], json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1],
             repr(text.encode("utf-8"))[2:-1]}
    with _secrets_lock:
        _secrets.update(f for f in forms if len(f) >= MIN_SECRET_LENGTH)


def _mask_value(match: re.Match) -> str:
    value = match.group(2)
    if value[:1] in "\"'" and len(value) >= 2:
        return f"{match.group(1)}{value[0]}{MASK}{value[-1]}"
    return match.group(1) + MASK


def redact(text: str) -> str:
    """``text`` with every registered secret and every keyed secret value masked."""
    if not text:
        return text
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)   # longest first: no partial leftovers
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    lowered = text.lower()
    if "secret" not in lowered and "pass" not in lowered and "pwd" not in lowered:
        return text                      # the common line: no regex needed
    return _KEYED_SECRET.sub(_mask_value, text)


class RedactFilter(logging.Filter):
    """Cleans the record itself (message, exception text, stack), so every handler after
    this one sees the masked text too. Always lets the record through."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what there is
            message = f"{record.msg!r} % {record.args!r}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record._redacted = True  # type: ignore[attr-defined]
        return True


class RedactingFormatter(logging.Formatter):
    """Last line of defence: masks the finished line, whatever went into it."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


# ----------------------------------------------------------------------------- levels
def parse_log_level(text: str) -> str:
    """``"debug"`` → ``"DEBUG"``; anything else → :class:`LogLevelError` naming the valid ones."""
    name = str(text or "").strip().upper()
    if name == "WARN":
        name = "WARNING"
    if name not in LEVELS:
        raise LogLevelError(_("unknown log level {level!r}; use one of: {levels}").format(
            level=text, levels=", ".join(LEVELS)))
    return name


def log_level_arg(text: str) -> str:
    """argparse ``type=`` for ``--log-level``: the error message names the valid levels."""
    try:
        return parse_log_level(text)
    except LogLevelError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_log_level_argument(parser: argparse.ArgumentParser, default: str = "INFO") -> None:
    """Add ``--log-level`` to ``parser`` (case-insensitive, checked)."""
    parser.add_argument("--log-level", type=log_level_arg, default=default, metavar="LEVEL",
                        help=_("detail of the log file: {levels} (default: {default})").format(
                            levels=", ".join(LEVELS), default=default))


# ----------------------------------------------------------------------------- files
def log_folder() -> Path:
    """The per-user log folder (e.g. ``%LOCALAPPDATA%\\operator-app\\Logs`` on Windows)."""
    import platformdirs
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def log_path(mode: str, folder: Path | None = None) -> Path:
    """Where ``mode``'s log file is: ``<folder>/operator-<mode>.log``."""
    if not _MODE.match(mode or ""):
        raise ValueError(f"log mode must be a short lower-case word, not {mode!r}")
    return (folder or log_folder()) / f"operator-{mode}.log"


def _open_handler(path: Path) -> logging.Handler:
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                   encoding="utf-8")
    handler.setFormatter(RedactingFormatter(FORMAT))
    handler.addFilter(RedactFilter())
    return handler


def setup_logging(mode: str, level: str = "INFO", folder: Path | None = None) -> Path:
    """Log to ``operator-<mode>.log`` (rotating, 5 × 2 MB, UTF-8) and return its path.

    Idempotent: calling again only changes the level (or moves to another file). When the
    folder cannot be written, the file goes to the temp folder instead of failing start-up.
    Every handler already on the root logger also gets the redaction filter."""
    level_name = parse_log_level(level)
    path = log_path(mode, folder)
    problem = ""
    global _handler
    with _setup_lock:
        root = logging.getLogger()
        current = _handler
        if current is None or getattr(current, "_callcore_wanted", None) != path:
            try:
                handler = _open_handler(path)
            except OSError as exc:
                problem = f"cannot write the log folder {path.parent} ({exc})"
                handler = _open_handler(log_path(mode, Path(tempfile.gettempdir()) / APP_NAME))
            if current is not None:
                root.removeHandler(current)
                current.close()
            handler._callcore_wanted = path  # type: ignore[attr-defined]
            root.addHandler(handler)
            _handler = current = handler
            started = True
        else:
            started = False
        for other in root.handlers:
            if not any(isinstance(f, RedactFilter) for f in other.filters):
                other.addFilter(RedactFilter())
        root.setLevel(level_name)
        logging.captureWarnings(True)
    if started:
        log.info("%s started: pid %d, Python %s, %s; log level %s", mode, os.getpid(),
                 sys.version.split()[0], sys.platform, level_name)
    if problem:
        log.warning("%s; logging here instead", problem)
    return Path(getattr(current, "baseFilename", path))


# ----------------------------------------------------------------------------- crashes
def _log_uncaught(exc_type: type[BaseException], exc: BaseException, tb: Any, where: str,
                  level: int = logging.CRITICAL) -> None:
    crash_log.log(level, "uncaught exception in %s: %s: %s", where, exc_type.__name__, exc,
                  exc_info=(exc_type, exc, tb))


def install_exception_hooks() -> None:
    """Log uncaught exceptions of the main thread (``sys.excepthook``) and of every
    other thread (``threading.excepthook``); the previous hooks still run after (console
    output for whoever has a console). Idempotent."""
    previous_sys = sys.excepthook
    if not getattr(previous_sys, "_callcore_hook", False):
        def sys_hook(exc_type: type[BaseException], exc: BaseException, tb: Any) -> None:
            if not issubclass(exc_type, KeyboardInterrupt):
                _log_uncaught(exc_type, exc, tb, "the main thread")
            previous_sys(exc_type, exc, tb)
        sys_hook._callcore_hook = True  # type: ignore[attr-defined]
        sys.excepthook = sys_hook

    previous_thread = threading.excepthook
    if not getattr(previous_thread, "_callcore_hook", False):
        def thread_hook(args: Any) -> None:
            if args.exc_type is not SystemExit:
                name = args.thread.name if args.thread is not None else "?"
                _log_uncaught(args.exc_type, args.exc_value, args.exc_traceback,
                              f"thread {name}")
            previous_thread(args)
        thread_hook._callcore_hook = True  # type: ignore[attr-defined]
        threading.excepthook = thread_hook


def asyncio_exception_handler(loop: asyncio.AbstractEventLoop, context: Mapping[str, Any]) -> None:
    """For ``loop.set_exception_handler``: a failed task or callback nobody awaited."""
    exc = context.get("exception")
    message = context.get("message") or "asyncio error"
    source = context.get("task") or context.get("future") or context.get("handle")
    where = f" ({type(source).__name__})" if source is not None else ""
    if isinstance(exc, BaseException):
        crash_log.error("asyncio: %s%s: %s: %s", message, where, type(exc).__name__, exc,
                        exc_info=(type(exc), exc, exc.__traceback__))
    else:
        crash_log.error("asyncio: %s%s", message, where)


def tk_report_callback_exception(root: Any) -> None:
    """Make Tk log an exception raised in a widget callback (default: stderr only).
    ``root`` is the Tk root; callcore never imports tkinter, so any object will do."""
    def report(exc_type: type[BaseException], exc: BaseException, tb: Any) -> None:
        _log_uncaught(exc_type, exc, tb, "a window callback", logging.ERROR)   # the window lives on
    root.report_callback_exception = report
