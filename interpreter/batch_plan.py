"""A procedure compiled for batches: many plain cases, each counted and forgotten.

A batch asks one thing of each case: for every step it reached, where that step
stands (done on time or late, open, overdue, or lapsed when the whole case ended
first) and when it opened and was done. The full simulator (interpreter/simulate.py)
answers that and much more: why each decision went its way, escalations, what is
set aside, what is still ahead, and diagnostics. This plan answers only the
batch's question, faster:

- each node is a small tuple (its kind, where it leads, what it needs);
- a decision is a lookup on the values of the facts it tests, filled as cases
  ask (cases with the same values share the answer);
- due dates use the calendar's day indexes, as the simulator does.

It walks a case exactly as the simulator does (the same queue, in the same
order), and declines, returning None, whenever a case needs what only the full
simulator does: a join whose missing arrows can no longer arrive, a due date
the calendar cannot give. A procedure with an escalation that moves a case on
to a step is not compiled at all (`BatchPlan.compile` gives None). Declined cases
are run by the full simulator; where the plan answers, tests hold it to the
simulator's results on the shipped scenarios and on a thousand generated cases
(tests/test_batch_plan.py).
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from datetime import date, datetime
from functools import partial
from operator import itemgetter
from typing import Any, NamedTuple

from interpreter import model as m
from interpreter.calendar import CalendarError
from interpreter.conditions import Facts
from interpreter.simulate import LOWER_BOUNDS, Plan, choose_branch

# Node kinds, as small integers compared in the walk's inner loop.
_STEP, _DECISION, _PARALLEL, _JOIN, _OUTCOME = range(5)
_KINDS = {
    m.NodeKind.STEP: _STEP,
    m.NodeKind.DECISION: _DECISION,
    m.NodeKind.PARALLEL: _PARALLEL,
    m.NodeKind.JOIN: _JOIN,
    m.NodeKind.OUTCOME: _OUTCOME,
}
# A deadline's kind: counted forward, counted back, or a lower bound (never due).
_FORWARD, _BACK, _NEVER_DUE = range(3)
# Where a deadline's clock starts: an event's date, the day a node opened, or the day a task was done.
_FROM_EVENT, _FROM_OPENING, _FROM_DONE = range(3)
# A deadline compiled: which way it counts, where its clock starts, that node's name, how many, of what.
_CompiledDeadline = tuple[int, int, str, int, m.Unit]
# Each decision keeps at most this many remembered answers, so a long batch's memory stays flat.
_MOST_ANSWERS_KEPT = 50_000
_NOT_YET_ASKED = object()


class StepOutcome(NamedTuple):
    """Where one step a case reached stands: the fields of the simulator's StepResult that a batch counts."""

    step: str
    state: m.StepState
    due: date | None
    done_on: date | None
    late: bool
    opened_on: date | None


# Made as plain tuples typed StepOutcome: a batch makes one per step per case, and a
# named tuple's own constructor is a Python call.
_new_outcome = partial(tuple.__new__, StepOutcome)


class _Decision:
    """One decision as a lookup: the values of the facts it tests -> the branch taken (None: it waits, or none applies)."""

    __slots__ = ("node", "values_of", "answers")

    def __init__(self, node: m.Decision, fact_places: Mapping[str, int]):
        self.node = node
        tested = sorted({name for branch in node.branches for name in m.facts_tested(branch.guard)})
        places = [fact_places[name] for name in tested]
        # A tuple of the tested values, cut from the case's values in the plan's fact order.
        self.values_of: Any = itemgetter(*places) if places else (lambda values: ())
        self.answers: dict[Any, str | None] = {}

    def branch(self, values: tuple, facts: Facts) -> str | None:
        key = self.values_of(values)
        answer = self.answers.get(key, _NOT_YET_ASKED)
        if answer is _NOT_YET_ASKED:
            answer = choose_branch(self.node, facts)
            if len(self.answers) >= _MOST_ANSWERS_KEPT:
                self.answers.clear()
            self.answers[key] = answer
        return answer  # type: ignore[return-value]


