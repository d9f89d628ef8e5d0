"""The one place that knows how each construct of the language is written.

`format_source` prints a procedure or case file in its canonical layout from the
parse tree and the comments (`interpreter/syntax_tree.py`): two spaces per level,
one clause a line inside blocks, single spaces between words, a blank line around
every block, and lines longer than LINE_WIDTH folded where the language allows
(between the clauses of a one-line declaration, before the `->` of a branch, at
`and`/`or`, after the commas of a list). Titles are never broken.

What it never changes: the words chosen where the language offers two for one
meaning (`at least` / `no later than`, `x` / `x is yes`), the brackets an author
wrote in a condition, and the order of clauses, which carries meaning (a deadline
takes the duty written before it, an escalation the deadline before it, branches
are tried in order). Where `and` and `or` meet without brackets, brackets are added
round the `and` part: the meaning is the same and a reader need not know which binds
tighter.

One printing function per kind of node, named after the grammar's rule, in the
spirit of sqlglot's generator.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from attrs import define, field, frozen
from lark import Token, Tree

from interpreter.diagnostics import Diagnostic
from interpreter.source import SourceFile
from interpreter.syntax import TITLE_OR_COMMENT, TITLE_PATTERN, parse_source
from interpreter.syntax_tree import BLOCKS, Comment, Part, Statement, comments_in, place_comments, statements

LINE_WIDTH = 100
INDENT = "  "

_KEYWORD = {
    "header": "procedure",
    "step_decl": "step",
    "decision_decl": "decision",
    "parallel_decl": "parallel",
    "join_decl": "join",
    "case_header": "case",
    "facts_block": "facts",
}


@frozen
class Formatted:
    """The file in its canonical layout, or the syntax errors that stop it being formatted."""

    text: str | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        return self.text is not None


def format_source(source: SourceFile, start: str = "procedure_file") -> Formatted:
    parsed = parse_source(source, start)
    if parsed.diagnostics:
        return Formatted(None, parsed.diagnostics)
    return Formatted(_Printer(source.text, comments_in(source)).file(parsed.chunks[0].tree), ())


# ---- units: the pieces the layout is made of -----------------------------------------


@define
class _Unit:
    """Lines of code standing for a span of source lines, at one depth."""

    lines: list[str]
    first: int  # the first and last source lines the unit was printed from
    last: int
    depth: int
    is_block_start: bool = False
    is_block_end: bool = False
    comments_before: list[Comment] = field(factory=list)
    trailing: list[Comment] = field(factory=list)


class _Printer:
    def __init__(self, text: str, comments: Sequence[Comment]):
        self.text = text
        self.comments = comments
        self.source_lines = text.split("\n")
        self._bracket_pairs: dict[int, int] | None = None

    # ---- the whole file ----------------------------------------------------------

    def file(self, tree: Tree) -> str:
        units = [self.statement(statement) for statement in statements(tree)]
        self._place_comments(units)
        return self._lay_out(units)

    def statement(self, statement: Statement) -> _Unit:
        first, last = statement.first, statement.last
        if statement.part is Part.OPENING:
            words = [_KEYWORD[statement.nodes[0].data]]
            words.extend(str(child) for child in statement.nodes[0].children if isinstance(child, Token))
            return _Unit([" ".join(words)], first, last, 0, is_block_start=True)
        if statement.part is Part.END:
            return _Unit(["end"], first, last, 0, is_block_end=True)
        if statement.part is Part.CLAUSE:
            if len(statement.nodes) == 2:
                # `should be done within 15 working days after x` is one sentence: the
                # deadline takes the duty written just before it.
                duty, deadline = (self.clause(node) for node in statement.nodes)
                if len(INDENT) + len(duty) + 1 + len(deadline) <= LINE_WIDTH:
                    return _Unit([f"{duty} {deadline}"], first, last, 1)
                return _Unit([duty, deadline], first, last, 1)
            return _Unit(self.clause_lines(statement.nodes[0], 1), first, last, 1)
        return _Unit(self.folded_line(statement.nodes[0], 0), first, last, 0)

    # ---- comments and blank lines ---------------------------------------------------

    def _place_comments(self, units: list[_Unit]) -> None:
        placed = place_comments([(unit.first, unit.last) for unit in units], self.comments)
        for index, held in placed.above.items():
            units[index].comments_before.extend(held)
        for index, held in placed.trailing.items():
            units[index].trailing.extend(held)
        if placed.after_everything:
            units.append(_Unit([], 10**9, 10**9, 0, comments_before=list(placed.after_everything)))

    def _blank_between(self, after: int, before: int) -> bool:
        """Whether the source has an empty line strictly between two lines."""
        return any(not self.source_lines[n - 1].strip() for n in range(after + 1, min(before, len(self.source_lines) + 1)))

    def _lay_out(self, units: list[_Unit]) -> str:
        out: list[str] = []
        previous_last: int | None = None  # the last source line of what was written last
        previous: _Unit | None = None
        for unit in units:
            comment_indent = INDENT * (1 if unit.is_block_end else unit.depth)
            items: list[tuple[int, int, list[str]]] = [(c.line, c.line, [comment_indent + c.text]) for c in unit.comments_before]
            if unit.lines:
                code = [INDENT * unit.depth + text for text in unit.lines]
                items.append((unit.first, unit.last, self._with_trailing(code, unit)))
            for position, (first, last, lines) in enumerate(items):
                is_code = position == len(items) - 1 and bool(unit.lines)
                blank = False
                if out and previous_last is not None:
                    # A blank line inside a statement that spans lines is not kept: a
                    # comment written there is moved above it, directly.
                    blank = self._blank_between(previous_last, first) and first <= unit.first
                    if previous is not None and position == 0 and previous.is_block_start:
                        blank = False  # nothing opens a block with an empty line
                    elif previous is not None and position == 0 and unit.depth == 0 and not unit.is_block_end:
                        # A block at the top level always stands apart from its neighbours.
                        blank = blank or unit.is_block_start or previous.is_block_end
                    if is_code and unit.is_block_end:
                        blank = False
                if blank:
                    out.append("")
                out.extend(lines)
                previous_last = last
            previous = unit
        return "\n".join(_aligned_trailing_comments(out)) + "\n" if out else ""

    @staticmethod
    def _with_trailing(code: list[str], unit: _Unit) -> list[str]:
        if not unit.trailing:
            return code
        if len(unit.trailing) == 1:
            return code[:-1] + [code[-1] + _TRAILING_MARK + unit.trailing[0].text]
        # Several trailing comments on a unit printed anew: each goes above it, in order.
        indent = code[0][: len(code[0]) - len(code[0].lstrip())]
        return [indent + c.text for c in unit.trailing] + code

    # ---- one-line declarations and clauses, folded when long -------------------------------

    def folded_line(self, node: Tree, depth: int) -> list[str]:
        """A one-line declaration: on one line if it fits, else its clauses one a line below it."""
        head, clauses = self.declaration_parts(node)
        indent = INDENT * depth
        whole = " ".join([head, *clauses])
        if len(indent) + len(whole) <= LINE_WIDTH or not clauses:
            return [whole]
        # The first line takes the clauses that fit after the title; the rest go one a line.
        first = head
        rest = list(clauses)
        while rest and len(indent) + len(first) + 1 + len(rest[0]) <= LINE_WIDTH:
            first += " " + rest.pop(0)
        lines = [first]
        for clause in rest:
            lines.extend(INDENT + piece for piece in self._fold_list_clause(clause, depth + 1))
        return lines

    def clause_lines(self, node: Tree, depth: int) -> list[str]:
        """A clause of a block, folded where it is too long."""
        if node.data == "branch":
            return self.branch_lines(node, depth)
        return self._fold_list_clause(self.clause(node), depth)

    def _fold_list_clause(self, text: str, depth: int) -> list[str]:
        """Fold a clause ending in a comma-separated list after its commas, if too long."""
        width = LINE_WIDTH - len(INDENT) * depth
        if len(text) <= width or ", " not in text:
            return [text]
        pieces = _split_list(text)
        if len(pieces) < 2:
            return [text]
        lines = [pieces[0]]
        for piece in pieces[1:]:
            candidate = lines[-1] + " " + piece
            limit = width if len(lines) == 1 else width - len(INDENT)
            if len(candidate) <= limit:
                lines[-1] = candidate
            else:
                lines.append(piece)
        return [lines[0], *(INDENT + line for line in lines[1:])]

    def branch_lines(self, node: Tree, depth: int) -> list[str]:
        guard, target = node.children
        condition = self.guard(guard, top=True)
        whole = f"when {condition} -> {target}"
        width = LINE_WIDTH - len(INDENT) * depth
        if len(whole) <= width:
            return [whole]
        first = f"when {condition}"
        if len(first) <= width:
            return [first, f"{INDENT}-> {target}"]
        parts = self._guard_parts(guard)
        return [f"when {parts[0]}", *(INDENT + part for part in parts[1:]), f"{INDENT}-> {target}"]

    # ---- what each construct says -----------------------------------------------------

    def declaration_parts(self, node: Tree) -> tuple[str, list[str]]:
        """A one-line declaration as its opening words and its clauses."""
        printer = _DECLARATION_PRINTERS.get(node.data)
        if printer is None:
            return self.clause(node), []
        return printer(self, node)

    def _named(self, keyword: str, children: list[Tree | Token]) -> tuple[str, list[Tree | Token]]:
        words = [keyword]
        rest = list(children)
        while rest and isinstance(rest[0], Token) and rest[0].type in ("NAME", "STRING"):
            words.append(str(rest.pop(0)))
        return " ".join(words), rest

    def role_decl(self, node: Tree) -> tuple[str, list[str]]:
        children = list(node.children)
        keyword = "role"
        if children and isinstance(children[0], Token) and children[0].type == "EXTERNAL":
            keyword = "external role"
            children.pop(0)
        head, rest = self._named(keyword, children)
        return head, [self.clause(c) for c in rest if isinstance(c, Tree)]

    def group_decl(self, node: Tree) -> tuple[str, list[str]]:
        head, rest = self._named("group", list(node.children))
        return head, [("of " if c.data == "name_list" else "") + self.clause(c) for c in rest if isinstance(c, Tree)]

    def fact_decl(self, node: Tree) -> tuple[str, list[str]]:
        head, rest = self._named("fact", list(node.children))
        return head, [self.clause(c) for c in rest if isinstance(c, Tree)]

    def event_decl(self, node: Tree) -> tuple[str, list[str]]:
        head, rest = self._named("event", list(node.children))
        return head, [self.clause(c) for c in rest if isinstance(c, Tree)]

    def outcome_decl(self, node: Tree) -> tuple[str, list[str]]:
        head, rest = self._named("outcome", list(node.children))
        return head, [self.clause(c) for c in rest if isinstance(c, Tree)]

    def background_decl(self, node: Tree) -> tuple[str, list[str]]:
        *paragraphs, reason = node.children
        return "background " + ", ".join(self.clause(p) for p in paragraphs if isinstance(p, Tree)) + f" {reason}", []

    def clause(self, node: Tree | Token) -> str:
        if isinstance(node, Token):
            return str(node)
        printer = _CLAUSE_PRINTERS.get(node.data)
        if printer is not None:
            return printer(self, node)
        if node.data in _GUARD_RULES:
            return self.guard(node, top=True)
        raise ValueError(f"no way to print a {node.data!r}")  # a grammar rule added without a printer

    def words(self, node: Tree) -> list[str]:
        return [self.clause(child) for child in node.children]

    # ---- conditions -------------------------------------------------------------------

    def guard(self, node: Tree | Token, top: bool = False, inside: str | None = None) -> str:
        assert isinstance(node, Tree)
        kind = node.data
        if kind == "or_guard":
            text = " or ".join(self.guard(c, inside="or") for c in node.children)
        elif kind == "and_guard":
            text = " and ".join(self.guard(c, inside="and") for c in node.children)
        elif kind == "negation":
            text = "not " + self.guard(node.children[0], inside="not")
        else:
            text = self.comparison(node)
        needs_brackets = (
            (kind == "or_guard" and inside in ("and", "not"))
            or (kind == "and_guard" and inside in ("or", "not"))
            or (not top and self._written_in_brackets(node))
            or (top and kind != "negation" and self._written_in_brackets(node))
        )
        return f"({text})" if needs_brackets else text

    def _guard_parts(self, node: Tree) -> list[str]:
        """A long condition cut before each `or` (or each `and`) at its top level."""
        if node.data in ("or_guard", "and_guard") and not self._written_in_brackets(node):
            joiner = "or" if node.data == "or_guard" else "and"
            parts = [self.guard(c, inside=joiner) for c in node.children]
            return [parts[0], *(f"{joiner} {part}" for part in parts[1:])]
        return [self.guard(node, top=True)]

    def comparison(self, node: Tree) -> str:
        kind = node.data
        tokens = [str(c) for c in node.children]
        if kind == "fact_holds":
            written = self.text[node.meta.start_pos : node.meta.end_pos]
            return f"{tokens[0]} is yes" if re.search(r"\bis\b", written) else tokens[0]
        if kind == "fact_not_holds":
            return f"{tokens[0]} is no"
        if kind == "fact_is":
            return f"{tokens[0]} is {tokens[1]}"
        if kind == "fact_is_not":
            return f"{tokens[0]} is not {tokens[1]}"
        if kind in ("fact_in", "fact_not_in"):
            choices = node.children[1]
            assert isinstance(choices, Tree)
            words = "is one of" if kind == "fact_in" else "is not one of"
            return f"{tokens[0]} {words} " + ", ".join(str(c) for c in choices.children)
        if kind == "fact_compare":
            return " ".join(tokens)
        raise ValueError(f"no way to print a condition {kind!r}")

    def _written_in_brackets(self, node: Tree) -> bool:
        """Whether the author wrote brackets round exactly this part of a condition."""
        if getattr(node.meta, "empty", True):
            return False
        pairs = self._brackets()
        opening = _skip_back(self.text, node.meta.start_pos)
        if opening < 0 or self.text[opening] != "(":
            return False
        closing = pairs.get(opening)
        return closing is not None and _skip_forward(self.text, node.meta.end_pos) == closing

    def _brackets(self) -> dict[int, int]:
        if self._bracket_pairs is None:
            pairs: dict[int, int] = {}
            opened: list[int] = []
            for match in re.finditer(TITLE_OR_COMMENT + r"|[()]", self.text):
                if match.group() == "(":
                    opened.append(match.start())
                elif match.group() == ")" and opened:
                    pairs[opened.pop()] = match.start()
            self._bracket_pairs = pairs
        return self._bracket_pairs


def _skip_back(text: str, position: int) -> int:
    position -= 1
    while position >= 0 and text[position] in " \t\r\n":
        position -= 1
    return position


def _skip_forward(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


_TRAILING_MARK = "  "
_GUARD_RULES = frozenset(
    {
        "or_guard",
        "and_guard",
        "negation",
        "fact_holds",
        "fact_not_holds",
        "fact_is",
        "fact_is_not",
        "fact_in",
        "fact_not_in",
        "fact_compare",
    }
)


def _split_list(text: str) -> list[str]:
    """A clause cut after each comma outside titles: `cites 1.1.1,` `1.1.2,` `1.1.3`."""
    pieces: list[str] = []
    current = ""
    for token in re.finditer(TITLE_PATTERN + r'|, |[^",]+|.', text):
        current += token.group()
        if token.group() == ", ":
            pieces.append(current.rstrip())
            current = ""
    if current:
        pieces.append(current)
    return pieces


def _aligned_trailing_comments(lines: list[str]) -> list[str]:
    """Line up the trailing comments of neighbouring lines in one column, as gofmt does."""
    result = list(lines)
    run: list[tuple[int, str, str]] = []

    def flush() -> None:
        if len(run) > 1:
            column = max(len(code) for _, code, _ in run) + len(_TRAILING_MARK)
            for index, code, comment in run:
                result[index] = code.ljust(column) + comment
        run.clear()

    for index, line in enumerate(lines):
        split = _split_trailing(line)
        if split is None:
            flush()
        else:
            run.append((index, *split))
    flush()
    return result


def _split_trailing(line: str) -> tuple[str, str] | None:
    if not line.strip() or line.lstrip().startswith("#"):
        return None
    for match in re.finditer(TITLE_OR_COMMENT, line):
        if match.group().startswith("#"):
            return line[: match.start()].rstrip(), match.group()
    return None


# ---- the printing functions, by rule ---------------------------------------------------


def _join(*parts: object) -> str:
    return " ".join(str(p) for p in parts if p is not None and p != "")


def _duration(p: _Printer, node: Tree) -> str:
    number, unit = node.children
    return f"{number} " + " ".join(str(unit).split())


def _deadline(words: str) -> Callable[[_Printer, Tree], str]:
    def print_deadline(p: _Printer, node: Tree) -> str:
        duration, anchor = node.children
        chosen = words
        if node.data == "at_least_before" and p.text.startswith("no", node.meta.start_pos):
            chosen = "no later than {} before"
        return f"{chosen.format(p.clause(duration))} {anchor}"

    return print_deadline


def _escalation(verb: str) -> Callable[[_Printer, Tree], str]:
    def print_escalation(p: _Printer, node: Tree) -> str:
        lateness, target, *title = node.children
        return _join("if", lateness, verb, target, *title)

    return print_escalation


def _expect_escalation(p: _Printer, node: Tree) -> str:
    tokens = [str(c) for c in node.children]
    if len(tokens) == 3:
        return f"expect escalation from {tokens[0]} to {tokens[1]} on {tokens[2]}"
    return f"expect escalation to {tokens[0]} on {tokens[1]}"


def _expect_no_escalation(p: _Printer, node: Tree) -> str:
    return "expect no escalation" + (f" from {node.children[0]}" if node.children else "")


def _happening(p: _Printer, node: Tree) -> str:
    return _join("on", *node.children)


def _fact_learnt(p: _Printer, node: Tree) -> str:
    day, value = node.children
    return f"on {day} {p.clause(value)}"


def _fact_value(word: str | None) -> Callable[[_Printer, Tree], str]:
    def print_value(p: _Printer, node: Tree) -> str:
        tokens = [str(c) for c in node.children]
        return f"{tokens[0]} is {word if word is not None else tokens[1]}"

    return print_value


def _closed(p: _Printer, node: Tree) -> str:
    return "closed on " + ", ".join(p.clause(c) for c in node.children)


def _closure(p: _Printer, node: Tree) -> str:
    return " to ".join(str(c) for c in node.children)


def _keyword_then(words: str, separator: str = ", ") -> Callable[[_Printer, Tree], str]:
    """A clause of fixed words followed by its children: `cites 1.1.1, 1.1.2`."""

    def print_clause(p: _Printer, node: Tree) -> str:
        return f"{words} " + separator.join(p.words(node))

    return print_clause


def _fixed(words: str) -> Callable[[_Printer, Tree], str]:
    return lambda p, node: words


def _duty(p: _Printer, node: Tree) -> str:
    duty, *owner = node.children
    return f"{duty} be done" + (f" by {owner[0]}" if owner else "")


def _sends(p: _Printer, node: Tree) -> str:
    what, whom = node.children
    return f"sends {what} to {whom}"


def _branch(p: _Printer, node: Tree) -> str:
    guard, target = node.children
    return f"when {p.guard(guard, top=True)} -> {target}"


def _expect(template: str) -> Callable[[_Printer, Tree], str]:
    def print_expectation(p: _Printer, node: Tree) -> str:
        return template.format(*(p.clause(c) for c in node.children))

    return print_expectation


def _case_procedure(p: _Printer, node: Tree) -> str:
    return f"procedure {node.children[0]}"


_CLAUSE_PRINTERS: dict[str, Callable[[_Printer, Tree], str]] = {
    # the procedure header
    "source": _keyword_then("source"),
    "version": _keyword_then("version"),
    "calendar": _keyword_then("calendar"),
    "implements": _keyword_then("implements"),
    "closed": _closed,
    "closure": _closure,
    "in_force": _keyword_then("in force from"),
    "replaces": _keyword_then("replaces"),
    "start_decl": _keyword_then("start at"),
    # who and what
    "plays": _keyword_then("plays"),
    "delegated": _keyword_then("delegated by"),
    "name_list": lambda p, node: ", ".join(p.words(node)),
    "boolean_type": _fixed("is yes or no"),
    "choice_type": lambda p, node: "is one of " + p.clause(node.children[0]),
    "number_type": _fixed("is a number"),
    "ends_case": _fixed("ends the whole case"),
    # the flow
    "owner": _keyword_then("by"),
    "duty": _duty,
    "cites": _keyword_then("cites"),
    "citation": lambda p, node: str(node.children[0]),
    "produces": _keyword_then("produces"),
    "sends": _sends,
    "branch_ends": _fixed("this branch ends"),
    "satisfies": _keyword_then("satisfies"),
    "next": _keyword_then("next"),
    "branch": _branch,
    "otherwise": _keyword_then("otherwise ->"),
    "fork": _keyword_then("->"),
    "waits": _keyword_then("waits for"),
    # time
    "within_after": _deadline("within {} after"),
    "at_least_before": _deadline("at least {} before"),
    "at_least_after": _deadline("at least {} after"),
    "for_at_least": _deadline("for at least {} after"),
    "duration": _duration,
    "notify": _escalation("notify"),
    "escalate": _escalation("escalate to"),
    # cases
    "case_procedure": _case_procedure,
    "as_of": _keyword_then("as of"),
    "fact_value_name": _fact_value(None),
    "fact_value_number": _fact_value(None),
    "fact_value_yes": _fact_value("yes"),
    "fact_value_no": _fact_value("no"),
    "fact_value_unknown": _fact_value("unknown"),
    "happening": _happening,
    "fact_learnt": _fact_learnt,
    "expect_due": _expect("expect {} due {}"),
    "expect_no_due": _expect("expect {} due nothing"),
    "expect_not_before": _expect("expect {} not before {}"),
    "expect_deadline_due": _expect("expect {} deadline {} due {}"),
    "expect_state": _expect("expect {} is {}"),
    "expect_branch": _expect("expect {} takes {}"),
    "expect_escalation": _expect_escalation,
    "expect_no_escalation": _expect_no_escalation,
    "expect_outcome": _expect("expect outcome {}"),
    "expect_no_outcome": _fixed("expect no outcome"),
    "expect_no_breaches": _fixed("expect no breaches"),
    "state_not_applicable": _fixed("not applicable"),
    "state_waiting": _fixed("waiting"),
    "state_open": _fixed("open"),
    "state_overdue": _fixed("overdue"),
    "state_done": _fixed("done"),
    "state_done_on_time": _fixed("done on time"),
    "state_done_late": _fixed("done late"),
}

_DECLARATION_PRINTERS: dict[str, Callable[[_Printer, Tree], tuple[str, list[str]]]] = {
    "role_decl": _Printer.role_decl,
    "group_decl": _Printer.group_decl,
    "fact_decl": _Printer.fact_decl,
    "event_decl": _Printer.event_decl,
    "outcome_decl": _Printer.outcome_decl,
    "background_decl": _Printer.background_decl,
}


def printed_rules() -> frozenset[str]:
    """Every grammar rule the printer knows how to write (a test holds this to the grammar)."""
    return frozenset(_CLAUSE_PRINTERS) | frozenset(_DECLARATION_PRINTERS) | BLOCKS | _GUARD_RULES
