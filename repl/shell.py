"""`safeproc shell`: a prompt for working through a case against a procedure.

The front over `shell_commands.run_line`: prompt-toolkit reads a line (with completion
of commands, names, values and dates, the language's highlighting, and history kept
in the user's data folder), the session does the work, and the reply is shown. Every
mistake is a message and the shell goes on; only `quit`, `exit` or end-of-file
(Ctrl-D) end it, and Ctrl-C clears the line.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from functools import partial
from pathlib import Path
from typing import TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion, PathCompleter
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.lexers import PygmentsLexer
from prompt_toolkit.output import Output

from interpreter import model as m
from interpreter.conditions import shown_value
from repl.case_session import CaseSession
from repl.commands import COMMANDS, Console
from repl.diagnostic_output import print_diagnostics
from repl.lexer import SafeprocLexer
from repl.shell_commands import CASE_WORDS, leave, run_line

PROMPT = "safeproc> "
GREETING = "safeproc shell: work through a case. `help` lists the commands, Tab completes, Ctrl-D leaves."


class ShellCompleter(Completer):
    """What can come next where the cursor is: a command, a name of the right kind, a value, a date."""

    def __init__(self, session: CaseSession):
        self.session = session
        self.paths = PathCompleter(expanduser=True)

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterator[Completion]:
        text = document.text_before_cursor
        words = text.split()
        if text and not text[-1].isspace():
            typed = words.pop() if words else ""
        else:
            typed = ""
        if not words:
            yield from _starting(typed, list(CASE_WORDS) + [c.name for c in COMMANDS])
            return
        if words[0] in ("open", "load", "save") or (words[0] in {c.name for c in COMMANDS} and not typed.startswith("-")):
            yield from self.paths.get_completions(Document(typed, len(typed)), complete_event)
            return
        yield from _starting(typed, self._expected(words))

    def _expected(self, words: list[str]) -> list[str]:
        session = self.session
        if words[:2] == ["what", "if"]:
            words = words[2:] if len(words) > 2 and words[2] in ("set", "unset", "on", "done", "as") else ["set", *words[2:]]
            if words == ["set"]:
                return ["on", "done", "as", *session.names((m.Fact,))]
        head, rest = words[0], words[1:]
        facts = session.names((m.Fact,))
        steps = session.names((m.Step, m.Decision))
        match head, len(rest):
            case ("set", 0) | ("unset", 0):
                return facts
            case ("set", 1):
                return ["=", *self._values(rest[0])]
            case ("set", 2) if rest[1] in ("=", "is"):
                return self._values(rest[0])
            case ("done", 0) | ("why", 0):
                return steps + (session.names((m.Outcome,)) if head == "why" else [])
            case ("done", 1):
                return ["on"]
            case ("done", 2) | ("on", 0):
                return self._dates()
            case ("on", 1):
                return session.names((m.Event,)) + facts + steps
            case ("on", 2):
                return ["is"] if rest[1] in facts else (["done"] if rest[1] in steps else [])
            case ("on", 3) if rest[2] in ("is", "="):
                return self._values(rest[1])
            case ("as", 0):
                return ["of"]
            case ("as", 1):
                return self._dates()
            case ("what", 0):
                return ["if"]
            case ("help", 0):
                return list(CASE_WORDS) + [c.name for c in COMMANDS]
            case ("names", 0):
                return ["steps", "decisions", "facts", "events", "roles", "outcomes"]
            case ("save", _):
                return ["--with-expectations"]
        return []

    def _values(self, fact_name: str) -> list[str]:
        procedure = self.session.procedure()
        fact = next((f for f in procedure.facts if f.name == fact_name), None) if procedure else None
        if fact is None:
            return []
        match fact.type:
            case m.FactType.BOOLEAN:
                return ["yes", "no"]
            case m.FactType.CHOICE:
                return [choice.name for choice in fact.choices]
            case m.FactType.NUMBER:
                return []
        return []

    def _dates(self) -> list[str]:
        state = self.session.state
        known = sorted({day for day, _, _ in state.happenings} | {day for day, _, _ in state.learnt}, reverse=True)
        return ["today", *(shown_value(str(day)) for day in known)]


def _starting(typed: str, candidates: Iterable[str]) -> Iterator[Completion]:
    seen: set[str] = set()
    for candidate in candidates:
        if candidate.startswith(typed) and candidate not in seen:
            seen.add(candidate)
            yield Completion(candidate, start_position=-len(typed))


def _history() -> History:
    """History in the user's data folder; in memory if that folder cannot be used safely."""
    try:
        from repl.user_dirs import user_data_folder

        return FileHistory(str(user_data_folder() / "shell-history"))
    except OSError:
        return InMemoryHistory()


