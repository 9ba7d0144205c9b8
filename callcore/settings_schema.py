"""What settings there are: every key with its default (which gives its type) and every
number's range. Pure data, no file I/O, so the settings dialog (ui/) can build its fields
and checks from the same table that validates ``settings.json`` (callcore/settings.py)."""
from __future__ import annotations

from typing import Any

# Every documented key with its default and its type. Nested one level: section.key.
DEFAULTS: dict[str, dict[str, Any]] = {
    "ami": {"host": "127.0.0.1", "port": 5038, "username": "", "secret": "", "tls": False,
            "tls_ca": "", "tls_verify": True,
            "timeout": 10.0, "server": ""},
    "station": {"id": "", "extension": "", "technology": "PJSIP", "context": "from-internal",
                "user": ""},
    "dial": {"outgoing_prefix": "", "international_prefix": "00", "country_code": "",
             "internal_length": 3},
    "match": {"digits": 10, "min_length": 4, "max_length": 20, "similar": False},
    "popup": {"on_incoming": True, "on_outgoing": True, "silent": False, "bring_to_front": True,
              "auto_close_seconds": 30},
    "notify": {"seconds": 10},
    "store": {"shared_folder": "", "local_folder": "", "sync_interval": 1.0},
    "ui": {"language": "en", "theme": "flatly", "autostart": False},
    "office": {"name": ""},        # printed at the top of every report (REP-1)
    "console": {"status_colours": ""},   # CON-2: "missed=#c62828, answered=#2e7d32, …" over the defaults
    "users": {"passwords": True,    # false: signing in only picks the user (ROLE-1)
              "private_notes": False},   # true: others' call notes by the role rules (ROLE-2)
    "lines": {},   # DID -> note shown in the popup ("trunk info")
    "pbxes": {},   # AMI-4: a list of further PBXs (callcore/pbxes.py); ami.* is the first
    "recordings": {"folder": "", "url_pattern": "", "file_pattern": "{linkedid}.wav"},
    "queues": {"joinable": ""},    # queue names operators may join/leave themselves; * = all
    "campaign": {"countdown_seconds": 30},   # CAMP-3: the preview dialler dials after this
}

# Every number has a range (a test checks): 1e300 seconds or NaN must never reach a thread.
_INT_RANGES = {
    ("ami", "port"): (1, 65535),
    ("match", "digits"): (4, 20),
    ("match", "min_length"): (0, 40),
    ("match", "max_length"): (1, 40),
    ("notify", "seconds"): (0, 3600),
    ("popup", "auto_close_seconds"): (0, 86400),
    ("dial", "internal_length"): (1, 10),
    ("campaign", "countdown_seconds"): (0, 3600),
}
_FLOAT_RANGES = {
    ("ami", "timeout"): (1.0, 300.0),
    ("store", "sync_interval"): (0.25, 3600.0),
}


def number_range(dotted: str) -> tuple[float, float] | None:
    """(lowest, highest) allowed for a numeric setting, e.g. ``ami.port`` → (1, 65535)."""
    section, _sep, key = dotted.partition(".")
    return _INT_RANGES.get((section, key)) or _FLOAT_RANGES.get((section, key))
