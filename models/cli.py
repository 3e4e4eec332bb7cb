"""The `permanence-tracker` subcommands: import, export, demo data, drift, reports, backups, audit.

With no subcommand the same command starts the desktop application; that choice is made by the
entry point in `desktop/main.py`, so this module (like all of `models/`) never loads Qt.

Errors for a person go to stderr as one sentence with a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import errno
import getpass
import importlib
import json
import os
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TextIO

from sqlalchemy.exc import DBAPIError

from models.domain.calendar import FIRST_YEAR, LAST_YEAR, outside_range
from models.domain.engine import Deadline
from models.domain.journey import UNSAFE_CHARACTERS
from models.domain.period import Period
from models.domain.rules import RULES, Status, Unit
from models.io.audited_export import ExportFailed, export_audited, export_csv
from models.io.export import (
    DEADLINE_CSV_HEADER,
    deadline_csv_rows,
    write_deadlines_json,
)
from models.io.journey_io import ImportError_, export_file, import_file, import_journey, issues_report
from models.reports import REPORT_NAMES
from models.storage import instance_lock, paths, roles, secrets, server
from models.storage.db import (
    Database,
    DatabaseError,
    PassphraseRequired,
    ServerPasswordRequired,
    open_database,
)
from models.storage.errors import KnownError, known_failure
from models.storage.store import audit, compute_deadlines, get_child, parse_iso, stream_deadlines

EXIT_USAGE = 2
EXIT_FAILED = 1


class CliError(KnownError):
    """A failure to report to the person at the terminal."""


def _iso_day(value: str) -> date:
    try:
        return parse_iso(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _as_of(value: str) -> date:
    """An as-of date: a real date in the tracker's years (`timescales.md`)."""
    day = _iso_day(value)
    outside = outside_range(day)
    if outside is not None:
        raise argparse.ArgumentTypeError(f"{outside}.")
    return day


def _period(value: str) -> Period:
    try:
        return Period.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class CommandParser(argparse.ArgumentParser):
    """The command line's parser, knowing its subcommands by name (`commands`)."""

    commands: Mapping[str, argparse.ArgumentParser] = {}


