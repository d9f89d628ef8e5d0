"""Path conditions: under which facts a case reaches each step of a procedure.

A decision's branch is taken when its own condition holds and none before it does,
so whatever a branch leads to is reached under the decision's condition narrowed
by that. A step after a parallel split has the split's condition; a join, the
condition of any arrow into it (a join opens once an arrow arrives and no other
can). Escalations are left out: they follow lateness, not facts.

Conditions are kept as decision diagrams over the facts (one level per fact, one
arrow per value worth trying, shared sub-diagrams stored once, as in a BDD), so
"and", "or", "not" and "for some value of these facts" are each one pass over the
diagrams, however many facts there are. The values are the ones
`conditions.FactSpace` tries: a number only ever compared with constants is one of
a few representative values. For people, a condition is written back as `when`
lines would write it (`described`).

`verify` asks whether a national obligation's condition is covered by the local
path to the step that satisfies it; `check --paths` shows each step's condition.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import assert_never

import networkx as nx
from attrs import frozen

from interpreter import model as m
from interpreter.conditions import COMPARE, FactSpace, shown_value
from interpreter.diagnostics import Diagnostic, note
from interpreter.resolve import ResolvedProcedure
from interpreter.wording import kind_noun

Condition = int  # a diagram, by its number in its Diagrams
NEVER: Condition = 0
ALWAYS: Condition = 1

Cube = tuple[tuple[str, frozenset[m.Value]], ...]  # facts and the values each may take; others free

# Writing a condition out stops after this many alternatives: past it, no one reads them.
MOST_ALTERNATIVES = 64
# The diagrams of a few dozen facts stay small when facts tested together are near each
# other in the order; an unlucky procedure can make them grow exponentially. Past this
# many nodes (about 100 MB) the work stops and says so.
MOST_NODES = 400_000


class TooLarge(Exception):
    """The conditions need more than MOST_NODES diagram nodes."""

    message = (
        f"the conditions are too large to work out: they need more than {MOST_NODES:,} diagram nodes "
        "(facts that decisions test together are far apart in the file; testing them near each other helps)"
    )


class Diagrams:
    """Conditions over a fixed list of facts, each with the values worth trying."""

    def __init__(self, facts: Sequence[str], values: Mapping[str, Sequence[m.Value]]):
        self.facts = tuple(facts)
        self.level = {name: index for index, name in enumerate(self.facts)}
        self.values = {name: tuple(values[name]) for name in self.facts}
        # node number -> (level, one child per value); 0 and 1 are the answers never and always
        self._nodes: list[tuple[int, tuple[Condition, ...]]] = [(len(self.facts), ()), (len(self.facts), ())]
        self._unique: dict[tuple[int, tuple[Condition, ...]], Condition] = {}
        self._memo: dict[tuple, Condition] = {}

    @classmethod
    def for_procedures(cls, procedures: Iterable[m.Procedure]) -> Diagrams:
        """Diagrams over the facts of these procedures, in the order they are first tested
        (facts tested together early sit near the top, which keeps the diagrams small)."""
        spaces = [FactSpace.of(p) for p in procedures]
        values: dict[str, list[m.Value]] = {}
        for space in spaces:
            for name, domain in space.domains.items():
                known = values.setdefault(name, [])
                if known and domain and type(known[0]) is not type(domain[0]):
                    continue  # the same name for another kind of fact: verify says so (P711); the first counts
                known.extend(v for v in domain if not any(v == k and type(v) is type(k) for k in known))
        for known in values.values():
            if known and all(isinstance(v, int) and not isinstance(v, bool) for v in known):
                known.sort()
        return cls(_fact_order(procedures, values), values)

    def __len__(self) -> int:
        return len(self._nodes)

    # -- making diagrams --

    def _make(self, level: int, children: tuple[Condition, ...]) -> Condition:
        if all(child == children[0] for child in children):
            return children[0]
        key = (level, children)
        found = self._unique.get(key)
        if found is None:
            if len(self._nodes) >= MOST_NODES:
                raise TooLarge
            found = len(self._nodes)
            self._nodes.append(key)
            self._unique[key] = found
        return found

    def allowing(self, fact: str, allowed: Iterable[m.Value]) -> Condition:
        """The condition that fact takes one of these values."""
        chosen = set(allowed)
        return self._make(self.level[fact], tuple(ALWAYS if v in chosen else NEVER for v in self.values[fact]))

    def of_guard(self, guard: m.Guard) -> Condition:
        """The condition under which a guard holds."""
        match guard:
            case m.Not():
                return self.negation(self.of_guard(guard.operand))
            case m.All():
                result = ALWAYS
                for operand in guard.operands:
                    result = self.both(result, self.of_guard(operand))
                return result
            case m.AnyOf():
                result = NEVER
                for operand in guard.operands:
                    result = self.either(result, self.of_guard(operand))
                return result
            case m.FactHolds() | m.FactIs() | m.FactIn() | m.FactCompare():
                values = self.values.get(guard.fact.name)
                if not values or not _fits(guard, values[0]):
                    return ALWAYS  # a fact reported elsewhere, or of another kind: draw no conclusion from it
                return self.allowing(guard.fact.name, self._allowed(guard))
            case _:
                assert_never(guard)

    def _allowed(self, guard: m.FactHolds | m.FactIs | m.FactIn | m.FactCompare) -> set[m.Value]:
        everything = self.values[guard.fact.name]
        match guard:
            case m.FactHolds():
                return {not guard.negated}
            case m.FactIs():
                return {v for v in everything if (v == guard.value.name) != guard.negated}
            case m.FactIn():
                named = {value.name for value in guard.values}
                return {v for v in everything if (v in named) != guard.negated}
            case m.FactCompare():
                compare = COMPARE[guard.operator]
                return {v for v in everything if isinstance(v, int) and not isinstance(v, bool) and compare(v, guard.number)}
            case _:
                assert_never(guard)

    # -- combining --

    def both(self, a: Condition, b: Condition) -> Condition:
        if a == NEVER or b == NEVER:
            return NEVER
        if a == ALWAYS or a == b:
            return b
        if b == ALWAYS:
            return a
        return self._apply("and", min(a, b), max(a, b))

    def either(self, a: Condition, b: Condition) -> Condition:
        if a == ALWAYS or b == ALWAYS:
            return ALWAYS
        if a == NEVER or a == b:
            return b
        if b == NEVER:
            return a
        return self._apply("or", min(a, b), max(a, b))

    def _apply(self, op: str, a: Condition, b: Condition) -> Condition:
        key = (op, a, b)
        found = self._memo.get(key)
        if found is not None:
            return found
        level_a, children_a = self._nodes[a]
        level_b, children_b = self._nodes[b]
        level = min(level_a, level_b)
        width = len(self.values[self.facts[level]])
        left = children_a if level_a == level else (a,) * width
        right = children_b if level_b == level else (b,) * width
        combine = self.both if op == "and" else self.either
        result = self._make(level, tuple(combine(x, y) for x, y in zip(left, right)))
        self._memo[key] = result
        return result

    def negation(self, a: Condition) -> Condition:
        if a <= ALWAYS:
            return ALWAYS - a
        key = ("not", a)
        found = self._memo.get(key)
        if found is None:
            level, children = self._nodes[a]
            found = self._make(level, tuple(self.negation(child) for child in children))
            self._memo[key] = found
        return found

    def for_some(self, a: Condition, facts: Iterable[str]) -> Condition:
        """The condition that some values of these facts make a hold (the facts no longer matter)."""
        levels = frozenset(self.level[f] for f in facts if f in self.level)
        return self._quantified(a, levels, self.either, "some")

    def for_every(self, a: Condition, facts: Iterable[str]) -> Condition:
        """The condition that every value of these facts makes a hold."""
        levels = frozenset(self.level[f] for f in facts if f in self.level)
        return self._quantified(a, levels, self.both, "every")

    def _quantified(
        self, a: Condition, levels: frozenset[int], combine: Callable[[Condition, Condition], Condition], kind: str
    ) -> Condition:
        if a <= ALWAYS or not levels:
            return a
        key = (kind, a, levels)
        found = self._memo.get(key)
        if found is not None:
            return found
        level, children = self._nodes[a]
        inner = [self._quantified(child, levels, combine, kind) for child in children]
        if level in levels:
            result = inner[0]
            for child in inner[1:]:
                result = combine(result, child)
        else:
            result = self._make(level, tuple(inner))
        self._memo[key] = result
        return result

    # -- reading them --

    def example(self, a: Condition) -> dict[str, m.Value] | None:
        """One case the condition holds for: values for the facts it turns on. None for never."""
        if a == NEVER:
            return None
        values: dict[str, m.Value] = {}
        while a > ALWAYS:
            level, children = self._nodes[a]
            # A plain case reads best: `no` before `yes`, and the first choice or the smallest number.
            order = sorted(range(len(children)), key=lambda i: self.values[self.facts[level]][i] is not False)
            index = next(i for i in order if children[i] != NEVER)
            values[self.facts[level]] = self.values[self.facts[level]][index]
            a = children[index]
        return values

    def holds(self, a: Condition, values: Mapping[str, m.Value]) -> bool:
        """Whether the condition holds for these values of its facts."""
        while a > ALWAYS:
            level, children = self._nodes[a]
            fact = self.facts[level]
            a = children[self.values[fact].index(values[fact])]
        return a == ALWAYS

    def cubes(self, a: Condition, most: int = MOST_ALTERNATIVES) -> tuple[list[Cube], bool]:
        """The condition as alternatives that do not overlap (values leading to the same place
        grouped together), and whether there were more than `most`."""
        found: list[Cube] = []

        def walk(node: Condition, taken: tuple[tuple[str, frozenset[m.Value]], ...]) -> bool:
            if node == NEVER:
                return True
            if node == ALWAYS:
                found.append(taken)
                return len(found) <= most
            level, children = self._nodes[node]
            fact = self.facts[level]
            grouped: dict[Condition, list[m.Value]] = {}
            for value, child in zip(self.values[fact], children):
                grouped.setdefault(child, []).append(value)
            for child, chosen in grouped.items():
                if not walk(child, taken + ((fact, frozenset(chosen)),)):
                    return False
            return True

        complete = walk(a, ())
        return found[:most], not complete


def _fits(guard: m.FactHolds | m.FactIs | m.FactIn | m.FactCompare, value: m.Value) -> bool:
    """Whether a test suits the kind of values a fact takes (True is not the number 1 here)."""
    match guard:
        case m.FactHolds():
            return isinstance(value, bool)
        case m.FactCompare():
            return isinstance(value, int) and not isinstance(value, bool)
        case m.FactIs() | m.FactIn():
            return isinstance(value, str)
        case _:
            assert_never(guard)


def _fact_order(procedures: Iterable[m.Procedure], values: Mapping[str, object]) -> list[str]:
    """The facts in the order the diagrams test them: facts that a condition joins with `and`
    next to each other (`(a0 and b0) or (a1 and b1) ...` is small with a0, b0, a1, b1 and
    exponential with a0, a1 ... b0, b1), otherwise in the order the procedures first test them."""
    appearance: list[str] = []
    together: dict[str, list[str]] = {}
    for procedure in procedures:
        for node in procedure.nodes:
            if isinstance(node, m.Decision):
                for branch in node.branches:
                    appearance.extend(f for f in _facts_in_order(branch.guard) if f not in appearance and f in values)
                    for group in _conjunctions(branch.guard):
                        for fact in group:
                            together.setdefault(fact, []).extend(other for other in group if other != fact)
    order: list[str] = []
    placed: set[str] = set()
    for first in appearance:
        stack = [first]
        while stack:
            fact = stack.pop()
            if fact in placed:
                continue
            placed.add(fact)
            order.append(fact)
            stack.extend(reversed([other for other in together.get(fact, []) if other not in placed]))
    order.extend(name for name in values if name not in placed)
    return order


def _conjunctions(guard: m.Guard) -> Iterator[list[str]]:
    """The groups of facts that one `and` joins directly, anywhere in a guard."""
    match guard:
        case m.Not():
            yield from _conjunctions(guard.operand)
        case m.All():
            yield [fact for operand in guard.operands for fact in _facts_in_order(operand)]
            for operand in guard.operands:
                yield from _conjunctions(operand)
        case m.AnyOf():
            for operand in guard.operands:
                yield from _conjunctions(operand)
        case m.FactHolds() | m.FactIs() | m.FactIn() | m.FactCompare():
            return
        case _:
            assert_never(guard)


def _facts_in_order(guard: m.Guard) -> Iterator[str]:
    """The facts a guard tests, in the order written."""
    match guard:
        case m.Not():
            yield from _facts_in_order(guard.operand)
        case m.All() | m.AnyOf():
            for operand in guard.operands:
                yield from _facts_in_order(operand)
        case m.FactHolds() | m.FactIs() | m.FactIn() | m.FactCompare():
            yield guard.fact.name
        case _:
            assert_never(guard)


# ---- the conditions of a procedure's nodes --------------------------------------------------


@frozen
class PathConditions:
    """The condition under which a case reaches each flow node of one procedure."""

    diagrams: Diagrams
    conditions: dict[str, Condition]

    def of(self, name: str) -> Condition:
        return self.conditions.get(name, NEVER)


def path_conditions(resolved: ResolvedProcedure, graph: nx.DiGraph, diagrams: Diagrams | None = None) -> PathConditions:
    """Each flow node's condition, from the start."""
    diagrams = diagrams or Diagrams.for_procedures([resolved.procedure])
    start = graph.graph.get("start")
    conditions: dict[str, Condition] = {}
    if start is None:
        return PathConditions(diagrams, conditions)
    incoming: dict[str, Condition] = {start: ALWAYS}
    guards: dict[int, Condition] = {}
    # In a loop, a node's condition can grow after it was first worked out: go round until
    # nothing changes. Conditions only grow, and there are finitely many, so this ends.
    pending = deque([start])
    queued = {start}
    while pending:
        name = pending.popleft()
        queued.discard(name)
        condition = incoming[name]
        if conditions.get(name) == condition:
            continue
        conditions[name] = condition
        for target, reach in _onward(graph.nodes[name]["declaration"], condition, diagrams, guards):
            if not graph.has_node(target):
                continue
            before = incoming.get(target, NEVER)
            after = diagrams.either(before, reach)
            if after != before or target not in conditions:
                incoming[target] = after
                if target not in queued:
                    pending.append(target)
                    queued.add(target)
    return PathConditions(diagrams, conditions)


