"""The words the shell understands: its own case commands, and every command of the command line.

`run_line` takes one line as typed and returns what to show. The command-line
commands (`check`, `simulate`, `verify` ...) go through the same command table and
the same options as `safeproc COMMAND`, with argparse's mistakes turned into
messages instead of ending the program. Nothing here prints: the console given is
where the command-line commands write, and the reply is the shell's to show.
"""

from __future__ import annotations

import argparse
import os
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from repl.case_session import CaseSession, Reply
from repl.commands import COMMANDS, Console, LazyCommand

# Each shell command: (how it is written, what it does). The order is the order of `help`.
CASE_HELP: tuple[tuple[str, str, str], ...] = (
    ("open", "open PROC", "work against this procedure"),
    ("set", "set FACT = VALUE", "what is known about the case (yes, no, a choice or a number)"),
    ("unset", "unset NAME", "make a fact unknown again, or take back what was recorded of an event or a step"),
    ("on", "on DATE EVENT  |  on DATE FACT is VALUE", "something happened that day, or a fact became known that day"),
    ("done", "done STEP on DATE", "a step (or a decision) was done that day"),
    ("as", "as of DATE", "see the case as it stood on that day (`as of today`; default: the last day recorded)"),
    ("status", "status", "the timeline: what has happened, what is still to do"),
    ("next", "next", "what is open now, who owns it, and when it is due"),
    ("why", "why STEP", "why a step applies or not: the decisions before it and the facts that decided them"),
    ("overdue", "overdue", "what is overdue, and what has been escalated"),
    ("what", "what if FACT = VALUE  (or any change above)", "how the timeline would differ, without changing the case"),
    ("keep", "keep", "adopt the last what-if"),
    ("undo", "undo", "take back the last change (it says which)"),
    ("reset", "reset", "start the case again (undo brings it back)"),
    ("name", "name TEXT", "what to call the case when it is saved"),
    ("save", "save FILE.case [--with-expectations] [--replace]", "write the case as a scenario that `safeproc test` runs"),
    ("load", "load FILE.case", "work on a saved scenario"),
    ("reload", "reload", "read the procedure again after an edit, and say what that changes for the case"),
    ("names", "names [steps|facts|events|roles|decisions]", "the names the procedure declares"),
    ("help", "help [COMMAND]", "this list, or one command's words and options"),
    ("quit", "quit  (or exit, or Ctrl-D)", "leave the shell (asked again if the case has changes not saved)"),
)
CASE_WORDS = tuple(word for word, _, _ in CASE_HELP) + ("exit",)
CASE_CHANGES = ("set", "unset", "on", "done", "as")  # the words of apply_case_command
COMMAND_LINE = {command.name: command for command in COMMANDS}


def apply_case_command(session: CaseSession, words: list[str]) -> Reply | None:
    """The commands that change the case (used directly, and after `what if`); None if words are not one."""
    if not words:
        return None
    head = words[0]
    match head:
        case "set":
            rest = [w for w in words[1:] if w not in ("=", "is")]
            if len(rest) == 1 and "=" in rest[0]:
                rest = [part for part in rest[0].split("=") if part]
            if len(rest) != 2:
                return Reply.problem("write `set FACT = VALUE`", help="for example `set child_died = yes`")
            return session.set_fact(rest[0], rest[1])
        case "unset":
            if len(words) != 2:
                return Reply.problem("write `unset FACT`")
            return session.unset_fact(words[1])
        case "on":
            if len(words) == 3:
                return session.happened(words[1], words[2])
            if len(words) == 4 and words[3] == "done":
                return session.done(words[2], words[1])
            if len(words) == 5 and words[3] in ("is", "="):
                return session.learnt(words[1], words[2], words[4])
            return Reply.problem(
                "write `on DATE EVENT`, `on DATE STEP done` or `on DATE FACT is VALUE`", help="for example `on 2024-01-08 aware`"
            )
        case "done":
            if len(words) == 4 and words[2] == "on":
                return session.done(words[1], words[3])
            if len(words) == 3:
                return session.done(words[1], words[2])
            return Reply.problem("write `done STEP on DATE`", help="for example `done submit_sin on 2024-01-11`")
        case "as":
            if len(words) == 3 and words[1] == "of":
                return session.set_as_of(words[2])
            return Reply.problem("write `as of DATE`", help="for example `as of 2024-02-01`")
    return None


def leave(session: CaseSession) -> tuple[Reply, bool]:
    """Quit, unless the case has changes not saved: then say so once, and quit the next time."""
    if session.unsaved and not session.warned_on_leaving:
        session.warned_on_leaving = True
        return Reply(("the case has changes that are not saved: `save FILE.case` keeps them; quit again to leave without",)), False
    return Reply(), True


