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

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import networkx as nx
from attrs import evolve, frozen

from interpreter import model as m
from interpreter.graph import can_reach, reachable_from
from interpreter.phases import Phase, phase_of
from interpreter.suggest import did_you_mean
from interpreter.wording import guard_text
from visualise.wording import (
    TOOLTIP_LIMIT,
    citation_text,
    deadline_label,
    deadline_sentence,
    escalation_label,
    escalation_sentence,
    visible,
)

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
    outcome) or: `phase`, a part of the procedure folded into one box (in an
    overview); `note`, who is told when a step is late (`if late notify ROLE`);
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
    remark: str | None = None  # "this branch ends", "ends the whole case", or where a stand-in's step is, in italics under the title
    link: str | None = None  # where a click on the box goes (an SVG link), when the chart is one of a set


@frozen
class ChartEdge:
    """An arrow. Its kind is `flow` (next, branch, otherwise, fork), `escalation` (to
    the step escalated to), `notify` (to the note of who is told), `sends` (to what a
    role receives) or `start`."""

    source: str
    target: str
    kind: str
    label: str | None = None
    weight: int = 1  # in an overview, how many arrows of the flow this one stands for


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


def build_chart(procedure: m.Procedure, graph: nx.DiGraph, only: Sequence[str] = (), links: ChartLinks | None = None) -> Chart:
    """The chart of the whole procedure, or of the slice that `only` selects (see `select`)."""
    return _chart_of(procedure, graph, select(graph, only), links, graph.graph["title"], incoming=False)


def build_phase_chart(
    procedure: m.Procedure, graph: nx.DiGraph, phases: Sequence[Phase], key: str, links: ChartLinks | None = None
) -> Chart:
    """The chart of one phase: its boxes, with grey stand-ins for the steps before and after it in other phases."""
    phase = find_phase(phases, key)
    return _chart_of(procedure, graph, set(phase.members), links, f"{graph.graph['title']}: {phase.title}", incoming=True, phases=phases)


def find_phase(phases: Sequence[Phase], key: str) -> Phase:
    """The phase a `--view` names: by its key, a unique beginning of one, or its number in the file."""
    key = key.strip().lower()
    if key.isascii() and key.isdecimal() and 1 <= int(key) <= len(phases):
        return phases[int(key) - 1]
    if not key:
        raise SliceError("name the view: overview, all, or a phase's key or number (safeproc render PROC --list-views lists them)")
    exact = [phase for phase in phases if phase.key == key]
    starting = [phase for phase in phases if phase.key.startswith(key)]
    if exact or len(starting) == 1:
        return (exact or starting)[0]
    if not phases:
        raise SliceError(
            "this procedure has no phases: mark its parts with section headings such as `# ---- Rapid review ----` to draw them one by one"
        )
    known = ", ".join(phase.key for phase in phases)
    if starting:
        raise SliceError(f"`{key}` could be any of {', '.join(phase.key for phase in starting)}; say which")
    suggestion = did_you_mean(key, [phase.key for phase in phases])
    raise SliceError(f"there is no phase `{key}`" + (f" ({suggestion})" if suggestion else "") + f". The phases are: {known}")


# Views that are not a phase's key.
OVERVIEW, ALL = "overview", "all"
# More boxes than this do not fit on one page readably: such a procedure is drawn as an overview unless asked otherwise.
ONE_PAGE_BOXES = 40


def default_view(graph: nx.DiGraph, phases: Sequence[Phase]) -> str:
    return OVERVIEW if phases and graph.number_of_nodes() > ONE_PAGE_BOXES else ALL


