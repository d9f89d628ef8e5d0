"""The search for deadlines that cannot all be met: a negative cycle in a distance graph, found whenever there is one."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from interpreter.deadlines import find_conflict


@st.composite
def weighted_graphs(draw):
    size = draw(st.integers(1, 12))
    names = [f"s{i}" for i in range(size)]
    graph = nx.DiGraph()
    graph.add_nodes_from(names)
    for _ in range(draw(st.integers(0, 3 * size))):
        source, target = draw(st.sampled_from(names)), draw(st.sampled_from(names))
        graph.add_edge(source, target, weight=draw(st.integers(-20, 30)))
    return graph


@settings(max_examples=1_000, deadline=None)
@given(weighted_graphs())
def test_a_negative_cycle_is_found_exactly_when_there_is_one(graph):
    """networkx, a test tool here, says whether there is one; what is found is a real cycle of the graph, below zero."""
    cycle = find_conflict(graph)
    assert (cycle is not None) == nx.negative_edge_cycle(graph, weight="weight")
    if cycle is not None:
        assert cycle[0] == cycle[-1]
        assert all(graph.has_edge(a, b) for a, b in zip(cycle, cycle[1:]))
        assert sum(graph.edges[a, b]["weight"] for a, b in zip(cycle, cycle[1:])) < 0


def test_a_long_chain_closed_by_one_rule_is_found():
    """A loop through every point of a long chain (the worst case for a queue-based search) is still found, whole."""
    graph = nx.DiGraph()
    for index in range(2_000):
        graph.add_edge(f"s{index}", f"s{index + 1}", weight=5)
    graph.add_edge("s2000", "s0", weight=-10_001)
    cycle = find_conflict(graph)
    assert cycle is not None and len(cycle) == 2_002
