"""Settings as the settings dialog sees them. (``ui.ports.SettingsPort``)"""
from __future__ import annotations

from typing import Any

from ..i18n import _
from ..settings import Settings, save_user_settings


class PreferencesFeature:
    def __init__(self, settings: Settings, *, is_demo: bool = False):
        self.settings = settings
        self.is_demo = is_demo

    def popup_section(self) -> dict[str, Any]:
        """``popup.*`` as it is now (the dialog's changes apply to the next call)."""
        return dict(self.settings.section("popup"))

    def settings_values(self) -> dict[str, dict[str, Any]]:
        return {k: dict(v) for k, v in self.settings.data.items()}

    def save_settings(self, values: dict[str, dict[str, Any]]) -> None:
        """Per-user overrides; they take effect at the next start (the dialog says so)."""
        if self.is_demo:
            raise ValueError(_("settings cannot be changed in the demo"))
        save_user_settings(values)
        popup = values.get("popup")
        if isinstance(popup, dict):          # validated above: popups follow at once
            self.settings.section("popup").update(popup)
