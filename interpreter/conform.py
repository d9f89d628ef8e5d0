"""Conformance: a local procedure against the national specification it implements.

A national specification is a procedure too: its steps and decisions that carry a
duty (`must`, `should`, `may`) are its *obligations*. A local procedure links to it
in three ways: its header `implements` the specification, a local step `satisfies`
an obligation, and a local role `plays` a national role (or is `delegated by` a
local role that does). `link_diagnostics` checks that the links name real things;
`verify` checks, for every obligation, that the local procedure meets it:

- coverage: some local step satisfies it;
- duty: the local duty is at least as binding;
- owner: the local owner plays the national role (directly, through a group, or
  through a delegation);
- deadlines: each national deadline has a local one, counted from the matching
  moment, whose window lies inside the national one (proved where the units allow,
  otherwise tried from every start date in a range, and the worst one shown);
- conditions: every case the obligation applies to nationally reaches a local step
  that satisfies it;
- order and escalation: obligations in a national order keep it locally, and a
  national escalation has a local one.

Each finding is graded by the national duty: a `must` not met is an error, a
`should` a warning, a `may` a note. Nothing here reads files: the caller finds and
analyses the specification (repl/national_specs.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, assert_never

import attrs
import networkx as nx
from attrs import frozen

from interpreter import model as m
from interpreter.calendar import CalendarError, WorkingCalendar, add_months
from interpreter.deadlines import procedure_calendar
from interpreter.diagnostics import Diagnostic, Label, Severity
from interpreter.graph import reachable_from
from interpreter.path_conditions import ALWAYS, NEVER, Diagrams, PathConditions, TooLarge, path_conditions, shown_example
from interpreter.resolve import ResolvedProcedure
from interpreter.suggest import did_you_mean, nearest
from interpreter.wording import amount_words, describe_deadline, fact_type_words, kind_noun

# Start dates tried when two deadlines in different units are compared: from 2018 (the
# regulations of Working Together 2018) to the end of 2030, every day.
COMPARED_FROM = date(2018, 1, 1)
COMPARED_TO = date(2030, 12, 31)


@frozen
class Procedure:
    """What conformance needs of an analysed procedure."""

    resolved: ResolvedProcedure
    graph: nx.DiGraph

    @property
    def model(self) -> m.Procedure:
        return self.resolved.procedure


def obligations(specification: m.Procedure) -> list[m.Task]:
    """The steps and decisions of a specification that carry a duty, in file order."""
    return [node for node in specification.nodes if isinstance(node, (m.Step, m.Decision)) and _duty(node) is not None]


def _duty(task: m.Task) -> m.Duty | None:
    """How binding a task is: its own duty, or the strongest of its deadlines'."""
    if task.duty is not None:
        return task.duty
    duties = [d.duty for d in task.deadlines if d.duty is not None]
    return max(duties, key=lambda duty: duty.rank) if duties else None


def _graded(duty: m.Duty | None) -> Severity:
    match duty:
        case m.Duty.MUST | None:
            return Severity.ERROR
        case m.Duty.SHOULD:
            return Severity.WARNING
        case m.Duty.MAY:
            return Severity.NOTE
        case _:
            assert_never(duty)


def _finding(code: str, duty: m.Duty | None, message: str, span: Any, **extra: Any) -> Diagnostic:
    return Diagnostic(code, _graded(duty), message, span, **extra)


# ---- the links ---------------------------------------------------------------------------------


