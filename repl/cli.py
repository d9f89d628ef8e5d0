"""The front door: `safeproc COMMAND ...` on the command line."""

from __future__ import annotations

import argparse
import atexit
import os
import signal
import sys
import threading
from typing import NoReturn

from repl import version
from repl.commands import (
    COMMANDS,
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    Console,
    OutputNotWritten,
    cannot_write_message,
)

DESCRIPTION = """\
safeproc checks, simulates and draws statutory safeguarding procedures written
in the .proc language, so that a procedure can be tested like a program."""

EPILOG = """\
examples:
  safeproc check procedures/pan-sussex/          check every .proc file in a folder
  safeproc check --format sarif cspr.proc        diagnostics for a CI system
  safeproc explain P102                          what a diagnostic code means

Run `safeproc COMMAND --help` for the options of each command."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake ends with one plain line and a pointer to --help."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: {_plainer(message)}\nRun `{self.prog} --help` for help.\n")


def _unknown_command(argv: list[str]) -> str | None:
    """What to say when the command word is not a command, or None.

    Checked against the command table before argparse, which would otherwise word it
    in its own terms. The options before the command (--help, --version) take no value,
    so the command is the first word that is not an option.
    """
    word = _command_word(argv)
    names = [command.name for command in COMMANDS]
    if word is None or word in names:
        return None
    from interpreter.suggest import did_you_mean

    hint = did_you_mean(word, names)
    return f"there is no command `{word}`" + (f"; {hint}" if hint else "") + f" (the commands are {', '.join(names)})"


def _command_word(argv: list[str]) -> str | None:
    """The command word: the first word that is not an option (those before it take no value)."""
    words = iter(argv)
    word = next((w for w in words if w == "--" or not w.startswith("-")), None)
    if word == "--":
        word = next(words, None)
    return word


def _plainer(message: str) -> str:
    """argparse's own words, made plainer where a user most often meets them."""
    return message.replace("the following arguments are required:", "you need to give").replace("invalid choice", "not one of the choices")


