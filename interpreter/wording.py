"""The language's own words for parts of the model, for messages, timelines and pictures.

A reader should be able to find each phrase, word for word, in the `.proc` file.
"""

from __future__ import annotations

from interpreter import model as m


def guard_text(guard: m.Guard) -> str:
    """A guard as the author would write it: `(child_died or seriously_harmed) and abuse_or_neglect`."""
    if isinstance(guard, m.FactHolds):
        return f"{guard.fact.name} is no" if guard.negated else guard.fact.name
    if isinstance(guard, m.FactIs):
        return f"{guard.fact.name} is {'not ' if guard.negated else ''}{guard.value.name}"
    if isinstance(guard, m.FactCompare):
        return f"{guard.fact.name} {guard.operator} {guard.number}"
    if isinstance(guard, m.Not):
        return "not " + _operand_text(guard.operand, guard)
    word = " or " if isinstance(guard, m.AnyOf) else " and "
    return word.join(_operand_text(operand, guard) for operand in guard.operands)


def _operand_text(operand: m.Guard, parent: m.Guard) -> str:
    text = guard_text(operand)
    # `not` binds tighter than `and`, and `and` than `or`; but a reader should not need
    # to know that, so `and` and `or` are bracketed wherever they meet, as `not` needs.
    mixed = isinstance(operand, (m.All, m.AnyOf)) and type(operand) is not type(parent)
    return f"({text})" if mixed else text
