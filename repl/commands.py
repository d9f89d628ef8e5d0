"""The command table shared by the command line and the interactive shell.

Each command declares its arguments once (on an argparse parser) and runs with a
`Console` to write to, returning the exit code. The front ends only choose the
streams and turn the code into an exit status or a prompt.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, NamedTuple, TextIO

from interpreter.codes import CODES, explain
from interpreter.diagnostics import Severity
from interpreter.suggest import did_you_mean
from repl.render import render_text, summary_line, to_json, to_sarif, wants_colour

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


class Console:
    """Where a command writes: results to out, diagnostics and progress to err."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None):
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.colour_out = wants_colour(self.out)
        self.colour_err = wants_colour(self.err)

    def print(self, text: str = "") -> None:
        self.out.write(text + "\n")

    def error(self, text: str) -> None:
        self.err.write(text + "\n")


class Command(NamedTuple):
    name: str
    summary: str
    description: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Console], int]


# ---- check ---------------------------------------------------------------------


def _configure_check(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="FILE", help="a .proc file, or a folder: every .proc file under it is checked")
    parser.add_argument(
        "--format",
        choices=("text", "json", "sarif"),
        default="text",
        help="text for people (the default); json for scripts; sarif for CI systems that annotate files",
    )
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors (exit 1 if there are any)")


def _run_check(args: argparse.Namespace, console: Console) -> int:
    from interpreter.pipeline import analyse_bytes

    files, unreadable = expand_paths(args.paths, ".proc", console)
    if not files:
        if not unreadable:
            console.error("safeproc: no .proc files found in " + ", ".join(f"`{p}`" for p in args.paths))
        return EXIT_USAGE
    diagnostics = []
    sources = {}
    for path in files:
        data = read_file(path, console)
        if data is None:
            unreadable += 1
            continue
        analysis = analyse_bytes(data, str(path))
        if analysis.source is not None:
            sources[analysis.source.name] = analysis.source
        diagnostics.extend(analysis.diagnostics)
    if args.format == "json":
        console.print(to_json(diagnostics))
    elif args.format == "sarif":
        console.print(to_sarif(diagnostics))
    else:
        for diagnostic in diagnostics:
            console.error(render_text(diagnostic, sources, console.colour_err))
            console.error("")
        console.error(summary_line(diagnostics, len(files), console.colour_err))
    if unreadable:
        return EXIT_USAGE
    failing = {Severity.ERROR, Severity.WARNING} if args.strict else {Severity.ERROR}
    return EXIT_PROBLEMS if any(d.severity in failing for d in diagnostics) else EXIT_OK


def expand_paths(paths, suffix: str, console: Console) -> tuple[list[Path], int]:
    """Files named on the command line, with folders replaced by the files of suffix under them."""
    files: list[Path] = []
    missing = 0
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*" + suffix) if p.is_file()))
        elif path.exists():
            files.append(path)
        else:
            console.error(f"safeproc: cannot read `{raw}`: no such file or folder")
            missing += 1
    return files, missing


def read_file(path: Path, console: Console) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        console.error(f"safeproc: cannot read `{path}`: {reason.lower()}")
        return None


# ---- explain ---------------------------------------------------------------------


def _configure_explain(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("code", nargs="?", help="a diagnostic code such as P102; leave it out to list every code")


def _run_explain(args: argparse.Namespace, console: Console) -> int:
    if not args.code:
        for code, entry in sorted(CODES.items()):
            console.print(f"{code}  {entry.title}")
        return EXIT_OK
    entry = explain(args.code)
    if entry is None:
        hint = did_you_mean(args.code.upper(), CODES)
        console.error(f"safeproc: there is no code `{args.code}`" + (f"; {hint}" if hint else "; `safeproc explain` lists them all"))
        return EXIT_USAGE
    console.print(f"{args.code.strip().upper()}: {entry.title}\n")
    console.print(entry.explanation)
    return EXIT_OK


COMMANDS: tuple[Command, ...] = (
    Command(
        "check",
        "check procedures for mistakes",
        "Check .proc files for mistakes: syntax, unknown names, steps that cannot be "
        "reached, dead ends, decisions with gaps and more. Exits 0 when there are no "
        "errors (warnings allowed), 1 when there are errors, 2 when a file cannot be read.",
        _configure_check,
        _run_check,
    ),
    Command(
        "explain",
        "explain a diagnostic code",
        "Explain a diagnostic code (such as P102) at length, with an example of the fix.",
        _configure_explain,
        _run_explain,
    ),
)


def find_command(name: str) -> Command | None:
    return next((command for command in COMMANDS if command.name == name), None)
