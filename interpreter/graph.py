"""The process graph: the one structure that checks, simulation and rendering read.

Nodes are named by their declarations' names (so output is stable and readable);
each carries its declaration and the attributes a reader of the graph needs.
Edges carry their kind (`next`, `branch`, `otherwise`, `fork`, `escalation`) and,
for branches, the guard and its position among the decision's branches.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import networkx as nx

from interpreter import model as m
from interpreter.resolve import ResolvedProcedure

FLOW_EDGE_KINDS = ("next", "branch", "otherwise", "fork")


def build_graph(resolved: ResolvedProcedure) -> nx.DiGraph:
    procedure = resolved.procedure
    graph: nx.DiGraph = nx.DiGraph(title=procedure.title, start=None, file=procedure.file)
    nodes = [n for n in procedure.nodes if resolved.names.get(n.name) is n]
    for node in nodes:
        task = node if isinstance(node, (m.Step, m.Decision)) else None
        graph.add_node(
            node.name,
            kind=node.kind,
            title=node.title or node.name,
            owner=task.owner.name if task is not None and task.owner is not None else None,
            duty=task.duty if task is not None else None,
            cites=node.cites,
            declaration=node,
            # True when a name this node leads to is not a step: it is already
            # reported, and flow checks should not pile on.
            broken=False,
        )
    for node in nodes:
        for target, attributes in _edges_of(node):
            if resolved.flow_node(target.name) is not None:
                _add_edge(graph, node.name, target.name, attributes)
            elif attributes["kind"] != "escalation":
                graph.nodes[node.name]["broken"] = True
    if procedure.start is not None and resolved.flow_node(procedure.start.name) is not None:
        graph.graph["start"] = procedure.start.name
    return graph


def _add_edge(graph: nx.DiGraph, source: str, target: str, attributes: dict[str, Any]) -> None:
    # Two branches of one decision may lead to the same step; the graph keeps the
    # first, and the decision keeps every branch for whoever needs them all.
    if not graph.has_edge(source, target):
        graph.add_edge(source, target, **attributes)


def _edges_of(node: m.FlowNode) -> Iterator[tuple[m.Ref, dict[str, Any]]]:
    if isinstance(node, m.Decision):
        for index, branch in enumerate(node.branches):
            yield branch.target, {"kind": "branch", "guard": branch.guard, "index": index}
        if node.otherwise is not None:
            yield node.otherwise, {"kind": "otherwise", "guard": None, "index": len(node.branches)}
    elif isinstance(node, m.Parallel):
        for index, first_step in enumerate(node.branches):
            yield first_step, {"kind": "fork", "index": index}
    elif isinstance(node, (m.Step, m.Join)) and node.next is not None:
        yield node.next, {"kind": "next"}
    for escalation in m.escalations_of(node):
        if escalation.action == m.EscalationAction.ESCALATE:
            yield escalation.target, {"kind": "escalation", "trigger": escalation.trigger, "escalation": escalation}


def reachable_from(graph: nx.DiGraph, start: str, include_escalations: bool = True) -> set[str]:
    """Every node a case can get to from start (start included)."""
    return _closure(graph.succ, [start], include_escalations)


def can_reach(graph: nx.DiGraph, targets: Iterable[str], include_escalations: bool = False) -> set[str]:
    """Every node from which one of targets can be reached (targets included)."""
    return _closure(graph.pred, targets, include_escalations)


def reachable_avoiding(onward: Mapping[str, Iterable[str]], starts: Iterable[str], avoided: str) -> set[str]:
    """Every node reachable from one of starts along `onward` (starts included) without passing through `avoided`.

    Whether an arrow into a join can still arrive is whether its source can be reached
    from where a case stands without going through the join itself.
    """
    seen = {name for name in starts if name != avoided}
    frontier = list(seen)
    while frontier:
        for target in onward.get(frontier.pop(), ()):
            if target != avoided and target not in seen:
                seen.add(target)
                frontier.append(target)
    return seen


def _closure(neighbours: Mapping[str, Mapping[str, dict[str, Any]]], starts: Iterable[str], include_escalations: bool) -> set[str]:
    seen = set(starts)
    frontier = list(seen)
    while frontier:
        name = frontier.pop()
        for other, attributes in neighbours[name].items():
            if other not in seen and (include_escalations or attributes["kind"] in FLOW_EDGE_KINDS):
                seen.add(other)
                frontier.append(other)
    return seen
