"""`safeproc verify LOCAL [--against NATIONAL] [--as-of DATE]`: does a local procedure meet the national one?"""

from __future__ import annotations

import argparse

from repl.commands import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Command, Console, add_diagnostic_format, analyse_files, files_to_read
from repl.diagnostic_output import print_diagnostics, to_json, to_sarif
from repl.printable import shown_name


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="LOCAL", help="the local .proc file to verify")
    parser.add_argument(
        "--against",
        metavar="NATIONAL",
        help="the national specification (.proc) to verify against; by default, the one the header `implements`",
    )
    parser.add_argument(
        "--as-of",
        metavar="DATE",
        help="verify against the edition in force on this day (YYYY-MM-DD), following `in force from` and `replaces`",
    )
    add_diagnostic_format(parser)
    parser.add_argument("--strict", action="store_true", help="treat warnings (a `should` not met) as errors: exit 1 if there are any")


def _run(args: argparse.Namespace, console: Console) -> int:
    from pathlib import Path

    from interpreter.conform import Procedure, link_diagnostics, obligations, verify
    from interpreter.diagnostics import Severity, has_errors
    from repl.national_specs import find_specification

    as_of = None
    if args.as_of is not None:
        from datetime import date

        try:
            as_of = date.fromisoformat(args.as_of) if len(args.as_of) == 10 else None
        except ValueError:
            as_of = None
        if as_of is None:
            console.error(f"safeproc: `--as-of {args.as_of}` is not a date: write it as YYYY-MM-DD, such as 2024-06-30")
            return EXIT_USAGE
    found_files = files_to_read([args.path], ".proc", console)
    if found_files is None:
        return EXIT_USAGE
    files, unreadable = found_files
    if len(files) != 1:
        console.error("safeproc: verify works on one .proc file at a time; name the file, not a folder")
        return EXIT_USAGE
    analyses, sources, more_unreadable = analyse_files(files, console)
    if unreadable or more_unreadable or not analyses:
        return EXIT_USAGE
    local = analyses[0]
    diagnostics = list(local.diagnostics)
    if has_errors(local.diagnostics) or local.procedure is None or local.resolved is None or local.graph is None:
        _print(args, console, diagnostics, sources)
        console.error("safeproc: the local procedure has errors: correct them (`safeproc check`) before verifying it")
        return EXIT_PROBLEMS
    diagnostics = []  # its own warnings are `check`'s to show
    against = Path(args.against) if args.against else None
    if against is not None:
        try:
            reason = (
                None
                if against.is_file()
                else "it is a folder, not a .proc file"
                if against.is_dir()
                else ("no such file" if not against.exists() else "it is not a regular file")
            )
        except OSError as exc:  # a name too long to look up, a folder that may not be searched
            reason = (exc.strerror or str(exc)).lower()
        if reason is not None:
            console.error(f"safeproc: cannot read `{shown_name(args.against)}`: {reason}")
            return EXIT_USAGE
    found = find_specification(local.procedure, as_of=as_of, against=against)
    national = found.analysis
    if national is not None and national.source is not None:
        sources[national.source.name] = national.source
    diagnostics.extend(found.diagnostics)
    if national is None or national.procedure is None or national.resolved is None or national.graph is None:
        if not found.diagnostics:
            console.error(
                "safeproc: this procedure implements no national specification: name one with `--against FILE`, or `implements NAME` in its header"
            )
            return EXIT_USAGE
        _print(args, console, diagnostics, sources)
        return EXIT_PROBLEMS
    # A link to something the specification lacks is reported, and verification goes on
    # without it: against an older edition (`--as-of`), that is what one wants to see.
    diagnostics.extend(link_diagnostics(local.procedure, national.procedure))
    findings = verify(Procedure(local.resolved, local.graph), Procedure(national.resolved, national.graph))
    diagnostics.extend(findings)
    _print(args, console, diagnostics, sources)
    if args.format == "text":
        duties = obligations(national.procedure)
        unmet = {d.message.split("`")[1] for d in findings if d.code == "P701"}
        counts = {severity: sum(1 for d in diagnostics if d.severity is severity) for severity in Severity}
        console.error(
            f"verified {local.procedure.file} against {found.path}"
            + (f" (in force on {as_of.isoformat()})" if as_of else "")
            + f": {_counted(len(duties), 'national obligation')}, {len(duties) - len(unmet)} satisfied by a local step; "
            f"{_counted(counts[Severity.ERROR], 'error')}, {_counted(counts[Severity.WARNING], 'warning')}, {_counted(counts[Severity.NOTE], 'note')}"
        )
    failing = {Severity.ERROR, Severity.WARNING} if args.strict else {Severity.ERROR}
    return EXIT_PROBLEMS if any(d.severity in failing for d in diagnostics) else EXIT_OK


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _print(args, console: Console, diagnostics, sources) -> None:
    if args.format == "json":
        console.print(to_json(diagnostics))
    elif args.format == "sarif":
        console.print(to_sarif(diagnostics))
    else:
        print_diagnostics(console, diagnostics, sources)


COMMAND = Command(
    "verify",
    "check a local procedure against the national specification",
    "Check that a local procedure meets the national specification it implements, obligation by "
    "obligation: that a local step satisfies each one, with a duty at least as binding, by a role that "
    "plays the national role, within the national deadlines (tried on every start date from 2018 to 2030 "
    "where the units differ), for every case the national rule covers, in the national order, and "
    "telling whom the national rule tells when it is late. A `must` not met is an error, a `should` a "
    "warning, a `may` a note. Exits 0 when no `must` is unmet (with --strict, no `should` either), "
    "1 otherwise, 2 when a file cannot be read.",
    _configure,
    _run,
)
