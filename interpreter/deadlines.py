"""Can a procedure's deadlines all be met? A Simple Temporal Network says.

Each step's completion and each event is a time point. Every deadline, and every
`next` (a step cannot finish before the step it follows), bounds the difference
of two points: t(b) - t(a) <= w. In the distance graph that is an edge a -> b of
weight w, and the bounds can all hold together exactly when the graph has no
negative cycle (Dechter, Meiri & Pearl, 1991).

Durations come in different units. Within one scale they add up exactly:
working days count on working days, months and years on months, and hours,
days and weeks on elapsed time. So the network is first checked scale by scale,
each bound in its own unit (a contradiction there fails on every date, and its
shortfall is exact: "5 working days short"). Chains that mix scales are then
checked in calendar days, with each bound converted twice: leniently (the most
room it can give over the calendar's years) and strictly (the least). A negative
cycle even when lenient fails on every start date: an error. One only when
strict is a warning, once an actual start date on which it fails is found.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Literal, assert_never, cast

import networkx as nx
from attrs import frozen

from interpreter import model as m
from interpreter.calendar import DEFAULT_CALENDAR, CalendarError, DateOutsideCalendar, WorkingCalendar, get_calendar
from interpreter.diagnostics import Diagnostic, Label, error, note, warning
from interpreter.graph import FLOW_EDGE_KINDS, reachable_from
from interpreter.resolve import ResolvedProcedure
from interpreter.source import Span
from interpreter.wording import bound_sentence


def scale_of(unit: m.Unit) -> tuple[m.Unit, int]:
    """The scale a unit is counted in (units of one scale add up exactly), and its size there."""
    match unit:
        case m.Unit.WORKING_DAYS:
            return m.Unit.WORKING_DAYS, 1
        case m.Unit.MONTHS:
            return m.Unit.MONTHS, 1
        case m.Unit.YEARS:
            return m.Unit.MONTHS, 12
        case m.Unit.HOURS:
            return m.Unit.HOURS, 1
        case m.Unit.DAYS:
            return m.Unit.HOURS, 24
        case m.Unit.WEEKS:
            return m.Unit.HOURS, 24 * 7
        case _:
            assert_never(unit)


@frozen
class Rule:
    """One bound of the network, with what a policy author needs to recognise it."""

    text: str  # e.g. "`rapid_review_report` is done at most 15 working days after `submit_sin`"
    span: Span | None
    cites: tuple[str, ...]
    duration: m.Duration | None  # None for sequencing
    sign: int  # +1 for an upper bound (at most), -1 for a lower bound (at least), 0 otherwise
    anchor: str = ""

    @property
    def scale(self) -> m.Unit | None:
        return scale_of(self.duration.unit)[0] if self.duration else None

    @property
    def scaled_amount(self) -> int:
        return self.duration.amount * scale_of(self.duration.unit)[1] if self.duration else 0


@frozen
class Bound:
    """t(target) - t(source) <= weight days, for the lenient and the strict reading."""

    source: str
    target: str
    lenient: int
    strict: int
    rule: Rule


def procedure_calendar(procedure: m.Procedure) -> WorkingCalendar:
    header = procedure.header
    name = header.calendar if header and header.calendar else DEFAULT_CALENDAR
    closures: list[date] = []
    for first, last in header.closures if header else ():
        closures.extend(date.fromordinal(o) for o in range(first.toordinal(), last.toordinal() + 1))
    return get_calendar(name, tuple(closures))


def deadline_bounds(resolved: ResolvedProcedure, graph: nx.DiGraph, calendar: WorkingCalendar) -> tuple[list[Bound], list[Diagnostic]]:
    """Every bound the procedure places on its time points, and the deadlines that cannot be converted."""
    bounds: list[Bound] = []
    problems: list[Diagnostic] = []
    kind: str
    for source, target, kind in graph.edges(data="kind"):
        if kind in FLOW_EDGE_KINDS:
            declaration = graph.nodes[target]["declaration"]
            rule = Rule(f"`{source}` comes before `{target}`", declaration.span, (), None, 0)
            bounds.append(Bound(target, source, 0, 0, rule))
    for node in resolved.procedure.nodes:
        if resolved.names.get(node.name) is not node or not isinstance(node, (m.Step, m.Decision)):
            continue
        for deadline in node.deadlines:
            anchor = resolved.names.get(deadline.anchor.name)
            if anchor is None or isinstance(anchor, (m.Role, m.Fact)) or anchor is node:
                continue
            try:
                least, greatest, _, _ = calendar.span_range(deadline.duration.amount, deadline.duration.unit)
            except CalendarError as exc:
                problems.append(error("P306", f"this deadline cannot be counted: {exc}", deadline.span, help="check the length of time"))
                continue
            bounds.extend(_bounds_of(node, deadline, least, greatest))
    return bounds, problems


def _bounds_of(node: m.Task, deadline: m.Deadline, least: int, greatest: int) -> Iterator[Bound]:
    step, anchor, duration = node.name, deadline.anchor.name, deadline.duration
    text, cites = bound_sentence(step, deadline), node.cites
    match deadline.kind:
        case m.DeadlineKind.WITHIN:
            yield Bound(anchor, step, greatest, least, Rule(text, deadline.span, cites, duration, +1, anchor))
            after = Rule(f"`{step}` is done after `{anchor}`", deadline.span, cites, None, 0, anchor)
            yield Bound(step, anchor, 0, 0, after)
        case m.DeadlineKind.NOT_BEFORE | m.DeadlineKind.LASTS:
            yield Bound(step, anchor, -least, -greatest, Rule(text, deadline.span, cites, duration, -1, anchor))
        case m.DeadlineKind.BEFORE:
            yield Bound(anchor, step, -least, -greatest, Rule(text, deadline.span, cites, duration, -1, anchor))
        case _:
            assert_never(deadline.kind)


def scale_graph(bounds: list[Bound], scale: m.Unit) -> nx.DiGraph:
    """The distance graph of one scale's bounds and the order of the steps, in that scale's unit."""
    return _tightest(
        (bound, bound.rule.sign * bound.rule.scaled_amount) for bound in bounds if bound.rule.duration is None or bound.rule.scale == scale
    )


def distance_graph(bounds: list[Bound], reading: Literal["lenient", "strict"]) -> nx.DiGraph:
    """The distance graph in calendar days for one reading."""
    if reading == "lenient":
        return _tightest((bound, bound.lenient) for bound in bounds)
    return _tightest((bound, bound.strict) for bound in bounds)


def _tightest(weighted: Iterable[tuple[Bound, int]]) -> nx.DiGraph:
    """Keep, for each pair of points, the tightest bound between them."""
    graph: nx.DiGraph = nx.DiGraph()
    for bound, weight in weighted:
        existing = graph.get_edge_data(bound.source, bound.target)
        if existing is None or weight < existing["weight"]:
            graph.add_edge(bound.source, bound.target, weight=weight, rule=bound.rule)
    return graph


def find_conflict(graph: nx.DiGraph) -> list[str] | None:
    """A negative cycle as a list of nodes (first repeated last), or None.

    Bellman-Ford with a queue, every node starting at distance 0, as if from one
    source joined to them all (so no such source and its edge to every node is
    added: at 100,000 steps those were tens of megabytes). Every so many
    improvements the links of best predecessors are searched for a cycle, and any
    cycle there is negative. Written here rather than taken from networkx, whose
    search can find a negative cycle and then fail to trace it (its issue 5916).
    """
    succ = graph.succ
    distance = dict.fromkeys(graph.nodes, 0)
    parent: dict[str, str] = {}
    queue = deque(distance)
    queued = set(distance)
    improvements = 0
    every = max(len(distance), 1)
    while queue:
        node = queue.popleft()
        queued.discard(node)
        here = distance[node]
        for target, data in succ[node].items():
            candidate = here + data["weight"]
            if candidate < distance[target]:
                distance[target] = candidate
                parent[target] = node
                if target not in queued:
                    queue.append(target)
                    queued.add(target)
                improvements += 1
                if improvements % every == 0:
                    cycle = _cycle_among_parents(parent)
                    if cycle is not None and _cycle_weight(graph, cycle) < 0:
                        return cycle
    return None


def _cycle_among_parents(parent: dict[str, str]) -> list[str] | None:
    """A cycle in the best-predecessor links, in the graph's direction (first node repeated last), or None."""
    walked_in: dict[str, int] = {}
    for walk, start in enumerate(parent):
        node = start
        path = []
        while node in parent and node not in walked_in:
            walked_in[node] = walk
            path.append(node)
            node = parent[node]
        if walked_in.get(node) == walk:
            loop = path[path.index(node) :]
            loop.reverse()  # a link points back along its edge
            return [*loop, loop[0]]
    return None