def build_parser() -> CommandParser:
    parser = CommandParser(
        prog="permanence-tracker",
        description="Track the statutory timescales of children's plans: CP, PLO, court, looked after, DRP. "
        "With no command it starts the desktop application.",
    )
    parser.add_argument("--db", help="database file (default: tracker.sqlite in the data folder) or a URL")
    parser.add_argument("--data-dir", help="folder for the database, backups and logs")
    parser.add_argument(
        "--read-only", action="store_true", help="open the database read-only (reviewing a copy)"
    )
    parser.add_argument(
        "--as-of",
        dest="global_as_of",
        type=_as_of,
        default=None,
        help="the date to see everything as it stood (default today); commands' own --as-of wins",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="desktop application: log debug messages to stderr"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    parser.commands = sub.choices  # filled in as each subcommand is added below

    p = sub.add_parser(
        "import",
        help="import journey files, Annex A workbooks, SSDA903 returns, CIN census, spreadsheets (all or nothing)",
    )
    p.add_argument(
        "paths", type=Path, nargs="+", metavar="PATH", help="files or folders; each one's format is detected"
    )
    p.add_argument("--valid-only", action="store_true", help="import the valid children and skip the rest")
    p.add_argument("--dry-run", action="store_true", help="print the preview and write nothing")
    p.add_argument(
        "--tracked-from",
        type=_iso_day,
        default=None,
        help="the date the records are complete from (YYYY-MM-DD)",
    )
    p.add_argument("--mapping", help="the saved column mapping for a CSV or XLSX of your own")
    p.add_argument(
        "--source-wins",
        action="store_true",
        help="where a file and the record disagree, take the file's value",
    )

    p = sub.add_parser("mapping", help="column mappings for importing spreadsheets: save, list, show")
    p.add_argument("action", choices=("save", "list", "show"))
    p.add_argument("name", nargs="?")
    p.add_argument("--file", type=Path, help="save: the mapping as JSON")

    p = sub.add_parser("export-annex-a", help="Ofsted Annex A lists 5, 7 and 8 as an XLSX workbook")
    p.add_argument("file", type=Path)
    p.add_argument("--as-of", type=_as_of, default=None, help="YYYY-MM-DD (default today)")

    p = sub.add_parser("export", help="export every child (or some) to a journey file")
    p.add_argument("file", type=Path)
    p.add_argument("--child", action="append", help="only this child (repeatable)")

    p = sub.add_parser("demo", help="add fictional demonstration children")
    p.add_argument("--children", type=int, default=200)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--today", type=_as_of, default=None, help="date the journeys lead up to (default today)")

    p = sub.add_parser("drift", help="every deadline at a date: overdue, due soon, met")
    p.add_argument("--as-of", type=_as_of, default=None, help="YYYY-MM-DD (default today)")
    p.add_argument("--child", help="only this child")
    p.add_argument("--json", action="store_true", help="JSON as journey-format.md describes")
    p.add_argument("--csv", type=Path, metavar="FILE", help="also write the deadlines to a CSV file")

    p = sub.add_parser("measures", help="the improvement plan's measures M1-M15 for a period")
    p.add_argument(
        "--period",
        type=_period,
        default=None,
        help="2025-09, 2025-Q3, 2025-W36 or 2025-26 (default: the last complete month before the as-of date)",
    )
    p.add_argument("--as-of", type=_as_of, default=None, help="YYYY-MM-DD (default today)")
    p.add_argument(
        "--json", action="store_true", help="JSON: each measure with its target and the previous period"
    )
    p.add_argument("--csv", type=Path, metavar="FILE", help="also write the measures to a CSV file")

    p = sub.add_parser(
        "calendar", help="upcoming deadlines and listed hearings as an iCalendar file (Outlook)"
    )
    p.add_argument("file", type=Path, help="the .ics file to write")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--worker", help="the social worker whose children's deadlines to include")
    who.add_argument("--officer", help="the reviewing officer (IRO or CP chair) whose children to include")
    p.add_argument("--as-of", type=_as_of, default=None, help="YYYY-MM-DD (default today)")
    p.add_argument("--weeks", type=int, default=26, help="how many weeks ahead (default 26)")

    sub.add_parser("backup", help="make a checked backup of the database now")
    sub.add_parser("check-audit", help="check that the audit log's hash chain is unbroken")

    p = sub.add_parser(
        "move-in", help="team server: copy a laptop's SQLite database into an empty team database"
    )
    p.add_argument("file", type=Path, help="the laptop's database file")

    p = sub.add_parser("check-out", help="team server: take children out to an encrypted laptop file")
    p.add_argument("file", type=Path, nargs="?", help="the new laptop file (none: list the children out)")
    p.add_argument("--child", action="append", default=[], help="a child to take (repeatable)")
    p = sub.add_parser("check-in", help="team server: bring a laptop file back, merging both sides' changes")
    p.add_argument("file", type=Path)
    p.add_argument(
        "--report", type=Path, default=None, help="the conflict report (default: FILE.conflicts.json)"
    )

    sub.add_parser(
        "team-setup", help="team server: make the team roles, their rights and the append-only audit (owner)"
    )
    p = sub.add_parser("team-user", help="team server: a person's own sign-in, in one of the team roles")
    p.add_argument("login", help="their database user name")
    p.add_argument("--role", required=True, choices=sorted(roles.SHORT), help="their team role")

    p = sub.add_parser("report", help="a printed report as a PDF (the monthly pack: report pack)")
    p.add_argument(
        "name",
        choices=REPORT_NAMES,
        help="tracker, drp, court, plo, permanence, chronology, pack, board, forum, caseloads or court-chronology",
    )
    p.add_argument(
        "--period",
        type=_period,
        default=None,
        help="YYYY-MM (default: the last complete month before the as-of date)",
    )
    p.add_argument("--as-of", type=_as_of, default=None, help="YYYY-MM-DD (default today)")
    p.add_argument(
        "--date", type=_as_of, default=None, help="forum: the day of the permanence forum (YYYY-MM-DD)"
    )
    p.add_argument("--officer", help="tracker: only this reviewing officer's section")
    p.add_argument(
        "--per-officer",
        action="store_true",
        help="tracker: one PDF per reviewing officer in the output folder, each numbered from page 1",
    )
    p.add_argument("--child", help="chronology: the child's id")
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        help="PDF file, or a folder for a file named with the period and as-of date (default: this folder)",
    )
    return parser


