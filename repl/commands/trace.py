"""`safeproc trace FILE --source TEXT`: which steps, decisions and roles cite each paragraph of the source."""

from __future__ import annotations

import argparse

from repl.commands import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Command, Console, analyse_files, files_to_read, read_file
from repl.diagnostic_output import print_diagnostics


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="FILE",
        help="a .proc file, or a folder: every .proc file under it is traced, and together they cover the source",
    )
    parser.add_argument(
        "--source",
        required=True,
        metavar="TEXT",
        help="the source procedure as plain text, its paragraphs numbered on lines of their own (1.1.15)",
    )


def _run(args: argparse.Namespace, console: Console) -> int:
    from pathlib import Path

    from interpreter.diagnostics import Diagnostic, has_errors
    from interpreter.syntax import decode
    from interpreter.trace import trace

    found = files_to_read(args.paths, ".proc", console)
    if found is None:
        return EXIT_USAGE
    files, unreadable = found
    text_path = Path(args.source)
    data = read_file(text_path, console)
    diagnostics: list[Diagnostic] = []
    text = None
    if data is not None:
        text, problems = decode(data, str(text_path))
        diagnostics.extend(problems)
    documents = []
    analyses, sources, more_unreadable = analyse_files(files, console)
    unreadable += more_unreadable
    for analysis in analyses:
        # Trace is about citations: the procedure's own warnings are `safeproc check`'s to show.
        diagnostics.extend(d for d in analysis.diagnostics if d.is_error)
        if analysis.procedure is not None and analysis.source is not None:
            documents.append((analysis.procedure, analysis.source))
    if text is None or unreadable:
        print_diagnostics(console, diagnostics, sources)
        return EXIT_USAGE
    sources[text.name] = text
    result = trace(documents, text)
    diagnostics.extend(result.diagnostics)
    notes = _reading_notes(files, result, sources, diagnostics, console)
    print_diagnostics(console, diagnostics, sources)
    _listing(result, [p for p, _ in documents], notes, console)
    if result.ok and not has_errors(diagnostics):
        return EXIT_OK
    return EXIT_PROBLEMS


def _reading_notes(files, result, sources, diagnostics, console: Console) -> dict[str, list]:
    """The reading notes kept beside the traced files (READING.md), by paragraph."""
    from interpreter.reading_notes import READING_FILE_NAME, reading_notes, unknown_paragraphs
    from interpreter.syntax import decode

    by_paragraph: dict[str, list] = {}
    known = {p.number for p in result.paragraphs}
    for folder in dict.fromkeys(path.parent for path in files):
        path = folder / READING_FILE_NAME
        if not path.is_file():
            continue
        data = read_file(path, console)
        if data is None:
            continue
        text, problems = decode(data, str(path))
        diagnostics.extend(problems)
        if text is None:
            continue
        sources[text.name] = text
        notes, found = reading_notes(text)
        diagnostics.extend(found)
        diagnostics.extend(unknown_paragraphs(notes, known, result.source.name))
        for note in notes:
            for paragraph in note.paragraphs:
                by_paragraph.setdefault(paragraph, []).append(note)
    return by_paragraph


def _listing(result, procedures, notes, console: Console) -> None:
    names = ", ".join(p.file for p in procedures) or "nothing"
    console.print(f"{names} traced against {result.source.name}")
    console.print("")
    if not result.paragraphs:
        console.print("The source text has no numbered paragraphs.")
        return
    several = len({p.file for p in procedures}) > 1
    width = max(len(p.number) for p in result.paragraphs) + 2
    indent = " " * width
    for paragraph in result.paragraphs:
        lines = []
        for reason in paragraph.background:
            lines.append(f"background: {reason}")
        for use in paragraph.uses:
            where = f" ({use.file})" if several else ""
            title = f": {use.title}" if use.title else ""
            lines.append(f"{use.kind} {use.name}{where}{title}")
            lines.extend(f"  {detail}" for detail in use.details)
        for note in notes.get(paragraph.number, ()):
            lines.append(f"reading note: {note.span.file}:{note.span.line} {note.title}")
        if not lines:
            lines.append("NOT COVERED: neither cited nor marked background")
        console.print(paragraph.number.ljust(width) + lines[0])
        for line in lines[1:]:
            console.print(indent + line)
    console.print("")
    console.print(
        f"coverage: {result.covered} of {result.total} paragraphs cited or marked background ({result.percent}%): "
        f"{result.cited} cited, {result.background_only} background only, {result.total - result.covered} not covered"
    )


COMMAND = Command(
    "trace",
    "show which steps cite each paragraph of the source",
    "List every numbered paragraph of the source text (a line that is just its number, such as "
    "1.1.15) with the steps, decisions, deadlines, roles, facts, events and outcomes that cite it, "
    "or the reason it is marked background, and the reading notes about it (the `###` headings of a "
    "READING.md beside the .proc file), and end with the coverage. Exits 0 when every paragraph "
    "is covered and every citation names a paragraph of the source, 1 otherwise, 2 when a file "
    "cannot be read.",
    _configure,
    _run,
)