def _cycle_weight(graph: nx.DiGraph, cycle: list[str]) -> int:
    return sum(graph.edges[a, b]["weight"] for a, b in zip(cycle, cycle[1:]))


def check_deadlines(resolved: ResolvedProcedure, graph: nx.DiGraph) -> list[Diagnostic]:
    procedure = resolved.procedure
    diagnostics = _escalations_without_deadline(resolved)
    if not any(m.deadlines_of(node) for node in procedure.nodes):
        return diagnostics
    try:
        calendar = procedure_calendar(procedure)
    except CalendarError:
        return diagnostics  # an unknown calendar is reported by the resolver
    diagnostics += _anchor_order(resolved, graph) + _missing_escalations(resolved)
    bounds, problems = deadline_bounds(resolved, graph, calendar)
    diagnostics += problems
    events = frozenset(event.name for event in procedure.events)
    # A conflict is told from an event if it has one (an event's date is given, while a
    # step's can move), else from the step written first: the same wording whichever
    # way round the search happened to find the loop.
    first = {name: place for place, name in enumerate([*(event.name for event in procedure.events), *(n.name for n in procedure.nodes)])}
    conflict = _conflict(bounds, calendar, events, lambda cycle: _told_from_the_start(cycle, first))
    if conflict is not None:
        diagnostics.append(conflict)
    return diagnostics