def _onward(node: m.FlowNode, condition: Condition, diagrams: Diagrams, guards: dict[int, Condition]) -> Iterator[tuple[str, Condition]]:
    match node:
        case m.Step() | m.Join():
            if node.next is not None:
                yield node.next.name, condition
        case m.Parallel():
            for first_step in node.branches:
                yield first_step.name, condition
        case m.Decision():
            not_yet = condition  # the cases that have taken no earlier branch
            for branch in node.branches:
                guard = guards.get(id(branch.guard))
                if guard is None:
                    guard = guards[id(branch.guard)] = diagrams.of_guard(branch.guard)
                yield branch.target.name, diagrams.both(not_yet, guard)
                not_yet = diagrams.both(not_yet, diagrams.negation(guard))
            if node.otherwise is not None:
                yield node.otherwise.name, not_yet
        case m.Outcome():
            return
        case _:
            assert_never(node)


# ---- in words --------------------------------------------------------------------------------


def described(diagrams: Diagrams, condition: Condition) -> str:
    """A condition as a policy author would write it in `when` lines: one way per line."""
    ways = _alternatives(diagrams, condition)
    return "\n".join(way if i == 0 else f"or {way}" for i, way in enumerate(ways))


def _shorter(cubes: list[Cube], diagrams: Diagrams) -> list[Cube]:
    """The same alternatives, each as short as the others allow, and fewer where one covers another.

    A fact can be dropped from an alternative when, with that fact's other values, the
    rest of it is covered by another alternative: `(x and d and r) or (x and not d)`
    is `(x and r) or (x and not d)`.
    """
    current = [dict(cube) for cube in cubes]
    changed = True
    rounds = 0
    # A few rounds take nearly all the shortening there is; more cost time for little.
    while changed and rounds < 3:
        rounds += 1
        changed = False
        for cube in current:
            for fact in list(cube):
                rest = {f: v for f, v in cube.items() if f != fact}
                wider = set(cube[fact])
                for other in current:
                    if other is cube or fact not in other:
                        continue
                    if all(f in rest and rest[f] <= v for f, v in other.items() if f != fact):
                        wider |= other[fact]
                if wider != cube[fact]:
                    changed = True
                    if wider >= set(diagrams.values[fact]):
                        del cube[fact]
                    else:
                        cube[fact] = frozenset(wider)
        kept: list[dict[str, frozenset[m.Value]]] = []
        for cube in current:
            covered = any(other is not cube and all(f in cube and cube[f] <= v for f, v in other.items()) for other in current)
            duplicate = any(other == cube for other in kept)
            if covered and not any(other == cube for other in current if other is not cube) or duplicate:
                changed = True
                continue
            kept.append(cube)
        current = kept
    level = diagrams.level
    return sorted(
        (tuple(sorted(cube.items(), key=lambda item: level[item[0]])) for cube in current),
        key=lambda cube: [(level[f], sorted(map(str, v))) for f, v in cube],
    )