def run_shell(
    procedure: Path | None = None,
    case: Path | None = None,
    *,
    input: Input | None = None,
    output: Output | None = None,
    out: TextIO | None = None,
    history: History | None = None,
    today: date | None = None,
) -> int:
    """Read lines until quit; 0 when left normally (1 when lines read from a file or a pipe
    had an error). `input`, `output` and `out` are for tests.

    Lines piped in (standard input not a terminal) are read as plain text, one command a
    line, with no prompt: prompt-toolkit would read a pasted escape sequence as a key.
    """
    session = CaseSession()
    if today is not None:
        session.today = today
    console = Console(out, out) if out is not None else Console()
    read_line: Callable[[], str]
    piped = input is None and not sys.stdin.isatty()
    if piped:
        read_line = _plain_lines()
    else:
        prompt: PromptSession[str] = PromptSession(
            completer=ShellCompleter(session),
            lexer=PygmentsLexer(SafeprocLexer),
            history=history if history is not None else _history(),
            input=input,
            output=output,
            complete_while_typing=False,
            key_bindings=_stray_mouse_reports_passed_over(),
        )
        read_line = partial(prompt.prompt, PROMPT)
        console.print(GREETING)  # how to use the prompt: no help to a file of commands
    # Read from a file, a line that fails (a save refused, a name mistyped) makes the run fail,
    # so that a script replaying a session can tell; at a prompt, the person sees it.
    failed = False
    for opening in ([f"open {procedure}"] if procedure else []) + ([f"load {case}"] if case else []):
        reply = run_line(session, opening, console)[0]
        failed |= _has_error(reply)
        _show(console, reply)
    while True:
        try:
            line = read_line()
        except KeyboardInterrupt:
            continue  # Ctrl-C clears the line
        except EOFError:
            reply, finished = leave(session)
            _show(console, reply)
            if finished:
                break
            continue
        try:
            reply, finished = run_line(session, line, console)
        except Exception as exc:  # noqa: BLE001 - the shell goes on whatever one line does
            from repl.crash_report import save_crash_report

            saved = save_crash_report(exc, ["shell"])
            console.error(f"safeproc: internal error ({type(exc).__name__}); the shell goes on. This is a bug in safeproc.")
            if saved is not None:
                console.error(f"Where it failed is saved in {saved} (with nothing from your case).")
            failed = True
            continue
        failed |= _has_error(reply)
        _show(console, reply)
        if finished:
            break
    return 1 if piped and failed else 0


def _has_error(reply) -> bool:
    return any(diagnostic.is_error for diagnostic in reply.diagnostics)


def _plain_lines() -> Callable[[], str]:
    """The next line of standard input, as text (bytes that are not UTF-8 shown as such); EOFError at its end."""
    lines = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace", newline=None)

    def read_line() -> str:
        line = lines.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")

    return read_line


def _stray_mouse_reports_passed_over() -> KeyBindings:
    """prompt-toolkit's handling of a mouse report, except that a typed or pasted escape
    sequence that only looks like one (ESC [ 3 1 m, a colour code) is passed over: as it
    stands, it fails on it, and the shell would show a traceback."""
    from prompt_toolkit.key_binding.bindings.mouse import load_mouse_bindings
    from prompt_toolkit.keys import Keys

    handler = load_mouse_bindings().get_bindings_for_keys((Keys.Vt100MouseEvent,))[0].handler
    bindings = KeyBindings()

    @bindings.add(Keys.Vt100MouseEvent)
    def _(event):
        try:
            return handler(event)
        except (ValueError, IndexError, KeyError):
            return None

    return bindings


def _show(console: Console, reply) -> None:
    for line in reply.lines:
        console.print(line)
    if reply.diagnostics:
        print_diagnostics(console, list(reply.diagnostics), {}, to_out=True)