def _told_from_the_start(cycle: list[str], first: dict[str, int]) -> list[str]:
    """The cycle (first node repeated last) begun at its earliest point: an event, else the first declared."""
    points = cycle[:-1]
    start = min(range(len(points)), key=lambda i: first.get(points[i], len(first)))
    return [*points[start:], *points[:start], points[start]]


def _conflict(
    bounds: list[Bound], calendar: WorkingCalendar, events: frozenset[str], told: Callable[[list[str]], list[str]] = list
) -> Diagnostic | None:
    """The first conflict among the bounds, if any; `told` gives the order its loop is told in."""
    for scale in sorted({bound.rule.scale for bound in bounds if bound.rule.scale is not None}):
        with _emptied_after(scale_graph(bounds, scale)) as in_scale:
            cycle = find_conflict(in_scale)
            if cycle is not None:
                return _definite_conflict(_cycle_rules(in_scale, told(cycle)), scale)
    with _emptied_after(distance_graph(bounds, "lenient")) as lenient:
        cycle = find_conflict(lenient)
        if cycle is not None:
            return _definite_conflict(_cycle_rules(lenient, told(cycle)), None)
    with _emptied_after(distance_graph(bounds, "strict")) as strict:
        cycle = find_conflict(strict)
        if cycle is None:
            return None
        cycle = told(cycle)
        rules = _cycle_rules(strict, cycle)
    example = _failing_start(rules, calendar, any_day=cycle[0] in events)
    return _possible_conflict(rules, cycle[0], example) if example is not None else None


@contextmanager
def _emptied_after(graph: nx.DiGraph) -> Iterator[nx.DiGraph]:
    """A graph whose nodes and edges are let go as soon as it has been used.

    A networkx graph refers to itself, so only the cyclic collector frees it, and
    the command line pauses that collector while it checks (see repl/garbage_collector.py):
    without this, every distance graph of a large procedure would stay until the end.
    """
    try:
        yield graph
    finally:
        graph.clear()


def _cycle_rules(graph: nx.DiGraph, cycle: list[str]) -> list[tuple[Rule, int]]:
    return [(graph.edges[a, b]["rule"], graph.edges[a, b]["weight"]) for a, b in zip(cycle, cycle[1:])]


def _conflict_parts(rules: list[tuple[Rule, int]]) -> tuple[Rule, tuple[Label, ...], tuple[str, ...]]:
    """The rule to point at, labels for the others, and the whole chain as a note."""
    timed = [rule for rule, _ in rules if rule.duration is not None]
    primary = timed[-1] if timed else rules[0][0]
    labels = tuple(
        Label(rule.span, rule.text.replace("`", ""))
        for rule, _ in rules
        if rule is not primary and rule.span is not None and rule.duration is not None
    )
    chain = [rule.text + (f" ({', '.join(rule.cites)})" if rule.cites and rule.duration else "") for rule, _ in rules]
    return primary, labels, ("the rules, in order: " + "; then ".join(chain),)