class BatchPlan:
    """The procedure's flow as plain tuples, for walking many cases quickly."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.calendar = plan.calendar
        self.start = plan.start
        self.fact_order = tuple(plan.facts)
        fact_places = {name: place for place, name in enumerate(self.fact_order)}
        # name -> (kind, where its arrows lead, what else the walk needs of it)
        self.nodes: dict[str, tuple[int, tuple[str, ...], Any]] = {}
        for name, node in plan.nodes.items():
            kind = _KINDS[node.kind]
            extra: Any = None
            if isinstance(node, m.Decision):
                extra = _Decision(node, fact_places)
            elif isinstance(node, m.Join):
                extra = (node.mode == m.JoinMode.ANY, frozenset(plan.predecessors.get(name, ())))
            elif isinstance(node, m.Outcome):
                extra = node.ends_case
            self.nodes[name] = (kind, plan.successors.get(name, ()), extra)
        # For each step and decision, in the plan's order: its place and its deadlines, compiled.
        self.task_order = {name: place for place, (name, _, _) in enumerate(plan.unreached_results)}
        self.deadlines: dict[str, tuple[_CompiledDeadline, ...]] = {}
        for name in plan.with_deadlines:
            task = plan.task(name)
            if task is not None:
                self.deadlines[name] = tuple(self._compiled_deadline(deadline) for deadline in task.deadlines)

    def _compiled_deadline(self, deadline: m.Deadline) -> _CompiledDeadline:
        match deadline.kind:
            case m.DeadlineKind.WITHIN:
                direction = _FORWARD
            case m.DeadlineKind.BEFORE:
                direction = _BACK
            case _:
                direction = _NEVER_DUE
        anchor = deadline.anchor.name
        if anchor in self.plan.events:
            counts_from = _FROM_EVENT
        elif self.plan.task(anchor) is None:
            counts_from = _FROM_OPENING
        else:
            counts_from = _FROM_DONE
        return direction, counts_from, anchor, deadline.duration.amount, deadline.duration.unit

    @classmethod
    def compile(cls, plan: Plan) -> BatchPlan | None:
        """The batch plan of a procedure, or None where its cases need the full simulator."""
        for node in plan.nodes.values():
            for escalation in m.escalations_of(node):
                if escalation.action == m.EscalationAction.ESCALATE:
                    return None  # an escalation can reopen the walk: only the simulator does that
            if isinstance(node, m.Decision) and any(d.kind in LOWER_BOUNDS for d in node.deadlines):
                return None  # a decision that waits for its earliest day: only the simulator does that
        return cls(plan)

    def accepts(self, facts: Mapping[str, m.Value], happenings: Mapping[str, date]) -> bool:
        """Whether every fact and happening is one the procedure knows, each value of its fact's kind (see Plan.accepts)."""
        return self.plan.accepts(facts, happenings)

    def run(self, facts: Facts, happenings: Mapping[str, date], as_of: date) -> tuple[StepOutcome, ...] | None:
        """The steps and decisions a case reached, in the procedure's order; None where the full simulator must run it."""
        if self.start is None or not happenings:
            return ()
        # What happened after the day the case is seen from is not known yet.
        known = happenings if max(happenings.values()) <= as_of else {name: when for name, when in happenings.items() if when <= as_of}
        if not known:
            return ()
        values = tuple(map(facts.get, self.fact_order))
        nodes = self.nodes
        opened: dict[str, date] = {}
        done: dict[str, date] = {}
        arrivals: dict[str, dict[str, date]] = {}
        ended_on: date | None = None  # the day an outcome that ends the whole case was reached
        push, pop = heapq.heappush, heapq.heappop
        # The simulator's queue: (date, where, from where), "" from nowhere in particular.
        queue: list[tuple[date, str, str]] = [(min(known.values()), self.start, "")]
        while queue:
            on, name, source = pop(queue)
            kind, following, extra = nodes[name]
            if kind == _JOIN:
                if name in opened:
                    continue
                arrived = arrivals.get(name)
                if arrived is None:
                    arrived = arrivals[name] = {}
                if source:
                    arrived.setdefault(source, on)
                elif not arrived:
                    continue
                any_arrow, predecessors = extra
                if any_arrow:
                    on = min(arrived.values())
                elif predecessors <= arrived.keys():
                    on = max(arrived.values())
                else:
                    continue
            elif name in opened:
                continue
            opened[name] = on
            if kind == _STEP:
                finished = known.get(name)
                if finished is not None:
                    done[name] = finished
                    if finished > on:
                        on = finished
                    for onward in following:
                        push(queue, (on, onward, name))
            elif kind == _DECISION:
                taken = extra.branch(values, facts)
                if taken is not None:
                    recorded = known.get(name)
                    decided_on = recorded if recorded is not None else on
                    done[name] = decided_on
                    push(queue, (decided_on if decided_on > on else on, taken, name))
            elif kind == _OUTCOME:
                if extra:
                    ended_on = on
                    break
            else:
                for onward in following:
                    push(queue, (on, onward, name))
        if ended_on is None:
            for join, arrived in arrivals.items():
                if arrived and join not in opened:
                    return None  # a join may open because its other arrows can no longer come: the simulator's work
        return self._outcomes(known, opened, done, ended_on, as_of)

    def _outcomes(
        self, known: Mapping[str, date], opened: dict[str, date], done: dict[str, date], ended_on: date | None, as_of: date
    ) -> tuple[StepOutcome, ...] | None:
        order = self.task_order
        reached = sorted((order[name], name) for name in opened if name in order)
        outcomes = []
        for _, name in reached:
            opened_on = opened[name]
            done_on = done.get(name)
            case_over = ended_on is not None and (done_on is None or done_on > ended_on)
            compiled = self.deadlines.get(name)
            if compiled is None:  # most steps have no deadline: never late, never due
                due, late = None, False
                state = m.StepState.DONE if done_on is not None else (m.StepState.NOT_APPLICABLE if case_over else m.StepState.OPEN)
                outcomes.append(_new_outcome((name, state, due, done_on, late, opened_on)))
                continue
            dues = self._due_dates(compiled, known, opened, done)
            if dues is None:
                return None
            known_dues = [d for d in dues if d is not None]
            unmet = [d for d in known_dues if done_on is None or done_on > d]
            due = min(unmet) if unmet else (min(known_dues) if known_dues else None)
            if case_over:
                # The whole case ended first: its deadlines stand as they stood that day.
                late = any(ended_on > d for d in known_dues)  # type: ignore[operator]
                state = m.StepState.DONE if done_on is not None else m.StepState.NOT_APPLICABLE
            elif done_on is not None:
                late = any(done_on > d for d in known_dues)
                state = m.StepState.DONE
            else:
                late = any(as_of > d for d in known_dues)
                state = m.StepState.OVERDUE if late else m.StepState.OPEN
            outcomes.append(_new_outcome((name, state, due, done_on, late, opened_on)))
        return tuple(outcomes)

    def _due_dates(
        self, compiled: tuple[_CompiledDeadline, ...], known: Mapping[str, date], opened: dict[str, date], done: dict[str, date]
    ) -> list[date | None] | None:
        dues: list[date | None] = []
        calendar = self.calendar
        for direction, counts_from, anchor, amount, unit in compiled:
            if direction == _NEVER_DUE:
                dues.append(None)
                continue
            start = known.get(anchor) if counts_from == _FROM_EVENT else (opened if counts_from == _FROM_OPENING else done).get(anchor)
            if start is None:
                dues.append(None)
                continue
            try:
                moment = calendar.add(start, amount, unit) if direction == _FORWARD else calendar.subtract(start, amount, unit)
            except CalendarError:
                return None  # the simulator reports it
            dues.append(moment.date() if isinstance(moment, datetime) else moment)
        return dues