PASSPHRASE_ENV = secrets.PASSPHRASE_ENV


def _open(args: argparse.Namespace) -> Database:
    """Open the database; an encrypted one takes its passphrase from the environment or a prompt."""
    target = args.db or paths.default_database(args.data_dir)
    passphrase = secrets.environment_passphrase()
    try:
        try:
            return open_database(target, read_only=args.read_only, passphrase=passphrase)
        except PassphraseRequired as exc:
            if not sys.stdin.isatty():
                raise CliError(
                    f"{exc} Set {PASSPHRASE_ENV}, or run the command at a terminal to be asked."
                ) from None
            return open_database(target, read_only=args.read_only, passphrase=getpass.getpass("Passphrase: "))
    except ServerPasswordRequired as exc:
        if not sys.stdin.isatty():
            raise CliError(
                f"{exc} Put it in ~/.pgpass (mode 0600) or a service file, or run the command at a "
                "terminal to be asked."
            ) from None
        try:
            return open_database(target, read_only=args.read_only, password=getpass.getpass("Password: "))
        except DatabaseError as again:
            raise CliError(str(again)) from None
    except DatabaseError as exc:
        raise CliError(str(exc)) from None


def terminal_text(text: str) -> str:
    """Text as a terminal should show it: control, escape and bidirectional characters (from a child
    id or a name, say) written as Python writes them in a literal (`\\x1b`, `\\u202e`), never run."""
    return UNSAFE_CHARACTERS.sub(lambda m: repr(m.group())[1:-1], text)


def say(text: str = "", file: TextIO | None = None) -> None:
    """Print one line for the person at the terminal (every line of the CLI but JSON output)."""
    print(terminal_text(text), file=file or sys.stdout)


def _late(d: Deadline) -> str:
    if not d.late_by:
        return ""
    unit = "WD" if RULES[d.rule].unit is Unit.WORKING_DAYS else "d"
    return f"{d.late_by} {unit}"


def print_table(deadlines: Sequence[Deadline], out: TextIO | None = None) -> None:
    stream = out or sys.stdout
    header = ("Child", "Rule", "Due", "Status", "RAG", "Late", "Explanation")
    rows = [
        (
            terminal_text(d.child_id),
            d.rule,
            f"{d.due:%d/%m/%Y}",
            d.status.value.replace("_", " "),
            d.rag.value.upper(),
            _late(d),
            d.explanation,  # the last column: `say` escapes it with the line
        )
        for d in deadlines
    ]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header[:-1])]
    for row in (header, *rows):
        cells = [c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)]
        say("  ".join(cells) + "  " + row[-1], file=stream)
    say("\n" + _counts_line(Counter(d.status for d in deadlines)), file=stream)


def _counts_line(counts: Mapping[Status, int]) -> str:
    return (
        f"{sum(counts.values())} deadlines: {counts.get(Status.OVERDUE, 0)} overdue, "
        f"{counts.get(Status.DUE_SOON, 0)} due soon, {counts.get(Status.PENDING, 0)} pending, "
        f"{counts.get(Status.MET, 0)} met, {counts.get(Status.MET_LATE, 0)} met late."
    )


