"""From Lark parse trees to the frozen model (a Lark Transformer).

The builder checks only what the tree alone can tell: a keyword used as a name, a
number too large to mean anything, a date that does not exist, a clause given
twice. Whether names refer to anything is the resolver's work.
"""

from __future__ import annotations

from datetime import date

from lark import Token, Transformer, Tree

from interpreter import model as m
from interpreter.diagnostics import Diagnostic, error
from interpreter.source import SourceFile, Span
from interpreter.syntax import RESERVED_WORDS, ParsedChunk

UNIT_WORDS = {
    "working day": "working_days",
    "working days": "working_days",
    "day": "days",
    "days": "days",
    "week": "weeks",
    "weeks": "weeks",
    "month": "months",
    "months": "months",
    "year": "years",
    "years": "years",
    "hour": "hours",
    "hours": "hours",
}

# Larger than any deadline a procedure could mean, small enough for date arithmetic.
MAX_AMOUNT = 100_000


class _Clause:
    """A clause of a block, before the block gathers its clauses into one node."""

    __slots__ = ("kind", "value", "span")

    def __init__(self, kind: str, value, span: Span):
        self.kind = kind
        self.value = value
        self.span = span


class ModelBuilder(Transformer):
    """Each rule's method takes the node's position (Lark's meta) and its transformed children."""

    def __init__(self, file: str, line_offset: int = 0):
        super().__init__(visit_tokens=False)
        self.file = file
        self.line_offset = line_offset
        self.diagnostics: list[Diagnostic] = []

    def transform(self, tree: Tree):
        """Bottom-up, with an explicit stack rather than recursion.

        A file of ten thousand steps is a wide tree, and Lark's own recursive walk
        (with `v_args` wrapping each call) cost more than the rest of the checks.
        """
        results: dict[int, object] = {}
        stack: list[tuple[Tree, bool]] = [(tree, False)]
        while stack:
            node, children_done = stack.pop()
            if not children_done:
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(node.children) if isinstance(child, Tree))
                continue
            children = [results.pop(id(child)) if isinstance(child, Tree) else child for child in node.children]
            results[id(node)] = getattr(self, node.data)(node.meta, children)
        return results[id(tree)]

    # ---- helpers -------------------------------------------------------------

    def _span(self, meta) -> Span | None:
        if getattr(meta, "empty", True):
            return None
        return Span(self.file, meta.line + self.line_offset, meta.column, meta.end_line + self.line_offset, meta.end_column)

    def _token_span(self, token: Token) -> Span:
        return Span(self.file, token.line + self.line_offset, token.column, token.end_line + self.line_offset, token.end_column)

    def _name(self, token: Token) -> str:
        name = str(token)
        if name in RESERVED_WORDS:
            self.diagnostics.append(
                error(
                    "P016",
                    f"`{name}` is a keyword of the language and cannot be used as a name",
                    self._token_span(token),
                    help=f"choose another name, such as `{name}_step`",
                )
            )
        return name

    def _ref(self, token: Token) -> m.Ref:
        return m.Ref(self._name(token), self._token_span(token))

    def _title(self, children) -> str | None:
        for child in children:
            if isinstance(child, Token) and child.type == "STRING":
                return _unquote(child)
        return None

    def _number(self, token: Token) -> int | None:
        """The number, or None (and a diagnostic) when it is too large to mean anything."""
        if len(token) > 6 or int(token) > MAX_AMOUNT:
            self.diagnostics.append(
                error(
                    "P023",
                    f"{_short(token)} is too large a number here",
                    self._token_span(token),
                    help=f"numbers here go up to {MAX_AMOUNT:,}",
                )
            )
            return None
        return int(token)

    def _date(self, token: Token) -> date | None:
        try:
            return date.fromisoformat(str(token))
        except ValueError:
            self.diagnostics.append(
                error(
                    "P017",
                    f"{token} is not a real date",
                    self._token_span(token),
                    help="dates are written year-month-day, for example 2024-02-29",
                )
            )
            return None

    # ---- the file ------------------------------------------------------------

    def procedure_file(self, meta, children):
        return list(children)

    def header(self, meta, children):
        fields: dict = {"title": _unquote(children[0])}
        for clause in children[1:]:
            if clause.kind in fields and clause.kind != "closures":
                self._repeated(clause, "the procedure header")
                continue
            if clause.kind == "closures":
                fields["closures"] = fields.get("closures", ()) + clause.value
            elif clause.kind == "calendar":
                fields["calendar"] = clause.value
                fields["calendar_span"] = clause.span
            else:
                fields[clause.kind] = clause.value
        return m.Header(span=self._span(meta), **fields)

    def source(self, meta, children):
        return _Clause("source", _unquote(children[0]), self._span(meta))

    def version(self, meta, children):
        return _Clause("version", _unquote(children[0]), self._span(meta))

    def calendar(self, meta, children):
        return _Clause("calendar", str(children[0]), self._token_span(children[0]))

    def implements(self, meta, children):
        token = children[0]
        value = _unquote(token) if token.type == "STRING" else str(token)
        return _Clause("implements", value, self._span(meta))

    def closed(self, meta, children):
        return _Clause("closures", tuple(c for c in children if c is not None), self._span(meta))

    def closure(self, meta, children):
        first = self._date(children[0])
        last = self._date(children[1]) if len(children) > 1 else first
        if first is None or last is None:
            return None
        if last < first:
            self.diagnostics.append(
                error(
                    "P024", f"this closure ends ({last}) before it starts ({first})", self._span(meta), help="write the earlier date first"
                )
            )
            return None
        return (first, last)

    # ---- who and what --------------------------------------------------------

    def role_decl(self, meta, children):
        external = isinstance(children[0], Token) and children[0].type == "EXTERNAL"
        rest = children[1:] if external else children
        name = self._name(rest[0])
        plays = next((c.value for c in rest if isinstance(c, _Clause) and c.kind == "plays"), None)
        return m.Role(name, self._title(rest[1:]), external=external, plays=plays, cites=self._cites(rest), span=self._token_span(rest[0]))

    def group_decl(self, meta, children):
        name = self._name(children[0])
        members = next(c for c in children if isinstance(c, tuple))
        plays = next((c.value for c in children if isinstance(c, _Clause) and c.kind == "plays"), None)
        return m.Role(
            name, self._title(children[1:]), members=members, plays=plays, cites=self._cites(children), span=self._token_span(children[0])
        )

    def plays(self, meta, children):
        return _Clause("plays", self._ref(children[0]), self._span(meta))

    def name_list(self, meta, children):
        return tuple(self._ref(token) for token in children)

    def fact_decl(self, meta, children):
        name = self._name(children[0])
        fact_type, choices = next(c for c in children if isinstance(c, tuple) and len(c) == 2 and isinstance(c[0], str))
        return m.Fact(name, self._title(children[1:]), fact_type, choices, cites=self._cites(children), span=self._token_span(children[0]))

    def boolean_type(self, meta, children):
        return ("boolean", ())

    def choice_type(self, meta, children):
        return ("choice", children[0])

    def number_type(self, meta, children):
        return ("number", ())

    def event_decl(self, meta, children):
        return m.Event(self._name(children[0]), self._title(children[1:]), cites=self._cites(children), span=self._token_span(children[0]))

    def start_decl(self, meta, children):
        return _Clause("start", self._ref(children[0]), self._span(meta))

    # ---- the flow ------------------------------------------------------------

    def step_decl(self, meta, children):
        name, title, clauses = self._block_parts(children)
        fields = self._flow_fields(
            clauses, "step", name, allowed={"owner", "duty", "cites", "produces", "deadline", "escalation", "next", "satisfies"}
        )
        return m.Step(name, title, span=self._token_span(children[0]), **fields)

    def decision_decl(self, meta, children):
        name, title, clauses = self._block_parts(children)
        fields = self._flow_fields(
            clauses, "decision", name, allowed={"owner", "duty", "cites", "deadline", "escalation", "branch", "otherwise", "satisfies"}
        )
        return m.Decision(name, title, span=self._token_span(children[0]), **fields)

    def parallel_decl(self, meta, children):
        name, title, clauses = self._block_parts(children)
        fields = self._flow_fields(clauses, "parallel", name, allowed={"cites", "fork"})
        return m.Parallel(name, title, span=self._token_span(children[0]), **fields)

    def join_decl(self, meta, children):
        name, title, clauses = self._block_parts(children)
        fields = self._flow_fields(clauses, "join", name, allowed={"waits", "cites", "next"})
        return m.Join(name, title, span=self._token_span(children[0]), **fields)

    def background_decl(self, meta, children):
        *paragraphs, reason = children
        return m.Background(tuple(paragraphs), _unquote(reason), span=self._span(meta))

    def outcome_decl(self, meta, children):
        return m.Outcome(
            self._name(children[0]), self._title(children[1:]), cites=self._cites(children), span=self._token_span(children[0])
        )

    def _block_parts(self, children):
        name = self._name(children[0])
        rest = children[1:]
        title = None
        if rest and isinstance(rest[0], Token) and rest[0].type == "STRING":
            title = _unquote(rest[0])
            rest = rest[1:]
        return name, title, rest

    def _flow_fields(self, clauses, kind: str, name: str, allowed: set[str]) -> dict:
        fields: dict = {}
        deadlines: list[m.Deadline] = []
        escalations: list[m.Escalation] = []
        branches: list[m.Branch] = []
        forks: list[m.Ref] = []
        cites: list[str] = []
        produces: list[str] = []
        satisfies: list[m.Ref] = []
        duties: list[str] = []
        last_duty: str | None = None
        for clause in clauses:
            if clause.kind not in allowed:
                continue
            if clause.kind == "duty":
                duty, owner = clause.value
                duties.append(duty)
                last_duty = duty
                if owner is not None:
                    self._set_once(fields, "owner", owner, clause, f"{kind} `{name}`")
                continue
            if clause.kind == "deadline":
                deadline = clause.value
                deadlines.append(m.Deadline(deadline.kind, deadline.duration, deadline.anchor, duty=last_duty, span=deadline.span))
            elif clause.kind == "escalation":
                escalations.append(clause.value)
            elif clause.kind == "branch":
                branches.append(clause.value)
            elif clause.kind == "fork":
                forks.append(clause.value)
            elif clause.kind == "cites":
                cites.extend(clause.value)
            elif clause.kind == "produces":
                produces.extend(clause.value)
            elif clause.kind == "satisfies":
                satisfies.append(clause.value)
            elif clause.kind in ("owner", "next", "otherwise", "waits"):
                self._set_once(fields, clause.kind if clause.kind != "waits" else "mode", clause.value, clause, f"{kind} `{name}`")
            last_duty = None
        strongest = max(duties, key=m.DUTY_RANK.__getitem__) if duties else None
        # A deadline written without a duty of its own takes the step's.
        deadlines = [d if d.duty else m.Deadline(d.kind, d.duration, d.anchor, duty=strongest, span=d.span) for d in deadlines]
        result = {"cites": tuple(cites)}
        if "duty" in allowed:
            result["duty"] = strongest
        if "deadline" in allowed:
            result["deadlines"] = tuple(deadlines)
            result["escalations"] = tuple(escalations)
        if "produces" in allowed:
            result["produces"] = tuple(produces)
        if "satisfies" in allowed:
            result["satisfies"] = tuple(satisfies)
        if "branch" in allowed:
            result["branches"] = tuple(branches)
        if "fork" in allowed:
            result["branches"] = tuple(forks)
        result.update(fields)
        return result

    def _set_once(self, fields: dict, key: str, value, clause: _Clause, where: str) -> None:
        if key in fields:
            self._repeated(clause, where)
            return
        fields[key] = value

    def _repeated(self, clause: _Clause, where: str) -> None:
        word = {"owner": "an owner (`by`)", "next": "a `next` step", "otherwise": "an `otherwise`", "waits": "a `waits for`"}.get(
            clause.kind, f"a `{clause.kind}` line"
        )
        self.diagnostics.append(error("P025", f"{where} already has {word}", clause.span, help="keep one and delete the other"))

    def _cites(self, children) -> tuple[str, ...]:
        found: list[str] = []
        for child in children:
            if isinstance(child, _Clause) and child.kind == "cites":
                found.extend(child.value)
        return tuple(found)

    # ---- clauses -------------------------------------------------------------

    def owner(self, meta, children):
        return _Clause("owner", self._ref(children[0]), self._span(meta))

    def duty(self, meta, children):
        owner = self._ref(children[1]) if len(children) > 1 else None
        return _Clause("duty", (str(children[0]), owner), self._span(meta))

    def cites(self, meta, children):
        return _Clause("cites", tuple(children), self._span(meta))

    def citation(self, meta, children):
        token = children[0]
        return _unquote(token) if token.type == "STRING" else str(token)

    def produces(self, meta, children):
        return _Clause("produces", tuple(_unquote(c) for c in children), self._span(meta))

    def satisfies(self, meta, children):
        return _Clause("satisfies", self._ref(children[0]), self._span(meta))

    def next(self, meta, children):
        return _Clause("next", self._ref(children[0]), self._span(meta))

    def branch(self, meta, children):
        guard, target = children
        return _Clause("branch", m.Branch(guard, self._ref(target), span=self._span(meta)), self._span(meta))

    def otherwise(self, meta, children):
        return _Clause("otherwise", self._ref(children[0]), self._span(meta))

    def fork(self, meta, children):
        return _Clause("fork", self._ref(children[0]), self._span(meta))

    def waits(self, meta, children):
        return _Clause("waits", str(children[0]), self._span(meta))

    # ---- time ----------------------------------------------------------------

    def duration(self, meta, children):
        amount, unit = children
        number = self._number(amount)
        if number is None:
            return None
        return m.Duration(number, UNIT_WORDS[" ".join(str(unit).split())], span=self._span(meta))

    def _deadline(self, kind: str, meta, children):
        duration, anchor = children
        if duration is None:
            return _Clause("invalid", None, self._span(meta))
        value = m.Deadline(kind, duration, self._ref(anchor), span=self._span(meta))
        return _Clause("deadline", value, self._span(meta))

    def within_after(self, meta, children):
        return self._deadline("within", meta, children)

    def at_least_before(self, meta, children):
        return self._deadline("before", meta, children)

    def at_least_after(self, meta, children):
        return self._deadline("not_before", meta, children)

    def for_at_least(self, meta, children):
        return self._deadline("lasts", meta, children)

    def _escalation(self, action: str, meta, children):
        trigger, target, *what = children
        value = m.Escalation(str(trigger), action, self._ref(target), _unquote(what[0]) if what else None, span=self._span(meta))
        return _Clause("escalation", value, self._span(meta))

    def notify(self, meta, children):
        return self._escalation("notify", meta, children)

    def escalate(self, meta, children):
        return self._escalation("escalate", meta, children)

    # ---- conditions ----------------------------------------------------------

    def or_guard(self, meta, children):
        return m.AnyOf(tuple(children), span=self._span(meta))

    def and_guard(self, meta, children):
        return m.All(tuple(children), span=self._span(meta))

    def negation(self, meta, children):
        return m.Not(children[0], span=self._span(meta))

    def fact_holds(self, meta, children):
        return m.FactHolds(self._ref(children[0]), span=self._span(meta))

    def fact_not_holds(self, meta, children):
        return m.FactHolds(self._ref(children[0]), negated=True, span=self._span(meta))

    def fact_is(self, meta, children):
        return m.FactIs(self._ref(children[0]), self._ref(children[1]), span=self._span(meta))

    def fact_is_not(self, meta, children):
        return m.FactIs(self._ref(children[0]), self._ref(children[1]), negated=True, span=self._span(meta))

    def fact_compare(self, meta, children):
        fact, operator, number = children
        value = self._number(number)
        return m.FactCompare(self._ref(fact), str(operator), value if value is not None else 0, span=self._span(meta))

    # ---- case scenarios ------------------------------------------------------

    def case_file(self, meta, children):
        return list(children)

    def case_header(self, meta, children):
        fields: dict = {"name": _unquote(children[0]), "span": self._span(meta)}
        for clause in children[1:]:
            if clause.kind in fields:
                self._repeated(clause, "the case header")
                continue
            fields[clause.kind] = clause.value
            if clause.kind == "procedure_path":
                fields["procedure_span"] = clause.span
        return fields

    def case_procedure(self, meta, children):
        return _Clause("procedure_path", _unquote(children[0]), self._token_span(children[0]))

    def as_of(self, meta, children):
        return _Clause("as_of", self._date(children[0]), self._span(meta))

    def facts_block(self, meta, children):
        return tuple(children)

    def fact_value_name(self, meta, children):
        return m.FactValue(self._ref(children[0]), str(children[1]), span=self._span(meta))

    def fact_value_number(self, meta, children):
        return m.FactValue(self._ref(children[0]), self._number(children[1]), span=self._span(meta))

    def fact_value_yes(self, meta, children):
        return m.FactValue(self._ref(children[0]), True, span=self._span(meta))

    def fact_value_no(self, meta, children):
        return m.FactValue(self._ref(children[0]), False, span=self._span(meta))

    def fact_value_unknown(self, meta, children):
        return m.FactValue(self._ref(children[0]), None, span=self._span(meta))

    def happening(self, meta, children):
        on = self._date(children[0])
        return m.Happening(on, self._ref(children[1]), done=len(children) > 2, span=self._span(meta)) if on else None

    def expect_due(self, meta, children):
        return m.Expectation("due", self._ref(children[0]), self._date(children[1]), span=self._span(meta))

    def expect_no_due(self, meta, children):
        return m.Expectation("no_due", self._ref(children[0]), span=self._span(meta))

    def expect_state(self, meta, children):
        return m.Expectation("state", self._ref(children[0]), children[1], span=self._span(meta))

    def expect_branch(self, meta, children):
        return m.Expectation("branch", self._ref(children[0]), self._ref(children[1]), span=self._span(meta))

    def expect_escalation(self, meta, children):
        *source, role, on = children
        return m.Expectation(
            "escalation", None, (self._ref(role), self._date(on)), source=self._ref(source[0]) if source else None, span=self._span(meta)
        )

    def expect_outcome(self, meta, children):
        return m.Expectation("outcome", self._ref(children[0]), span=self._span(meta))

    def expect_no_outcome(self, meta, children):
        return m.Expectation("no_outcome", span=self._span(meta))

    def expect_no_breaches(self, meta, children):
        return m.Expectation("no_breaches", span=self._span(meta))

    def state_not_applicable(self, meta, children):
        return "not_applicable"

    def state_waiting(self, meta, children):
        return "waiting"

    def state_open(self, meta, children):
        return "open"

    def state_overdue(self, meta, children):
        return "overdue"

    def state_done(self, meta, children):
        return "done"

    def state_done_on_time(self, meta, children):
        return "done_on_time"

    def state_done_late(self, meta, children):
        return "done_late"

    # ---- deadline expressions typed at `safeproc date` -----------------------

    def date_after(self, meta, children):
        return ("after", children[0], self._anchor(children[1]))

    def date_before(self, meta, children):
        return ("before", children[0], self._anchor(children[1]))

    def _anchor(self, token: Token):
        if token.type == "DATE":
            return self._date(token), self._token_span(token)
        return m.Ref(str(token), self._token_span(token))