def chart_for_view(
    procedure: m.Procedure,
    graph: nx.DiGraph,
    phases: Sequence[Phase],
    view: str | None,
    only: Sequence[str] = (),
    links: ChartLinks | None = None,
) -> Chart:
    """The chart a `--view` asks for: `overview`, `all` (or the slice `only` selects), or one phase by its key.

    With no view, a slice is drawn when `only` asks for one, else the default view.
    """
    if view is None:
        view = ALL if only else default_view(graph, phases)
    view = view.strip().lower() if view.strip().lower() in (ALL, OVERVIEW) else view
    if only and view != ALL:
        raise SliceError("--only draws part of the whole chart, so it goes with --view all, not with an overview or a phase")
    if view == ALL:
        return build_chart(procedure, graph, only, links)
    if view == OVERVIEW:
        return build_overview(procedure, graph, phases, links)
    return build_phase_chart(procedure, graph, phases, view, links)


@frozen
class ChartLinks:
    """Where a click on a box goes when charts are published together (the handbook): each returns a URL or None."""

    step: Callable[[str], str | None] = lambda name: None
    phase: Callable[[str], str | None] = lambda key: None


def _chart_of(
    procedure: m.Procedure,
    graph: nx.DiGraph,
    shown: set[str],
    links: ChartLinks | None,
    title: str,
    incoming: bool,
    phases: Sequence[Phase] = (),
) -> Chart:
    links = links or ChartLinks()
    titles = {declaration.name: declaration.title for declaration in procedure.declarations()}
    roles = {role.name: role for role in procedure.roles}
    in_phase = phase_of(phases)
    nodes: list[ChartNode] = []
    edges: list[ChartEdge] = []
    start = graph.graph.get("start")
    if start in shown:
        nodes.append(ChartNode(START_ID, "start", "start"))
        edges.append(ChartEdge(START_ID, start, "start"))
    stand_ins: dict[str, ChartNode] = {}

    def stand_in(name: str) -> str:
        if name not in stand_ins:
            phase = in_phase.get(name)
            stand_ins[name] = _stand_in(name, graph.nodes[name], phase, links.phase(phase.key) if phase else links.step(name))
        return stand_ins[name].id

    for name in (name for name in graph if name in shown):
        attributes = graph.nodes[name]
        nodes.append(evolve(_flow_node(name, attributes, titles, roles), link=links.step(name)))
        if incoming:
            for source, edge in graph.pred[name].items():
                if source not in shown:
                    kind, label = _edge_words(graph.nodes[source], name, edge)
                    edges.append(ChartEdge(stand_in(source), name, kind, label))
        for target, edge in graph.succ[name].items():
            kind, label = _edge_words(attributes, target, edge)
            edges.append(ChartEdge(name, target if target in shown else stand_in(target), kind, label))
        for index, escalation in enumerate(_notifications(attributes["declaration"])):
            note = _note(name, index, escalation, roles, lane=_flow_lane(attributes, roles))
            nodes.append(note)
            edges.append(ChartEdge(name, note.id, "notify"))
        for index, sending in enumerate(m.sendings_of(attributes["declaration"])):
            handover = _handover(name, index, sending, roles)
            nodes.append(handover)
            edges.append(ChartEdge(name, handover.id, "sends"))
    nodes.extend(stand_ins.values())
    nodes = _placed_in_lanes(nodes, edges, graph)
    lanes = tuple(_lane(roles[name], roles) for name in _lane_order(nodes, edges, roles))
    return Chart(visible(title), _subtitle(procedure), lanes, tuple(nodes), tuple(edges), *_key(sliced=bool(stand_ins)))