#: The global options that take a value: that value is never a command.
_VALUED_OPTIONS = ("--db", "--data-dir", "--as-of")


def command_of(argv: Sequence[str]) -> str | None:
    """The subcommand these arguments name, or None: the desktop application then parses them.

    Read without argparse's errors: the application's own options (Qt's `-style fusion`, a testing
    `--quit-after 4`) are not this parser's, and their values must not be taken for a command.
    """
    commands = build_parser().commands
    words = iter(argv)
    for word in words:
        if word in _VALUED_OPTIONS:
            next(words, None)
        elif not word.startswith("-"):
            return word if word in commands else None
    return None


def run(argv: Sequence[str] | None = None) -> int:
    secrets.take_passphrase_from_environment()  # out of the environment before any child process
    parser = build_parser()
    arguments = list(argv) if argv is not None else sys.argv[1:]
    args, unknown = parser.parse_known_args(arguments)
    if args.command is None:
        raise CliError("no command given; see --help (the desktop application is started by desktop.main)")
    if unknown:
        parser.error(f"unrecognised arguments: {' '.join(unknown)}")
    with _writer_lock(args):
        db = _open(args)
        if args.command != "check-audit":  # which says it all itself
            for warning in db.warnings:
                print(f"permanence-tracker: warning: {warning} Run check-audit.", file=sys.stderr)
        try:
            return _run_command(parser, args, db)
        finally:
            db.dispose()  # the team server's connections are closed, not left to the collector


def _changes_records(args: argparse.Namespace) -> bool:
    """The commands that change children, events or settings (not only add an audit entry)."""
    if args.command == "import":
        return not args.dry_run
    if args.command == "mapping":
        return bool(args.action == "save")
    return bool(args.command == "demo")


@contextmanager
def _writer_lock(args: argparse.Namespace) -> Iterator[None]:
    """A command that changes the records of an SQLite file holds the file's lock, as the desktop
    does while it is open: neither runs while the other has the file."""
    target = args.db or paths.default_database(args.data_dir)
    if "://" in str(target) or args.read_only or not _changes_records(args):
        yield
        return
    path = Path(target).expanduser().resolve()
    try:
        with instance_lock.held(path):
            yield
    except instance_lock.DatabaseInUse as exc:
        raise CliError(
            f"{path} is open in Permanence Tracker ({exc.holder or 'another copy'}); close it there and "
            f"run {args.command} again. Nothing was changed."
        ) from None
    except instance_lock.LockUnavailable as exc:
        raise CliError(f"{exc} Nothing was changed.") from None


