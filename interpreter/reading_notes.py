"""Reading notes: a procedure's record of how it reads its source, paragraph by paragraph.

A folder that holds a `.proc` file may hold a `READING.md` beside it: one note per
interpretation or ambiguity, each a `###` heading that starts with the paragraphs it
is about (`### 1.1.21, 1.1.63: the CRG's decision and the Panel's`). `trace` lists
each note under its paragraphs, so that a reader of the trace finds the reasoning
behind a citation. Nothing here prints or reads files: the caller passes the text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import deque
from collections.abc import Iterator
from itertools import accumulate

from attrs import frozen

from interpreter.diagnostics import Diagnostic, warning
from interpreter.source import SourceFile, Span
from interpreter.trace import PARAGRAPH_NUMBER

READING_FILE_NAME = "READING.md"

_NOTE_HEADING = re.compile(r"^###[ \t]+(?P<title>.+?)[ \t]*#*[ \t]*$")
_PARAGRAPH_LIST = re.compile(rf"^(?P<numbers>{PARAGRAPH_NUMBER.pattern}(?:[ \t]*,[ \t]*{PARAGRAPH_NUMBER.pattern})*)[ \t]*:")


@frozen
class ReadingNote:
    paragraphs: tuple[str, ...]
    title: str  # the heading, paragraph numbers included
    span: Span  # the heading's line


def reading_notes(text: SourceFile) -> tuple[tuple[ReadingNote, ...], tuple[Diagnostic, ...]]:
    """The notes of a READING.md, and a warning for each `###` heading that names no paragraph."""
    notes = []
    diagnostics = []
    in_code = False
    for number, line in enumerate(text.text.splitlines(), start=1):
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        heading = None if in_code else _NOTE_HEADING.match(line)
        if heading is None:
            continue
        title = heading.group("title")
        span = Span(text.name, number, 1, number, len(line) + 1)
        listed = _PARAGRAPH_LIST.match(title)
        if listed is None:
            diagnostics.append(
                warning(
                    "P506",
                    "this reading note does not say which paragraphs it is about",
                    span,
                    label="a note's heading starts with its paragraphs",
                    help='begin the heading with the paragraph numbers and a colon: `### 1.1.15: "within 5 days"`',
                )
            )
            continue
        paragraphs = tuple(p.strip() for p in listed.group("numbers").split(","))
        notes.append(ReadingNote(paragraphs, title, span))
    return tuple(notes), tuple(diagnostics)


def unknown_paragraphs(notes: tuple[ReadingNote, ...], known: set[str], source_name: str) -> tuple[Diagnostic, ...]:
    """A warning for each note about a paragraph the source text does not number."""
    return tuple(
        warning(
            "P507",
            f"this reading note is about paragraph {paragraph}, which is not in the source text",
            note.span,
            label=f"no paragraph {paragraph} in {source_name}",
            help="check the number, or that you traced against the right text",
        )
        for note in notes
        for paragraph in note.paragraphs
        if paragraph not in known
    )


_BACKTICKS = re.compile(r"`+")
# A fenced block as Markdown has it: three or more backticks or tildes, indented at most three spaces.
_FENCE_OPENING = re.compile(r"^ {0,3}(?P<marks>`{3,}|~{3,})(?P<info>.*)$")
_FENCE_CLOSING = re.compile(r"^ {0,3}(?P<marks>`{3,}|~{3,})[ \t]*$")
_OUR_CODE = frozenset({"", "proc", "case", "safeproc"})
_TITLE_OR_COMMENT = re.compile(r'"(?:[^"\\\n]|\\.)*"?|#.*')
# How Markdown's blocks begin and end, as far as pairing backticks needs: a paragraph's lines
# are read together; a heading is a block of one line; a rule (or a heading's underline) ends
# a paragraph; a quote's markers are not its text; a list item begins a block of its own;
# four spaces in, outside a paragraph, begin code of no language.
_HEADING = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)")
_RULE_OR_UNDERLINE = re.compile(r" {0,3}(?:=+|-+|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}|(?:-[ \t]*){3,})[ \t]*$")
_QUOTE_MARKERS = re.compile(r"(?: {0,3}> ?)+")
_LIST_ITEM = re.compile(r" {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)")
_LIST_ITEM_AFTER_PROSE = re.compile(r" {0,3}(?:[-+*]|1[.)])[ \t]+\S")  # one that may interrupt a paragraph
_INDENTED_CODE = re.compile(r"(?: {4}|[ ]{0,3}\t)")


def _inline_code(line: str) -> list[tuple[int, str]]:
    """The inline code spans of a line as Markdown pairs them, each as (where its code starts, its code):
    a run of backticks is closed by the next run of the same length, so that ``a `quoted` name``
    is one span, and a run with none after it is only backticks. A backslash before a run
    makes its first backtick a plain one (outside code; inside, a backslash is itself); one
    space just inside each end of a span is not its code.

    Each run is looked at once (a pattern that searched ahead for the closing run took cubic
    time on a line of ever longer runs).
    """
    runs = [(found.start(), found.end()) for found in _BACKTICKS.finditer(line)]
    later: dict[int, deque[int]] = {}  # for each length, the runs of that length in order
    for place, (start, end) in enumerate(runs):
        later.setdefault(end - start, deque()).append(place)
    spans = []
    place = 0
    while place < len(runs):
        start, end = runs[place]
        backslashes = 0
        while start - backslashes > 0 and line[start - backslashes - 1] == "\\":
            backslashes += 1
        if backslashes % 2:
            start += 1  # escaped: the run opens, if at all, from its second backtick
        same = later.get(end - start)
        while same and same[0] <= place:
            same.popleft()
        if not same:
            place += 1
            continue
        closing = same.popleft()
        code_start, code_end = end, runs[closing][0]
        if code_end - code_start > 2 and line[code_start] == line[code_end - 1] == " " and line[code_start:code_end].strip(" "):
            code_start, code_end = code_start + 1, code_end - 1
        spans.append((code_start, line[code_start:code_end]))
        place = closing + 1
    return spans


def _outside_titles_and_comments(line: str) -> list[tuple[int, str]]:
    """The pieces of a line of code, with where each starts, that are not in a title or a comment (which are prose)."""
    pieces, start = [], 0
    for prose in _TITLE_OR_COMMENT.finditer(line):
        pieces.append((start, line[start : prose.start()]))
        start = prose.end()
    pieces.append((start, line[start:]))
    return pieces


def mentions_in_code(notes: SourceFile, name: str, also_a_keyword: bool = False) -> tuple[Span, ...]:
    """Where a name is written, as a whole word, in the notes' code: `inline` spans and fenced
    blocks of the language (untagged, or tagged `proc`, `case` or `safeproc`).

    Prose is left alone: there a step's name may be an ordinary word ("notify the Panel");
    so are titles and comments in code, and file names (`review.case`). A name that is also
    a word of the language (`notify`) is taken only where an inline span holds it alone: in
    longer code it may be the keyword.
    """
    word = re.compile(rf"(?<![\w./-]){re.escape(name)}(?![\w/]|[.-]\w)")
    spans = []
    for number, start, piece in _code_pieces(notes.text, name if also_a_keyword else None):
        for found in word.finditer(piece):
            column = start + found.start() + 1
            spans.append(Span(notes.name, number, column, number, column + len(name)))
    return tuple(spans)


def _code_pieces(text: str, alone: str | None) -> Iterator[tuple[int, int, str]]:
    """The notes' code in pieces, each on one line: (its line, where on it the piece starts, the piece),
    titles and comments left out; where alone is given, only inline spans that hold just that."""
    paragraph: list[tuple[int, str, int]] = []  # the prose since the last block began: (line, its text, where the text starts)
    quoted = listed = False  # whether the paragraph is a quote's, or a list item's
    fence: tuple[str, int, bool] | None = None  # the open fence's character and length, and whether its code is ours
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")  # a Windows line end
        if fence is not None:
            closing = _FENCE_CLOSING.match(line)
            if closing is not None and closing.group("marks")[0] == fence[0] and len(closing.group("marks")) >= fence[1]:
                fence = None
            elif fence[2] and alone is None:
                for offset, piece in _outside_titles_and_comments(line):
                    yield number, offset, piece
            continue
        opening = _FENCE_OPENING.match(line)
        if opening is not None and not (opening.group("marks")[0] == "`" and "`" in opening.group("info")):
            yield from _inline_pieces(paragraph, alone)
            paragraph = []
            marks, info = opening.group("marks"), opening.group("info").strip().lower()
            fence = (marks[0], len(marks), info in _OUR_CODE)
            continue
        if not line.strip() or _RULE_OR_UNDERLINE.match(line) or (not paragraph and _INDENTED_CODE.match(line)):
            yield from _inline_pieces(paragraph, alone)
            paragraph = []
            continue
        quote = _QUOTE_MARKERS.match(line)
        indent = quote.end() if quote else 0
        # A quote begins a block after a paragraph that is not one; a line without its marker goes on with the quote's.
        # Any list item begins one after another item; after other prose, only one with words, or numbered 1.
        item = _LIST_ITEM.match(line, indent) is not None
        if (
            _HEADING.match(line, indent)
            or (item and (listed or _LIST_ITEM_AFTER_PROSE.match(line, indent)))
            or (quote and paragraph and not quoted)
        ):
            yield from _inline_pieces(paragraph, alone)
            paragraph = []
        if not paragraph:
            quoted, listed = quote is not None, item
        paragraph.append((number, line[indent:], indent))
        if _HEADING.match(line, indent):
            yield from _inline_pieces(paragraph, alone)
            paragraph = []
    yield from _inline_pieces(paragraph, alone)


def _inline_pieces(paragraph: list[tuple[int, str, int]], alone: str | None) -> Iterator[tuple[int, int, str]]:
    """The code of a paragraph's inline spans, as _code_pieces gives it: a span may go on from one of
    the paragraph's lines to the next, so backticks are paired over the whole paragraph."""
    text = "\n".join(line for _, line, _ in paragraph)
    starts = list(accumulate((len(line) + 1 for _, line, _ in paragraph[:-1]), initial=0))
    for start, code in _inline_code(text):
        if alone is not None:
            pieces = [(0, code)] if code == alone else []
        else:
            pieces = _outside_titles_and_comments(code)
        for offset, piece in pieces:
            at = start + offset
            for part in piece.split("\n"):
                line = bisect_right(starts, at) - 1
                number, _, indent = paragraph[line]
                yield number, indent + at - starts[line], part
                at += len(part) + 1
