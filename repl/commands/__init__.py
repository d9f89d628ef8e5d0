"""The command table shared by the command line and the interactive shell.

Each command lives in its own module here, declares its arguments once (on an
argparse parser) and runs with a `Console` to write to, returning the exit code.
The front ends only choose the streams and turn the code into an exit status or
a prompt. A command module imports what it needs inside its `run`, so that
`safeproc check` never loads the drawing or shell libraries.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar, NamedTuple, TextIO, cast

from repl.printable import printable, printable_keeping_colour, shown_name, wants_colour

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


class OutputNotWritten(Exception):
    """Standard output or standard error would not take what a command wrote (a full disk, say)."""

    # Whether the user has been told in this process: what stays held in the stream's
    # buffer fails again as the program ends, and is not to be told twice.
    said: ClassVar[bool] = False

    def __init__(self, reason: OSError):
        super().__init__(reason)
        self.reason = reason


def cannot_write_message(reason: OSError) -> str:
    return f"safeproc: cannot write the output: {(reason.strerror or str(reason)).lower()}"


class _ClosedStream:
    """Where a command writes when the program was started with that stream closed (`safeproc ... >&-`)."""

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "the stream is closed")

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


class Console:
    """Where a command writes: results to out, diagnostics and progress to err.

    Every line is made printable on its way out: whatever a file name or a title
    holds, no control character reaches the terminal and no undecodable byte
    reaches a UTF-8 stream.
    """

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None):
        self.out: TextIO = out or sys.stdout or cast(TextIO, _ClosedStream())
        self.err: TextIO = err or sys.stderr or cast(TextIO, _ClosedStream())
        self.colour_out = wants_colour(self.out)
        self.colour_err = wants_colour(self.err)

    def print(self, text: str = "") -> None:
        with _writing():
            self.out.write(_shown(text, self.colour_out) + "\n")

    def error(self, text: str) -> None:
        with _writing():
            self.err.write(_shown(text, self.colour_err) + "\n")

    def write_bytes(self, data: bytes) -> None:
        """The bytes of a file (a picture), as they are, to standard output."""
        buffer = getattr(self.out, "buffer", None)
        with _writing():
            if buffer is None:  # a text-only stream, as in tests
                self.out.write(data.decode("utf-8", "replace"))
                return
            self.out.flush()
            buffer.write(data)
            buffer.flush()

    @property
    def out_is_terminal(self) -> bool:
        isatty = getattr(self.out, "isatty", None)
        return bool(isatty and isatty())


@contextmanager
def _writing() -> Iterator[None]:
    """A stream that will not take more is the user's to hear about, not a bug in safeproc."""
    try:
        yield
    except BrokenPipeError:
        raise  # the reader went away (`safeproc ... | head`): the front end ends quietly
    except OSError as exc:
        raise OutputNotWritten(exc) from exc


def _shown(text: str, colour: bool) -> str:
    return printable_keeping_colour(text) if colour else printable(text)


class Command(NamedTuple):
    name: str
    summary: str
    description: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Console], int]


def add_diagnostic_format(parser: argparse.ArgumentParser) -> None:
    """`--format text|json|sarif`, as every command that reports diagnostics takes it."""
    parser.add_argument(
        "--format",
        choices=("text", "json", "sarif"),
        default="text",
        help="text for people (the default); json for scripts; sarif for CI systems that annotate files",
    )


def _cannot_read(console: Console, name: object, reason: str) -> None:
    console.error(f"safeproc: cannot read `{shown_name(str(name))}`: {reason.lower()}")


def is_folder(path: Path) -> bool:
    """Whether path names a folder; False for a name the system cannot even look up (too long, a loop)."""
    try:
        return path.is_dir()
    except OSError:
        return False


def is_file(path: Path) -> bool:
    """Whether path names a file; False for a name the system cannot even look up (too long, a loop)."""
    try:
        return path.is_file()
    except OSError:
        return False


def expand_paths(paths, suffix: str | tuple[str, ...], console: Console) -> tuple[list[Path], int]:
    """Files named on the command line, with folders replaced by the files of suffix (or suffixes) under them."""
    files: list[Path] = []
    missing = 0
    for raw in paths:
        if not raw:
            _cannot_read(console, raw, "an empty name names no file")
            missing += 1
            continue
        path = Path(raw)
        try:
            if path.is_dir():
                unlisted: list[OSError] = []
                files.extend(files_under(path, suffix, unlisted.append))
                for problem in unlisted:
                    _cannot_read(console, problem.filename or raw, problem.strerror or str(problem))
                missing += len(unlisted)
                continue
            exists = path.exists() or _loops(path)
        except OSError as exc:  # a name too long, a loop of links, a folder we may not list
            _cannot_read(console, raw, exc.strerror or str(exc))
            missing += 1
            continue
        if exists:
            files.append(path)
        else:
            _cannot_read(console, raw, "no such file or folder")
            missing += 1
    return files, missing


def _loops(path: Path) -> bool:
    """Whether path is a link in a loop of links: reading it says so, where a link to nothing is no such file."""
    try:
        os.stat(path)
    except OSError as error:
        return error.errno == errno.ELOOP
    return False


# What looking up a name says when there is no file at its end (as pathlib's is_file has it).
_NO_FILE_THERE = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP})


