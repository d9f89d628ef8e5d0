"""Diagnostics as a person reads them (rustc/Elm style), and as JSON and SARIF for machines."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from interpreter.codes import CODES
from interpreter.diagnostics import Diagnostic, Severity
from interpreter.source import SourceFile, Span
from repl.printable import json_text, printable, shown_name

TAB_WIDTH = 4

# Six fixed colours, written as escape codes rather than through prompt-toolkit's
# formatted text: importing prompt-toolkit costs `check` about 150 ms (measured with
# -X importtime), more than checking the Pan-Sussex chapter itself, and `check`
# must stay free of it. repl/printable.py lets exactly these codes through.
_COLOURS = {
    "error": "\x1b[1;31m",
    "warning": "\x1b[1;33m",
    "note": "\x1b[1;36m",
    "help": "\x1b[1;36m",
    "gutter": "\x1b[1;34m",
    "bold": "\x1b[1m",
    "reset": "\x1b[0m",
}


class Painter:
    def __init__(self, colour: bool):
        self.colour = colour

    def __call__(self, style: str, text: str) -> str:
        if not self.colour or not text:
            return text
        return f"{_COLOURS[style]}{text}{_COLOURS['reset']}"


def render_text(diagnostic: Diagnostic, sources: dict[str, SourceFile], colour: bool = False) -> str:
    paint = Painter(colour)
    severity = diagnostic.severity.value
    lines = [paint(severity, f"{severity}[{diagnostic.code}]") + paint("bold", f": {diagnostic.message}")]
    span = diagnostic.span
    source = sources.get(span.file) if span else None
    marks = []
    if span is not None:
        marks.append((span, "^", diagnostic.label, severity))
    for label in diagnostic.labels:
        if label.span is not None and label.span.file == (span.file if span else None):
            marks.append((label.span, "-", label.message, "gutter"))
    width = len(str(max((mark[0].line for mark in marks), default=1)))
    gutter = " " * width
    if span is not None:
        lines.append(f"{gutter}{paint('gutter', '-->')} {shown_name(span.file)}:{span.line}:{span.column}")
    elsewhere = []
    if source is not None and marks:
        lines.append(f"{gutter} {paint('gutter', '|')}")
        previous_line = None
        for line_number in sorted({mark[0].line for mark in marks}):
            if previous_line is not None and line_number > previous_line + 1:
                lines.append(paint("gutter", "..."))
            text = source.line_text(line_number)
            line_marks = sorted((mark for mark in marks if mark[0].line == line_number), key=lambda mark: mark[0].column)
            line_marks, faraway = _marks_near_each_other(line_marks, len(text))
            elsewhere.extend(faraway)
            character_spans = [
                (mark_span.column, mark_span.end_column if mark_span.end_line == mark_span.line else len(text) + 1)
                for mark_span, *_ in line_marks
            ]
            piece, cut, before, after = _window(text, character_spans)
            shown = before + _quoted(piece) + after
            lines.append(f"{paint('gutter', str(line_number).rjust(width) + ' |')} {shown}".rstrip())
            for (_span, symbol, message, style), (first, last) in zip(line_marks, character_spans):
                start = len(before) + _display_column(piece, max(first - cut, 1))
                end = max(len(before) + _display_column(piece, min(max(last - cut, 1), len(piece) + 1)), start + 1)
                underline = " " * start + symbol * (end - start)
                lines.append(f"{gutter} {paint('gutter', '|')} {paint(style, (underline + ' ' + message).rstrip())}")
            previous_line = line_number
    far_labels = [(mark[0], mark[2]) for mark in elsewhere]
    for label_span, message in far_labels:
        lines.append(f"{gutter} {paint('gutter', ':::')} {shown_name(label_span.file)}:{label_span.line}:{label_span.column}: {message}")
    # A label in another file (a national rule beside the local one) is quoted there, as rustc does.
    for label in diagnostic.labels:
        if label.span is None or (span is not None and label.span.file == span.file):
            continue
        lines.extend(_quoted_elsewhere(label.span, label.message, sources.get(label.span.file), width, paint))
    for note in diagnostic.notes:
        lines.append(_indented_continuation(f"{gutter} {paint('gutter', '=')} {paint('bold', 'note')}: ", note, width))
    if diagnostic.help:
        lines.append(_indented_continuation(f"{gutter} {paint('gutter', '=')} {paint('help', 'help')}: ", diagnostic.help, width))
    return "\n".join(lines)


def _quoted_elsewhere(label_span: Span, message: str, source: SourceFile | None, width: int, paint: Painter) -> list[str]:
    """A label in another file: where it is, and its line with the label under it when the file is at hand."""
    place = f"{shown_name(label_span.file)}:{label_span.line}:{label_span.column}"
    if source is None:
        return [f"{' ' * width} {paint('gutter', ':::')} {place}: {message}"]
    text = source.line_text(label_span.line)
    own = max(width, len(str(label_span.line)))
    last = label_span.end_column if label_span.end_line == label_span.line else len(text) + 1
    piece, cut, before, after = _window(text, [(label_span.column, last)])
    start = len(before) + _display_column(piece, max(label_span.column - cut, 1))
    end = max(len(before) + _display_column(piece, min(max(last - cut, 1), len(piece) + 1)), start + 1)
    gutter = " " * own
    return [
        f"{gutter} {paint('gutter', ':::')} {place}",
        f"{gutter} {paint('gutter', '|')}",
        f"{paint('gutter', str(label_span.line).rjust(own) + ' |')} {before + _quoted(piece) + after}".rstrip(),
        f"{gutter} {paint('gutter', '|')} {paint('gutter', (' ' * start + '-' * (end - start) + ' ' + message).rstrip())}",
    ]


# A quoted line longer than this is cut to a window round its marks, as rustc does:
# a whole 20 MB line quoted once per diagnostic would make the output quadratic.
QUOTED_LINE_WIDTH = 400
_CONTEXT = 40
# Marks this far either side of the main one still fit in one window with their context.
_NEAR = (QUOTED_LINE_WIDTH - 2 * _CONTEXT) // 2


def _marks_near_each_other(line_marks: list, line_length: int) -> tuple[list, list]:
    """On a long line, the marks close enough to the main one (or the first) to quote together, and the rest."""
    if line_length <= QUOTED_LINE_WIDTH or len(line_marks) < 2:
        return line_marks, []
    anchor = next((mark for mark in line_marks if mark[1] == "^"), line_marks[0])[0].column

    def near(mark) -> bool:
        mark_span = mark[0]
        end = mark_span.end_column if mark_span.end_line == mark_span.line else mark_span.column + 1
        return anchor - _NEAR <= mark_span.column and end <= anchor + _NEAR

    return [mark for mark in line_marks if near(mark)], [mark for mark in line_marks if not near(mark)]


def _window(text: str, spans: list[tuple[int, int]]) -> tuple[str, int, str, str]:
    """The part of a long line worth quoting round the marks (1-based character spans), how many
    characters were cut from its left, and the "..." to show on each side of it."""
    if len(text) <= QUOTED_LINE_WIDTH:
        return text, 0, "", ""
    first = min((start for start, _ in spans), default=1) - 1
    last = max((end for _, end in spans), default=1) - 1
    low = max(first - _CONTEXT, 0)
    high = min(max(last + _CONTEXT, low + QUOTED_LINE_WIDTH // 2), low + QUOTED_LINE_WIDTH, len(text))
    return text[low:high], low, "..." if low > 0 else "", "..." if high < len(text) else ""


def _quoted(text: str) -> str:
    """A source line as quoted: control and bidi characters as escapes, tabs expanded."""
    return printable(text).expandtabs(TAB_WIDTH)


def _indented_continuation(prefix: str, text: str, width: int) -> str:
    first, *rest = text.split("\n")
    pad = " " * (width + 3)
    return "\n".join([prefix + first] + [pad + line for line in rest])


def _display_column(text: str, column: int) -> int:
    """Where a 1-based character column lands once the line is quoted (escapes shown, tabs expanded)."""
    return len(_quoted(text[: max(column - 1, 0)])) + max(column - 1 - len(text), 0)


def print_diagnostics(console, diagnostics, sources, to_out: bool = False) -> None:
    """Diagnostics go to stderr, except where they are the command's report (`safeproc test`)."""
    write, colour = (console.print, console.colour_out) if to_out else (console.error, console.colour_err)
    for diagnostic in diagnostics:
        write(render_text(diagnostic, sources, colour))
        write("")