def _unquote(token: Token) -> str:
    body = str(token)[1:-1]
    if "\\" not in body:
        return body
    out = []
    chars = iter(body)
    for ch in chars:
        if ch == "\\":
            escaped = next(chars, "")
            out.append({"n": "\n", "t": "\t"}.get(escaped, escaped))
        else:
            out.append(ch)
    return "".join(out)


def _short(token: Token) -> str:
    text = str(token)
    return text if len(text) <= 12 else text[:6] + "…" + text[-3:]


def build_procedure(source: SourceFile, chunks: tuple[ParsedChunk, ...]) -> tuple[m.Procedure, tuple[Diagnostic, ...]]:
    """Assemble one procedure from the parse trees of a file's declarations."""
    items: list = []
    diagnostics: list[Diagnostic] = []
    for chunk in chunks:
        builder = ModelBuilder(source.name, chunk.line_offset)
        items.extend(builder.transform(chunk.tree))
        diagnostics.extend(builder.diagnostics)
    return assemble(source.name, items, diagnostics)


def assemble(file: str, items: list, diagnostics: list[Diagnostic]) -> tuple[m.Procedure, tuple[Diagnostic, ...]]:
    header = None
    start = None
    roles, facts, events, nodes, background = [], [], [], [], []
    for item in items:
        if isinstance(item, m.Header):
            if header is not None:
                diagnostics.append(
                    error(
                        "P109",
                        "this file already has a procedure header",
                        item.span,
                        help="a file describes one procedure; delete one of the headers",
                    )
                )
                continue
            header = item
        elif isinstance(item, _Clause) and item.kind == "start":
            if start is not None:
                diagnostics.append(
                    error(
                        "P110",
                        "this procedure already says where it starts",
                        item.span,
                        help="a procedure has one start; to begin in different ways, start at a decision on how the case came to light",
                    )
                )
                continue
            start = item.value
        elif isinstance(item, m.Role):
            roles.append(item)
        elif isinstance(item, m.Fact):
            facts.append(item)
        elif isinstance(item, m.Event):
            events.append(item)
        elif isinstance(item, m.Background):
            background.append(item)
        else:
            nodes.append(item)
    procedure = m.Procedure(file, header, tuple(roles), tuple(facts), tuple(events), start, tuple(nodes), tuple(background))
    return procedure, tuple(diagnostics)


