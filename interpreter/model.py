"""The frozen model of a procedure, as the builder makes it from the parse tree.

Everything is immutable and hashable: tuples, never lists. Other declarations are
referred to by name (a `Ref`); the resolver checks the names and the graph stage
links them. Every node carries a `Span` that takes no part in equality.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from enum import StrEnum
from typing import ClassVar, assert_never

from attrs import field, frozen

from interpreter.source import Span

# The closed vocabularies of the language. Each is an enum, so that adding a member
# makes mypy point at every `match` that does not handle it yet (each such match
# ends in `assert_never`). They are string enums: a member prints, compares and
# serialises as the word the language uses, so JSON and messages read the same.


class Duty(StrEnum):
    MUST = "must"
    SHOULD = "should"
    MAY = "may"

    @property
    def rank(self) -> int:
        """How binding the duty is: a `must` outranks a `should`, a `should` a `may`."""
        match self:
            case Duty.MUST:
                return 3
            case Duty.SHOULD:
                return 2
            case Duty.MAY:
                return 1
            case _:
                assert_never(self)


class Unit(StrEnum):
    WORKING_DAYS = "working_days"
    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"
    YEARS = "years"
    HOURS = "hours"


class DeadlineKind(StrEnum):
    """How a deadline relates the step's completion to its anchor."""

    WITHIN = "within"  # done at most D after the anchor
    NOT_BEFORE = "not_before"  # done at least D after the anchor
    BEFORE = "before"  # done at least D before the anchor
    LASTS = "lasts"  # kept up for at least D after the anchor


class FactType(StrEnum):
    BOOLEAN = "boolean"
    CHOICE = "choice"
    NUMBER = "number"


class JoinMode(StrEnum):
    ALL = "all"
    ANY = "any"


class Trigger(StrEnum):
    """When an escalation fires: once the step is `late`, or when it is `overdue` on the day asked about."""

    LATE = "late"
    OVERDUE = "overdue"


class EscalationAction(StrEnum):
    NOTIFY = "notify"  # tell a role
    ESCALATE = "escalate"  # open another step


class NodeKind(StrEnum):
    STEP = "step"
    DECISION = "decision"
    PARALLEL = "parallel"
    JOIN = "join"
    OUTCOME = "outcome"


class DeadlineState(StrEnum):
    """Where one deadline of a step stands on the day asked about."""

    NOT_STARTED = "not_started"  # what it counts from has not happened yet
    OPEN = "open"  # counting, not yet passed
    MET = "met"
    MISSED = "missed"


class StepState(StrEnum):
    """Where a step stands in a case on the day asked about (and the states `expect` can name)."""

    NOT_APPLICABLE = "not_applicable"
    WAITING = "waiting"
    OPEN = "open"
    DONE = "done"
    OVERDUE = "overdue"
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"


class ExpectationKind(StrEnum):
    DUE = "due"
    NO_DUE = "no_due"
    STATE = "state"
    BRANCH = "branch"
    ESCALATION = "escalation"
    OUTCOME = "outcome"
    NO_OUTCOME = "no_outcome"
    NO_BREACHES = "no_breaches"
    NO_ESCALATION = "no_escalation"
    DEADLINE_DUE = "deadline_due"  # the due date of one deadline of a step, by its place among them
    NOT_BEFORE = "not_before"  # the earliest day a step's lower bounds allow it done


def _span() -> Span | None:
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
class FactIn:
    """`FACT is one of a, b` (or, negated, `is not one of`)."""

    fact: Ref
    values: tuple[Ref, ...]
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


Guard = FactHolds | FactIs | FactIn | FactCompare | Not | All | AnyOf


def facts_tested(guard: Guard) -> Iterator[str]:
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
    unit: Unit
    span: Span | None = _span()

    def __str__(self) -> str:
        word = self.unit.replace("_", " ")
        if self.amount == 1:
            word = word[:-1]
        return f"{self.amount} {word}"


@frozen(kw_only=True)
class Deadline:
    kind: DeadlineKind
    duration: Duration
    anchor: Ref
    duty: Duty | None = None
    span: Span | None = _span()


@frozen(kw_only=True)
class Escalation:
    trigger: Trigger
    action: EscalationAction
    target: Ref
    what: str | None = None
    # The deadline it answers for: the one with a due date written last before it (its
    # place among the step's deadlines, from 0), or None when none is, for the first.
    deadline: int | None = None
    span: Span | None = _span()


# ---- who and what -------------------------------------------------------------


@frozen(kw_only=True)
class Role:
    name: str
    title: str | None
    external: bool = False
    members: tuple[Ref, ...] = ()  # a group's member roles
    plays: Ref | None = None  # the national specification's role it plays
    delegated_by: Ref | None = None  # the role whose duties it carries out (1.1.21: the leads delegate to the CRG)
    cites: tuple[str, ...] = ()
    span: Span | None = _span()

    @property
    def is_group(self) -> bool:
        return bool(self.members)


@frozen(kw_only=True)
class Fact:
    name: str
    title: str | None
    type: FactType
    choices: tuple[Ref, ...] = ()
    cites: tuple[str, ...] = ()
    span: Span | None = _span()


@frozen(kw_only=True)
class Event:
    name: str
    title: str | None
    cites: tuple[str, ...] = ()
    span: Span | None = _span()


# ---- the flow -----------------------------------------------------------------


@frozen(kw_only=True)
class Sending:
    """`sends "Serious Incident Notification" to national_panel`: what a step hands over, and to whom."""

    what: str
    to: Ref
    span: Span | None = _span()


