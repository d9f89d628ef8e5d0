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
order; or, where the flow has no parallel work, along the one route each set of
facts decides, which is where that queue goes), and declines, returning None,
whenever a case needs what only the full simulator does: a join whose missing
arrows can no longer arrive, a due date the calendar cannot give. A procedure with an escalation that moves a case on
to a step is not compiled at all (`BatchPlan.compile` gives None). Declined cases
are run by the full simulator; where the plan answers, tests hold it to the
simulator's results on the shipped scenarios and on a thousand generated cases
(tests/test_batch_plan.py).

A batch offers each case's bytes to `count_plain_case` first, which counts a plain
ASCII case without building anything (what cases share, a header and a set of
facts, or a happening line, is read once for them all) or declines.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import partial
from operator import itemgetter
from typing import Any, NamedTuple

from interpreter import model as m
from interpreter.calendar import CalendarError
from interpreter.case_reader import plain_ascii_parts, plain_happening, plain_header_and_facts
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
# Where a deadline's clock starts: an event's date, the day a node opened, or the day a task was done.
_FROM_EVENT, _FROM_OPENING, _FROM_DONE = range(3)
# Each lookup (a decision's answers, a deadline's due dates, the blocks cases share) keeps
# at most this many remembered answers, so a long batch's memory stays flat.
_MOST_ANSWERS_KEPT = 50_000
# Fewer of what the blocks of facts cases share, and of their walks: each weighs a kilobyte
# or more, and where the facts vary case by case (Pan-Sussex's ages and routes) nearly every
# case brings its own. (At 50,000, a worker grew from 94 MB at 20,000 such cases to 165 MB
# at 100,000.)
_MOST_WALKS_KEPT = 5_000
_NOT_YET_ASKED = object()
_OUTSIDE_THE_CALENDAR = object()
# What a walk gives: the day each node opened and the day each task was done (None where it was
# not), by the node's place (along its route, or in the plan), and the day the whole case ended.
_Walked = tuple[list[date | None], list[date | None], date | None]
_QueueWalked = tuple[list[date | None], list[date | None], date | None, list[int]]  # and the places of the tasks reached
# One task as the walks settle it: its name, its place, and its deadlines as (the deadline, where its
# clock starts, from what: an event's name, or the place of the node it counts from).
_Task = tuple[str, int, tuple[tuple["_Deadline", int, Any], ...]]
_DECLINED = object()  # remembered: a block or line the plan leaves to the full reader
_BEFORE_ANY_DAY = date.min


def _remember(answers: dict, key: Any, answer: Any, most: int | None = None) -> Any:
    if len(answers) >= (_MOST_ANSWERS_KEPT if most is None else most):
        answers.clear()
    answers[key] = answer
    return answer


class StepOutcome(NamedTuple):
    """Where one step a case reached stands: the fields of the simulator's StepResult that a batch counts."""

    step: str
    state: m.StepState
    due: date | None
    done_on: date | None
    late: bool
    opened_on: date | None


_DONE, _NOT_APPLICABLE, _OVERDUE, _OPEN = m.StepState.DONE, m.StepState.NOT_APPLICABLE, m.StepState.OVERDUE, m.StepState.OPEN

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
            answer = _remember(self.answers, key, choose_branch(self.node, facts))
        return answer  # type: ignore[return-value]


class _Deadline:
    """One deadline compiled: which way it counts, where its clock starts, that node's name, how many of what;
    and the due dates found so far, by the day its clock started (cases share clock starts)."""

    __slots__ = ("forward", "counts_from", "anchor", "amount", "unit", "dues")

    def __init__(self, forward: bool, counts_from: int, anchor: str, amount: int, unit: m.Unit):
        self.forward, self.counts_from, self.anchor, self.amount, self.unit = forward, counts_from, anchor, amount, unit
        self.dues: dict[date, Any] = {}

    def due(self, calendar: Any, start: date) -> Any:
        """The due date counted from start, or _OUTSIDE_THE_CALENDAR where the calendar cannot give it."""
        due = self.dues.get(start)
        if due is None:
            if self.unit == m.Unit.WORKING_DAYS and self.amount > 0 and type(start) is date:  # nearly every deadline
                due = calendar.working_days_from(start, self.amount, self.forward) or _OUTSIDE_THE_CALENDAR
            else:
                try:
                    moment = (
                        calendar.add(start, self.amount, self.unit) if self.forward else calendar.subtract(start, self.amount, self.unit)
                    )
                    due = moment.date() if isinstance(moment, datetime) else moment
                except CalendarError:
                    due = _OUTSIDE_THE_CALENDAR
            _remember(self.dues, start, due)
        return due


