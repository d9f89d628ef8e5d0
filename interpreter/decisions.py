"""Decision analysis: for each decision, over every value of the facts it tests that matters,
which branch a case takes, and what cannot be right.

- a branch that can never be taken: its condition cannot hold, or every case it holds
  for is taken by a branch written before it (P212);
- branches that overlap: a case could go either way, and the one written first wins
  (P214), said with an example and where the case goes today. Only a partial overlap
  is reported: a special case written before the general one (`age < 18`, then
  `age <= 24`) is the ordinary way to write an exception, not an ambiguity;
- a gap: facts for which no branch holds and there is no `otherwise`, so a case would
  stop there (P204), with an example. A gap in a decision that must be taken is an error.

The facts are the ones the decision's conditions test; a number is tried at the constants
it is compared with and their neighbours (see `conditions.FactSpace`), so the answers are
exact, not samples.
"""

from __future__ import annotations

import networkx as nx

from interpreter import model as m
from interpreter.conditions import FactSpace, described_assignment, truth_of, well_formed
from interpreter.diagnostics import Diagnostic, Label, error, note, warning
from interpreter.resolve import ResolvedProcedure
from interpreter.wording import guard_text

# More combinations of facts than this in one decision and it is not analysed (and a note says so):
# thirteen yes-or-no facts. A decision that tests more is hard to read, let alone to check.
MOST_COMBINATIONS = 10_000


def check_decisions(resolved: ResolvedProcedure, graph: nx.DiGraph) -> list[Diagnostic]:
    space = FactSpace.of(resolved.procedure)
    facts = {f.name: f for f in resolved.procedure.facts if resolved.names.get(f.name) is f}
    diagnostics: list[Diagnostic] = []
    for node in resolved.procedure.nodes:
        if not isinstance(node, m.Decision) or resolved.names.get(node.name) is not node or not node.branches:
            continue
        # A condition the resolver rejected means nothing yet; its decision waits until it is fixed.
        if all(well_formed(branch.guard, facts) for branch in node.branches):
            diagnostics.extend(_analyse(node, space))
    return diagnostics


def _analyse(decision: m.Decision, space: FactSpace) -> list[Diagnostic]:
    facts = sorted({name for branch in decision.branches for name in m.facts_tested(branch.guard) if name in space.domains})
    combinations = space.size(facts)
    if combinations > MOST_COMBINATIONS:
        return [
            note(
                "P217",
                f"decision `{decision.name}` tests {len(facts)} facts in {combinations:,} combinations; its branches were not analysed",
                decision.span,
                help="split it into smaller decisions, each testing a few facts",
            )
        ]
    branches = decision.branches
    can_hold = [False] * len(branches)
    taken = [False] * len(branches)
    taken_instead: dict[int, dict[int, dict[str, m.Value]]] = {}  # branch -> the earlier branches that take its cases
    overlaps: dict[tuple[int, int], dict[str, m.Value]] = {}
    # For each pair of branches (earlier, later): whether each holds somewhere the other does not.
    apart: set[tuple[int, int, int]] = set()
    gap: dict[str, m.Value] | None = None
    truths = [truth_of(branch.guard) for branch in branches]
    for values in space.assignments(facts):
        holding = [i for i, truth in enumerate(truths) if truth(values) is True]
        held = set(holding)
        for i in holding:
            can_hold[i] = True
            apart.update((i, j, i) for j in range(len(branches)) if j not in held)
            apart.update((j, i, i) for j in range(len(branches)) if j not in held)
        if holding:
            first = holding[0]
            taken[first] = True
            for later in holding[1:]:
                # The last example found: for numbers, the one nearest the boundary that matters.
                taken_instead.setdefault(later, {})[first] = values
                if branches[later].target.name != branches[first].target.name:
                    overlaps.setdefault((first, later), values)
        elif decision.otherwise is None and gap is None:
            gap = values
    diagnostics: list[Diagnostic] = []
    for i, branch in enumerate(branches):
        if not can_hold[i]:
            diagnostics.append(
                warning(
                    "P212",
                    f"in decision `{decision.name}`, the branch `when {guard_text(branch.guard)}` can never be taken: its condition never holds",
                    branch.span,
                    label="no facts make this true",
                    help="check `and` against `or`, and `is` against `is not`",
                )
            )
        elif not taken[i]:
            takers = taken_instead[i]
            where = ", ".join(f"`{branches[first].target.name}`" for first in sorted(takers))
            diagnostics.append(
                warning(
                    "P212",
                    f"in decision `{decision.name}`, the branch `when {guard_text(branch.guard)}` can never be taken: "
                    f"every case it holds for goes first to {where}",
                    branch.span,
                    label="never taken",
                    labels=tuple(
                        Label(
                            branches[first].span,
                            f"written before it, and holds too, for example when {_relevant(values, branches[first], branch)}",
                        )
                        for first, values in sorted(takers.items())
                    ),
                    help="branches are tried in the order they are written: move this one up, or narrow the ones above",
                )
            )
    reported_overlap: set[int] = set()
    for (first, later), values in overlaps.items():
        if not taken[later] or later in reported_overlap:
            continue  # already reported as never taken, or already shown overlapping a branch before it
        if (first, later, later) not in apart or (first, later, first) not in apart:
            # One condition lies inside the other: a special case written before the
            # general one (`age < 18`, then `age <= 24`), the usual way to write exceptions.
            continue
        reported_overlap.add(later)
        shown = _relevant(values, branches[first], branches[later])
        diagnostics.append(
            warning(
                "P214",
                f"in decision `{decision.name}`, a case can meet two branches, for example when {shown}: "
                f"it goes to `{branches[first].target.name}`, the first written",
                branches[later].span,
                label=f"this holds too, and would lead to `{branches[later].target.name}`",
                labels=(Label(branches[first].span, "written first, so it wins"),),
                help="if the source gives an order, say so in a comment `# allow P214: <why>`; otherwise make the conditions exclude each other",
            )
        )
    if gap is not None:
        make = error if decision.duty == m.Duty.MUST else warning
        diagnostics.append(
            make(
                "P204",
                f"decision `{decision.name}` has no branch for a case where {described_assignment(gap)}",
                decision.span,
                label="no branch and no `otherwise` for such a case",
                help="add a branch for it, or `otherwise -> <step>`",
            )
        )
    return diagnostics


def _relevant(values: dict[str, m.Value], *branches: m.Branch) -> str:
    """An example, naming only the facts these branches test."""
    tested = {name for branch in branches for name in m.facts_tested(branch.guard)}
    return described_assignment({name: value for name, value in values.items() if name in tested})