def build_date_expression(source: SourceFile, tree: Tree):
    builder = ModelBuilder(source.name)
    return builder.transform(tree), tuple(builder.diagnostics)


def build_case(source: SourceFile, chunks: tuple[ParsedChunk, ...]) -> tuple[m.Case | None, tuple[Diagnostic, ...]]:
    """Assemble one case scenario from the parse trees of a .case file."""
    header: dict | None = None
    facts: list[m.FactValue] = []
    happenings: list[m.Happening] = []
    expectations: list[m.Expectation] = []
    diagnostics: list[Diagnostic] = []
    for chunk in chunks:
        builder = ModelBuilder(source.name, chunk.line_offset)
        for item in builder.transform(chunk.tree):
            if isinstance(item, dict):
                if header is not None:
                    diagnostics.append(
                        error("P401", "this file already has a case header", item["span"], help="a .case file describes one case")
                    )
                    continue
                header = item
            elif isinstance(item, tuple):
                facts.extend(item)
            elif isinstance(item, m.Happening):
                happenings.append(item)
            elif isinstance(item, m.Expectation):
                expectations.append(item)
        diagnostics.extend(builder.diagnostics)
    if header is None:
        diagnostics.append(
            error(
                "P402",
                "this case file has no case header",
                Span.point(source.name, 1, 1),
                help='begin it with:\n    case "What happens in this case"\n      procedure "path/to/procedure.proc"\n    end',
            )
        )
        return None, tuple(diagnostics)
    case = m.Case(
        header["name"],
        source.name,
        header.get("procedure_path"),
        header.get("procedure_span"),
        header.get("as_of"),
        tuple(facts),
        tuple(happenings),
        tuple(expectations),
        span=header["span"],
    )
    return case, tuple(diagnostics)