def _definite_conflict(rules: list[tuple[Rule, int]], unit: m.Unit | None) -> Diagnostic:
    primary, labels, notes = _conflict_parts(rules)
    total = -sum(weight for _, weight in rules)
    if unit is not None:
        shortfall = f"{_in_the_rules_units(total, rules, unit)} short"
    else:
        shortfall = f"{total} day{'s' if total != 1 else ''} short, even counting every holiday in its favour"
    return error(
        "P301",
        f"these deadlines cannot all be met: {shortfall}",
        primary.span,
        label=primary.text.replace("`", ""),
        labels=labels,
        notes=notes,
        help="one of these rules must give way: check each against the source paragraph it cites",
    )


def _in_the_rules_units(total: int, rules: list[tuple[Rule, int]], scale: m.Unit) -> m.Duration:
    """A shortfall counted in a scale's own unit (hours, months), said in the largest unit the
    rules themselves use that measures it exactly: "6 days short" of rules in days and weeks."""
    used = {rule.duration.unit for rule, _ in rules if rule.duration is not None and rule.scale == scale}
    for unit in sorted(used, key=lambda used_unit: -scale_of(used_unit)[1]):
        size = scale_of(unit)[1]
        if total % size == 0:
            return m.Duration(total // size, unit)
    return m.Duration(total, scale)


def _possible_conflict(rules: list[tuple[Rule, int]], start: str, example: date) -> Diagnostic:
    primary, labels, notes = _conflict_parts(rules)
    return warning(
        "P302",
        f"these deadlines cannot all be met when `{start}` falls on {example:%A} {example.day} {example:%B %Y}",
        primary.span,
        label=primary.text.replace("`", ""),
        labels=labels,
        notes=notes + ("on most dates they can be met: weekends, holidays and the lengths of months decide",),
        help="give one of the rules more room, or say why the clash cannot happen in a comment `# allow P302: <why>`",
    )


# Start dates tried for an example, working days first: recent years read best.
_EXAMPLE_YEARS = (2024, 2025)


def _failing_start(rules: list[tuple[Rule, int]], calendar: WorkingCalendar, any_day: bool) -> date | None:
    """A date for the cycle's first point on which, following the rules round, it must come before itself.

    An event can fall on any day; a step is done on a working day.
    """
    first = date(_EXAMPLE_YEARS[0], 1, 1).toordinal()
    last = date(_EXAMPLE_YEARS[-1], 12, 31).toordinal()
    days = [date.fromordinal(o) for o in range(first, last + 1)]
    if not any_day:
        days = [d for d in days if calendar.is_working_day(d)]
    for start in sorted(days, key=lambda d: (not calendar.is_working_day(d), d)):
        moment = datetime(start.year, start.month, start.day)
        try:
            for rule, _ in rules:
                moment = _latest_after(rule, moment, calendar)
        except DateOutsideCalendar:
            continue
        if moment < datetime(start.year, start.month, start.day):
            return start
    return None


def _latest_after(rule: Rule, latest_source: datetime, calendar: WorkingCalendar) -> datetime:
    """The latest the next point of a cycle can be, given the latest of the point before it."""
    if rule.duration is None:
        return latest_source
    amount, unit = rule.duration.amount, rule.duration.unit
    if rule.sign > 0:
        return calendar.add(latest_source, amount, unit)
    # A lower bound: the latest x whose count of `amount` units still ends by latest_source.
    # Counting is monotone, so step from the inverse to the exact edge.
    candidate = calendar.subtract(latest_source, amount, unit)
    while calendar.add(candidate, amount, unit) > latest_source:
        candidate -= timedelta(days=1)
    while calendar.add(candidate + timedelta(days=1), amount, unit) <= latest_source:
        candidate += timedelta(days=1)
    return candidate


# ---- structural rules about anchors and escalations ---------------------------


def _anchor_order(resolved: ResolvedProcedure, graph: nx.DiGraph) -> list[Diagnostic]:
    diagnostics = []
    start = graph.graph.get("start")
    # A step no case reaches is reported as such (P202); the order of its clocks says nothing more.
    reached = reachable_from(graph, start) if start is not None else set(graph)
    for node in resolved.procedure.nodes:
        for deadline in m.deadlines_of(node):
            anchor = resolved.flow_node(deadline.anchor.name)
            if anchor is None or not graph.has_node(node.name):
                continue
            if anchor.name != node.name and (node.name not in reached or anchor.name not in reached):
                continue
            if anchor.name == node.name:
                diagnostics.append(
                    error(
                        "P309",
                        f"`{node.name}` cannot have a deadline counted from itself",
                        deadline.anchor.span,
                        label="the step's own name",
                        help="count from the event or the step that starts the clock",
                    )
                )
                continue
            counts_from_earlier = deadline.kind != m.DeadlineKind.BEFORE
            earlier, later = (anchor.name, node.name) if counts_from_earlier else (node.name, anchor.name)
            if _precedes(graph, earlier, later):
                continue
            if _precedes(graph, later, earlier):
                word = "after" if counts_from_earlier else "before"
                diagnostics.append(
                    error(
                        "P303",
                        f"this deadline counts from `{anchor.name}`, which comes {word} `{node.name}` in the procedure",
                        deadline.anchor.span,
                        label=f"`{anchor.name}` cannot have happened yet"
                        if counts_from_earlier
                        else f"`{anchor.name}` has already happened",
                        labels=(Label(anchor.span, f"`{anchor.name}` is declared here"),) if anchor.span else (),
                        help="count from an event or from a step that comes before this one"
                        if counts_from_earlier
                        else "a `before` deadline counts back from a step that comes later",
                    )
                )
            elif _exclusive(graph, anchor.name, node.name):
                diagnostics.append(
                    error(
                        "P304",
                        f"this deadline counts from `{anchor.name}`, which is on another branch of a decision",
                        deadline.anchor.span,
                        label=f"a case that reaches `{node.name}` never passes `{anchor.name}`",
                        help="count from a step that every path to this one passes, or from an event",
                    )
                )
            else:
                diagnostics.append(
                    warning(
                        "P308",
                        f"this deadline counts from `{anchor.name}`, which runs in parallel and may not have happened yet",
                        deadline.anchor.span,
                        label="on a parallel branch",
                        help="count from the step before the parallel split, or join the branches first",
                    )
                )
    return diagnostics


def _precedes(graph: nx.DiGraph, earlier: str, later: str) -> bool:
    if graph.has_edge(earlier, later):
        return True
    return later in reachable_from(graph, earlier, include_escalations=False)


def _exclusive(graph: nx.DiGraph, first: str, second: str) -> bool:
    """True unless both lie on different branches of one parallel split."""
    for name, kind in graph.nodes(data="kind"):
        if kind != "parallel":
            continue
        reaches = [reachable_from(graph, child, include_escalations=False) for child in graph.successors(name)]
        on_first = {i for i, seen in enumerate(reaches) if first in seen}
        on_second = {i for i, seen in enumerate(reaches) if second in seen}
        if on_first and on_second and on_first != on_second:
            return False
    return True


def _escalations_without_deadline(resolved: ResolvedProcedure) -> list[Diagnostic]:
    return [
        warning(
            "P311",
            f"`{node.name}` says what happens if it is late, but it has no deadline",
            escalation.span,
            label="nothing to be late for",
            help="add the deadline (`within ... after ...`), or remove the escalation",
        )
        for node in resolved.procedure.nodes
        if not m.deadlines_of(node)
        for escalation in m.escalations_of(node)
    ]


def _missing_escalations(resolved: ResolvedProcedure) -> list[Diagnostic]:
    return [
        warning(
            "P305",
            f"`{node.name}` must meet this deadline, but nothing says who is told if it is missed",
            deadline.span,
            label="no `if late` for this deadline",
            help="where the source names who is told, add `if late notify <role>`; "
            "where it names nobody, say so with a comment `# allow P305: <why>`",
        )
        for node in resolved.procedure.nodes
        for place, deadline in enumerate(m.deadlines_of(node))
        if deadline.duty == m.Duty.MUST
        and deadline.kind in (m.DeadlineKind.WITHIN, m.DeadlineKind.BEFORE)  # a lower bound cannot be late
        and not _answered(node, place)
    ]


def _answered(node: m.FlowNode, place: int) -> bool:
    """Whether an escalation answers for the deadline at this place (one written before any dated deadline answers for the first)."""
    return any(e.deadline == place for e in m.escalations_of(node))


# ---- the minimal network: the window each step falls in ------------------------


def windows(resolved: ResolvedProcedure, graph: nx.DiGraph) -> list[Diagnostic]:
    """Notes giving, for each step, the window its deadlines allow after (or before) each clock.

    The clocks a step's window is given against are the procedure's events (the few
    things that start a case) and the clocks its own deadlines count from. Not every
    clock: in a chain where each step counts from the one before, every step would
    get a window after every earlier step, and the notes would grow with the square
    of the procedure. So the search is done once from each event, and from every
    other clock only as far as the steps that count from it, over the distance graph
    reweighted once (Johnson's method) so that each search is Dijkstra's and stops
    when its last step is reached.
    """
    procedure = resolved.procedure
    try:
        calendar = procedure_calendar(procedure)
    except CalendarError:
        return []
    bounds, _ = deadline_bounds(resolved, graph, calendar)
    if _conflict(bounds, calendar, frozenset(event.name for event in procedure.events)) is not None:
        return []
    days = distance_graph(bounds, "lenient")
    if days.number_of_nodes() == 0:
        return []
    events = {event.name for event in procedure.events if event.name in days}
    wanted: dict[str, set[str] | None] = {event: None for event in events}  # None: every step
    for node in procedure.nodes:
        for deadline in m.deadlines_of(node):
            clock = deadline.anchor.name
            if clock in days and clock != node.name and wanted.get(clock, set()) is not None:
                wanted.setdefault(clock, set()).add(node.name)  # type: ignore[union-attr]
    searches = _ShortestPaths(days, events)
    found = {clock: (searches.after(clock, targets), searches.before(clock, targets)) for clock, targets in wanted.items()}
    notes = []
    for node in procedure.nodes:
        if not isinstance(node, (m.Step, m.Decision)) or node.name not in days:
            continue
        own = {d.anchor.name for d in node.deadlines if d.anchor.name in days}
        # Windows before a later clock are shown only for the steps whose own deadlines
        # count back from it: every step before publication is "before publication".
        counts_back_from = {d.anchor.name for d in node.deadlines if d.kind == m.DeadlineKind.BEFORE}
        parts = []
        for clock in sorted((events | own) - {node.name}):
            (upper, upper_along), (to_clock, to_clock_along) = (search.get(node.name) for search in found[clock])
            window = _describe_window(clock in counts_back_from, clock, upper, upper_along, to_clock, to_clock_along)
            if window:
                parts.append(window)
        if parts:
            notes.append(note("P310", f"`{node.name}` is done " + "; ".join(parts), node.span, label="its window"))
    return notes


# What a path's rules add up to: the one unit they share (None before any timed rule,
# _MIXED once two differ) and the signed sum of their amounts in it.
_MIXED = "mixed"
Along = tuple[m.Unit | str | None, int]


class _Search:
    """The shortest distances found from (or to) one clock, and what the rules on the shortest
    paths add up to: worked out once per node as the search settles it, from the nodes it is
    reached from (walking every path again would be quadratic in a long chain).

    When paths of equal length disagree on their unit or count, neither is the window's
    reading, so it is given in days.
    """

    def __init__(self, distances: dict[str, int], along: dict[str, Along]):
        self.distances = distances
        self.along = along

    def get(self, name: str) -> tuple[int | None, Along | None]:
        """The distance to name and what the rules on the path there add up to, or None and None if it is not reached."""
        if name not in self.distances:
            return None, None
        return self.distances[name], self.along[name]


def _along_edge(before: Along, rule: Rule) -> Along:
    unit, amount = before
    if rule.duration is None:
        return before
    return (rule.duration.unit if unit in (None, rule.duration.unit) else _MIXED), amount + rule.sign * rule.duration.amount


class _ShortestPaths:
    """Single-source shortest paths in a distance graph with negative weights but no negative cycle.

    Each node gets two potentials, found once by Bellman-Ford: the latest it can be
    after the procedure's events, and the earliest (as a distance back to them). With
    them every weight becomes at least 0 (Johnson's method), so each search is
    Dijkstra's; and since these potentials measure time from the start, a search from
    a clock towards the steps that count from it moves forward in time at no cost and
    backward at full cost, and so stops near the clock instead of sweeping the chain.
    """

    def __init__(self, graph: nx.DiGraph, starts: set[str]):
        self.graph = graph
        self.latest = _potentials(graph, starts)
        self.earliest = _potentials(graph.reverse(copy=True), starts)

    def after(self, clock: str, targets: set[str] | None) -> _Search:
        """Upper bounds on t(step) - t(clock): distances from clock, paths clock → step."""
        return self._dijkstra(clock, targets, self.graph, self.latest, reversed_=False)

    def before(self, clock: str, targets: set[str] | None) -> _Search:
        """Distances from each step to clock (bounds on t(clock) - t(step)), over the reversed graph: paths clock → step there."""
        return self._dijkstra(clock, targets, self.graph, self.earliest, reversed_=True)

    @staticmethod
    def _dijkstra(source: str, targets: set[str] | None, graph: nx.DiGraph, h: dict[str, int], reversed_: bool) -> _Search:
        neighbours = graph.pred if reversed_ else graph.succ
        reduced: dict[str, int] = {source: 0}
        parents: dict[str, list[str]] = {}  # every node it is reached from at the shortest distance
        settled: dict[str, int] = {}
        along: dict[str, Along] = {}
        left = set(targets) if targets is not None else None
        # Among equal distances a target comes first, so that a search can stop as soon as it may.
        queue = [(0, 0, source)]
        while queue and (left is None or left):
            distance, _, node = heapq.heappop(queue)
            if node in settled:
                continue
            settled[node] = distance
            readings = {
                # A link parent → node is the graph's edge node → parent in a search over the reversed graph.
                _along_edge(along[parent], graph.edges[(node, parent) if reversed_ else (parent, node)]["rule"])
                for parent in parents.get(node, ())
            }
            along[node] = (None, 0) if node == source else readings.pop() if len(readings) == 1 else (_MIXED, 0)
            if left is not None:
                left.discard(node)
            for other, edge in neighbours[node].items():
                if other in settled:
                    continue
                candidate = distance + edge["weight"] + h[node] - h[other]
                best = reduced.get(other)
                if best is None or candidate < best:
                    reduced[other] = candidate
                    parents[other] = [node]
                    heapq.heappush(queue, (candidate, 0 if left is not None and other in left else 1, other))
                elif candidate == best:
                    parents[other].append(node)
        # Back from reduced distances to true ones: d(s, v) = d'(s, v) - h(s) + h(v).
        distances = {node: value - h[source] + h[node] for node, value in settled.items()}
        return _Search(distances, along)


def _potentials(graph: nx.DiGraph, starts: set[str]) -> dict[str, int]:
    """Shortest distances from the start points; a node they do not reach gets a distance beyond any path's."""
    beyond = 1 + sum(abs(int(data["weight"])) for _, _, data in graph.edges(data=True))
    virtual = object()
    graph.add_edges_from((virtual, node, {"weight": 0 if node in starts else beyond}) for node in list(graph.nodes))
    try:
        found = cast(dict[str, int], nx.single_source_bellman_ford_path_length(graph, virtual, weight="weight"))
    finally:
        graph.remove_node(virtual)
    found.pop(virtual, None)  # type: ignore[call-overload]
    return found


def _describe_window(
    counts_back: bool,
    clock: str,
    upper: int | None,
    upper_along: Along | None,
    to_clock: int | None,
    to_clock_along: Along | None,
) -> str | None:
    """t(step) - t(clock) lies in [-to_clock, upper]; say so in the rules' own unit where one unit decides it."""
    lower = -to_clock if to_clock is not None else None
    if upper is not None and upper < 0:
        if not counts_back:
            return None
        nearest = _in_units(-upper, upper_along)
        if lower is None:
            return f"at least {nearest} before `{clock}`"
        furthest = _in_units(-lower, to_clock_along)
        if nearest == furthest:
            return f"exactly {nearest} before `{clock}`"
        return f"{nearest} to {furthest} before `{clock}`"
    if lower is not None and lower >= 0:
        earliest = _in_units(lower, to_clock_along) if lower else "0"
        if upper is None:
            return f"at least {earliest} after `{clock}`" if lower else None
        latest = _in_units(upper, upper_along)
        if earliest == latest:
            return f"exactly {latest} after `{clock}`"
        return f"{earliest} to {latest} after `{clock}`"
    return None


def _in_units(days_total: int, along: Along | None) -> str:
    """A distance along a path, in the unit of its rules when they share one, else in calendar days."""
    unit, amount = along if along is not None else (None, 0)
    if isinstance(unit, m.Unit):
        # Counts in one unit add up exactly along a chain (see the module's note).
        return str(m.Duration(abs(amount), unit))
    return f"{days_total} day{'s' if days_total != 1 else ''}"
