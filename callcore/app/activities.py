"""Activities / tasks (CON-6, POP-3): made from a popup or a logged call, linked to the call
and its contact, with a type from the office's list, a due date, an assignee and a status
(open / done); listed mine / my group / all as the role allows.

The list of types is an office setting in the store (``activity_types``, one JSON list),
so every workstation offers the same ones; it starts as :data:`DEFAULT_TYPES`.
(``ui.ports.ActivitiesPort``)
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from typing import Any, Callable

from ..i18n import _
from ..records import Activity, OfficeSetting, RecordError, User
from ..roles import PermissionDenied, require_assign, require_change, scope_of
from .annotations import AnnotationsFeature

log = logging.getLogger(__name__)

TYPES_KEY = "activity_types"
DEFAULT_TYPES = ("follow-up", "complaint", "order", "quote", "support", "other")
_SCOPES = {"own": ("mine",), "group": ("mine", "group"), "all": ("mine", "group", "all")}


def _iso_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class ActivitiesFeature:
    def __init__(self, store: Any, annotations: AnnotationsFeature, *,
                 current_user: Callable[[], User | None] = lambda: None,
                 me: Callable[[], User | None] | None = None):
        self.store = store
        self.annotations = annotations
        self.current_user = current_user          # whom the role rules check (may raise)
        self._me = me or current_user

    # -- the office's list of types -------------------------------------------------------
    def types(self) -> list[str]:
        record = self.store.office_settings.get(TYPES_KEY)
        if record is not None and record.value:
            try:
                values = [str(v).strip() for v in json.loads(record.value) if str(v).strip()]
                if values:
                    return values
            except (ValueError, TypeError):
                log.warning("the activity types setting is damaged; the default list is used")
        return list(DEFAULT_TYPES)

    def set_types(self, types: list[str]) -> list[str]:
        from ..roles import require_role
        require_role(self.current_user(), "supervisor", _("change the activity types"))
        clean = [t.strip() for t in types if t.strip()]
        if not clean:
            raise RecordError("Activity", "type", _("at least one type is required"))
        self.store.office_settings.put(OfficeSetting(id=TYPES_KEY, value=json.dumps(clean, ensure_ascii=False)))
        return clean

    # -- who --------------------------------------------------------------------------------
    def _user(self, name: str) -> User | None:
        folded = (name or "").strip().casefold()
        return next((u for u in self.store.users.all(copy=False)
                     if folded and u.name.strip().casefold() == folded), None)

    def scopes(self) -> list[str]:
        try:
            return list(_SCOPES[scope_of(self.current_user())])
        except PermissionDenied:          # users exist, nobody signed in
            return ["mine"]

    def _assignee(self, name: str | None) -> str:
        actor = self.current_user()
        mine = self._me()
        name = (mine.name if mine is not None else "") if name is None else name.strip()
        if not name:
            return ""
        target = self._user(name)
        if target is None:
            if len(self.store.users) > 0:
                raise RecordError("Activity", "user", _("no user called {name!r}").format(name=name))
            return name
        require_assign(actor, target, _("give an activity to {name}").format(name=target.name))
        return target.name

    def assignable_users(self) -> list[str]:
        """Names this user may give an activity to, self first."""
        from ..roles import assignable_names_of
        return assignable_names_of(self.current_user, self.store.users.all(copy=False), self._me())

    def link_contact(self, call_id: str, contact_id: str) -> Any:
        """CON-6: link a logged call to a contact afterwards (see annotations)."""
        return self.annotations.link_contact(call_id, contact_id)

    # -- changing ---------------------------------------------------------------------------
    def create(self, subject: str, *, type: str = "", due_at: str | None = None,
               user: str | None = None, call_id: str = "", contact_id: str = "",
               number: str = "", notes: str = "") -> Activity:
        """A new open activity; linked to ``call_id`` (the call's annotation names it)."""
        if type and type not in self.types():
            raise RecordError("Activity", "type", _("must be one of {values}").format(values=", ".join(self.types())))
        mine = self._me()
        activity = Activity(subject=subject.strip(), type=type, due_at=due_at or None,
                            user=self._assignee(user), call_id=call_id, contact_id=contact_id,
                            number=number.strip(), notes=notes.strip(),
                            created_by=mine.name if mine is not None else "", created_at=_iso_now())
        self.store.activities.put(activity)
        if call_id:
            self.annotations.annotate(call_id, activity_id=activity.id,
                                      **({"contact_id": contact_id} if contact_id else {}))
        return activity

    def get(self, activity_id: str) -> Activity:
        activity = self.store.activities.get(activity_id) if activity_id else None
        if activity is None:
            raise LookupError(_("no activity with id {id}").format(id=activity_id))
        return activity

    def set_done(self, activity_id: str, done: bool = True) -> Activity:
        activity = self.get(activity_id)
        require_change(self.current_user(), self._user(activity.user),
                       _("change {name}'s activity").format(name=activity.user or _("nobody")))
        activity.done = bool(done)
        return self.store.activities.put(activity)

    def update(self, activity: Activity) -> Activity:
        before = self.get(activity.id)
        require_change(self.current_user(), self._user(before.user),
                       _("change {name}'s activity").format(name=before.user or _("nobody")))
        if activity.user != before.user:
            activity.user = self._assignee(activity.user)
        return self.store.activities.put(activity)

    # -- reading ----------------------------------------------------------------------------
    def list(self, scope: str = "mine", status: str = "open", limit: int = 500) -> list[Activity]:
        """Activities of this scope (mine / group / all, refused beyond the role), open /
        done / all, earliest due first (no due date last)."""
        actor = self.current_user()
        if scope not in self.scopes():
            raise PermissionDenied(actor, _("see the {scope} activities").format(scope=scope))
        names: set[str] | None = None
        mine = self._me()
        if scope == "mine":
            names = {mine.name if mine is not None else ""}
        elif scope == "group" and actor is not None:
            names = {u.name for u in self.store.users.all(copy=False)
                     if u.name == actor.name or (actor.group_id and u.group_id == actor.group_id)}
        found = [a for a in self.store.activities.all(copy=False)
                 if (names is None or a.user in names)
                 and (status == "all" or a.status == status)]
        found.sort(key=lambda a: (a.due_at is None, a.due_at or "", a.created_at or ""))
        return [self.store.activities.get(a.id) or a for a in found[:limit]]

    def for_call(self, call_id: str) -> list[Activity]:
        return [a for a in self.store.activities.all() if call_id and a.call_id == call_id]
