"""`safeproc check FILE...`: every diagnostic for every file, as text, JSON or SARIF."""

from __future__ import annotations

import argparse

from interpreter.diagnostics import Severity
from repl.commands import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Command, Console, add_diagnostic_format, analyse_files, files_to_read
from repl.diagnostic_output import print_diagnostics, summary_line, to_json, to_sarif


def _configure_check(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="FILE", help="a .proc file, or a folder: every .proc file under it is checked")
    add_diagnostic_format(parser)
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors (exit 1 if there are any)")
    parser.add_argument(
        "--windows",
        action="store_true",
        help="also show, for each step, the earliest and latest it can be done that its deadlines allow together",
    )
    parser.add_argument(
        "--paths",
        dest="show_paths",
        action="store_true",
        help="also show, for each step, decision and outcome, the facts under which a case reaches it",
    )


def specification_links(analysis, sources) -> list:
    """Whether the national links of a procedure (`implements`, `satisfies`, `plays`) name real things."""
    if analysis.procedure is None:
        return []
    from interpreter.conform import link_diagnostics
    from repl.national_specs import find_specification

    found = find_specification(analysis.procedure, names_only=True)
    specification = found.analysis.procedure if found.analysis is not None else None
    if found.analysis is not None and found.analysis.source is not None:
        sources[found.analysis.source.name] = found.analysis.source
    if found.diagnostics:
        return list(found.diagnostics)
    return link_diagnostics(analysis.procedure, specification)


def _run_check(args: argparse.Namespace, console: Console) -> int:
    found = files_to_read(args.paths, ".proc", console)
    if found is None:
        return EXIT_USAGE
    files, unreadable = found
    analyses, sources, more_unreadable = analyse_files(files, console)
    unreadable += more_unreadable
    diagnostics = []
    for analysis in analyses:
        diagnostics.extend(analysis.diagnostics)
        diagnostics.extend(specification_links(analysis, sources))
        if args.windows and analysis.ok and analysis.graph is not None:
            from interpreter.deadlines import windows

            diagnostics.extend(windows(analysis.resolved, analysis.graph))
        if args.show_paths and analysis.ok and analysis.graph is not None:
            from interpreter.path_conditions import path_notes

            diagnostics.extend(path_notes(analysis.resolved, analysis.graph))
    if args.format == "json":
        console.print(to_json(diagnostics))
    elif args.format == "sarif":
        console.print(to_sarif(diagnostics))
    else:
        print_diagnostics(console, diagnostics, sources)
        console.error(summary_line(diagnostics, len(files) - more_unreadable, console.colour_err, unreadable))
    if unreadable:
        return EXIT_USAGE
    failing = {Severity.ERROR, Severity.WARNING} if args.strict else {Severity.ERROR}
    return EXIT_PROBLEMS if any(d.severity in failing for d in diagnostics) else EXIT_OK


COMMAND = Command(
    "check",
    "check procedures for mistakes",
    "Check .proc files for mistakes: syntax, unknown names, steps that cannot be "
    "reached, dead ends, decisions with gaps and more. Exits 0 when there are no "
    "errors (warnings allowed), 1 when there are errors, 2 when a file cannot be read.",
    _configure_check,
    _run_check,
)