def _placed_in_lanes(nodes: list[ChartNode], edges: Sequence[ChartEdge], graph: nx.DiGraph) -> list[ChartNode]:
    """Lanes for the boxes that are nobody's work: a split, a join or an end sits in the
    lane of the box the flow reaches it from, as a gateway does in a swimlane diagram;
    a grey stand-in sits in its step's owner's lane when that lane is drawn.

    A question with no role named stays between the lanes, and so does a stand-in
    whose owner has no lane here: in a lane, either would seem to be that role's.
    """
    lane_of = {node.id: node.lane for node in nodes}
    for node in nodes:
        if node.kind == "elsewhere" and node.name is not None:
            owner = graph.nodes[node.name]["owner"]
            if owner in lane_of.values():
                lane_of[node.id] = owner
    before: dict[str, list[str]] = {}
    after: dict[str, list[str]] = {}
    for edge in edges:
        if edge.kind != "escalation":
            before.setdefault(edge.target, []).append(edge.source)
            after.setdefault(edge.source, []).append(edge.target)
    changed = True
    while changed:
        changed = False
        for node in nodes:
            if lane_of[node.id] is None and node.kind in _PLACED_BY_FLOW:
                neighbour_lanes = [lane_of[other] for other in (*before.get(node.id, ()), *after.get(node.id, ())) if lane_of.get(other)]
                if neighbour_lanes:
                    lane_of[node.id] = neighbour_lanes[0]
                    changed = True
    return [node if node.lane == lane_of[node.id] else evolve(node, lane=lane_of[node.id]) for node in nodes]


_PLACED_BY_FLOW = frozenset({"parallel", "join", "outcome"})


def _subtitle(procedure: m.Procedure) -> str | None:
    header = procedure.header
    subtitle = " · ".join(part for part in (header.source, header.version) if part) if header else None
    return visible(subtitle) if subtitle else None


def _edge_words(attributes: Mapping[str, Any], target: str, edge: Mapping[str, Any]) -> tuple[str, str | None]:
    if edge["kind"] == "escalation":
        return "escalation", escalation_label(edge["escalation"])
    return "flow", _flow_label(attributes["declaration"], target)


def build_overview(procedure: m.Procedure, graph: nx.DiGraph, phases: Sequence[Phase], links: ChartLinks | None = None) -> Chart:
    """The procedure on one page: a box per phase with its timed steps, and an arrow wherever the flow passes from one phase to the next.

    An arrow's weight is how many arrows of the flow it stands for, so the main
    route (notification, rapid review, review, publication) is drawn straightest.
    """
    if not phases:
        raise SliceError(
            "this procedure has no phases to fold into an overview: mark its parts with section headings "
            "such as `# ---- Rapid review ----`, or draw it whole with --view all"
        )
    links = links or ChartLinks()
    in_phase = phase_of(phases)
    nodes: list[ChartNode] = []
    start = graph.graph.get("start")
    edges: list[ChartEdge] = [ChartEdge(START_ID, _phase_id(in_phase[start]), "start")] if start in in_phase else []
    if edges:
        nodes.append(ChartNode(START_ID, "start", "start"))
    for phase in phases:
        nodes.append(_phase_node(phase, graph, links.phase(phase.key)))
    passages: dict[tuple[str, str], int] = {}
    for source, target, edge in graph.edges(data=True):
        before, after = in_phase.get(source), in_phase.get(target)
        if edge["kind"] != "escalation" and before is not None and after is not None and before != after:
            pair = (_phase_id(before), _phase_id(after))
            passages[pair] = passages.get(pair, 0) + 1
    edges.extend(ChartEdge(source, target, "flow", weight=count) for (source, target), count in passages.items())
    linked = any(node.link for node in nodes)
    key_nodes = (
        ChartNode(
            "(key) phase",
            "phase",
            "a phase of the procedure",
            deadlines=("its steps with deadlines",),
            remark="click to open its chart" if linked else "safeproc render --view KEY draws it",
        ),
        ChartNode(
            "(key) words", "text", "WD: working days\n≤ within · ≥ at least\na thicker arrow stands for\nmore routes between two phases"
        ),
    )
    return Chart(visible(graph.graph["title"]), _subtitle(procedure), (), tuple(nodes), tuple(edges), key_nodes, ())


# Timed steps listed in a phase's box before the rest are counted instead.
OVERVIEW_TIMED_STEPS = 6


