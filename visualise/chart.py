"""What a flowchart shows, decided once for every output format.

`build_chart` turns the process graph into a `Chart`: lanes, boxes and arrows with
their words already chosen (guards, deadlines, tooltips), and a key. The DOT and
Mermaid writers only decide how each thing looks, so the two pictures cannot say
different things.

Ids of the things drawn that are not declarations (the start marker, notes,
stand-ins for steps outside a slice, the key) contain a space, which no declared
name can, so they never collide with a name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import networkx as nx
from attrs import frozen

from interpreter import model as m
from interpreter.graph import can_reach, reachable_from
from interpreter.suggest import did_you_mean
from interpreter.wording import guard_text
from visualise.wording import citation_text, deadline_label, deadline_sentence, escalation_label, escalation_sentence

START_ID = "(start) here"

# Which way the flow runs: top to bottom, or left to right.
DIRECTIONS = ("TB", "LR")


def require_direction(direction: str) -> None:
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")


class SliceError(ValueError):
    """An `only` selection that names no step, or a range with no path through it."""


@frozen
class ChartNode:
    """A box. Its kind is one of the graph's five (step, decision, parallel, join,
    outcome) or: `note`, who is told when a step is late (`if late notify ROLE`);
    `handover`, what a step sends to a role (`sends "..." to ROLE`), in that role's lane;
    `start`, where a case begins; `elsewhere`, a step outside the slice drawn that an
    arrow from inside leads to; `text`, words in the key."""

    id: str
    kind: str
    title: str
    name: str | None = None  # the declaration's name, shown small so a reader can find it in the file
    duty: str | None = None
    cites: str = ""
    deadlines: tuple[str, ...] = ()
    who: str | None = None  # "by ROLE": shown when there are no lanes to say it
    lane: str | None = None
    tooltip: str = ""
    ending: str | None = None  # "this branch ends" or "ends the whole case", shown under the title


@frozen
class ChartEdge:
    """An arrow. Its kind is `flow` (next, branch, otherwise, fork), `escalation` (to
    the step escalated to), `notify` (to the note of who is told), `sends` (to what a
    role receives) or `start`."""

    source: str
    target: str
    kind: str
    label: str | None = None


@frozen
class Lane:
    name: str
    title: str
    external: bool = False
    members: str | None = None  # a group's member roles, by title


@frozen
class Chart:
    title: str
    subtitle: str | None
    lanes: tuple[Lane, ...]
    nodes: tuple[ChartNode, ...]
    edges: tuple[ChartEdge, ...]
    key_nodes: tuple[ChartNode, ...]
    key_edges: tuple[ChartEdge, ...]

    def nodes_in(self, lane: str | None) -> tuple[ChartNode, ...]:
        return tuple(node for node in self.nodes if node.lane == lane)


def build_chart(procedure: m.Procedure, graph: nx.DiGraph, only: Sequence[str] = ()) -> Chart:
    """The chart of the whole procedure, or of the slice that `only` selects (see `select`)."""
    shown = select(graph, only)
    titles = {declaration.name: declaration.title for declaration in procedure.declarations()}
    roles = {role.name: role for role in procedure.roles}
    nodes: list[ChartNode] = []
    edges: list[ChartEdge] = []
    start = graph.graph.get("start")
    if start in shown:
        nodes.append(ChartNode(START_ID, "start", "start"))
        edges.append(ChartEdge(START_ID, start, "start"))
    stand_ins: dict[str, ChartNode] = {}
    for name in (name for name in graph if name in shown):
        attributes = graph.nodes[name]
        nodes.append(_flow_node(name, attributes, titles, roles))
        for target, edge in graph.succ[name].items():
            label: str | None
            if edge["kind"] == "escalation":
                kind, label = "escalation", escalation_label(edge["escalation"])
            else:
                kind, label = "flow", _flow_label(attributes["declaration"], target)
            if target not in shown:
                target = stand_ins.setdefault(target, _stand_in(target, graph.nodes[target])).id
            edges.append(ChartEdge(name, target, kind, label))
        for index, escalation in enumerate(_notifications(attributes["declaration"])):
            note = _note(name, index, escalation, roles, lane=_flow_lane(attributes, roles))
            nodes.append(note)
            edges.append(ChartEdge(name, note.id, "notify"))
        for index, sending in enumerate(_sendings(attributes["declaration"])):
            handover = _handover(name, index, sending, roles)
            nodes.append(handover)
            edges.append(ChartEdge(name, handover.id, "sends"))
    nodes.extend(stand_ins.values())
    used_lanes = {node.lane for node in nodes}
    lanes = tuple(_lane(role, roles) for role in procedure.roles if role.name in used_lanes)
    header = procedure.header
    subtitle = " · ".join(part for part in (header.source, header.version) if part) if header else None
    return Chart(graph.graph["title"], subtitle or None, lanes, tuple(nodes), tuple(edges), *_key(sliced=bool(stand_ins)))


def select(graph: nx.DiGraph, only: Sequence[str]) -> set[str]:
    """The names of the nodes to draw: all of them, or those `only` asks for.

    Each item of `only` is a name (that node), `FROM..TO` (every node on a path
    from FROM to TO), `FROM..` (everything after FROM) or `..TO` (everything
    before TO); the slice is their union. Paths follow the ordinary flow, not
    escalations.
    """
    if not only:
        return set(graph)
    shown: set[str] = set()
    for item in only:
        if ".." not in item:
            shown.add(_known(graph, item))
            continue
        first, _, last = item.partition("..")
        after = reachable_from(graph, _known(graph, first), include_escalations=False) if first else set(graph)
        before = can_reach(graph, [_known(graph, last)]) if last else set(graph)
        between = after & before
        if not between:
            raise SliceError(f"`{item}`: there is no path from `{first}` to `{last}`")
        shown |= between
    return shown


def _known(graph: nx.DiGraph, name: str) -> str:
    if name in graph:
        return name
    suggestion = did_you_mean(name, graph.nodes)
    raise SliceError(f"there is no step, decision or outcome called `{name}`" + (f"; {suggestion}" if suggestion else ""))


def _flow_node(name: str, attributes: dict, titles: dict, roles: dict) -> ChartNode:
    declaration = attributes["declaration"]
    duty = attributes["duty"]
    deadlines = m.deadlines_of(declaration)
    owner = attributes["owner"]
    owner_title = _role_title(owner, roles) if owner else None
    return ChartNode(
        id=name,
        kind=attributes["kind"],
        title=visible(_shown_title(declaration)),
        name=name,
        duty=duty,
        cites=citation_text(attributes["cites"]),
        deadlines=tuple(deadline_label(deadline, duty) for deadline in deadlines),
        who=f"by {owner_title}" if owner_title else None,
        lane=_flow_lane(attributes, roles),
        tooltip=visible(_tooltip(declaration, duty, owner_title, titles), TOOLTIP_LIMIT),
        ending=_ending(declaration),
    )


def _ending(declaration: m.FlowNode) -> str | None:
    if isinstance(declaration, (m.Step, m.Join)) and declaration.ends_branch:
        return "this branch ends"
    if isinstance(declaration, m.Outcome) and declaration.ends_case:
        return "ends the whole case"
    return None


def _shown_title(declaration: m.FlowNode) -> str:
    if declaration.title:
        return declaration.title
    if isinstance(declaration, m.Parallel):
        return "at the same time"
    if isinstance(declaration, m.Join):
        return f"waits for {declaration.mode}"
    return declaration.name


def _tooltip(declaration: m.FlowNode, duty: m.Duty | None, owner_title: str | None, titles: Mapping[str, str | None]) -> str:
    lines = [f"{declaration.name}: {declaration.title or _shown_title(declaration)}"]
    if owner_title:
        lines.append(f"{duty} be done by {owner_title}" if duty else f"done by {owner_title}")
    if isinstance(declaration, m.Join):
        lines.append(f"waits for {declaration.mode} of the branches")
    if declaration.cites:
        lines.append("cites " + ", ".join(declaration.cites))
    lines.extend(deadline_sentence(deadline, titles.get(deadline.anchor.name)) for deadline in m.deadlines_of(declaration))
    lines.extend(escalation_sentence(escalation) for escalation in m.escalations_of(declaration))
    if isinstance(declaration, m.Step):
        lines.extend(f"produces {document}" for document in declaration.produces)
    return "\n".join(lines)


def _flow_label(declaration: m.FlowNode, target: str) -> str | None:
    """The words on a decision's arrow: every guard that leads to target (the graph keeps one edge per pair)."""
    if not isinstance(declaration, m.Decision):
        return None
    guards = tuple(branch.guard for branch in declaration.branches if branch.target.name == target)
    words = [guard_text(guards[0] if len(guards) == 1 else m.AnyOf(guards))] if guards else []
    if declaration.otherwise is not None and declaration.otherwise.name == target:
        words.append("otherwise")
    return visible("\nor ".join(words)) if words else None