class _RouteWalk:
    """How cases with one set of facts are walked where the flow has one path: the route those
    facts decide (see BatchPlan._route), and the tasks on it in the procedure's order, placed
    along it (a deadline counted from a node off the route never starts, and is left out)."""

    __slots__ = ("route", "tasks")

    def __init__(self, route: tuple[tuple[str, int, Any], ...], tasks: tuple[_Task, ...]):
        self.route, self.tasks = route, tasks


class _QueueWalk:
    """How cases with one set of facts are walked by the simulator's queue: the facts, and their values in the plan's order."""

    __slots__ = ("values", "facts")

    def __init__(self, values: tuple, facts: Facts):
        self.values, self.facts = values, facts


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
        # With no parallel and no join a case is one token on one path, which the facts decide.
        self.single_path = all(kind not in (_PARALLEL, _JOIN) for kind, _, _ in self.nodes.values())
        # What count_plain_case has read of the blocks and lines cases share.
        self._by_header_and_facts: dict[bytes, Any] = {}
        self._happening_by_line: dict[bytes, Any] = {}
        self._walk_by_values: dict[tuple, _RouteWalk | _QueueWalk] = {}
        # For each step and decision, in the plan's order: its place and its deadlines, compiled.
        self.task_order = {name: place for place, (name, _, _) in enumerate(plan.unreached_results)}
        self.deadlines: dict[str, tuple[_Deadline, ...]] = {}
        for name in plan.with_deadlines:
            task = plan.task(name)
            if task is not None:
                # A lower bound never gives a due date: only the others are kept.
                self.deadlines[name] = tuple(self._compiled_deadline(d) for d in task.deadlines if d.kind not in LOWER_BOUNDS)
        self.places = {name: place for place, name in enumerate([*self.task_order, *(n for n in self.nodes if n not in self.task_order)])}
        self.tasks_by_place = self._placed_tasks(self.task_order, self.places)

    def _placed_tasks(self, tasks: Iterable[str], places: Mapping[str, int]) -> tuple[_Task, ...]:
        """The tasks with their places and their deadlines' clocks, for a walk that keeps each node at its place."""
        placed = []
        for name in tasks:
            clocks: list[tuple[_Deadline, int, Any]] = []
            for deadline in self.deadlines.get(name, ()):
                if deadline.counts_from == _FROM_EVENT:
                    clocks.append((deadline, _FROM_EVENT, deadline.anchor))
                elif deadline.anchor in places:
                    clocks.append((deadline, deadline.counts_from, places[deadline.anchor]))
            placed.append((name, places[name], tuple(clocks)))
        return tuple(placed)

    def _compiled_deadline(self, deadline: m.Deadline) -> _Deadline:
        anchor = deadline.anchor.name
        if anchor in self.plan.events:
            counts_from = _FROM_EVENT
        elif self.plan.task(anchor) is None:
            counts_from = _FROM_OPENING
        else:
            counts_from = _FROM_DONE
        # `within` counts forward from its anchor, `before` back (lower bounds are not compiled: never due).
        forward = deadline.kind == m.DeadlineKind.WITHIN
        return _Deadline(forward, counts_from, anchor, deadline.duration.amount, deadline.duration.unit)

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
        outcomes = self._walked(self._walk_of(facts), known, min(known.values()), as_of)
        return tuple(outcomes) if outcomes is not None else None

    def count_plain_case(self, data: bytes, as_of: date | None, today: date, found: list) -> bool:
        """Add to found what a batch counts of each step a case reached, (step, state, late, days taken), straight from its bytes.

        The caller counts what gathers in found (with Counter.update, in C: counting each
        case's few keys into a Counter one by one cost more than working them out).
        Only an ASCII case in exactly the generated shape that the plan runs alone is
        counted: for any other it returns False, having added nothing, and the
        caller takes the longer way (which gives the same counts, a test holds).
        The blocks cases share, a header and a set of facts, are read once for all.
        """
        parts = plain_ascii_parts(data)
        if parts is None:
            return False
        header_and_facts, happenings_part = parts
        shared = self._by_header_and_facts.get(header_and_facts)
        if shared is None:
            shared = _remember(self._by_header_and_facts, header_and_facts, self._header_and_facts(header_and_facts), _MOST_WALKS_KEPT)
        if shared is _DECLINED:
            return False
        own_as_of, walk = shared
        happenings: dict[str, date] = {}
        lines = self._happening_by_line
        last_day = _BEFORE_ANY_DAY
        happening_lines = happenings_part.split(b"\n")
        if not happening_lines[-1]:
            happening_lines.pop()  # after the last line break
        for line in happening_lines:
            happening = lines.get(line) or _remember(lines, line, self._happening(line))
            if happening is _DECLINED:
                return False
            name, day = happening
            if day < last_day or name in happenings:
                return False  # out of date order, or recorded twice: the full reader reports it
            happenings[name] = last_day = day
        if not happenings or self.start is None:
            return True  # a case with nothing recorded reaches nothing
        first_day = next(iter(happenings.values()))
        when = as_of or own_as_of or today
        if first_day > when:
            return True  # nothing known yet
        known = happenings if last_day <= when else {name: day for name, day in happenings.items() if day <= when}
        if type(walk) is _RouteWalk:  # the commonest way, walked here without a call between
            opened, done, ended_on = self._walk_route(walk.route, known, first_day)
            counts = self._outcomes(known, walk.tasks, opened, done, ended_on, when, counting=True)
        else:
            counts = self._walked(walk, known, first_day, when, counting=True)
        if counts is None:
            return False
        found += counts
        return True

    def _walk_of(self, facts: Facts) -> _RouteWalk | _QueueWalk:
        """How cases with these facts are walked: along the one route they decide, or by the simulator's queue.

        Made once for each set of the facts' values, however many headers (`as of` dates) or
        cases share them: a batch remembers a walk for each header it meets, and a walk
        holds its facts and route.
        """
        values = tuple(map(facts.get, self.fact_order))
        walk = self._walk_by_values.get(values)
        if walk is None:
            walk = _remember(self._walk_by_values, values, self._new_walk(values, facts), _MOST_WALKS_KEPT)
        return walk

    def _new_walk(self, values: tuple, facts: Facts) -> _RouteWalk | _QueueWalk:
        if self.single_path:
            route = self._route(values, facts)
            order = self.task_order
            on_route = {name: place for place, (name, _, _) in enumerate(route)}
            tasks = sorted((name for name in on_route if name in order), key=order.__getitem__)
            return _RouteWalk(route, self._placed_tasks(tasks, on_route))
        return _QueueWalk(values, facts)

    def _walked(
        self, walk: _RouteWalk | _QueueWalk, known: Mapping[str, date], first_day: date, as_of: date, counting: bool = False
    ) -> list | None:
        """Where each task stands once a case with what is known is walked (see _outcomes)."""
        if isinstance(walk, _RouteWalk):
            opened, done, ended_on = self._walk_route(walk.route, known, first_day)
            return self._outcomes(known, walk.tasks, opened, done, ended_on, as_of, counting)
        walked = self._walk_queue(walk.values, walk.facts, known)
        if walked is None:
            return None
        opened, done, ended_on, reached = walked
        if not counting:  # counts are the same in any order; tasks are placed in the procedure's
            reached.sort()
        tasks = self.tasks_by_place
        return self._outcomes(known, [tasks[place] for place in reached], opened, done, ended_on, as_of, counting)

    def _header_and_facts(self, part: bytes) -> Any:
        """The `as of` date and the walk (see _walk_of) of cases with this header and these facts; _DECLINED where they are not plain or not the procedure's."""
        read = plain_header_and_facts(part)
        if read is None or not self.plan.accepts(read[1], {}):
            return _DECLINED
        own_as_of, facts = read
        return own_as_of, self._walk_of(facts)

    def _happening(self, line: bytes) -> Any:
        happening = plain_happening(line)
        if happening is None or happening[0] not in self.plan.recordable:
            return _DECLINED
        return happening

    def _route(self, values: tuple, facts: Facts) -> tuple[tuple[str, int, Any], ...]:
        """The nodes a case with these facts goes through, in order, where the flow has one path (no parallel, no join).

        Each node as (name, kind, what its walk needs): a decision the branch taken (None
        while it waits), an outcome whether it ends the whole case. The walk stops where
        a node comes round again, as the simulator's does.
        """
        route = []
        seen = set()
        name: str | None = self.start
        while name is not None and name not in seen:
            seen.add(name)
            kind, following, extra = self.nodes[name]
            if kind == _DECISION:
                taken = extra.branch(values, facts)
                route.append((name, kind, taken))
                name = taken
            elif kind == _OUTCOME:
                route.append((name, kind, extra))
                name = None
            else:
                route.append((name, kind, None))
                name = following[0] if following else None
        return tuple(route)

    @staticmethod
    def _walk_route(route: tuple[tuple[str, int, Any], ...], known: Mapping[str, date], on: date) -> _Walked:
        """The simulator's walk along one path: the day each node opened, each task was done, and the whole case
        ended. Each node is at its place along the route; the lists end at the last node reached."""
        opened: list[date | None] = []
        done: list[date | None] = []
        for name, kind, extra in route:
            opened.append(on)
            if kind == _STEP:
                finished = known.get(name)
                done.append(finished)
                if finished is None:
                    break
                if finished > on:
                    on = finished
            elif kind == _DECISION:
                if extra is None:
                    done.append(None)
                    break  # it waits, or no branch applies
                recorded = known.get(name)
                decided_on = recorded if recorded is not None else on
                done.append(decided_on)
                if decided_on > on:
                    on = decided_on
            else:
                done.append(None)
                if extra:  # an outcome that ends the whole case
                    return opened, done, on
        return opened, done, None

    def _walk_queue(self, values: tuple, facts: Facts, known: Mapping[str, date]) -> _QueueWalked | None:
        """The simulator's walk, its queue and all: the day each node opened, each task was done, and the whole case
        ended, each node at its place in the plan (see BatchPlan.places); and the places of the tasks reached."""
        nodes, places = self.nodes, self.places
        opened: list[date | None] = [None] * len(places)
        done: list[date | None] = [None] * len(places)
        reached_tasks = []
        tasks = len(self.task_order)  # the first places
        arrivals: dict[str, dict[str, date]] = {}
        ended_on: date | None = None  # the day an outcome that ends the whole case was reached
        push, pop = heapq.heappush, heapq.heappop
        # The simulator's queue: (date, where, from where), "" from nowhere in particular.
        queue: list[tuple[date, str, str]] = [(min(known.values()), self.start or "", "")]
        while queue:
            on, name, source = pop(queue)
            kind, following, extra = nodes[name]
            place = places[name]
            if kind == _JOIN:
                if opened[place] is not None:
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
            elif opened[place] is not None:
                continue
            opened[place] = on
            if place < tasks:
                reached_tasks.append(place)
            if kind == _STEP:
                finished = known.get(name)
                if finished is not None:
                    done[place] = finished
                    if finished > on:
                        on = finished
                    for onward in following:
                        push(queue, (on, onward, name))
            elif kind == _DECISION:
                taken = extra.branch(values, facts)
                if taken is not None:
                    recorded = known.get(name)
                    decided_on = recorded if recorded is not None else on
                    done[place] = decided_on
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
                if arrived and opened[places[join]] is None:
                    return None  # a join may open because its other arrows can no longer come: the simulator's work
        return opened, done, ended_on, reached_tasks

    def _outcomes(
        self,
        known: Mapping[str, date],
        tasks: Iterable[_Task],
        opened: list[date | None],
        done: list[date | None],
        ended_on: date | None,
        as_of: date,
        counting: bool = False,
    ) -> list | None:
        """Where each of the tasks the walk reached stands, in their order; None where the simulator must say.

        Each as a StepOutcome, or when counting as what a batch counts of it: (step, state,
        late, days from opening to done, or None).
        """
        outcomes: list = []
        calendar = self.calendar
        reached = len(opened)  # a route's walk ends its lists at the last node it reached
        for name, place, clocks in tasks:
            if place >= reached:
                continue
            opened_on = opened[place]
            if opened_on is None:
                continue  # not reached
            done_on = done[place]
            # The first due date is the one a step is due by, and the one it is late against:
            # it is the first missed, if any is. (Found here, not by a call: this runs for every
            # task of every case in a batch.)
            due = None
            for deadline, counts_from, anchor in clocks:
                if counts_from == _FROM_EVENT:
                    start = known.get(anchor)
                elif anchor >= reached:
                    continue  # its clock has not started
                else:
                    start = (opened if counts_from == _FROM_OPENING else done)[anchor]
                if start is None:
                    continue
                moment = deadline.dues.get(start)
                if moment is None:
                    moment = deadline.due(calendar, start)
                if moment is _OUTSIDE_THE_CALENDAR:
                    return None  # the simulator reports it
                if due is None or moment < due:
                    due = moment
            if ended_on is not None and (done_on is None or done_on > ended_on):
                # The whole case ended first: its deadlines stand as they stood that day.
                late = due is not None and ended_on > due
                state = _DONE if done_on is not None else _NOT_APPLICABLE
            elif done_on is not None:
                late = due is not None and done_on > due
                state = _DONE
            else:
                late = due is not None and as_of > due
                state = _OVERDUE if late else _OPEN
            if counting:
                outcomes.append((name, state, late, (done_on - opened_on).days if done_on is not None else None))
            else:
                outcomes.append(_new_outcome((name, state, due, done_on, late, opened_on)))
        return outcomes
