"""Running a procedure against one case: which steps apply, who owns them, when each is due.

The procedure is compiled once into a `Plan` (nodes, successors, deadlines and
guards as plain Python values); each case then runs in one pass over the graph
from the start, carrying dates. The same plan and the same case always give the
same result.

Semantics, in the words of the README's "Simulating a case":
- the start opens on the case's first dated happening; a step opens when the
  step before it is done, on that date;
- a decision is taken as soon as it is reached if the facts decide it (on the
  date it is dated, if a happening dates it, else the date it was reached);
  a guard over an unknown fact leaves the case waiting there;
- a parallel split opens all its branches; a join waiting for all opens when
  every branch that leads to it and applies is done, for any on the first;
- a step's due date is the earliest of its deadlines; a deadline counted from
  something that has not happened yet has no date yet;
- an escalation fires on the first working day after a missed due date, if
  that day is on or before the date the case is seen "as of".
"""

from __future__ import annotations

import heapq
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import NamedTuple, assert_never

import networkx as nx
from attrs import field, frozen

from interpreter import model as m
from interpreter.calendar import CalendarError, WorkingCalendar
from interpreter.diagnostics import Diagnostic, Label, error, warning
from interpreter.graph import FLOW_EDGE_KINDS
from interpreter.resolve import ResolvedProcedure
from interpreter.source import Span
from interpreter.wording import guard_text

Facts = Mapping[str, m.Value]  # fact name -> value; a fact missing or None is unknown


# Results are named tuples: a batch makes one per step per case.
class StepResult(NamedTuple):
    step: str
    title: str
    owner: str | None
    kind: m.NodeKind
    state: m.StepState  # not applicable, waiting, open, done or overdue (done on time or late is `late`)
    due: date | None
    done_on: date | None
    late: bool
    opened_on: date | None


class Reason(NamedTuple):
    """Why a decision went (or did not go) a way, worded only when someone reads it:
    a batch of cases never does."""

    guard: m.Guard | None  # the branch's condition that held, if one did
    used: tuple[str, ...] = ()  # the facts it turned on
    facts: Facts | None = None  # the case's facts, to show their values
    text: str = ""  # what to say when no guard held

    def words(self) -> str:
        shown = _values(self.used, self.facts) if self.facts is not None else ""
        return (guard_text(self.guard) if self.guard is not None else self.text) + shown


class DecisionResult(NamedTuple):
    decision: str
    branch: str | None
    reason: Reason
    decided_on: date | None

    @property
    def because(self) -> str:
        return self.reason.words()


class EscalationResult(NamedTuple):
    step: str
    to: str
    on: date
    reason: str


@frozen(kw_only=True)
class CaseResult:
    as_of: date
    steps: tuple[StepResult, ...]
    decisions: tuple[DecisionResult, ...]
    escalations: tuple[EscalationResult, ...]
    end: str | None
    ended_on: date | None
    diagnostics: tuple[Diagnostic, ...]

    def step(self, name: str) -> StepResult | None:
        return next((s for s in self.steps if s.step == name), None)

    def decision(self, name: str) -> DecisionResult | None:
        return next((d for d in self.decisions if d.decision == name), None)

    @property
    def breaches(self) -> tuple[StepResult, ...]:
        return tuple(s for s in self.steps if s.late or s.state == m.StepState.OVERDUE)


# ---- the compiled procedure ------------------------------------------------------