def _fact_words(diagrams: Diagrams, fact: str, allowed: frozenset[m.Value]) -> str:
    everything = diagrams.values[fact]
    if all(isinstance(v, bool) for v in everything):
        return fact if allowed == {True} else f"not {fact}"
    if all(isinstance(v, str) for v in everything):
        chosen = [str(v) for v in everything if v in allowed]
        others = [str(v) for v in everything if v not in allowed]
        if len(chosen) == 1:
            return f"{fact} is {chosen[0]}"
        if len(others) == 1:
            return f"{fact} is not {others[0]}"
        if len(others) < len(chosen):
            return f"{fact} is not one of {', '.join(others)}"
        return f"{fact} is one of {', '.join(chosen)}"
    return _number_words(fact, allowed, [v for v in everything if isinstance(v, int)])


def _number_words(fact: str, allowed: frozenset[m.Value], points: list[int]) -> str:
    """Representative numbers as comparisons: each stands for the whole numbers up to the next one."""
    runs: list[tuple[int, int | None]] = []
    for index, point in enumerate(points):
        if point not in allowed:
            continue
        upper = points[index + 1] - 1 if index + 1 < len(points) else None
        if runs and runs[-1][1] is not None and runs[-1][1] + 1 == point:
            runs[-1] = (runs[-1][0], upper)
        else:
            runs.append((point, upper))
    pieces = []
    for lower, upper in runs:
        if upper is None:
            pieces.append(f"{fact} >= {lower}")
        elif lower == upper:
            pieces.append(f"{fact} = {lower}")
        elif lower == 0:
            pieces.append(f"{fact} <= {upper}")
        else:
            pieces.append(f"{fact} >= {lower} and {fact} <= {upper}")
    return pieces[0] if len(pieces) == 1 else "(" + " or ".join(pieces) + ")"


