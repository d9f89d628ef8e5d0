"""The flow checks of a file with syntax errors, run around the declarations that broke.

While an author types, some declaration is nearly always half written. The rest of
the file still deserves its checks (an unreachable step, a deadline conflict), but
not reports that only repeat the gap: the steps a broken step would have led to are
not "unreachable", the steps that lead into it are not "dead ends", the role only
it names is not "unused".

So each broken flow declaration stands in the graph as a hole: a node that may lead
to every step its text names (an over-estimate, so nothing it might reach is called
unreachable), from which no dead end is reported. The names written in any broken
declaration count as used. Reports about a hole, or placed inside a broken
declaration, are left out: the syntax error is what the author needs there. The
checks that reason about parallel branches as a whole (P209, P210, P213, P215,
P216, P218, P219) wait until the file parses whole: a hole could be any shape.
"""

from __future__ import annotations

from collections.abc import Iterable

from attrs import evolve

from interpreter import model as m
from interpreter.checks import CHECKS, run_checks
from interpreter.diagnostics import Diagnostic
from interpreter.graph import build_graph
from interpreter.resolve import resolve
from interpreter.source import Span
from interpreter.syntax import BrokenDeclaration

FLOW_KEYWORDS = frozenset({"step", "decision", "parallel", "join", "outcome"})
# What a broken header or `start at` line leaves unknown: whether there is a header (and
# which calendar it names), and where the procedure starts.
UNKNOWN_WITHOUT = {"procedure": {"P004", "P302"}, "start": {"P201"}}
# What a hole makes unknowable: whether parallel branches meet and finish together.
WAITING_FOR_A_WHOLE_FILE = frozenset({"parallel", "soundness"})


def checks_around(procedure: m.Procedure, broken: Iterable[BrokenDeclaration], unparsed_names: frozenset[str]) -> list[Diagnostic]:
    broken = tuple(broken)
    declared = {declaration.name for declaration in procedure.declarations() if hasattr(declaration, "name")}
    hole_pieces = {
        piece.name: piece for piece in broken if piece.keyword in FLOW_KEYWORDS and piece.name is not None and piece.name not in declared
    }
    hole_names = set(hole_pieces)
    flow_names = {node.name for node in procedure.nodes} | hole_names
    holes: list[m.FlowNode] = []
    for name, piece in hole_pieces.items():
        onward = sorted((piece.mentions & flow_names) - {name})
        span = Span(procedure.file, piece.first_line, 1, piece.first_line, 2)
        holes.append(m.Parallel(name=name, title=None, branches=tuple(m.Ref(target, span) for target in onward), span=span))
    mended = evolve(procedure, nodes=procedure.nodes + tuple(holes))
    still_unparsed = unparsed_names - hole_names
    resolved, _ = resolve(mended, still_unparsed)
    mentioned = frozenset().union(*(piece.mentions for piece in broken))
    resolved = evolve(resolved, meant=resolved.meant | mentioned)
    graph = build_graph(resolved)
    for name in hole_names:
        graph.nodes[name]["hole"] = True
    checks = tuple(check for check in CHECKS if check.name not in WAITING_FOR_A_WHOLE_FILE)
    found = run_checks(resolved, graph, checks)
    unknowable = set().union(*(UNKNOWN_WITHOUT.get(piece.keyword, set()) for piece in broken))
    return [d for d in found if d.code not in unknowable and not _about_a_hole(d, hole_names | still_unparsed, broken)]


def _about_a_hole(diagnostic: Diagnostic, names: set[str] | frozenset[str], broken: tuple[BrokenDeclaration, ...]) -> bool:
    """Whether a report points into a broken declaration or names one, where it stands or in its labels."""
    spans = [diagnostic.span, *(label.span for label in diagnostic.labels)]
    if any(span is not None and piece.first_line <= span.line <= piece.last_line for span in spans for piece in broken):
        return True
    words = " ".join([diagnostic.message, diagnostic.label, *diagnostic.notes, *(label.message for label in diagnostic.labels)])
    return any(f"`{name}`" in words for name in names)
