"""The file as written: what the parse tree leaves out, kept with where it stands.

Lark's tree holds every declaration and clause in the order written, but the
grammar ignores comments and the model keeps citations as plain strings. This
layer puts them back: every comment with its place (on a line of its own, or
after code), the `# allow CODE` notes found in them, and every citation with its
span. The formatter prints from the tree and these comments; the pipeline honours
the allow notes from here; `trace` and the language server take citations from
here instead of scanning the text again.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from enum import StrEnum

from attrs import frozen
from lark import Token, Tree

from interpreter.source import SourceFile, Span
from interpreter.syntax import TITLE_OR_COMMENT

_TITLE_OR_COMMENT = re.compile(TITLE_OR_COMMENT)
_ALLOW = re.compile(r"#\s*allow\s+(P\d{3})\b")


@frozen
class Comment:
    """A `#` comment: its text (from the `#`, trailing blanks removed) and where it is."""

    text: str
    line: int
    column: int
    own_line: bool  # nothing but blanks before it on its line

    @property
    def allowed_code(self) -> str | None:
        """The code of a warning this comment acknowledges (`# allow P105: why`), if it is such a note."""
        match = _ALLOW.search(self.text)
        return match.group(1) if match else None


@frozen
class Citation:
    """A paragraph (or other document) cited, as written, with the span of its words."""

    text: str  # without quotes
    span: Span


def comments_in(source: SourceFile) -> tuple[Comment, ...]:
    """Every comment in the text, in order, in one linear scan."""
    text = source.text
    if "#" not in text:
        return ()
    found: list[Comment] = []
    line, counted_to = 1, 0
    for match in _TITLE_OR_COMMENT.finditer(text):
        if not match.group().startswith("#"):
            continue
        start = match.start()
        line += text.count("\n", counted_to, start)
        counted_to = start
        line_start = text.rfind("\n", 0, start) + 1
        found.append(
            Comment(
                text=match.group().rstrip(),
                line=line,
                column=start - line_start + 1,
                own_line=not text[line_start:start].strip(),
            )
        )
    return tuple(found)


# Declarations written as a block closed by `end`; the others stand on one line (or fold).
BLOCKS = frozenset({"header", "step_decl", "decision_decl", "parallel_decl", "join_decl", "case_header", "facts_block"})


class Part(StrEnum):
    """What a statement is."""

    DECLARATION = "declaration"  # a one-line declaration: role, fact, event, outcome, start, background...
    OPENING = "opening"  # a block's keyword, name and title
    CLAUSE = "clause"  # a clause of a block
    END = "end"  # a block's `end`


@frozen
class Statement:
    """What stands on its own line(s) in the canonical layout: a one-line declaration; a
    block's opening (keyword, name, title), its `end`; or a clause of a block. A duty with
    no owner and the deadline written right after it are one statement, as they are one
    sentence (`should be done within 15 working days after x`): the deadline takes that duty."""

    first: int
    last: int
    part: Part
    nodes: tuple[Tree, ...]  # the declaration, the block (opening, end) or the clause(s)
    line_offset: int = 0

    @property
    def extent(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """From where to where (line, column) an `# allow` note on this statement reaches:
        the statement itself, or for a block's opening or `end`, the whole block."""
        first, last = self.nodes[0].meta, self.nodes[-1].meta
        return (first.line + self.line_offset, first.column), (last.end_line + self.line_offset, last.end_column)


DEADLINE_RULES = frozenset({"within_after", "at_least_before", "at_least_after", "for_at_least"})


def statements(tree: Tree, line_offset: int = 0) -> list[Statement]:
    found: list[Statement] = []
    for declaration in tree.children:
        if not isinstance(declaration, Tree):
            continue
        meta = declaration.meta
        if declaration.data not in BLOCKS:
            found.append(Statement(meta.line + line_offset, meta.end_line + line_offset, Part.DECLARATION, (declaration,), line_offset))
            continue
        opening_last = meta.line
        clauses: list[Statement] = []
        for child in declaration.children:
            if isinstance(child, Token):
                opening_last = child.end_line or opening_last
                continue
            previous = clauses[-1] if clauses else None
            if previous is not None and _bare_duty(previous) and child.data in DEADLINE_RULES:
                clauses[-1] = Statement(
                    previous.first, child.meta.end_line + line_offset, Part.CLAUSE, (previous.nodes[0], child), line_offset
                )
            else:
                clauses.append(
                    Statement(child.meta.line + line_offset, child.meta.end_line + line_offset, Part.CLAUSE, (child,), line_offset)
                )
        found.append(Statement(meta.line + line_offset, opening_last + line_offset, Part.OPENING, (declaration,), line_offset))
        found.extend(clauses)
        found.append(Statement(meta.end_line + line_offset, meta.end_line + line_offset, Part.END, (declaration,), line_offset))
    return found


