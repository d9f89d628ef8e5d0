"""Traceability: which declarations of a procedure cite each numbered paragraph of its source text.

The source text is the published procedure as plain text. Its numbered paragraphs
are the lines that hold nothing but a paragraph number (`1.1.15`). Every such
paragraph should be cited by the step, decision, role, fact, event or outcome that
carries its rule, or marked `background` with the reason it carries none.

Nothing here prints: `trace` returns the paragraphs with what cites them, and
diagnostics for citations of paragraphs the source does not have and for
paragraphs that nothing covers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from attrs import frozen
from lark import Token, Tree

from interpreter import model as m
from interpreter.diagnostics import Diagnostic, Label, error, has_errors, warning
from interpreter.source import SourceFile, Span
from interpreter.syntax import parse_source
from interpreter.syntax_tree import citations_in
from interpreter.wording import describe_deadline, kind_noun

# The same shape as the grammar's PARAGRAPH terminal: 1.1.15, 4.2, 1.1.16a.
PARAGRAPH_NUMBER = re.compile(r"\d+(?:\.\d+)+[a-z]?")
_PARAGRAPH_LINE = re.compile(r"^\s*(" + PARAGRAPH_NUMBER.pattern + r")\s*$")


@frozen
class Use:
    """A declaration that cites a paragraph, described for a reader of the trace."""

    kind: str  # step, decision, parallel split, join, outcome, role, external role, group, fact, event
    name: str
    title: str | None
    file: str
    details: tuple[str, ...] = ()  # the declaration's deadlines, as written


@frozen
class TracedParagraph:
    number: str
    span: Span  # the paragraph's number in the source text
    uses: tuple[Use, ...] = ()
    background: tuple[str, ...] = ()  # the reasons given where it is marked background

    @property
    def covered(self) -> bool:
        return bool(self.uses or self.background)


@frozen
class Trace:
    source: SourceFile
    paragraphs: tuple[TracedParagraph, ...]
    diagnostics: tuple[Diagnostic, ...]

    @property
    def total(self) -> int:
        return len(self.paragraphs)

    @property
    def covered(self) -> int:
        return sum(1 for p in self.paragraphs if p.covered)

    @property
    def cited(self) -> int:
        return sum(1 for p in self.paragraphs if p.uses)

    @property
    def background_only(self) -> int:
        return sum(1 for p in self.paragraphs if p.background and not p.uses)

    @property
    def uncovered(self) -> tuple[TracedParagraph, ...]:
        return tuple(p for p in self.paragraphs if not p.covered)

    @property
    def percent(self) -> int:
        """Whole percent covered, rounded down so that 100 means every paragraph."""
        return 100 * self.covered // self.total if self.total else 0

    @property
    def ok(self) -> bool:
        return not self.uncovered and not has_errors(self.diagnostics)


@frozen
class Citation:
    """One paragraph number written in a procedure, with where it was written."""

    paragraph: str
    span: Span
    use: Use | None  # None for a `background` line
    reason: str | None = None  # a `background` line's reason


# ---- the source text -------------------------------------------------------------


def paragraph_texts(text: SourceFile) -> dict[str, str]:
    """Each numbered paragraph of a source text, by its number, as one line of its words."""
    numbered, _ = numbered_paragraphs(text)
    lines = text.lines
    texts = {}
    for index, (number, span) in enumerate(numbered):
        end = numbered[index + 1][1].line - 1 if index + 1 < len(numbered) else len(lines)
        own = lines[span.line : end]
        # A heading after a blank line ends the paragraph: the next section's title ("Rapid
        # Reviews"), or a page's footer ("APPENDICES", then the printing date) is not its text.
        # A heading before any of the paragraph's text is its own title ("Notifying Agencies"), and stays.
        said = False
        for place in range(1, len(own)):
            if said and not own[place - 1].strip() and _looks_like_a_heading(own[place]):
                own = own[:place]
                break
            said = said or (bool(own[place - 1].strip()) and not _looks_like_a_heading(own[place - 1]))
        texts[number] = " ".join(line.strip() for line in own if line.strip())
    return texts


def _looks_like_a_heading(line: str) -> bool:
    """A short line of words starting with a capital and ending without a sentence's punctuation."""
    text = line.strip()
    return 0 < len(text) <= 60 and text[0].isupper() and not text.endswith((".", ":", ";", ",", "?", "!", ")", '"', "”"))


def numbered_paragraphs(text: SourceFile) -> tuple[tuple[tuple[str, Span], ...], tuple[Diagnostic, ...]]:
    """The paragraph numbers of a source text, in order, each with the span of its line."""
    found: list[tuple[str, Span]] = []
    first_seen: dict[str, Span] = {}
    diagnostics: list[Diagnostic] = []
    for index, line in enumerate(text.lines, start=1):
        match = _PARAGRAPH_LINE.match(line)
        if not match:
            continue
        number = match.group(1)
        span = Span(text.name, index, match.start(1) + 1, index, match.end(1) + 1)
        if number in first_seen:
            diagnostics.append(
                warning(
                    "P505",
                    f"paragraph {number} is numbered twice in the source text",
                    span,
                    label="the second time",
                    labels=(Label(first_seen[number], "the first time"),),
                    help="citations of it are matched with the first; check the source text for a numbering slip",
                )
            )
            continue
        first_seen[number] = span
        found.append((number, span))
    if not found:
        diagnostics.append(
            error(
                "P504",
                "the source text has no numbered paragraphs",
                Span.point(text.name, 1, 1),
                label="no line here or below is just a paragraph number",
                help="safeproc finds paragraphs by lines that hold nothing but their number, such as `1.1.15`; "
                "check that this is the plain text of the procedure",
            )
        )
    return tuple(found), tuple(diagnostics)


