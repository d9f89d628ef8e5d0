"""Name resolution: does every name used in a procedure refer to the right kind of thing?

All declarations share one namespace, so that a step and a role can never be
confused. Unknown names get the nearest declared names of the right kind as
suggestions, as Elm does.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from typing import assert_never

from attrs import frozen

from interpreter import model as m
from interpreter.calendar import CALENDAR_NAMES, closest_calendar_name
from interpreter.diagnostics import Diagnostic, Label, error
from interpreter.suggest import did_you_mean, nearest
from interpreter.syntax import RESERVED_WORDS
from interpreter.wording import kind_word, with_article

FLOW_KINDS = (m.Step, m.Decision, m.Parallel, m.Join, m.Outcome)


def _calendar_help(name: str) -> str:
    suggestion = closest_calendar_name(name)
    listing = "the calendars are " + ", ".join(CALENDAR_NAMES)
    return f"did you mean `{suggestion}`? ({listing})" if suggestion else listing


def _how_to_declare(wanted: str, name: str) -> str:
    example = {
        "role": f'role {name} "Its full title"',
        "fact": f'fact {name} "What it records" is yes or no',
        "event or step": f'event {name} "What happens"',
    }.get(wanted, f'step {name} "What is done" ... end')
    return f"check the spelling, or declare it: `{example}`"


@frozen
class ResolvedProcedure:
    """A procedure with its table of names; only a file without name errors gets a graph."""

    procedure: m.Procedure
    names: dict[str, m.Declaration]  # name -> the first declaration of it
    # Declared names suggested for a misspelt one ("did you mean `aware`?"): taken as used.
    meant: frozenset[str] = frozenset()

    def flow_node(self, name: str) -> m.FlowNode | None:
        node = self.names.get(name)
        return node if isinstance(node, FLOW_KINDS) else None


@frozen
class Lookup:
    """What a name refers to, judged against the kinds of declaration wanted where it is used."""

    declaration: m.Declaration | None  # what the name declares, if anything
    fits: bool  # it declares one of the wanted kinds
    candidates: tuple[str, ...]  # the names of the wanted kinds, for suggestions


def look_up(names: Mapping[str, m.Declaration], name: str, kinds: tuple[type, ...]) -> Lookup:
    """The one name checker: procedures and case files both ask it, and word its answer their own way."""
    declaration = names.get(name)
    if declaration is not None and isinstance(declaration, kinds):
        return Lookup(declaration, True, ())
    return Lookup(declaration, False, tuple(n for n, d in names.items() if isinstance(d, kinds) and n != name))


def resolve(procedure: m.Procedure, unparsed_names: AbstractSet[str] = frozenset()) -> tuple[ResolvedProcedure, tuple[Diagnostic, ...]]:
    """Check every name; names in unparsed_names are known to exist but failed to parse."""
    resolver = _Resolver(procedure, unparsed_names)
    resolver.run()
    return ResolvedProcedure(procedure, resolver.names, frozenset(resolver.meant)), tuple(resolver.diagnostics)


class _Resolver:
    def __init__(self, procedure: m.Procedure, unparsed_names: AbstractSet[str]):
        self.procedure = procedure
        self.unparsed_names = unparsed_names
        self.names: dict[str, m.Declaration] = {}
        self.diagnostics: list[Diagnostic] = []
        self.meant: set[str] = set()  # declared names that an unknown name was probably meant to be

    def run(self) -> None:
        for declaration in self.procedure.declarations():
            first = self.names.setdefault(declaration.name, declaration)
            if first is not declaration:
                self.diagnostics.append(
                    error(
                        "P105",
                        f"`{declaration.name}` is declared twice",
                        declaration.span,
                        label=f"this declares {kind_word(declaration)} `{declaration.name}` again",
                        labels=(Label(first.span, f"first declared here as {kind_word(first)}"),) if first.span else (),
                        help="give each declaration its own name",
                    )
                )
        self._header()
        for role in self.procedure.roles:
            for member in role.members:
                self._expect(member, (m.Role,), "role", f"group `{role.name}` lists a member")
            if role.delegated_by is not None:
                self._expect(role.delegated_by, (m.Role,), "role", f"`delegated by` names the role whose duties `{role.name}` carries out")
        for fact in self.procedure.facts:
            self._fact_choices(fact)
        if self.procedure.start is not None:
            self._expect(self.procedure.start, FLOW_KINDS, "step", "`start at` names where the procedure starts")
        for node in self.procedure.nodes:
            self._flow_node(node)

    def _header(self) -> None:
        header = self.procedure.header
        if header is None or header.calendar is None or header.calendar in CALENDAR_NAMES:
            return
        self.diagnostics.append(
            error(
                "P111",
                f"unknown calendar `{header.calendar}`",
                header.calendar_span,
                label="not one of the calendars safeproc knows",
                help=_calendar_help(header.calendar),
            )
        )

    def _fact_choices(self, fact: m.Fact) -> None:
        seen: dict[str, m.Ref] = {}
        for choice in fact.choices:
            if choice.name in seen:
                self.diagnostics.append(
                    error(
                        "P105",
                        f"`{choice.name}` is listed twice among the choices of `{fact.name}`",
                        choice.span,
                        labels=(Label(seen[choice.name].span, "first listed here"),),
                        help="list each choice once",
                    )
                )
            seen.setdefault(choice.name, choice)

    def _flow_node(self, node: m.FlowNode) -> None:
        if isinstance(node, (m.Step, m.Decision)):
            self._task(node)
        if isinstance(node, (m.Step, m.Join)) and node.next is not None:
            self._expect(node.next, FLOW_KINDS, "step", "`next` names the step that follows")
        if isinstance(node, m.Decision):
            for branch in node.branches:
                self._guard(branch.guard)
                self._expect(branch.target, FLOW_KINDS, "step", "a branch leads to a step")
            if node.otherwise is not None:
                self._expect(node.otherwise, FLOW_KINDS, "step", "`otherwise` leads to a step")
        if isinstance(node, m.Parallel):
            for target in node.branches:
                self._expect(target, FLOW_KINDS, "step", "each branch of a parallel split leads to a step")

    def _task(self, task: m.Task) -> None:
        if task.owner is not None:
            self._expect(task.owner, (m.Role,), "role", f"`by` names who does {kind_word(task)} `{task.name}`")
        if isinstance(task, m.Step):
            for sending in task.sends:
                self._expect(sending.to, (m.Role,), "role", "`sends ... to` names the role that receives it")
        for deadline in task.deadlines:
            self._expect(deadline.anchor, (m.Event, *FLOW_KINDS), "event or step", "a deadline counts from an event or a step")
        for escalation in task.escalations:
            match escalation.action:
                case m.EscalationAction.NOTIFY:
                    self._expect(escalation.target, (m.Role,), "role", "`notify` names the role to tell")
                case m.EscalationAction.ESCALATE:
                    self._expect(escalation.target, FLOW_KINDS, "step", "`escalate to` names the step that takes over")
                case _:
                    assert_never(escalation.action)

    def _expect(self, ref: m.Ref, kinds: tuple[type, ...], wanted: str, purpose: str) -> m.Declaration | None:
        found = look_up(self.names, ref.name, kinds)
        declaration, candidates = found.declaration, found.candidates
        if found.fits:
            return declaration
        if declaration is None and (ref.name in self.unparsed_names or ref.name in RESERVED_WORDS):
            return None  # a declaration that did not parse, or a keyword used as a name: both already reported
        if declaration is None:
            code = {"role": "P102", "fact": "P103", "event or step": "P104"}.get(wanted, "P101")
            suggestion = did_you_mean(ref.name, candidates)
            if suggestion is not None:
                # The name meant is in use, so it is not reported as unused too.
                self.meant.update(name for name in candidates if f"`{name}`" in suggestion)
            self.diagnostics.append(
                error(
                    code,
                    f"unknown {wanted} `{ref.name}`",
                    ref.span,
                    label="not declared in this procedure",
                    help=suggestion or _how_to_declare(wanted, ref.name),
                    replacements=tuple(nearest(ref.name, candidates)),
                )
            )
            return None
        self.diagnostics.append(
            error(
                "P106",
                f"`{ref.name}` is {kind_word(declaration)}, but {with_article(wanted)} is needed here",
                ref.span,
                label=purpose,
                labels=(Label(declaration.span, f"`{ref.name}` is declared here"),) if declaration.span else (),
                help=did_you_mean(ref.name, candidates),
                replacements=tuple(nearest(ref.name, candidates)),
            )
        )
        return None

    def _guard(self, guard: m.Guard) -> None:
        if isinstance(guard, (m.All, m.AnyOf)):
            for operand in guard.operands:
                self._guard(operand)
            return
        if isinstance(guard, m.Not):
            self._guard(guard.operand)
            return
        fact = self._expect(guard.fact, (m.Fact,), "fact", "a condition tests a fact of the case")
        if not isinstance(fact, m.Fact):
            return
        if isinstance(guard, m.FactHolds) and fact.type != "boolean":
            self._wrong_use(guard, fact, "yes-or-no fact")
        elif isinstance(guard, m.FactCompare) and fact.type != "number":
            self._wrong_use(guard, fact, "number")
        elif isinstance(guard, (m.FactIs, m.FactIn)):
            if fact.type != m.FactType.CHOICE:
                self._wrong_use(guard, fact, "fact with choices")
                return
            for value in (guard.value,) if isinstance(guard, m.FactIs) else guard.values:
                self._choice(fact, value)

    def _choice(self, fact: m.Fact, value: m.Ref) -> None:
        choices = [c.name for c in fact.choices]
        if value.name in choices:
            return
        self.diagnostics.append(
            error(
                "P107",
                f"`{value.name}` is not one of the choices of `{fact.name}`",
                value.span,
                label="not a choice of this fact",
                labels=(Label(fact.span, "the choices are declared here"),) if fact.span else (),
                help=did_you_mean(value.name, choices) or "the choices are " + ", ".join(f"`{c}`" for c in choices),
                replacements=tuple(nearest(value.name, choices)),
            )
        )

    def _wrong_use(self, guard: m.Guard, fact: m.Fact, needed: str) -> None:
        match fact.type:
            case m.FactType.BOOLEAN:
                described, how = "a yes-or-no fact", f"test it on its own (`{fact.name}` or `not {fact.name}`)"
            case m.FactType.CHOICE:
                example = fact.choices[0].name if fact.choices else "..."
                described, how = "a fact with choices", f"test it with `is` (`{fact.name} is {example}`)"
            case m.FactType.NUMBER:
                described, how = "a number", f"compare it with a number (`{fact.name} < 18`)"
            case _:
                assert_never(fact.type)
        self.diagnostics.append(
            error(
                "P108",
                f"`{fact.name}` is {described}, so it cannot be used this way",
                guard.span,
                label=f"this treats it as a {needed}",
                labels=(Label(fact.span, "declared here"),) if fact.span else (),
                help=how,
            )
        )