def summary_line(diagnostics, file_count: int, colour: bool = False, unreadable: int = 0) -> str:
    """One line after the diagnostics: what was checked, what was found, and what could not be read."""
    paint = Painter(colour)
    errors = sum(1 for d in diagnostics if d.severity is Severity.ERROR)
    warnings = sum(1 for d in diagnostics if d.severity is Severity.WARNING)
    checked = file_count
    files = f"{checked} file" + ("" if checked == 1 else "s")
    parts = []
    if errors:
        parts.append(paint("error", f"{errors} error" + ("" if errors == 1 else "s")))
    if warnings:
        parts.append(paint("warning", f"{warnings} warning" + ("" if warnings == 1 else "s")))
    found = " and ".join(parts) if parts else ("no problems found" if checked else "")
    not_read = paint("error", f"{unreadable} file" + (" was" if unreadable == 1 else "s were") + " not read") if unreadable else ""
    return f"checked {files}: " + "; ".join(part for part in (found, not_read) if part)


def to_json(diagnostics) -> str:
    return json_text([json_object(d) for d in diagnostics])


def json_object(diagnostic: Diagnostic) -> dict:
    span = diagnostic.span
    return {
        "code": diagnostic.code,
        "severity": diagnostic.severity.value,
        "message": diagnostic.message,
        "file": span.file if span else None,  # json_text writes an undecodable byte as the text \xff
        "line": span.line if span else None,
        "column": span.column if span else None,
        "end_line": span.end_line if span else None,
        "end_column": span.end_column if span else None,
        "help": diagnostic.help,
        "notes": list(diagnostic.notes),
    }