def files_under(folder: Path, suffix: str | tuple[str, ...], on_error=None, hidden_folders: bool = False) -> list[Path]:
    """The files of suffix under a folder, in order; folders reached by a link are passed over,
    and so are hidden folders (.git, .venv) unless hidden_folders; each folder that cannot be
    listed is handed to on_error (an OSError). A name of suffix that is a broken link, or a
    link that loops, is passed over as a name that is no file.
    """
    from repl.folder_walk import entries_below

    found: list[Path] = []
    for entry in entries_below(os.fspath(folder), on_error or (lambda error: None), hidden_folders):
        if entry.name.endswith(suffix):
            try:
                wanted = entry.is_file()
            except OSError as error:  # a link that loops is no file; anything else, reading it says what is wrong
                wanted = error.errno not in _NO_FILE_THERE
            if wanted:
                found.append(Path(entry.path))
    return sorted(found)


def files_to_read(paths, suffix: str | tuple[str, ...], console: Console) -> tuple[list[Path], int] | None:
    """The files a command works on, or None (having said why) when there are none."""
    files, unreadable = expand_paths(paths, suffix, console)
    if not files:
        if not unreadable:
            console.error(f"safeproc: no {suffix} files found in " + ", ".join(f"`{shown_name(str(p))}`" for p in paths))
        return None
    return files, unreadable


def read_file(path: Path, console: Console) -> bytes | None:
    """The bytes of a regular file, or None having said why not (a pipe or a device would never end)."""
    from interpreter.source import read_regular_file

    try:
        return read_regular_file(path)
    except OSError as exc:
        _cannot_read(console, path, exc.strerror or str(exc))
        return None


def analyse_files(files: list[Path], console: Console):
    """Each readable file analysed, in order; the sources by name (for quoting); how many could not be read."""
    from interpreter.pipeline import analyse_bytes
    from repl.garbage_collector import collector_paused

    analyses = []
    sources = {}
    unreadable = 0
    for path in files:
        data = read_file(path, console)
        if data is None:
            unreadable += 1
            continue
        with collector_paused():
            analysis = analyse_bytes(data, str(path))
        if analysis.source is not None:
            sources[analysis.source.name] = analysis.source
        analyses.append(analysis)
    return analyses, sources, unreadable


def analyse_one_procedure(path_text: str, console: Console, nothing_done: str, verb: str = "draw"):
    """The one .proc file a command works on, analysed; or the exit code, having said why not
    (a folder, unreadable, or with errors, which are printed with `nothing_done`)."""
    from interpreter.pipeline import analyse_bytes
    from repl.diagnostic_output import print_diagnostics, summary_line
    from repl.garbage_collector import collector_paused

    if is_folder(Path(path_text)):
        console.error(f"safeproc: `{shown_name(path_text)}` is a folder; name the one .proc file to {verb}")
        return EXIT_USAGE
    files, unreadable = expand_paths([path_text], ".proc", console)
    if unreadable:
        return EXIT_USAGE
    data = read_file(files[0], console)
    if data is None:
        return EXIT_USAGE
    with collector_paused():
        analysis = analyse_bytes(data, str(files[0]))
    if analysis.diagnostics:
        sources = {analysis.source.name: analysis.source} if analysis.source is not None else {}
        print_diagnostics(console, analysis.diagnostics, sources)
        console.error(summary_line(analysis.diagnostics, 1, console.colour_err))
    if not analysis.ok or analysis.procedure is None or analysis.graph is None or analysis.source is None:
        console.error(f"safeproc: {nothing_done}; correct the errors above first")
        return EXIT_PROBLEMS
    return analysis


class LazyCommand:
    """A command as the table lists it: its name and one-line summary at once, the rest
    (its options, its code, and what they import) only when the command is used. So
    `safeproc --version` or `safeproc explain P102` never loads networkx, Graphviz's
    wrapper, Lark or prompt-toolkit."""

    def __init__(self, name: str, summary: str, module: str):
        self.name = name
        self.summary = summary
        self._module = module

    def load(self) -> Command:
        import importlib

        command = importlib.import_module(self._module).COMMAND
        assert command.name == self.name and command.summary == self.summary, f"the table's entry for {self.name} is out of date"
        return command

    @property
    def description(self) -> str:
        return self.load().description

    def configure(self, parser: argparse.ArgumentParser) -> None:
        self.load().configure(parser)

    def run(self, args: argparse.Namespace, console: Console) -> int:
        return self.load().run(args, console)


# Each command's name and summary, as its module's COMMAND says them (a test holds the two equal).
COMMANDS: tuple[LazyCommand, ...] = (
    LazyCommand("check", "check procedures for mistakes", "repl.commands.check"),
    LazyCommand("date", "work out a deadline's date", "repl.commands.date"),
    LazyCommand("diff", "show what changed between two versions of a procedure", "repl.commands.diff"),
    LazyCommand("explain", "explain a diagnostic code", "repl.commands.explain"),
    LazyCommand("format", "lay out .proc and .case files in the one canonical way", "repl.commands.format"),
    LazyCommand("handbook", "publish a procedure as a website", "repl.commands.handbook"),
    LazyCommand("lsp", "the language server for editors (VS Code, Neovim, Emacs...)", "repl.commands.lsp"),
    LazyCommand("render", "draw a procedure's flowchart", "repl.commands.render"),
    LazyCommand("shell", "work through a case interactively", "repl.commands.shell"),
    LazyCommand("simulate", "run a procedure against a case", "repl.commands.simulate"),
    LazyCommand("test", "run case scenarios and check their expectations", "repl.commands.test"),
    LazyCommand("trace", "show which steps cite each paragraph of the source", "repl.commands.trace"),
    LazyCommand("verify", "check a local procedure against the national specification", "repl.commands.verify"),
)
