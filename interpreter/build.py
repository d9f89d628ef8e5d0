"""From Lark parse trees to the frozen model (a Lark Transformer).

The builder checks only what the tree alone can tell: a keyword used as a name, a
number too large to mean anything, a date that does not exist, a clause given
twice. Whether names refer to anything is the resolver's work.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, cast

from attrs import evolve, frozen
from lark import Token, Transformer_NonRecursive, Tree, v_args
from lark.tree import Meta

from interpreter import model as m
from interpreter.calendar import FIRST_YEAR, LAST_YEAR
from interpreter.diagnostics import Diagnostic, error
from interpreter.source import SourceFile, Span
from interpreter.syntax import RESERVED_WORDS, ParsedChunk

# How each unit is written, singular and plural ("working days" -> working_days).
UNIT_WORDS = {
    **{unit.value.replace("_", " "): unit for unit in m.Unit},
    **{unit.value.replace("_", " ")[:-1]: unit for unit in m.Unit},
}

# Larger than any deadline a procedure could mean, small enough for date arithmetic.
MAX_AMOUNT = 100_000


@frozen(kw_only=True)
class CaseHeader:
    """What a case's header block says, before the case is assembled around it."""

    name: str
    span: Span | None
    procedure_path: str | None = None
    procedure_span: Span | None = None
    as_of: date | None = None

    def case(
        self,
        file: str,
        facts: tuple[m.FactValue, ...] = (),
        happenings: tuple[m.Happening, ...] = (),
        expectations: tuple[m.Expectation, ...] = (),
        learnt: tuple[m.FactLearnt, ...] = (),
    ) -> m.Case:
        return m.Case(
            name=self.name,
            file=file,
            procedure_path=self.procedure_path,
            procedure_span=self.procedure_span,
            as_of=self.as_of,
            facts=facts,
            happenings=happenings,
            learnt=learnt,
            expectations=expectations,
            span=self.span,
        )


class _Clause:
    """A clause of a block, before the block gathers its clauses into one node."""

    __slots__ = ("kind", "value", "span")

    def __init__(self, kind: str, value: Any, span: Span | None):
        self.kind = kind
        self.value = value
        self.span = span


