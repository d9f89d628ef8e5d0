"""`safeproc shell [PROC] [CASE]`: work through a case against a procedure, one command at a time."""

from __future__ import annotations

import argparse

from repl.commands import Command, Console


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("procedure", nargs="?", metavar="PROC", help="the .proc file to open (or `open PROC` in the shell)")
    parser.add_argument("case", nargs="?", metavar="CASE", help="a .case scenario to start from (or `load CASE` in the shell)")


def _run(args: argparse.Namespace, console: Console) -> int:
    from pathlib import Path

    from repl.shell import run_shell

    return run_shell(Path(args.procedure) if args.procedure else None, Path(args.case) if args.case else None)


COMMAND = Command(
    "shell",
    "work through a case interactively",
    "Open a prompt on a procedure and work through a live or hypothetical case: set what is known "
    "(`set child_died = yes`), record what happened (`on 2024-01-08 aware`, `done submit_sin on "
    "2024-01-11`), ask what is due next and who owns it (`next`), why a step applies (`why STEP`), "
    "try `what if FACT = VALUE`, and keep the case as a scenario (`save FILE.case`). Every "
    "command-line command works there too. `help` lists the commands; Tab completes; Ctrl-D leaves. "
    "Commands can also be read from a file or a pipe, one a line (`safeproc shell < session.txt`): "
    "then it exits 1 if any of them failed.",
    _configure,
    _run,
)
