"""``campaign`` admin commands (CAMP-1..4), for scripts and tests.

    operator_app.py --settings S campaign create NAME [--from FILE [--map field=Header,…]] [options]
    operator_app.py --settings S campaign add NAME --number N [--name TEXT] [--comment TEXT]
    operator_app.py --settings S campaign select NAME [--type T] [--city C] [--company C] [--not-called-days N]
    operator_app.py --settings S campaign list --json
    operator_app.py --settings S campaign next NAME --json [--count K]
    operator_app.py --settings S campaign outcome NAME ENTRY_ID RESULT [--note TEXT] [--at ISO8601]
    operator_app.py --settings S campaign release NAME
    operator_app.py --settings S campaign stats NAME --json
    operator_app.py --settings S campaign export NAME --to FILE(.xlsx|.csv|.pdf)

``next`` claims entries for this station (``station.id``) and user (``station.user``, or the
global ``--user``), waits until the claim is safe from other stations (docs/campaigns.md)
and prints each entry; exit code 3 when nothing is left to hand out now. An unknown name,
a refused outcome or a closed campaign is one sentence on stderr and exit code 2.
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from .cli import EXIT_OK, CliError, _print_json, _run_with_store
from .i18n import _
from .records import RecordError
from .settings import Settings

EXIT_NONE_LEFT = 3
MAP_FIELDS = ("name", "number", "comment", "company", "city", "contact_id")


def add_campaign_commands(commands: Any) -> None:
    """Add the ``campaign`` command to the admin command line's sub-commands."""
    camp = commands.add_parser("campaign", help=_("mass-call campaigns: create, next, outcome, stats"))
    sub = camp.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = sub.add_parser("create", help=_("create a campaign, optionally from an .xlsx/CSV file"))
    create.add_argument("name")
    create.add_argument("--from", dest="source", metavar="FILE", help=_(".xlsx or CSV file with the entries"))
    create.add_argument("--map", default="", metavar="field=Header,…",
                        help=_("which column is which: name, number (or phone), comment, company, city"))
    create.add_argument("--description", default="")
    create.add_argument("--script", default="", help=_("the text shown to the caller"))
    create.add_argument("--start", default=None, metavar="ISO8601")
    create.add_argument("--end", default=None, metavar="ISO8601")
    create.add_argument("--assign-user", default="", metavar="NAME")
    create.add_argument("--assign-group", default="", metavar="NAME")
    create.add_argument("--outcomes", default="", metavar="code:kind,…",
                        help=_("kinds: final, retry, schedule (default: the standard set)"))
    create.add_argument("--max-tries", type=int, default=3)
    create.add_argument("--retry-minutes", type=int, default=60)
    create.add_argument("--claim-seconds", type=int, default=900,
                        help=_("an entry claimed by a workstation that went away is free again after this"))
    create.set_defaults(handler=cmd_create)
    add = sub.add_parser("add", help=_("add one entry typed by hand"))
    add.add_argument("name")
    add.add_argument("--number", required=True)
    add.add_argument("--entry-name", dest="entry_name", default="")
    add.add_argument("--comment", default="")
    add.set_defaults(handler=cmd_add)
    select = sub.add_parser("select", help=_("add contacts from the directory with filters"))
    select.add_argument("name")
    select.add_argument("--type", default="")
    select.add_argument("--city", default="")
    select.add_argument("--company", default="")
    select.add_argument("--not-called-days", type=int, default=0, metavar="N",
                        help=_("only contacts whose last call is older than N days"))
    select.set_defaults(handler=cmd_select)
    lst = sub.add_parser("list", help=_("campaigns with their counters"))
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=cmd_list)
    nxt = sub.add_parser("next", help=_("claim the next entry for this workstation and print it (exit 3: none left)"))
    nxt.add_argument("name")
    nxt.add_argument("--json", action="store_true")
    nxt.add_argument("--count", type=int, default=1)
    nxt.set_defaults(handler=cmd_next)
    out = sub.add_parser("outcome", help=_("record what came of a call"))
    out.add_argument("name")
    out.add_argument("entry_id")
    out.add_argument("result")
    out.add_argument("--note", default="")
    out.add_argument("--at", default=None, metavar="ISO8601", help=_("call back later: when"))
    out.add_argument("--call-id", default="")
    out.set_defaults(handler=cmd_outcome)
    rel = sub.add_parser("release", help=_("give back the entries this workstation holds"))
    rel.add_argument("name")
    rel.set_defaults(handler=cmd_release)
    stats = sub.add_parser("stats", help=_("the campaign's counters"))
    stats.add_argument("name")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(handler=cmd_stats)
    exp = sub.add_parser("export", help=_("results to .xlsx, .csv or .pdf"))
    exp.add_argument("name")
    exp.add_argument("--to", required=True, metavar="FILE")
    exp.set_defaults(handler=cmd_export)


