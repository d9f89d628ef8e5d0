"""The front door: `safeproc COMMAND ...` on the command line."""

from __future__ import annotations

import argparse
import sys

from repl.commands import COMMANDS, EXIT_USAGE, Console
from repl.diagnostic_output import version

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

    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: {_plainer(message)}\nRun `{self.prog} --help` for help.\n")


def _plainer(message: str) -> str:
    """argparse's own words, made plainer where a user most often meets them."""
    import re

    from interpreter.suggest import did_you_mean

    unknown = re.match(r"argument COMMAND: invalid choice: '([^']*)'", message)
    if unknown:
        names = [command.name for command in COMMANDS]
        hint = did_you_mean(unknown.group(1), names)
        return f"there is no command `{unknown.group(1)}`" + (f"; {hint}" if hint else "") + f" (the commands are {', '.join(names)})"
    return message.replace("the following arguments are required:", "you need to give").replace("invalid choice", "not one of the choices")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="safeproc",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"safeproc {version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        sub = subparsers.add_parser(command.name, help=command.summary, description=command.description)
        command.configure(sub)
        sub.set_defaults(run=command.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if getattr(args, "run", None) is None:
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        return args.run(args, Console())
    except KeyboardInterrupt:
        sys.stderr.write("safeproc: interrupted\n")
        return 130
    except BrokenPipeError:
        # The reader went away (`safeproc ... | head`); nothing more to say.
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence against a traceback
        sys.stderr.write(
            f"safeproc: internal error ({type(exc).__name__}: {exc}).\n"
            "This is a bug in safeproc, not in your file; please report it with the command you ran.\n"
        )
        return 3


if __name__ == "__main__":
    sys.exit(main())