def link_diagnostics(local: m.Procedure, specification: m.Procedure | None) -> list[Diagnostic]:
    """`satisfies` names an obligation and `plays` a role of the specification (or there is none to name)."""
    diagnostics: list[Diagnostic] = _delegation_cycles(local)
    tasks = [task for task in local.nodes if isinstance(task, (m.Step, m.Decision))]
    if specification is None:
        if local.header is None or local.header.implements is None:
            for task in tasks:
                for ref in task.satisfies:
                    diagnostics.append(_needs_implements(ref, "`satisfies` names an obligation"))
            for role in local.roles:
                if role.plays is not None:
                    diagnostics.append(_needs_implements(role.plays, "`plays` names a role"))
        return diagnostics
    names = {node.name: node for node in specification.nodes}
    duties = {task.name for task in obligations(specification)}
    roles = {role.name: role for role in specification.roles}
    for task in tasks:
        for ref in task.satisfies:
            if ref.name in duties:
                continue
            if ref.name in names:
                node = names[ref.name]
                diagnostics.append(
                    Diagnostic(
                        "P606",
                        Severity.WARNING,
                        f"`{ref.name}` is {kind_noun(node)} of the national specification, but not an obligation: it says no `must`, `should` or `may`",
                        ref.span,
                        label="nothing to satisfy",
                        help="satisfy the national step or decision that carries the duty",
                    )
                )
                continue
            diagnostics.append(
                Diagnostic(
                    "P602",
                    Severity.ERROR,
                    f"the national specification has no obligation `{ref.name}`",
                    ref.span,
                    label=f"not in {specification.file}",
                    help=did_you_mean(ref.name, duties) or f"its obligations are {_listed(sorted(duties))}",
                    replacements=tuple(nearest(ref.name, duties)),
                )
            )
    for role in local.roles:
        if role.plays is not None and role.plays.name not in roles:
            diagnostics.append(
                Diagnostic(
                    "P603",
                    Severity.ERROR,
                    f"the national specification has no role `{role.plays.name}`",
                    role.plays.span,
                    label=f"not in {specification.file}",
                    help=did_you_mean(role.plays.name, roles) or f"its roles are {_listed(sorted(roles))}",
                    replacements=tuple(nearest(role.plays.name, roles)),
                )
            )
    return diagnostics


def _delegation_cycles(procedure: m.Procedure) -> list[Diagnostic]:
    """`a delegated by b`, `b delegated by a`: a role that acts for itself, through others."""
    delegated = {role.name: role.delegated_by for role in procedure.roles if role.delegated_by is not None}
    found = []
    for role in procedure.roles:
        chain, current = [role.name], delegated.get(role.name)
        while current is not None and current.name not in chain:
            chain.append(current.name)
            current = delegated.get(current.name)
        if current is not None and current.name == role.name and role.delegated_by is not None:
            found.append(
                Diagnostic(
                    "P608",
                    Severity.ERROR,
                    f"`{role.name}` is delegated by itself, through " + " → ".join(f"`{n}`" for n in chain[1:]),
                    role.delegated_by.span,
                    label="a delegation that comes back round",
                    help="a role carries out the duties of the role that delegates to it; name the one that holds them",
                )
            )
    return found


def _needs_implements(ref: m.Ref, what: str) -> Diagnostic:
    return Diagnostic(
        "P604",
        Severity.ERROR,
        f"{what} of a national specification, but this procedure implements none",
        ref.span,
        label=f"`{ref.name}` of which specification?",
        help="name the specification in the header: `implements working_together_2023`",
    )


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(f"`{n}`" for n in names[:8])
    return shown + (f" and {len(names) - 8} more" if len(names) > 8 else "") if names else "none"


# ---- verify ------------------------------------------------------------------------------------


def verify(local: Procedure, national: Procedure) -> list[Diagnostic]:
    """Every finding of the local procedure against the national specification, in national order."""
    return _Verifier(local, national).run()


def verify_by_obligation(local: Procedure, national: Procedure) -> tuple[list[Diagnostic], dict[str, list[Diagnostic]]]:
    """The findings, and the ones about each obligation (by its national name)."""
    verifier = _Verifier(local, national)
    findings = verifier.run()
    about = {name: list(told) for name, told in verifier.about.items()}
    for name, indexes in verifier.also_about.items():
        about.setdefault(name, []).extend(findings[index] for index in indexes)
    return findings, about


