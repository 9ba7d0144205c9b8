"""Admin commands for reports and exports (REP-1, REP-2, DIR-4):

    operator_app.py --settings S report KIND --from DATE --to DATE [filters] --out FILE.pdf
    operator_app.py --settings S export calls|contacts|schedule [--format xlsx|csv] --out FILE [filters]
    operator_app.py --settings S contacts import FILE.xlsx|FILE.csv [--map field=Header,…] [--rejected R.xlsx]

KIND: scheduled, incoming, outgoing, transferred, internal, contacts (other contacts),
statistics. Filters: --direction, --status, --user, --extension (each repeatable or
comma-separated) and --text. A wrong value exits 2 with one sentence saying why.
The writers live in reports/ (plain functions from records to a file); this module only
reads the store and the arguments.
"""
from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from .i18n import _

EXPORTS = ("calls", "contacts", "schedule")


def add_report_commands(commands: Any) -> None:
    """Add ``report`` and ``export`` to the command parsers, and .xlsx files, ``--map`` and
    ``--rejected`` to ``contacts import`` (the CSV import's own options keep working)."""
    from reports.query import REPORT_KINDS
    report = commands.add_parser("report", help=_("write a PDF report"))
    report.add_argument("kind", choices=REPORT_KINDS, metavar="KIND", help=", ".join(REPORT_KINDS))
    _filter_arguments(report)
    report.add_argument("--out", required=True, metavar="FILE.pdf", help=_("the PDF file to write"))
    report.set_defaults(handler=cmd_report)

    export = commands.add_parser("export", help=_("export calls, contacts or scheduled calls to Excel or CSV"))
    export.add_argument("what", choices=EXPORTS, metavar="WHAT", help=", ".join(EXPORTS))
    export.add_argument("--format", choices=("xlsx", "csv"),
                        help=_("xlsx or csv (default: from the --out file name)"))
    export.add_argument("--out", required=True, metavar="FILE", help=_("the file to write"))
    export.add_argument("--type", action="append", default=[], metavar="TYPE",
                        help=_("contacts: only these types (repeatable)"))
    _filter_arguments(export)
    export.set_defaults(handler=cmd_export)
    _extend_contacts_import(commands)


def _filter_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="date_from", metavar="DATE", help=_("first day (YYYY-MM-DD) or time"))
    parser.add_argument("--to", dest="date_to", metavar="DATE", help=_("last day, included (YYYY-MM-DD)"))
    for name, meta, text in (("direction", "in|out|internal", _("only calls in this direction")),
                             ("status", "STATUS", _("only this status (answered, missed, …; "
                                                    "scheduled calls: open, done, cancelled)")),
                             ("user", "USER", _("only calls handled by (or scheduled for) this user")),
                             ("extension", "EXT", _("only calls of this extension"))):
        parser.add_argument(f"--{name}", action="append", default=[], metavar=meta, help=text)
    parser.add_argument("--text", default="", metavar="TEXT", help=_("only rows containing this text"))


def _list(values: list[str]) -> tuple[str, ...]:
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


def report_filter(args: argparse.Namespace, schedule: bool = False):
    """The arguments' filter; CliError with a sentence for a bad date or value."""
    from reports.query import ReportFilter, check_filter_values, parse_day
    from .cli import CliError
    try:
        start = parse_day(args.date_from) if args.date_from else None
    except ValueError:
        raise CliError(_("--from: not a date (YYYY-MM-DD): {value!r}").format(value=args.date_from)) from None
    try:
        end = parse_day(args.date_to, end=True) if args.date_to else None
    except ValueError:
        raise CliError(_("--to: not a date (YYYY-MM-DD): {value!r}").format(value=args.date_to)) from None
    flt = ReportFilter(start=start, end=end, directions=_list(args.direction), statuses=_list(args.status),
                       users=_list(args.user), extensions=_list(args.extension), text=args.text or "")
    try:
        check_filter_values(flt, schedule)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    return flt


def _out_path(text: str, suffixes: tuple[str, ...]) -> Path:
    from .cli import CliError
    path = Path(text)
    if path.suffix.lower() not in suffixes:
        raise CliError(_("--out: the file name must end in {suffixes}: {path}").format(
            suffixes=" or ".join(suffixes), path=path))
    if not path.parent.is_dir():
        raise CliError(_("--out: the folder {folder} does not exist").format(folder=path.parent))
    if path.is_dir():
        raise CliError(_("--out: {path} is a folder").format(path=path))
    return path


def _source(store: Any, flt: Any):
    from reports.make import Source
    from reports.query import until
    return Source(calls=lambda start: until(store.calls.since(start), flt.end), scheduled=store.scheduled.all,
                  contacts=lambda: store.contacts.all(copy=False))


def cmd_report(args: argparse.Namespace, settings: Any) -> int:
    from reports.make import write_report
    from .cli import EXIT_OK, _run_with_store
    flt = report_filter(args, schedule=args.kind == "scheduled")
    out = _out_path(args.out, (".pdf",))

    def body(store: Any) -> int:
        pages = write_report(out, args.kind, flt, _source(store, flt),
                             office=str(settings.get("office.name") or ""))
        print(_("wrote {path} ({pages} pages)").format(path=out, pages=pages))
        return EXIT_OK
    return _run_with_store(args, settings, body)


