"""Conditions over the facts of a case: evaluating them, and the finite space of facts they range over.

A case's facts are few and small: yes/no, one of a few choices, or a whole number
that a condition only ever compares with constants. So every question `check` asks
about decisions ("can this branch hold?", "is there a case no branch takes?") is
answered exactly by trying the values that matter: both answers of a yes/no fact,
each choice, and for a number the constants it is compared with and their
neighbours (for `age < 18` and `age <= 24`: 17, 18, 19, 23, 24, 25, and 0).
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import assert_never

from attrs import frozen

from interpreter import model as m

Facts = Mapping[str, m.Value]  # fact name -> value; a fact missing or None is unknown
Assignment = tuple[tuple[str, m.Value], ...]  # (fact, value) pairs sorted by fact: hashable, for sets

COMPARE: dict[str, Callable[[int, int], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
}


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
    if isinstance(guard, m.FactIn):
        value = facts.get(guard.fact.name)
        if value is None:
            return None, (guard.fact.name,)
        among = any(value == choice.name for choice in guard.values)
        return (not among) if guard.negated else among, (guard.fact.name,)
    if isinstance(guard, m.FactCompare):
        number = facts.get(guard.fact.name)
        if not isinstance(number, int):  # unknown (a case's values are checked before it runs)
            return None, (guard.fact.name,)
        return COMPARE[guard.operator](number, guard.number), (guard.fact.name,)
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


def holds(guard: m.Guard, facts: Facts) -> bool:
    """Whether a guard holds when every fact it tests is known."""
    return evaluate(guard, facts)[0] is True


Truth = Callable[[Facts], "bool | None"]


def truth_of(guard: m.Guard) -> Truth:
    """The guard made once into a function of the facts, giving what `evaluate` gives first
    (True, False, or None while unknown facts keep it open).

    `check` tries a decision on every combination of the facts it tests, thousands for
    the national specification's larger decisions; walking the guard's tree afresh for
    each, and gathering the facts it turned on, was most of the soundness check's time.
    """
    match guard:
        case m.FactHolds(fact=m.Ref(name=name), negated=negated):
            return _yes_no(name, negated)
        case m.FactIs(fact=m.Ref(name=name), value=m.Ref(name=wanted), negated=negated):
            return _is_one_of(name, frozenset((wanted,)), negated)
        case m.FactIn(fact=m.Ref(name=name), values=values, negated=negated):
            return _is_one_of(name, frozenset(value.name for value in values), negated)
        case m.FactCompare(fact=m.Ref(name=name), operator=operator_text, number=bound):
            return _compared(name, COMPARE[operator_text], bound)
        case m.Not(operand=operand):
            return _negated(truth_of(operand))
        case m.All(operands=operands):
            return _combined(tuple(truth_of(operand) for operand in operands), deciding=False)
        case m.AnyOf(operands=operands):
            return _combined(tuple(truth_of(operand) for operand in operands), deciding=True)
    assert_never(guard)


def _yes_no(name: str, negated: bool) -> Truth:
    def truth(facts: Facts) -> bool | None:
        value = facts.get(name)
        return None if value is None else (not value) is negated

    return truth


def _is_one_of(name: str, wanted: frozenset, negated: bool) -> Truth:
    def truth(facts: Facts) -> bool | None:
        value = facts.get(name)
        return None if value is None else (value in wanted) is not negated

    return truth


def _compared(name: str, compare: Callable[[int, int], bool], bound: int) -> Truth:
    def truth(facts: Facts) -> bool | None:
        number = facts.get(name)
        return compare(number, bound) if isinstance(number, int) else None

    return truth


def _negated(operand: Truth) -> Truth:
    def truth(facts: Facts) -> bool | None:
        value = operand(facts)
        return None if value is None else not value

    return truth


def _combined(operands: tuple[Truth, ...], deciding: bool) -> Truth:
    # `or` is decided by a true operand, `and` by a false one, wherever it stands.
    def truth(facts: Facts) -> bool | None:
        unknown = False
        for operand in operands:
            value = operand(facts)
            if value is None:
                unknown = True
            elif value is deciding:
                return deciding
        return None if unknown else not deciding

    return truth


# ---- the finite space of facts ------------------------------------------------------


def _guards(procedure: m.Procedure) -> Iterator[m.Guard]:
    for node in procedure.nodes:
        if isinstance(node, m.Decision):
            for branch in node.branches:
                yield branch.guard


def _comparisons(guard: m.Guard) -> Iterator[m.FactCompare]:
    stack = [guard]
    while stack:
        current = stack.pop()
        if isinstance(current, (m.All, m.AnyOf)):
            stack.extend(current.operands)
        elif isinstance(current, m.Not):
            stack.append(current.operand)
        elif isinstance(current, m.FactCompare):
            yield current


@frozen
class FactSpace:
    """The values worth trying for each fact a procedure's decisions test."""

    domains: dict[str, tuple[m.Value, ...]]

    @classmethod
    def of(cls, procedure: m.Procedure) -> FactSpace:
        constants: dict[str, set[int]] = {}
        for guard in _guards(procedure):
            for comparison in _comparisons(guard):
                constants.setdefault(comparison.fact.name, set()).add(comparison.number)
        domains: dict[str, tuple[m.Value, ...]] = {}
        for fact in procedure.facts:
            domains[fact.name] = _domain(fact, constants.get(fact.name, set()))
        return cls(domains)

    def size(self, names: Iterable[str]) -> int:
        total = 1
        for name in names:
            total *= len(self.domains.get(name, (None,)))
        return total

    def assignments(self, names: Sequence[str]) -> Iterator[dict[str, m.Value]]:
        """Every combination of the worth-trying values of these facts."""
        ordered = sorted(names)
        for values in itertools.product(*(self.domains.get(name, (None,)) for name in ordered)):
            yield dict(zip(ordered, values))