def to_sarif(diagnostics) -> str:
    """SARIF 2.1.0, the format CI systems read to annotate files in a review."""
    rules = [
        {
            "id": code,
            "name": entry.title,
            "shortDescription": {"text": entry.title},
            "fullDescription": {"text": entry.explanation},
            "help": {"text": f"safeproc explain {code}"},
        }
        for code, entry in sorted(CODES.items())
    ]
    rule_index = {rule["id"]: index for index, rule in enumerate(rules)}
    results = []
    for diagnostic in diagnostics:
        text = (
            diagnostic.message
            + "".join(f"\nnote: {note}" for note in diagnostic.notes)
            + (f"\nhelp: {diagnostic.help}" if diagnostic.help else "")
        )
        result = {
            "ruleId": diagnostic.code,
            "level": diagnostic.severity.value,
            "message": {"text": text},
        }
        if diagnostic.code in rule_index:
            result["ruleIndex"] = rule_index[diagnostic.code]
        if diagnostic.span is not None:
            span = diagnostic.span
            result["locations"] = [
                {
                    "physicalLocation": {
                        "artifactLocation": artifact_location(span.file),
                        "region": {
                            "startLine": span.line,
                            "startColumn": span.column,
                            "endLine": span.end_line,
                            "endColumn": span.end_column,
                        },
                    }
                }
            ]
        results.append(result)
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "safeproc", "version": version(), "rules": rules}},
                "originalUriBaseIds": {SOURCE_ROOT: {"uri": _folder_uri(Path.cwd())}},
                "results": results,
            }
        ],
    }
    return json_text(document)


# The base the relative URIs count from, in the name code-scanning services expect.
SOURCE_ROOT = "%SRCROOT%"


def artifact_location(name: str) -> dict[str, str]:
    """A file as SARIF names it: a percent-encoded URI relative to the working folder, or an absolute file: URI.

    Percent-encoding the file name's bytes keeps every name a valid URI, whatever
    it holds: spaces, quotes, `<`, newlines, escapes or bytes that are not UTF-8.
    """
    absolute = Path(os.path.abspath(name))
    try:
        relative = absolute.relative_to(Path.cwd())
    except ValueError:
        return {"uri": "file://" + quote(os.fsencode(absolute.as_posix()))}
    return {"uri": quote(os.fsencode(relative.as_posix())), "uriBaseId": SOURCE_ROOT}


def _folder_uri(folder: Path) -> str:
    return "file://" + quote(os.fsencode(folder.as_posix().rstrip("/") + "/"))


def version() -> str:
    from repl import version as written

    return written()
