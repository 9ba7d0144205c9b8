"""Who is signed in at this workstation (ROLE-1), and the users screen behind it.

    session.sign_in("Anna", "secret")   # -> User; SignInError with a sentence when refused
    session.current                     # the signed-in User, or None
    session.actor()                     # whom the role rules check (callcore.roles)
    session.sign_out()

Publishes ``UserSignedIn`` / ``UserSignedOut`` on the hub. With no users defined at all the
app works as before roles existed: nobody signs in and ``actor()`` is None (unrestricted).
The last user is remembered per workstation in a small private file in the user's config
folder (never the shared folder), so the sign-in dialog can preselect it.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import threading
from pathlib import Path
from typing import Any

from ..events import UserSignedIn, UserSignedOut
from ..i18n import _
from ..passwords import verify_password
from ..records import User
from ..roles import PermissionDenied, may_see_notes, scope_of
from ..settings import Settings, write_private
from ..users import LineOptions, UserAdmin, UserError, user_json

log = logging.getLogger(__name__)


class SignInError(ValueError):
    """Sign-in refused: unknown user or wrong password. ``str()`` says which, for the user."""


def default_state_file() -> Path:
    """This workstation's session file (last user), beside the per-user settings."""
    from ..settings import user_config_file
    return user_config_file().parent / "session.json"


class SessionFeature:
    """The signed-in user of this workstation. (``ui.ports.SessionPort``)"""

    def __init__(self, store: Any, hub: Any, settings: Settings, state_file: Path | None = None,
                 extension: str = ""):
        self.admin = UserAdmin(store)
        self.hub = hub
        self.settings = settings
        self.state_file = state_file
        self.extension = extension
        self._lock = threading.Lock()
        self._current: User | None = None

    # -- who ----------------------------------------------------------------------------
    @property
    def current(self) -> User | None:
        """The signed-in user (as stored now: a role change applies at once), or None."""
        user = self._current
        if user is None:
            return None
        return self.admin.get(user.id) or user

    @property
    def passwords_required(self) -> bool:
        return bool(self.settings.get("users.passwords"))

    def has_users(self) -> bool:
        """False when no users are defined: nobody signs in, nothing is restricted."""
        return self.admin.has_users()

    def users(self) -> list[User]:
        """Every user by name (the sign-in list)."""
        return self.admin.users()

    def user_named(self, name: str) -> User | None:
        """The user a record names (call records keep the name), None when unknown."""
        return self.admin.by_name_or_none(name)

    def actor(self) -> User | None:
        """Whom the role rules check now: the signed-in user; None (unrestricted) when no
        users are defined. Raises ``PermissionDenied`` when users exist but nobody is
        signed in (the window asks for sign-in first; this guards features anyway)."""
        user = self.current
        if user is None and self.has_users():
            raise PermissionDenied(None, _("change anything"), None, _("sign in first"))
        return user

    def scope(self) -> str:
        """"own", "group" or "all": the preset the call console offers (CON-3)."""
        user = self.current
        return scope_of(user) if user is not None or not self.has_users() else "own"

    def group_name(self, user: User | None = None) -> str:
        return self.admin.group_name(user or self.current)

    def line_options(self, extension: str | None = None) -> LineOptions:
        """ROLE-3 options of a line (this workstation's extension by default)."""
        return self.admin.line_options(self.extension if extension is None else extension)

    # -- signing in and out -----------------------------------------------------------------
    def sign_in(self, name: str, password: str = "") -> User:
        """Sign ``name`` in. With ``users.passwords`` on, a user who has a password must give
        it; off, signing in only picks the user. Raises :class:`SignInError`."""
        user = self.admin.find(name)
        if user is None:
            raise SignInError(_("There is no user called {name}.").format(name=name.strip()))
        if self.passwords_required and user.password_hash and not verify_password(password, user.password_hash):
            log.info("sign-in refused for user %s: wrong password", user.id)
            raise SignInError(_("Wrong password for {name}.").format(name=user.name))
        with self._lock:
            previous, self._current = self._current, user
        if previous is not None and previous.id != user.id:
            self.hub.publish(UserSignedOut())
        self._remember(user.name)
        log.info("user %s (%s) signed in", user.id, user.role)
        self.hub.publish(UserSignedIn(user.id, user.name))
        return user

    def sign_out(self) -> None:
        with self._lock:
            previous, self._current = self._current, None
        if previous is not None:
            log.info("user %s signed out", previous.id)
            self.hub.publish(UserSignedOut())

    # -- the last user, per workstation --------------------------------------------------
    def last_user(self) -> str:
        """The name of who signed in last here ('' when nobody yet or the file is unreadable)."""
        name = self._state().get("last_user", "")
        return name if isinstance(name, str) else ""

    def first_time(self, notice: str) -> bool:
        """True the first time ``notice`` (e.g. "no_users") is asked on this workstation, so
        a hint is said once, not at every start. Without a state file: always True."""
        state = self._state()
        said = state.get("said", [])
        said = said if isinstance(said, list) else []
        if notice in said:
            return False
        self._write_state({**state, "said": said + [notice]})
        return True

    def _state(self) -> dict[str, Any]:
        if self.state_file is None:
            return {}
        try:
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _remember(self, name: str) -> None:
        self._write_state({**self._state(), "last_user": name})

    def _write_state(self, state: dict[str, Any]) -> None:
        if self.state_file is None:
            return
        try:
            write_private(self.state_file, json.dumps(state, ensure_ascii=False))
        except OSError as exc:          # not worth stopping a sign-in for
            log.warning("could not write %s: %s", self.state_file, exc)