@v_args(meta=True)
class ModelBuilder(Transformer_NonRecursive):
    """Each rule's method takes the node's position (Lark's meta) and its transformed children.

    Non-recursive, because a file of ten thousand steps is a wide, deep tree.
    """

    def __init__(self, file: str, line_offset: int = 0):
        super().__init__(visit_tokens=False)
        self.file = file
        self.line_offset = line_offset
        self.diagnostics: list[Diagnostic] = []

    # ---- helpers -------------------------------------------------------------

    def _span(self, meta: Meta) -> Span | None:
        if getattr(meta, "empty", True):
            return None
        return Span(self.file, meta.line + self.line_offset, meta.column, meta.end_line + self.line_offset, meta.end_column)

    def _token_span(self, token: Token) -> Span:
        # Lark types token positions as optional; this parser always records them.
        line, column, end_line, end_column = cast(tuple[int, int, int, int], (token.line, token.column, token.end_line, token.end_column))
        return Span(self.file, line + self.line_offset, column, end_line + self.line_offset, end_column)

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

    def _title(self, children: list[Any]) -> str | None:
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

    def procedure_file(self, meta: Meta, children: list[Any]) -> list[Any]:
        return list(children)

    def header(self, meta: Meta, children: list[Any]) -> m.Header:
        fields: dict = {"title": _unquote(children[0])}
        for clause in children[1:]:
            if clause.kind in fields and clause.kind != "closures":
                self._repeated(clause, "the procedure header")
                continue
            if clause.kind == "closures":
                fields["closures"] = fields.get("closures", ()) + clause.value
            elif clause.kind in ("calendar", "implements", "replaces"):
                fields[clause.kind] = clause.value
                fields[f"{clause.kind}_span"] = clause.span
            else:
                fields[clause.kind] = clause.value
        return m.Header(span=self._span(meta), **fields)

    def source(self, meta: Meta, children: list[Any]) -> _Clause:
        return _Clause("source", _unquote(children[0]), self._span(meta))

    def version(self, meta: Meta, children: list[Any]) -> _Clause:
        return _Clause("version", _unquote(children[0]), self._span(meta))

    def calendar(self, meta: Meta, children: list[Any]) -> _Clause:
        return _Clause("calendar", str(children[0]), self._token_span(children[0]))

    def implements(self, meta: Meta, children: list[Any]) -> _Clause:
        token = children[0]
        value = _unquote(token) if token.type == "STRING" else str(token)
        return _Clause("implements", value, self._span(meta))

    def in_force(self, meta: Meta, children: list[Any]) -> _Clause:
        return _Clause("in_force_from", self._date(children[0]), self._span(meta))

    def replaces(self, meta: Meta, children: list[Any]) -> _Clause:
        token = children[0]
        return _Clause("replaces", _unquote(token) if token.type == "STRING" else str(token), self._span(meta))

    def closed(self, meta: Meta, children: list[Any]) -> _Clause:
        return _Clause("closures", tuple(c for c in children if c is not None), self._span(meta))

    def closure(self, meta: Meta, children: list[Any]) -> tuple[date, date] | None:
        first = self._date(children[0])
        last = self._date(children[1]) if len(children) > 1 else first
        if first is None or last is None:
            return None
        outside = [(day, token) for day, token in zip((first, last), children) if not FIRST_YEAR <= day.year <= LAST_YEAR]
        if outside:
            day, token = outside[0]
            self.diagnostics.append(
                error(
                    "P026",
                    f"the closure day {day} is outside the years the calendar knows ({FIRST_YEAR} to {LAST_YEAR})",
                    self._token_span(token),
                    help="check the year for a typing mistake: safeproc counts working days from 1995 to 2074 only",
                )
            )
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

    def role_decl(self, meta: Meta, children: list[Any]) -> m.Role:
        external = isinstance(children[0], Token) and children[0].type == "EXTERNAL"
        rest = children[1:] if external else children
        name = self._name(rest[0])
        return m.Role(
            name=name,
            title=self._title(rest[1:]),
            external=external,
            plays=self._clause(rest, "plays"),
            delegated_by=self._clause(rest, "delegated_by"),
            cites=self._cites(rest),
            span=self._token_span(rest[0]),
        )

    def group_decl(self, meta: Meta, children: list[Any]) -> m.Role:
        name = self._name(children[0])
        members = next(c for c in children if isinstance(c, tuple))
        return m.Role(
            name=name,
            title=self._title(children[1:]),
            members=members,
            plays=self._clause(children, "plays"),
            delegated_by=self._clause(children, "delegated_by"),
            cites=self._cites(children),
            span=self._token_span(children[0]),
        )

    def plays(self, meta: Meta, children: list[Any]) -> _Clause:
        return _Clause("plays", self._ref(children[0]), self._span(meta))

    def delegated(self, meta: Meta, children: list[Any]) -> _Clause:
        return _Clause("delegated_by", self._ref(children[0]), self._span(meta))

    @staticmethod
    def _clause(children: list[Any], kind: str) -> Any:
        return next((c.value for c in children if isinstance(c, _Clause) and c.kind == kind), None)

    def name_list(self, meta: Meta, children: list[Any]) -> tuple[m.Ref, ...]:
        return tuple(self._ref(token) for token in children)

    def fact_decl(self, meta: Meta, children: list[Any]) -> m.Fact:
        name = self._name(children[0])
        fact_type, choices = next(c for c in children if isinstance(c, tuple) and len(c) == 2 and isinstance(c[0], str))
        return m.Fact(
            name=name,
            title=self._title(children[1:]),
            type=fact_type,
            choices=choices,
            cites=self._cites(children),
            span=self._token_span(children[0]),
        )

    def boolean_type(self, meta: Meta, children: list[Any]) -> tuple[m.FactType, tuple[m.Ref, ...]]:
        return (m.FactType.BOOLEAN, ())

    def choice_type(self, meta: Meta, children: list[Any]) -> tuple[m.FactType, tuple[m.Ref, ...]]:
        return (m.FactType.CHOICE, children[0])

    def number_type(self, meta: Meta, children: list[Any]) -> tuple[m.FactType, tuple[m.Ref, ...]]:
        return (m.FactType.NUMBER, ())

    def event_decl(self, meta: Meta, children: list[Any]) -> m.Event:
        return m.Event(
            name=self._name(children[0]), title=self._title(children[1:]), cites=self._cites(children), span=self._token_span(children[0])
        )

    def start_decl(self, meta: Meta, children: list[Any]) -> _Clause:
        return _Clause("start", self._ref(children[0]), self._span(meta))

    # ---- the flow ------------------------------------------------------------

    def step_decl(self, meta: Meta, children: list[Any]) -> m.Step:
        name, title, clauses = self._block_parts(children)
        fields = self._flow_fields(
            clauses,
            "step",
            name,
            allowed={"owner", "duty", "cites", "produces", "sends", "deadline", "escalation", "next", "branch_ends", "satisfies"},
        )
        return m.Step(name=name, title=title, span=self._token_span(children[0]), **fields)

    def decision_decl(self, meta: Meta, children: list[Any]) -> m.Decision:
        name, title, clauses = self._block_parts(children)
        fields = self._flow_fields(
            clauses, "decision", name, allowed={"owner", "duty", "cites", "deadline", "escalation", "branch", "otherwise", "satisfies"}
        )
        return m.Decision(name=name, title=title, span=self._token_span(children[0]), **fields)

    def parallel_decl(self, meta: Meta, children: list[Any]) -> m.Parallel:
        name, title, clauses = self._block_parts(children)
        fields = self._flow_fields(clauses, "parallel", name, allowed={"cites", "fork"})
        return m.Parallel(name=name, title=title, span=self._token_span(children[0]), **fields)

    def join_decl(self, meta: Meta, children: list[Any]) -> m.Join:
        name, title, clauses = self._block_parts(children)
        fields = self._flow_fields(clauses, "join", name, allowed={"waits", "cites", "next", "branch_ends"})
        return m.Join(name=name, title=title, span=self._token_span(children[0]), **fields)

    def background_decl(self, meta: Meta, children: list[Any]) -> m.Background:
        *paragraphs, reason = children
        return m.Background(paragraphs=tuple(paragraphs), reason=_unquote(reason), span=self._span(meta))

    def outcome_decl(self, meta: Meta, children: list[Any]) -> m.Outcome:
        return m.Outcome(
            name=self._name(children[0]),
            title=self._title(children[1:]),
            ends_case=any(isinstance(c, _Clause) and c.kind == "ends_case" for c in children),
            cites=self._cites(children),
            span=self._token_span(children[0]),
        )

    def ends_case(self, meta: Meta, children: list[Any]) -> _Clause:
        return _Clause("ends_case", True, self._span(meta))

    def _block_parts(self, children: list[Any]) -> tuple[str, str | None, list[Any]]:
        name = self._name(children[0])
        rest = children[1:]
        title = None
        if rest and isinstance(rest[0], Token) and rest[0].type == "STRING":
            title = _unquote(rest[0])
            rest = rest[1:]
        return name, title, rest

    def _flow_fields(self, clauses: list[Any], kind: str, name: str, allowed: set[str]) -> dict[str, Any]:
        fields: dict = {}
        deadlines: list[m.Deadline] = []
        escalations: list[m.Escalation] = []
        branches: list[m.Branch] = []
        forks: list[m.Ref] = []
        cites: list[str] = []
        produces: list[str] = []
        sends: list[m.Sending] = []
        exit_clause: _Clause | None = None  # `next` or `this branch ends`: where the flow goes after this
        satisfies: list[m.Ref] = []
        duties: list[m.Duty] = []
        last_duty: m.Duty | None = None
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
                deadlines.append(evolve(deadline, duty=last_duty))
            elif clause.kind == "escalation":
                # It answers for the last deadline before it that has a due date (`within`, `before`):
                # a lower bound (`at least ... after`) cannot be missed by being late.
                dated = [i for i, d in enumerate(deadlines) if d.kind in (m.DeadlineKind.WITHIN, m.DeadlineKind.BEFORE)]
                escalations.append(evolve(clause.value, deadline=dated[-1]) if dated else clause.value)
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
            elif clause.kind == "sends":
                sends.append(clause.value)
            elif clause.kind in ("next", "branch_ends") and exit_clause is not None and exit_clause.kind != clause.kind:
                self.diagnostics.append(
                    error(
                        "P025",
                        f"{kind} `{name}` both goes on (`next`) and ends its branch (`this branch ends`)",
                        clause.span,
                        help="a branch either goes on to another step or ends here: keep one of the two",
                    )
                )
            elif clause.kind == "branch_ends":
                exit_clause = clause
                self._set_once(fields, "ends_branch", True, clause, f"{kind} `{name}`")
            elif clause.kind in ("owner", "next", "otherwise", "waits"):
                if clause.kind == "next":
                    exit_clause = clause
                self._set_once(fields, clause.kind if clause.kind != "waits" else "mode", clause.value, clause, f"{kind} `{name}`")
            last_duty = None
        # An escalation written before any dated deadline answers for the first one.
        first_dated = next((i for i, d in enumerate(deadlines) if d.kind in (m.DeadlineKind.WITHIN, m.DeadlineKind.BEFORE)), None)
        if first_dated is not None:
            escalations = [e if e.deadline is not None else evolve(e, deadline=first_dated) for e in escalations]
        strongest = max(duties, key=lambda duty: duty.rank) if duties else None
        # A deadline written without a duty of its own takes the step's.
        deadlines = [d if d.duty else evolve(d, duty=strongest) for d in deadlines]
        result: dict[str, Any] = {"cites": tuple(cites)}
        if "duty" in allowed:
            result["duty"] = strongest
        if "deadline" in allowed:
            result["deadlines"] = tuple(deadlines)
            result["escalations"] = tuple(escalations)
        if "produces" in allowed:
            result["produces"] = tuple(produces)
        if "sends" in allowed:
            result["sends"] = tuple(sends)
        if "satisfies" in allowed:
            result["satisfies"] = tuple(satisfies)
        if "branch" in allowed:
            result["branches"] = tuple(branches)
        if "fork" in allowed:
            result["branches"] = tuple(forks)
        result.update(fields)
        return result

    def _set_once(self, fields: dict[str, Any], key: str, value: object, clause: _Clause, where: str) -> None:
        if key in fields:
            self._repeated(clause, where)
            return
        fields[key] = value

    def _repeated(self, clause: _Clause, where: str) -> None:
        word = {
            "owner": "an owner (`by`)",
            "next": "a `next` step",
            "otherwise": "an `otherwise`",
            "waits": "a `waits for`",
            "branch_ends": "a `this branch ends`",
        }.get(clause.kind, f"a `{clause.kind}` line")
        self.diagnostics.append(error("P025", f"{where} already has {word}", clause.span, help="keep one and delete the other"))

    def _cites(self, children: list[Any]) -> tuple[str, ...]:
        found: list[str] = []
        for child in children:
            if isinstance(child, _Clause) and child.kind == "cites":
                found.extend(child.value)
        return tuple(found)

    # ---- clauses -------------------------------------------------------------

    def owner(self, meta: Meta, children: list[Any]) -> _Clause:
        return _Clause("owner", self._ref(children[0]), self._span(meta))

    def duty(self, meta: Meta, children: list[Any]) -> _Clause:
        owner = self._ref(children[1]) if len(children) > 1 else None
        return _Clause("duty", (m.Duty(children[0]), owner), self._span(meta))

    def cites(self, meta: Meta, children: list[Any]) -> _Clause:
        return _Clause("cites", tuple(children), self._span(meta))

    def citation(self, meta: Meta, children: list[Any]) -> str:
        token = children[0]
        return _unquote(token) if token.type == "STRING" else str(token)

    def produces(self, meta: Meta, children: list[Any]) -> _Clause:
        return _Clause("produces", tuple(_unquote(c) for c in children), self._span(meta))

    def sends(self, meta: Meta, children: list[Any]) -> _Clause:
        what, role = children
        return _Clause("sends", m.Sending(what=_unquote(what), to=self._ref(role), span=self._span(meta)), self._span(meta))

    def branch_ends(self, meta: Meta, children: list[Any]) -> _Clause:
        return _Clause("branch_ends", True, self._span(meta))

    def satisfies(self, meta: Meta, children: list[Any]) -> _Clause:
        return _Clause("satisfies", self._ref(children[0]), self._span(meta))

    def next(self, meta: Meta, children: list[Any]) -> _Clause:
        return _Clause("next", self._ref(children[0]), self._span(meta))

    def branch(self, meta: Meta, children: list[Any]) -> _Clause:
        guard, target = children
        return _Clause("branch", m.Branch(guard=guard, target=self._ref(target), span=self._span(meta)), self._span(meta))

    def otherwise(self, meta: Meta, children: list[Any]) -> _Clause:
        return _Clause("otherwise", self._ref(children[0]), self._span(meta))

    def fork(self, meta: Meta, children: list[Any]) -> _Clause:
        return _Clause("fork", self._ref(children[0]), self._span(meta))

    def waits(self, meta: Meta, children: list[Any]) -> _Clause:
        return _Clause("waits", m.JoinMode(children[0]), self._span(meta))

    # ---- time ----------------------------------------------------------------

    def duration(self, meta: Meta, children: list[Any]) -> m.Duration | None:
        amount, unit = children
        number = self._number(amount)
        if number is None:
            return None
        return m.Duration(number, UNIT_WORDS[" ".join(str(unit).split())], span=self._span(meta))

    def _deadline(self, kind: m.DeadlineKind, meta: Meta, children: list[Any]) -> _Clause:
        duration, anchor = children
        if duration is None:
            return _Clause("invalid", None, self._span(meta))
        value = m.Deadline(kind=kind, duration=duration, anchor=self._ref(anchor), span=self._span(meta))
        return _Clause("deadline", value, self._span(meta))

    def within_after(self, meta: Meta, children: list[Any]) -> _Clause:
        return self._deadline(m.DeadlineKind.WITHIN, meta, children)

    def at_least_before(self, meta: Meta, children: list[Any]) -> _Clause:
        return self._deadline(m.DeadlineKind.BEFORE, meta, children)

    def at_least_after(self, meta: Meta, children: list[Any]) -> _Clause:
        return self._deadline(m.DeadlineKind.NOT_BEFORE, meta, children)

    def for_at_least(self, meta: Meta, children: list[Any]) -> _Clause:
        return self._deadline(m.DeadlineKind.LASTS, meta, children)

    def _escalation(self, action: m.EscalationAction, meta: Meta, children: list[Any]) -> _Clause:
        trigger, target, *what = children
        value = m.Escalation(
            trigger=m.Trigger(trigger),
            action=action,
            target=self._ref(target),
            what=_unquote(what[0]) if what else None,
            span=self._span(meta),
        )
        return _Clause("escalation", value, self._span(meta))

    def notify(self, meta: Meta, children: list[Any]) -> _Clause:
        return self._escalation(m.EscalationAction.NOTIFY, meta, children)

    def escalate(self, meta: Meta, children: list[Any]) -> _Clause:
        return self._escalation(m.EscalationAction.ESCALATE, meta, children)

    # ---- conditions ----------------------------------------------------------

    def or_guard(self, meta: Meta, children: list[Any]) -> m.AnyOf:
        return m.AnyOf(tuple(children), span=self._span(meta))

    def and_guard(self, meta: Meta, children: list[Any]) -> m.All:
        return m.All(tuple(children), span=self._span(meta))

    def negation(self, meta: Meta, children: list[Any]) -> m.Not:
        return m.Not(children[0], span=self._span(meta))

    def fact_holds(self, meta: Meta, children: list[Any]) -> m.FactHolds:
        return m.FactHolds(self._ref(children[0]), span=self._span(meta))

    def fact_not_holds(self, meta: Meta, children: list[Any]) -> m.FactHolds:
        return m.FactHolds(self._ref(children[0]), negated=True, span=self._span(meta))

    def fact_is(self, meta: Meta, children: list[Any]) -> m.FactIs:
        return m.FactIs(self._ref(children[0]), self._ref(children[1]), span=self._span(meta))

    def fact_is_not(self, meta: Meta, children: list[Any]) -> m.FactIs:
        return m.FactIs(self._ref(children[0]), self._ref(children[1]), negated=True, span=self._span(meta))

    def fact_in(self, meta: Meta, children: list[Any]) -> m.FactIn:
        return m.FactIn(self._ref(children[0]), children[1], span=self._span(meta))

    def fact_not_in(self, meta: Meta, children: list[Any]) -> m.FactIn:
        return m.FactIn(self._ref(children[0]), children[1], negated=True, span=self._span(meta))

    def choice_list(self, meta: Meta, children: list[Any]) -> tuple[m.Ref, ...]:
        # `yes` and `no` among the choices: the resolver says the fact is yes or no, not that these are keywords.
        return tuple(m.Ref(str(token), self._token_span(token)) for token in children)

    def fact_compare(self, meta: Meta, children: list[Any]) -> m.FactCompare:
        fact, operator, number = children
        value = self._number(number)
        return m.FactCompare(self._ref(fact), str(operator), value if value is not None else 0, span=self._span(meta))

    # ---- case scenarios ------------------------------------------------------

    def case_file(self, meta: Meta, children: list[Any]) -> list[Any]:
        return list(children)

    def case_header(self, meta: Meta, children: list[Any]) -> CaseHeader:
        fields: dict[str, Any] = {}
        for clause in children[1:]:
            if clause.kind in fields:
                self._repeated(clause, "the case header")
                continue
            fields[clause.kind] = clause.value
            if clause.kind == "procedure_path":
                fields["procedure_span"] = clause.span
        return CaseHeader(name=_unquote(children[0]), span=self._span(meta), **fields)

    def case_procedure(self, meta: Meta, children: list[Any]) -> _Clause:
        return _Clause("procedure_path", _unquote(children[0]), self._token_span(children[0]))

    def as_of(self, meta: Meta, children: list[Any]) -> _Clause:
        return _Clause("as_of", self._date(children[0]), self._span(meta))

    def facts_block(self, meta: Meta, children: list[Any]) -> tuple[m.FactValue, ...]:
        return tuple(children)

    def _fact_value(self, meta: Meta, name: Token, value: str | int | bool | None) -> m.FactValue:
        return m.FactValue(fact=self._ref(name), value=value, span=self._span(meta))

    def fact_value_name(self, meta: Meta, children: list[Any]) -> m.FactValue:
        return self._fact_value(meta, children[0], str(children[1]))

    def fact_value_number(self, meta: Meta, children: list[Any]) -> m.FactValue:
        return self._fact_value(meta, children[0], self._number(children[1]))

    def fact_value_yes(self, meta: Meta, children: list[Any]) -> m.FactValue:
        return self._fact_value(meta, children[0], True)

    def fact_value_no(self, meta: Meta, children: list[Any]) -> m.FactValue:
        return self._fact_value(meta, children[0], False)

    def fact_value_unknown(self, meta: Meta, children: list[Any]) -> m.FactValue:
        return self._fact_value(meta, children[0], None)

    def happening(self, meta: Meta, children: list[Any]) -> m.Happening | None:
        on = self._date(children[0])
        if on is None:
            return None
        return m.Happening(on=on, name=self._ref(children[1]), done=len(children) > 2, span=self._span(meta))

    def fact_learnt(self, meta: Meta, children: list[Any]) -> m.FactLearnt | None:
        on = self._date(children[0])
        if on is None:
            return None
        return m.FactLearnt(on=on, fact=children[1], span=self._span(meta))

    def _expectation(self, kind: m.ExpectationKind, meta: Meta, **fields: Any) -> m.Expectation:
        return m.Expectation(kind=kind, span=self._span(meta), **fields)

    def expect_due(self, meta: Meta, children: list[Any]) -> m.Expectation:
        return self._expectation(m.ExpectationKind.DUE, meta, subject=self._ref(children[0]), on=self._date(children[1]))

    def expect_deadline_due(self, meta: Meta, children: list[Any]) -> m.Expectation:
        step, place, on = children
        return self._expectation(
            m.ExpectationKind.DEADLINE_DUE, meta, subject=self._ref(step), place=self._number(place), on=self._date(on)
        )

    def expect_no_escalation(self, meta: Meta, children: list[Any]) -> m.Expectation:
        return self._expectation(m.ExpectationKind.NO_ESCALATION, meta, source=self._ref(children[0]) if children else None)

    def expect_not_before(self, meta: Meta, children: list[Any]) -> m.Expectation:
        return self._expectation(m.ExpectationKind.NOT_BEFORE, meta, subject=self._ref(children[0]), on=self._date(children[1]))

    def expect_no_due(self, meta: Meta, children: list[Any]) -> m.Expectation:
        return self._expectation(m.ExpectationKind.NO_DUE, meta, subject=self._ref(children[0]))

    def expect_state(self, meta: Meta, children: list[Any]) -> m.Expectation:
        return self._expectation(m.ExpectationKind.STATE, meta, subject=self._ref(children[0]), state=children[1])

    def expect_branch(self, meta: Meta, children: list[Any]) -> m.Expectation:
        return self._expectation(m.ExpectationKind.BRANCH, meta, subject=self._ref(children[0]), target=self._ref(children[1]))

    def expect_escalation(self, meta: Meta, children: list[Any]) -> m.Expectation:
        *source, role, on = children
        return self._expectation(
            m.ExpectationKind.ESCALATION,
            meta,
            role=self._ref(role),
            on=self._date(on),
            source=self._ref(source[0]) if source else None,
        )

    def expect_outcome(self, meta: Meta, children: list[Any]) -> m.Expectation:
        return self._expectation(m.ExpectationKind.OUTCOME, meta, subject=self._ref(children[0]))

    def expect_no_outcome(self, meta: Meta, children: list[Any]) -> m.Expectation:
        return self._expectation(m.ExpectationKind.NO_OUTCOME, meta)

    def expect_no_breaches(self, meta: Meta, children: list[Any]) -> m.Expectation:
        return self._expectation(m.ExpectationKind.NO_BREACHES, meta)

    def state_not_applicable(self, meta: Meta, children: list[Any]) -> m.StepState:
        return m.StepState.NOT_APPLICABLE

    def state_waiting(self, meta: Meta, children: list[Any]) -> m.StepState:
        return m.StepState.WAITING

    def state_open(self, meta: Meta, children: list[Any]) -> m.StepState:
        return m.StepState.OPEN

    def state_overdue(self, meta: Meta, children: list[Any]) -> m.StepState:
        return m.StepState.OVERDUE

    def state_done(self, meta: Meta, children: list[Any]) -> m.StepState:
        return m.StepState.DONE

    def state_done_on_time(self, meta: Meta, children: list[Any]) -> m.StepState:
        return m.StepState.DONE_ON_TIME

    def state_done_late(self, meta: Meta, children: list[Any]) -> m.StepState:
        return m.StepState.DONE_LATE

    # ---- deadline expressions typed at `safeproc date` -----------------------

    def date_after(self, meta: Meta, children: list[Any]) -> tuple[str, m.Duration | None, tuple[date | None, Span] | m.Ref]:
        return ("after", children[0], self._anchor(children[1]))

    def date_before(self, meta: Meta, children: list[Any]) -> tuple[str, m.Duration | None, tuple[date | None, Span] | m.Ref]:
        return ("before", children[0], self._anchor(children[1]))

    def _anchor(self, token: Token) -> tuple[date | None, Span] | m.Ref:
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


