"""From a file's bytes to Lark parse trees, with syntax errors as diagnostics.

A file is first parsed whole. Only when that fails is it cut into top-level
declarations (each begins on a line whose first word is `step`, `role`, ... ) and
each piece parsed on its own, so that one mistake does not hide the next and the
declarations around it still reach the later checks. A file being edited (in the
language server) is always parsed piece by piece, with a PieceCache, so that only
the declarations whose text changed are parsed again.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from functools import lru_cache
from typing import Any

from attrs import frozen
from lark import Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lexer import PatternStr

from grammar import get_parser
from interpreter.diagnostics import Diagnostic, error
from interpreter.source import MAX_DECLARATIONS, MAX_SOURCE_BYTES, MAX_TITLE_CHARACTERS, SourceFile, Span, with_line_breaks

# The words that begin a declaration, in each kind of file. A line that starts with one
# begins a new declaration, so a mistake in one is reported alone. A case header
# holds a `procedure` line, so the two kinds of file keep separate lists.
PROCEDURE_KEYWORDS = (
    "procedure",
    "role",
    "external",
    "group",
    "fact",
    "event",
    "start",
    "step",
    "decision",
    "parallel",
    "join",
    "outcome",
    "background",
)
CASE_KEYWORDS = ("case", "facts", "on", "expect")
TOP_LEVEL_KEYWORDS = PROCEDURE_KEYWORDS + CASE_KEYWORDS
# What a whole file can be: a procedure (or national specification), or a case scenario.
FILE_STARTS = ("procedure_file", "case_file")
BLOCK_KEYWORDS = ("procedure", "step", "decision", "parallel", "join", "case", "facts")
_DECLARATION_LINE = {
    "procedure_file": re.compile(r"[ \t\f\v]*(" + "|".join(PROCEDURE_KEYWORDS) + r")\b"),
    "case_file": re.compile(r"[ \t\f\v]*(" + "|".join(CASE_KEYWORDS) + r")\b"),
}
_DECLARED_NAME = re.compile(r"\s*(?:external\s+)?(?:role|group|fact|event|step|decision|parallel|join|outcome)\s+([A-Za-z_]\w*)")

# The two things every scan of the text outside the parser must step over, so that a `#`
# or a keyword inside a title, or a quote inside a comment, is not taken for what it is not.
# A title is complete, or runs unclosed to the end of its line, as the lexer reads it.
# (The unrolled loop, not one alternation per character: a 20 MB title must not need a
# regex frame per character.)
TITLE_PATTERN = r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"?'
COMMENT_PATTERN = r"#[^\n]*"
TITLE_OR_COMMENT = TITLE_PATTERN + "|" + COMMENT_PATTERN

# Parse trees deeper than this are refused before any recursive pass walks them:
# no procedure needs conditions nested fifty deep, and Python's stack is finite.
MAX_NESTING = 50

# What each named terminal is, in the words a policy author uses.
TERMINAL_WORDS = {
    "NAME": "a name",
    "STRING": "a title in double quotes",
    "NUMBER": "a whole number",
    "DATE": "a date such as 2024-03-31",
    "PARAGRAPH": "a paragraph number such as 1.1.15",
    "UNIT": "a unit (working days, days, weeks, months, years or hours)",
    "DUTY": "`must`/`should`/`may`",
    "LATENESS": "`late`/`overdue`",
    "JOIN_MODE": "`all`/`any`",
    "COMPARATOR": "a comparison (<, <=, >, >= or =)",
    "CALENDAR_NAME": "a calendar name such as england-and-wales",
    "EXTERNAL": "`external`",
    "$END": "the end of the file",
}


@frozen
class ParsedChunk:
    """A parse tree and the number of lines before the text it was parsed from."""

    tree: Tree
    line_offset: int


@frozen
class BrokenDeclaration:
    """A declaration that did not parse: what it declares, where it stands, and the names
    written in it, so that the checks around it can allow for what it may say."""

    keyword: str
    name: str | None
    first_line: int
    last_line: int
    mentions: frozenset[str]


@frozen
class ParseResult:
    source: SourceFile | None
    chunks: tuple[ParsedChunk, ...]
    diagnostics: tuple[Diagnostic, ...]
    # Names whose declarations had syntax errors: they exist, so uses of them
    # are not reported as unknown on top of the syntax error.
    unparsed_names: frozenset[str] = frozenset()
    broken: tuple[BrokenDeclaration, ...] = ()


def decode(data: bytes, name: str) -> tuple[SourceFile | None, tuple[Diagnostic, ...]]:
    """Decode a file's bytes as UTF-8 text, or say plainly why it is not text."""
    if len(data) > MAX_SOURCE_BYTES:
        return None, (
            error(
                "P005",
                f"this file is larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MB, more than safeproc reads",
                Span.point(name, 1, 1),
                help="a procedure or case is a few hundred kilobytes at most; check that this is the file you meant",
            ),
        )
    if b"\x00" in data[:8192] or _looks_binary(data[:8192]):
        return None, (
            error(
                "P002",
                "this file is not text: it looks like a binary file",
                Span.point(name, 1, 1),
                help="safeproc reads procedures written as plain text (UTF-8); check the file name",
            ),
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Lines counted as everywhere else: a lone carriage return ends one too (see with_line_breaks).
        before = data[: exc.start]
        line = before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1
        column = exc.start - (max(before.rfind(b"\n"), before.rfind(b"\r")) + 1) + 1
        return None, (
            error(
                "P001",
                f"this file is not valid UTF-8 text (byte 0x{data[exc.start]:02x} at line {line})",
                Span.point(name, line, column),
                help='save the file as UTF-8 in your editor ("Save with encoding" → UTF-8)',
            ),
        )
    return SourceFile(name, with_line_breaks(text)), ()


# Every byte but the control characters that never appear in text.
_NOT_CONTROL = bytes(b for b in range(256) if b >= 32 or b in (9, 10, 12, 13))


def _looks_binary(head: bytes) -> bool:
    if not head:
        return False
    controls = len(head.translate(None, _NOT_CONTROL))
    return controls / len(head) > 0.1


# Titles (to be measured) and declaration keywords (to be counted), outside comments;
# a title is a complete string, or an unclosed one running to the end of its line.
# (The string pattern is the unrolled loop: one alternation per character would make
# the regex engine keep a frame per character of a 20 MB title.)
_TITLE_OR_DECLARATION = re.compile(TITLE_OR_COMMENT + r"|\b(?:" + "|".join(TOP_LEVEL_KEYWORDS) + r")\b")


_TITLE_COMMENT_OR_BRACKET = re.compile(TITLE_OR_COMMENT + r"|[()]")


def _too_many_brackets(source: SourceFile) -> Diagnostic | None:
    """Brackets nested deeper than MAX_NESTING, even redundant ones, which the parse tree would not show."""
    if source.text.count("(") <= MAX_NESTING:
        return None
    depth = 0
    for match in _TITLE_COMMENT_OR_BRACKET.finditer(source.text):
        token = match.group()
        if token == "(":
            depth += 1
            if depth > MAX_NESTING:
                line, column = source.position(match.start())
                return error(
                    "P015",
                    f"this is nested more than {MAX_NESTING} levels deep",
                    Span(source.name, line, column, line, column + 1),
                    help="split the condition into simpler parts; brackets rarely need to go more than three deep",
                )
        elif token == ")":
            depth = max(0, depth - 1)
    return None


def _beyond_limits(source: SourceFile) -> Diagnostic | None:
    """The first place where the text passes a limit no real file comes near, in one linear scan."""
    declarations = 0
    for match in _TITLE_OR_DECLARATION.finditer(source.text):
        token = match.group()
        if token.startswith('"'):
            length = len(token) - (2 if len(token) > 1 and token.endswith('"') else 1)
            if length > MAX_TITLE_CHARACTERS:
                line, column = source.position(match.start())
                return error(
                    "P005",
                    f"this title is {length:,} characters long; safeproc reads titles of up to {MAX_TITLE_CHARACTERS:,}",
                    Span.point(source.name, line, column),
                    help="a title names a step in a line or two; put longer text in the procedure's source document and cite it",
                )
        elif not token.startswith("#"):
            declarations += 1
            if declarations > MAX_DECLARATIONS:
                line, column = source.position(match.start())
                return error(
                    "P005",
                    f"this file has more than {MAX_DECLARATIONS:,} declarations, more than safeproc reads",
                    Span.point(source.name, line, column, len(token)),
                    help="the largest real procedures have a few hundred; check that this is the file you meant",
                )
    return None


_EMPTY_HELP = {
    "procedure_file": 'a procedure starts with `procedure "Its title"`; see `safeproc explain P003`',
    "case_file": 'a case starts with `case "What happens in it"`; see `safeproc explain P402`',
    "date_expression": 'write a length of time and a date, for example "15 working days after 2022-09-12"',
}
# The keyword a file of each kind starts with, to tell a case given as a procedure (or the reverse).
_FIRST_KEYWORD = {"procedure_file": "case", "case_file": "procedure"}
_FIRST_WORD = re.compile(r"(?:[ \t\r\f\v]*(?:#[^\n]*)?\n)*[ \t\f\v]*([A-Za-z_]\w*)")


class PieceCache:
    """The parse trees of a file's declarations, by their text, kept from one parse of a
    file being edited to the next: after a keystroke only the declaration typed in is
    parsed again (the language server keeps one per open file)."""

    def __init__(self) -> None:
        self._trees: dict[str, Tree] = {}
        self._used: dict[str, Tree] = {}
        # What the model builder made of each tree, by the tree's id, with the line offset
        # it was built at (see build_procedure); the tree is kept with it, so that its id
        # cannot be taken by another. One entry a tree: a moved declaration is built anew.
        self.built: dict[int, tuple[Tree, int, Any]] = {}

    def get(self, text: str) -> Tree | None:
        tree = self._trees.get(text)
        if tree is not None:
            self._used[text] = tree
        return tree

    def put(self, text: str, tree: Tree) -> None:
        self._used[text] = tree

    def finish(self) -> None:
        """Forget the declarations this parse did not use, so that the cache never outgrows the file."""
        self._trees, self._used = self._used, {}
        alive = {id(tree) for tree in self._trees.values()}
        self.built = {key: value for key, value in self.built.items() if key in alive}


def kind_of_file(name: str) -> str:
    """The grammar's start symbol for a file, by its name: `.case` files are cases, the rest procedures."""
    return "case_file" if name.endswith(".case") else "procedure_file"


def parse_source(source: SourceFile, start: str = "procedure_file", pieces: PieceCache | None = None) -> ParseResult:
    refused = _refused(source, start)
    if refused is not None:
        return refused
    if pieces is not None and start in FILE_STARTS:
        parsed = _parse_by_declaration(source, start, pieces)
        pieces.finish()
        return parsed
    parser = get_parser()
    try:
        tree = parser.parse(source.text, start=start)
    except UnexpectedInput:
        if start not in FILE_STARTS:
            return _parse_piece(source, source.text, 0, start)
        return _parse_by_declaration(source, start)
    depth_diagnostics = _too_deep(tree, source.name, 0)
    if depth_diagnostics:
        return ParseResult(source, (), depth_diagnostics)
    return ParseResult(source, (ParsedChunk(tree, 0),), ())


def _refused(source: SourceFile, start: str) -> ParseResult | None:
    """Why the file is not parsed at all (empty, the wrong kind, beyond the limits), or None."""
    if not source.text.strip():
        what = "this expression is empty" if start == "date_expression" else "this file is empty"
        return ParseResult(source, (), (error("P003", what, Span.point(source.name, 1, 1), help=_EMPTY_HELP[start]),))
    wrong_kind = _wrong_kind_of_file(source, start)
    if wrong_kind is not None:
        return ParseResult(source, (), (wrong_kind,))
    too_big = _beyond_limits(source) or _too_many_brackets(source)
    if too_big is not None:
        return ParseResult(source, (), (too_big,))
    return None


class DeclarationStream:
    """A procedure file parsed one declaration at a time, each tree handed on as it is made.

    For files too large to hold one parse tree of: the caller builds each declaration
    and lets its tree go before the next is parsed (at ten thousand steps the whole
    file's tree was 80 MB, more than the model made of it). The trees, diagnostics
    and broken declarations are those `parse_source` gives, which reads a file that
    does not parse this same way; `outcome()` gives the rest once the stream is read.
    """

    def __init__(self, source: SourceFile, start: str = "procedure_file"):
        self.source = source
        self.start = start
        self.refused = _refused(source, start)
        self.chunks_made = 0
        self._diagnostics: list[Diagnostic] = []
        self._unparsed_names: set[str] = set()
        self._broken: list[BrokenDeclaration] = []

    def __iter__(self) -> Iterator[ParsedChunk]:
        if self.refused is not None:
            return
        for chunk in _declarations(self.source, self.start, None, self._diagnostics, self._unparsed_names, self._broken):
            self.chunks_made += 1
            yield chunk

    def outcome(self) -> ParseResult:
        """What the parse found besides the trees: its diagnostics, and the declarations that did not parse."""
        if self.refused is not None:
            return self.refused
        return ParseResult(self.source, (), tuple(self._diagnostics), frozenset(self._unparsed_names), tuple(self._broken))


def _wrong_kind_of_file(source: SourceFile, start: str) -> Diagnostic | None:
    """A case scenario given where a procedure belongs, or the reverse: one plain error, not a page of them."""
    other = _FIRST_KEYWORD.get(start)
    if other is None:
        return None
    # Only the file's first word matters: look at it without splitting the whole file.
    first = _FIRST_WORD.match(source.text)
    if first is None or first.group(1) != other:
        return None
    number = source.text.count("\n", 0, first.start(1)) + 1
    column = first.start(1) - (source.text.rfind("\n", 0, first.start(1)) + 1) + 1
    if start == "procedure_file":
        message, wanted = "this is a case scenario, not a procedure", "a .proc file"
    else:
        message, wanted = "this is a procedure, not a case scenario", "a .case file"
    return error(
        "P407",
        message,
        Span.point(source.name, number, column, len(other)),
        label=f"`{other}` begins a {other}",
        help=f"this command wants {wanted} here; check the order of the files (`safeproc simulate PROC CASE`)",
    )


def _parse_by_declaration(source: SourceFile, start: str, pieces: PieceCache | None = None) -> ParseResult:
    diagnostics: list[Diagnostic] = []
    unparsed_names: set[str] = set()
    broken: list[BrokenDeclaration] = []
    chunks = tuple(_declarations(source, start, pieces, diagnostics, unparsed_names, broken))
    return ParseResult(source, chunks, tuple(diagnostics), frozenset(unparsed_names), tuple(broken))


def _declarations(
    source: SourceFile,
    start: str,
    pieces: PieceCache | None,
    diagnostics: list[Diagnostic],
    unparsed_names: set[str],
    broken: list[BrokenDeclaration],
) -> Iterator[ParsedChunk]:
    """Each declaration's parse tree, parsed as it is asked for; what did not parse goes to the lists given."""
    lines = source.text.split("\n")
    begins = _DECLARATION_LINE[start]
    starts = [i for i, line in enumerate(lines) if begins.match(line)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    starts.append(len(lines))
    for begin, end in zip(starts, starts[1:]):
        text = "\n".join(lines[begin:end])
        if not text.strip():
            continue
        known = pieces.get(text) if pieces is not None else None
        if known is not None:
            yield ParsedChunk(known, begin)
            continue
        piece = _parse_piece(source, text, begin, start, next_line=end + 1 if end < len(lines) else None)
        if pieces is not None and piece.chunks and not piece.diagnostics:
            pieces.put(text, piece.chunks[0].tree)
        yield from piece.chunks
        diagnostics.extend(piece.diagnostics)
        if piece.diagnostics:
            declared = _DECLARED_NAME.match(lines[begin])
            if declared:
                unparsed_names.add(declared.group(1))
            keyword = _FIRST_WORD.match(text)
            broken.append(
                BrokenDeclaration(
                    keyword=keyword.group(1) if keyword else "",
                    name=declared.group(1) if declared else None,
                    first_line=begin + 1,
                    last_line=end,
                    mentions=frozenset(_names_written(text)) - {declared.group(1) if declared else ""},
                )
            )


_WORD_OUTSIDE_TITLES = re.compile(TITLE_OR_COMMENT + r"|([A-Za-z_]\w*)")


def _names_written(text: str) -> set[str]:
    """The words of a piece of text that could be names: not in titles or comments, not keywords."""
    return {match.group(1) for match in _WORD_OUTSIDE_TITLES.finditer(text) if match.group(1) and match.group(1) not in RESERVED_WORDS}


def _parse_piece(source: SourceFile, text: str, line_offset: int, start: str, next_line: int | None = None) -> ParseResult:
    try:
        tree = get_parser().parse(text, start=start)
    except UnexpectedInput as exc:
        diagnostic = syntax_diagnostic(exc, source, text, line_offset, start, next_line)
        return ParseResult(source, (), (diagnostic,))
    depth_diagnostics = _too_deep(tree, source.name, line_offset)
    if depth_diagnostics:
        return ParseResult(source, (), depth_diagnostics)
    return ParseResult(source, (ParsedChunk(tree, line_offset),), ())


def _too_deep(tree: Tree, file: str, line_offset: int) -> tuple[Diagnostic, ...]:
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            meta = node.meta
            return (
                error(
                    "P015",
                    f"this is nested more than {MAX_NESTING} levels deep",
                    Span(file, meta.line + line_offset, meta.column, meta.line + line_offset, meta.column + 1),
                    help="split the condition into simpler parts; brackets rarely need to go more than three deep",
                ),
            )
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))
    return ()