def _run_command(parser: CommandParser, args: argparse.Namespace, db: Database) -> int:
    if args.command == "import":
        return _import(db, args)
    if args.command == "mapping":
        return _mapping(db, args)
    if args.command == "export-annex-a":
        from models.io.annex_a_export import export_annex_a

        as_of = args.as_of or args.global_as_of or date.today()
        try:
            counts = export_annex_a(db, args.file, as_of)
        except ExportFailed as exc:
            raise CliError(str(exc)) from None
        rows = ", ".join(f"{name}: {n} rows" for name, n in counts.items())
        say(f"Annex A as of {as_of:%d/%m/%Y} written to {args.file} ({rows}).")
        return 0
    if args.command == "export":
        try:
            count = export_file(db, args.file, args.child)
        except ExportFailed as exc:
            raise CliError(str(exc)) from None
        say(f"{count} children exported to {args.file}.")
        return 0
    if args.command == "demo":
        if not 1 <= args.children <= 150_000:
            raise CliError("--children must be between 1 and 150000.")
        demo = importlib.import_module("models.io.demo")
        data = demo.generate(args.children, seed=args.seed, today=args.today)
        result = import_journey(db, data, source=f"demo --children {args.children} --seed {args.seed}")
        say(f"Fictional demonstration data: {result.summary()}")
        return 0
    if args.command == "drift":
        return _drift(db, args)
    if args.command == "measures":
        return _measures(db, args)
    if args.command == "calendar":
        return _calendar(db, args)
    if args.command == "backup":
        if db.path is None:
            return _server_backup(db, args)
        from models.storage.backup import make_backup

        try:
            made = make_backup(db, "manual")
        except OSError as exc:
            full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
            why = "the disk is full" if full else (exc.strerror or str(exc))
            raise CliError(f"No backup was made: {why}. Nothing was left under a backup's name.") from None
        say(f"Backup written to {made}.")
        return 0
    if args.command == "check-audit":
        from models.storage.audit import break_report, verify_chain, witness_findings

        breaks = verify_chain(db)
        findings = witness_findings(db)
        say(break_report(breaks, findings))
        return 1 if breaks or findings else 0
    if args.command == "move-in":
        from models.io.move_in import MoveInError, move_in

        try:
            say(move_in(db, args.file, secrets.environment_passphrase()).summary())
        except MoveInError as exc:
            raise CliError(str(exc)) from None
        return 0
    if args.command in ("check-out", "check-in"):
        return _handover(db, args)
    if args.command in ("team-setup", "team-user"):
        return _team(db, args)
    if args.command == "report":
        return _report(db, args)
    parser.error(f"unknown command {args.command}")
    return EXIT_USAGE


def _drift(db: Database, args: argparse.Namespace) -> int:
    """Every deadline at a date. With `--json` and `--csv` the children are read, judged and written
    a chunk at a time (`stream_deadlines`): memory stays flat whatever the caseload, and with
    `--csv` the counts are printed instead of the table (which lines up its columns over every
    row, so holds them all). One child is read alone (`--child`), and its table printed."""
    as_of = args.as_of or args.global_as_of or date.today()
    chunks: Iterable[Sequence[Deadline]]
    if args.child is not None:
        one = compute_deadlines(db, as_of, args.child)
        if not one and get_child(db, args.child) is None:
            raise CliError(f"There is no child with the id {args.child!r}.")
        chunks = [one]
    else:
        chunks = stream_deadlines(db, as_of)
    table: list[Deadline] = []
    counts: Counter[Status] = Counter()
    if args.json:
        chunks = write_deadlines_json(sys.stdout, chunks)
    elif args.csv and args.child is None:
        chunks = _counted(chunks, counts)
    else:
        chunks = _kept(chunks, table)
    if args.csv:
        try:
            count = export_csv(
                db,
                args.csv,
                DEADLINE_CSV_HEADER,
                deadline_csv_rows(chunks),
                neutralised=True,
                what="deadlines-csv",
                details={"as_of": str(as_of)},
            )
        except ExportFailed as exc:
            raise CliError(str(exc)) from None
    else:
        for _ in chunks:
            pass
    if not args.json:
        if args.csv and args.child is None:
            print(_counts_line(counts))
        else:
            print_table(table)
    if args.csv:
        say(f"{count} deadlines written to {args.csv}.", file=sys.stderr if args.json else sys.stdout)
    return 0


def _kept(chunks: Iterable[Sequence[Deadline]], into: list[Deadline]) -> Iterator[Sequence[Deadline]]:
    for chunk in chunks:
        into.extend(chunk)
        yield chunk


def _counted(chunks: Iterable[Sequence[Deadline]], counts: Counter[Status]) -> Iterator[Sequence[Deadline]]:
    for chunk in chunks:
        counts.update(d.status for d in chunk)
        yield chunk


