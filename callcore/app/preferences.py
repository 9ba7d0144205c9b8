"""Settings as the settings dialog sees them. (``ui.ports.SettingsPort``)"""
from __future__ import annotations

from typing import Any

from ..i18n import _
from ..settings import Settings, save_user_settings


class PopupPrefs:
    """When and how popups open (``ui.ports.PopupSettings`` has the same shape)."""

    def __init__(self, popup: dict[str, Any]):
        self.on_incoming = bool(popup["on_incoming"])
        self.on_outgoing = bool(popup["on_outgoing"])
        self.silent = bool(popup["silent"])
        self.bring_to_front = bool(popup["bring_to_front"])
        self.auto_close_seconds = int(popup.get("auto_close_seconds", 30))


class PreferencesFeature:
    def __init__(self, settings: Settings, *, is_demo: bool = False):
        self.settings = settings
        self.is_demo = is_demo

    def popup_prefs(self) -> PopupPrefs:
        return PopupPrefs(self.settings.section("popup"))

    def settings_values(self) -> dict[str, dict[str, Any]]:
        return {k: dict(v) for k, v in self.settings.data.items()}

    def save_settings(self, values: dict[str, dict[str, Any]]) -> None:
        """Per-user overrides; they take effect at the next start (the dialog says so)."""
        if self.is_demo:
            raise ValueError(_("settings cannot be changed in the demo"))
        save_user_settings(values)