@frozen(kw_only=True)
class Plan:
    """What the simulator needs of a procedure, computed once for any number of cases."""

    calendar: WorkingCalendar
    start: str | None
    nodes: dict[str, m.FlowNode]  # flow nodes in file order
    successors: dict[str, tuple[str, ...]]  # flow successors of steps, joins and parallel splits
    predecessors: dict[str, tuple[str, ...]]  # join name -> its flow predecessors
    events: frozenset[str]
    joins_after: dict[str, tuple[str, ...]]  # name -> the joins it leads into
    onward: dict[str, tuple[str, ...]]  # name -> the nodes its flow arrows lead to (any branch; escalations aside)
    with_deadlines: tuple[str, ...]  # steps and decisions that have deadlines, in file order
    facts: dict[str, m.Fact]  # to check a case's values
    recordable: frozenset[str]  # what a case can record as happened: events, steps, decisions
    # For each step and decision: its name, and its result when waiting and when not applicable.
    unreached_results: tuple[tuple[str, StepResult, StepResult], ...]
    # name -> every node a case there could still go on to; filled as cases ask, since
    # working it out for every node up front costs time and memory quadratic in the steps.
    descendants_found: dict[str, frozenset[str]] = field(factory=dict, eq=False)
    descendants_kept: list[int] = field(factory=lambda: [0], eq=False)  # how many names the dict holds in all

    @classmethod
    def compile(cls, resolved: ResolvedProcedure, graph: nx.DiGraph, calendar: WorkingCalendar) -> Plan:
        nodes = {n.name: n for n in resolved.procedure.nodes if resolved.names.get(n.name) is n}
        successors = {}
        predecessors = {}
        for name, node in nodes.items():
            if not graph.has_node(name):
                continue
            successors[name] = tuple(target for target, data in graph.succ[name].items() if data["kind"] in ("next", "fork"))
            if isinstance(node, m.Join):
                predecessors[name] = tuple(sorted(s for s, data in graph.pred[name].items() if data["kind"] != "escalation"))
        unreached = []
        for name, node in nodes.items():
            if isinstance(node, (m.Step, m.Decision)):
                owner = node.owner.name if node.owner else None
                waiting = StepResult(name, node.title or name, owner, node.kind, m.StepState.WAITING, None, None, False, None)
                unreached.append((name, waiting, waiting._replace(state=m.StepState.NOT_APPLICABLE)))
        events = frozenset(e.name for e in resolved.procedure.events)
        return cls(
            calendar=calendar,
            start=graph.graph["start"],
            nodes=nodes,
            successors=successors,
            predecessors=predecessors,
            events=events,
            joins_after=_joins_after(predecessors),
            onward={
                name: tuple(target for target, data in graph.succ[name].items() if data["kind"] in FLOW_EDGE_KINDS)
                if graph.has_node(name)
                else ()
                for name in nodes
            },
            with_deadlines=tuple(name for name, node in nodes.items() if m.deadlines_of(node)),
            facts={fact.name: fact for fact in resolved.procedure.facts if resolved.names.get(fact.name) is fact},
            recordable=events | frozenset(n for n, node in nodes.items() if isinstance(node, (m.Step, m.Decision))),
            unreached_results=tuple(unreached),
        )

    def task(self, name: str) -> m.Task | None:
        """The step or decision of that name, if it is one."""
        node = self.nodes.get(name)
        return node if isinstance(node, (m.Step, m.Decision)) else None

    def descendants(self, name: str) -> frozenset[str]:
        """Every node a case at name could still go on to, by any branch (name itself aside)."""
        found = self.descendants_found.get(name)
        if found is None:
            seen = {name}
            frontier = [name]
            while frontier:
                for target in self.onward[frontier.pop()]:
                    if target not in seen:
                        seen.add(target)
                        frontier.append(target)
            seen.discard(name)
            found = frozenset(seen)
            # Bounded, so that a long batch whose cases stop at many different steps
            # of a very large procedure cannot grow it towards steps × steps.
            if self.descendants_kept[0] + len(found) > _MOST_DESCENDANTS_KEPT:
                self.descendants_found.clear()
                self.descendants_kept[0] = 0
            self.descendants_found[name] = found
            self.descendants_kept[0] += len(found)
        return found


_MOST_DESCENDANTS_KEPT = 2_000_000