def _notifications(declaration: m.FlowNode) -> Iterable[m.Escalation]:
    return (e for e in m.escalations_of(declaration) if e.action == m.EscalationAction.NOTIFY)


def _flow_lane(attributes: Mapping[str, Any], roles: Mapping[str, m.Role]) -> str | None:
    owner = attributes["owner"]
    return owner if owner in roles else None


def _sendings(declaration: m.FlowNode) -> tuple[m.Sending, ...]:
    return declaration.sends if isinstance(declaration, m.Step) else ()


def _handover(step: str, index: int, sending: m.Sending, roles: dict) -> ChartNode:
    """What a role receives from a step, in the receiving role's lane: the hand-over between lanes."""
    role = sending.to.name
    return ChartNode(
        id=f"(handover) {step} {index}",
        kind="handover",
        title=visible(sending.what),
        lane=role if role in roles else None,
        tooltip=visible(f"{step} sends {sending.what} to {_role_title(role, roles)}", TOOLTIP_LIMIT),
    )


def _note(step: str, index: int, escalation: m.Escalation, roles: dict, lane: str | None) -> ChartNode:
    """The note of who is told when a step is late, in the step's own lane.

    In the lane of the role told it would say that with its place, but Graphviz
    (2.43) fails to lay out large charts ("trouble in init_rank") when many notes
    sit in lanes other than their steps'; so the note names the role instead.
    """
    role_title = _role_title(escalation.target.name, roles)
    told = f"if {escalation.trigger}, notify {role_title}" + (f": {escalation.what}" if escalation.what else "")
    return ChartNode(
        id=f"(note) {step} {index}",
        kind="note",
        title=visible(told),
        lane=lane,
        tooltip=visible(f"{step}: {escalation_sentence(escalation)}", TOOLTIP_LIMIT),
    )


