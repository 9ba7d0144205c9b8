"""``<local>/identity.json``: who this local folder has been, kept apart from
``state.json`` (rewritten at every checkpoint) so that losing the state, or renaming the
PC (a new station id for the same folder), never loses track of which journal lines are
this workstation's own and still have to reach the share. Written rarely: when a new
device id is taken and when the share is first identified."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import _
from .files import write_atomic
from .tablefiles import DamagedFile

FORMAT = 1


@dataclass
class LocalIdentity:
    share_id: str = ""                                   # the share this folder syncs with
    devices: list[str] = field(default_factory=list)     # every "<station>#<epoch>" used here, oldest first


def read_identity(path: Path) -> LocalIdentity | None:
    """None when there is none; DamagedFile when it does not parse."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        return None
    except (UnicodeDecodeError, ValueError) as exc:
        raise DamagedFile(path, _("does not parse: {error}").format(error=str(exc)[:80])) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise DamagedFile(path, _("is not a store identity file"))
    devices = [d for d in data.get("devices") or [] if isinstance(d, str) and "#" in d]
    share_id = data.get("share_id") if isinstance(data.get("share_id"), str) else ""
    return LocalIdentity(share_id, devices)


def write_identity(path: Path, identity: LocalIdentity) -> None:
    write_atomic(path, [json.dumps({"format": FORMAT, "share_id": identity.share_id,
                                    "devices": identity.devices}, indent=1)])
