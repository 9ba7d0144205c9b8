"""Settings: office defaults in ``settings.json`` beside the program, per-user overrides in
the user's config folder (platformdirs), validated field by field.

A wrong value never gets far: :class:`SettingsError` names the field as the settings dialog
labels it (the dotted key follows for admins) and the problem, e.g.
``AMI port (ami.port): must be a whole number from 1 to 65535, not 'abc'``.
"""
from __future__ import annotations

import copy
import json
import logging
import math
import os
import socket
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .i18n import _
from .settings_labels import setting_label

log = logging.getLogger(__name__)

APP_NAME = "operator-app"

from .settings_schema import _FLOAT_RANGES, _INT_RANGES, DEFAULTS, number_range  # noqa: F401 - re-exported


class SettingsError(ValueError):
    """An invalid settings file; ``field`` is the dotted key (``ami.port``), ``label`` what
    the user sees for it (``AMI port``); the message leads with the label."""

    def __init__(self, field: str, problem: str, path: Path | None = None):
        self.field = field
        self.problem = problem
        self.path = path
        self.label = setting_label(field)
        if field == "(file)":
            text = _("{file} {problem}").format(file=path or _("The settings file"), problem=problem)
        else:
            named = self.label if self.label == field else _("{label} ({key})").format(
                label=self.label, key=field)
            text = _("{field}: {problem}").format(field=named, problem=problem)
            if path:
                text = f"{path}: {text}"
        super().__init__(text)


def program_folder() -> Path:
    """Folder of the executable (frozen) or of operator_app.py (source)."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(__file__).resolve().parent.parent


def user_config_file() -> Path:
    import platformdirs
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "settings.json"


def default_local_folder() -> Path:
    import platformdirs
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


@dataclass
class Settings:
    """Validated settings. ``get('ami.port')`` reads a dotted key."""

    data: dict[str, dict[str, Any]]
    path: Path | None = None

    def get(self, dotted: str) -> Any:
        section, key = dotted.split(".", 1)
        return self.data[section][key]

    def section(self, name: str) -> dict[str, Any]:
        return self.data[name]

    @property
    def station_id(self) -> str:
        return self.get("station.id") or socket.gethostname()

    @property
    def local_folder(self) -> Path:
        value = self.get("store.local_folder")
        return self.resolve_path(value) if value else default_local_folder() / "store"

    @property
    def shared_folder(self) -> Path | None:
        value = self.get("store.shared_folder")
        return self.resolve_path(value) if value else None

    def resolve_path(self, value: str | Path) -> Path:
        """A folder named in the settings: a relative one is relative to the settings file
        (never to the current folder), so the window, the recorder and the command line
        started from anywhere open the same store."""
        path = Path(value).expanduser()
        if path.is_absolute() or self.path is None:
            return path
        return self.path.resolve().parent / path

    def redacted(self) -> dict[str, dict[str, Any]]:
        """A copy safe for logs and the shared folder: the AMI secret is never in it."""
        copy_ = copy.deepcopy(self.data)
        if copy_["ami"].get("secret"):
            copy_["ami"]["secret"] = "********"
        for entry in copy_.get("pbxes") or []:      # AMI-4: every PBX's secret
            if isinstance(entry, dict) and entry.get("secret"):
                entry["secret"] = "********"
        return copy_


def _shown(value: Any) -> str:
    """The wrong value as the message quotes it: short, whatever was typed."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _check_value(section: str, key: str, value: Any, default: Any) -> Any:
    field = f"{section}.{key}"
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise SettingsError(field, _("must be true or false, not {value}").format(value=_shown(value)))
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            lo, hi = _INT_RANGES.get((section, key), (None, None))
            if lo is not None:
                raise SettingsError(field, _("must be a whole number from {lo} to {hi}, not {value}").format(
                    lo=lo, hi=hi, value=_shown(value)))
            raise SettingsError(field, _("must be a whole number, not {value}").format(value=_shown(value)))
        lo, hi = _INT_RANGES.get((section, key), (None, None))
        if lo is not None and not lo <= value <= hi:
            raise SettingsError(field, _("must be a whole number from {lo} to {hi}, not {value}").format(
                lo=lo, hi=hi, value=_shown(value)))
        return value
    if isinstance(default, float):
        lo, hi = _FLOAT_RANGES[(section, key)]
        if (isinstance(value, bool) or not isinstance(value, (int, float))
                or (isinstance(value, float) and not math.isfinite(value)) or not lo <= value <= hi):
            raise SettingsError(field, _("must be a number from {lo:g} to {hi:g}, not {value}").format(
                lo=lo, hi=hi, value=_shown(value)))
        return float(value)
    if isinstance(default, str):
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise SettingsError(field, _("must be text, not {value}").format(value=_shown(value)))
        return str(value)
    if isinstance(default, dict):
        if not isinstance(value, dict):
            raise SettingsError(field, _("must be an object, not {value}").format(value=_shown(value)))
        return value
    return value