def build_parser(chosen: str | None = None) -> argparse.ArgumentParser:
    """The parser; only the chosen command's options are set up (and its module loaded)."""
    parser = _Parser(
        prog="safeproc",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"safeproc {version()}")
    parser.add_argument(
        "--debug",
        action="store_true",
        help="if safeproc itself fails, show the full traceback (also: SAFEPROC_DEBUG=1)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        if command.name != chosen:
            subparsers.add_parser(command.name, help=command.summary)
            continue
        loaded = command.load()
        sub = subparsers.add_parser(command.name, help=command.summary, description=loaded.description)
        loaded.configure(sub)
        sub.set_defaults(run=loaded.run)
    return parser


class Terminated(BaseException):
    """SIGTERM or SIGHUP, raised where the program is, so that clean-up runs as it does for Ctrl-C."""

    def __init__(self, signum: int = signal.SIGTERM):
        super().__init__(signum)
        self.signum = signum


def _terminate(signum, frame):
    raise Terminated(signum)


# Ways a program is asked to stop, besides Ctrl-C: `kill`, and its terminal closing.
_STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    # --debug is taken wherever it is written (before `--`), so that the advice
    # "run it again with --debug" works however the user adds it.
    options_end = argv.index("--") if "--" in argv else len(argv)
    debug = "--debug" in argv[:options_end] or os.environ.get("SAFEPROC_DEBUG", "") not in ("", "0")
    argv = [word for word in argv[:options_end] if word != "--debug"] + argv[options_end:]
    _never_fail_to_print()
    in_main_thread = threading.current_thread() is threading.main_thread()
    # A signal the caller chose to ignore (`nohup` ignores SIGHUP) stays ignored.
    wanted = [signum for signum in _STOP_SIGNALS if signal.getsignal(signum) is not signal.SIG_IGN] if in_main_thread else []
    previous = {signum: signal.signal(signum, _terminate) for signum in wanted}
    try:
        return _main(argv, debug)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _never_fail_to_print() -> None:
    """A terminal that cannot show a character gets an escape for it, not a crash."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):
                pass


def _main(argv: list[str], debug: bool) -> int:
    from interpreter import holiday_tables
    from repl.user_dirs import user_cache_folder

    holiday_tables.find_folder = user_cache_folder  # bank-holiday tables are kept between runs
    parser = build_parser(_command_word(argv))
    try:
        try:
            unknown = _unknown_command(argv)
            if unknown is not None:
                parser.error(unknown)
            # Python 3.11's argparse drops a value of `--` given as `--option=--`, leaving the option empty.
            dashes = next((word for word in argv if word.startswith("--") and word.endswith("=--") and len(word) > 4), None)
            if dashes is not None:
                parser.error(f"`{dashes}`: `--` is not a value safeproc can take; if it is a file's name, write it `./--`")
            args = parser.parse_args(argv)
        except SystemExit as finished:
            # argparse has printed --help, --version or a usage mistake; say how it ended
            # as a value, so that callers in this process (the tests, a shell) carry on.
            return finished.code if isinstance(finished.code, int) else EXIT_USAGE
        if getattr(args, "run", None) is None:
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        return args.run(args, Console())
    except KeyboardInterrupt:
        sys.stderr.write("safeproc: interrupted\n")
        return 130
    except Terminated as stop:
        sys.stderr.write("safeproc: terminated\n")
        return 128 + stop.signum
    except BrokenPipeError:
        # The reader went away (`safeproc ... | head`); nothing more to say.
        return 0
    except OutputNotWritten as lost:
        _say(cannot_write_message(lost.reason))
        OutputNotWritten.said = True
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - the last line of defence against a traceback
        from repl.crash_report import save_crash_report

        saved = save_crash_report(exc, argv)
        console = Console()
        console.error(
            f"safeproc: internal error ({type(exc).__name__}: {exc}).\n"
            "This is a bug in safeproc, not in your file; please report it with the command you ran."
        )
        if saved is not None:
            console.error(f"Where it failed is saved in {saved} (with nothing from your files).")
        if debug:
            import traceback

            console.error("".join(traceback.format_exception(exc)).rstrip())
        else:
            console.error("Run it again with --debug (or SAFEPROC_DEBUG=1) to see the whole traceback here.")
        return 3


def run() -> NoReturn:
    """The `safeproc` program itself: `main`, then out of the process at once."""
    leave(main())


def leave(code: int) -> NoReturn:
    """End the process as Python would, less taking every object apart one by one.

    Python's own tear-down frees each of the many thousand objects a check leaves
    behind, and collects once more: about 60 ms of a 370 ms `check`, for nothing the
    user sees. So, as mypy does, the program ends with `os._exit` once the exit
    handlers have run and what is waiting in stdout and stderr is written. Where
    another thread still runs, Python's own exit waits for it as it should.
    """
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if threading.active_count() > 1 or run_exit_handlers is None:
        sys.exit(code)
    try:
        run_exit_handlers()
        for stream in (sys.stdout, sys.stderr):
            try:
                if stream is not None:
                    stream.flush()
            except (BrokenPipeError, ValueError):
                pass  # the reader went away (`safeproc ... | head`), or the stream is closed: nothing more to write
            except OSError as exc:
                # What was held back for the stream (a full disk, say) is lost: the user must hear so,
                # once (a command that met the same refusal while it wrote has said it already).
                if not OutputNotWritten.said:
                    _say(cannot_write_message(exc))
                code = EXIT_USAGE if code in (EXIT_OK, EXIT_PROBLEMS) else code
    except KeyboardInterrupt:  # Ctrl-C while the last of the output waits for its reader
        _say("safeproc: interrupted")
        code = 130
    os._exit(code)


def _say(message: str) -> None:
    """A last word on standard error, if it will take one."""
    try:
        if sys.stderr is not None:
            sys.stderr.write(message + "\n")
            sys.stderr.flush()
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    run()