class _Verifier:
    def __init__(self, local: Procedure, national: Procedure):
        self.local = local
        self.national = national
        self.calendar = procedure_calendar(local.model)
        self.national_calendar = procedure_calendar(national.model)
        self.satisfying: dict[str, list[m.Task]] = {}
        for node in local.model.nodes:
            if isinstance(node, (m.Step, m.Decision)) and local.resolved.names.get(node.name) is node:
                for ref in node.satisfies:
                    self.satisfying.setdefault(ref.name, []).append(node)
        self.local_roles = {role.name: role for role in local.model.roles}
        self.national_roles = {role.name: role for role in national.model.roles}
        self.diagrams = Diagrams.for_procedures([national.model, local.model])
        try:
            self.national_paths: PathConditions | None = path_conditions(national.resolved, national.graph, self.diagrams)
            self.local_paths: PathConditions | None = path_conditions(local.resolved, local.graph, self.diagrams)
        except TooLarge:
            self.national_paths = self.local_paths = None
        self.diagnostics: list[Diagnostic] = []
        # Cases already reported as missed (P706), with the finding that reported them: a
        # case that misses one step misses the steps after it too, and is told once.
        # (condition, index in diagnostics, later obligations, an example for the first of them)
        self.missed: list[tuple[int, int, list[str], list[str]]] = []
        self.stopped: list[tuple[int, int, list[str], list[str]]] = []  # the same for P707
        self.about: dict[str, list[Diagnostic]] = {}  # obligation -> the findings about it
        self.also_about: dict[str, list[int]] = {}  # obligation -> findings told once, at an earlier obligation

    def run(self) -> list[Diagnostic]:
        self._fact_types()
        result = self._run()
        for told, what in (
            (self.missed, "the same cases miss what satisfies"),
            (self.stopped, "the same local facts can stop what satisfies"),
        ):
            for _condition, index, later, example in told:
                for name in later:
                    self.also_about.setdefault(name, []).append(index)
                if later:
                    finding = self.diagnostics[index]
                    shown = ", ".join(f"`{name}`" for name in later)
                    more = [line for line in example if line.split(": ", 1)[-1] not in finding.notes[0]]
                    self.diagnostics[index] = attrs.evolve(finding, notes=(*finding.notes, f"{what} {shown} too", *more))
        return result

    def _run(self) -> list[Diagnostic]:
        duties = obligations(self.national.model)
        for obligation in duties:
            before = len(self.diagnostics)
            self._obligation(obligation)
            self._cite_local(before, self.satisfying.get(obligation.name, []))
            self.about[obligation.name] = self.diagnostics[before:]
        self._order(duties)
        return self.diagnostics

    def _cite_local(self, first: int, steps: list[m.Task]) -> None:
        """Each finding quotes the local rule's paragraphs as the label quotes the national rule's sources."""
        for index in range(first, len(self.diagnostics)):
            finding = self.diagnostics[index]
            step = next((s for s in steps if f"`{s.name}`" in finding.message and s.cites), None)
            if step is not None and not any(n.startswith("local source") for n in finding.notes):
                self.diagnostics[index] = attrs.evolve(finding, notes=(f"local source: {', '.join(step.cites)}", *finding.notes))

    def _obligation(self, obligation: m.Task) -> None:
        steps = self.satisfying.get(obligation.name, [])
        if not steps:
            self._uncovered(obligation)
            return
        for step in steps:
            self._duty(obligation, step)
            self._owner(obligation, step)
            self._deadlines(obligation, step)
            self._escalations(obligation, step)
        self._conditions(obligation, steps)

    # -- helpers --

    def _rule(self, obligation: m.Task) -> Label:
        cited = "; ".join(obligation.cites) if obligation.cites else "no source cited"
        return Label(obligation.span, f"the national rule `{obligation.name}` ({cited})")

    def _national_deadline(self, obligation: m.Task, deadline: m.Deadline) -> Label:
        cited = "; ".join(obligation.cites) if obligation.cites else "no source cited"
        return Label(deadline.span, f"the national deadline of `{obligation.name}` ({cited})")

    def _where(self) -> Any:
        header = self.local.model.header
        return header.implements_span if header is not None and header.implements_span is not None else None

    # -- the checks --

    def _fact_types(self) -> None:
        local_facts = {fact.name: fact for fact in self.local.model.facts}
        for fact in self.national.model.facts:
            mine = local_facts.get(fact.name)
            if mine is not None and mine.type != fact.type:
                self.diagnostics.append(
                    Diagnostic(
                        "P711",
                        Severity.WARNING,
                        f"fact `{fact.name}` is {fact_type_words(mine)} here but {fact_type_words(fact)} nationally",
                        mine.span,
                        label="compared by name with the national fact",
                        labels=(Label(fact.span, "the national fact"),),
                        help="facts are matched by name: give them the same kind of answer, or a different name",
                    )
                )

    def _uncovered(self, obligation: m.Task) -> None:
        self.diagnostics.append(
            _finding(
                "P701",
                _duty(obligation),
                f"no step satisfies the national obligation `{obligation.name}`: {obligation.title or obligation.name}",
                self._where(),
                label="this procedure implements the specification",
                labels=(self._rule(obligation),),
                help=f"add `satisfies {obligation.name}` to the step that does this, or add that step",
            )
        )

    def _duty(self, obligation: m.Task, step: m.Task) -> None:
        wanted = obligation.duty
        if wanted is None:
            return
        have = step.duty
        if have is not None and have.rank >= wanted.rank:
            return
        said = f"`{have}`" if have is not None else "no duty (`by`)"
        self.diagnostics.append(
            _finding(
                "P702",
                wanted,
                f"`{step.name}` says {said} where the national rule says `{wanted}`",
                step.span,
                label=f"{said} here",
                labels=(self._rule(obligation),),
                help=f"write `{wanted} be done by ...`, if the partnership agrees that the national duty applies",
            )
        )

    def _owner(self, obligation: m.Task, step: m.Task) -> None:
        if obligation.owner is None:
            return
        if step.owner is None:
            self.diagnostics.append(
                _finding(
                    "P703",
                    _duty(obligation),
                    f"`{step.name}` names nobody to do it; the national rule gives it to `{obligation.owner.name}`",
                    step.span,
                    label="no owner",
                    labels=(self._rule(obligation),),
                    help=f"say who does it: `by <a role that plays {obligation.owner.name}>`",
                )
            )
            return
        wanted = obligation.owner.name
        played = self._national_roles_of(step.owner.name)
        if wanted in played:
            return
        shown = ", ".join(f"`{r}`" for r in sorted(played)) if played else "no national role"
        self.diagnostics.append(
            _finding(
                "P703",
                _duty(obligation),
                f"`{step.name}` is done by `{step.owner.name}`, which plays {shown}; the national rule gives it to `{wanted}`",
                step.owner.span,
                label="the local owner",
                labels=(self._rule(obligation),),
                help=f"if `{step.owner.name}` acts for `{wanted}`, say so on the role: `plays {wanted}`, "
                "or `delegated by` a role that does",
            )
        )

    def _national_roles_of(self, name: str, seen: frozenset[str] = frozenset()) -> set[str]:
        """The national roles a local role can act as: what it plays, what the role that
        delegates to it can act as, and a national group whose members its own members play."""
        role = self.local_roles.get(name)
        if role is None or name in seen:
            return set()
        seen = seen | {name}
        found: set[str] = set()
        if role.plays is not None:
            found.add(role.plays.name)
        elif name in self.national_roles:
            found.add(name)  # a role of the same name plays it, as facts and events match by name
        if role.delegated_by is not None:
            found |= self._national_roles_of(role.delegated_by.name, seen)
        if role.members:
            together: set[str] = set()
            for member in role.members:
                together |= self._national_roles_of(member.name, seen)
            for group in self.national_roles.values():
                if group.members and {member.name for member in group.members} <= together:
                    found.add(group.name)
        return found

    def _deadlines(self, obligation: m.Task, step: m.Task) -> None:
        for wanted in obligation.deadlines:
            duty = wanted.duty or obligation.duty
            same_kind = [d for d in step.deadlines if d.kind == wanted.kind]
            anchors = self._local_anchors(wanted.anchor.name)
            matched = [d for d in same_kind if d.anchor.name in anchors]
            if not matched:
                if same_kind:
                    self.diagnostics.append(
                        _finding(
                            "P710",
                            m.Duty.SHOULD if duty is m.Duty.MUST else duty,
                            f"`{step.name}` counts its deadline from `{same_kind[0].anchor.name}`; the national rule counts from `{wanted.anchor.name}`",
                            same_kind[0].span,
                            label="counted from here",
                            labels=(self._national_deadline(obligation, wanted),),
                            help=f"count from the local event or step that matches `{wanted.anchor.name}` (an event of the same name, "
                            "or a step that satisfies it), so that the two can be compared",
                        )
                    )
                else:
                    self.diagnostics.append(
                        _finding(
                            "P704",
                            duty,
                            f"`{step.name}` has no deadline where the national rule says {describe_deadline(wanted)}",
                            step.span,
                            label="no deadline of this kind",
                            labels=(self._national_deadline(obligation, wanted),),
                            help=f"add `{describe_deadline(wanted)}` (or a stricter one) to `{step.name}`",
                        )
                    )
                continue
            self._judge(obligation, step, wanted, matched, duty)

    def _local_anchors(self, national_anchor: str) -> set[str]:
        """The local names that stand for a national anchor: an event of the same name, or what satisfies it."""
        found = {step.name for step in self.satisfying.get(national_anchor, [])}
        local = self.local.resolved.names.get(national_anchor)
        if isinstance(local, m.Event) or (local is not None and not self.satisfying.get(national_anchor)):
            found.add(national_anchor)
        return found

    def _judge(self, obligation: m.Task, step: m.Task, wanted: m.Deadline, matched: list[m.Deadline], duty: m.Duty | None) -> None:
        """The national deadline is met when one local deadline is as binding and never looser.

        A step may add a stricter `should` target beside its binding `must`: only when no local
        deadline meets the national one is the nearest reported.
        """
        label = self._national_deadline(obligation, wanted)
        judged = [(mine, compare_deadlines(wanted, mine, self.national_calendar, self.calendar)) for mine in matched]
        binding = [(mine, c) for mine, c in judged if _at_least(mine.duty or step.duty, duty)]
        uncompared = [(mine, c) for mine, c in judged if c.compared == 0]
        meeting = [(mine, c) for mine, c in binding if c.compared and not c.looser_by]
        if meeting:
            mine, comparison = meeting[0]
            if comparison.stricter_example is not None:
                self.diagnostics.append(
                    Diagnostic(
                        "P705",
                        Severity.NOTE,
                        f"`{step.name}`'s deadline is stricter than the national one ({describe_deadline(mine)}; "
                        f"nationally {describe_deadline(wanted)})",
                        mine.span,
                        label=f"up to {amount_words(comparison.stricter_by, comparison.unit)} stricter, and can end on a day off",
                        labels=(label,),
                        notes=(comparison.stricter_example,),
                        help="conforms; a partnership may choose a stricter deadline, but one that can end on a weekend or a bank holiday asks for work on a day off",
                    )
                )
            return
        if uncompared and len(uncompared) == len(judged):
            mine, _ = uncompared[0]
            self.diagnostics.append(
                _finding(
                    "P710",
                    m.Duty.SHOULD if duty is m.Duty.MUST else duty,
                    f"`{step.name}`'s deadline cannot be compared with the national one: no start date from "
                    f"{COMPARED_FROM.year} to {COMPARED_TO.year} gives a date the calendars hold for both",
                    mine.span,
                    label="not compared",
                    labels=(label,),
                    help="check the two deadlines by hand",
                )
            )
            return
        if not binding:
            mine = matched[0]
            mine_duty = mine.duty or step.duty
            said = f"`{mine_duty}`" if mine_duty is not None else "no duty"
            self.diagnostics.append(
                _finding(
                    "P702",
                    duty,
                    f"`{step.name}`'s deadline says {said} where the national rule says `{duty}`",
                    mine.span,
                    label=f"{said} here",
                    labels=(label,),
                    help=f"write `{duty} be done {describe_deadline(m.Deadline(kind=mine.kind, duration=mine.duration, anchor=mine.anchor))}`",
                )
            )
            if all(c.compared and not c.looser_by for _, c in judged):
                return
        candidates = [(mine, c) for mine, c in (binding or judged) if c.compared and c.looser_by]
        if not candidates:
            return
        mine, comparison = min(candidates, key=lambda pair: pair[1].looser_by)
        self.diagnostics.append(
            _finding(
                "P704",
                duty,
                f"`{step.name}` {_looser_words(wanted.kind)} than the national rule allows: {describe_deadline(mine)}",
                mine.span,
                label=f"up to {amount_words(comparison.looser_by, comparison.unit)} looser",
                labels=(label,),
                notes=(comparison.looser_example,) if comparison.looser_example else (),
                help=f"make it at least as strict as `{describe_deadline(wanted)}`",
            )
        )

    def _escalations(self, obligation: m.Task, step: m.Task) -> None:
        for escalation in obligation.escalations:
            if escalation.action != m.EscalationAction.NOTIFY:
                continue
            wanted = escalation.target.name
            mine = [
                e
                for e in step.escalations
                if e.action == m.EscalationAction.NOTIFY and (wanted in self._national_roles_of(e.target.name) or e.target.name == wanted)
            ]
            if mine:
                continue
            place = escalation.deadline if escalation.deadline is not None else 0
            deadline = obligation.deadlines[place] if place < len(obligation.deadlines) else None
            duty = (deadline.duty if deadline is not None else None) or obligation.duty
            self.diagnostics.append(
                _finding(
                    "P709",
                    duty,
                    f"`{step.name}` tells nobody who plays `{wanted}` when it is late; the national rule does",
                    step.span,
                    label="no such escalation",
                    labels=(Label(escalation.span, f"national: if late notify {wanted}"),),
                    help=f'add `if late notify <the local role that plays {wanted}> "..."` after its deadline',
                )
            )

    def _conditions(self, obligation: m.Task, steps: list[m.Task]) -> None:
        if self.national_paths is None or self.local_paths is None:
            if not any(d.code == "P712" for d in self.diagnostics):
                self.diagnostics.append(Diagnostic("P712", Severity.WARNING, TooLarge.message, self._where(), label="not compared"))
            return
        try:
            self._compare_conditions(obligation, steps, self.national_paths, self.local_paths)
        except TooLarge:
            self.national_paths = None
            self._conditions(obligation, steps)

    def _compare_conditions(
        self, obligation: m.Task, steps: list[m.Task], national_paths: PathConditions, local_paths: PathConditions
    ) -> None:
        diagrams = self.diagrams
        applies = national_paths.of(obligation.name)
        if applies == NEVER:
            return
        reached = NEVER
        for step in steps:
            reached = diagrams.either(reached, local_paths.of(step.name))
        national_facts = {fact.name for fact in self.national.model.facts}
        local_only = [fact.name for fact in self.local.model.facts if fact.name not in national_facts]
        can_reach = diagrams.for_some(reached, local_only)
        missed = diagrams.both(applies, diagrams.negation(can_reach))
        first = steps[0]
        if missed != NEVER:
            new = missed
            for earlier, _index, _later, _example in self.missed:
                new = diagrams.both(new, diagrams.negation(earlier))
            if new == NEVER:
                covering = next(entry for entry in self.missed if diagrams.both(missed, entry[0]) != NEVER)
                if not covering[2]:
                    shown = shown_example(diagrams.example(missed) or {})
                    covering[3].append(f"for example, for `{obligation.name}`: {shown}")
                covering[2].append(obligation.name)
                return
            example = diagrams.example(new) or {}
            self.missed.append((missed, len(self.diagnostics), [], []))
            self.diagnostics.append(
                _finding(
                    "P706",
                    _duty(obligation),
                    f"a case the national rule `{obligation.name}` covers never reaches `{first.name}` here",
                    first.span,
                    label="not reached in such a case",
                    labels=(self._rule(obligation),),
                    notes=(f"for example: {shown_example(example)}",),
                    help="follow the example through the local decisions (`safeproc check --paths` shows the facts that reach each step)",
                )
            )
            return
        always = diagrams.for_every(reached, local_only)
        stopped = diagrams.both(applies, diagrams.negation(always))
        if stopped != NEVER and reached != ALWAYS:
            for earlier, _index, later, _example in self.stopped:
                if diagrams.both(stopped, diagrams.negation(earlier)) == NEVER:
                    later.append(obligation.name)
                    return
            self.stopped.append((stopped, len(self.diagnostics), [], []))
            example = diagrams.example(diagrams.both(stopped, diagrams.negation(reached))) or {}
            said = {name: value for name, value in example.items() if name in local_only}
            self.diagnostics.append(
                Diagnostic(
                    "P707",
                    Severity.WARNING if _duty(obligation) is m.Duty.MUST else Severity.NOTE,
                    f"a case the national rule `{obligation.name}` covers can still miss `{first.name}` here, depending on local facts",
                    first.span,
                    label="reached only for some values of local facts",
                    labels=(self._rule(obligation),),
                    notes=(f"for example: {shown_example(example)} (local: {shown_example(said)})",),
                    help="a local judgement (a view, a decision, where the child lives) can stop what the national rule asks: check it is meant",
                )
            )

    def _order(self, duties: list[m.Task]) -> None:
        national_graph, local_graph = self.national.graph, self.local.graph
        national_after = {
            d.name: reachable_from(national_graph, d.name, include_escalations=False) for d in duties if national_graph.has_node(d.name)
        }
        local_after: dict[str, set[str]] = {}

        def after_locally(name: str) -> set[str]:
            if name not in local_after:
                local_after[name] = reachable_from(local_graph, name, include_escalations=False)
            return local_after[name]

        for earlier in duties:
            if earlier.name not in national_after:
                continue
            for later in duties:
                if later is earlier or later.name not in national_after[earlier.name]:
                    continue
                if earlier.name in national_after.get(later.name, ()):
                    continue  # a loop: no order
                for mine_earlier in self.satisfying.get(earlier.name, []):
                    for mine_later in self.satisfying.get(later.name, []):
                        if not (local_graph.has_node(mine_earlier.name) and local_graph.has_node(mine_later.name)):
                            continue
                        goes_back = mine_earlier.name in after_locally(mine_later.name)
                        goes_on = mine_later.name in after_locally(mine_earlier.name)
                        if goes_back and not goes_on:
                            self.diagnostics.append(
                                _finding(
                                    "P708",
                                    _duty(later),
                                    f"`{mine_later.name}`, which satisfies `{later.name}`, comes before `{mine_earlier.name}`, "
                                    f"which satisfies `{earlier.name}`; nationally `{earlier.name}` comes first",
                                    mine_later.span,
                                    label=f"satisfies `{later.name}`",
                                    labels=(Label(mine_earlier.span, f"satisfies `{earlier.name}`"), self._rule(earlier)),
                                    help="put the steps in the national order, or check which obligation each satisfies",
                                )
                            )