def run_line(session: CaseSession, line: str, console: Console) -> tuple[Reply, bool]:
    """What a line asks for, done; and whether the shell should end."""
    try:
        words = shlex.split(line, comments=True)
    except ValueError as exc:
        return Reply.problem(f"cannot read that line: {exc}", help="close the quotation mark"), False
    if not words:
        return Reply(), False
    head = words[0]
    if head != "save":
        session.replacing = None  # `save` twice running replaces a file: anything between asks again
    if head in ("quit", "exit"):
        return leave(session)
    changed = apply_case_command(session, words)
    if changed is not None:
        return changed, False
    match head:
        case "open":
            return (session.open(_typed_path(words[1])) if len(words) == 2 else Reply.problem("write `open PROC`")), False
        case "status" | "next" | "overdue" | "keep" | "undo" | "reset" | "reload":
            if len(words) != 1:
                return Reply.problem(f"`{head}` takes nothing after it"), False
            action = {
                "status": session.status,
                "next": session.next_steps,
                "overdue": session.overdue,
                "keep": session.keep,
                "undo": session.undo,
                "reset": session.reset,
                "reload": session.reload,
            }[head]
            return action(), False
        case "why":
            return (session.why(words[1]) if len(words) == 2 else Reply.problem("write `why STEP`")), False
        case "what":
            if len(words) < 3 or words[1] != "if":
                return Reply.problem("write `what if FACT = VALUE`"), False
            return session.suppose(words[2:]), False
        case "name":
            return (session.rename(" ".join(words[1:])) if len(words) > 1 else Reply.problem("write `name TEXT`")), False
        case "save":
            options = [w for w in words[1:] if w.startswith("--")]
            paths = [w for w in words[1:] if not w.startswith("--")]
            if len(paths) != 1 or any(o not in ("--with-expectations", "--replace") for o in options):
                return Reply.problem("write `save FILE.case` (with --with-expectations, --replace, or both, if wanted)"), False
            return session.save(_typed_path(paths[0]), "--with-expectations" in options, "--replace" in options), False
        case "load":
            return (session.load(_typed_path(words[1])) if len(words) == 2 else Reply.problem("write `load FILE.case`")), False
        case "names":
            return _names(session, words[1:]), False
        case "help":
            return _help(words[1:]), False
    command = COMMAND_LINE.get(head)
    if command is not None:
        return _command_line(command, _with_open_procedure(session, head, words[1:]), console), False
    from interpreter.suggest import did_you_mean

    every = list(CASE_WORDS) + list(COMMAND_LINE)
    return Reply.problem(f"there is no command `{head}`", help=did_you_mean(head, every) or "`help` lists the commands"), False


# ---- the command-line commands, in the shell ----------------------------------------------


def _with_open_procedure(session: CaseSession, command: str, words: list[str]) -> list[str]:
    """`check`, `verify`, `trace` and `test` with no file work on the open procedure (and its scenarios)."""
    path = session.procedure_path
    if path is None or any(not word.startswith("-") for word in words) or command not in ("check", "verify", "test", "trace"):
        return words
    if command == "test":
        scenarios = path.parent / "scenarios"
        return [*words, str(scenarios if scenarios.is_dir() else path.parent)]
    return [*words, str(path)]


class _Usage(Exception):
    pass


class _Finished(Exception):
    pass


class _ShellParser(argparse.ArgumentParser):
    """argparse for one command in the shell: mistakes become messages, help goes to the console."""

    console: Console

    def error(self, message: str) -> NoReturn:
        raise _Usage(message.replace("the following arguments are required:", "you need to give"))

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            self.console.error(message.rstrip())
        raise _Finished

    def _print_message(self, message: str, file=None) -> None:
        if message:
            self.console.print(message.rstrip())


def _command_line(command: LazyCommand, words: Sequence[str], console: Console) -> Reply:
    parser = _ShellParser(prog=command.name, description=command.description)
    parser.console = console
    command.configure(parser)
    try:
        args = parser.parse_args(list(words))
    except _Usage as mistake:
        return Reply.problem(f"{command.name}: {mistake}", help=f"`help {command.name}` shows its words and options")
    except _Finished:
        return Reply()
    code = command.run(args, console)
    return Reply((f"({command.name} ended with {code})",) if code not in (0, 1) else ())


# ---- help and names ------------------------------------------------------------------------


def _help(words: Sequence[str]) -> Reply:
    if not words:
        width = max(len(usage) for _, usage, _ in CASE_HELP)
        lines = ["The case:"]
        lines += [f"  {usage.ljust(width)}  {what}" for _, usage, what in CASE_HELP]
        lines += ["", "And every command of the command line, with the same options:"]
        lines += [f"  {command.name.ljust(10)} {command.summary}" for command in COMMANDS]
        lines += ["", "Tab completes commands, names and values; `help COMMAND` says more."]
        return Reply(tuple(lines))
    word = words[0]
    entry = next((item for item in CASE_HELP if item[0] == word or item[1].startswith(word + " ")), None)
    if entry is not None:
        return Reply((entry[1], f"  {entry[2]}"))
    if word in COMMAND_LINE:
        command = COMMAND_LINE[word]
        return Reply((f"{word}: {command.summary}", f"  {command.description}", f"  (`{word} --help` lists its options)"))
    from interpreter.suggest import did_you_mean

    return Reply.problem(f"there is no command `{word}`", help=did_you_mean(word, list(CASE_WORDS) + list(COMMAND_LINE)))


def _names(session: CaseSession, words: Sequence[str]) -> Reply:
    from interpreter import model as m

    kinds: dict[str, tuple[type, ...]] = {
        "steps": (m.Step,),
        "decisions": (m.Decision,),
        "facts": (m.Fact,),
        "events": (m.Event,),
        "roles": (m.Role,),
        "outcomes": (m.Outcome,),
    }
    if session.procedure() is None:
        return Reply.problem("no procedure is open", help="open one: `open procedures/pan-sussex/cspr.proc`")
    chosen = list(kinds) if not words else [w for w in words if w in kinds]
    if words and not chosen:
        return Reply.problem(f"`names {words[0]}`: say which names", help="one of " + ", ".join(kinds))
    lines = []
    for kind in chosen:
        names = session.names(kinds[kind])
        lines.append(f"{kind} ({len(names)}): " + ", ".join(names))
    return Reply(tuple(lines))


def _typed_path(word: str) -> Path:
    """A file name as typed at the prompt: `~` is the user's home folder, as a terminal's shell has it."""
    return Path(os.path.expanduser(word))
