"""What changed between two versions of a procedure or a national specification, in the language's terms.

Declarations are matched by name; what is left unmatched on both sides is paired
only when the evidence says it is the same thing renamed (the same kind, a citation
in common, and a title alike or the same place in a group), and the pairing says
why. Anything else is listed as added or removed, never silently paired.

For each matched step or decision: its duty strengthened or weakened, each deadline
tightened or loosened (by how many days, at worst, over every start date from 2018
to 2030), its condition widened or narrowed (with a case now in, or now out), its
owner, escalations, title and citations. Facts, roles and the header are compared
too. Nothing here reads files or prints.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from datetime import date
from typing import assert_never

from attrs import frozen

from interpreter import model as m
from interpreter.conform import Procedure, compare_deadlines, obligations
from interpreter.deadlines import procedure_calendar
from interpreter.path_conditions import NEVER, Diagrams, PathConditions, TooLarge, path_conditions, shown_example
from interpreter.source import Span
from interpreter.wording import amount_words, describe_deadline, guard_text, kind_noun

# Two titles at least this alike (difflib's ratio) count as evidence of a rename.
ALIKE = 0.6


@frozen
class Change:
    """One difference, as a reader of the new version wants it said."""

    kind: str  # added, removed, renamed, changed
    subject: str  # "step `notify`", "role `clinical_commissioning_group`", "the header"
    name: str  # the declaration's name in the new version (the old one when removed)
    what: str  # the change in words
    old_span: Span | None = None
    new_span: Span | None = None
    obligation: bool = False  # an obligation of a specification (a step or decision with a duty)
    substantive: bool = True  # False for a title or citations alone: worth reading, changing nothing a case meets


@frozen
class Diff:
    changes: tuple[Change, ...]
    renamed: dict[str, str]  # old name -> new name


def diff(old: Procedure, new: Procedure) -> Diff:
    return _Differ(old, new).run()


class _Differ:
    def __init__(self, old: Procedure, new: Procedure):
        self.old, self.new = old, new
        self.changes: list[Change] = []
        self.renamed: dict[str, str] = {}
        self.cited: list[tuple[Change, list[str], list[str]]] = []  # a citations change, what went, what came
        self.old_duties = {task.name for task in obligations(old.model)}
        self.new_duties = {task.name for task in obligations(new.model)}

    def run(self) -> Diff:
        self._header()
        old_all = {d.name: d for d in self.old.model.declarations()}
        new_all = {d.name: d for d in self.new.model.declarations()}
        added = [d for name, d in new_all.items() if name not in old_all]
        removed = [d for name, d in old_all.items() if name not in new_all]
        for before, after, why in list(self._renames(removed, added)):
            self.renamed[before.name] = after.name
            self._add("renamed", after, f"renamed from `{before.name}` ({why})", before.span, after.span)
            added.remove(after)
            removed.remove(before)
        for declaration in added:
            self._add("added", declaration, _summary(declaration), None, declaration.span)
        for declaration in removed:
            self._add("removed", declaration, _summary(declaration), declaration.span, None, old=True)
        pairs = [(old_all[name], new_all[name]) for name in new_all if name in old_all]
        pairs += [(old_all[before], new_all[after]) for before, after in self.renamed.items()]
        self.diagrams = Diagrams.for_procedures([self.old.model, self.new.model])
        try:
            self.old_paths: PathConditions | None = path_conditions(self.old.resolved, self.old.graph, self.diagrams)
            self.new_paths: PathConditions | None = path_conditions(self.new.resolved, self.new.graph, self.diagrams)
        except TooLarge:
            self.old_paths = self.new_paths = None
            self.changes.append(Change("changed", "conditions", "", "not compared: " + TooLarge.message, substantive=False))
        self.calendar = procedure_calendar(self.new.model)
        self.old_calendar = procedure_calendar(self.old.model)
        for before, after in pairs:
            self._compare(before, after)
        self._citations_renamed_throughout()
        return Diff(tuple(self.changes), dict(self.renamed))

    def _citations_renamed_throughout(self) -> None:
        """One citation replaced by another in many places (a chapter renumbered) is said once."""
        swaps: dict[tuple[str, str], list[Change]] = {}
        for change, went, came in self.cited:
            if len(went) == 1 and len(came) == 1:
                swaps.setdefault((went[0], came[0]), []).append(change)
        common = {pair: changes for pair, changes in swaps.items() if len(changes) >= 3}
        folded = {id(change) for changes in common.values() for change in changes}
        self.changes = [change for change in self.changes if id(change) not in folded]
        for (gone, added), changes in sorted(common.items(), key=lambda item: -len(item[1])):
            self.changes.append(
                Change("changed", "citations", "", f"`{gone}` → `{added}` throughout ({len(changes)} declarations)", substantive=False)
            )

    def _add(
        self, kind: str, declaration: m.Declaration, what: str, old_span: Span | None, new_span: Span | None, old: bool = False
    ) -> None:
        duties = self.old_duties if old else self.new_duties
        self.changes.append(
            Change(
                kind,
                f"{kind_noun(declaration)} `{declaration.name}`",
                declaration.name,
                what,
                old_span,
                new_span,
                declaration.name in duties,
            )
        )

    # -- the header --

    def _header(self) -> None:
        old, new = self.old.model.header, self.new.model.header
        if old is None or new is None:
            return
        for label, before, after in (
            ("title", old.title, new.title),
            ("source", old.source, new.source),
            ("version", old.version, new.version),
            ("in force from", old.in_force_from, new.in_force_from),
            ("replaces", old.replaces, new.replaces),
            ("calendar", old.calendar, new.calendar),
            ("implements", old.implements, new.implements),
            ("closed on", _closures(old.closures), _closures(new.closures)),
        ):
            if before != after:
                self.changes.append(Change("changed", "the header", "", f"{label}: {_shown(before)} → {_shown(after)}", old.span, new.span))

    # -- renames --

    def _renames(self, removed: list[m.Declaration], added: list[m.Declaration]) -> Iterator[tuple[m.Declaration, m.Declaration, str]]:
        """Pairs of an old and a new declaration that the evidence says are one thing renamed: the
        strongest evidence first, each declaration in one pair at most."""
        scored = []
        for before in removed:
            for after in added:
                if type(after) is not type(before) or kind_noun(after) != kind_noun(before):
                    continue
                evidence = self._evidence(before, after)
                if evidence is not None:
                    scored.append((evidence[0], before.name, after.name, before, after, evidence[1]))
        taken_old: set[str] = set()
        taken_new: set[str] = set()
        for _score, _old, _new, before, after, why in sorted(scored, key=lambda item: (-item[0], item[1], item[2])):
            if before.name not in taken_old and after.name not in taken_new:
                taken_old.add(before.name)
                taken_new.add(after.name)
                yield before, after, why

    def _evidence(self, before: m.Declaration, after: m.Declaration) -> tuple[float, str] | None:
        """How strongly two declarations look like one renamed, and why; None without a shared citation and one more sign."""
        shared = [cite for cite in before.cites if cite in after.cites]
        if not shared:
            return None
        reasons = [f"both cite {shared[0]}"]
        score = len(shared) / max(len(set(before.cites) | set(after.cites)), 1)
        alike = difflib.SequenceMatcher(None, (before.title or "").lower(), (after.title or "").lower()).ratio()
        if alike >= ALIKE:
            reasons.append("their titles are alike")
        score += alike
        place = self._group_place(self.old.model, before.name)
        if place is not None and place == self._group_place(self.new.model, after.name):
            reasons.append(f"each is member {place[1] + 1} of group `{place[0]}`")
            score += 1
        return (score, " and ".join(reasons)) if len(reasons) > 1 else None

    @staticmethod
    def _group_place(procedure: m.Procedure, name: str) -> tuple[str, int] | None:
        for role in procedure.roles:
            for index, member in enumerate(role.members):
                if member.name == name:
                    return role.name, index
        return None

    # -- one matched declaration --

    def _compare(self, before: m.Declaration, after: m.Declaration) -> None:
        differences: list[str] = []
        if before.title != after.title:
            differences.append(f"title: {_shown(before.title)} → {_shown(after.title)}")
        gone = [c for c in before.cites if c not in after.cites]
        new_cites = [c for c in after.cites if c not in before.cites]
        citations = None
        if gone or new_cites:
            citations = "citations: " + ", ".join([*(f"added {c!r}" for c in new_cites), *(f"removed {c!r}" for c in gone)])
            differences.append(citations)
        if kind_noun(before) != kind_noun(after):
            differences.append(f"kind: {kind_noun(before)} → {kind_noun(after)}")
        if isinstance(before, (m.Step, m.Decision, m.Parallel, m.Join, m.Outcome)) and isinstance(
            after, (m.Step, m.Decision, m.Parallel, m.Join, m.Outcome)
        ):
            differences.extend(self._flow(before, after))
        if isinstance(before, (m.Step, m.Decision)) and isinstance(after, (m.Step, m.Decision)):
            differences.extend(self._task(before, after))
        elif isinstance(before, m.Role) and isinstance(after, m.Role):
            differences.extend(self._role(before, after))
        elif isinstance(before, m.Fact) and isinstance(after, m.Fact):
            differences.extend(_fact(before, after))
        if isinstance(after, (m.Step, m.Decision, m.Parallel, m.Join, m.Outcome)):
            differences.extend(self._condition(before.name, after.name))
        for text in differences:
            substantive = not text.startswith(("title:", "citations:"))
            change = Change(
                "changed",
                f"{kind_noun(after)} `{after.name}`",
                after.name,
                text,
                before.span,
                after.span,
                after.name in self.new_duties,
                substantive,
            )
            self.changes.append(change)
            if text is citations:
                self.cited.append((change, gone, new_cites))

    def _flow(self, before: m.FlowNode, after: m.FlowNode) -> Iterator[str]:
        """Where a node leads, and how: `next`, branches, a join's mode, how a branch or the case ends."""
        old, new = _arrows(before, self.renamed), _arrows(after, {})
        if old != new:
            word = "next" if isinstance(after, (m.Step, m.Join)) and isinstance(before, (m.Step, m.Join)) else "branches"
            yield f"{word} {'was' if word == 'next' else 'were'}: {_arrows_text(old)}; now: {_arrows_text(new)}"
        for label, was, now in (
            ("join waits for", getattr(before, "mode", None), getattr(after, "mode", None)),
            ("this branch ends", getattr(before, "ends_branch", None), getattr(after, "ends_branch", None)),
            ("ends the whole case", getattr(before, "ends_case", None), getattr(after, "ends_case", None)),
        ):
            if was is not None and now is not None and was != now:
                yield f"{label}: {_shown(was)} → {_shown(now)}"
        if isinstance(before, m.Step) and isinstance(after, m.Step):
            old_sends = {(sending.what, self.renamed.get(sending.to.name, sending.to.name)) for sending in before.sends}
            new_sends = {(sending.what, sending.to.name) for sending in after.sends}
            for what, to in sorted(new_sends - old_sends):
                yield f'sends added: "{what}" to {to}'
            for what, to in sorted(old_sends - new_sends):
                yield f'sends removed: "{what}" to {to}'
            for produced in sorted(set(after.produces) - set(before.produces)):
                yield f'produces added: "{produced}"'
            for produced in sorted(set(before.produces) - set(after.produces)):
                yield f'produces removed: "{produced}"'

    def _task(self, before: m.Task, after: m.Task) -> Iterator[str]:
        if before.duty != after.duty:
            if before.duty is None or after.duty is None:
                yield f"duty: {_shown(before.duty)} → {_shown(after.duty)}"
            else:
                word = "strengthened" if after.duty.rank > before.duty.rank else "weakened"
                yield f"duty {word}: `{before.duty}` → `{after.duty}`"
        old_owner = before.owner.name if before.owner else None
        new_owner = after.owner.name if after.owner else None
        if old_owner != new_owner and self.renamed.get(old_owner or "") != new_owner:
            yield f"owner: {_shown(old_owner)} → {_shown(new_owner)}"
        yield from self._deadlines(before, after)
        old_escalations = {(e.action, self.renamed.get(e.target.name, e.target.name)) for e in before.escalations}
        new_escalations = {(e.action, e.target.name) for e in after.escalations}
        for action, target in sorted(new_escalations - old_escalations):
            yield f"escalation added: if late {action} {target}"
        for action, target in sorted(old_escalations - new_escalations):
            yield f"escalation removed: if late {action} {target}"

    def _deadlines(self, before: m.Task, after: m.Task) -> Iterator[str]:
        unmatched = list(before.deadlines)
        for deadline in after.deadlines:
            anchor = deadline.anchor.name
            match = next(
                (d for d in unmatched if d.kind == deadline.kind and self.renamed.get(d.anchor.name, d.anchor.name) == anchor),
                None,
            )
            if match is None:
                yield f"deadline added: {describe_deadline(deadline)}"
                continue
            unmatched.remove(match)
            # A deadline without a duty of its own takes the step's: said once, as the step's.
            follows_step = match.duty == before.duty and deadline.duty == after.duty
            if match.duty != deadline.duty and not follows_step:
                yield f"deadline's duty: {_shown(match.duty)} → {_shown(deadline.duty)} ({describe_deadline(deadline)})"
            if match.duration == deadline.duration:
                continue
            comparison = compare_deadlines(match, deadline, self.old_calendar, self.calendar)
            change = f"deadline: {describe_deadline(match)} → {describe_deadline(deadline)}"
            unit = comparison.unit
            if not comparison.compared:
                yield change + " (no start date gives a date the calendars hold for both)"
            elif comparison.looser_by and comparison.stricter_by:
                yield change + f" (looser by up to {amount_words(comparison.looser_by, unit)} on some days, stricter on others)"
            elif comparison.looser_by:
                yield change + f": loosened, by up to {amount_words(comparison.looser_by, unit)}"
            elif comparison.stricter_by:
                yield change + f": tightened, by up to {amount_words(comparison.stricter_by, unit)}"
            else:
                yield change + " (the same dates either way)"
        for deadline in unmatched:
            yield f"deadline removed: {describe_deadline(deadline)}"

    def _role(self, before: m.Role, after: m.Role) -> Iterator[str]:
        old_members = [self.renamed.get(r.name, r.name) for r in before.members]
        new_members = [r.name for r in after.members]
        if old_members != new_members:
            yield f"members: {', '.join(old_members) or 'none'} → {', '.join(new_members) or 'none'}"
        for label, old_ref, new_ref in (("plays", before.plays, after.plays), ("delegated by", before.delegated_by, after.delegated_by)):
            old_name = old_ref.name if old_ref else None
            new_name = new_ref.name if new_ref else None
            if old_name != new_name:
                yield f"{label}: {_shown(old_name)} → {_shown(new_name)}"

    def _condition(self, old_name: str, new_name: str) -> Iterator[str]:
        if self.old_paths is None or self.new_paths is None:
            return
        diagrams = self.diagrams
        before, after = self.old_paths.of(old_name), self.new_paths.of(new_name)
        if before == after:
            return
        now_in = diagrams.both(after, diagrams.negation(before))
        now_out = diagrams.both(before, diagrams.negation(after))
        if now_in != NEVER and now_out != NEVER:
            yield (
                f"reached for other cases: now also when {shown_example(diagrams.example(now_in) or {})}, "
                f"and no longer when {shown_example(diagrams.example(now_out) or {})}"
            )
        elif now_in != NEVER:
            yield f"reached in more cases (widened): for example, now also when {shown_example(diagrams.example(now_in) or {})}"
        elif now_out != NEVER:
            yield f"reached in fewer cases (narrowed): for example, no longer when {shown_example(diagrams.example(now_out) or {})}"