def _domain(fact: m.Fact, constants: set[int]) -> tuple[m.Value, ...]:
    match fact.type:
        case m.FactType.BOOLEAN:
            return (True, False)
        case m.FactType.CHOICE:
            return tuple(choice.name for choice in fact.choices)
        case m.FactType.NUMBER:
            # Between and around the constants compared, every region of the number line
            # that the comparisons tell apart has one of these in it (case numbers are whole, from 0).
            points = {0} | {c + d for c in constants for d in (-1, 0, 1) if c + d >= 0}
            return tuple(sorted(points))
        case _:
            assert_never(fact.type)


def well_formed(guard: m.Guard, facts: Mapping[str, m.Fact]) -> bool:
    """Whether every test in a guard names a declared fact and uses it as its type allows.

    The resolver reports the ones that do not; analyses leave them out rather than
    draw conclusions from a condition that means nothing.
    """
    stack = [guard]
    while stack:
        current = stack.pop()
        if isinstance(current, (m.All, m.AnyOf)):
            stack.extend(current.operands)
            continue
        if isinstance(current, m.Not):
            stack.append(current.operand)
            continue
        fact = facts.get(current.fact.name)
        if fact is None:
            return False
        if isinstance(current, m.FactHolds) and fact.type != m.FactType.BOOLEAN:
            return False
        if isinstance(current, m.FactCompare) and fact.type != m.FactType.NUMBER:
            return False
        if isinstance(current, (m.FactIs, m.FactIn)):
            choices = {c.name for c in fact.choices}
            named = (current.value,) if isinstance(current, m.FactIs) else current.values
            if fact.type != m.FactType.CHOICE or any(value.name not in choices for value in named):
                return False
    return True


def frozen_assignment(values: Mapping[str, m.Value]) -> Assignment:
    return tuple(sorted(values.items()))


def described_assignment(values: Mapping[str, m.Value]) -> str:
    """`age = 18, looked_after = no`, as a case file would give them."""
    return ", ".join(f"{name} = {shown_value(value)}" for name, value in sorted(values.items())) or "any facts"


def shown_value(value: m.Value) -> str:
    """A fact's value as a case file writes it: yes, no, unknown, a choice or a number."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value is None:
        return "unknown"
    return str(value)


# ---- examples: facts that satisfy a set of requirements --------------------------


def example(space: FactSpace, requirements: Sequence[tuple[m.Guard, bool]], limit: int = 200_000) -> dict[str, m.Value] | None:
    """Values for the facts the requirements test under which each guard holds (True) or not (False).

    A backtracking search over the facts in the order the requirements first name
    them, checking each requirement as soon as every fact it tests has a value.
    None when no values meet them all, or when `limit` values have been tried.
    """
    order: list[str] = []
    needs: list[tuple[m.Guard, bool, frozenset[str]]] = []
    for guard, wanted in requirements:
        names = frozenset(m.facts_tested(guard))
        needs.append((guard, wanted, names))
        order.extend(name for name in sorted(names) if name not in order)
    # Each requirement is checked at the depth where its last fact is given.
    depth_of = {name: index for index, name in enumerate(order)}
    checks: list[list[tuple[m.Guard, bool]]] = [[] for _ in order]
    for guard, wanted, names in needs:
        if names:
            checks[max(depth_of[n] for n in names)].append((guard, wanted))
        elif holds(guard, {}) != wanted:
            return None
    values: dict[str, m.Value] = {}
    tried = 0

    def search(depth: int) -> bool:
        nonlocal tried
        if depth == len(order):
            return True
        name = order[depth]
        for value in space.domains.get(name, (None,)):
            tried += 1
            if tried > limit:
                return False
            values[name] = value
            if all(holds(guard, values) == wanted for guard, wanted in checks[depth]) and search(depth + 1):
                return True
        del values[name]
        return False

    return dict(values) if search(0) else None