def _phase_node(phase: Phase, graph: nx.DiGraph, link: str | None) -> ChartNode:
    timed = []
    kinds: dict[str, int] = {}
    for name in phase.members:
        attributes = graph.nodes[name]
        kinds[attributes["kind"]] = kinds.get(attributes["kind"], 0) + 1
        for deadline in m.deadlines_of(attributes["declaration"]):
            timed.append(f"{_shown_title(attributes['declaration'])}: {deadline_label(deadline, attributes['duty'])}")
    if len(timed) > OVERVIEW_TIMED_STEPS:
        timed[OVERVIEW_TIMED_STEPS - 1 :] = [f"and {len(timed) - OVERVIEW_TIMED_STEPS + 1} more deadlines"]
    counts = " · ".join(
        f"{count} {_PLURAL[kind] if count != 1 else kind}"
        for kind, count in sorted(kinds.items(), key=lambda item: _KIND_ORDER.index(item[0]))
    )
    return ChartNode(
        id=_phase_id(phase),
        kind="phase",
        title=visible(phase.title),
        name=phase.key,
        cites=counts,
        deadlines=tuple(visible(line) for line in timed),
        tooltip=visible(
            f"{phase.title}\n" + "\n".join(_shown_title(graph.nodes[name]["declaration"]) for name in phase.members), TOOLTIP_LIMIT
        ),
        link=link,
    )


_KIND_ORDER = ("step", "decision", "parallel", "join", "outcome")
_PLURAL = {"step": "steps", "decision": "decisions", "parallel": "parallels", "join": "joins", "outcome": "outcomes"}


def _phase_id(phase: Phase) -> str:
    return f"(phase) {phase.key}"


def _lane_order(nodes: Sequence[ChartNode], edges: Sequence[ChartEdge], roles: Mapping[str, m.Role]) -> list[str]:
    """The roles with something drawn, in the order the flow first reaches them from the start.

    Neighbouring steps then sit in neighbouring lanes, which keeps arrows short;
    roles the flow never reaches follow in the order the file declares them.
    (Moving lanes further to shorten the arrows' total run across lanes was
    measured on Pan-Sussex: crossings fell in one phase and rose in others.)
    """
    lane_of = {node.id: node.lane for node in nodes}
    used = [name for name in roles if name in set(lane_of.values())]
    following: dict[str, list[str]] = {}
    for edge in edges:
        following.setdefault(edge.source, []).append(edge.target)
    order: list[str] = []
    seen: set[str] = set()
    queue = [node.id for node in nodes if node.kind == "start"] or [node.id for node in nodes[:1]]
    while queue:
        current = queue.pop(0)
        if current in seen:
            continue
        seen.add(current)
        lane = lane_of.get(current)
        if lane is not None and lane not in order:
            order.append(lane)
        queue.extend(following.get(current, ()))
    order.extend(name for name in used if name not in order)
    return order


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
        remark=_ending(declaration),
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


def _stand_in(name: str, attributes: dict, phase: Phase | None, link: str | None) -> ChartNode:
    return ChartNode(
        id=f"(not shown) {name}",
        kind="elsewhere",
        title=visible(attributes["title"]),
        name=name,
        tooltip=visible(f"{name} is outside the part of the procedure drawn here" + (f", in {phase.title}" if phase else "")),
        remark=visible(f"in {phase.title}") if phase else None,
        link=link,
    )


def _lane(role: m.Role, roles: dict) -> Lane:
    members = ", ".join(_role_title(member.name, roles) for member in role.members) if role.is_group else None
    return Lane(role.name, visible(role.title or role.name), role.external, visible(members) if members else None)


def _role_title(name: str, roles: dict) -> str:
    role = roles.get(name)
    return (role.title if role is not None else None) or name


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
        ChartNode(
            "(key) words",
            "text",
            "WD: working days\n≤ within · ≥ at least\n§ paragraphs of the source\na split, join or end: in the lane\nthe flow comes from; a step or\nquestion naming no role: between lanes",
        ),
    )
    edges = (ChartEdge("(key) must", "(key) note", "notify"), ChartEdge("(key) should", "(key) handover", "sends"))
    return nodes, edges