# ---- the citations in a procedure ---------------------------------------------


def citations(procedure: m.Procedure, source: SourceFile) -> tuple[Citation, ...]:
    """Every paragraph number the procedure cites or marks background, each located in its file.

    The syntax layer (interpreter/syntax_tree.py) keeps each citation with its span
    and the declaration it is written in; each declaration of the model is found by
    the line its name (or, for `background`, its first word) is on.
    """
    by_place = {(d.span.line, d.span.column): d for d in [*procedure.declarations(), *procedure.background] if d.span is not None}
    found: list[Citation] = []
    for declaration_tree, line_offset in _declaration_trees(source):
        declaration = _declaration_for(declaration_tree, line_offset, by_place)
        if declaration is None:
            continue
        if isinstance(declaration, m.Background):
            use, reason = None, declaration.reason
        else:
            use, reason = _use(declaration, procedure.file), None
        for citation in citations_in(declaration_tree, source.name, line_offset):
            if PARAGRAPH_NUMBER.fullmatch(citation.text):  # not a statute or another document
                found.append(Citation(citation.text, citation.span, use, reason))
    return tuple(found)


def _declaration_trees(source: SourceFile) -> Iterator[tuple[Tree, int]]:
    for chunk in parse_source(source).chunks:
        for node in chunk.tree.children:
            if isinstance(node, Tree):
                yield node, chunk.line_offset


def _declaration_for(
    tree: Tree, line_offset: int, by_place: dict[tuple[int, int], m.Declaration | m.Background]
) -> m.Declaration | m.Background | None:
    """The model's declaration for a parse tree, by where its name (or a background line's first word) stands."""
    if tree.data == "background_decl":
        return by_place.get((tree.meta.line + line_offset, tree.meta.column))
    name = next((c for c in tree.children if isinstance(c, Token) and c.type == "NAME"), None)
    return by_place.get(((name.line or 0) + line_offset, name.column or 0)) if name is not None else None


def _use(declaration: m.Declaration, file: str) -> Use:
    if isinstance(declaration, m.Role):
        # A trace tells the kinds of role apart: they are read differently in the source.
        kind = "group" if declaration.is_group else ("external role" if declaration.external else "role")
    else:
        kind = kind_noun(declaration)
    details = tuple(describe_deadline(d) for d in m.deadlines_of(declaration))
    return Use(kind, declaration.name, declaration.title, file, details)


# ---- the trace ------------------------------------------------------------------


def trace(documents: Sequence[tuple[m.Procedure, SourceFile]], text: SourceFile) -> Trace:
    """Trace one or more procedures (read together) against the source text they encode."""
    numbered, found = numbered_paragraphs(text)
    diagnostics: list[Diagnostic] = list(found)
    known = {number for number, _ in numbered}
    uses: dict[str, list[Use]] = {number: [] for number in known}
    reasons: dict[str, list[str]] = {number: [] for number in known}
    background_marks: dict[str, list[Span]] = {number: [] for number in known}
    for procedure, source in documents:
        for citation in citations(procedure, source):
            if citation.paragraph not in known:
                if numbered:
                    diagnostics.append(_unknown_paragraph(citation, numbered, text))
                continue
            if citation.use is None:
                if citation.reason is not None and citation.reason not in reasons[citation.paragraph]:
                    reasons[citation.paragraph].append(citation.reason)
                background_marks[citation.paragraph].append(citation.span)
            elif citation.use not in uses[citation.paragraph]:
                uses[citation.paragraph].append(citation.use)
    paragraphs = []
    for number, span in numbered:
        paragraph = TracedParagraph(number, span, tuple(uses[number]), tuple(reasons[number]))
        paragraphs.append(paragraph)
        if paragraph.uses and paragraph.background:
            first = paragraph.uses[0]
            for mark in background_marks[number]:
                diagnostics.append(
                    warning(
                        "P503",
                        f"paragraph {number} is marked background, but {first.kind} `{first.name}` cites it",
                        mark,
                        label="marked as carrying no rule",
                        help="a paragraph is either cited by what carries its rule or marked background; remove it from one or the other",
                    )
                )
        if not paragraph.covered:
            diagnostics.append(
                warning(
                    "P502",
                    f"paragraph {number} is neither cited nor marked background",
                    span,
                    label="nothing in the procedure traces to this paragraph",
                    help=f"cite it from the step, decision or role that carries its rule (`cites {number}`), "
                    f'or mark it `background {number} "why it carries no rule"`',
                )
            )
    return Trace(text, tuple(paragraphs), tuple(diagnostics))


def _unknown_paragraph(citation: Citation, numbered: Sequence[tuple[str, Span]], text: SourceFile) -> Diagnostic:
    if citation.use is None:
        who = "a `background` line names"
    else:
        who = f"{citation.use.kind} `{citation.use.name}` cites"
    first, last = numbered[0][0], numbered[-1][0]
    return error(
        "P501",
        f"{who} paragraph {citation.paragraph}, which is not in the source text",
        citation.span,
        label=f"no paragraph {citation.paragraph} in {text.name}",
        help=f"cite one of the paragraphs the source text numbers ({first} to {last}), or check that you traced against the right text",
    )