def cmd_export(args: argparse.Namespace, settings: Any) -> int:
    from reports.columns import call_columns, contact_columns, schedule_columns
    from reports.query import report_title, select_calls, select_contacts, select_schedule, until
    from .cli import EXIT_OK, CliError, _run_with_store
    from .records import CONTACT_TYPES
    fmt = args.format or Path(args.out).suffix.lower().lstrip(".")
    if fmt not in ("xlsx", "csv"):
        raise CliError(_("--format: give xlsx or csv (or an --out file ending in .xlsx or .csv)"))
    out = _out_path(args.out, (f".{fmt}",))
    flt = report_filter(args, schedule=args.what == "schedule")
    types = _list(args.type)
    for name in types:
        if name not in CONTACT_TYPES:
            raise CliError(_("--type: {value!r} is not one of {values}").format(
                value=name, values=", ".join(CONTACT_TYPES)))

    def body(store: Any) -> int:
        if args.what == "calls":
            start = flt.start - timedelta(days=1) if flt.start else None
            calls = until(store.calls.since(start), flt.end)
            columns, rows, total = call_columns(), select_calls(calls, flt), None
        elif args.what == "schedule":
            items = select_schedule(store.scheduled.all(), flt)
            columns, rows, total = schedule_columns(), items, len(items)
        else:
            items = select_contacts(store.contacts.all(copy=False), flt, types)
            columns, rows, total = contact_columns(), items, len(items)
        if fmt == "xlsx":
            from reports.xlsx import export_xlsx
            count = export_xlsx(out, columns, rows, title=report_title(args.what), total=total)
        else:
            from reports.csv_export import export_csv
            count = export_csv(out, columns, rows, total=total)
        print(_("exported {n} rows to {path}").format(n=count, path=out))
        return EXIT_OK
    return _run_with_store(args, settings, body)


# ---------------------------------------------------------------- contacts import

def _extend_contacts_import(commands: Any) -> None:
    contacts = commands.choices.get("contacts")
    if contacts is None:
        return
    actions = [a for a in contacts._actions if isinstance(a, argparse._SubParsersAction)]
    imp = actions[0].choices.get("import") if actions else None
    if imp is None:
        return
    csv_handler = imp.get_default("handler")
    for action in imp._actions:
        if action.dest == "file":
            action.metavar = "FILE.csv|FILE.xlsx"
    imp.add_argument("--map", default="", metavar="field=Header,…",
                     help=_("which column holds which field, e.g. name=Επωνυμία,phone:mobile=Κινητό "
                            "(headers in English, Greek, Russian and Czech are recognised without it)"))
    imp.add_argument("--rejected", metavar="REPORT.xlsx",
                     help=_("save the rejected rows, with the reason, as an Excel file"))

    def handler(args: argparse.Namespace, settings: Any) -> int:
        from reports.xlsx_import import needs_mapping
        path = Path(args.file)
        if path.suffix.lower() in (".xlsx", ".xlsm") or args.map or args.rejected \
                or path.is_file() and needs_mapping(path, getattr(args, "encoding", None)):
            return cmd_contacts_import_mapped(args, settings)
        return csv_handler(args, settings)
    imp.set_defaults(handler=handler)


def cmd_contacts_import_mapped(args: argparse.Namespace, settings: Any) -> int:
    """``contacts import`` of an .xlsx (or a CSV with --map/--rejected): the same rows,
    merge rules and summary as the CSV import."""
    from reports.xlsx_import import import_contacts, parse_mapping, read_contacts, write_rejected
    from .cli import DUPLICATES_SHOWN, EXIT_OK, CliError, _run_with_store, print_import_summary
    from .contact_import import ImportFileError, without_gc
    from .numbers import MatchRules
    path = Path(args.file)
    if not path.is_file():
        raise CliError(_("file not found: {path}").format(path=path))
    rejected_path = _out_path(args.rejected, (".xlsx",)) if args.rejected else None
    try:
        read = read_contacts(path, parse_mapping(args.map), getattr(args, "encoding", None))
    except (ImportFileError, ValueError) as exc:
        raise CliError(str(exc)) from None
    print(_("columns: {mapping}").format(mapping=", ".join(
        f"{field}={header}" for field, header in read.mapping.items())))

    def body(store: Any) -> int:
        summary = import_contacts(store, read, MatchRules.from_settings(settings),
                                  getattr(args, "duplicates", "merge"))
        print_import_summary(summary, read.result.warnings, summary.rejected, rejected_shown=DUPLICATES_SHOWN)
        if rejected_path is not None:
            refused = [r for r in summary.rejected if r[0] < 0]
            write_rejected(rejected_path, read, refused)
            print(_("rejected rows saved to {path}").format(path=rejected_path))
        sys.stdout.flush()
        return EXIT_OK
    with without_gc():
        return _run_with_store(args, settings, body)
