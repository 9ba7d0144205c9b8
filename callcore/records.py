"""Typed records kept in the store: contacts, calls, scheduled calls, activities, users.

Every record has a UUID string ``id`` (never TinyDB's integer ids, which collide between
workstations). ``to_dict``/``from_dict`` are the only way records cross into storage, and
``validate`` refuses bad values with a :class:`RecordError` naming the field, so nothing
half-valid is ever written.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import operator
import os
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from .i18n import _

CONTACT_TYPES = ("customer", "supplier", "contact_person", "other", "internal")
PHONE_LABELS = ("home", "mobile", "work", "fax", "other")
CALL_DIRECTIONS = ("in", "out", "internal")
CALL_STATUSES = ("answered", "missed", "busy", "unanswered", "transferred", "abandoned")
ROLES = ("agent", "supervisor", "director")
SCHEDULE_PRIORITIES = (0, 1, 2)

# Namespace for ids derived from an Asterisk Linkedid: every workstation and recorder that
# logs the same call computes the same id, so the call is stored once.
CALL_NAMESPACE = uuid.UUID("7f1c6a52-4c55-4c1e-9d7e-2b0c3c1a9e01")


class RecordError(ValueError):
    """A record field holds a value the store refuses; ``field`` names it."""

    def __init__(self, record: str, field_name: str, problem: str):
        self.record = record
        self.field = field_name
        self.problem = problem
        super().__init__(_("{record}.{field}: {problem}").format(
            record=record, field=field_name, problem=problem))


def new_id() -> str:
    return str(uuid.uuid4())


def call_id_for(linkedid: str, server: str = "") -> str:
    """The call log id for an Asterisk call: the same on every workstation."""
    return str(uuid.uuid5(CALL_NAMESPACE, f"{server}|{linkedid}"))


def _check_iso(record: str, name: str, value: str | None, required: bool = False) -> None:
    if value in (None, ""):
        if required:
            raise RecordError(record, name, _("is required"))
        return
    if not isinstance(value, str):
        raise RecordError(record, name, _("must be an ISO 8601 date-time text"))
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise RecordError(record, name, _("is not an ISO 8601 date-time: {value!r}").format(value=value)) from None
    if parsed.tzinfo is None:
        raise RecordError(record, name, _("needs a timezone offset: {value!r}").format(value=value))


@functools.cache
def _field_types(cls: type) -> tuple[tuple[str, str, bool, Any], ...]:
    """(name, declared base type, optional, Python type or None) per field, worked out once
    per class (parsing the annotations on every validate took half an import's time)."""
    simple = {"str": str, "int": int, "float": (int, float), "bool": bool}
    out = []
    for f in dataclasses.fields(cls):
        declared = str(f.type).replace(" ", "")
        optional = declared.endswith("|None")
        base = declared[:-5] if optional else declared
        out.append((f.name, base, optional, simple.get(base)))
    return tuple(out)


@functools.cache
def _field_values(cls: type) -> Any:
    """Every field's value of a record in one call (an ``attrgetter``: validate runs for
    each of 100,000 imported contacts)."""
    return operator.attrgetter(*(name for name, *_rest in _field_types(cls)))


def _check_type(record: str, obj: Any) -> None:
    """Check each dataclass field against its declared simple type (str/int/float/bool)."""
    cls = type(obj)
    types = _field_types(cls)
    values = _field_values(cls)(obj)
    if len(types) == 1:
        values = (values,)
    for value, (name, base, optional, expected) in zip(values, types):
        if type(value) is expected:      # the usual case: exactly str/int/bool as declared
            continue
        if value is None:
            if not optional:
                raise RecordError(record, name, _("is required"))
            continue
        if expected is None:
            continue
        if isinstance(value, bool) and base in ("int", "float"):
            raise RecordError(record, name, _("must be a number, not {value!r}").format(value=value))
        if not isinstance(value, expected):
            raise RecordError(record, name, _("must be {type}, not {value!r}").format(type=base, value=value))


class Record:
    """Shared (de)serialisation for the record dataclasses."""

    __slots__ = ()  # the dataclasses below use slots: 100,000 contacts without a dict each
    TABLE: ClassVar[str] = ""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)  # type: ignore[arg-type]

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in data.items() if k in names})

    def validate(self) -> None:
        _check_type(type(self).__name__, self)
        if not self.id:  # type: ignore[attr-defined]
            raise RecordError(type(self).__name__, "id", _("is required"))