def _at_least(have: m.Duty | None, wanted: m.Duty | None) -> bool:
    """Whether a duty is as binding as another (no duty wanted: any will do; none given: none is)."""
    return wanted is None or (have is not None and have.rank >= wanted.rank)


def _looser_words(kind: m.DeadlineKind) -> str:
    """What a looser deadline of this kind lets happen, for the message."""
    match kind:
        case m.DeadlineKind.WITHIN:
            return "may be done later"
        case m.DeadlineKind.BEFORE:
            return "may be done nearer the date it counts back from"
        case m.DeadlineKind.NOT_BEFORE:
            return "may be done sooner"
        case m.DeadlineKind.LASTS:
            return "may stop sooner"
        case _:
            assert_never(kind)


# ---- comparing two deadlines --------------------------------------------------------------------


@frozen
class DeadlineComparison:
    """How a local deadline stands to the national one, over every start date tried."""

    proved: bool  # the local rule is never looser, by arithmetic alone
    looser_by: float  # the most the local rule gives beyond the national one, in `unit`s (0: never)
    looser_example: str | None
    stricter_by: float  # the most it gives less
    stricter_example: str | None  # a start on which the (stricter) local day is not a working day, if there is one
    unit: str = "day"  # "hour" when either rule counts hours
    compared: int = 0  # how many start dates could be worked out for both


