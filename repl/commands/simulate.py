"""`safeproc simulate PROC CASE`: a case's timeline; `--summary` over many cases."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from repl.commands import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Command, Console, is_folder, read_file
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
        choices=("text", "json"),
        default="text",
        help="text: a timeline (or, with --summary, a table) to read (default); json: the same for scripts",
    )
    parser.add_argument(
        "--summary",
        action="store_true",
        help="run every case and report, per step, how many were on time, late and open, and the median days taken",
    )


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

        return run_summary(args, console, procedures, procedure_path)
    return _run_one(args, console, procedures, procedure_path)


def _run_one(args: argparse.Namespace, console: Console, procedures: ProcedureCache, procedure_path: Path) -> int:
    from interpreter.scenario import run_case
    from repl.diagnostic_output import print_diagnostics
    from repl.procedure_cache import load_case_file
    from repl.timeline import json_report, text_timeline

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
    if args.format == "json":
        console.print(json_text(json_report(loaded, result, diagnostics)))
    else:
        console.print(text_timeline(loaded, result))
        print_diagnostics(console, diagnostics, sources)
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