# ---- turning Lark's exceptions into diagnostics ------------------------------


def syntax_diagnostic(
    exc: UnexpectedInput, source: SourceFile, text: str, line_offset: int, start: str, next_line: int | None
) -> Diagnostic:
    file = source.name
    if isinstance(exc, UnexpectedCharacters):
        line = exc.line + line_offset
        position = exc.pos_in_stream
        char = text[position] if position is not None and position < len(text) else ""
        span = Span.point(file, line, exc.column)
        if char == '"':
            return error(
                "P013",
                "this title is missing its closing quote",
                span,
                label="the title starts here",
                help='a title is written on one line between double quotes: "Like this"',
            )
        return error(
            "P014",
            f"`{_printable(char)}` cannot be used here",
            span,
            label=_expected_label(exc.allowed),
            help=_help_for_character(char, start),
        )

    token = getattr(exc, "token", None)
    is_eof = isinstance(exc, UnexpectedEOF) or (token is not None and token.type == "$END")
    first_word = text.split(None, 1)[0] if text.split() else ""
    # The parser's own `accepts` when Lark gives it: `expected` also lists NAME, which the lexer always allows.
    expected = set(getattr(exc, "accepts", ()) or getattr(exc, "expected", ()) or ())

    if is_eof and start in FILE_STARTS and first_word in BLOCK_KEYWORDS and "END" in expected:
        header_line = _first_code_line(text) + line_offset
        header = source.line_text(header_line).strip()
        where = f"before line {next_line}, where the next declaration starts" if next_line else "at the end of the file"
        return error(
            "P011",
            f"this `{first_word}` block is never closed",
            Span.point(
                file, header_line, 1 + len(source.line_text(header_line)) - len(source.line_text(header_line).lstrip()), len(header)
            ),
            label="opened here",
            help=f"add a line with `end` {where}",
        )

    if is_eof:
        last_line = line_offset + text.rstrip().count("\n") + 1
        last_text = source.line_text(last_line)
        span = Span.point(file, last_line, max(len(last_text.rstrip()), 1))
        message = "the file ends in the middle of a declaration" if start in FILE_STARTS else "this ends too soon"
        return error("P018", message, span, label=_expected_label(expected))

    assert token is not None
    line = token.line + line_offset
    span = Span(file, line, token.column, token.end_line + line_offset, token.end_column)
    shown = _printable(str(token))
    specific = _match_common_mistake(exc, start)
    if specific is not None:
        code, message, help_text = specific
        return error(code, message.format(token=shown), span, label=_expected_label(expected), help=help_text)
    return error(
        "P010",
        f"`{shown}` was not expected here",
        span,
        label=_expected_label(expected),
        help=_help_for_unexpected(str(token), expected),
        replacements=tuple(keywords_near(str(token), expected)),
    )