def _bare_duty(statement: Statement) -> bool:
    # `must be done by crg` names the owner and stands alone; `must be done` introduces a deadline.
    return len(statement.nodes) == 1 and statement.nodes[0].data == "duty" and len(statement.nodes[0].children) == 1


@frozen
class PlacedComments:
    """Which statement each comment belongs to: the one it stands above (a comment on a
    line of its own) or the one on whose line it ends (a trailing comment)."""

    above: dict[int, list[Comment]]
    trailing: dict[int, list[Comment]]
    after_everything: list[Comment]


def place_comments(ranges: list[tuple[int, int]], comments: Sequence[Comment]) -> PlacedComments:
    above: dict[int, list[Comment]] = {}
    trailing: dict[int, list[Comment]] = {}
    after: list[Comment] = []
    index = 0
    firsts = [first for first, _ in ranges]
    for comment in comments:
        if comment.own_line:
            # Above the first statement that is not over before the comment: a comment
            # written inside a statement that spans lines goes above it.
            while index < len(ranges) and ranges[index][1] < comment.line:
                index += 1
            if index < len(ranges):
                above.setdefault(index, []).append(comment)
            else:
                after.append(comment)
            continue
        # The last statement on the comment's line: on `step a by r end  # why`, the `end`.
        holder = bisect.bisect_right(firsts, comment.line) - 1
        if holder >= 0 and ranges[holder][1] >= comment.line:
            trailing.setdefault(holder, []).append(comment)
        else:
            after.append(comment)
    return PlacedComments(above, trailing, after)


@frozen
class Allowance:
    """A warning code acknowledged by an `# allow CODE: why` note, and where the note reaches."""

    code: str
    start: tuple[int, int]  # (line, column), inclusive
    end: tuple[int, int]

    def covers(self, line: int, column: int) -> bool:
        return self.start <= (line, column) <= self.end


def allowances(
    found: list[Statement], comments: Sequence[Comment], lines: Sequence[str], broken: Sequence[tuple[int, int]] = ()
) -> list[Allowance]:
    """What each `# allow` note acknowledges, and where. A note belongs to the statement it
    stands directly above (with only comments between), or the last one on the line it
    ends; it reaches over that statement, and over the whole block when that is a block's
    opening or `end`. So where a note reaches does not depend on how the file is laid out,
    and `format` cannot change it. A note on a declaration that did not parse (`broken`,
    first and last lines) acknowledges nothing until it does."""
    notes = [c for c in comments if c.allowed_code is not None]
    if not notes:
        return []
    holders = sorted([(statement.first, statement.last, index) for index, statement in enumerate(found)] + [(a, b, -1) for a, b in broken])
    placed = place_comments([(first, last) for first, last, _ in holders], notes)
    result: list[Allowance] = []
    for placement, above in ((placed.above, True), (placed.trailing, False)):
        for index, held in placement.items():
            first, _, statement = holders[index]
            if statement < 0:
                continue
            start, end = found[statement].extent
            for note in held:
                if note.allowed_code and (not above or _only_comments_between(lines, note.line, first)):
                    result.append(Allowance(note.allowed_code, start, end))
    return result


def _only_comments_between(lines: Sequence[str], note_line: int, statement_line: int) -> bool:
    """Whether the note stands directly above: every line between is a comment (no blank line)."""
    return all(lines[number - 1].lstrip().startswith("#") for number in range(note_line + 1, statement_line))


def citations_in(tree: Tree, file: str, line_offset: int = 0) -> Iterator[Citation]:
    """The citations written in a parse tree (a whole file or one declaration), in order."""
    # Background lines write their paragraphs as `citation` trees too.
    for node in tree.iter_subtrees_topdown():
        if node.data == "citation" and isinstance(node.children[0], Token):
            yield _citation(node.children[0], file, line_offset)


def _citation(token: Token, file: str, line_offset: int) -> Citation:
    text = str(token)
    if token.type == "STRING":
        text = text[1:-1]
    line = (token.line or 1) + line_offset
    end_line = (token.end_line or line) + line_offset
    return Citation(text, Span(file, line, token.column or 1, end_line, token.end_column or 1))