def _arrows(node: m.FlowNode, renamed: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """A node's arrows out, as (condition, target), with old names renamed to new ones."""

    def named(ref: m.Ref) -> str:
        return renamed.get(ref.name, ref.name)

    match node:
        case m.Step() | m.Join():
            return (("", named(node.next)),) if node.next is not None else ()
        case m.Decision():
            branches = tuple((f"when {guard_text(b.guard)}", named(b.target)) for b in node.branches)
            return branches + ((("otherwise", named(node.otherwise)),) if node.otherwise is not None else ())
        case m.Parallel():
            return tuple(("", named(ref)) for ref in node.branches)
        case m.Outcome():
            return ()
        case _:
            assert_never(node)


def _arrows_text(arrows: tuple[tuple[str, str], ...]) -> str:
    return " | ".join(f"{condition} -> `{target}`" if condition else f"`{target}`" for condition, target in arrows) or "none"


def _fact(before: m.Fact, after: m.Fact) -> Iterator[str]:
    if before.type != after.type:
        yield f"kind: {before.type} → {after.type}"
        return
    old_choices = [c.name for c in before.choices]
    new_choices = [c.name for c in after.choices]
    for choice in new_choices:
        if choice not in old_choices:
            yield f"choice added: {choice}"
    for choice in old_choices:
        if choice not in new_choices:
            yield f"choice removed: {choice}"


def _summary(declaration: m.Declaration) -> str:
    title = f'"{declaration.title}"' if declaration.title else ""
    match declaration:
        case m.Step() | m.Decision():
            parts = [title]
            if declaration.duty is not None or declaration.owner is not None:
                parts.append(
                    f"{declaration.duty or 'by'} {'be done by ' if declaration.duty else ''}{declaration.owner.name if declaration.owner else ''}".strip()
                )
            parts.extend(describe_deadline(d) for d in declaration.deadlines)
            if declaration.cites:
                parts.append("cites " + "; ".join(declaration.cites))
            return ", ".join(p for p in parts if p)
        case m.Role() | m.Fact() | m.Event() | m.Parallel() | m.Join() | m.Outcome():
            return title + (f", cites {'; '.join(declaration.cites)}" if declaration.cites else "")
        case _:
            assert_never(declaration)


def _shown(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return f'"{value}"' if " " in value else f"`{value}`"
    return str(value)


def _closures(closures: tuple[tuple[date, date], ...]) -> str | None:
    return (
        ", ".join(first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}" for first, last in closures) or None
    )


def obligations_changed(result: Diff) -> list[str]:
    """The names (in the new version; the old one when removed) of obligations that changed in any way."""
    names: list[str] = []
    for change in result.changes:
        if change.obligation and change.substantive and change.name not in names:
            names.append(change.name)
    return names


def described(changes: Sequence[Change]) -> Iterator[str]:
    """The changes as lines of text, grouped: added, removed, renamed, changed."""
    for kind in ("added", "removed", "renamed", "changed"):
        chosen = [c for c in changes if c.kind == kind]
        if not chosen:
            continue
        yield f"{kind} ({len(chosen)}):"
        for change in chosen:
            marker = " [obligation]" if change.obligation else ""
            yield f"  {change.subject}{marker}: {change.what}"