def compare_deadlines(
    national: m.Deadline, local: m.Deadline, national_calendar: WorkingCalendar, local_calendar: WorkingCalendar | None = None
) -> DeadlineComparison:
    """Compare two deadlines of the same kind counted from the same moment, each by its own calendar.

    Each deadline's latest (or earliest) moment is worked out from every start date from
    COMPARED_FROM to COMPARED_TO: a day counts to its end, hours to the hour. Where no start
    date can be worked out for both (past the years the calendars hold), `compared` is 0.
    """
    local_calendar = local_calendar or national_calendar
    hours = m.Unit.HOURS in (national.duration.unit, local.duration.unit)
    unit_seconds = 3600 if hours else 86400
    proved = _never_looser(national, local)
    if national.duration == local.duration and national_calendar is local_calendar:
        return DeadlineComparison(True, 0, None, 0, None, "hour" if hours else "day", 1)
    looser_by = stricter_by = 0.0
    looser_start = holiday_start = None
    holiday_gap = -1.0
    compared = 0
    day = COMPARED_FROM
    while day <= COMPARED_TO:
        national_end = _deadline_moment(national, day, national_calendar)
        local_end = _deadline_moment(local, day, local_calendar)
        day += timedelta(days=1)
        if national_end is None or local_end is None:
            continue
        compared += 1
        gap = _more_time(national.kind, national_end, local_end) / unit_seconds
        start = day - timedelta(days=1)
        if gap > looser_by:
            looser_by, looser_start = gap, start
        elif gap < 0:
            stricter_by = max(stricter_by, -gap)
            # The day off matters for a day's deadline; a deadline in hours is the hour.
            if not hours and _working(local_calendar, (local_end - timedelta(days=1)).date()) is False and -gap > holiday_gap:
                holiday_gap, holiday_start = -gap, start
    if proved and looser_by:
        proved = False  # arithmetic and the calendar disagree: trust the calendar, never crash
    looser_example = _example(national, local, looser_start, national_calendar, local_calendar) if looser_start else None
    stricter_example = _example(national, local, holiday_start, national_calendar, local_calendar) if holiday_start else None
    return DeadlineComparison(proved, looser_by, looser_example, stricter_by, stricter_example, "hour" if hours else "day", compared)


