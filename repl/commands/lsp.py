"""`safeproc lsp`: the language server for editors, on standard input and output."""

from __future__ import annotations

import argparse
from pathlib import Path

from repl.commands import EXIT_OK, EXIT_USAGE, Command, Console


def _configure_lsp(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source",
        metavar="FILE",
        type=Path,
        help="a plain-text copy of the procedure's source document (the file `safeproc trace --source` reads): "
        "hovers then quote the paragraphs a step cites",
    )
    parser.add_argument("--stdio", action="store_true", help="talk over standard input and output (the only way; editors often pass it)")


def _run_lsp(args: argparse.Namespace, console: Console) -> int:
    from repl.language_server import load_source_text, serve, server

    if args.source is not None:
        problem = load_source_text(server, args.source)
        if problem:
            console.error(problem)
            return EXIT_USAGE
    serve()
    return EXIT_OK


COMMAND = Command(
    "lsp",
    "the language server for editors (VS Code, Neovim, Emacs...)",
    "Run the safeproc language server over standard input and output, as editors "
    "start it: diagnostics as you type (the same as `safeproc check`), hover, go to "
    "definition, find references, rename across a procedure and its scenarios, "
    "completion, an outline, formatting and quick fixes. It is not meant to be typed "
    "at: see editors/vscode/README.md for setting up an editor.",
    _configure_lsp,
    _run_lsp,
)
