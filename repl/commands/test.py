"""`safeproc test [PATH...]`: run every scenario and report each unmet expectation."""

from __future__ import annotations

import argparse

from repl.commands import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Command, Console, files_to_read, read_file


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        default=["."],
        metavar="PATH",
        help=".case files, or folders to search for them (default: the current folder)",
    )


def _run(args: argparse.Namespace, console: Console) -> int:
    from interpreter.scenario import judge, run_case, undated
    from repl.diagnostic_output import print_diagnostics
    from repl.procedure_cache import ProcedureCache, load_case_file

    found = files_to_read(args.paths, ".case", console)
    if found is None:
        return EXIT_USAGE
    files, unreadable = found
    procedures = ProcedureCache()
    passed = failed = 0
    for path in files:
        data = read_file(path, console)
        if data is None:
            failed += 1
            continue
        loaded = load_case_file(data, str(path), procedures)
        sources = {loaded.source.name: loaded.source} if loaded.source else {}
        problems = [d for d in loaded.diagnostics if d.is_error]
        missing_date = undated(loaded)
        if missing_date is not None:
            problems.append(missing_date)
        result = run_case(loaded) if not problems else None
        notes = [d for d in loaded.diagnostics if not d.is_error]
        if result is not None:
            problems.extend(judge(loaded, result))
            notes.extend(result.diagnostics)
        name = loaded.case.name if loaded.case else path.name
        if problems:
            failed += 1
            console.print(f"FAIL  {path}  {name}")
        else:
            passed += 1
            console.print(f"ok    {path}  {name}")
        # Warnings (a contradiction in the records, dates out of order) are shown but do not fail a case.
        print_diagnostics(console, problems + notes, sources, to_out=True)
    console.print(f"{passed} passed, {failed} failed")
    return EXIT_OK if failed == 0 and not unreadable else EXIT_PROBLEMS


COMMAND = Command(
    "test",
    "run case scenarios and check their expectations",
    "Run every .case scenario under the given paths against its procedure and check each "
    "`expect` line. Failed expectations are shown with what was expected and what happened. "
    "Ends with a line `N passed, N failed`; exits 0 only when every scenario passes.",
    _configure,
    _run,
)