def _never_looser(national: m.Deadline, local: m.Deadline) -> bool:
    """Whether the local rule can never give more time than the national one, by arithmetic alone."""
    n, loc = national.duration, local.duration
    # `within N after`: a smaller N is stricter. `at least N before`, `at least N after` and
    # `for at least N`: a larger N is.
    smaller_is_stricter = national.kind == m.DeadlineKind.WITHIN
    if n.unit == loc.unit:
        return loc.amount <= n.amount if smaller_is_stricter else loc.amount >= n.amount
    days = {m.Unit.DAYS: 1, m.Unit.WEEKS: 7}
    if smaller_is_stricter:
        # N calendar days never reach past N working days.
        if loc.unit in days and n.unit in (m.Unit.WORKING_DAYS, *days):
            return loc.amount * days[loc.unit] <= n.amount * days.get(n.unit, 1)
    elif n.unit in days and loc.unit in (m.Unit.WORKING_DAYS, *days):
        return n.amount * days[n.unit] <= loc.amount * days.get(loc.unit, 1)
    return False


def _deadline_moment(deadline: m.Deadline, start: date, calendar: WorkingCalendar) -> datetime | None:
    """When the deadline falls for a start on that date: the end of its day, or the hour; None past the calendar."""
    amount, unit = deadline.duration.amount, deadline.duration.unit
    sign = -1 if deadline.kind == m.DeadlineKind.BEFORE else 1
    midnight = datetime(start.year, start.month, start.day)
    try:
        match unit:
            case m.Unit.HOURS:
                return midnight + timedelta(hours=sign * amount)
            case m.Unit.WORKING_DAYS:
                moved = calendar.subtract(start, amount, unit) if sign < 0 else calendar.add(start, amount, unit)
                day = moved.date() if isinstance(moved, datetime) else moved
            case m.Unit.DAYS | m.Unit.WEEKS:
                day = start + timedelta(days=sign * amount * (7 if unit == m.Unit.WEEKS else 1))
            case m.Unit.MONTHS | m.Unit.YEARS:
                day = add_months(start, sign * amount * (12 if unit == m.Unit.YEARS else 1))
            case _:
                assert_never(unit)
    except (CalendarError, OverflowError, ValueError):
        return None
    return datetime(day.year, day.month, day.day) + timedelta(days=1)


