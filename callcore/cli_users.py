"""``users`` admin commands (ROLE-1..3) and acting as a user on the command line.

    operator_app.py --settings S users add --name NAME --role agent|supervisor|director
                                           [--group G] [--extension EXT] [--password-stdin]
    operator_app.py --settings S users list [--json]
    operator_app.py --settings S users set NAME [--name NEW] [--role R] [--group G] [--extension EXT]
    operator_app.py --settings S users remove NAME
    operator_app.py --settings S users password NAME            (the new password on stdin)
    operator_app.py --settings S users line EXT [--log-when-signed-out yes|no] [--auto-close-missed yes|no]
                                           [--auto-close-no-notes yes|no] [--connect-at-sign-in yes|no]
                                           [--notify-missed yes|no] [--json]

Any command may be given ``--user NAME`` (before the command): it then acts as that user and
obeys the same role rules as the window (``callcore.roles``). When ``users.passwords`` is on
and that user has a password, it is read from the first line of standard input (a second
line is the new password of ``--password-stdin`` / ``users password``). Without ``--user``
the command line is the administrator's tool and is not restricted: whoever can run it
can edit the store's files anyway (docs/roles.md).
"""
from __future__ import annotations

import argparse
import sys
from typing import Any, Iterator

from .cli import EXIT_OK, CliError, _print_json, _run_with_store
from .i18n import _
from .passwords import verify_password
from .records import ROLES, User
from .roles import PermissionDenied
from .settings import Settings
from .users import LineOptions, UserAdmin, UserError, line_option_labels, user_json

_stdin_lines: Iterator[str] | None = None


def _read_stdin_line(what: str) -> str:
    """The next line of standard input (without its line end); CliError when none. At a
    terminal the user is asked instead, without echo."""
    global _stdin_lines
    if _stdin_lines is None and sys.stdin is not None and sys.stdin.isatty():
        import getpass                  # typed at a terminal: asked for, never echoed
        text = getpass.getpass(_("{what}: ").format(what=what))
        if not text:
            raise CliError(_("{what}: nothing typed").format(what=what))
        return text
    if _stdin_lines is None:
        _stdin_lines = iter(sys.stdin.readline, "")
    line = next(_stdin_lines, "")
    text = line.rstrip("\r\n")
    if not text:
        raise CliError(_("{what}: expected on standard input, got nothing").format(what=what))
    return text


def add_user_commands(commands: Any) -> None:
    """Add the ``users`` command to the admin command line's sub-commands."""
    users = commands.add_parser("users", help=_("add, list and change users (roles, groups, lines)"))
    sub = users.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = sub.add_parser("add", help=_("add a user; prints its id"))
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, metavar="|".join(ROLES))
    add.add_argument("--group", default="", help=_("the user's group (created when missing)"))
    add.add_argument("--extension", default="", help=_("the user's line, e.g. 201"))
    add.add_argument("--password-stdin", action="store_true",
                     help=_("read the new user's password from standard input"))
    add.set_defaults(handler=cmd_users_add)
    lst = sub.add_parser("list", help=_("list users (never their passwords)"))
    lst.add_argument("--json", action="store_true", help=_("one JSON object per line"))
    lst.set_defaults(handler=cmd_users_list)
    set_ = sub.add_parser("set", help=_("change a user's name, role, group or extension"))
    set_.add_argument("user", metavar="NAME")
    set_.add_argument("--name", dest="new_name")
    set_.add_argument("--role", metavar="|".join(ROLES))
    set_.add_argument("--group")
    set_.add_argument("--extension")
    set_.set_defaults(handler=cmd_users_set)
    remove = sub.add_parser("remove", help=_("remove a user"))
    remove.add_argument("user", metavar="NAME")
    remove.set_defaults(handler=cmd_users_remove)
    password = sub.add_parser("password", help=_("set a user's password (read from standard input)"))
    password.add_argument("user", metavar="NAME")
    password.set_defaults(handler=cmd_users_password)
    line = sub.add_parser("line", help=_("show or set the options of a line (extension)"))
    line.add_argument("extension", metavar="EXT")
    for name, label in line_option_labels().items():
        line.add_argument("--" + name.replace("_", "-"), dest=name, choices=["yes", "no"], help=label)
    line.add_argument("--json", action="store_true")
    line.set_defaults(handler=cmd_users_line)


def add_acting_user_option(parser: argparse.ArgumentParser) -> None:
    """The global ``--user NAME`` option (call on the top-level parser)."""
    parser.add_argument("--user", metavar="NAME", dest="acting_user",
                        help=_("act as this user: the role rules apply (password on standard input)"))