def _merge(base: dict[str, dict[str, Any]], overlay: Any, path: Path | None) -> None:
    if not isinstance(overlay, dict):
        raise SettingsError("(file)", _("must be a JSON object"), path)
    for section, values in overlay.items():
        if section.startswith("_"):
            continue  # comments
        if section not in DEFAULTS:
            raise SettingsError(section, _("unknown section (known: {known})").format(
                known=", ".join(DEFAULTS)), path)
        if section == "pbxes":            # AMI-4: a list, checked entry by entry
            base["pbxes"] = _checked_pbxes(values, base, path)
            continue
        if section == "lines":
            if not isinstance(values, dict):
                raise SettingsError("lines", _("must be an object mapping a line to its note"), path)
            base["lines"] = {str(k): str(v) for k, v in values.items()}
            continue
        if not isinstance(values, dict):
            raise SettingsError(section, _("must be an object, not {value!r}").format(value=values), path)
        for key, value in values.items():
            if key.startswith("_"):
                continue
            if key not in DEFAULTS[section]:
                raise SettingsError(f"{section}.{key}", _("unknown setting"), path)
            try:
                base[section][key] = _check_value(section, key, value, DEFAULTS[section][key])
            except SettingsError as exc:
                raise SettingsError(exc.field, exc.problem, path) from None


def _checked_pbxes(values: Any, base: dict[str, Any], path: Path | None) -> list[dict[str, Any]]:
    """The ``pbxes`` list (callcore/pbxes.py), or a SettingsError naming the PBX and key."""
    from .pbxes import PbxListError, parse_pbx_list
    try:
        parse_pbx_list(values, str(base.get("ami", {}).get("server") or ""))
    except PbxListError as exc:
        raise SettingsError("pbxes", str(exc) if exc.index >= 0 else exc.problem, path) from None
    return copy.deepcopy(values) if isinstance(values, list) else []


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SettingsError("(file)", _("is not valid JSON: {error} (line {line}, column {col})").format(
            error=exc.msg, line=exc.lineno, col=exc.colno), path) from None
    except UnicodeDecodeError:
        raise SettingsError("(file)", _("is not UTF-8 text"), path) from None


def load_settings(path: Path | None = None, user_file: Path | None | bool = None) -> Settings:
    """Load office defaults (``path`` or settings.json beside the program) plus the per-user
    overrides. Raises FileNotFoundError when neither exists (first run) and
    :class:`SettingsError` when anything is invalid. ``user_file=False`` skips overrides
    (used by ``--settings``, so tests and scripts see exactly one file)."""
    office = path or program_folder() / "settings.json"
    data = copy.deepcopy(DEFAULTS)
    user = None
    if user_file is not False:
        user = user_file if isinstance(user_file, Path) else user_config_file()
        user = user if user.is_file() else None
    if office.is_file():
        _merge(data, _read_json(office), office)
    elif path is not None or user is None:
        raise FileNotFoundError(str(office))
    if user is not None:
        _keep_private(user)
        _merge(data, _read_json(user), user)
    if data["match"]["min_length"] > data["match"]["max_length"]:
        raise SettingsError("match.min_length", _("must not be more than {other}").format(
            other=setting_label("match.max_length")), office)
    return Settings(data=data, path=office)


def settings_from_dict(values: dict[str, dict[str, Any]], path: Path | None = None) -> Settings:
    """Validated settings from an in-memory dict (demo mode, tests), same rules as a file."""
    data = copy.deepcopy(DEFAULTS)
    _merge(data, values, path)
    return Settings(data=data, path=path)


def save_user_settings(values: dict[str, dict[str, Any]], user_file: Path | None = None) -> Path:
    """Write per-user overrides (validated first) to the user's config folder: they hold the
    AMI secret, so the file is private and replaced atomically (see :func:`write_private`)."""
    target = user_file or user_config_file()
    _merge(copy.deepcopy(DEFAULTS), values, target)
    write_private(target, json.dumps(values, ensure_ascii=False, indent=2) + "\n")
    return target


def write_private(target: Path, text: str) -> None:
    """Replace ``target`` with ``text`` so that a crash or a full disk leaves the old file
    or the new one, never half of one, and nobody else can read it at any moment.

    The temporary file is created by ``mkstemp`` (``O_EXCL``, mode 0600 on POSIX, so it is
    never briefly world-readable), written, fsync'd, then ``os.replace``d over the target
    and the folder fsync'd. On Windows the per-user config folder's ACL keeps it private;
    ``os.replace`` is retried briefly there because a virus scanner or indexer may hold
    the old file open."""
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        _replace(tmp, target)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    if os.name == "posix":
        try:
            dir_fd = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError:
            pass


def _keep_private(path: Path) -> None:
    """A per-user file written by an older version may be readable by others: close it."""
    if os.name != "posix":
        return
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
    except OSError:
        log.warning("cannot make %s readable only by its user", path)


def _replace(source: Path, target: Path, attempts: int = 20) -> None:
    for attempt in range(attempts):
        try:
            os.replace(source, target)
            return
        except PermissionError:   # Windows: the target is open in another process for a moment
            if os.name != "nt" or attempt == attempts - 1:
                raise
            time.sleep(0.05)