@dataclass(frozen=True, slots=True)
class Phone:
    number: str
    label: str = "work"

    def to_dict(self) -> dict[str, str]:
        return {"number": self.number, "label": self.label}


@dataclass(slots=True)
class Contact(Record):
    TABLE: ClassVar[str] = "contacts"
    name: str
    type: str = "customer"
    id: str = field(default_factory=new_id)
    first_name: str = ""
    last_name: str = ""
    short_name: str = ""
    company: str = ""          # for contact persons: the customer's name
    company_id: str = ""       # for contact persons: the customer's id, when known
    address: str = ""
    area: str = ""
    city: str = ""
    postcode: str = ""
    phones: list[Phone] = field(default_factory=list)
    email: str = ""
    comments: str = ""
    popup_priority: int = 1     # 0 = never pop up for this contact

    def to_dict(self) -> dict[str, Any]:
        # By hand: dataclasses.asdict deep-copies every (immutable) value, ~10x slower,
        # and the store calls this for every contact it journals or checkpoints.
        data = dict(zip(_CONTACT_FIELDS, _contact_values(self)))
        data["phones"] = [{"number": p.number, "label": p.label} for p in self.phones]   # Phone.to_dict
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Contact":
        data = dict(data)
        data["phones"] = [p if isinstance(p, Phone) else Phone(**p) for p in data.get("phones") or []]
        return Record.from_dict.__func__(cls, data)

    def validate(self) -> None:
        Record.validate(self)
        if not self.name.strip():
            raise RecordError("Contact", "name", _("is required"))
        if self.type not in CONTACT_TYPES:
            raise RecordError("Contact", "type", _("must be one of {values}, not {value!r}").format(
                values=", ".join(CONTACT_TYPES), value=self.type))
        for i, phone in enumerate(self.phones):
            if not isinstance(phone, Phone) or not isinstance(phone.number, str):
                raise RecordError("Contact", f"phones[{i}]", _("must be a phone"))
            if not phone.number.isdigit() and not any(ch.isdigit() for ch in phone.number):
                raise RecordError("Contact", f"phones[{i}].number", _("has no digits: {value!r}").format(value=phone.number))
            if phone.label not in PHONE_LABELS:
                raise RecordError("Contact", f"phones[{i}].label", _("must be one of {values}, not {value!r}").format(
                    values=", ".join(PHONE_LABELS), value=phone.label))
        if self.popup_priority < 0:
            raise RecordError("Contact", "popup_priority", _("must be 0 or more"))


_CONTACT_FIELDS = tuple(f.name for f in dataclasses.fields(Contact))
_contact_values = operator.attrgetter(*_CONTACT_FIELDS)


