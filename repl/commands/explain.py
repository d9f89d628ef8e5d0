"""`safeproc explain [CODE]`: the long explanation of a diagnostic code."""

from __future__ import annotations

import argparse

from interpreter.codes import CODES, explain
from interpreter.suggest import did_you_mean
from repl.commands import EXIT_OK, EXIT_USAGE, Command, Console


def _configure_explain(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("code", nargs="?", help="a diagnostic code such as P102; leave it out to list every code")


def _run_explain(args: argparse.Namespace, console: Console) -> int:
    if not args.code:
        for code, entry in sorted(CODES.items()):
            console.print(f"{code}  {entry.title}")
        return EXIT_OK
    found = explain(args.code)
    if found is None:
        hint = did_you_mean(args.code.upper(), CODES)
        console.error(f"safeproc: there is no code `{args.code}`" + (f"; {hint}" if hint else "; `safeproc explain` lists them all"))
        return EXIT_USAGE
    console.print(f"{args.code.strip().upper()}: {found.title}\n")
    console.print(found.explanation)
    return EXIT_OK


COMMAND = Command(
    "explain",
    "explain a diagnostic code",
    "Explain a diagnostic code (such as P102) at length, with an example of the fix.",
    _configure_explain,
    _run_explain,
)
