"""What is learnt about a logged call afterwards (CON-6): the contact it was with, the
activity made from it, the scheduled call it came from.

The call log is insert-only (every station logs the same call under one id, and the first
copy wins), so nothing is ever written back into a call record. Instead one editable
:class:`~callcore.records.CallAnnotation` per call, keyed by the call id, sits in its own
table and merges newest-wins; :meth:`AnnotationsFeature.annotated` lays it over the record
for display. (``ui.ports.ActivitiesPort`` links calls to contacts through this.)
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable

from ..i18n import _
from ..records import CallAnnotation, CallRecord, RecordError, User
from ..roles import require_change


class AnnotationsFeature:
    def __init__(self, store: Any, *, current_user: Callable[[], User | None] = lambda: None):
        self.store = store
        self.current_user = current_user

    def get(self, call_id: str) -> CallAnnotation | None:
        return self.store.call_annotations.get(call_id) if call_id else None

    def _owner_of(self, call: CallRecord | None) -> User | None:
        if call is None or not call.user:
            return None
        folded = call.user.strip().casefold()
        return next((u for u in self.store.users.all(copy=False) if u.name.strip().casefold() == folded), None)

    def annotate(self, call_id: str, **values: str) -> CallAnnotation:
        """Set fields of a call's annotation (only those given); the call must be logged
        or about to be (a live call's id is known before it is written)."""
        if not call_id:
            raise RecordError("CallAnnotation", "id", _("is required"))
        note = self.get(call_id) or CallAnnotation(id=call_id)
        for name, value in values.items():
            setattr(note, name, value)
        actor = self.current_user()
        note.user = actor.name if actor is not None else note.user
        note.updated_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        return self.store.call_annotations.put(note)

    def link_contact(self, call_id: str, contact_id: str) -> CallAnnotation:
        """CON-6: this logged call was with that contact (role: one may link one's own
        calls; supervisors their group's; directors any)."""
        call = self.store.calls.get(call_id)
        require_change(self.current_user(), self._owner_of(call), _("link another user's call"))
        contact = self.store.contacts.get(contact_id) if contact_id else None
        if contact_id and contact is None:
            raise RecordError("CallAnnotation", "contact_id", _("no contact with id {id}").format(id=contact_id))
        return self.annotate(call_id, contact_id=contact_id, contact_name=contact.name if contact else "")

    def annotated(self, call: CallRecord) -> CallRecord:
        """The record with what was linked later laid over it (a copy)."""
        note = self.get(call.id)
        if note is None:
            return call
        from dataclasses import replace
        return replace(call, contact_id=note.contact_id or call.contact_id,
                       contact_name=note.contact_name or call.contact_name,
                       activity_id=note.activity_id or call.activity_id)