@dataclass(slots=True)
class CallRecord(Record):
    """One finished call as the call log keeps it (SPEC CON-1; issue 3 'call log contract')."""

    TABLE: ClassVar[str] = "calls"
    id: str
    linkedid: str
    direction: str
    status: str
    started_at: str
    caller_number: str = ""
    caller_name: str = ""
    called_number: str = ""      # the line / DID dialled, or the number an operator dialled
    extension: str = ""          # the extension that handled (or should have handled) it
    user: str = ""
    contact_id: str = ""
    contact_name: str = ""
    answered_at: str | None = None
    ended_at: str | None = None
    ring_seconds: float = 0.0
    talk_seconds: float = 0.0
    transferred_from: str = ""
    transferred_to: str = ""
    notes: str = ""
    activity_id: str = ""
    campaign_item_id: str = ""
    queue: str = ""
    transfer_note: str = ""      # receiving leg of a transfer: the note that came with it

    def validate(self) -> None:
        Record.validate(self)
        if not self.linkedid:
            raise RecordError("CallRecord", "linkedid", _("is required"))
        if self.direction not in CALL_DIRECTIONS:
            raise RecordError("CallRecord", "direction", _("must be one of {values}, not {value!r}").format(
                values=", ".join(CALL_DIRECTIONS), value=self.direction))
        if self.status not in CALL_STATUSES:
            raise RecordError("CallRecord", "status", _("must be one of {values}, not {value!r}").format(
                values=", ".join(CALL_STATUSES), value=self.status))
        _check_iso("CallRecord", "started_at", self.started_at, required=True)
        _check_iso("CallRecord", "answered_at", self.answered_at)
        _check_iso("CallRecord", "ended_at", self.ended_at)
        for name in ("ring_seconds", "talk_seconds"):
            if getattr(self, name) < 0:
                raise RecordError("CallRecord", name, _("must be 0 or more"))

    @property
    def month(self) -> str:
        """``YYYY-MM`` of the start, used to split the call log into monthly files."""
        return self.started_at[:7]


@dataclass(slots=True)
class CallNote(Record):
    """Notes typed for a call; kept apart from the insert-only call record so they can be
    edited while and after the call, and merged newest-wins like other records."""

    TABLE: ClassVar[str] = "call_notes"
    id: str                      # the call id
    notes: str = ""
    transfer_notes: str = ""
    user: str = ""


@dataclass(slots=True)
class ScheduledCall(Record):
    TABLE: ClassVar[str] = "scheduled_calls"
    number: str
    due_at: str
    id: str = field(default_factory=new_id)
    contact_id: str = ""
    assigned_user: str = ""
    created_by: str = ""
    notes: str = ""
    status: str = "open"          # open, done, cancelled
    call_id: str = ""
    # issue 8 (SCHED-1..3): added later; older records load with these defaults
    priority: int = 1             # 0 low, 1 normal, 2 high
    snoozed_until: str | None = None   # a snoozed reminder fires again then (due_at unchanged)
    outcome: str = ""             # what came of it, given with Done
    contact_name: str = ""        # as known when scheduled (the list needs no directory)
    created_at: str | None = None
    done_at: str | None = None

    def validate(self) -> None:
        Record.validate(self)
        _check_iso("ScheduledCall", "due_at", self.due_at, required=True)
        _check_iso("ScheduledCall", "snoozed_until", self.snoozed_until)
        _check_iso("ScheduledCall", "created_at", self.created_at)
        _check_iso("ScheduledCall", "done_at", self.done_at)
        if self.status not in ("open", "done", "cancelled"):
            raise RecordError("ScheduledCall", "status", _("must be open, done or cancelled"))
        if not any(ch.isdigit() for ch in self.number):
            raise RecordError("ScheduledCall", "number", _("has no digits: {value!r}").format(value=self.number))
        if self.priority not in SCHEDULE_PRIORITIES:
            raise RecordError("ScheduledCall", "priority", _("must be 0 (low), 1 (normal) or 2 (high)"))

    @property
    def reminder_at(self) -> str:
        """When the reminder fires: the snooze time when snoozed, else the due time."""
        return self.snoozed_until or self.due_at


@dataclass(slots=True)
class Activity(Record):
    TABLE: ClassVar[str] = "activities"
    subject: str
    id: str = field(default_factory=new_id)
    contact_id: str = ""
    call_id: str = ""
    user: str = ""
    due_at: str | None = None
    done: bool = False
    notes: str = ""
    # issue 8 (CON-6, POP-3): added later; older records load with these defaults
    type: str = ""                # from the office's list (follow-up, complaint, order, …)
    created_by: str = ""
    created_at: str | None = None
    number: str = ""

    def validate(self) -> None:
        Record.validate(self)
        if not self.subject.strip():
            raise RecordError("Activity", "subject", _("is required"))
        _check_iso("Activity", "due_at", self.due_at)
        _check_iso("Activity", "created_at", self.created_at)

    @property
    def status(self) -> str:
        return "done" if self.done else "open"