def _import(db: Database, args: argparse.Namespace) -> int:
    """`import PATH...`: one journey file as always; anything else through detection and the preview."""
    paths: list[Path] = args.paths
    plain = not (args.dry_run or args.tracked_from or args.mapping or args.source_wins)
    if plain and len(paths) == 1 and paths[0].suffix.lower() == ".json" and not paths[0].is_dir():
        try:
            result = import_file(db, paths[0], valid_only=args.valid_only)
        except ImportError_ as exc:
            if exc.issues:
                raise CliError(f"{exc}\n{issues_report(exc.issues)}") from None
            raise CliError(str(exc)) from None
        say(result.summary())
        if result.issues:
            say(issues_report(result.issues), file=sys.stderr)
        return 0
    from models.io.sources.mapped import MappingError, load_mapping
    from models.io.sources.merge import import_preview, plan_import, read_sources

    mapping = None
    if args.mapping:
        try:
            mapping = (args.mapping, load_mapping(db, args.mapping))
        except MappingError as exc:
            raise CliError(str(exc)) from None
    if args.tracked_from is not None and not FIRST_YEAR <= args.tracked_from.year <= LAST_YEAR:
        raise CliError(
            f"--tracked-from {args.tracked_from:%d/%m/%Y} is outside the years the tracker counts "
            f"({FIRST_YEAR} to {LAST_YEAR})."
        )
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise CliError(f"{missing[0]}: no such file or folder.")
    sources, refused, passed_over = read_sources(paths, mapping)
    if not sources and refused:
        raise CliError("\n".join(refused) + ("" if len(refused) == 1 else "\nNothing was imported."))
    preview = plan_import(
        db,
        sources,
        refused=refused,
        passed_over=passed_over,
        tracked_from=args.tracked_from,
        source_wins=args.source_wins,
        today=date.today(),
    )
    say(preview.text())
    if args.dry_run:
        say("Dry run: nothing was written.")
        return 0 if preview.clean else EXIT_FAILED
    try:
        result = import_preview(db, preview, valid_only=args.valid_only)
    except ImportError_ as exc:
        raise CliError(str(exc)) from None
    say(result.summary())
    return 0