def build_procedure(
    source: SourceFile, chunks: Iterable[ParsedChunk], built: dict[int, tuple[Tree, int, Any]] | None = None
) -> tuple[m.Procedure, tuple[Diagnostic, ...]]:
    """Assemble one procedure from the parse trees of a file's declarations; with `built`
    (a PieceCache's), reusing what was made of a tree that stands at the same line as before."""
    items: list[Any] = []
    diagnostics: list[Diagnostic] = []
    for chunk in chunks:
        known = built.get(id(chunk.tree)) if built is not None else None
        if known is not None and known[1] == chunk.line_offset:
            declarations, reported = known[2]
        elif built is None and chunk.tree.data == "procedure_file":
            declarations, reported = _build_consuming(ModelBuilder(source.name, chunk.line_offset), chunk.tree)
        else:
            builder = ModelBuilder(source.name, chunk.line_offset)
            declarations, reported = builder.transform(chunk.tree), list(builder.diagnostics)
            if built is not None:
                built[id(chunk.tree)] = (chunk.tree, chunk.line_offset, (declarations, reported))
        items.extend(declarations)
        diagnostics.extend(reported)
    return assemble(source.name, items, diagnostics)


def _build_consuming(builder: ModelBuilder, tree: Tree) -> tuple[list[Any], list[Diagnostic]]:
    """The declarations of a whole file's tree, each declaration's subtree let go once it is built.

    The tree and the model together were the peak of memory at ten thousand steps; this
    way the one shrinks as the other grows. The tree is left empty: only the command
    line's one-off analysis, which keeps no trees, builds this way.
    """
    declarations = []
    pending = tree.children
    pending.reverse()
    while pending:
        child = pending.pop()
        declarations.append(builder.transform(child) if isinstance(child, Tree) else child)
    return declarations, list(builder.diagnostics)