@dataclass(slots=True)
class CallAnnotation(Record):
    """What is learnt about a logged call afterwards (CON-6): the call log is insert-only,
    so the contact linked later, the activity and the scheduled call it came from live
    here, keyed by the call id, merged newest-wins like other records."""

    TABLE: ClassVar[str] = "call_annotations"
    id: str                       # the call id
    contact_id: str = ""
    contact_name: str = ""
    activity_id: str = ""
    scheduled_id: str = ""
    user: str = ""
    updated_at: str | None = None
    deleted_at: str | None = None  # CON-6: deleted from the console (the call log is insert-only)

    def validate(self) -> None:
        Record.validate(self)
        _check_iso("CallAnnotation", "updated_at", self.updated_at)
        _check_iso("CallAnnotation", "deleted_at", self.deleted_at)


@dataclass(slots=True)
class ReminderClaim(Record):
    """A workstation's claim to show one reminder occurrence (docs/schedule.md): written
    once per station and occurrence, never changed except ``shown``; the earliest live
    claim wins on every station."""

    TABLE: ClassVar[str] = "reminder_claims"
    id: str                       # "<occurrence>|<station>"
    occurrence: str = ""          # "<scheduled id>|<reminder_at>|<assigned user>"
    station: str = ""
    user: str = ""
    claimed_at: str = ""          # ISO 8601 UTC with microseconds (orders claims)
    shown: bool = False


def hash_password(password: str, salt: bytes | None = None) -> str:
    """scrypt hash in the form ``scrypt$<salt hex>$<hash hex>``; never store a password."""
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, salt_hex, _digest = stored.split("$")
    except ValueError:
        return False
    return scheme == "scrypt" and hash_password(password, bytes.fromhex(salt_hex)) == stored


@dataclass(slots=True)
class User(Record):
    TABLE: ClassVar[str] = "users"
    name: str
    id: str = field(default_factory=new_id)
    role: str = "agent"
    group_id: str = ""
    extension: str = ""
    password_hash: str = ""

    def validate(self) -> None:
        Record.validate(self)
        if not self.name.strip():
            raise RecordError("User", "name", _("is required"))
        if self.role not in ROLES:
            raise RecordError("User", "role", _("must be one of {values}, not {value!r}").format(
                values=", ".join(ROLES), value=self.role))
        if self.password_hash and not self.password_hash.startswith("scrypt$"):
            raise RecordError("User", "password_hash", _("must be a scrypt hash, never a password"))


@dataclass(slots=True)
class Group(Record):
    TABLE: ClassVar[str] = "groups"
    name: str
    id: str = field(default_factory=new_id)
    supervisor_id: str = ""


@dataclass(slots=True)
class OfficeSetting(Record):
    """An office-wide setting shared through the store (e.g. per-DID notes)."""

    TABLE: ClassVar[str] = "office_settings"
    id: str                       # the setting key, e.g. "did_note:2101234567"
    value: str = ""


# Mass-call campaigns (issue 10, CAMP-1..4; rules in callcore/campaigns.py).
CAMPAIGN_STATUSES = ("not_started", "in_progress", "finished")
# code:kind pairs; kind is final (done), retry (called again after the interval, up to
# max_tries) or schedule (a scheduled call is created; the dialler is done with the entry).
DEFAULT_CAMPAIGN_OUTCOMES = ("interested:final,not_interested:final,wrong_number:final,"
                             "no_answer:retry,busy:retry,call_back:schedule")


