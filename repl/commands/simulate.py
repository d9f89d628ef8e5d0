"""`safeproc simulate PROC CASE`: a case's timeline; `--summary` over many cases."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from repl.commands import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Command, Console, is_folder, read_file
from repl.output_file import STANDARD_OUTPUT, OutputRefused, output_target, write_atomically
from repl.printable import json_text, shown_name

if TYPE_CHECKING:
    from repl.procedure_cache import ProcedureCache


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("procedure", metavar="PROC", help="the .proc file to run the cases against")
    parser.add_argument(
        "cases",
        metavar="CASE",
        help="a .case file; with --summary, a folder of .case files or a glob such as 'cases/*.case'",
    )
    parser.add_argument(
        "--as-of",
        type=_iso_date,
        metavar="DATE",
        help="see the case as it stood on this date (YYYY-MM-DD); default: the case's own `as of`, else today",
    )
    parser.add_argument(
        "--format",
        choices=CASE_FORMATS,
        help="text: a timeline (or, with --summary, a table) to read (the default); json: the same for scripts; "
        "svg: the case as a picture, each step's window against the calendar; ics: the case's open deadlines as "
        "an iCalendar file for Outlook or Google Calendar. Default: from OUT's extension, else text",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="write to this file (replaced whole, or not at all) instead of the screen; its extension "
        "(.svg, .ics, .json, .txt) chooses the format unless --format says",
    )
    parser.add_argument(
        "--summary",
        action="store_true",
        help="run every case and report, per step, how many were on time, late and open, and the median days taken",
    )


CASE_FORMATS = ("text", "json", "svg", "ics")
_EXTENSIONS = {".svg": "svg", ".ics": "ics", ".json": "json", ".txt": "text"}


def _iso_date(text: str) -> date:
    from interpreter.calendar import FIRST_YEAR, LAST_YEAR

    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a date; write it as YYYY-MM-DD, for example 2024-03-31") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise argparse.ArgumentTypeError(f"{text} is outside the years the calendars know ({FIRST_YEAR} to {LAST_YEAR})")
    return day


def _run(args: argparse.Namespace, console: Console) -> int:
    from repl.diagnostic_output import print_diagnostics
    from repl.procedure_cache import ProcedureCache

    procedure_path = Path(args.procedure)
    procedures = ProcedureCache()
    analysis, plan, unreadable = procedures.get(procedure_path)
    if unreadable is not None:
        console.error(f"safeproc: cannot read `{shown_name(str(procedure_path))}`: {unreadable}")
        return EXIT_USAGE
    if plan is None:
        if analysis is not None:
            print_diagnostics(console, analysis.diagnostics, {analysis.source.name: analysis.source} if analysis.source else {})
        shown = shown_name(str(procedure_path))
        console.error(f"safeproc: `{shown}` has errors; fix them before simulating (safeproc check {shown})")
        return EXIT_PROBLEMS
    if args.summary:
        from repl.batch import run_summary

        if args.output or args.format in ("svg", "ics"):
            console.error("safeproc: --summary reports on many cases as text or json on the screen; draw or export one case at a time")
            return EXIT_USAGE
        args.format = args.format or "text"
        return run_summary(args, console, procedures, procedure_path)
    return _run_one(args, console, procedures, procedure_path)


def _run_one(args: argparse.Namespace, console: Console, procedures: ProcedureCache, procedure_path: Path) -> int:
    from interpreter.scenario import run_case
    from repl.diagnostic_output import print_diagnostics
    from repl.procedure_cache import load_case_file
    from repl.timeline import json_report, text_timeline

    to_file = bool(args.output) and args.output != STANDARD_OUTPUT
    file_format = args.format or (_EXTENSIONS.get(Path(args.output).suffix.lower()) if to_file else None) or (None if to_file else "text")
    if file_format is None:
        console.error(
            f"safeproc: cannot tell what to write from the name `{shown_name(args.output)}`: end it in .svg, .ics, .json or .txt, or give --format"
        )
        return EXIT_USAGE
    try:
        target = output_target(args.output, [Path(args.procedure), Path(args.cases)]) if args.output else None
    except OutputRefused as refused:
        console.error(f"safeproc: {refused}")
        return EXIT_USAGE
    path = Path(args.cases)
    if is_folder(path):
        console.error(f"safeproc: `{shown_name(str(path))}` is a folder; give one .case file, or add --summary to run them all")
        return EXIT_USAGE
    data = read_file(path, console)
    if data is None:
        return EXIT_USAGE
    loaded = load_case_file(data, str(path), procedures, procedure_override=procedure_path)
    sources = {loaded.source.name: loaded.source} if loaded.source else {}
    if loaded.procedure is not None and loaded.procedure.source is not None:
        sources[loaded.procedure.source.name] = loaded.procedure.source
    as_of = args.as_of or (loaded.case.as_of if loaded.case else None) or date.today()
    result = run_case(loaded, as_of)
    if result is None:
        print_diagnostics(console, loaded.diagnostics, sources)
        return EXIT_PROBLEMS
    diagnostics = loaded.diagnostics + result.diagnostics
    if file_format == "json":
        report = json_text(json_report(loaded, result, diagnostics)) + "\n"
    elif file_format == "svg":
        from visualise.case_timeline import case_picture

        report = case_picture(loaded, result)[1]
    elif file_format == "ics":
        from repl.case_calendar import case_calendar, open_deadlines

        if not open_deadlines(result):
            # A calendar file must hold at least one event; an empty one would not import.
            console.error(f"safeproc: the case has no deadlines still to meet as of {result.as_of.isoformat()}, so no calendar was written")
            return EXIT_OK
        report = case_calendar(loaded, result).decode("utf-8")
    else:
        report = text_timeline(loaded, result) + "\n"
    if file_format == "text" or target is not None:
        print_diagnostics(console, diagnostics, sources)
    if target is None:
        if file_format in ("text", "json"):
            console.print(report.removesuffix("\n"))
        else:
            console.write_bytes(report.encode("utf-8"))
        return EXIT_OK
    try:
        write_atomically(target, report.encode("utf-8"))
    except OSError as exc:
        console.error(f"safeproc: cannot write `{shown_name(args.output)}`: {(exc.strerror or str(exc)).lower()}")
        return EXIT_USAGE
    console.error(f"safeproc: wrote `{shown_name(args.output)}`")
    return EXIT_OK


COMMAND = Command(
    "simulate",
    "run a procedure against a case",
    "Run a procedure against a case scenario: which steps apply, who owns each, when each "
    "is due (in working days, with bank holidays), what is late or overdue, which "
    "escalations fired and how the case ends. With --summary, run many cases and report "
    "the timeliness of each step.",
    _configure,
    _run,
)
