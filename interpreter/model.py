"""The frozen model of a procedure, as the builder makes it from the parse tree.

Everything is immutable and hashable: tuples, never lists. Other declarations are
referred to by name (a `Ref`); the resolver checks the names and the graph stage
links them. Every node carries a `Span` that takes no part in equality.
"""

from __future__ import annotations

from datetime import date

from attrs import field, frozen

from interpreter.source import Span

DUTIES = ("must", "should", "may")
DUTY_RANK = {"must": 3, "should": 2, "may": 1}


def _span():
    return field(eq=False, default=None, repr=False)


@frozen
class Ref:
    """A use of a name, remembered with where it was written."""

    name: str
    span: Span | None = _span()


# ---- the facts of a case and conditions over them --------------------------


@frozen
class FactHolds:
    fact: Ref
    negated: bool = False
    span: Span | None = _span()


@frozen
class FactIs:
    fact: Ref
    value: Ref
    negated: bool = False
    span: Span | None = _span()


@frozen
class FactCompare:
    fact: Ref
    operator: str
    number: int
    span: Span | None = _span()


@frozen
class Not:
    operand: Guard
    span: Span | None = _span()


@frozen
class All:
    operands: tuple[Guard, ...]
    span: Span | None = _span()


@frozen
class AnyOf:
    operands: tuple[Guard, ...]
    span: Span | None = _span()


Guard = FactHolds | FactIs | FactCompare | Not | All | AnyOf


def facts_tested(guard: Guard):
    """The names of the facts a guard tests, in no particular order (without recursion)."""
    stack = [guard]
    while stack:
        current = stack.pop()
        if isinstance(current, (All, AnyOf)):
            stack.extend(current.operands)
        elif isinstance(current, Not):
            stack.append(current.operand)
        else:
            yield current.fact.name


# ---- time -------------------------------------------------------------------


@frozen
class Duration:
    amount: int
    unit: str  # one of interpreter.calendar.UNITS
    span: Span | None = _span()

    def __str__(self) -> str:
        word = self.unit.replace("_", " ")
        if self.amount == 1:
            word = word[:-1]
        return f"{self.amount} {word}"


# Deadline kinds, read as "the step's completion, relative to the anchor":
#   within       done at most D after the anchor
#   not_before   done at least D after the anchor
#   before       done at least D before the anchor
#   lasts        kept up for at least D after the anchor
DEADLINE_KINDS = ("within", "not_before", "before", "lasts")


@frozen
class Deadline:
    kind: str
    duration: Duration
    anchor: Ref
    duty: str | None = None
    span: Span | None = _span()


@frozen
class Escalation:
    trigger: str  # "late" or "overdue"
    action: str  # "notify" a role or "escalate" to a step
    target: Ref
    what: str | None = None
    span: Span | None = _span()


# ---- who and what -------------------------------------------------------------


@frozen
class Role:
    name: str
    title: str | None
    external: bool = False
    members: tuple[Ref, ...] = ()  # a group's member roles
    plays: Ref | None = None
    cites: tuple[str, ...] = ()
    span: Span | None = _span()

    @property
    def is_group(self) -> bool:
        return bool(self.members)


FACT_TYPES = ("boolean", "choice", "number")


@frozen
class Fact:
    name: str
    title: str | None
    type: str
    choices: tuple[Ref, ...] = ()
    cites: tuple[str, ...] = ()
    span: Span | None = _span()


@frozen
class Event:
    name: str
    title: str | None
    cites: tuple[str, ...] = ()
    span: Span | None = _span()


# ---- the flow -----------------------------------------------------------------


@frozen
class Branch:
    guard: Guard
    target: Ref
    span: Span | None = _span()


@frozen
class Step:
    name: str
    title: str | None
    owner: Ref | None = None
    duty: str | None = None
    cites: tuple[str, ...] = ()
    produces: tuple[str, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    escalations: tuple[Escalation, ...] = ()
    next: Ref | None = None
    satisfies: tuple[Ref, ...] = ()
    span: Span | None = _span()
    kind = "step"


@frozen
class Decision:
    name: str
    title: str | None
    owner: Ref | None = None
    duty: str | None = None
    cites: tuple[str, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    escalations: tuple[Escalation, ...] = ()
    branches: tuple[Branch, ...] = ()
    otherwise: Ref | None = None
    satisfies: tuple[Ref, ...] = ()
    span: Span | None = _span()
    kind = "decision"


@frozen
class Parallel:
    name: str
    title: str | None
    branches: tuple[Ref, ...] = ()
    cites: tuple[str, ...] = ()
    span: Span | None = _span()
    kind = "parallel"


@frozen
class Join:
    name: str
    title: str | None
    mode: str = "all"  # "all" or "any"
    next: Ref | None = None
    cites: tuple[str, ...] = ()
    span: Span | None = _span()
    kind = "join"


@frozen
class Outcome:
    name: str
    title: str | None
    cites: tuple[str, ...] = ()
    span: Span | None = _span()
    kind = "outcome"


FlowNode = Step | Decision | Parallel | Join | Outcome
# Everything a procedure declares under a name.
Declaration = Role | Fact | Event | FlowNode


@frozen
class Header:
    title: str
    source: str | None = None
    version: str | None = None
    calendar: str | None = None
    calendar_span: Span | None = _span()
    implements: str | None = None
    closures: tuple[tuple[date, date], ...] = ()
    span: Span | None = _span()


@frozen
class Background:
    """Paragraphs of the source that carry no rule, and why (for traceability)."""

    paragraphs: tuple[str, ...]
    reason: str
    span: Span | None = _span()


@frozen
class Procedure:
    file: str = field(eq=False)
    header: Header | None
    roles: tuple[Role, ...] = ()
    facts: tuple[Fact, ...] = ()
    events: tuple[Event, ...] = ()
    start: Ref | None = None
    nodes: tuple[FlowNode, ...] = ()
    background: tuple[Background, ...] = ()

    @property
    def title(self) -> str:
        return self.header.title if self.header else self.file

    def declarations(self):
        """Every named declaration, in file order within each kind."""
        yield from self.roles
        yield from self.facts
        yield from self.events
        yield from self.nodes


# ---- case scenarios --------------------------------------------------------------


@frozen
class FactValue:
    """A fact of a case: a name of one of its choices, a number, yes/no, or None for unknown."""

    fact: Ref
    value: str | int | bool | None
    span: Span | None = _span()


@frozen
class Happening:
    """On a date, an event happened, or a step (or decision) was done."""

    on: date
    name: Ref
    done: bool = False
    span: Span | None = _span()


EXPECTATION_KINDS = ("due", "no_due", "state", "branch", "escalation", "outcome", "no_outcome", "no_breaches")
STEP_STATES = ("not_applicable", "waiting", "open", "done", "overdue", "done_on_time", "done_late")


@frozen
class Expectation:
    """What a scenario says must follow: `expect submit_sin due 2024-01-15` and the like."""

    kind: str
    subject: Ref | None = None  # the step, decision or outcome expected about
    value: object = None  # a date, a state, a branch's target Ref, an escalation's (role Ref, date)
    source: Ref | None = None  # for escalations: the step that escalates, if named
    span: Span | None = _span()


@frozen
class Case:
    name: str
    file: str = field(eq=False)
    procedure_path: str | None = None
    procedure_span: Span | None = _span()
    as_of: date | None = None
    facts: tuple[FactValue, ...] = ()
    happenings: tuple[Happening, ...] = ()
    expectations: tuple[Expectation, ...] = ()
    span: Span | None = _span()
