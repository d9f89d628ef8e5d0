"""The process graph: the one structure that checks, simulation and rendering read.

Nodes are named by their declarations' names (so output is stable and readable);
each carries its declaration and the attributes a reader of the graph needs.
Edges carry their kind (`next`, `branch`, `otherwise`, `fork`, `escalation`) and,
for branches, the guard and its position among the decision's branches.
"""

from __future__ import annotations

import networkx as nx

from interpreter import model as m
from interpreter.resolve import ResolvedProcedure

FLOW_EDGE_KINDS = ("next", "branch", "otherwise", "fork")


def build_graph(resolved: ResolvedProcedure) -> nx.DiGraph:
    procedure = resolved.procedure
    graph: nx.DiGraph = nx.DiGraph(title=procedure.title, start=None, file=procedure.file)
    nodes = [n for n in procedure.nodes if resolved.names.get(n.name) is n]
    for node in nodes:
        graph.add_node(
            node.name,
            kind=node.kind,
            title=node.title or node.name,
            owner=getattr(node, "owner", None) and node.owner.name,
            duty=getattr(node, "duty", None),
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


def _add_edge(graph: nx.DiGraph, source: str, target: str, attributes: dict) -> None:
    # Two branches of one decision may lead to the same step; the graph keeps the
    # first, and the decision keeps every branch for whoever needs them all.
    if not graph.has_edge(source, target):
        graph.add_edge(source, target, **attributes)


def _edges_of(node):
    if isinstance(node, m.Decision):
        for index, branch in enumerate(node.branches):
            yield branch.target, {"kind": "branch", "guard": branch.guard, "index": index}
        if node.otherwise is not None:
            yield node.otherwise, {"kind": "otherwise", "guard": None, "index": len(node.branches)}
    elif isinstance(node, m.Parallel):
        for index, branch in enumerate(node.branches):
            yield branch, {"kind": "fork", "index": index}
    elif isinstance(node, (m.Step, m.Join)) and node.next is not None:
        yield node.next, {"kind": "next"}
    for escalation in getattr(node, "escalations", ()):
        if escalation.action == "escalate":
            yield escalation.target, {"kind": "escalation", "trigger": escalation.trigger, "escalation": escalation}


def reachable_from(graph: nx.DiGraph, start: str, include_escalations: bool = True) -> set[str]:
    seen = {start}
    frontier = [start]
    while frontier:
        name = frontier.pop()
        for target, attributes in graph.succ[name].items():
            if target not in seen and (include_escalations or attributes["kind"] in FLOW_EDGE_KINDS):
                seen.add(target)
                frontier.append(target)
    return seen


def can_reach(graph: nx.DiGraph, targets, include_escalations: bool = False) -> set[str]:
    """Every node from which one of targets can be reached (targets included)."""
    seen = set(targets)
    frontier = list(seen)
    while frontier:
        name = frontier.pop()
        for source, attributes in graph.pred[name].items():
            if source not in seen and (include_escalations or attributes["kind"] in FLOW_EDGE_KINDS):
                seen.add(source)
                frontier.append(source)
    return seen