def _more_time(kind: m.DeadlineKind, national_end: datetime, local_end: datetime) -> float:
    """How many more seconds the local rule gives than the national one (negative: fewer)."""
    match kind:
        case m.DeadlineKind.WITHIN | m.DeadlineKind.BEFORE:
            return (local_end - national_end).total_seconds()  # a later latest moment: more time
        case m.DeadlineKind.NOT_BEFORE | m.DeadlineKind.LASTS:
            return (national_end - local_end).total_seconds()  # allowed sooner, or kept up for less
        case _:
            assert_never(kind)


def _example(
    national: m.Deadline, local: m.Deadline, start: date, national_calendar: WorkingCalendar, local_calendar: WorkingCalendar
) -> str:
    national_end = _deadline_moment(national, start, national_calendar)
    local_end = _deadline_moment(local, start, local_calendar)
    assert national_end is not None and local_end is not None
    local_hours, national_hours = local.duration.unit == m.Unit.HOURS, national.duration.unit == m.Unit.HOURS
    return (
        f"counting from {_day(start)}: locally {_moment(local_end, local_calendar, local_hours)}; "
        f"nationally {_moment(national_end, national_calendar, national_hours)}"
    )


def _moment(end: datetime, calendar: WorkingCalendar, hours: bool) -> str:
    if hours:
        return end.strftime("%a %d %b %Y %H:%M")
    day = (end - timedelta(days=1)).date()
    return f"{_day(day)}{_off(day, calendar)}"


def _working(calendar: WorkingCalendar, day: date) -> bool | None:
    """Whether a day is a working day; None for a day outside the calendar's years."""
    try:
        return calendar.is_working_day(day)
    except CalendarError:
        return None


def _day(d: date) -> str:
    return d.strftime("%a %d %b %Y")


def _off(d: date, calendar: WorkingCalendar) -> str:
    if _working(calendar, d) is not False:
        return ""
    names = [name for day, name in calendar.skipped(d - timedelta(days=1), d) if day == d]
    return f", {names[0]}" if names else ", a weekend"
