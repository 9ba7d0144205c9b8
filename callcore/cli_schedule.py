"""``schedule`` admin commands (SCHED-1..3): add, list, done, snooze, reassign.

    operator_app.py --settings S [--user ACTOR] schedule add --number N --at ISO8601 [--user NAME]
                                                   [--note TEXT] [--contact ID] [--priority 0|1|2]
    operator_app.py --settings S schedule list [--json] [--user NAME] [--due] [--all]
    operator_app.py --settings S schedule done ID [--outcome TEXT]
    operator_app.py --settings S schedule snooze ID [--minutes 5|15|60]
    operator_app.py --settings S schedule reassign ID --to NAME

``add`` prints the new id; ``list --json`` prints one JSON object per line (open ones,
earliest reminder first; ``--due`` only those whose reminder time has come). The global
``--user ACTOR`` (before ``schedule``) acts as that user and the role rules apply (see
callcore/cli_users.py); without it the command line is unrestricted. An unknown id, a
refused role or a bad date is one sentence on stderr and exit code 2.
"""
from __future__ import annotations

import argparse
from typing import Any

from .cli import EXIT_OK, CliError, _print_json, _run_with_store
from .i18n import _
from .records import User
from .settings import Settings


def add_schedule_commands(commands: Any) -> None:
    """Add the ``schedule`` command to the admin command line's sub-commands."""
    schedule = commands.add_parser("schedule", help=_("scheduled calls: add, list, done"))
    sub = schedule.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = sub.add_parser("add", help=_("schedule a call; prints its id"))
    add.add_argument("--number", required=True)
    add.add_argument("--at", required=True, metavar="ISO8601",
                     help=_("when, e.g. 2026-12-01T09:30 (local time) or with an offset"))
    add.add_argument("--user", dest="assignee", metavar="NAME", help=_("for this user (default: yourself)"))
    add.add_argument("--note", default="")
    add.add_argument("--contact", default="", metavar="ID", help=_("the contact's id"))
    add.add_argument("--priority", type=int, choices=[0, 1, 2], default=1, help=_("0 low, 1 normal, 2 high"))
    add.set_defaults(handler=cmd_schedule_add)
    lst = sub.add_parser("list", help=_("list open scheduled calls, earliest first"))
    lst.add_argument("--json", action="store_true", help=_("one JSON object per line"))
    lst.add_argument("--user", dest="assignee", metavar="NAME", help=_("only this user's"))
    lst.add_argument("--due", action="store_true", help=_("only those whose time has come"))
    lst.add_argument("--all", action="store_true", help=_("done and cancelled ones too"))
    lst.add_argument("--limit", type=int, default=100000)
    lst.set_defaults(handler=cmd_schedule_list)
    done = sub.add_parser("done", help=_("mark a scheduled call done"))
    done.add_argument("id")
    done.add_argument("--outcome", default="")
    done.set_defaults(handler=cmd_schedule_done)
    snooze = sub.add_parser("snooze", help=_("remind again in some minutes"))
    snooze.add_argument("id")
    snooze.add_argument("--minutes", type=int, default=15)
    snooze.set_defaults(handler=cmd_schedule_snooze)
    reassign = sub.add_parser("reassign", help=_("give a scheduled call to another user"))
    reassign.add_argument("id")
    reassign.add_argument("--to", required=True, metavar="NAME")
    reassign.set_defaults(handler=cmd_schedule_reassign)


def scheduled_json(item: Any, section: str = "") -> dict[str, Any]:
    data = item.to_dict()
    data["reminder_at"] = item.reminder_at
    if section:
        data["section"] = section
    return data


def _run(args: argparse.Namespace, settings: Settings, body: Any) -> int:
    """Open the store, find the acting user, run ``body(feature)``; refusals → CliError."""
    from .scheduled_calls import ScheduleBook, ScheduleError
    from .cli_users import acting_user
    from .roles import PermissionDenied
    args._settings = settings

    def run(store: Any) -> int:
        try:
            actor = acting_user(args, store)
            station_user = str(settings.get("station.user") or "")

            def me() -> User | None:
                if actor is not None:
                    return actor
                if not station_user:
                    return None
                folded = station_user.casefold()
                return next((u for u in store.users.all(copy=False) if u.name.casefold() == folded),
                            User(name=station_user, id=""))
            return body(ScheduleBook(store, current_user=lambda: actor, me=me))
        except (ScheduleError, PermissionDenied) as exc:
            raise CliError(str(exc)) from None
    return _run_with_store(args, settings, run)


def cmd_schedule_add(args: argparse.Namespace, settings: Settings) -> int:
    from .scheduled_calls import parse_when
    try:
        when = parse_when(args.at)
    except ValueError as exc:
        raise CliError(_("--at: {problem}").format(problem=exc)) from None

    def body(feature: Any) -> int:
        item = feature.schedule(args.number, when, assigned_user=args.assignee, notes=args.note,
                                contact_id=args.contact, priority=args.priority)
        print(item.id)
        return EXIT_OK
    return _run(args, settings, body)


def cmd_schedule_list(args: argparse.Namespace, settings: Settings) -> int:
    def body(feature: Any) -> int:
        scope = feature.scopes()[-1]
        rows = feature.view("overdue" if args.due else "all", scope, limit=args.limit,
                            user=args.assignee, include_done=args.all)
        for row in rows:
            if args.json:
                _print_json(scheduled_json(row.item, row.section))
            else:
                item = row.item
                print("\t".join([row.when.strftime("%Y-%m-%d %H:%M"), item.number,
                                 item.contact_name, item.assigned_user, item.status, item.notes, item.id]))
        return EXIT_OK
    return _run(args, settings, body)


def cmd_schedule_done(args: argparse.Namespace, settings: Settings) -> int:
    def body(feature: Any) -> int:
        feature.done(args.id, args.outcome)
        print(_("Done: {id}").format(id=args.id))
        return EXIT_OK
    return _run(args, settings, body)


def cmd_schedule_snooze(args: argparse.Namespace, settings: Settings) -> int:
    def body(feature: Any) -> int:
        item = feature.snooze(args.id, args.minutes)
        print(_("Reminder again at {time}").format(time=item.snoozed_until))
        return EXIT_OK
    return _run(args, settings, body)


def cmd_schedule_reassign(args: argparse.Namespace, settings: Settings) -> int:
    def body(feature: Any) -> int:
        item = feature.reassign(args.id, args.to)
        print(_("Now for {name}").format(name=item.assigned_user))
        return EXIT_OK
    return _run(args, settings, body)


__all__ = ["add_schedule_commands", "scheduled_json"]
