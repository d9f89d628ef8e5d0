"""Running a procedure against one case: which steps apply, who owns them, when each is due.

The procedure is compiled once into a `Plan` (nodes, successors, deadlines and
guards as plain Python values); each case then runs in one pass over the graph
from the start, carrying dates. The same plan and the same case always give the
same result.

The meaning of each shape, as the README's "What each construct means" says it:
- the start opens on the case's first dated happening; a step opens when the
  step before it is done, on that date;
- a decision is taken as soon as the facts known that day decide it: on the day
  it is reached, or on the day a fact it needs is learnt (`on DATE fact is value`),
  or on the date it is recorded as done; until then the case waits there;
- a parallel split starts a branch for each of its arrows. A branch finishes at
  `this branch ends`, at a join, or at an outcome;
- a join `waits for all` opens once every arrow into it has either arrived or can
  no longer arrive for this case (a decision on its way went elsewhere: dead-path
  elimination, as in BPEL and BPMN's inclusive gateway), and at least one has
  arrived. `waits for any` opens on the first arrival;
- the case ends when every branch has finished: its outcome is the one reached.
  An outcome marked `ends the whole case` ends it at once, whatever else is open;
- each deadline of a step keeps its own due date, state and escalations; the
  step's due date is the earliest of those not met; a deadline counted from
  something that has not happened yet has no date yet;
- an escalation fires on the first working day after its deadline's missed due
  date, if that day is on or before the date the case is seen "as of";
- a step recorded as done before the case can reach it is reported, and counts
  for nothing else: it opens no step after it and starts no clock;
- a lower bound (`at least 2 years after X`, `for at least 1 year after X`) is no
  due date: once X has happened it gives the step's earliest day ("not before"),
  and a step recorded as done sooner is reported (P439). It stays done, and on
  time or late by its due dates alone.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import NamedTuple, assert_never

import networkx as nx
from attrs import field, frozen

from interpreter import model as m
from interpreter.calendar import CalendarError, WorkingCalendar
from interpreter.conditions import Facts, evaluate, shown_value
from interpreter.diagnostics import Diagnostic, Label, error, warning
from interpreter.graph import FLOW_EDGE_KINDS, reachable_avoiding
from interpreter.resolve import ResolvedProcedure
from interpreter.source import Span
from interpreter.wording import describe_deadline, guard_text

# Facts learnt during the case: (the date, the fact's name, its value), in date order.
Learnt = tuple[tuple[date, str, m.Value], ...]


# Results are named tuples: a batch makes one per step per case.
class DeadlineResult(NamedTuple):
    text: str  # the deadline as the procedure writes it: "should be done within 1 month after referral"
    duty: m.Duty | None
    due: date | None  # None for a lower bound, which is no due date
    state: m.DeadlineState  # a lower bound is open until the step is done, then met, or missed if done too soon
    not_before: date | None = None  # a lower bound's earliest day, once what it counts from has happened


LOWER_BOUNDS = (m.DeadlineKind.NOT_BEFORE, m.DeadlineKind.LASTS)


class StepResult(NamedTuple):
    step: str
    title: str
    owner: str | None
    kind: m.NodeKind
    state: m.StepState  # not applicable, waiting, open, done or overdue (done on time or late is `late`)
    due: date | None  # the earliest due date among its deadlines not met (else the earliest)
    done_on: date | None
    late: bool  # a deadline was missed
    opened_on: date | None
    deadlines: tuple[DeadlineResult, ...] = ()
    # The earliest its lower bounds (`at least 2 years after`, `for at least 1 year after`) allow it done, once known.
    not_before: date | None = None
    too_soon: bool = False  # the case records it done before that day (P439)


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
    deadline: int = 0  # the place of the deadline it answers for, among the step's deadlines (from 0)


@frozen(kw_only=True)
class CaseResult:
    as_of: date
    steps: tuple[StepResult, ...]
    decisions: tuple[DecisionResult, ...]
    escalations: tuple[EscalationResult, ...]
    end: str | None  # the outcome, once every branch has finished
    ended_on: date | None
    diagnostics: tuple[Diagnostic, ...]
    # Outcomes reached while other branches were still running, with the date (shown in the timeline).
    reached: tuple[tuple[str, date], ...] = ()

    def step(self, name: str) -> StepResult | None:
        return next((s for s in self.steps if s.step == name), None)

    def decision(self, name: str) -> DecisionResult | None:
        return next((d for d in self.decisions if d.decision == name), None)

    @property
    def breaches(self) -> tuple[StepResult, ...]:
        """Steps done late, overdue, or recorded as done sooner than a lower bound allows."""
        return tuple(s for s in self.steps if s.late or s.state == m.StepState.OVERDUE or s.too_soon)


def _late(deadlines: Iterable[DeadlineResult]) -> bool:
    """A due date missed (a lower bound broken makes a step too soon, not late)."""
    return any(d.state == m.DeadlineState.MISSED and d.due is not None for d in deadlines)


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
    onward: dict[str, tuple[str, ...]]  # name -> the nodes its flow arrows lead to (any branch; escalations aside)
    with_deadlines: tuple[str, ...]  # steps and decisions that have deadlines, in file order
    facts: dict[str, m.Fact]  # to check a case's values
    recordable: frozenset[str]  # what a case can record as happened: events, steps, decisions
    # For each step and decision: its name, and its result when waiting and when not applicable.
    unreached_results: tuple[tuple[str, StepResult, StepResult], ...]
    # The facts by kind, and each choice fact's (name, value) pairs, unknown included: to check a case's values at once.
    yes_no_facts: tuple[str, ...] = ()
    number_facts: tuple[str, ...] = ()
    choice_facts: tuple[str, ...] = ()
    choice_pairs: frozenset[tuple[str, str | None]] = frozenset()
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
                pending = tuple(DeadlineResult(describe_deadline(d), d.duty, None, m.DeadlineState.NOT_STARTED) for d in node.deadlines)
                waiting = StepResult(name, node.title or name, owner, node.kind, m.StepState.WAITING, None, None, False, None, pending)
                unreached.append((name, waiting, waiting._replace(state=m.StepState.NOT_APPLICABLE)))
        events = frozenset(e.name for e in resolved.procedure.events)
        facts = {fact.name: fact for fact in resolved.procedure.facts if resolved.names.get(fact.name) is fact}
        choice_facts = tuple(name for name, fact in facts.items() if fact.type == m.FactType.CHOICE)
        return cls(
            calendar=calendar,
            start=graph.graph["start"],
            nodes=nodes,
            successors=successors,
            predecessors=predecessors,
            events=events,
            onward={
                name: tuple(target for target, data in graph.succ[name].items() if data["kind"] in FLOW_EDGE_KINDS)
                if graph.has_node(name)
                else ()
                for name in nodes
            },
            with_deadlines=tuple(name for name, node in nodes.items() if m.deadlines_of(node)),
            facts=facts,
            recordable=events | frozenset(n for n, node in nodes.items() if isinstance(node, (m.Step, m.Decision))),
            unreached_results=tuple(unreached),
            yes_no_facts=tuple(name for name, fact in facts.items() if fact.type == m.FactType.BOOLEAN),
            number_facts=tuple(name for name, fact in facts.items() if fact.type == m.FactType.NUMBER),
            choice_facts=choice_facts,
            choice_pairs=frozenset((name, choice.name) for name in choice_facts for choice in facts[name].choices)
            | {(name, None) for name in choice_facts},
        )

    def accepts(self, facts: Mapping[str, m.Value], happenings: Mapping[str, date]) -> bool:
        """Whether every fact and happening is one the procedure knows, each value of its fact's kind.

        Checked by kind in whole sets, a batch's commonest question: a yes/no fact
        holds a boolean (not the number 1), a number fact a whole number, a choice
        one of its choices; any may be unknown (None).
        """
        if not (facts.keys() <= self.facts.keys() and self.recordable.issuperset(happenings)):
            return False
        get = facts.get
        return (
            set(map(type, map(get, self.yes_no_facts))) <= _YES_NO_TYPES
            and set(map(type, map(get, self.number_facts))) <= _NUMBER_TYPES
            and self.choice_pairs.issuperset(zip(self.choice_facts, map(get, self.choice_facts)))
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
_YES_NO_TYPES = frozenset({bool, type(None)})
_NUMBER_TYPES = frozenset({int, type(None)})


# ---- running one case ----------------------------------------------------------


def simulate(
    plan: Plan,
    facts: Facts,
    happenings: Mapping[str, date],
    as_of: date,
    happening_spans: Mapping[str, Span | None] | None = None,
    only_reached: bool = False,
    learnt: Learnt = (),
) -> CaseResult:
    """The state of a case as of a date.

    facts: fact name -> value known from the start (a choice's name, a number, True/False; missing or None = unknown).
    happenings: name of an event, step or decision -> the date it happened or was done.
    happening_spans: where each happening (and each learnt fact) was written, to locate what is reported.
    only_reached: list only the steps the case has reached or that have fallen due
    (a batch counts nothing else), instead of every step.
    learnt: facts that became known during the case, in date order.
    """
    return _Run(plan, facts, happenings, as_of, happening_spans or {}, learnt).run(only_reached)


class _Run:
    def __init__(
        self, plan: Plan, facts: Facts, happenings: Mapping[str, date], as_of: date, spans: Mapping[str, Span | None], learnt: Learnt
    ):
        self.plan = plan
        self.facts = facts
        # What happened, or was learnt, after the day the case is seen from is not known yet.
        self.known = {name: when for name, when in happenings.items() if when <= as_of}
        self.learnt = tuple(item for item in learnt if item[0] <= as_of)
        self.as_of = as_of
        self.spans = spans
        self.opened: dict[str, date] = {}
        self.done: dict[str, date] = {}
        # Steps recorded as done that the case could not reach: shown as done, used for nothing else.
        self.set_aside: dict[str, date] = {}
        self.due: dict[str, date | None] = {}
        self.deadline_dues: dict[str, tuple[date | None, ...]] = {}
        self.earliest_days: dict[str, tuple[date | None, ...]] = {}  # each deadline's earliest day, if a lower bound
        self.too_soon: set[str] = set()
        self.undated: set[tuple[str, int]] = set()  # (step, deadline) no date could be given for: said once
        self.decisions: dict[str, DecisionResult] = {}
        self.waiting_on_facts: set[str] = set()
        self.arrivals: dict[str, dict[str, date]] = {}  # join -> the arrows that have arrived, by where from, and when
        self.released: set[str] = set()  # joins opened because their missing arrows can no longer arrive
        self.finished: list[date] = []  # when each branch that ended (`this branch ends`) finished
        self.outcomes: list[tuple[date, str]] = []
        self.whole_case_ended = False
        self.escalations: list[EscalationResult] = []
        self.diagnostics: list[Diagnostic] = []
        self.end: str | None = None
        self.ended_on: date | None = None
        self.reachable: set[str] | None = None

    def run(self, only_reached: bool = False) -> CaseResult:
        plan = self.plan
        # Nothing has begun until something has happened, as of the date the case is seen from.
        if plan.start is not None and self.known:
            self._advance([(min(self.known.values()), plan.start, None)])
        self._set_aside_records()
        self._settle_deadlines()
        self._check_happenings()
        self._finish()
        reached = tuple((name, on) for on, name in sorted(self.outcomes) if name != self.end or self.ended_on != on)
        return CaseResult(
            as_of=self.as_of,
            steps=self._reached_results() if only_reached else self._step_results(),
            decisions=tuple(self.decisions[name] for name in plan.nodes if name in self.decisions),
            escalations=tuple(sorted(self.escalations, key=lambda e: (e.on, e.step, e.to))),
            end=self.end,
            ended_on=self.ended_on,
            diagnostics=tuple(self.diagnostics),
            reached=reached,
        )

    # -- moving through the graph --

    def _advance(self, arrivals: list[tuple[date, str, str | None]]) -> None:
        """Follow the case from these arrivals (date, where, from where) as far as what has happened allows."""
        # "" for an arrival from nowhere in particular (the start, an escalation, a released join):
        # entries of one day and one place then still compare.
        queue = [(on, name, source or "") for on, name, source in arrivals]
        heapq.heapify(queue)
        while True:
            while queue and not self.whole_case_ended:
                reached_on, name, source = heapq.heappop(queue)
                node = self.plan.nodes[name]
                if isinstance(node, m.Join):
                    fired_on = self._arrive(node, source, reached_on)
                    if fired_on is None:
                        continue
                    reached_on = fired_on
                elif name in self.opened:
                    continue  # a second arrival at a step that is not a join merges with the first
                self.opened[name] = reached_on
                self.set_aside.pop(name, None)  # reached after all (an escalation opened it): it counts now
                for next_on, next_name in self._visit(node, reached_on):
                    heapq.heappush(queue, (next_on, next_name, name))
            if self.whole_case_ended:
                return
            # Nothing more moves: a join still waiting for an arrow that can no longer come opens now.
            released = self._release_joins()
            if not released:
                return
            for on, join in released:
                self.released.add(join.name)
                heapq.heappush(queue, (on, join.name, ""))

    def _arrive(self, join: m.Join, source: str, on: date) -> date | None:
        """Record an arrow arriving at a join; the date the join opens, if it opens now."""
        if join.name in self.opened:
            return None  # `waits for any` opened on an earlier arrival; the later ones add nothing
        if join.name in self.released:
            return on  # every arrow still missing can no longer arrive
        arrived = self.arrivals.setdefault(join.name, {})
        if source:
            arrived.setdefault(source, on)
        elif not arrived:
            return None
        match join.mode:
            case m.JoinMode.ANY:
                return min(arrived.values())
            case m.JoinMode.ALL:
                if set(self.plan.predecessors.get(join.name, ())) <= arrived.keys():
                    return max(arrived.values())
                return None
            case _:
                assert_never(join.mode)

    def _release_joins(self) -> list[tuple[date, m.Join]]:
        """Joins waiting for all whose missing arrows can no longer arrive, with the date each opens."""
        released = []
        for join_name, arrived in self.arrivals.items():
            join = self.plan.nodes[join_name]
            if join_name in self.opened or not arrived or not isinstance(join, m.Join):
                continue
            missing = [p for p in self.plan.predecessors.get(join_name, ()) if p not in arrived]
            live = self._live_positions(excluding=join_name)
            still_possible = reachable_avoiding(self.plan.onward, live, join_name)
            if any(p in still_possible for p in missing):
                continue
            # It opens once the last arrow arrives or the last decision that cut one off is taken.
            cut_off = [self._cut_off_on(p) for p in missing]
            released.append((max([*arrived.values(), *(d for d in cut_off if d is not None)]), join))
        return released

    def _cut_off_on(self, predecessor: str) -> date | None:
        """The latest date a decision of this case went a way that no longer leads to predecessor."""
        latest = None
        for result in self.decisions.values():
            if result.branch is None or result.decided_on is None:
                continue
            node = self.plan.nodes[result.decision]
            if not isinstance(node, m.Decision):
                continue
            for target in _targets(node):
                if target != result.branch and (target == predecessor or predecessor in self.plan.descendants(target)):
                    latest = result.decided_on if latest is None else max(latest, result.decided_on)
                    break
        return latest

    def _live_positions(self, excluding: str | None = None) -> list[str]:
        """Where the case still stands: steps open and not done, decisions not taken, joins part-way."""
        plan = self.plan
        live = [n for n in self.opened if n not in self.done and plan.task(n) is not None]
        live += [j for j, arrived in self.arrivals.items() if arrived and j not in self.opened and j != excluding]
        return live

    def _visit(self, node: m.FlowNode, opened_on: date) -> Iterator[tuple[date, str]]:
        name = node.name
        match node:
            case m.Outcome():
                self.outcomes.append((opened_on, name))
                if node.ends_case:
                    self.whole_case_ended = True
                    self.end, self.ended_on = name, opened_on
            case m.Parallel():
                for following in self.plan.successors.get(name, ()):
                    yield opened_on, following
            case m.Join():
                if node.ends_branch:
                    self.finished.append(opened_on)
                for following in self.plan.successors.get(name, ()):
                    yield opened_on, following
            case m.Decision():
                yield from self._decide(node, opened_on)
            case m.Step():
                finished = self.known.get(name)
                if finished is not None:
                    self.done[name] = finished
                    going_on = max(finished, opened_on)
                    if node.ends_branch:
                        self.finished.append(going_on)
                    for following in self.plan.successors.get(name, ()):
                        yield going_on, following
            case _:
                assert_never(node)

    def _decide(self, node: m.Decision, opened_on: date) -> Iterator[tuple[date, str]]:
        recorded = self.known.get(node.name)
        # The facts known on the day it is reached, then on each later day a fact is learnt.
        days = [opened_on] + sorted({on for on, _, _ in self.learnt if on > opened_on}) if self.learnt else (opened_on,)
        for day in days:
            facts = self._facts_on(day)
            chosen, reason, unknown = _choose(node, facts)
            if chosen is not None:
                decided_on = recorded if recorded is not None else day
                earliest = self._earliest_days(node) if recorded is None else ()
                if any(earliest):
                    # A decision with a lower bound is taken once its facts decide it and not sooner.
                    decided_on = max(decided_on, *(d for d in earliest if d is not None))
                    if decided_on > self.as_of:
                        self.decisions[node.name] = DecisionResult(
                            node.name, None, Reason(None, text="its facts decide it, but it waits for its earliest day"), None
                        )
                        return
                if recorded is not None and opened_on <= recorded < day:
                    # Recorded as taken before a fact it needs was learnt: taken when it could be.
                    self.diagnostics.append(
                        warning(
                            "P438",
                            f"decision `{node.name}` is recorded as taken on {recorded.isoformat()}, "
                            f"but a fact it needs was learnt only on {day.isoformat()}",
                            self.spans.get(node.name),
                            label=f"taken on {day.isoformat()} instead",
                            help="check the two dates: a decision is taken once the facts it tests are known",
                        )
                    )
                    decided_on = day
                self.done[node.name] = decided_on
                self.decisions[node.name] = DecisionResult(node.name, chosen, reason, decided_on)
                yield max(decided_on, opened_on), chosen
                return
            if not unknown:
                break  # no branch applies, and knowing more would not change that
        if unknown:
            self.waiting_on_facts.add(node.name)
        self.decisions[node.name] = DecisionResult(node.name, None, reason, None)

    def _facts_on(self, day: date) -> Facts:
        if not self.learnt or self.learnt[0][0] > day:
            return self.facts
        known = dict(self.facts)
        for on, name, value in self.learnt:
            if on > day:
                break
            known[name] = value
        return known

    def _settle_deadlines(self) -> None:
        """Due dates and escalations, once the case has gone as far as it can.

        Worked out after the walk, because a deadline may count back from a step
        done later (`at least 7 working days before publish`). The steps the case
        has reached fall due, and so do the steps ahead of it whose clocks have
        started: a rapid review report is due 15 working days after the
        notification even while the meeting before it is still to happen, and is
        overdue (and escalated) when that date passes. An escalation to a step
        moves the case on, and then the dates are worked out again.
        """
        fired: set[tuple[str, int]] = set()
        while True:
            ahead = self.reachable if self.reachable is not None else self._still_reachable()
            self.reachable = ahead
            moved_on: list[tuple[date, str, str | None]] = []
            for name in self.plan.with_deadlines:
                node = self.plan.task(name)
                if node is None or (name not in self.opened and name not in ahead and name not in self.set_aside):
                    continue
                self._set_due(node)
                if name in self.set_aside:
                    continue  # recorded as done out of turn: it fires nothing
                for index, escalation, step in self._firing(node):
                    if (name, index) in fired:
                        continue
                    fired.add((name, index))
                    self.escalations.append(escalation)
                    if step is not None:
                        moved_on.append((escalation.on, step, None))
            if not moved_on or self.whole_case_ended:
                return
            self._advance(moved_on)
            self.reachable = None  # the case moved on

    def _set_aside_records(self) -> None:
        """Steps recorded as done that the case has not reached, but may yet: shown as done, used for nothing else."""
        ahead = self.reachable = self._still_reachable()
        for name, when in self.known.items():
            task = self.plan.task(name)
            if task is not None and name not in self.opened and (name in ahead or self.whole_case_ended):
                self.set_aside[name] = when

    def _finish(self) -> None:
        """The case ends when every branch has finished; its outcome is then the one reached."""
        if self.whole_case_ended or not self.outcomes:
            return
        if self._live_positions() or self.waiting_on_facts:
            return
        first_on, first = min(self.outcomes)
        self.end, self.ended_on = first, max([first_on, *self.finished, *(on for on, _ in self.outcomes)])
        if len({name for _, name in self.outcomes}) > 1:
            names = ", ".join(f"`{name}`" for name in dict.fromkeys(name for _, name in sorted(self.outcomes)))
            self.diagnostics.append(
                warning(
                    "P435",
                    f"this case reaches more than one outcome: {names}",
                    None,
                    help="outcomes on parallel branches compete; `safeproc check` shows where (P213)",
                )
            )

    # -- time --

    def _anchor_date(self, name: str) -> date | None:
        if name in self.plan.events:
            return self.known.get(name)
        if self.plan.task(name) is None:
            return self.opened.get(name)  # a parallel split, a join or an outcome happens when it is reached
        return self.done.get(name)

    def _set_due(self, node: m.Task) -> None:
        self.earliest_days[node.name] = self._earliest_days(node)
        dues = self._deadline_dates(node)
        self.deadline_dues[node.name] = dues
        done_on = self.done.get(node.name, self.set_aside.get(node.name))
        unmet = [d for d in dues if d is not None and (done_on is None or done_on > d)]
        known = [d for d in dues if d is not None]
        self.due[node.name] = min(unmet) if unmet else (min(known) if known else None)

    def _not_before(self, name: str) -> date | None:
        """The earliest day its lower bounds allow it done: the latest of theirs known so far."""
        return max((day for day in self.earliest_days.get(name, ()) if day is not None), default=None)

    def _earliest_days(self, node: m.Task) -> tuple[date | None, ...]:
        """Each deadline's earliest day, in the order they are written: a lower bound's once what it
        counts from has happened, else None (and None for every deadline that is not a lower bound)."""
        days: list[date | None] = []
        for place, deadline in enumerate(node.deadlines):
            anchor = self._anchor_date(deadline.anchor.name) if deadline.kind in LOWER_BOUNDS else None
            days.append(None if anchor is None else self._moved(node, place, anchor, self.plan.calendar.add, "earliest day"))
        return tuple(days)

    def _moved(
        self, node: m.Task, place: int, anchor: date, move: Callable[[date, int, m.Unit], date | datetime], what: str
    ) -> date | None:
        deadline = node.deadlines[place]
        try:
            moment = move(anchor, deadline.duration.amount, deadline.duration.unit)
        except CalendarError as exc:
            if (node.name, place) not in self.undated:  # dates are worked out again after an escalation moves the case
                self.undated.add((node.name, place))
                self.diagnostics.append(error("P430", f"no {what} can be given for `{node.name}`: {exc}", deadline.span))
            return None
        return moment.date() if isinstance(moment, datetime) else moment

    def _deadline_dates(self, node: m.Task) -> tuple[date | None, ...]:
        """Each deadline's due date, in the order they are written; None for a clock not started or a lower bound."""
        calendar = self.plan.calendar
        dues: list[date | None] = []
        for place, deadline in enumerate(node.deadlines):
            move: Callable[[date, int, m.Unit], date | datetime]
            match deadline.kind:
                case m.DeadlineKind.WITHIN:
                    move = calendar.add
                case m.DeadlineKind.BEFORE:
                    move = calendar.subtract
                case m.DeadlineKind.NOT_BEFORE | m.DeadlineKind.LASTS:
                    dues.append(None)  # a lower bound: the step may not be done sooner, but it is not due
                    continue
                case _:
                    assert_never(deadline.kind)
            anchor = self._anchor_date(deadline.anchor.name)
            dues.append(None if anchor is None else self._moved(node, place, anchor, move, "due date"))
        return tuple(dues)

    def _firing(self, node: m.Task) -> Iterator[tuple[int, EscalationResult, str | None]]:
        """Each escalation that has fired (its place, what fired, and the step it opens if it escalates to one).

        An escalation answers for one deadline; it fires on the first working day after that deadline was missed.
        """
        if not node.escalations:
            return
        dues = self.deadline_dues.get(node.name, ())
        finished = self.done.get(node.name, self.set_aside.get(node.name))
        if finished is not None and self.whole_case_ended and self.ended_on is not None and finished > self.ended_on:
            finished = None  # recorded after the case ended (P436): it did not happen in this case
        for index, escalation in enumerate(node.escalations):
            place = escalation.deadline if escalation.deadline is not None else 0
            due = dues[place] if place < len(dues) else None
            if due is None or (finished is not None and finished <= due):
                continue
            fires_on = _next_working_day(self.plan.calendar, due)
            if (
                fires_on is None
                or fires_on > self.as_of
                or (self.ended_on is not None and self.whole_case_ended and fires_on > self.ended_on)
            ):
                continue
            if escalation.trigger == m.Trigger.OVERDUE and finished is not None and finished < fires_on:
                continue
            reason = f"`{node.name}` was due on {due.isoformat()}" + (
                f" and was done on {finished.isoformat()}" if finished else " and is not done"
            )
            if escalation.what:
                reason += f": {escalation.what}"
            step = escalation.target.name if escalation.action == m.EscalationAction.ESCALATE else None
            yield index, EscalationResult(node.name, escalation.target.name, fires_on, reason, place), step

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
            dated = due is not None or self._not_before(name) is not None
            if opened_on is None and name not in self.set_aside and (not dated or name not in may_still_open):
                results.append(waiting if name in may_still_open else not_applicable)
            else:
                results.append(self._result_of(name, waiting))
        return tuple(results)

    def _reached_results(self) -> tuple[StepResult, ...]:
        """The results of the steps the case has reached, or that have fallen due, in the plan's order."""
        chosen = self.opened.keys() | self.set_aside.keys() | {name for name, due in self.due.items() if due is not None}
        return tuple(self._result_of(name, waiting) for name, waiting, _ in self.plan.unreached_results if name in chosen)

    def _result_of(self, name: str, waiting: StepResult) -> StepResult:
        opened_on = self.opened.get(name)
        due = self.due.get(name)
        done_on = self.done.get(name, self.set_aside.get(name))
        ended_on = self.ended_on if self.whole_case_ended else None
        if ended_on is not None and (done_on is None or done_on > ended_on):
            # The case ended at an outcome that ends every branch: what was still open lapses with
            # it. Its deadlines stand as they stood that day (one missed before the end stays missed).
            deadlines = self._deadline_results(name, waiting.deadlines, None, ended_on)
            late = _late(deadlines)
            state = m.StepState.DONE if done_on is not None else m.StepState.NOT_APPLICABLE
        else:
            deadlines = self._deadline_results(name, waiting.deadlines, done_on)
            late = _late(deadlines)
            if done_on is not None:
                state = m.StepState.DONE
            elif late:
                state = m.StepState.OVERDUE
            elif opened_on is not None and not self.whole_case_ended:
                state = m.StepState.OPEN
            elif self.whole_case_ended:
                state = m.StepState.NOT_APPLICABLE
            else:
                state = m.StepState.WAITING
        return waiting._replace(
            state=state,
            due=due,
            done_on=done_on,
            late=late,
            opened_on=opened_on,
            deadlines=deadlines,
            not_before=self._not_before(name),
            too_soon=name in self.too_soon,
        )

    def _deadline_results(
        self, name: str, unstarted: tuple[DeadlineResult, ...], done_on: date | None, as_of: date | None = None
    ) -> tuple[DeadlineResult, ...]:
        dues = self.deadline_dues.get(name)
        if dues is None:
            return unstarted
        results = []
        for pending, due, earliest in zip(unstarted, dues, self.earliest_days.get(name) or (None,) * len(dues)):
            if earliest is not None:  # a lower bound, counting
                if done_on is None:
                    state = m.DeadlineState.OPEN
                else:
                    state = m.DeadlineState.MET if done_on >= earliest else m.DeadlineState.MISSED
                results.append(pending._replace(state=state, not_before=earliest))
                continue
            if due is None:
                state = m.DeadlineState.NOT_STARTED
            elif done_on is not None:
                state = m.DeadlineState.MET if done_on <= due else m.DeadlineState.MISSED
            elif (as_of or self.as_of) > due:
                state = m.DeadlineState.MISSED
            else:
                state = m.DeadlineState.OPEN
            results.append(pending._replace(due=due, state=state))
        return tuple(results)

    def _still_reachable(self) -> set[str]:
        """Nodes a case could still reach from where it stands (so waiting, not inapplicable)."""
        if self.whole_case_ended:
            return set()
        plan = self.plan
        frontier = self._live_positions()
        frontier += [j for j in plan.predecessors if j not in self.opened and any(s in self.opened for s in plan.predecessors[j])]
        # A decision ahead whose facts are known today goes one way only; steps on its
        # other branches can no longer open, so they are not applicable, not waiting.
        facts = self._facts_on(self.as_of)
        reachable = set(frontier)
        while frontier:
            name = frontier.pop()
            node = plan.nodes.get(name)
            onward = _branches_open(node, facts) if isinstance(node, m.Decision) else plan.onward.get(name, ())
            for target in onward:
                if target not in reachable:
                    reachable.add(target)
                    frontier.append(target)
        return reachable

    def _check_happenings(self) -> None:
        """Report what the case says happened that the procedure says could not have."""
        ahead = self.reachable if self.reachable is not None else self._still_reachable()
        for name, when in sorted(self.known.items(), key=lambda item: (item[1], item[0])):
            if name in self.plan.events or name not in self.plan.nodes:
                continue
            span = self.spans.get(name)
            opened_on = self.opened.get(name)
            if opened_on is None or (self.whole_case_ended and self.ended_on is not None and when > self.ended_on):
                self._not_reached(name, when, span, name in ahead)
            else:
                if when < opened_on:
                    self.diagnostics.append(
                        warning(
                            "P432",
                            f"`{name}` is recorded as done on {when.isoformat()}, before it could start on {opened_on.isoformat()}",
                            span,
                            label="done before the step before it",
                            help="check the dates: a step is done after the one it follows",
                        )
                    )
                self._too_soon(name, when, span)
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

    def _too_soon(self, name: str, when: date, span: Span | None) -> None:
        """A step or decision the case records as done before its lower bounds allow (P439)."""
        node = self.plan.task(name)
        earliest = self._not_before(name)
        if node is None or earliest is None or when >= earliest:
            return
        self.too_soon.add(name)
        broken = [(d, day) for d, day in zip(node.deadlines, self.earliest_days[name]) if day is not None and when < day]
        rules = "; ".join(
            f"{'kept up for' if d.kind == m.DeadlineKind.LASTS else 'done'} at least {d.duration} after `{d.anchor.name}`"
            for d, _ in broken
        )
        self.diagnostics.append(
            warning(
                "P439",
                f"`{name}` is recorded as done on {when.isoformat()}, before its earliest day, {earliest.isoformat()} ({rules})",
                span,
                label="done too soon",
                labels=tuple(Label(d.span, f"not before {day.isoformat()}") for d, day in broken if d.span is not None),
                help="check the date; if it is right, it was done sooner than the procedure allows",
            )
        )

    def _not_reached(self, name: str, when: date, span: Span | None, still_ahead: bool) -> None:
        """A step recorded as done that the case has not reached: reported, shown as done, and used for nothing else."""
        task = self.plan.task(name)
        if task is not None and name in self.set_aside and name not in self.deadline_dues:
            self._set_due(task)
        if self.whole_case_ended and self.ended_on is not None and when > self.ended_on:
            self.diagnostics.append(
                warning(
                    "P436",
                    f"`{name}` is recorded as done on {when.isoformat()}, but the case ended on {self.ended_on.isoformat()} at `{self.end}`",
                    span,
                    label="after the case ended",
                    help=f"outcome `{self.end}` ends the whole case; check the date, or whether this case really ended there",
                )
            )
        elif still_ahead:
            waiting = self._waiting_before(name)
            why = (
                f"decision `{waiting}` is still {self.decisions[waiting].because}; give that fact, "
                "or the day it was learnt (`on DATE fact is value`)"
                if waiting
                else "record the steps before it first"
            )
            self.diagnostics.append(
                warning(
                    "P434",
                    f"`{name}` is recorded as done on {when.isoformat()}, before this case could reach it",
                    span,
                    label="set aside: it opens no step after it and starts no clock",
                    help=why,
                )
            )
        else:
            self.diagnostics.append(
                warning(
                    "P431",
                    f"`{name}` is recorded as done on {when.isoformat()}, but this case never reaches it",
                    span,
                    label="not on this case's path",
                    help=self._why_not_reached(name),
                )
            )

    def _why_not_reached(self, name: str) -> str:
        for decision in self.decisions.values():
            node = self.plan.nodes[decision.decision]
            if not isinstance(node, m.Decision):
                continue
            targets = set(_targets(node))
            if decision.branch is not None and decision.branch != name and name in targets:
                return f"decision `{decision.decision}` took `{decision.branch}` because {decision.because}"
        waiting = self._waiting_before(name)
        if waiting is not None:
            return f"the case is still waiting at decision `{waiting}`: {self.decisions[waiting].because}"
        return "the steps before it are not done yet, or the facts lead elsewhere"

    def _waiting_before(self, name: str) -> str | None:
        """The first decision (in file order) waiting for a fact with `name` somewhere after it."""
        if not self.waiting_on_facts:
            return None
        for decision in self.plan.nodes:
            if decision in self.waiting_on_facts and name in self.plan.descendants(decision):
                return decision
        return None


def _targets(node: m.Decision) -> tuple[str, ...]:
    return tuple(b.target.name for b in node.branches) + ((node.otherwise.name,) if node.otherwise else ())


def _branches_open(node: m.Decision, facts: Facts) -> tuple[str, ...]:
    """The branches a decision could still take with what is known: all up to the first that surely holds."""
    open_targets = []
    for branch in node.branches:
        value, _ = evaluate(branch.guard, facts)
        if value is False:
            continue
        open_targets.append(branch.target.name)
        if value:
            return tuple(open_targets)
    if node.otherwise is not None:
        open_targets.append(node.otherwise.name)
    return tuple(open_targets)


def choose_branch(node: m.Decision, facts: Facts) -> str | None:
    """The branch the facts decide, or None while the decision waits for a fact or when no branch applies."""
    return _choose(node, facts)[0]


def _choose(node: m.Decision, facts: Facts) -> tuple[str | None, Reason, tuple[str, ...]]:
    """The branch the facts decide, why, and the unknown facts that keep it open (if they do)."""
    for branch in node.branches:
        value, used = evaluate(branch.guard, facts)
        if value is None:
            return None, Reason(None, text="waiting for " + ", ".join(f"`{f}`" for f in used) + " to be known"), used
        if value:
            return branch.target.name, Reason(branch.guard, used, facts), ()
    if node.otherwise is not None:
        return node.otherwise.name, Reason(None, _all_facts(node), facts, "none of the conditions held"), ()
    return None, Reason(None, text="no branch applies to this case, and the decision has no `otherwise`"), ()


def _next_working_day(calendar: WorkingCalendar, day: date) -> date | None:
    try:
        return calendar.add(day, 1, m.Unit.WORKING_DAYS)
    except CalendarError:
        return None


def _values(names: Iterable[str], facts: Facts) -> str:
    shown = [f"{name} = {shown_value(facts.get(name))}" for name in dict.fromkeys(names)]
    return f" ({', '.join(shown)})" if shown else ""


def _all_facts(node: m.Decision) -> tuple[str, ...]:
    return tuple(sorted({name for branch in node.branches for name in m.facts_tested(branch.guard)}))