def _first_code_line(text: str) -> int:
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return number
    return 1


def _printable(text: str) -> str:
    if len(text) > 40:
        text = text[:37] + "..."
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text)


def describe_terminal(name: str) -> str:
    if name in TERMINAL_WORDS:
        return TERMINAL_WORDS[name]
    pattern = _terminal_patterns().get(name)
    if pattern is not None:
        return f"`{pattern}`"
    return name.lower()


@lru_cache(maxsize=1)
def _terminal_patterns() -> dict[str, str]:
    return {t.name: t.pattern.value for t in get_parser().terminals if isinstance(t.pattern, PatternStr)}


# Words that cannot be names: a line starting with a top-level keyword begins a
# new declaration, and a condition could not tell a fact called `not` from `not`.
RESERVED_WORDS = frozenset(TOP_LEVEL_KEYWORDS + ("end", "and", "or", "not", "is", "yes", "no"))


def _expected_label(expected: Iterable[str]) -> str:
    words = sorted({describe_terminal(name) for name in expected if name not in ("COMMENT", "WS")})
    if not words:
        return ""
    # What a thing is ("a title in double quotes") before the keywords that could
    # start something else; a long list helps nobody.
    words.sort(key=lambda w: (w.startswith("`"), w))
    if len(words) > 8:
        return "expected " + ", ".join(words[:8]) + ", or another keyword"
    if len(words) == 1:
        return "expected " + words[0]
    return "expected " + ", ".join(words[:-1]) + " or " + words[-1]