def shown_example(example: Mapping[str, m.Value]) -> str:
    """`age = 17, child_died = yes`, as a case file gives facts."""
    return ", ".join(f"{name} = {shown_value(value)}" for name, value in sorted(example.items())) or "any facts"


# ---- `check --paths` ---------------------------------------------------------------------------


def path_notes(resolved: ResolvedProcedure, graph: nx.DiGraph) -> tuple[Diagnostic, ...]:
    """For each step, decision and outcome, a note saying under which facts a case reaches it."""
    try:
        found = path_conditions(resolved, graph)
    except TooLarge:
        return (note("P220", TooLarge.message, resolved.procedure.header.span if resolved.procedure.header else None),)
    notes = []
    for node in resolved.procedure.nodes:
        if not isinstance(node, (m.Step, m.Decision, m.Outcome)) or resolved.names.get(node.name) is not node:
            continue
        condition = found.of(node.name)
        ways = _alternatives(found.diagrams, condition)
        if condition == ALWAYS:
            message = f"{kind_noun(node)} `{node.name}` is reached whatever the facts"
            extra: tuple[str, ...] = ()
        elif condition == NEVER:
            message = f"{kind_noun(node)} `{node.name}` is reached by no facts"
            extra = ()
        elif len(ways) == 1:
            message = f"{kind_noun(node)} `{node.name}` is reached {_when(ways[0])}"
            extra = ()
        else:
            counted = [way for way in ways if not way.startswith("...")]
            more = " (and more)" if len(counted) < len(ways) else ""
            message = f"{kind_noun(node)} `{node.name}` is reached in any of {len(counted)} ways{more}"
            extra = tuple(_when(way) for way in ways)
        notes.append(note("P220", message, node.span, label="reached under these facts", notes=extra))
    return tuple(notes)


def _alternatives(diagrams: Diagrams, condition: Condition) -> list[str]:
    if condition == NEVER:
        return ["never: no facts lead here"]
    if condition == ALWAYS:
        return ["always"]
    cubes, more = diagrams.cubes(condition)
    ways = [" and ".join(_fact_words(diagrams, fact, allowed) for fact, allowed in cube) for cube in _shorter(cubes, diagrams)]
    if more:
        ways.append(f"... and more: only the first {MOST_ALTERNATIVES} ways are shown")
    return ways


def _when(way: str) -> str:
    return way if way.startswith(("never", "always", "...")) else f"when {way}"
