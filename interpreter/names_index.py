"""Where each name is declared and used in a procedure or case, for editors.

The model keeps every use of a name as a `Ref` with its span, and every
declaration with the span of its name; this walks them once and lists each
occurrence. A fact's choices live in a namespace of their own (`notify` the choice
is not `notify` the step), and so do the national names a procedure links to
(`plays`, `satisfies`), which are declared in another file.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum

import attrs
from attrs import frozen

from interpreter import model as m
from interpreter.source import Span


class Namespace(StrEnum):
    """Where a name is declared: this file, a fact's list of choices, or the national specification."""

    LOCAL = "local"
    CHOICE = "choice"
    NATIONAL = "national"


LOCAL, CHOICE, NATIONAL = Namespace.LOCAL, Namespace.CHOICE, Namespace.NATIONAL

# The fields whose names are a fact's choices, or national names, not this file's declarations.
_CHOICE_FIELDS = {(m.FactIs, "value"), (m.FactIn, "values"), (m.Fact, "choices")}
_NATIONAL_FIELDS = {(m.Role, "plays"), (m.Step, "satisfies"), (m.Decision, "satisfies")}
_DECLARATIONS = (m.Role, m.Fact, m.Event, m.Step, m.Decision, m.Parallel, m.Join, m.Outcome)


@frozen
class Occurrence:
    name: str
    span: Span
    is_declaration: bool
    namespace: Namespace = LOCAL

    def covers(self, line: int, column: int) -> bool:
        """Whether a 1-based line and column fall on the name (or just after it, where an editor's cursor stands)."""
        return self.span.line == line and self.span.column <= column <= self.span.end_column


def occurrences(root: object) -> list[Occurrence]:
    """Every declaration and use of a name under a model object (a Procedure or a Case), in file order."""
    found = list(_walk(root, LOCAL))
    found.sort(key=lambda o: (o.span.line, o.span.column))
    return found


def _walk(value: object, namespace: Namespace) -> Iterator[Occurrence]:
    if isinstance(value, m.Ref):
        if value.span is not None:
            yield Occurrence(value.name, value.span, False, namespace)
        return
    if isinstance(value, (tuple, list)):
        for item in value:
            yield from _walk(item, namespace)
        return
    if not attrs.has(type(value)):
        return
    if isinstance(value, _DECLARATIONS) and value.span is not None:
        yield Occurrence(value.name, value.span, True, LOCAL)
    for field in attrs.fields(type(value)):  # type: ignore[arg-type]
        inner = getattr(value, field.name)
        if isinstance(inner, (str, int, bool)) or inner is None:
            continue
        key = (type(value), field.name)
        yield from _walk(inner, CHOICE if key in _CHOICE_FIELDS else NATIONAL if key in _NATIONAL_FIELDS else LOCAL)


def occurrence_at(found: list[Occurrence], line: int, column: int) -> Occurrence | None:
    for occurrence in found:
        if occurrence.covers(line, column):
            return occurrence
    return None


def same_name(found: list[Occurrence], target: Occurrence) -> list[Occurrence]:
    """Every occurrence of the name the target is an occurrence of."""
    return [o for o in found if o.name == target.name and o.namespace == target.namespace]
