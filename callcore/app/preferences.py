"""Settings as the settings dialog sees them. (``ui.ports.SettingsPort``)"""
from __future__ import annotations

import concurrent.futures
import copy
import logging
import threading
from pathlib import Path
from typing import Any

from ..i18n import _
from ..ami.connection import AmiConnection
from ..autostart import set_autostart
from ..events import ConnectionStateChanged
from ..logs import add_secret
from ..settings import (DEFAULTS, Settings, SettingsError, load_settings, save_user_settings,
                        settings_from_dict)

log = logging.getLogger(__name__)


class PreferencesFeature:
    def __init__(self, settings: Settings, *, is_demo: bool = False):
        self.settings = settings
        self.is_demo = is_demo

    def overrides(self, values: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """Only what differs from the office's settings file: this workstation's own
        overrides (PKG-2), so a later change of an office default still reaches it."""
        office = self.office_defaults()
        out: dict[str, dict[str, Any]] = {}
        for section, keys in values.items():
            if section == "pbxes":            # AMI-4: the list as a whole
                if (keys or []) != (office.get("pbxes") or []):
                    out["pbxes"] = copy.deepcopy(keys)
                continue
            if not isinstance(keys, dict):
                continue
            if section == "lines":
                if keys != office.get("lines", {}):
                    out["lines"] = dict(keys)
                continue
            changed = {k: v for k, v in keys.items() if office.get(section, {}).get(k) != v}
            if changed:
                out[section] = changed
        return out

    def office_defaults(self) -> dict[str, dict[str, Any]]:
        """The office file's values (with the built-in defaults), without this user's."""
        path = self.settings.path
        if path is not None and Path(path).is_file():
            try:
                return load_settings(Path(path), user_file=False).data
            except (OSError, ValueError):
                pass
        return copy.deepcopy(DEFAULTS)

    def test_connection(self, ami: dict[str, Any]) -> concurrent.futures.Future:
        """Try these ``ami.*`` values once (the dialog's Test connection button): a future
        of (ok, sentence). Never touches the running connection; the secret is not logged."""
        future: concurrent.futures.Future = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(try_login(ami))
            except Exception as exc:  # noqa: BLE001 - the sentence is the result
                log.exception("connection test failed")
                future.set_result((False, str(exc)))
        threading.Thread(target=run, name="ami-test", daemon=True).start()
        return future

    def popup_section(self) -> dict[str, Any]:
        """``popup.*`` as it is now (the dialog's changes apply to the next call)."""
        return dict(self.settings.section("popup"))

    def settings_values(self) -> dict[str, dict[str, Any]]:
        return {k: dict(v) if isinstance(v, dict) else copy.deepcopy(v)   # pbxes: a list
                for k, v in self.settings.data.items()}

    def save_settings(self, values: dict[str, dict[str, Any]]) -> None:
        """Per-user overrides; they take effect at the next start (the dialog says so)."""
        if self.is_demo:
            raise ValueError(_("settings cannot be changed in the demo"))
        save_user_settings(self.overrides(values))
        if "autostart" in values.get("ui", {}):
            try:
                set_autostart(bool(values["ui"]["autostart"]))
            except OSError as exc:
                raise ValueError(_("the settings were saved, but starting with the computer "
                                   "could not be set up: {error}").format(error=exc)) from None
        popup = values.get("popup")
        if isinstance(popup, dict):          # validated above: popups follow at once
            self.settings.section("popup").update(popup)


def try_login(ami: dict[str, Any], wait: float | None = None) -> tuple[bool, str]:
    """Connect, log in, disconnect: (True, "Connected to …") or (False, why not)."""
    try:
        settings = settings_from_dict({"ami": ami})
    except SettingsError as exc:
        return False, str(exc)
    add_secret(settings.get("ami.secret"))
    done = threading.Event()
    seen: list[ConnectionStateChanged] = []

    def on_event(event: Any) -> None:
        if isinstance(event, ConnectionStateChanged) and event.status in (
                "connected", "failing", "auth_failed"):
            seen.append(event)
            done.set()
    connection = AmiConnection.from_settings(settings, on_event=on_event)
    connection.start()
    try:
        done.wait(wait if wait is not None else float(settings.get("ami.timeout")) + 2)
    finally:
        connection.stop()
    if not seen:
        return False, _("No answer from the PBX at {host}:{port}").format(
            host=settings.get("ami.host"), port=settings.get("ami.port"))
    event = seen[0]
    if event.status == "connected":
        return True, _("Connected to the PBX at {host}:{port} and logged in.").format(
            host=settings.get("ami.host"), port=settings.get("ami.port"))
    return False, event.reason or event.status