@frozen(kw_only=True)
class Branch:
    guard: Guard
    target: Ref
    span: Span | None = _span()


@frozen(kw_only=True)
class Step:
    name: str
    title: str | None
    owner: Ref | None = None
    duty: Duty | None = None
    cites: tuple[str, ...] = ()
    produces: tuple[str, ...] = ()
    sends: tuple[Sending, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    escalations: tuple[Escalation, ...] = ()
    next: Ref | None = None
    ends_branch: bool = False  # `this branch ends`: the parallel branch finishes here
    satisfies: tuple[Ref, ...] = ()
    span: Span | None = _span()
    kind: ClassVar[NodeKind] = NodeKind.STEP


@frozen(kw_only=True)
class Decision:
    name: str
    title: str | None
    owner: Ref | None = None
    duty: Duty | None = None
    cites: tuple[str, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    escalations: tuple[Escalation, ...] = ()
    branches: tuple[Branch, ...] = ()
    otherwise: Ref | None = None
    satisfies: tuple[Ref, ...] = ()
    span: Span | None = _span()
    kind: ClassVar[NodeKind] = NodeKind.DECISION


@frozen(kw_only=True)
class Parallel:
    name: str
    title: str | None
    branches: tuple[Ref, ...] = ()
    cites: tuple[str, ...] = ()
    span: Span | None = _span()
    kind: ClassVar[NodeKind] = NodeKind.PARALLEL


@frozen(kw_only=True)
class Join:
    name: str
    title: str | None
    mode: JoinMode = JoinMode.ALL
    next: Ref | None = None
    ends_branch: bool = False
    cites: tuple[str, ...] = ()
    span: Span | None = _span()
    kind: ClassVar[NodeKind] = NodeKind.JOIN


@frozen(kw_only=True)
class Outcome:
    name: str
    title: str | None
    ends_case: bool = False  # `ends the whole case`: reached inside a branch, it ends every branch
    cites: tuple[str, ...] = ()
    span: Span | None = _span()
    kind: ClassVar[NodeKind] = NodeKind.OUTCOME


FlowNode = Step | Decision | Parallel | Join | Outcome
# Everything a procedure declares under a name.
Declaration = Role | Fact | Event | FlowNode
# The flow nodes somebody does: each has an owner, a duty, deadlines and escalations.
Task = Step | Decision


def deadlines_of(declaration: Declaration) -> tuple[Deadline, ...]:
    return declaration.deadlines if isinstance(declaration, (Step, Decision)) else ()


def escalations_of(declaration: Declaration) -> tuple[Escalation, ...]:
    return declaration.escalations if isinstance(declaration, (Step, Decision)) else ()


def sendings_of(declaration: Declaration) -> tuple[Sending, ...]:
    return declaration.sends if isinstance(declaration, Step) else ()


@frozen(kw_only=True)
class Header:
    title: str
    source: str | None = None
    version: str | None = None
    calendar: str | None = None
    calendar_span: Span | None = _span()
    implements: str | None = None  # a national specification: a name, or a file path
    implements_span: Span | None = _span()
    in_force_from: date | None = None  # for a national specification: the day this edition came into force
    replaces: str | None = None  # for a national specification: the edition it replaces
    replaces_span: Span | None = _span()
    closures: tuple[tuple[date, date], ...] = ()
    span: Span | None = _span()


@frozen(kw_only=True)
class Background:
    """Paragraphs of the source that carry no rule, and why (for traceability)."""

    paragraphs: tuple[str, ...]
    reason: str
    span: Span | None = _span()


@frozen(kw_only=True)
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

    def declarations(self) -> Iterator[Declaration]:
        """Every named declaration, in file order within each kind."""
        yield from self.roles
        yield from self.facts
        yield from self.events
        yield from self.nodes


# ---- case scenarios --------------------------------------------------------------


# What a fact of a case can be: a name of one of its choices, a number, yes/no, or None for unknown.
Value = str | int | bool | None


@frozen(kw_only=True)
class FactValue:
    """A fact of a case: a name of one of its choices, a number, yes/no, or None for unknown."""

    fact: Ref
    value: Value
    span: Span | None = _span()


@frozen(kw_only=True)
class Happening:
    """On a date, an event happened, or a step (or decision) was done."""

    on: date
    name: Ref
    done: bool = False
    span: Span | None = _span()


@frozen(kw_only=True)
class FactLearnt:
    """`on 2024-04-20 police_outcome is charged`: a fact that became known on a date."""

    on: date
    fact: FactValue
    span: Span | None = _span()


@frozen(kw_only=True)
class Expectation:
    """What a scenario says must follow: `expect submit_sin due 2024-01-15` and the like."""

    kind: ExpectationKind
    subject: Ref | None = None  # the step, decision or outcome expected about
    on: date | None = None  # the due date, the earliest day, or the day of an escalation
    state: StepState | None = None
    target: Ref | None = None  # the branch a decision is expected to take
    role: Ref | None = None  # the role an escalation notifies
    source: Ref | None = None  # for escalations: the step that escalates, if named
    place: int | None = None  # for one deadline of a step: its place among the step's deadlines, from 1
    span: Span | None = _span()


@frozen(kw_only=True)
class Case:
    name: str
    file: str = field(eq=False)
    procedure_path: str | None = None
    procedure_span: Span | None = _span()
    as_of: date | None = None
    facts: tuple[FactValue, ...] = ()
    happenings: tuple[Happening, ...] = ()
    learnt: tuple[FactLearnt, ...] = ()
    expectations: tuple[Expectation, ...] = ()
    span: Span | None = _span()