def _mapping(db: Database, args: argparse.Namespace) -> int:
    from models.io.sources.mapped import MappingError, load_mapping, mapping_names, save_mapping

    if args.action == "list":
        names = mapping_names(db)
        say("\n".join(names) if names else "No mappings saved.")
        return 0
    if not args.name:
        raise CliError(f"mapping {args.action} needs a NAME.")
    try:
        if args.action == "show":
            print(json.dumps(load_mapping(db, args.name), indent=1, ensure_ascii=False))
            return 0
        if args.file is None:
            raise CliError("mapping save needs --file FILE.json.")
        try:
            data = json.loads(args.file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CliError(f"{args.file}: not a readable JSON mapping ({exc}).") from None
        save_mapping(db, args.name, data)
    except MappingError as exc:
        raise CliError(str(exc)) from None
    say(f"Mapping {args.name!r} saved.")
    return 0


def _handover_passphrase(purpose: str) -> str:
    passphrase = secrets.environment_passphrase()
    if passphrase:
        return passphrase
    if not sys.stdin.isatty():
        raise CliError(
            f"The laptop file needs a passphrase: set {PASSPHRASE_ENV}, or run the command at a terminal."
        )
    return getpass.getpass(f"Passphrase {purpose}: ")


def _handover(db: Database, args: argparse.Namespace) -> int:
    from models.io import handover

    try:
        if args.command == "check-out":
            if args.file is None:
                out = handover.checked_out(db)
                for item in out.values():
                    say(f"{item.child_id}  out with {item.by} since {item.at}  ({item.file})")
                say(f"{len(out)} children checked out.")
                return 0
            if not args.child:
                raise CliError("Name the children to take out with --child ID (repeatable).")
            count = handover.check_out(db, args.file, args.child, _handover_passphrase("for the laptop file"))
            say(
                f"{count} children checked out to {args.file} (encrypted); the team database shows them as out."
            )
            return 0
        report = args.report or args.file.with_name(args.file.name + ".conflicts.json")
        result = handover.check_in(db, args.file, _handover_passphrase("of the laptop file"), report)
    except handover.HandoverError as exc:
        raise CliError(str(exc)) from None
    say(result.summary() + f" Report: {report}.")
    return 1 if result.conflicts else 0


def _team(db: Database, args: argparse.Namespace) -> int:
    """The team roles (team-setup) and a person's sign-in (team-user), on the team server only."""
    if db.is_sqlite:
        raise CliError(f"{args.command} is for the team server (a postgresql:// URL); a file has one user.")
    try:
        with db.engine.begin() as conn:
            if args.command == "team-setup":
                roles.setup_roles(conn)
                say(
                    "The team roles are ready: "
                    + "; ".join(f"{r.label} ({r.name}): {r.does}" for r in roles.ROLES)
                    + ". The audit log is append-only."
                )
            else:
                role = roles.SHORT[args.role]
                roles.add_person(conn, args.login, role)
                audit(conn, "grant", "person", args.login, after={"role": role.name})
                say(
                    f"{args.login} signs in as themselves, as {role.label}. Set their password with "
                    f"psql's \\password {args.login}; it never goes through this tool."
                )
    except ValueError as exc:
        raise CliError(str(exc)) from None
    except DBAPIError as exc:
        first = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
        raise CliError(
            f"The team server refused ({first}): {args.command} is run by the database's owner, "
            "with the right to create roles."
        ) from None
    return 0


def _server_backup(db: Database, args: argparse.Namespace) -> int:
    """The team server's backup: pg_dump's custom format in the data folder's `backups`, checked."""
    from datetime import datetime

    folder = paths.data_dir(args.data_dir) / "backups"
    folder.mkdir(mode=0o700, exist_ok=True)
    name = db.engine.url.database or "team"
    target = folder / f"{name}-{datetime.now():%Y%m%d-%H%M%S}-manual.dump"
    try:
        server.dump(db.engine.url, target, db.password)
    except server.ServerError as exc:
        raise CliError(str(exc)) from None
    with db.engine.begin() as conn:
        audit(conn, "backup", "database", name, after={"file": str(target)})
    say(f"Backup of the team database written to {target} (pg_dump custom format; pg_restore restores it).")
    return 0


def _report(db: Database, args: argparse.Namespace) -> int:
    """Build a report and write it; the audit row is written with it."""
    reports = importlib.import_module("models.reports.registry")
    if args.date is not None and args.name != "forum":
        raise CliError("--date is the day of the permanence forum; other reports take --as-of.")
    as_of = args.date or args.as_of or args.global_as_of or date.today()
    target: Path = args.output or Path.cwd()
    if not target.exists() and (str(args.output or "").endswith(("/", "\\")) or not target.suffix):
        target.mkdir(parents=True, exist_ok=True)
    if args.per_officer:
        if args.officer:
            raise CliError("--per-officer writes every officer's file; leave out --officer.")
        if target.suffix:
            raise CliError(f"--per-officer writes a folder of files; {target} looks like a file name.")
        try:
            request = reports.make_request(args.name, as_of, args.period)
            written = reports.save_per_officer(db, request, target)
        except (reports.ReportError, ExportFailed) as exc:
            raise CliError(str(exc)) from None
        except OSError as exc:
            raise CliError(f"Cannot write {target}: {exc.strerror}.") from None
        say(f"{len(written)} officers' tracker sheets for {request.period.label} written to {target}.")
        return 0
    try:
        request = reports.make_request(args.name, as_of, args.period, args.officer, args.child)
        pdf = reports.build_report(db, request)
        path = reports.save_report(db, request, pdf, target)
    except (reports.ReportError, ExportFailed) as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"Cannot write {target}: {exc.strerror}.") from None
    title = reports.REPORTS[request.name].title
    pages = reports.page_count(pdf)
    if request.name == "forum":
        what = f"on {request.as_of:%d/%m/%Y}"
    elif reports.REPORTS[request.name].needs_child:
        what = f"of {request.child_id}, events to {request.as_of:%d/%m/%Y}"
    else:
        what = f"for {request.period.label} as of {request.as_of:%d/%m/%Y}"
    say(f"{title} {what}: {pages} page{'s' if pages != 1 else ''} written to {path}.")
    return 0


