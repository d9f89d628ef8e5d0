"""`safeproc format [FILES|DIRS] [--check] [--diff]`: every .proc and .case file in its one layout."""

from __future__ import annotations

import argparse
import difflib
from pathlib import Path

from repl.commands import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Command, Console, expand_paths, read_file
from repl.printable import shown_name

SUFFIXES = (".proc", ".case")


def _configure_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        default=["."],
        metavar="FILE",
        help="a .proc or .case file, or a folder: every such file under it (the current folder if none is named)",
    )
    what = parser.add_mutually_exclusive_group()
    what.add_argument(
        "--check",
        action="store_true",
        help="change nothing; list the files that would change and exit 1 if there are any (for CI and pre-commit)",
    )
    what.add_argument("--diff", action="store_true", help="change nothing; show what would change, as a diff, and exit 1 if anything would")


def _run_format(args: argparse.Namespace, console: Console) -> int:
    from interpreter.printer import format_source
    from interpreter.syntax import decode, kind_of_file
    from repl.diagnostic_output import print_diagnostics

    files, unreadable = expand_paths(args.paths, SUFFIXES, console)
    if not files and not unreadable:
        console.error("safeproc: no .proc or .case files found in " + ", ".join(f"`{shown_name(p)}`" for p in args.paths))
        return EXIT_USAGE
    changed = unchanged = refused = 0
    for path in files:
        data = read_file(path, console)
        if data is None:
            unreadable += 1
            continue
        source, problems = decode(data, str(path))
        formatted = format_source(source, kind_of_file(path.name)) if source is not None else None
        if source is None or formatted is None or formatted.text is None:
            diagnostics = problems if formatted is None else formatted.diagnostics
            print_diagnostics(console, diagnostics, {source.name: source} if source is not None else {})
            console.error(f"safeproc: `{shown_name(str(path))}` is left as it is: it must read without syntax errors to be formatted")
            refused += 1
            continue
        # The file's own line endings are kept: Windows', or old Macs' (which reading made line
        # breaks). The file is compared, and a diff made, with its text as it stands on disk.
        original, text = data.decode("utf-8-sig"), formatted.text
        if "\r\n" in source.text:
            text = text.replace("\n", "\r\n")
        elif b"\r" in data and b"\n" not in data:
            text = text.replace("\n", "\r")
        if text == original:
            unchanged += 1
            continue
        changed += 1
        if args.diff:
            _show_diff(console, str(path), original, text)
        elif args.check:
            console.error(f"would reformat {shown_name(str(path))}")
        else:
            problem = _write(path, text)
            if problem is not None:
                console.error(f"safeproc: cannot write `{shown_name(str(path))}`: {problem}")
                unreadable += 1
                changed -= 1
                continue
            console.error(f"reformatted {shown_name(str(path))}")
    console.error(_summary(changed, unchanged, refused, unreadable, args.check or args.diff))
    if unreadable:
        return EXIT_USAGE
    if refused or ((args.check or args.diff) and changed):
        return EXIT_PROBLEMS
    return EXIT_OK


def _write(path: Path, text: str) -> str | None:
    """Replace the file's text in one step, or say why not. Through a link, the file it
    names is replaced and the link kept; a read-only file is left alone, even for root."""
    import os
    import stat

    from repl.output_file import write_atomically

    target = path.resolve() if path.is_symlink() else path
    try:
        if not stat.S_IMODE(target.stat().st_mode) & 0o222 or not os.access(target, os.W_OK):
            return "it is read-only"
        write_atomically(target, text.encode("utf-8"))
    except OSError as exc:
        return (exc.strerror or str(exc)).lower()
    return None


def _lines(text: str) -> list[str]:
    """A text's lines as a diff counts them: split at line feeds alone, each keeping its end."""
    pieces = text.split("\n")
    lines = [piece + "\n" for piece in pieces[:-1]]
    return lines + [pieces[-1]] if pieces[-1] else lines


def _show_diff(console: Console, name: str, before: str, after: str) -> None:
    """A unified diff that `patch` applies: carriage returns kept, a missing last newline marked."""
    out: list[str] = []
    for line in difflib.unified_diff(_lines(before), _lines(after), f"{name}\t(now)", f"{name}\t(formatted)"):
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    diff = "".join(out)
    if console.out_is_terminal:
        for line in diff.splitlines():
            console.print(line)  # shown safely: no control character reaches the terminal
    else:
        console.write_bytes(diff.encode("utf-8"))


def _summary(changed: int, unchanged: int, refused: int, unreadable: int, dry_run: bool) -> str:
    def files(count: int) -> str:
        return f"{count} file{'' if count == 1 else 's'}"

    parts = []
    if changed:
        parts.append(f"{files(changed)} {'would be reformatted' if dry_run else 'reformatted'}")
    if unchanged:
        parts.append(f"{files(unchanged)} already formatted")
    if refused:
        parts.append(f"{files(refused)} with syntax errors left as they are")
    if unreadable:
        parts.append(f"{files(unreadable)} could not be read or written")
    return ", ".join(parts) if parts else "no files"


COMMAND = Command(
    "format",
    "lay out .proc and .case files in the one canonical way",
    "Rewrite .proc and .case files in one canonical layout: two spaces per level, one "
    "clause a line inside blocks, long lines folded where the language allows, comments "
    "kept where they were. Formatting never changes what a file means. With --check or "
    "--diff nothing is written. Exits 0 when all is well, 1 when a file would change "
    "(--check, --diff) or has syntax errors (it is then left as it is), 2 when a file "
    "cannot be read or written.",
    _configure_format,
    _run_format,
)