def _help_for_character(char: str, start: str) -> str | None:
    if char == "/":
        return "write dates year-month-day: 2024-01-08, not 08/01/2024"
    if start == "date_expression":
        return 'write a length of time, `after` or `before`, and a date: "5 working days after 2024-01-08"'
    if char in "“”":
        return 'use straight double quotes (") around titles, not curly ones'
    if char == "'":
        return 'titles go between double quotes ("), not single ones'
    if char in "-–":
        return "names use underscores, not hyphens: `scp_manager`, not `scp-manager`"
    return None


def _help_for_unexpected(word: str, expected: Collection[str]) -> str | None:
    if "END" in expected and word in TOP_LEVEL_KEYWORDS:
        return f"the block above needs an `end` before this `{word}`"
    if word in RESERVED_WORDS and "NAME" in expected:
        return f"`{word}` is a keyword of the language and cannot be used as a name"
    near = keywords_near(word, expected)
    if not near:
        return None
    return (
        f"did you mean `{near[0]}`?" if len(near) == 1 else "did you mean " + ", ".join(f"`{k}`" for k in near[:-1]) + f" or `{near[-1]}`?"
    )


def keywords_near(word: str, expected: Collection[str]) -> list[str]:
    """For a misspelt keyword (`nxt` for `next`), the nearest of the keywords wanted here."""
    from interpreter.suggest import nearest

    if not word.isidentifier():
        return []
    patterns = _terminal_patterns()
    wanted = [patterns[name] for name in expected if name in patterns and patterns[name][:1].isalpha()]
    wanted += [keyword for name in expected for keyword in _KEYWORD_PATTERNS.get(name, ())]
    return nearest(word, wanted)