def acting_user(args: argparse.Namespace, store: Any) -> User | None:
    """The user ``--user NAME`` names, after its password when one is required; None when
    ``--user`` was not given (unrestricted). Raises CliError with a sentence."""
    name = getattr(args, "acting_user", None)
    if not name:
        return None
    admin = UserAdmin(store)
    user = admin.find(name)
    if user is None:
        raise CliError(_("--user: there is no user called {name}").format(name=name))
    if _passwords_required(args) and user.password_hash:
        if not verify_password(_read_stdin_line(_("password of {name}").format(name=user.name)),
                               user.password_hash):
            raise CliError(_("--user: wrong password for {name}").format(name=user.name))
    return user


def _passwords_required(args: argparse.Namespace) -> bool:
    settings = getattr(args, "_settings", None)
    return True if settings is None else bool(settings.get("users.passwords"))


def _run(args: argparse.Namespace, settings: Settings, body: Any, sync_first: bool = True) -> int:
    """Open the store, find the acting user, run ``body(admin, actor)``; refusals → CliError."""
    args._settings = settings

    def run(store: Any) -> int:
        try:
            return body(UserAdmin(store), acting_user(args, store))
        except (UserError, PermissionDenied) as exc:
            raise CliError(str(exc)) from None
    return _run_with_store(args, settings, run, sync_first)


def cmd_users_add(args: argparse.Namespace, settings: Settings) -> int:
    if args.role not in ROLES:
        raise CliError(_("Unknown role {role!r}: use one of {roles}.").format(role=args.role, roles=", ".join(ROLES)))
    if not args.name.strip():
        raise CliError(_("A user needs a name."))

    def body(admin: UserAdmin, actor: User | None) -> int:
        password = _read_stdin_line(_("the new password")) if args.password_stdin else None
        user = admin.add_user(actor, args.name, args.role, args.group, args.extension, password)
        print(user.id)
        return EXIT_OK
    return _run(args, settings, body)


def cmd_users_list(args: argparse.Namespace, settings: Settings) -> int:
    def body(admin: UserAdmin, actor: User | None) -> int:
        groups = admin.groups()
        for user in admin.users():
            data = user_json(user, groups)
            if args.json:
                _print_json(data)
            else:
                print("\t".join((data["name"], data["role"], data["group"], data["extension"], data["id"])))
        return EXIT_OK
    return _run(args, settings, body)


def cmd_users_set(args: argparse.Namespace, settings: Settings) -> int:
    def body(admin: UserAdmin, actor: User | None) -> int:
        target = admin.find(args.user)
        if target is None:
            raise UserError(_("No user {name}.").format(name=args.user))
        user = admin.update_user(actor, target.id, name=args.new_name, role=args.role,
                                 group=args.group, extension=args.extension)
        print(user.id)
        return EXIT_OK
    return _run(args, settings, body)


def cmd_users_remove(args: argparse.Namespace, settings: Settings) -> int:
    def body(admin: UserAdmin, actor: User | None) -> int:
        target = admin.find(args.user)
        if target is None:
            raise UserError(_("No user {name}.").format(name=args.user))
        admin.remove_user(actor, target.id)
        print(_("removed {name}").format(name=target.name))
        return EXIT_OK
    return _run(args, settings, body)


def cmd_users_password(args: argparse.Namespace, settings: Settings) -> int:
    def body(admin: UserAdmin, actor: User | None) -> int:
        target = admin.find(args.user)
        if target is None:
            raise UserError(_("No user {name}.").format(name=args.user))
        admin.set_password(actor, target.id, _read_stdin_line(_("the new password")))
        print(_("password set for {name}").format(name=target.name))
        return EXIT_OK
    return _run(args, settings, body)


def cmd_users_line(args: argparse.Namespace, settings: Settings) -> int:
    names = list(line_option_labels())
    changes = {n: getattr(args, n) == "yes" for n in names if getattr(args, n, None) is not None}

    def body(admin: UserAdmin, actor: User | None) -> int:
        options = admin.line_options(args.extension)
        if changes:
            options = LineOptions(**{**{n: getattr(options, n) for n in names}, **changes})
            admin.set_line_options(actor, args.extension, options)
        if args.json:
            _print_json({"extension": args.extension, **{n: getattr(options, n) for n in names}})
        else:
            labels = line_option_labels()
            for n in names:
                print(f"{labels[n]}: {_('yes') if getattr(options, n) else _('no')}")
        return EXIT_OK
    return _run(args, settings, body)
