"""Speed dial (OUT-5): nine entries per user group, shared by every workstation.

Kept in the store's ``office_settings`` table under ``speed_dial:<group id>`` (one JSON
text per group), so an edit made on one workstation reaches the others through the normal
sync. The group is that of the station's user (``station.user`` by name, else the user on
``station.extension``); a station without one uses the ``default`` group.
(``ui.ports.SpeedDialPort``)
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from ..ami.commands import Refused, clean_number
from ..i18n import _
from ..records import OfficeSetting, RecordError
from ..store import Store

log = logging.getLogger(__name__)

SLOTS = range(1, 10)
DEFAULT_GROUP = "default"
KEY_PREFIX = "speed_dial:"


@dataclass(frozen=True)
class SpeedDialEntry:
    slot: int           # 1..9: Ctrl+<slot> in the dial pad
    name: str = ""
    number: str = ""

    @property
    def empty(self) -> bool:
        return not self.number


class SpeedDialFeature:
    def __init__(self, store: Store, *, user_name: str = "", extension: str = ""):
        self.store = store
        self.user_name = user_name
        self.extension = extension

    def group(self) -> str:
        """The group id whose entries this station shows."""
        users = list(self.store.users.all(copy=False))
        mine = ([u for u in users if self.user_name and u.name == self.user_name]
                or [u for u in users if self.extension and u.extension == self.extension])
        for user in mine:
            if user.group_id:
                return user.group_id
        return DEFAULT_GROUP

    def group_name(self, group: str | None = None) -> str:
        group = group or self.group()
        record = self.store.groups.get(group) if group != DEFAULT_GROUP else None
        return record.name if record is not None else _("Everyone")

    def entries(self, group: str | None = None) -> list[SpeedDialEntry]:
        """All nine slots in order (empty ones too)."""
        stored = self._load(group or self.group())
        return [stored.get(slot, SpeedDialEntry(slot)) for slot in SLOTS]

    def number(self, slot: int, group: str | None = None) -> str:
        return self._load(group or self.group()).get(slot, SpeedDialEntry(slot)).number

    def set_entry(self, slot: int, name: str, number: str, group: str | None = None) -> SpeedDialEntry:
        """Store one slot for the group; an empty number clears it. A number that cannot
        be dialled is refused with a :class:`RecordError` naming the field."""
        if slot not in SLOTS:
            raise RecordError("SpeedDial", "slot", _("must be 1 to 9"))
        number, name = number.strip(), name.strip()
        if number:
            try:
                clean_number(number)
            except Refused as exc:
                raise RecordError("SpeedDial", "number", str(exc)) from None
        group = group or self.group()
        stored = self._load(group)
        entry = SpeedDialEntry(slot, name or number, number)
        if number:
            stored[slot] = entry
        else:
            stored.pop(slot, None)
        value = json.dumps({str(s): {"name": e.name, "number": e.number}
                            for s, e in sorted(stored.items())}, ensure_ascii=False)
        self.store.office_settings.put(OfficeSetting(id=KEY_PREFIX + group, value=value))
        return entry if number else SpeedDialEntry(slot)

    def _load(self, group: str) -> dict[int, SpeedDialEntry]:
        record = self.store.office_settings.get(KEY_PREFIX + group)
        if record is None or not record.value:
            return {}
        try:
            data = json.loads(record.value)
            return {int(s): SpeedDialEntry(int(s), str(e.get("name", "")), str(e.get("number", "")))
                    for s, e in data.items() if int(s) in SLOTS and e.get("number")}
        except (ValueError, TypeError, AttributeError):
            log.warning("speed dial entries of group %s are damaged; shown empty", group)
            return {}
