"""Users, groups and per-line options in the store, with the role rules applied
(ROLE-1..3). Shared by the window (``callcore.app.session``) and the admin command line
(``callcore.cli_users``), so both refuse the same things with the same sentences.

``store`` is anything with ``users``, ``groups`` and ``office_settings`` repositories
(``callcore.store.Store``); this module never opens files itself.

Per-line options (ROLE-3) belong to the *line* (extension), not to a user: a line may have
no user, or change user, and "log this line's calls when nobody is signed in" must hold
then too. They live in the shared ``office_settings`` table under ``line:<extension>``.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any

from .i18n import _
from .passwords import hash_password
from .records import ROLES, Group, OfficeSetting, RecordError, User
from .roles import PermissionDenied, may_change, may_manage_user, require_role, role_label

LINE_KEY = "line:"
NEW_GROUP = "\0new"           # a group named but not stored yet


class UserError(ValueError):
    """Bad input for a user (unknown role, name taken…): a sentence the user can act on."""


@dataclass(frozen=True)
class LineOptions:
    """What a line (extension) does (ROLE-3). Defaults keep the behaviour from before."""

    log_when_signed_out: bool = True   # log its calls even when nobody is signed in here
    auto_close_missed: bool = True     # a missed call's popup closes by itself (popup.auto_close_seconds)
    auto_close_no_notes: bool = True   # an answered call's popup without notes closes by itself
    connect_at_sign_in: bool = True    # connect to the PBX when its user signs in
    notify_missed: bool = True         # desktop notification for a missed call

    @classmethod
    def from_json(cls, text: str) -> "LineOptions":
        try:
            data = json.loads(text) if text else {}
        except ValueError:
            data = {}
        names = {f.name for f in fields(cls)}
        return cls(**{k: bool(v) for k, v in (data if isinstance(data, dict) else {}).items() if k in names})

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


def line_option_labels() -> dict[str, str]:
    """Field name → translated label (users screen, CLI help)."""
    return {
        "log_when_signed_out": _("Log this line's calls when nobody is signed in"),
        "auto_close_missed": _("Close missed-call popups by themselves"),
        "auto_close_no_notes": _("Close a popup that got no notes"),
        "connect_at_sign_in": _("Connect to the PBX at sign-in"),
        "notify_missed": _("Notify the user of missed calls"),
    }


def user_json(user: User, groups: dict[str, Group]) -> dict[str, Any]:
    """What may leave the store about a user: never the password hash."""
    group = groups.get(user.group_id)
    return {"id": user.id, "name": user.name, "role": user.role,
            "group": group.name if group else "", "extension": user.extension}


class UserAdmin:
    """Read and change users, groups and line options, as ``actor`` (None = unrestricted)."""

    def __init__(self, store: Any):
        self.store = store

    # -- reading ----------------------------------------------------------------------
    def users(self) -> list[User]:
        return sorted(self.store.users.all(), key=lambda u: u.name.casefold())

    def groups(self) -> dict[str, Group]:
        return {g.id: g for g in self.store.groups.all()}

    def has_users(self) -> bool:
        return len(self.store.users) > 0

    def get(self, user_id: str) -> User | None:
        return self.store.users.get(user_id) if user_id else None

    def find(self, name: str) -> User | None:
        """The user called ``name`` (case and surrounding spaces ignored), or by id."""
        folded = name.strip().casefold()
        for user in self.store.users.all():
            if user.name.strip().casefold() == folded or user.id == name:
                return user
        return None

    def by_name_or_none(self, name: str) -> User | None:
        """The user a call record names (``CallRecord.user`` holds the name), None if gone."""
        return self.find(name) if name else None

    def group_named(self, name: str) -> Group | None:
        folded = name.strip().casefold()
        return next((g for g in self.store.groups.all() if g.name.strip().casefold() == folded), None)

    def group_name(self, user: User | None) -> str:
        group = self.store.groups.get(user.group_id) if user and user.group_id else None
        return group.name if group else ""

    # -- changing ---------------------------------------------------------------------
    def _group_id(self, actor: User | None, name: str) -> str:
        name = name.strip()
        if not name:
            return ""
        group = self.group_named(name)
        if group is None:
            require_role(actor, "director", _("create the group {group}").format(group=name))
            group = self.store.groups.put(Group(name=name))
        return group.id

    def add_user(self, actor: User | None, name: str, role: str = "agent", group: str = "",
                 extension: str = "", password: str | None = None) -> User:
        """Create a user (and its group by name when missing). Raises :class:`UserError`
        for bad input, :class:`PermissionDenied` when ``actor`` may not."""
        name = name.strip()
        if not name:
            raise UserError(_("A user needs a name."))
        if role not in ROLES:
            raise UserError(_("Unknown role {role!r}: use one of {roles}.").format(
                role=role, roles=", ".join(ROLES)))
        if self.find(name) is not None:
            raise UserError(_("There is already a user called {name}.").format(name=name))
        what = _("add the {role} {name}").format(role=role_label(role), name=name)
        existing = self.group_named(group) if group.strip() else None
        if existing is not None:
            group_id = existing.id
        elif group.strip():
            group_id = NEW_GROUP                      # created below, once allowed
        else:                                         # a supervisor's new agent joins their group
            group_id = actor.group_id if actor is not None and actor.role == "supervisor" else ""
        user = User(name=name, role=role, extension=extension.strip(), group_id=group_id)
        if not may_manage_user(actor, user):
            raise PermissionDenied(actor, what, None, _("only a director, or a supervisor for an "
                                                          "agent of their own group, may"))
        if group_id == NEW_GROUP:
            user.group_id = self._group_id(actor, group)
        if password:
            user.password_hash = hash_password(password)
        self._validate(user)
        return self.store.users.put(user)

    def update_user(self, actor: User | None, user_id: str, *, name: str | None = None,
                    role: str | None = None, group: str | None = None,
                    extension: str | None = None) -> User:
        user = self._existing(user_id)
        if role is not None and role not in ROLES:
            raise UserError(_("Unknown role {role!r}: use one of {roles}.").format(
                role=role, roles=", ".join(ROLES)))
        group_id = user.group_id
        if group is not None:
            found = self.group_named(group) if group.strip() else None
            group_id = found.id if found else (NEW_GROUP if group.strip() else "")
        if not may_manage_user(actor, user, role, group_id):
            raise PermissionDenied(actor, _("change the user {name}").format(name=user.name), user,
                                   _("only a director, or a supervisor for an agent of their own group, may"))
        if name is not None and name.strip() and name.strip() != user.name:
            other = self.find(name)
            if other is not None and other.id != user.id:
                raise UserError(_("There is already a user called {name}.").format(name=name.strip()))
            user.name = name.strip()
        if role is not None and role != "director" and user.role == "director":
            self._keep_a_director(user)
        if role is not None:
            user.role = role
        if group is not None:
            user.group_id = self._group_id(actor, group) if group_id == NEW_GROUP else group_id
        if extension is not None:
            user.extension = extension.strip()
        self._validate(user)
        return self.store.users.put(user)

    def remove_user(self, actor: User | None, user_id: str) -> None:
        user = self._existing(user_id)
        if actor is not None and actor.id == user.id:
            raise UserError(_("You cannot remove yourself while signed in."))
        if not may_manage_user(actor, user):
            raise PermissionDenied(actor, _("remove the user {name}").format(name=user.name), user,
                                   _("only a director, or a supervisor for an agent of their own group, may"))
        if user.role == "director":
            self._keep_a_director(user)
        self.store.users.delete(user.id)

    def _keep_a_director(self, leaving: User) -> None:
        """Someone must be able to manage users: the last director stays one."""
        if not any(u.role == "director" and u.id != leaving.id for u in self.store.users.all()):
            raise UserError(_("{name} is the only director; make someone else a director first.").format(
                name=leaving.name))

    def set_password(self, actor: User | None, user_id: str, password: str) -> User:
        """Set (or with '' clear) a user's password: oneself, or whom one may manage."""
        user = self._existing(user_id)
        if not (actor is None or actor.id == user.id or may_manage_user(actor, user)):
            raise PermissionDenied(actor, _("set the password of {name}").format(name=user.name), user)
        user.password_hash = hash_password(password) if password else ""
        return self.store.users.put(user)

    def _existing(self, user_id: str) -> User:
        user = self.get(user_id) or self.find(user_id)
        if user is None:
            raise UserError(_("No user {name}.").format(name=user_id))
        return user

    @staticmethod
    def _validate(user: User) -> None:
        try:
            user.validate()
        except RecordError as exc:
            raise UserError(str(exc)) from None

    # -- per-line options (ROLE-3) ----------------------------------------------------
    def line_options(self, extension: str) -> LineOptions:
        row = self.store.office_settings.get(LINE_KEY + extension) if extension else None
        return LineOptions.from_json(row.value) if row else LineOptions()

    def set_line_options(self, actor: User | None, extension: str, options: LineOptions) -> None:
        """Directors set any line; a supervisor the lines of their group's users (and their own)."""
        extension = extension.strip()
        if not extension:
            raise UserError(_("A line needs an extension."))
        owner = next((u for u in self.store.users.all() if u.extension == extension), None)
        allowed = actor is None or actor.role == "director" or (
            actor.role == "supervisor" and owner is not None and may_change(actor, owner))
        if not allowed:
            raise PermissionDenied(actor, _("change the options of line {line}").format(line=extension), owner,
                                   _("only a director, or the supervisor of its user, may"))
        self.store.office_settings.put(OfficeSetting(id=LINE_KEY + extension, value=options.to_json()))
