"""The name a user sees for each setting: one table for the settings dialog and for
settings errors, so "Compare last digits: must be …" reads the same in both places.

Built on demand (a function, not a constant) so the labels follow the active language.
"""
from __future__ import annotations

from .i18n import _


def setting_labels() -> dict[str, str]:
    """Dotted key → translated label, for every setting (and each settings section)."""
    return {
        "ami": _("PBX connection"),
        "ami.host": _("Asterisk host"),
        "ami.port": _("AMI port"),
        "ami.username": _("AMI username"),
        "ami.secret": _("AMI secret"),
        "ami.tls": _("Use TLS"),
        "ami.tls_ca": _("TLS certificate to trust"),
        "ami.tls_verify": _("Check the PBX's TLS certificate"),
        "ami.timeout": _("AMI reply timeout (seconds)"),
        "ami.server": _("PBX name"),
        "station": _("Workstation"),
        "station.id": _("Workstation id"),
        "station.extension": _("Extension"),
        "station.technology": _("Technology"),
        "station.context": _("Dial context"),
        "station.user": _("User name"),
        "dial": _("Dialling"),
        "dial.outgoing_prefix": _("Outside line prefix"),
        "dial.international_prefix": _("International prefix"),
        "dial.country_code": _("Country code"),
        "dial.internal_length": _("Length of internal numbers"),
        "match": _("Number matching"),
        "match.digits": _("Compare last digits"),
        "match.min_length": _("Shortest outside number"),
        "match.max_length": _("Longest number"),
        "match.similar": _("Also match similar numbers (last digit differs)"),
        "popup": _("Popups"),
        "popup.on_incoming": _("Popup on incoming calls"),
        "popup.on_outgoing": _("Popup on outgoing calls"),
        "popup.silent": _("Silent: open popups minimised"),
        "popup.bring_to_front": _("Bring the window to the front"),
        "popup.auto_close_seconds": _("Close an ended call's popup after (seconds)"),
        "campaign": _("Campaigns"),
        "campaign.countdown_seconds": _("Preview dialler countdown (seconds)"),
        "notify": _("Notifications"),
        "notify.seconds": _("Notification seconds"),
        "store": _("Storage"),
        "store.shared_folder": _("Shared folder"),
        "store.local_folder": _("Local folder"),
        "store.sync_interval": _("Sync interval (seconds)"),
        "ui": _("Appearance"),
        "ui.language": _("Language"),
        "ui.theme": _("Theme"),
        "ui.autostart": _("Start the app when I sign in to the computer"),
        "office": _("Office"),
        "office.name": _("Office name (report header)"),
        "console": _("Call console"),
        "console.status_colours": _("Status colours (status=#rrggbb, …)"),
        "lines": _("Line notes"),
        "pbxes": _("Other PBXs"),
        "recordings": _("Call recordings"),
        "recordings.folder": _("Recordings folder"),
        "recordings.url_pattern": _("Recording address (URL pattern)"),
        "recordings.file_pattern": _("Recording file name"),
        "queues": _("Queues"),
        "queues.joinable": _("Queues operators may join themselves"),
        "users": _("Users"),
        "users.passwords": _("Users sign in with a password"),
        "users.private_notes": _("Call notes of others only by role"),
    }


def setting_label(dotted: str) -> str:
    """The label for ``dotted``; the key itself for one without a label (a typo)."""
    return setting_labels().get(dotted, dotted)