class UsersFeature:
    """The users screen: list, add, change, remove users and set line options, as the
    signed-in user (the role rules of ``callcore.roles`` apply). (``ui.ports.UsersPort``)"""

    def __init__(self, store: Any, session: SessionFeature):
        self.admin = UserAdmin(store)
        self.session = session

    def rows(self) -> list[dict[str, Any]]:
        """id, name, role, group, extension of every user (never the hash)."""
        groups = self.admin.groups()
        return [user_json(u, groups) for u in self.admin.users()]

    def group_names(self) -> list[str]:
        return sorted((g.name for g in self.admin.groups().values()), key=str.casefold)

    def may_manage(self) -> bool:
        """Whether to show the users screen at all: directors and supervisors."""
        user = self.session.current
        return user is None or user.role in ("director", "supervisor")

    def add_user(self, name: str, role: str, group: str = "", extension: str = "",
                 password: str = "") -> User:
        return self.admin.add_user(self.session.actor(), name, role, group, extension, password or None)

    def update_user(self, user_id: str, *, name: str | None = None, role: str | None = None,
                    group: str | None = None, extension: str | None = None) -> User:
        return self.admin.update_user(self.session.actor(), user_id, name=name, role=role,
                                      group=group, extension=extension)

    def remove_user(self, user_id: str) -> None:
        self.admin.remove_user(self.session.actor(), user_id)

    def set_password(self, user_id: str, password: str) -> None:
        self.admin.set_password(self.session.actor(), user_id, password)

    def line_options(self, extension: str) -> LineOptions:
        return self.admin.line_options(extension)

    def set_line_options(self, extension: str, options: LineOptions) -> None:
        self.admin.set_line_options(self.session.actor(), extension, options)


__all__ = ["SessionFeature", "UsersFeature", "SignInError", "UserError", "default_state_file"]


def follow_signed_in_user(hub: Any, targets: list[tuple[Any, str]], fallback: str) -> Any:
    """Keep each ``(feature, attribute)`` (e.g. the call log's ``user``) set to the signed-in
    user's name, ``fallback`` (``station.user``) when nobody is. Returns an unsubscriber."""
    def signed_in(event: UserSignedIn) -> None:
        for target, attribute in targets:
            setattr(target, attribute, event.name)

    def signed_out(_event: UserSignedOut) -> None:
        for target, attribute in targets:
            setattr(target, attribute, fallback)
    stops = [hub.subscribe(UserSignedIn, signed_in), hub.subscribe(UserSignedOut, signed_out)]
    return lambda: [stop() for stop in stops]


class CallLogPolicy:
    """ROLE-3 "log this line's calls even when nobody is signed in". A line with that
    option off is logged only by its own workstation, and only while a user is signed in
    there; every other workstation and the recorder leave its calls alone (they cannot
    know who is signed in elsewhere). With no users defined, everything is logged as before."""

    def __init__(self, store: Any, extension: str, session: SessionFeature | None = None):
        self.admin = UserAdmin(store)
        self.extension = extension
        self.session = session

    def wants(self, record: Any) -> bool:
        line = getattr(record, "extension", "")
        if not line or not self.admin.has_users() or self.admin.line_options(line).log_when_signed_out:
            return True
        if line != self.extension or self.session is None:
            return False
        if self.session.current is None:
            log.info("call %s of line %s not logged: nobody is signed in", getattr(record, "id", ""), line)
            return False
        return True


class GuardedSettings:
    """The settings dialog's port with the role rules on ``users.passwords``: with users
    defined only a director may switch passwords off or on (else an agent could turn them
    off and sign in as a director next time). Everything else passes through."""

    def __init__(self, preferences: Any, session: SessionFeature):
        self.preferences = preferences
        self.session = session

    def settings_values(self) -> dict[str, dict[str, Any]]:
        return self.preferences.settings_values()

    def save_settings(self, values: dict[str, dict[str, Any]]) -> None:
        wanted = (values.get("users") or {}).get("passwords") if isinstance(values, dict) else None
        if wanted is not None and bool(wanted) != self.session.passwords_required and self.session.has_users():
            actor = self.session.current
            if actor is None or actor.role != "director":
                raise ValueError(str(PermissionDenied(
                    actor, _("switch passwords {state}").format(state=_("on") if wanted else _("off")),
                    None, _("only a director may"))))
        self.preferences.save_settings(values)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.preferences, name)


class NotesPrivacy:
    """ROLE-2 notes privacy for a port with ``recent_calls`` (calls, contacts): with
    ``users.private_notes`` on, a call handled by someone the signed-in user may not change
    is listed without its notes. Everything else passes through."""

    def __init__(self, port: Any, session: SessionFeature):
        self.port = port
        self.session = session

    def recent_calls(self, *args: Any, **kwargs: Any) -> list[Any]:
        return [self.shown(record) for record in self.port.recent_calls(*args, **kwargs)]

    def shown(self, record: Any) -> Any:
        """``record`` as the signed-in user may see it."""
        if not self.session.settings.get("users.private_notes") or not self.session.has_users():
            return record
        owner = self.session.user_named(record.user) if record.user else None
        if may_see_notes(self.session.current, owner, privacy=True) and (
                self.session.current is not None or owner is None):
            return record
        return dataclasses.replace(record, notes="", transfer_note="")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.port, name)


def guarded(session: SessionFeature | None, preferences: Any, calls: Any, contacts: Any) -> tuple[Any, Any, Any]:
    """The window's settings, calls and contacts ports with the role rules applied
    (``users.passwords`` by directors only, notes privacy); unchanged without a session."""
    if session is None:
        return preferences, calls, contacts
    return (GuardedSettings(preferences, session), NotesPrivacy(calls, session),
            NotesPrivacy(contacts, session) if contacts is not None else None)