def _measures(db: Database, args: argparse.Namespace) -> int:
    """The measures of a period, as a table, as JSON or into a CSV file (audited)."""
    measures = importlib.import_module("models.screens.measures")
    facts = importlib.import_module("models.screens.facts")
    as_of = args.as_of or args.global_as_of or date.today()
    period: Period = args.period or Period.last_complete_before(as_of)
    if period.start > as_of:
        raise CliError(
            f"The period {period.key} starts after the as-of date {as_of:%d/%m/%Y}; choose an earlier one."
        )
    found = measures.measure_set(facts.load_caseload(db, as_of), period)
    if args.json:
        json.dump(found.to_json(), sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        span = found.measures.span
        to_date = " (to date)" if found.measures.to_date else ""
        say(f"{period.label}{to_date}: {span.start:%d/%m/%Y} to {span.end:%d/%m/%Y}, as of {as_of:%d/%m/%Y}")
        for f in found.figures:
            judged = f"  {f.judgement.text}" if f.judgement else ""
            counts = f" ({f.counts})" if f.counts else ""
            say(
                f"{f.id:<5} {f.definition.title}: {f.text}{counts}; before {f.previous_text}, "
                f"{f.direction_text} ({f.good_text}){judged}"
            )
    if args.csv:
        try:
            count = export_csv(
                db,
                args.csv,
                measures.CSV_HEADER,
                measures.csv_rows(found),
                what="measures-csv",
                details={"period": period.key, "as_of": str(as_of)},
            )
        except ExportFailed as exc:
            raise CliError(str(exc)) from None
        say(f"{count} measures written to {args.csv}.", file=sys.stderr if args.json else sys.stdout)
    return 0


def _calendar(db: Database, args: argparse.Namespace) -> int:
    """One person's upcoming deadlines and listed hearings as an .ics file (0600, audited)."""
    feed = importlib.import_module("models.screens.deadline_calendar")
    facts = importlib.import_module("models.screens.facts")
    as_of = args.as_of or args.global_as_of or date.today()
    if not 1 <= args.weeks <= 104:
        raise CliError("--weeks must be between 1 and 104.")
    role, person = ("social_worker", args.worker) if args.worker else ("reviewing_officer", args.officer)
    caseload = facts.load_caseload(db, as_of)
    if not any(str(c.fields.get(role) or "") == person for c in caseload.children):
        raise CliError(f"No child has {person!r} recorded as their {feed.ROLES[role]}.")
    items = feed.calendar_items(caseload, role, person, args.weeks)
    name = f"Deadlines: {person}"
    data = feed.to_ical(items, name, as_of, caseload.settings.protective_marking)
    details = {"role": role, "person": person, "events": len(items), "as_of": str(as_of), "weeks": args.weeks}

    try:
        export_audited(db, args.file, lambda fh: {"bytes": fh.write(data)}, what="calendar", details=details)
    except ExportFailed as exc:
        raise CliError(str(exc)) from None
    say(f"{len(items)} deadlines and hearings for {person} written to {args.file}.")
    return 0


def _write_failure(exc: DBAPIError) -> str:
    message = known_failure(exc)
    return (
        message
        if message is not None
        else f"The database refused the operation ({exc.orig}); nothing was written."
    )


def main(argv: Sequence[str] | None = None) -> int:
    os.umask(0o077)  # exports, reports, backups and the database: private to the user
    try:
        return run(argv)
    except KnownError as exc:  # CliError, DatabaseError, a conflict, a role refused
        say(f"permanence-tracker: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except DBAPIError as exc:  # OperationalError (SQLite, a cut connection); InternalError (read-only server)
        say(f"permanence-tracker: {_write_failure(exc)}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