def _stand_in(name: str, attributes: dict) -> ChartNode:
    return ChartNode(
        id=f"(not shown) {name}",
        kind="elsewhere",
        title=visible(attributes["title"]),
        name=name,
        tooltip=f"{name} is outside the part of the procedure drawn here",
    )


def _lane(role: m.Role, roles: dict) -> Lane:
    members = ", ".join(_role_title(member.name, roles) for member in role.members) if role.is_group else None
    return Lane(role.name, visible(role.title or role.name), role.external, visible(members) if members else None)


def _role_title(name: str, roles: dict) -> str:
    role = roles.get(name)
    return (role.title if role is not None else None) or name


# Graphviz refuses a label longer than 16,384 bytes once escaped; a character can take
# six (`&quot;`), so text in a picture stops at this many characters, well inside it.
PICTURE_TEXT_LIMIT = 1_000
# Tooltips (hover text) list a step's every deadline and document, so they may be longer.
TOOLTIP_LIMIT = 2_500


def visible(text: str, limit: int = PICTURE_TEXT_LIMIT) -> str:
    """Text with tabs as spaces and other control characters as �: XML (so SVG) cannot hold them.

    Text longer than limit is cut there and ends in "…"; the file keeps it whole.
    """
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return "".join(ch if ch == "\n" or ch.isprintable() else (" " if ch == "\t" else "\ufffd") for ch in text)


def _key(sliced: bool) -> tuple[tuple[ChartNode, ...], tuple[ChartEdge, ...]]:
    """Samples of every kind of box and arrow, drawn like the real ones, with what they mean."""
    stand_in = (ChartNode("(key) elsewhere", "elsewhere", "a step not drawn here"),) if sliced else ()
    nodes = (
        ChartNode("(key) must", "step", "must be done", duty="must"),
        ChartNode("(key) should", "step", "should be done", duty="should"),
        ChartNode("(key) may", "step", "may be done", duty="may"),
        ChartNode("(key) done", "step", "no duty stated"),
        ChartNode("(key) note", "note", "if late, notify a role: what they are told"),
        ChartNode("(key) handover", "handover", "what a role receives, in its lane"),
        ChartNode("(key) decision", "decision", "a question"),
        ChartNode("(key) bar", "parallel", "split / join"),
        ChartNode("(key) outcome", "outcome", "an end"),
        *stand_in,
        ChartNode("(key) words", "text", "WD: working days\n≤ within · ≥ at least\n§ paragraphs of the source"),
    )
    edges = (ChartEdge("(key) must", "(key) note", "notify"), ChartEdge("(key) should", "(key) handover", "sends"))
    return nodes, edges
