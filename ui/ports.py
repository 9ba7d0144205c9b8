"""The one door between the operator window and the rest of the app.

The UI never speaks AMI and never touches files: everything it needs goes through an
object satisfying :class:`OperatorServices`, which the integrator (``operator_app.py``)
implements with the real store, directory and AMI connection, and tests implement with
a small fake. Every method is called on the Tk main thread, so each must return quickly
(hand slow work to a background thread; results come back as domain events).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, Sequence, runtime_checkable

from callcore.records import CallRecord, Contact, Phone


@dataclass(frozen=True)
class PopupSettings:
    """When and how call popups open (SPEC POP-5; settings ``popup.*``)."""

    on_incoming: bool = True
    on_outgoing: bool = True
    silent: bool = False          # open the popup minimised
    bring_to_front: bool = True   # raise popup and main window, take focus

    @classmethod
    def from_section(cls, popup: dict[str, Any]) -> "PopupSettings":
        """Build from the ``popup`` section of :class:`callcore.settings.Settings`."""
        return cls(on_incoming=bool(popup.get("on_incoming", True)),
                   on_outgoing=bool(popup.get("on_outgoing", True)),
                   silent=bool(popup.get("silent", False)),
                   bring_to_front=bool(popup.get("bring_to_front", True)))


class MatchLike(Protocol):
    """One directory hit for a number (``callcore.directory.Match`` fits)."""

    contact: Contact
    phone: Phone | str            # the contact's phone that matched
    kind: str                     # "exact" or "similar" (same number but the last digit)


@runtime_checkable
class OperatorServices(Protocol):
    """What the operator window needs from the application. Called on the Tk thread only."""

    extension: str
    """This workstation's extension, e.g. ``"201"``; only its legs are shown and pop up."""

    is_demo: bool
    """True in ``--demo`` mode: the UI labels itself DEMO everywhere."""

    notify_seconds: int
    """How long desktop notifications (and the in-app toast) stay, in seconds."""

    popup_settings: PopupSettings
    """Read at every new call, so a settings change applies to the next call."""

    def connect(self) -> None:
        """Ask the AMI connection to (re)connect. Non-blocking: the outcome arrives as
        ``ConnectionStateChanged`` events."""

    def disconnect(self) -> None:
        """Switch the AMI connection off (the user wants it off). Non-blocking."""

    def hangup(self, leg_id: str) -> None:
        """Hang up the extension's channel ``leg_id`` (an Asterisk Uniqueid). Non-blocking."""

    def lookup(self, number: str) -> Sequence[MatchLike]:
        """Every directory entry whose phone matches ``number``, best first. In-memory, fast."""

    def recent_calls(self, number: str, limit: int = 5) -> list[CallRecord]:
        """The last ``limit`` logged calls with this number, newest first. May read the
        call log: the UI calls it from a worker thread."""

    def save_notes(self, call_id: str, text: str) -> None:
        """Store the call notes typed in a popup (debounced while typing, and on close).
        Must commit locally before returning or hand off to a writer that never drops it."""

    def load_notes(self, call_id: str) -> str:
        """Notes already saved for this call ('' when none), e.g. after a popup reopened."""

    def line_note(self, line: str) -> str:
        """The per-DID note ("trunk info") for the line that was dialled, '' when none."""

    def store_problems(self) -> list[str]:
        """User-readable messages about damaged files set aside by the store ([] when fine)."""

    def settings_values(self) -> dict[str, dict[str, Any]]:
        """Current settings as nested sections (``{"ami": {...}, ...}``) for the settings
        dialog. The AMI secret may be included; the UI never logs it."""

    def save_settings(self, values: dict[str, dict[str, Any]]) -> None:
        """Validate and persist settings from the settings dialog. Raises ``ValueError``
        (e.g. ``SettingsError``) with a user-readable message when refused."""