# The terminals written as patterns in the grammar, with the words they stand for.
_KEYWORD_PATTERNS = {"DUTY": ("must", "should", "may"), "LATENESS": ("late", "overdue"), "JOIN_MODE": ("all", "any")}


# Each entry: (code, message, help, examples that put the parser in the same state).
_COMMON_MISTAKES = (
    (
        "P012",
        "a branch needs `->` before the step it leads to",
        "write the branch as `when <condition> -> <next step>`",
        [
            "decision d when x y end",
            "decision d when x is y z end",
            "decision d when x and y z end",
            "decision d when not x y end",
            "decision d when x < 3 y end",
            "decision d otherwise y end",
            "decision d when x -> y otherwise y end",
            "decision d by r otherwise y end",
            "decision d cites 1.1 otherwise y end",
            "decision d must be done by r otherwise y end",
            "parallel p y end",
            "parallel p -> y y end",
            "parallel p cites 1.1 y end",
        ],
    ),
    (
        "P019",
        "a duty is written `must be done`, `should be done` or `may be done`",
        "for example: `must be done by la_head`",
        ["step s must by x end", "step s should x end", "step s may within end", "step s must be by end"],
    ),
    (
        "P020",
        "a length of time needs a unit after the number",
        "for example `5 working days`, `6 months` or `24 hours`",
        [
            "step s within 5 after x end",
            "step s at least 7 before x end",
            "step s no later than 7 before x end",
            "step s for at least 1 after x end",
        ],
    ),
    (
        "P021",
        "a deadline needs a length of time after `within`",
        "for example: `within 5 working days after aware`",
        ["step s within after x end", "step s within working days end"],
    ),
    (
        "P022",
        "a declaration needs a name before its title",
        'for example: step submit_sin "Submit the notification"',
        ['step "t" end', 'decision "t" end', 'role "t"', 'fact "t" is yes or no', 'outcome "t"', 'event "t"'],
    ),
)