def _joins_after(predecessors: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """name -> the joins it leads into."""
    joins: dict[str, list[str]] = {}
    for join, sources in predecessors.items():
        for source in sources:
            joins.setdefault(source, []).append(join)
    return {name: tuple(found) for name, found in joins.items()}


# ---- running one case ----------------------------------------------------------


def simulate(
    plan: Plan,
    facts: Facts,
    happenings: Mapping[str, date],
    as_of: date,
    happening_spans: Mapping[str, Span | None] | None = None,
    only_reached: bool = False,
) -> CaseResult:
    """The state of a case as of a date.

    facts: fact name -> value (a choice's name, a number, True/False; missing or None = unknown).
    happenings: name of an event, step or decision -> the date it happened or was done.
    happening_spans: where each happening was written, to locate contradictions.
    only_reached: list only the steps the case has reached or that have fallen due
    (a batch counts nothing else), instead of every step.
    """
    return _Run(plan, facts, happenings, as_of, happening_spans or {}).run(only_reached)


class _Run:
    def __init__(self, plan: Plan, facts: Facts, happenings: Mapping[str, date], as_of: date, spans: Mapping[str, Span | None]):
        self.plan = plan
        self.facts = facts
        # What happened after the day the case is seen from is not known yet.
        self.known = {name: when for name, when in happenings.items() if when <= as_of}
        self.as_of = as_of
        self.spans = spans
        self.opened: dict[str, date] = {}
        self.done: dict[str, date] = {}
        self.due: dict[str, date | None] = {}
        self.decisions: dict[str, DecisionResult] = {}
        self.waiting_on_facts: set[str] = set()
        self.escalations: list[EscalationResult] = []
        self.diagnostics: list[Diagnostic] = []
        self.end: str | None = None
        self.ended_on: date | None = None
        self.reachable: set[str] | None = None

    def run(self, only_reached: bool = False) -> CaseResult:
        plan = self.plan
        # Nothing has begun until something has happened, as of the date the case is seen from.
        if plan.start is not None and self.known:
            self._advance(plan.start, min(self.known.values()))
        self._records_ahead()
        self._deadlines_ahead()
        self._check_happenings()
        return CaseResult(
            as_of=self.as_of,
            steps=self._reached_results() if only_reached else self._step_results(),
            decisions=tuple(self.decisions[name] for name in plan.nodes if name in self.decisions),
            escalations=tuple(sorted(self.escalations, key=lambda e: (e.on, e.step, e.to))),
            end=self.end,
            ended_on=self.ended_on,
            diagnostics=tuple(self.diagnostics),
        )

    # -- moving through the graph --

    def _advance(self, first: str, on: date) -> None:
        """Open `first` on a date and follow the case as far as what has happened allows."""
        queue = [(on, first)]
        while queue:
            reached_on, name = heapq.heappop(queue)
            if name in self.opened:
                continue
            node = self.plan.nodes[name]
            if isinstance(node, m.Join):
                if not self._join_ready(node):
                    continue
                reached_on = self._join_date(node)
            self.opened[name] = reached_on
            for next_name, next_on in self._visit(node, reached_on):
                heapq.heappush(queue, (next_on, next_name))
            # A join whose branches have all arrived can now open.
            for join_name in self.plan.joins_after.get(name, ()):
                join = self.plan.nodes[join_name]
                if join_name not in self.opened and isinstance(join, m.Join) and self._join_ready(join):
                    heapq.heappush(queue, (self._join_date(join), join_name))

    def _visit(self, node: m.FlowNode, opened_on: date) -> Iterator[tuple[str, date]]:
        name = node.name
        match node:
            case m.Outcome():
                if self.end is None or self.ended_on is None or opened_on < self.ended_on:
                    self.end, self.ended_on = name, opened_on
            case m.Parallel() | m.Join():
                for following in self.plan.successors.get(name, ()):
                    yield following, opened_on
            case m.Decision():
                self.due[name] = self._due_date(node)
                yield from self._decide(node, opened_on)
                yield from self._escalate(node)
            case m.Step():
                self.due[name] = self._due_date(node)
                finished = self.known.get(name)
                if finished is not None:
                    self.done[name] = finished
                    for following in self.plan.successors.get(name, ()):
                        yield following, max(finished, opened_on)
                yield from self._escalate(node)
            case _:
                assert_never(node)

    def _decide(self, node: m.Decision, opened_on: date) -> Iterator[tuple[str, date]]:
        chosen: str | None = None
        reason = Reason(None)
        unknown: tuple[str, ...] = ()
        for branch in node.branches:
            value, used = evaluate(branch.guard, self.facts)
            if value is None:
                unknown = used
                break
            if value:
                chosen, reason = branch.target.name, Reason(branch.guard, used, self.facts)
                break
        else:
            if node.otherwise is not None:
                chosen = node.otherwise.name
                reason = Reason(None, _all_facts(node), self.facts, "none of the conditions held")
            else:
                reason = Reason(None, text="no branch applies to this case, and the decision has no `otherwise`")
        if chosen is None:
            if unknown:
                self.waiting_on_facts.add(node.name)
                reason = Reason(None, text="waiting for " + ", ".join(f"`{f}`" for f in unknown) + " to be known")
            self.decisions[node.name] = DecisionResult(node.name, None, reason, None)
            return
        decided_on = self.known.get(node.name, opened_on)
        self.done[node.name] = decided_on
        self.decisions[node.name] = DecisionResult(node.name, chosen, reason, decided_on)
        yield chosen, max(decided_on, opened_on)

    def _records_ahead(self) -> None:
        """Steps recorded as done that the case has not reached yet, because a decision before
        them still waits for a fact, are taken as done on their recorded dates.

        The record is what happened; the missing fact only stops the simulation from
        working out the path. Following the record keeps a notification made on time
        from looking late just because a fact before it was left out. Each one is
        reported, so the missing fact gets filled in.
        """
        while self.waiting_on_facts:
            ahead = self._still_reachable()
            recorded = [
                (when, name)
                for name, when in self.known.items()
                if name in ahead and name not in self.opened and self.plan.task(name) is not None
            ]
            if not recorded:
                return
            when, name = min(recorded)
            waiting = sorted(self.waiting_on_facts)[0]
            self.diagnostics.append(
                warning(
                    "P434",
                    f"`{name}` is recorded as done on {when.isoformat()}, before this case could reach it",
                    self.spans.get(name),
                    label="taken as done on this date",
                    help=f"decision `{waiting}` is still {self.decisions[waiting].because}; give that fact in the facts block",
                )
            )
            self._advance(name, when)

    def _deadlines_ahead(self) -> None:
        """Steps the case has not reached yet still fall due once what they count from has happened.

        A rapid review report is due 15 working days after the notification even
        while the meeting before it is still to happen, and is overdue (and
        escalated) when that date passes.
        """
        ahead = self.reachable = self._still_reachable()
        for name in self.plan.with_deadlines:
            node = self.plan.task(name)
            if node is not None and name in ahead and name not in self.opened:
                self.due[name] = self._due_date(node)
                for target, on in list(self._escalate(node)):
                    self._advance(target, on)
                    self.reachable = None  # an escalation moved the case on

    def _join_ready(self, join: m.Join) -> bool:
        sources = self.plan.predecessors.get(join.name, ())
        nodes = self.plan.nodes
        arrived = [s for s in sources if s in self.done or (s in self.opened and isinstance(nodes[s], (m.Join, m.Parallel)))]
        match join.mode:
            case m.JoinMode.ANY:
                return bool(arrived)
            case m.JoinMode.ALL:
                return bool(sources) and len(arrived) == len(sources)
            case _:
                assert_never(join.mode)

    def _join_date(self, join: m.Join) -> date:
        found = (self.done.get(s, self.opened.get(s)) for s in self.plan.predecessors.get(join.name, ()))
        dates = [d for d in found if d is not None]
        match join.mode:
            case m.JoinMode.ANY:
                return min(dates)
            case m.JoinMode.ALL:
                return max(dates)
            case _:
                assert_never(join.mode)

    # -- time --

    def _anchor_date(self, name: str) -> date | None:
        if name in self.plan.events:
            return self.known.get(name)
        return self.done.get(name) if name in self.done else self.known.get(name)

    def _due_date(self, node: m.Task) -> date | None:
        due = None
        calendar = self.plan.calendar
        for deadline in node.deadlines:
            add: Callable[[date, int, m.Unit], date | datetime]
            match deadline.kind:
                case m.DeadlineKind.WITHIN:
                    add = calendar.add
                case m.DeadlineKind.BEFORE:
                    add = calendar.subtract
                case m.DeadlineKind.NOT_BEFORE | m.DeadlineKind.LASTS:
                    continue  # a lower bound: the step may not be done sooner, but it is not due
                case _:
                    assert_never(deadline.kind)
            anchor = self._anchor_date(deadline.anchor.name)
            if anchor is None:
                continue
            try:
                moment = add(anchor, deadline.duration.amount, deadline.duration.unit)
            except CalendarError as exc:
                self.diagnostics.append(error("P430", f"no due date can be given for `{node.name}`: {exc}", deadline.span))
                continue
            candidate = moment.date() if isinstance(moment, datetime) else moment
            due = candidate if due is None else min(due, candidate)
        return due

    def _escalate(self, node: m.Task) -> Iterator[tuple[str, date]]:
        due = self.due.get(node.name)
        if due is None or not node.escalations:
            return
        finished = self.done.get(node.name)
        if finished is not None and finished <= due:
            return
        fires_on = _next_working_day(self.plan.calendar, due)
        if fires_on is None or fires_on > self.as_of:
            return
        for escalation in node.escalations:
            if escalation.trigger == m.Trigger.OVERDUE and finished is not None and finished < fires_on:
                continue
            reason = f"`{node.name}` was due on {due.isoformat()}" + (
                f" and was done on {finished.isoformat()}" if finished else " and is not done"
            )
            if escalation.what:
                reason += f": {escalation.what}"
            self.escalations.append(EscalationResult(node.name, escalation.target.name, fires_on, reason))
            if escalation.action == m.EscalationAction.ESCALATE:
                yield escalation.target.name, fires_on

    # -- the results --

    def _step_results(self) -> tuple[StepResult, ...]:
        plan = self.plan
        may_still_open = self.reachable if self.reachable is not None else self._still_reachable()
        opened, due_dates = self.opened, self.due
        results = []
        # Most steps of a procedure are never reached by one case: their results
        # are made once per plan and shared.
        for name, waiting, not_applicable in plan.unreached_results:
            opened_on = opened.get(name)
            due = due_dates.get(name)
            if opened_on is None and (due is None or name not in may_still_open):
                results.append(waiting if name in may_still_open else not_applicable)
            else:
                results.append(self._result_of(name, waiting))
        return tuple(results)

    def _reached_results(self) -> tuple[StepResult, ...]:
        """The results of the steps the case has reached, or that have fallen due, in the plan's order."""
        chosen = self.opened.keys() | {name for name, due in self.due.items() if due is not None}
        return tuple(self._result_of(name, waiting) for name, waiting, _ in self.plan.unreached_results if name in chosen)

    def _result_of(self, name: str, waiting: StepResult) -> StepResult:
        opened_on = self.opened.get(name)
        due = self.due.get(name)
        done_on = self.done.get(name)
        if done_on is not None:
            state, late = m.StepState.DONE, due is not None and done_on > due
        elif due is not None and self.as_of > due:
            state, late = m.StepState.OVERDUE, True
        else:
            state, late = (m.StepState.OPEN if opened_on else m.StepState.WAITING), False
        return waiting._replace(state=state, due=due, done_on=done_on, late=late, opened_on=opened_on)

    def _still_reachable(self) -> set[str]:
        """Nodes a case could still reach from where it stands (so waiting, not inapplicable)."""
        plan = self.plan
        frontier = [n for n in self.opened if n not in self.done and plan.task(n) is not None]
        frontier += [j for j in plan.predecessors if j not in self.opened and any(s in self.opened for s in plan.predecessors[j])]
        reachable = set(frontier)
        for name in frontier:
            reachable |= plan.descendants(name)
        return reachable

    def _check_happenings(self) -> None:
        """Report what the case says happened that the procedure says could not have."""
        for name, when in sorted(self.known.items(), key=lambda item: (item[1], item[0])):
            if name in self.plan.events or name not in self.plan.nodes:
                continue
            span = self.spans.get(name)
            opened_on = self.opened.get(name)
            if opened_on is None:
                self.diagnostics.append(
                    warning(
                        "P431",
                        f"`{name}` is recorded as done on {when.isoformat()}, but this case never reaches it",
                        span,
                        label="not on this case's path",
                        help=self._why_not_reached(name),
                    )
                )
            elif when < opened_on:
                self.diagnostics.append(
                    warning(
                        "P432",
                        f"`{name}` is recorded as done on {when.isoformat()}, before it could start on {opened_on.isoformat()}",
                        span,
                        label="done before the step before it",
                        help="check the dates: a step is done after the one it follows",
                    )
                )
            for deadline in m.deadlines_of(self.plan.nodes[name]):
                anchor = self._anchor_date(deadline.anchor.name)
                if deadline.kind == m.DeadlineKind.WITHIN and anchor is not None and when < anchor:
                    self.diagnostics.append(
                        warning(
                            "P433",
                            f"`{name}` is recorded as done on {when.isoformat()}, before `{deadline.anchor.name}` on {anchor.isoformat()}",
                            span,
                            label="before the date its deadline counts from",
                            labels=(Label(self.spans[deadline.anchor.name], "dated here"),) if deadline.anchor.name in self.spans else (),
                            help="check the two dates",
                        )
                    )

    def _why_not_reached(self, name: str) -> str:
        for decision in self.decisions.values():
            node = self.plan.nodes[decision.decision]
            assert isinstance(node, m.Decision)
            targets = {b.target.name for b in node.branches} | ({node.otherwise.name} if node.otherwise else set())
            if decision.branch is not None and decision.branch != name and name in targets:
                return f"decision `{decision.decision}` took `{decision.branch}` because {decision.because}"
        if self.waiting_on_facts:
            waiting = sorted(self.waiting_on_facts)[0]
            return f"the case is still waiting at decision `{waiting}`: {self.decisions[waiting].because}"
        return "the steps before it are not done yet, or the facts lead elsewhere"


def _next_working_day(calendar: WorkingCalendar, day: date) -> date | None:
    try:
        return calendar.add(day, 1, m.Unit.WORKING_DAYS)
    except CalendarError:
        return None


# ---- conditions over facts, with unknowns ------------------------------------------


def evaluate(guard: m.Guard, facts: Facts) -> tuple[bool | None, tuple[str, ...]]:
    """Three-valued: True, False, or None when unknown facts keep it open; and the facts it turned on."""
    if isinstance(guard, m.FactHolds):
        value = facts.get(guard.fact.name)
        if value is None:
            return None, (guard.fact.name,)
        return (not value) if guard.negated else bool(value), (guard.fact.name,)
    if isinstance(guard, m.FactIs):
        value = facts.get(guard.fact.name)
        if value is None:
            return None, (guard.fact.name,)
        return (value != guard.value.name) if guard.negated else (value == guard.value.name), (guard.fact.name,)
    if isinstance(guard, m.FactCompare):
        number = facts.get(guard.fact.name)
        if not isinstance(number, int):  # unknown (a case's values are checked before it runs)
            return None, (guard.fact.name,)
        return _COMPARE[guard.operator](number, guard.number), (guard.fact.name,)
    if isinstance(guard, m.Not):
        truth, turned_on = evaluate(guard.operand, facts)
        return (None if truth is None else not truth), turned_on
    deciding = isinstance(guard, m.AnyOf)  # `or` is decided by a true operand, `and` by a false one
    unknown: list[str] = []
    used: list[str] = []
    for operand in guard.operands:
        truth, names = evaluate(operand, facts)
        if truth is None:
            unknown.extend(names)
        elif truth == deciding:
            return deciding, tuple(names)
        else:
            used.extend(names)
    if unknown:
        return None, tuple(dict.fromkeys(unknown))
    return (not deciding), tuple(dict.fromkeys(used))


_COMPARE: dict[str, Callable[[int, int], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
}


def _values(names: Iterable[str], facts: Facts) -> str:
    shown = [f"{name} = {_show(facts.get(name))}" for name in dict.fromkeys(names)]
    return f" ({', '.join(shown)})" if shown else ""


def _show(value: m.Value) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value is None:
        return "unknown"
    return str(value)


def _all_facts(node: m.Decision) -> tuple[str, ...]:
    return tuple(sorted({name for branch in node.branches for name in m.facts_tested(branch.guard)}))
