"""Settings as the settings dialog sees them. (``ui.ports.SettingsPort``)"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from ..i18n import _
from ..autostart import set_autostart
from ..settings import DEFAULTS, Settings, load_settings, save_user_settings


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

    def popup_section(self) -> dict[str, Any]:
        """``popup.*`` as it is now (the dialog's changes apply to the next call)."""
        return dict(self.settings.section("popup"))

    def settings_values(self) -> dict[str, dict[str, Any]]:
        return {k: dict(v) for k, v in self.settings.data.items()}

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
