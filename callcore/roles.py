"""Who may do what to whose things (SPEC ROLE-1, ROLE-2). Pure rules, no I/O.

Three levels: an *agent* changes only their own items (calls, scheduled calls, activities),
a *supervisor* their own and their group's, a *director* everyone's. The features call
these before they write (``require_change`` raises :class:`PermissionDenied`), so a hidden
button is never the only guard.

``actor`` is the signed-in :class:`~callcore.records.User`; ``None`` means *unrestricted*:
no users are defined at all (the app works as before roles existed), or the admin command
line is used without ``--user`` (whoever can run it can edit the files anyway, see
docs/roles.md). An ``owner`` of ``None`` is an item nobody owns (logged while nobody was
signed in, or its user was removed): anyone may take it.
"""
from __future__ import annotations

from typing import Callable, Iterable, Literal

from .i18n import _
from .records import ROLES, User

__all__ = ["ROLES", "Scope", "PermissionDenied", "may_change", "may_assign_to", "may_see_notes",
           "scope_of", "require_change", "require_assign", "require_role", "role_label",
           "may_manage_user"]

Scope = Literal["own", "group", "all"]


def role_label(role: str) -> str:
    """The translated name of a role, as shown to users."""
    return {"agent": _("agent"), "supervisor": _("supervisor"), "director": _("director")}.get(role, role)


class PermissionDenied(Exception):
    """A user tried something their role does not allow. ``str()`` is a translated
    sentence naming who tried what, e.g. "Anna (agent) may not reassign Bob's call: an agent
    changes only their own."."""

    def __init__(self, actor: User | None, what: str, owner: User | None = None, why: str = ""):
        self.actor = actor
        self.what = what
        self.owner = owner
        self.why = why
        who = (_("{name} ({role})").format(name=actor.name, role=role_label(actor.role))
               if actor is not None else _("Nobody signed in"))
        text = _("{who} may not {what}").format(who=who, what=what)
        if why:
            text = _("{text}: {why}").format(text=text, why=why)
        super().__init__(text + ".")


def _same(a: User, b: User) -> bool:
    return a.id == b.id or (not a.id and not b.id and a.name == b.name)


def _same_group(a: User, b: User) -> bool:
    return bool(a.group_id) and a.group_id == b.group_id


def scope_of(actor: User | None) -> Scope:
    """Whose items ``actor`` sees and changes: "own", "group" or "all" (CON-3 presets)."""
    if actor is None or actor.role == "director":
        return "all"
    if actor.role == "supervisor":
        return "group"
    return "own"


def may_change(actor: User | None, owner: User | None) -> bool:
    """ROLE-2: may ``actor`` change or reschedule an item of ``owner``?"""
    if actor is None or owner is None or _same(actor, owner):
        return True
    scope = scope_of(actor)
    return scope == "all" or (scope == "group" and _same_group(actor, owner))


def may_assign_to(actor: User | None, target: User | None) -> bool:
    """May ``actor`` give an item to ``target`` (schedule for, reassign to)? Agents only to
    themselves, supervisors within their group, directors to anyone. ``target`` None
    (nobody) is allowed to those who may change unowned items: everyone."""
    return may_change(actor, target)


def assignable_names(actor: User | None, users: "Iterable[User]", me: User | None) -> list[str]:
    """Names ``actor`` may give work to (schedule for, assign an activity to), sorted,
    ``me`` first: the user choice of the schedule and activity dialogs."""
    names = [u.name for u in sorted(users, key=lambda u: u.name.casefold()) if may_assign_to(actor, u)]
    if me is not None:
        names = [me.name] + [n for n in names if n != me.name]
    return names


def assignable_names_of(current_user: "Callable[[], User | None]", users: "Iterable[User]",
                        me: User | None) -> list[str]:
    """:func:`assignable_names` for whoever ``current_user()`` says is acting; while users
    exist and nobody is signed in (:class:`PermissionDenied`) only oneself."""
    try:
        actor = current_user()
    except PermissionDenied:
        return [me.name] if me is not None else []
    return assignable_names(actor, users, me)


def may_see_notes(actor: User | None, owner: User | None, privacy: bool) -> bool:
    """ROLE-2: call notes of others are visible to all unless the privacy setting is on;
    then the same rule as changing applies."""
    return not privacy or may_change(actor, owner)


def may_manage_user(actor: User | None, user: User, role: str | None = None,
                    group_id: str | None = None) -> bool:
    """May ``actor`` add or edit ``user`` (optionally giving it ``role``/``group_id``)?
    Directors: anyone. Supervisors: agents of their own group (kept in it). Agents: nobody
    (their own password goes through :func:`may_change`)."""
    if actor is None or actor.role == "director":
        return True
    if actor.role != "supervisor":
        return False
    role = user.role if role is None else role
    group_id = user.group_id if group_id is None else group_id
    return (role == "agent" and user.role == "agent" and bool(actor.group_id)
            and group_id == actor.group_id and (not user.group_id or user.group_id == actor.group_id))


def _why(actor: User) -> str:
    scope = scope_of(actor)
    if scope == "own":
        return _("an agent changes only their own")
    if scope == "group":
        return _("a supervisor changes only their own and their group's")
    return ""


def require_change(actor: User | None, owner: User | None, what: str) -> None:
    """Raise :class:`PermissionDenied` unless ``may_change``; ``what`` is a translated
    phrase such as ``_("reschedule Bob's call")``."""
    if not may_change(actor, owner):
        raise PermissionDenied(actor, what, owner, _why(actor))  # type: ignore[arg-type]


def require_assign(actor: User | None, target: User | None, what: str) -> None:
    """Raise :class:`PermissionDenied` unless ``may_assign_to``."""
    if not may_assign_to(actor, target):
        raise PermissionDenied(actor, what, target, _why(actor))  # type: ignore[arg-type]


def require_role(actor: User | None, role: str, what: str) -> None:
    """Raise unless ``actor`` has ``role`` or a higher one (agent < supervisor < director)."""
    if actor is not None and ROLES.index(actor.role) < ROLES.index(role):
        raise PermissionDenied(actor, what, None, _("only a {role} may").format(role=role_label(role)))
