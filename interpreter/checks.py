"""The checks run on a resolved procedure and its graph: a tuple of small functions.

Each check has a name and the codes it reports, takes the resolved procedure and
the process graph, and returns diagnostics. Adding a check is adding a function
to CHECKS.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NamedTuple

import networkx as nx

from interpreter import model as m
from interpreter.deadlines import check_deadlines
from interpreter.decisions import check_decisions
from interpreter.diagnostics import Diagnostic, Label, error, warning
from interpreter.graph import FLOW_EDGE_KINDS, can_reach, reachable_from
from interpreter.resolve import ResolvedProcedure
from interpreter.soundness import check_soundness
from interpreter.wording import described


class Check(NamedTuple):
    name: str
    codes: tuple[str, ...]
    run: Callable[[ResolvedProcedure, nx.DiGraph], list[Diagnostic]]


def check_start(resolved: ResolvedProcedure, graph: nx.DiGraph) -> list[Diagnostic]:
    procedure = resolved.procedure
    if procedure.start is not None or not procedure.nodes:
        return []
    first = procedure.nodes[0]
    return [
        error(
            "P201",
            "this procedure does not say where it starts",
            first.span,
            label="the first step in the file",
            help=f"add a line `start at {first.name}` (or whichever step comes first)",
        )
    ]


def check_reachable(resolved: ResolvedProcedure, graph: nx.DiGraph) -> list[Diagnostic]:
    start = graph.graph["start"]
    if start is None:
        return []
    if any(broken for _, broken in graph.nodes(data="broken")):
        # An arrow to a name already reported as unknown may be the one meant to lead on.
        return []
    reached = reachable_from(graph, start)
    # Only where an unreachable part begins: the steps after it follow from the same cause.
    first_unreached = {name for name in graph if name not in reached and all(p in reached for p in graph.predecessors(name) if p != name)}
    unreached_cycles = _unreached_loops(graph, reached, first_unreached)
    return [
        error(
            "P202",
            f"{described(node)} can never be reached from the start",
            node.span,
            label="no path leads here",
            help=f"lead to it with `next {node.name}` (or a branch) from the step before it, or delete it",
        )
        for node in _flow_nodes(resolved)
        if node.name in first_unreached or node.name in unreached_cycles
    ]


def _unreached_loops(graph: nx.DiGraph, reached: set[str], reported: set[str]) -> set[str]:
    """One node of each unreachable loop that nothing outside it leads into (so no entry point is reported)."""
    unreached = graph.subgraph(n for n in graph if n not in reached)
    chosen = set()
    for part in nx.strongly_connected_components(unreached):
        if part & reported:
            continue
        entries = [n for n in part if any(p not in part for p in graph.predecessors(n))]
        if not entries:
            chosen.add(min(part))
    return chosen


def _branch_enders(resolved: ResolvedProcedure) -> list[m.Step | m.Join]:
    return [n for n in _flow_nodes(resolved) if isinstance(n, (m.Step, m.Join)) and n.ends_branch]


def check_dead_ends(resolved: ResolvedProcedure, graph: nx.DiGraph) -> list[Diagnostic]:
    # A path finishes at an outcome, or where a parallel branch ends.
    ends = [name for name, kind in graph.nodes(data="kind") if kind == "outcome"]
    ends += [node.name for node in _branch_enders(resolved) if graph.has_node(node.name)]
    finishing = can_reach(graph, ends)
    broken = [name for name, is_broken in graph.nodes(data="broken") if is_broken]
    # A declaration that did not parse (interpreter/recovery.py) may lead anywhere.
    broken += [name for name, is_hole in graph.nodes(data="hole") if is_hole]
    # Nodes that lead to a name already reported as unknown are not reported twice.
    excused = can_reach(graph, broken)
    stuck = {name for name in graph if name not in finishing and name not in excused}
    flow = graph.edge_subgraph((a, b) for a, b, data in graph.edges(data=True) if data["kind"] in FLOW_EDGE_KINDS)
    loops: list[list[str]] = []
    in_loop: set[str] = set()
    for part in nx.strongly_connected_components(flow.subgraph(n for n in stuck if n in flow)):
        is_loop = len(part) > 1 or any(flow.has_edge(n, n) for n in part)
        leaves = any(t in stuck and t not in part for n in part for t in flow.successors(n))
        if is_loop and not leaves:
            order = [n.name for n in _flow_nodes(resolved) if n.name in part]
            loops.append(order)
            in_loop.update(part)
    diagnostics = [_loop(resolved, names) for names in loops]
    for node in _flow_nodes(resolved):
        if node.name not in stuck or node.name in in_loop:
            continue
        successors = [t for t in graph.successors(node.name) if graph.edges[node.name, t]["kind"] in FLOW_EDGE_KINDS]
        if successors:
            continue  # it leads only to places that cannot finish: those are reported, not this
        if isinstance(node, (m.Step, m.Join)) and node.next is None:
            message = f"{described(node)} has no `next`, so a case stops here without an outcome"
            help_text = "add `next <step>` inside the block, or lead to an outcome"
            if node.name in _on_parallel_branches(resolved, graph):
                help_text += "; if this parallel branch simply finishes here, write `this branch ends`"
        elif isinstance(node, m.Decision) and not node.branches and node.otherwise is None:
            message = f"{described(node)} has no branches, so a case stops here without an outcome"
            help_text = "add `when <condition> -> <step>` lines and an `otherwise -> <step>`"
        elif isinstance(node, m.Parallel) and not node.branches:
            message = f"{described(node)} has no branches, so a case stops here without an outcome"
            help_text = "add a `-> <step>` line for each branch that runs alongside the others"
        else:
            message = f"no outcome can be reached from {described(node)}"
            help_text = "every path must end in an `outcome`; follow the `next` lines from here to find the loop or gap"
        diagnostics.append(error("P203", message, node.span, label="dead end", help=help_text))
    return diagnostics


def _loop(resolved: ResolvedProcedure, names: list[str]) -> Diagnostic:
    """One diagnostic for a loop with no way out, naming its steps."""
    declarations = [resolved.names[name] for name in names]
    listed = ", ".join(f"`{name}`" for name in names[:8]) + (", ..." if len(names) > 8 else "")
    return error(
        "P203",
        f"{len(names)} steps go round in a loop that never reaches an outcome: {listed}"
        if len(names) > 1
        else f"{described(declarations[0])} leads back to itself and never reaches an outcome",
        declarations[0].span,
        label="the loop begins here",
        labels=tuple(Label(d.span, "and goes on here") for d in declarations[1:8]),
        help="give the loop a way out: a decision whose branch leads on towards an outcome, or a `next` that leaves it",
    )


def check_owners(resolved: ResolvedProcedure, graph: nx.DiGraph) -> list[Diagnostic]:
    return [
        error(
            "P208",
            f"{described(node)} is something that must be done, but nobody is named to do it",
            node.span,
            label="no owner",
            help="name the role responsible: `must be done by <role>`",
        )
        for node in _flow_nodes(resolved)
        if isinstance(node, (m.Step, m.Decision)) and node.duty == m.Duty.MUST and node.owner is None
    ]


def check_unused(resolved: ResolvedProcedure, graph: nx.DiGraph) -> list[Diagnostic]:
    procedure = resolved.procedure
    used: set[str] = set()
    for node in procedure.nodes:
        if isinstance(node, (m.Step, m.Decision)):
            if node.owner is not None:
                used.add(node.owner.name)
            used.update(d.anchor.name for d in node.deadlines)
            used.update(e.target.name for e in node.escalations)
        if isinstance(node, m.Step):
            used.update(sending.to.name for sending in node.sends)
        if isinstance(node, m.Decision):
            for branch in node.branches:
                used.update(m.facts_tested(branch.guard))
    used |= resolved.meant
    # A role that delegates to one that takes part takes part through it.
    used.update(role.delegated_by.name for role in procedure.roles if role.delegated_by is not None)
    for role in procedure.roles:
        if role.name in used:
            used.update(member.name for member in role.members)
    # A group whose members all take part is in use through them.
    for role in procedure.roles:
        if role.members and all(member.name in used for member in role.members):
            used.add(role.name)
    diagnostics = []
    declarations: tuple[m.Role, ...] | tuple[m.Fact, ...] | tuple[m.Event, ...]
    for declarations, code, word, remedy in (
        (procedure.roles, "P205", "role", "name it as the owner of a step (`by`), or delete it"),
        (procedure.facts, "P206", "fact", "test it in a decision (`when ...`), or delete it"),
        (procedure.events, "P207", "event", "count a deadline from it (`within ... after`), or delete it"),
    ):
        for declaration in declarations:
            if declaration.name not in used and resolved.names.get(declaration.name) is declaration:
                diagnostics.append(
                    warning(code, f"{word} `{declaration.name}` is declared but never used", declaration.span, label="unused", help=remedy)
                )
    return diagnostics


def check_header(resolved: ResolvedProcedure, graph: nx.DiGraph) -> list[Diagnostic]:
    procedure = resolved.procedure
    if procedure.header is not None:
        return []
    first = next(iter(procedure.declarations()), None)
    return [
        error(
            "P004",
            "this file has no procedure header",
            first.span if first else None,
            help='begin the file with a header block:\n    procedure "Its title"\n      calendar england-and-wales\n    end',
        )
    ]


def _on_parallel_branches(resolved: ResolvedProcedure, graph: nx.DiGraph) -> set[str]:
    """Every node a parallel split leads to."""
    splits = [n.name for n in _flow_nodes(resolved) if isinstance(n, m.Parallel) and graph.has_node(n.name)]
    return can_reach(graph.reverse(copy=False), splits) - set(splits) if splits else set()


def check_branch_ends(resolved: ResolvedProcedure, graph: nx.DiGraph) -> list[Diagnostic]:
    """`this branch ends` belongs on a parallel branch: elsewhere the case would stop with no outcome."""
    on_branches = _on_parallel_branches(resolved, graph)
    return [
        error(
            "P211",
            f"{described(node)} ends its branch, but no parallel split leads to it",
            node.span,
            label="`this branch ends` here would end the whole case without an outcome",
            help="lead it to the next step with `next`, or to an outcome",
        )
        for node in _branch_enders(resolved)
        if graph.has_node(node.name) and node.name not in on_branches
    ]


def check_parallel_branches(resolved: ResolvedProcedure, graph: nx.DiGraph) -> list[Diagnostic]:
    diagnostics = []
    for node in _flow_nodes(resolved):
        if isinstance(node, m.Parallel) and len(node.branches) == 1:
            diagnostics.append(
                warning(
                    "P209",
                    f"parallel split `{node.name}` has only one branch",
                    node.span,
                    label="nothing runs alongside this branch",
                    help="add another `-> <step>` line, or replace the split with `next`",
                )
            )
        if isinstance(node, m.Join) and graph.has_node(node.name) and graph.in_degree(node.name) < 2 and node.name != graph.graph["start"]:
            incoming = list(graph.predecessors(node.name))
            diagnostics.append(
                warning(
                    "P210",
                    f"join `{node.name}` waits for {len(incoming)} branch{'es' if len(incoming) != 1 else ''}, so it joins nothing",
                    node.span,
                    label="a join gathers two or more branches",
                    labels=tuple(Label(graph.nodes[n]["declaration"].span, "the one branch that leads here") for n in incoming),
                    help="lead each parallel branch to the join with `next`, or remove the join",
                )
            )
    return diagnostics


def _flow_nodes(resolved: ResolvedProcedure) -> Iterator[m.FlowNode]:
    """Each flow declaration once (a duplicate name is reported elsewhere)."""
    return (n for n in resolved.procedure.nodes if resolved.names.get(n.name) is n)


CHECKS: tuple[Check, ...] = (
    Check("header", ("P004",), check_header),
    Check("start", ("P201",), check_start),
    Check("reachable", ("P202",), check_reachable),
    Check("dead-ends", ("P203",), check_dead_ends),
    Check("decisions", ("P204", "P212", "P214", "P217"), check_decisions),
    Check("unused", ("P205", "P206", "P207"), check_unused),
    Check("owners", ("P208",), check_owners),
    Check("parallel", ("P209", "P210"), check_parallel_branches),
    Check("branch-ends", ("P211",), check_branch_ends),
    Check("soundness", ("P213", "P215", "P216", "P218", "P219"), check_soundness),
    Check("deadlines", ("P301", "P302", "P303", "P304", "P305", "P306", "P308", "P309", "P311"), check_deadlines),
)


def run_checks(resolved: ResolvedProcedure, graph: nx.DiGraph, checks: tuple[Check, ...] = CHECKS) -> tuple[Diagnostic, ...]:
    found: list[Diagnostic] = []
    for check in checks:
        found.extend(check.run(resolved, graph))
    return tuple(found)
