"""The admin command line: contacts, calls and store maintenance (more commands register
themselves from callcore/cli_*.py modules).

    operator_app.py --settings PATH contacts add --name NAME --phone NUMBER [--phone …] [--type T] [--company C]
    operator_app.py --settings PATH contacts import FILE.csv [--duplicates merge|skip|add] [--encoding E]
    operator_app.py --settings PATH contacts find TEXT_OR_NUMBER [--json]
    operator_app.py --settings PATH calls [--json] [--since ISO_DATE]
    operator_app.py --settings PATH calls add --json-line '{…CallRecord fields…}'
    operator_app.py --settings PATH store sync | check | compact

Every command takes ``--log-level`` and logs to the per-user ``operator-cli.log``.
Errors are one line on stderr with exit code 2; ``store check`` exits 1 when it finds
damage. Every command publishes its own changes to the share before it exits.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable

from .i18n import _
from .logs import add_log_level_argument, install_exception_hooks, setup_logging
from .records import CONTACT_TYPES, PHONE_LABELS, CallRecord, Contact, Phone, RecordError
from .settings import Settings, SettingsError, load_settings

EXIT_OK, EXIT_DAMAGE, EXIT_ERROR = 0, 1, 2
log = logging.getLogger(__name__)


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="operator_app.py", description=_("Operator app command line"))
    parser.add_argument("--settings", metavar="PATH", help=_("settings JSON (store.*, station.id)"))
    add_log_level_argument(parser)
    from .cli_users import add_acting_user_option, add_user_commands  # users, --user (ROLE-1..3)
    add_acting_user_option(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_user_commands(commands)
    from .cli_schedule import add_schedule_commands; add_schedule_commands(commands)  # noqa: E702 - issue 8

    contacts = commands.add_parser("contacts", help=_("add, import and find contacts"))
    csub = contacts.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = csub.add_parser("add", help=_("add one contact"))
    add.add_argument("--name", required=True)
    add.add_argument("--phone", action="append", default=[], metavar="NUMBER",
                     help=_("a phone number; repeat for more; NUMBER:label sets the label"))
    add.add_argument("--type", default="customer", help=", ".join(CONTACT_TYPES))
    add.add_argument("--company", default="")
    add.add_argument("--json", action="store_true", help=_("print the stored contact as JSON"))
    add.set_defaults(handler=cmd_contacts_add)
    imp = csub.add_parser("import", help=_("import a CSV file with a header row (UTF-8 or UTF-16); "
                                            "a row with an existing id updates only its filled columns"))
    imp.add_argument("file", metavar="FILE.csv")
    imp.add_argument("--duplicates", choices=["merge", "skip", "add"], default="merge",
                     help=_("a row sharing a number with a contact: merge (default: fill what the "
                            "contact lacks, never overwrite), skip it, or add it anyway"))
    imp.add_argument("--encoding", metavar="NAME",
                     help=_("read a file not saved as UTF-8, e.g. cp1253 (Greek), cp1251 (Cyrillic)"))
    imp.set_defaults(handler=cmd_contacts_import)
    find = csub.add_parser("find", help=_("find contacts by number or name"))
    find.add_argument("text", metavar="TEXT_OR_NUMBER")
    find.add_argument("--json", action="store_true", help=_("one JSON object per line"))
    find.add_argument("--limit", type=int, default=50)
    find.set_defaults(handler=cmd_contacts_find)

    calls = commands.add_parser("calls", help=_("list the call log (or add a call)"))
    calls.add_argument("action", nargs="?", choices=["list", "add"], default="list")
    calls.add_argument("--json", action="store_true", help=_("one JSON object per line"))
    calls.add_argument("--since", metavar="ISO_DATE", help=_("only calls started at or after this date"))
    calls.add_argument("--json-line", metavar="JSON", help=_("calls add: the call as one JSON object"))
    calls.set_defaults(handler=cmd_calls)

    store = commands.add_parser("store", help=_("shared store maintenance"))
    ssub = store.add_subparsers(dest="action", metavar="ACTION", required=True)
    ssub.add_parser("sync", help=_("merge the shared folder and publish local changes")).set_defaults(
        handler=cmd_store_sync)
    ssub.add_parser("check", help=_("verify every file; exit 1 naming any damage")).set_defaults(
        handler=cmd_store_check)
    ssub.add_parser("compact", help=_("write a snapshot to the shared folder")).set_defaults(
        handler=cmd_store_compact)
    from .cli_reports import add_report_commands; add_report_commands(commands)  # report, export, .xlsx import
    from .cli_campaign import add_campaign_commands; add_campaign_commands(commands)  # noqa: E702 - issue 10
    return parser


# ---------------------------------------------------------------- plumbing

def _utf8_stdio() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8")  # type: ignore[attr-defined]
        except (AttributeError, ValueError):
            pass


def _print_json(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def load_cli_settings(path: str | None) -> Settings:
    try:
        settings = load_settings(Path(path), user_file=False) if path else load_settings()
    except FileNotFoundError as exc:
        raise CliError(_("settings file not found: {path}").format(path=exc.args[0] if exc.args else path)) from None
    return settings


def open_store(settings: Settings, sync_first: bool = True):
    """The store through the one composition root (same folders as the window and the
    recorder for the same settings file), without background sync."""
    from .app import AppMode, build_app
    from .store import StoreError, StationInUseError
    try:
        store = build_app(settings, AppMode.CLI).store
    except (StoreError, StationInUseError) as exc:
        raise CliError(str(exc)) from None
    if sync_first:
        store.sync_now()
    return store


def _run_with_store(args: argparse.Namespace, settings: Settings, body: Callable[[Any], int],
                    sync_first: bool = True) -> int:
    store = open_store(settings, sync_first)
    try:
        return body(store)
    finally:
        store.close()            # publishes this command's changes


# ---------------------------------------------------------------- contacts

def _phone(text: str) -> Phone:
    number, sep, label = text.rpartition(":")
    if sep and label in PHONE_LABELS:
        return Phone(number.strip(), label)
    return Phone(text.strip())


def contact_json(contact: Contact, **extra: Any) -> dict[str, Any]:
    data = contact.to_dict()
    data.update(extra)
    return data


def cmd_contacts_add(args: argparse.Namespace, settings: Settings) -> int:
    contact = Contact(name=args.name, type=args.type, company=args.company,
                      phones=[_phone(p) for p in args.phone])
    contact.validate()                       # before the store is even opened

    def body(store: Any) -> int:
        store.contacts.put(contact)
        if args.json:
            _print_json(contact_json(contact))
        else:
            print(contact.id)
        return EXIT_OK
    return _run_with_store(args, settings, body, sync_first=False)


DUPLICATES_SHOWN = 200          # duplicate lines printed; the rest are counted


def cmd_contacts_import(args: argparse.Namespace, settings: Settings) -> int:
    try:
        from .contact_import import ImportFileError, parse_contacts_csv, without_gc
        from .contact_merge import plan_import, write_contacts
        from .numbers import MatchRules
    except ImportError:
        raise CliError(_("contact import is not available in this build")) from None
    path = Path(args.file)
    if not path.is_file():
        raise CliError(_("file not found: {path}").format(path=path))
    try:
        result = parse_contacts_csv(path, getattr(args, "encoding", None))
    except ImportFileError as exc:
        raise CliError(str(exc)) from None

    def body(store: Any) -> int:
        plan = plan_import(result.rows, store.contacts.all(copy=False), MatchRules.from_settings(settings),
                           getattr(args, "duplicates", "merge"))
        rejected = [(r.row, r.reason) for r in result.rejected]
        for contact, reason in write_contacts(store, plan.writes, validated=plan.validated):   # batched, crash-safe
            rejected.append((-1, f"{contact.name}: {reason}"))          # never stops the good rows
        print_import_summary(plan, result.warnings, rejected)
        return EXIT_OK
    with without_gc():        # ~1M acyclic objects; also over the checkpoint written on close
        return _run_with_store(args, settings, body)


def print_import_summary(counts: Any, warnings: list[str], rejected: list[tuple[int, str]],
                         rejected_shown: int | None = None) -> None:
    """What a contact import did (``counts``: an ImportPlan or ImportSummary), its duplicate
    and rejected rows (the first ``rejected_shown``; all when None)."""
    for warning in warnings:
        print(_("warning: {warning}").format(warning=warning))
    print(_("imported {n} contacts: {added} added, {updated} updated").format(
        n=counts.added + counts.updated, added=counts.added, updated=counts.updated))
    if counts.unchanged or counts.merged_rows or counts.skipped:
        print(_("{unchanged} rows unchanged, {merged} rows merged into another contact, "
                "{skipped} duplicate rows skipped").format(
            unchanged=counts.unchanged, merged=counts.merged_rows, skipped=counts.skipped))
    _print_first(_("duplicates ({n}):"), [_("  row {row}: {what}").format(row=d.row, what=d)
                                          for d in counts.duplicates], DUPLICATES_SHOWN)
    _print_first(_("rejected {n} rows:"), [_("  row {row}: {reason}").format(row=row, reason=reason)
                                           for row, reason in sorted(rejected)], rejected_shown)


def _print_first(title: str, lines: list[str], shown: int | None) -> None:
    if not lines:
        return
    print(title.format(n=len(lines)))
    for line in lines[:shown]:
        print(line)
    if shown is not None and len(lines) > shown:
        print(_("  … and {n} more").format(n=len(lines) - shown))


def find_contacts(store: Any, settings: Settings, text: str, limit: int) -> list[tuple[Contact, str]]:
    """Number lookup when the text is a number, name search otherwise (both when mixed)."""
    contacts = list(store.contacts.all(copy=False))
    try:
        from .directory import Directory, MatchRules
    except ImportError:
        folded = text.casefold()
        return [(c, "name") for c in contacts if folded in c.name.casefold()][:limit]
    directory = Directory(MatchRules.from_settings(settings))
    directory.load(contacts)
    out: list[tuple[Contact, str]] = []
    seen: set[str] = set()
    if sum(ch.isdigit() for ch in text) >= max(3, len(text.strip()) // 2):
        for match in directory.lookup(text):
            if match.contact.id not in seen:
                seen.add(match.contact.id)
                out.append((match.contact, match.kind))
    for contact in directory.search(text, limit=limit):
        if contact.id not in seen:
            seen.add(contact.id)
            out.append((contact, "name"))
    return out[:limit]


def cmd_contacts_find(args: argparse.Namespace, settings: Settings) -> int:
    def body(store: Any) -> int:
        for contact, kind in find_contacts(store, settings, args.text, args.limit):
            if args.json:
                _print_json(contact_json(contact, match=kind))
            else:
                phones = ", ".join(p.number for p in contact.phones)
                print(f"{contact.name}\t{contact.type}\t{phones}\t{contact.id}")
        return EXIT_OK
    return _run_with_store(args, settings, body)


# ---------------------------------------------------------------- calls

def _parse_since(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise CliError(_("--since: not an ISO date or date-time: {value!r}").format(value=text)) from None


def _call_from_json(text: str | None) -> CallRecord:
    if not text:
        raise CliError(_("calls add: --json-line is required"))
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CliError(_("--json-line: not valid JSON: {error}").format(error=exc)) from None
    if not isinstance(data, dict):
        raise CliError(_("--json-line: must be a JSON object"))
    for name in ("id", "linkedid", "direction", "status", "started_at"):
        if name not in data:
            raise RecordError("CallRecord", name, _("is required"))
    try:
        record = CallRecord.from_dict(data)
    except TypeError as exc:
        raise CliError(_("--json-line: {error}").format(error=exc)) from None
    record.validate()
    return record


def cmd_calls(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "add":
        record = _call_from_json(args.json_line)

        def add(store: Any) -> int:
            added = store.calls.add(record)
            print(record.id if added else _("already logged: {id}").format(id=record.id))
            return EXIT_OK
        return _run_with_store(args, settings, add, sync_first=False)
    since = _parse_since(args.since)

    def body(store: Any) -> int:
        for call in store.calls.since(since):
            if args.json:
                _print_json(call.to_dict())
            else:
                print(f"{call.started_at}\t{call.direction}\t{call.status}\t{call.caller_number}\t"
                      f"{call.called_number}\t{call.contact_name}")
        return EXIT_OK
    return _run_with_store(args, settings, body)


# ---------------------------------------------------------------- store

def cmd_store_sync(args: argparse.Namespace, settings: Settings) -> int:
    def body(store: Any) -> int:
        report = store.sync_now()
        if store.layout is None:
            raise CliError(_("store.shared_folder: no shared folder configured"))
        if not report.online:
            raise CliError(_("{error}; local changes are kept and published when it is back").format(
                error=report.error or _("the shared folder cannot be reached")))
        print(_("published {p} changes, merged {m} changes from {f} files").format(
            p=report.published, m=report.applied, f=report.files_read))
        for problem in store.problems:
            print(_("problem: {problem}").format(problem=problem), file=sys.stderr)
        return EXIT_OK
    return _run_with_store(args, settings, body, sync_first=False)


def cmd_store_check(args: argparse.Namespace, settings: Settings) -> int:
    def body(store: Any) -> int:
        problems = store.check()
        for problem in problems:
            print(_("DAMAGE: {problem}").format(problem=problem))
        if problems:
            return EXIT_DAMAGE
        print(_("store OK"))
        return EXIT_OK
    return _run_with_store(args, settings, body, sync_first=False)


def cmd_store_compact(args: argparse.Namespace, settings: Settings) -> int:
    def body(store: Any) -> int:
        report = store.compact()
        if report.snapshot is None:
            print(_("checkpoint written; no shared folder reachable, so no snapshot"))
        else:
            print(_("snapshot {path}: {records} records, {calls} calls, {size} bytes in {secs:.1f} s; "
                    "{archived} batches archived").format(path=report.snapshot, records=report.records,
                                                          calls=report.calls, size=report.bytes,
                                                          secs=report.seconds, archived=report.archived))
        return EXIT_OK
    return _run_with_store(args, settings, body, sync_first=False)


# ---------------------------------------------------------------- entry point

def main(argv: list[str]) -> int:
    _utf8_stdio()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    setup_logging("cli", args.log_level)
    install_exception_hooks()
    log.info("command: %s %s", args.command, getattr(args, "action", ""))
    try:
        settings = load_cli_settings(args.settings)
        return args.handler(args, settings)
    except SettingsError as exc:
        message = _("settings: {error}").format(error=exc)
    except RecordError as exc:
        message = _("refused: {error}").format(error=exc)
    except CliError as exc:
        message = str(exc)
    except OSError as exc:
        message = _("file error: {error}").format(error=exc)
    log.warning("%s", message)
    print(message, file=sys.stderr)
    return EXIT_ERROR