# ---------------------------------------------------------------- plumbing

def station_user(args: argparse.Namespace, settings: Settings) -> str:
    return str(getattr(args, "acting_user", None) or settings.get("station.user") or "")


def make_book(store: Any, settings: Settings, user: str) -> Any:
    from .campaign_book import CampaignBook
    return CampaignBook(store, station=settings.station_id, user=user,
                        sync_interval=float(settings.get("store.sync_interval")))


def sync_wait(store: Any) -> Any:
    """The confirmation wait of a process without background sync: keep publishing and
    reading the share until the time is up, then read once more."""
    def wait(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            store.sync_now()
            time.sleep(min(0.05, max(0.0, end - time.monotonic())))
        store.sync_now()
    return wait


def _run(args: argparse.Namespace, settings: Settings, body: Any) -> int:
    from .campaign_book import CampaignClosed, CampaignError

    def run(store: Any) -> int:
        book = make_book(store, settings, station_user(args, settings))
        try:
            return body(store, book)
        except (CampaignError, CampaignClosed) as exc:
            raise CliError(str(exc)) from None
        finally:
            book.close()
    return _run_with_store(args, settings, run)


def entry_json(entry: Any, campaign: Any, claim: Any = None) -> dict[str, Any]:
    data = {"id": entry.id, "campaign": campaign.code, "campaign_id": campaign.id, "name": entry.name,
            "number": entry.number, "comment": entry.comment, "contact_id": entry.contact_id,
            "company": entry.company, "city": entry.city, "position": entry.position}
    if claim is not None:
        data.update(claim_id=claim.id, attempt=claim.attempt, station=claim.station, user=claim.user)
    return data


def _parse_time(text: str | None, option: str) -> str | None:
    if not text:
        return None
    from .scheduled_calls import iso, parse_when
    try:
        return iso(parse_when(text))
    except ValueError as exc:
        raise CliError(f"{option}: {exc}") from None


def print_add_report(report: Any) -> None:
    print(_("{added} entries added, {dups} duplicates in the input, {listed} already in the list, "
            "{rejected} rejected").format(added=len(report.added), dups=len(report.duplicates),
                                          listed=len(report.already_listed), rejected=len(report.rejected)))
    for row, number, name in report.duplicates[:200]:
        print(_("row {row}: {number} ({name}) is in the input twice").format(row=row, number=number, name=name))
    for row, number, name in report.already_listed[:200]:
        print(_("row {row}: {number} is already in the list ({name})").format(row=row, number=number, name=name))
    for row, reason in report.rejected[:200]:
        print(_("row {row}: {reason}").format(row=row, reason=reason))


# ---------------------------------------------------------------- commands

def cmd_create(args: argparse.Namespace, settings: Settings) -> int:
    from .campaign_import import CampaignFileError, parse_map, read_entries
    from .records import DEFAULT_CAMPAIGN_OUTCOMES, Campaign
    rows: list[dict[str, Any]] = []
    if args.source:
        try:
            rows = read_entries(Path(args.source), parse_map(args.map)).rows
        except (CampaignFileError, ValueError) as exc:
            raise CliError(str(exc)) from None
    campaign = Campaign(code=args.name, description=args.description, script=args.script,
                        start_at=_parse_time(args.start, "--start"), end_at=_parse_time(args.end, "--end"),
                        assigned_user=args.assign_user, assigned_group=args.assign_group,
                        outcomes=args.outcomes or DEFAULT_CAMPAIGN_OUTCOMES, max_tries=args.max_tries,
                        retry_minutes=args.retry_minutes, claim_seconds=args.claim_seconds)
    campaign.validate()

    def body(store: Any, book: Any) -> int:
        book.save(campaign)
        report = book.add_entries(campaign.id, rows)
        print(_("Campaign {code} created: {id}").format(code=campaign.code, id=campaign.id))
        print_add_report(report)
        return EXIT_OK
    return _run(args, settings, body)


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    def body(store: Any, book: Any) -> int:
        c = book.find(args.name)
        report = book.add_entries(c.id, [{"name": args.entry_name, "number": args.number,
                                          "comment": args.comment}])
        for e in report.added:
            print(e.id)
        if not report.added:
            print_add_report(report)
            return 1
        return EXIT_OK
    return _run(args, settings, body)


def cmd_select(args: argparse.Namespace, settings: Settings) -> int:
    from .campaign_book import numbers_called_since
    from .scheduled_calls import utcnow

    def body(store: Any, book: Any) -> int:
        c = book.find(args.name)
        called = None
        if args.not_called_days:
            called = numbers_called_since(store.calls.since(utcnow() - timedelta(days=args.not_called_days)))
        rows = book.select_contacts(store.contacts.all(copy=False), type=args.type, city=args.city,
                                    company=args.company, called_since=called)
        print_add_report(book.add_entries(c.id, rows))
        return EXIT_OK
    return _run(args, settings, body)


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    def body(store: Any, book: Any) -> int:
        for c in book.campaigns():
            counters = book.counters(c.id)
            if args.json:
                _print_json({**c.to_dict(), "counters": counters.as_dict()})
            else:
                print("\t".join([c.code, c.status, _("active") if c.active else _("inactive"),
                                 f"{counters.completed}/{counters.total}", c.description]))
        return EXIT_OK
    return _run(args, settings, body)


def cmd_next(args: argparse.Namespace, settings: Settings) -> int:
    def body(store: Any, book: Any) -> int:
        c = book.find(args.name)
        got = book.next_entries(c.id, sync_wait(store), count=max(1, args.count))
        if not got:
            counters = book.counters(c.id)
            print(_("Nothing left to call in {code} now ({progress} in progress, {waiting} waiting for a retry)")
                  .format(code=c.code, progress=counters.in_progress, waiting=counters.unanswered),
                  file=sys.stderr)
            return EXIT_NONE_LEFT
        for item in got:
            if args.json:
                _print_json(entry_json(item.entry, c, item.claim))
            else:
                print("\t".join([item.entry.id, item.entry.number, item.entry.name, item.entry.comment]))
        return EXIT_OK
    return _run(args, settings, body)


def cmd_outcome(args: argparse.Namespace, settings: Settings) -> int:
    from .campaign_book import scheduler
    from .scheduled_calls import parse_when
    at = None
    if args.at:
        try:
            at = parse_when(args.at)
        except ValueError as exc:
            raise CliError(f"--at: {exc}") from None

    def body(store: Any, book: Any) -> int:
        c = book.find(args.name)
        try:
            outcome = book.record_outcome(c.id, args.entry_id, args.result, args.note, call_id=args.call_id,
                                          schedule=scheduler(store, book.user, c), call_back_at=at)
        except RecordError as exc:
            raise CliError(str(exc)) from None
        print(_("Recorded {result} for {entry}").format(result=outcome.result, entry=args.entry_id)
              + (_(" (retry after {when})").format(when=outcome.retry_at) if outcome.retry_at else "")
              + (_(" (scheduled call {id})").format(id=outcome.scheduled_id) if outcome.scheduled_id else ""))
        return EXIT_OK
    return _run(args, settings, body)


def cmd_release(args: argparse.Namespace, settings: Settings) -> int:
    def body(store: Any, book: Any) -> int:
        n = book.release_all(book.find(args.name).id)
        print(_("{count} entries given back").format(count=n))
        return EXIT_OK
    return _run(args, settings, body)


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    def body(store: Any, book: Any) -> int:
        c = book.find(args.name)
        counters = book.counters(c.id)
        if args.json:
            _print_json({"campaign": c.code, "status": c.status, **counters.as_dict()})
        else:
            for key, value in counters.as_dict().items():
                print(f"{key}\t{value}")
        return EXIT_OK
    return _run(args, settings, body)


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from .campaign_export import export_results

    def body(store: Any, book: Any) -> int:
        c = book.find(args.name)
        n = export_results(book, c, Path(args.to))
        print(_("{count} entries written to {path}").format(count=n, path=args.to))
        return EXIT_OK
    return _run(args, settings, body)