@dataclass(slots=True)
class Campaign(Record):
    """A calling list and how it is worked (CAMP-1, CAMP-2)."""

    TABLE: ClassVar[str] = "campaigns"
    code: str
    id: str = field(default_factory=new_id)
    description: str = ""
    active: bool = True
    script: str = ""              # shown to the caller in the work view
    start_at: str | None = None   # planned start / end: no entry is handed out outside them
    end_at: str | None = None
    status: str = "not_started"
    assigned_user: str = ""
    assigned_group: str = ""      # a group's name
    outcomes: str = DEFAULT_CAMPAIGN_OUTCOMES
    max_tries: int = 3
    retry_minutes: int = 60
    claim_seconds: int = 900      # a claim not renewed for this long is free again (crash)
    created_at: str | None = None
    created_by: str = ""

    def validate(self) -> None:
        Record.validate(self)
        if not self.code.strip():
            raise RecordError("Campaign", "code", _("is required"))
        if self.status not in CAMPAIGN_STATUSES:
            raise RecordError("Campaign", "status", _("must be one of {values}, not {value!r}").format(
                values=", ".join(CAMPAIGN_STATUSES), value=self.status))
        for name in ("start_at", "end_at", "created_at"):
            _check_iso("Campaign", name, getattr(self, name))
        for name in ("max_tries", "claim_seconds"):
            if getattr(self, name) < 1:
                raise RecordError("Campaign", name, _("must be 1 or more"))
        if self.retry_minutes < 0:
            raise RecordError("Campaign", "retry_minutes", _("must be 0 or more"))
        for part in self.outcomes.split(","):
            code, sep, kind = part.strip().partition(":")
            if not code.strip() or kind not in ("final", "retry", "schedule"):
                raise RecordError("Campaign", "outcomes", _(
                    "{part!r} is not code:final, code:retry or code:schedule").format(part=part.strip()))


@dataclass(slots=True)
class CampaignEntry(Record):
    """One person to call in a campaign."""

    TABLE: ClassVar[str] = "campaign_entries"
    campaign_id: str
    number: str
    id: str = field(default_factory=new_id)
    name: str = ""
    comment: str = ""
    contact_id: str = ""
    company: str = ""
    city: str = ""
    position: int = 0             # the list's order
    added_at: str | None = None
    added_by: str = ""

    def validate(self) -> None:
        Record.validate(self)
        if not self.campaign_id:
            raise RecordError("CampaignEntry", "campaign_id", _("is required"))
        if not any(ch.isdigit() for ch in self.number):
            raise RecordError("CampaignEntry", "number", _("has no digits: {value!r}").format(value=self.number))
        _check_iso("CampaignEntry", "added_at", self.added_at)


@dataclass(slots=True)
class CampaignClaim(Record):
    """A station's claim to call one entry for one attempt (docs/campaigns.md). Written
    once; afterwards only its owner touches ``renewed_at``/``released_at``. The earliest
    live claim (claimed_at, station, id) wins on every station."""

    TABLE: ClassVar[str] = "campaign_claims"
    entry_id: str
    campaign_id: str
    id: str = field(default_factory=new_id)
    attempt: int = 0              # outcomes the entry had when claimed
    station: str = ""
    user: str = ""
    claimed_at: str = ""          # ISO 8601 UTC with microseconds (orders claims)
    renewed_at: str | None = None
    released_at: str | None = None


@dataclass(slots=True)
class CampaignOutcome(Record):
    """What came of one attempt at an entry (insert-only: never changed)."""

    TABLE: ClassVar[str] = "campaign_outcomes"
    entry_id: str
    campaign_id: str
    result: str
    id: str = field(default_factory=new_id)
    attempt: int = 0
    note: str = ""
    user: str = ""
    station: str = ""
    at: str = ""
    claim_id: str = ""
    call_id: str = ""
    retry_at: str | None = None
    scheduled_id: str = ""

    def validate(self) -> None:
        Record.validate(self)
        if not self.result.strip():
            raise RecordError("CampaignOutcome", "result", _("is required"))
        _check_iso("CampaignOutcome", "at", self.at, required=True)
        _check_iso("CampaignOutcome", "retry_at", self.retry_at)


RECORD_TYPES: dict[str, type[Record]] = {
    cls.TABLE: cls for cls in (Contact, CallRecord, CallNote, ScheduledCall, Activity, User, Group, OfficeSetting,
                               CallAnnotation, ReminderClaim, Campaign, CampaignEntry, CampaignClaim,
                               CampaignOutcome)
}