def _with_titles(examples: list[str]) -> list[str]:
    """Each example as written, and with a title after the name: the parser's state differs."""
    titled = []
    for example in examples:
        keyword, _, rest = example.partition(" ")
        name, _, tail = rest.partition(" ")
        if keyword in BLOCK_KEYWORDS and not name.startswith('"'):
            titled.append(f'{keyword} {name} "t" {tail}')
    return examples + titled


@lru_cache(maxsize=1)
def _example_failures() -> tuple[tuple[int, UnexpectedInput], ...]:
    """How each common-mistake example fails to parse, worked out once per process.

    The examples are fixed text that must fail (a test holds them to it), so any
    exception but Lark's UnexpectedInput is a bug, and is let through to be seen.
    """
    parser = get_parser()
    failures = []
    for index, mistake in enumerate(_COMMON_MISTAKES):
        for example in _with_titles(mistake[3]):
            try:
                parser.parse(example, start="procedure_file")
            except UnexpectedInput as failure:
                failures.append((index, failure))
    return tuple(failures)


def _closest_example(exc: UnexpectedToken) -> int | None:
    """The label of the example that fails as exc does, as Lark's `match_examples(use_accepts=True)` decides.

    Ours because Lark's logs a mismatch with a `%d` format that its parser states
    cannot fill, and so raises TypeError on exactly the cases it should skip.
    """
    candidate: int | None = None
    fallback = False
    for label, failure in _example_failures():
        if failure.state != exc.state:
            continue
        if isinstance(failure, UnexpectedToken) and failure.accepts != exc.accepts:
            continue
        if isinstance(failure, (UnexpectedToken, UnexpectedEOF)):
            if failure.token == exc.token:
                return label
            if failure.token.type == exc.token.type and not fallback:
                candidate, fallback = label, True
        if candidate is None:
            candidate = label
    return candidate


def _match_common_mistake(exc: UnexpectedInput, start: str) -> tuple[str, str, str | None] | None:
    if start != "procedure_file" or not isinstance(exc, UnexpectedToken):
        return None
    label = _closest_example(exc)
    if label is None:
        return None
    code, message, help_text, _ = _COMMON_MISTAKES[label]
    return code, message, help_text