def assemble(file: str, items: list[Any], diagnostics: list[Diagnostic]) -> tuple[m.Procedure, tuple[Diagnostic, ...]]:
    header = None
    start = None
    roles: list[m.Role] = []
    facts: list[m.Fact] = []
    events: list[m.Event] = []
    nodes: list[m.FlowNode] = []
    background: list[m.Background] = []
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
    procedure = m.Procedure(
        file=file,
        header=header,
        roles=tuple(roles),
        facts=tuple(facts),
        events=tuple(events),
        start=start,
        nodes=tuple(nodes),
        background=tuple(background),
    )
    return procedure, tuple(diagnostics)


def build_date_expression(source: SourceFile, tree: Tree) -> tuple[Any, tuple[Diagnostic, ...]]:
    builder = ModelBuilder(source.name)
    return builder.transform(tree), tuple(builder.diagnostics)


def build_case(source: SourceFile, chunks: tuple[ParsedChunk, ...]) -> tuple[m.Case | None, tuple[Diagnostic, ...]]:
    """Assemble one case scenario from the parse trees of a .case file."""
    header: CaseHeader | None = None
    facts: list[m.FactValue] = []
    happenings: list[m.Happening] = []
    learnt: list[m.FactLearnt] = []
    expectations: list[m.Expectation] = []
    diagnostics: list[Diagnostic] = []
    for chunk in chunks:
        builder = ModelBuilder(source.name, chunk.line_offset)
        for item in builder.transform(chunk.tree):
            if isinstance(item, CaseHeader):
                if header is not None:
                    diagnostics.append(
                        error("P401", "this file already has a case header", item.span, help="a .case file describes one case")
                    )
                    continue
                header = item
            elif isinstance(item, tuple):
                facts.extend(item)
            elif isinstance(item, m.Happening):
                happenings.append(item)
            elif isinstance(item, m.FactLearnt):
                learnt.append(item)
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
    case = header.case(source.name, tuple(facts), tuple(happenings), tuple(expectations), tuple(learnt))
    return case, tuple(diagnostics)
