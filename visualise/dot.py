"""A chart as Graphviz DOT, through the `graphviz` package.

Every label is an HTML-like label built from escaped text, and every tooltip a
plain escString escaped for Graphviz, so no title can break the DOT or the SVG
made from it. The output is byte-stable: it follows the chart's order, which is
the file's.

What the picture shows:
- a lane (cluster) per role that has something in it, titled with its full title;
  external roles' lanes are dashed and tinted, a group's lane lists its members;
- steps are boxes, decisions diamonds, outcomes rounded boxes, parallel splits and
  joins dark bars; under each title, small, the name, duty and citation, and the
  deadlines in blue;
- the duty is in the border: must thick, should double, may dashed, none thin;
- what a step sends goes by a green arrow to a tab in the receiving role's lane;
- escalations are dashed red arrows, to the step escalated to, or to a red note
  naming the role notified and what it is told; a grey dotted box stands for a
  step outside the slice drawn.
"""

from __future__ import annotations

import html
import textwrap
from collections import Counter, deque
from collections.abc import Iterable

import graphviz

from visualise.chart import Chart, ChartEdge, ChartNode, Lane, require_direction
from visualise.style import (
    DEADLINE_INK,
    DETAIL_INK,
    DETAIL_INK_ON_DARK,
    ELSEWHERE_INK,
    ESCALATION_INK,
    FILL,
    HANDOVER_INK,
    INK,
    LANE_BORDER,
)

FONT = "Helvetica,Arial,sans-serif"

# Characters per line before a title wraps; diamonds grow fast with width.
WRAP = {"decision": 24, "parallel": 40, "join": 40, "phase": 36}
DEFAULT_WRAP = 30
# The small line of name, duty and citation breaks only between its parts.
SMALL_WRAP = {"decision": 26, "phase": 60}
DEFAULT_SMALL_WRAP = 50
LABEL_WRAP = 30
# A lane is as wide as its heading: long role titles wrap rather than widen every lane.
LANE_TITLE_WRAP = 28
KEY_ROW_LENGTH = 4

_BAR = {"shape": "box", "fillcolor": FILL["bar"], "fontcolor": "white", "fontsize": "9", "height": "0.2", "margin": "0.3,0.02"}
_SHAPES = {
    "step": {"shape": "box"},
    "decision": {"shape": "diamond", "fillcolor": FILL["decision"], "margin": "0.02"},
    "outcome": {"shape": "box", "style": "rounded,filled", "fillcolor": FILL["outcome"]},
    "parallel": _BAR,
    "join": _BAR,
    "note": {"shape": "note", "fillcolor": FILL["note"], "color": ESCALATION_INK, "fontsize": "10"},
    "handover": {"shape": "tab", "fillcolor": FILL["handover"], "color": HANDOVER_INK, "fontsize": "10"},
    "start": {"shape": "oval", "fillcolor": FILL["bar"], "fontcolor": "white", "fontsize": "9", "height": "0.3", "margin": "0.05,0.02"},
    "elsewhere": {
        "shape": "box",
        "style": "dotted,filled",
        "fillcolor": FILL["elsewhere"],
        "color": ELSEWHERE_INK,
        "fontcolor": ELSEWHERE_INK,
        "fontsize": "9",
    },
    "text": {"shape": "plaintext", "style": "", "fontsize": "9"},
    "phase": {"shape": "box", "style": "rounded,filled", "fillcolor": FILL["lane"], "penwidth": "1.5", "margin": "0.2,0.1"},
}

_DARK_KINDS = ("parallel", "join", "start")

# The duty is drawn in the border, so that it survives printing in black and white.
_DUTY_BORDERS = {
    "must": {"penwidth": "3"},
    "should": {"peripheries": "2"},
    "may": {"style": "dashed,filled", "penwidth": "1.5"},
}

_LEFT_BREAK = '<BR ALIGN="LEFT"/>'

# An escalation does not shape the layout, except that a note hangs below its step.
_EDGE_STYLES = {
    "flow": {},
    "start": {},
    "escalation": {"style": "dashed", "color": ESCALATION_INK, "constraint": "false"},
    "notify": {"style": "dashed", "color": ESCALATION_INK},
    "sends": {"color": HANDOVER_INK, "arrowhead": "empty"},
}
_LABEL_INK = {"escalation": ESCALATION_INK}


def to_dot(chart: Chart, lanes: bool = True, direction: str = "TB") -> str:
    """The chart as DOT source: a lane per role (unless lanes is false), laid out top to bottom (TB) or left to right (LR)."""
    require_direction(direction)
    dot = graphviz.Digraph(name="procedure")
    dot.attr(
        "graph",
        label=_html_title(chart),
        labelloc="t",
        fontname=FONT,
        fontsize="18",
        tooltip=_plain(chart.title),
        rankdir=direction,
        newrank="true",
        nodesep="0.3",
        ranksep="0.45",
        pad="0.3",
        bgcolor="white",
    )
    dot.attr(
        "node", fontname=FONT, fontsize="11", shape="box", style="filled", fillcolor="white", color=INK, fontcolor=INK, margin="0.12,0.06"
    )
    dot.attr("edge", color=INK, arrowsize="0.7")
    lane_of = {node.id: node.lane for node in chart.nodes} if lanes else {}
    ends = {node.id for node in chart.nodes} - {edge.source for edge in chart.edges}
    for lane in chart.lanes if lanes else ():
        with dot.subgraph(name=f"cluster {lane.name}") as cluster:
            _add_lane(cluster, lane, chart.nodes_in(lane.name), ends)
            _add_edge_labels(cluster, (edge for edge in chart.edges if lane_of[edge.source] == lane.name))
    if lanes and chart.lanes:
        _align_lanes(dot, chart.lanes, direction)
    for node in chart.nodes_in(None) if lanes else chart.nodes:
        _add_node(dot, node, show_who=not lanes)
    _add_edge_labels(dot, (edge for edge in chart.edges if lane_of.get(edge.source) is None))
    for edge in chart.edges:
        _add_edge(dot, edge)
    if direction == "TB" and not (lanes and chart.lanes):
        _set_pieces_in_rows(dot, chart)
    _add_key(dot, chart, direction)
    return dot.source


def _html_title(chart: Chart) -> str:
    subtitle = f'<BR/><FONT POINT-SIZE="10" COLOR="{DETAIL_INK}">{_html(chart.subtitle)}</FONT>' if chart.subtitle else ""
    return f"<<B>{_html(chart.title)}</B>{subtitle}>"


def _add_lane(cluster: graphviz.Digraph, lane: Lane, nodes: tuple[ChartNode, ...], ends: set[str]) -> None:
    """A lane: its nodes, and a heading that is a node of its own beside the lane's first box.

    Graphviz draws arrows straight across a cluster's label but routes them round
    nodes. An invisible arrow of length 0 keeps the heading on the first box's rank;
    a heading on the rank above it made Graphviz route more arrows through boxes.
    """
    cluster.attr(
        label="",
        tooltip=_plain(lane.title),
        style="rounded,filled" + (",dashed" if lane.external else ""),
        fillcolor=FILL["external_lane"] if lane.external else FILL["lane"],
        color=LANE_BORDER,
        margin="10",
    )
    small = ["outside the partnership"] if lane.external else []
    if lane.members:
        small.extend(_wrapped(lane.members, 40).split("\n"))
    lines = [f'<FONT POINT-SIZE="12"><B>{_html(line)}</B></FONT>' for line in _wrapped(lane.title, LANE_TITLE_WRAP).split("\n")]
    lines.extend(f'<FONT POINT-SIZE="9" COLOR="{DETAIL_INK}">{_html(line)}</FONT>' for line in small)
    heading = f"(lane) {lane.name}"
    cluster.node(
        heading,
        # Each line ends with a left-aligned break, so the lines sit flush left.
        label="<" + "".join(line + _LEFT_BREAK for line in lines) + ">",
        shape="plaintext",
        style="",
        margin="0",
        tooltip=_plain(lane.title),
    )
    for node in nodes:
        _add_node(cluster, node, show_who=False)
        if node.id in ends:
            cluster.edge(node.id, _lane_foot(lane), style="invis", weight="0")
    cluster.node(_lane_foot(lane), label="", shape="point", style="invis", width="0", height="0")


def _lane_foot(lane: Lane) -> str:
    return f"(lane foot) {lane.name}"


def _align_lanes(dot: graphviz.Digraph, lanes: tuple[Lane, ...], direction: str) -> None:
    """Lanes as bands side by side in a fixed order, each from the chart's first rank to its last.

    Every lane's heading sits on the first rank and an invisible foot on the last,
    each above or below all the lane's boxes; invisible arrows between neighbouring
    headings (and feet) keep the lanes in the order given.
    """
    # The feet share a rank, and every box that leads nowhere has an invisible arrow down to
    # its lane's foot, so the feet sit below everything (`rank=max` alone does not hold in a cluster).
    for anchor, rank in ((lambda lane: f"(lane) {lane.name}", "min"), (_lane_foot, "same")):
        with dot.subgraph() as row:
            row.attr(rank=rank)
            ids = [anchor(lane) for lane in lanes]
            ordered = ids if direction == "TB" else ids[::-1]
            for first, second in zip(ordered, ordered[1:]):
                row.edge(first, second, style="invis")


# Rough sizes of a box across and of a rank down, in inches, to choose how many rows the
# pieces of a chart are set in; and the page they are fitted to (A3, either way round).
_BOX_ACROSS, _RANK_DOWN = 2.6, 0.75
_PAGE = (16.5, 11.7)


def _set_pieces_in_rows(dot: graphviz.Digraph, chart: Chart) -> None:
    """Where a chart drawn without lanes falls into pieces with no arrow between them (the ends
    of a procedure, each with the steps that lead to it), Graphviz sets them all in one row,
    far too wide to print; here they are set in rows, in the chart's order, as many as fit
    the page best. An invisible point under each row, with invisible arrows from the ends of
    the row's pieces down to it and from it to the starts of the next row's, holds each row
    below the one before; nothing drawn changes.
    """
    pieces = _pieces(chart)
    if len(pieces) < 3:
        return
    following: dict[str, list[tuple[str, int]]] = {}  # an arrow with words takes two ranks, one for the words
    for edge in chart.edges:
        following.setdefault(edge.source, []).append((edge.target, 2 if edge.label else 1))
    sizes = [_size_in_boxes(piece, following) for piece in pieces]
    if max(across for across, _ in sizes) * 2 > sum(across for across, _ in sizes):
        return  # one piece is most of the width, whatever the rows: Graphviz fits the small ones around it better
    # The fewest rows that fit best: max keeps the first of equals. Rows are kept only where the
    # sizes, guessed from counts of boxes, promise much: a guess that promises little may lose.
    rows = max((_rows_for(sizes, count) for count in range(1, len(pieces) + 1)), key=lambda rows: _scale_on_page(rows, sizes))
    if len(rows) == 1 or _scale_on_page(rows, sizes) < 1.5 * _scale_on_page([list(range(len(pieces)))], sizes):
        return
    leading = {edge.target for edge in chart.edges}
    ending = {edge.source for edge in chart.edges}
    for number, (row, below) in enumerate(zip(rows, rows[1:])):
        gap = f"(row gap) {number}"
        dot.node(gap, label="", shape="point", style="invis", width="0", height="0")
        for place in row:
            for node in pieces[place]:
                if node not in ending:
                    dot.edge(node, gap, style="invis", weight="0")
        for place in below:
            for node in pieces[place]:
                if node not in leading:
                    dot.edge(gap, node, style="invis", weight="0")


def _pieces(chart: Chart) -> list[list[str]]:
    """The chart's boxes in pieces joined by arrows (either way), each in the chart's order, the pieces in the order of their first box."""
    piece_of: dict[str, int] = {}
    neighbours: dict[str, list[str]] = {node.id: [] for node in chart.nodes}
    for edge in chart.edges:
        neighbours[edge.source].append(edge.target)
        neighbours[edge.target].append(edge.source)
    pieces: list[list[str]] = []
    for node in chart.nodes:
        if node.id in piece_of:
            continue
        piece_of[node.id] = len(pieces)
        waiting = [node.id]
        while waiting:
            for neighbour in neighbours[waiting.pop()]:
                if neighbour not in piece_of:
                    piece_of[neighbour] = len(pieces)
                    waiting.append(neighbour)
        pieces.append([])
    for node in chart.nodes:
        pieces[piece_of[node.id]].append(node.id)
    return pieces


def _size_in_boxes(piece: list[str], following: dict[str, list[tuple[str, int]]]) -> tuple[int, int]:
    """About how many boxes across and ranks down a piece takes: its boxes by their depth from
    its starts (following: where each box's arrows go, and how many ranks each takes)."""
    targets = {target for node in piece for target, _ in following.get(node, ())}
    depth = {node: 0 for node in piece if node not in targets} or {piece[0]: 0}
    waiting = deque(depth)
    while waiting:  # breadth first: each box at the depth it is first reached, so a loop ends
        node = waiting.popleft()
        for target, ranks in following.get(node, ()):
            if target not in depth:
                depth[target] = depth[node] + ranks
                waiting.append(target)
    return max(Counter(depth.values()).values()), max(depth.values()) + 1


def _rows_for(sizes: list[tuple[int, int]], count: int) -> list[list[int]]:
    """The pieces (by place) in at most count rows, in order, each row about as wide as the others."""
    target = sum(across for across, _ in sizes) / count
    rows: list[list[int]] = [[]]
    width = 0
    for place, (across, _) in enumerate(sizes):
        if rows[-1] and width + across / 2 > target and len(rows) < count:
            rows.append([])
            width = 0
        rows[-1].append(place)
        width += across
    return rows


def _scale_on_page(rows: list[list[int]], sizes: list[tuple[int, int]]) -> float:
    """About how much the chart with its pieces in these rows is shrunk to fit the page, either way round (larger is better)."""
    across = max(sum(sizes[place][0] for place in row) for row in rows) * _BOX_ACROSS
    down = (sum(max(sizes[place][1] for place in row) for row in rows) + len(rows) - 1) * _RANK_DOWN
    wide, high = _PAGE
    return max(min(wide / across, high / down), min(high / across, wide / down))


def _add_node(dot: graphviz.Digraph, node: ChartNode, show_who: bool) -> None:
    attributes = dict(_SHAPES[node.kind])
    attributes.update(_DUTY_BORDERS.get(node.duty or "", {}))
    attributes["tooltip"] = _plain(node.tooltip or node.title)
    if node.link:
        # The graphviz package escapes quotes; `href` in SVG is a URL, never markup.
        attributes["URL"] = _plain(node.link)
        attributes["target"] = "_top"
    dot.node(node.id, label=_node_label(node, show_who), **attributes)


def _node_label(node: ChartNode, show_who: bool) -> str:
    title = _html(_wrapped(node.title, WRAP.get(node.kind, DEFAULT_WRAP)))
    lines = [f'<FONT POINT-SIZE="13"><B>{title}</B></FONT>' if node.kind == "phase" else title]
    detail_ink = DETAIL_INK_ON_DARK if node.kind in _DARK_KINDS else DETAIL_INK
    small = _packed([part for part in (node.name, node.duty, node.cites) if part], SMALL_WRAP.get(node.kind, DEFAULT_SMALL_WRAP))
    if small:
        lines.append(f'<FONT POINT-SIZE="9" COLOR="{detail_ink}">{_html(small)}</FONT>')
    if show_who and node.who:
        lines.append(f'<FONT POINT-SIZE="9" COLOR="{detail_ink}">{_html(_wrapped(node.who, DEFAULT_WRAP + 10))}</FONT>')
    deadlines = (_wrapped(deadline, SMALL_WRAP["phase"]) for deadline in node.deadlines) if node.kind == "phase" else node.deadlines
    lines.extend(f'<FONT POINT-SIZE="9" COLOR="{DEADLINE_INK}"><B>{_html(deadline)}</B></FONT>' for deadline in deadlines)
    if node.remark:
        lines.append(f'<FONT POINT-SIZE="9" COLOR="{detail_ink}"><I>{_html(node.remark)}</I></FONT>')
    return "<" + "<BR/>".join(lines) + ">"


def _add_edge_labels(dot: graphviz.Digraph, edges: Iterable[ChartEdge]) -> None:
    """The words of labelled arrows, as small nodes that the arrows pass through.

    With newrank, Graphviz can set an edge's own label on top of a box in a
    cluster; a node is never overlapped. Each sits in its arrow's source lane.
    """
    for edge in edges:
        if edge.label:
            dot.node(
                _label_id(edge),
                label=f"<{_html(_wrapped(edge.label, LABEL_WRAP))}>",
                shape="plaintext",
                style="",
                fontsize="9",
                fontcolor=_LABEL_INK.get(edge.kind, INK),
                margin="0.04,0.02",
                height="0",
                tooltip=_plain(edge.label),
            )


def _add_edge(dot: graphviz.Digraph, edge: ChartEdge) -> None:
    attributes = _EDGE_STYLES[edge.kind]
    if edge.weight != 1:
        attributes = {**attributes, "weight": str(edge.weight), "penwidth": str(min(1 + edge.weight / 4, 3))}
    if not edge.label:
        dot.edge(edge.source, edge.target, **attributes)
        return
    # The label sits just below its source, whatever the rest of the arrow does.
    dot.edge(edge.source, _label_id(edge), **{**attributes, "arrowhead": "none", "constraint": "true"})
    dot.edge(_label_id(edge), edge.target, **attributes)


def _label_id(edge: ChartEdge) -> str:
    return f"(label) {edge.source} {edge.target}"


def _add_key(dot: graphviz.Digraph, chart: Chart, direction: str) -> None:
    with dot.subgraph(name="cluster (key)") as key:
        key.attr(
            label="<<B>Key</B>>",
            labeljust="l",
            fontname=FONT,
            fontsize="12",
            fontcolor=INK,
            style="rounded",
            color=LANE_BORDER,
            margin="10",
        )
        for node in chart.key_nodes:
            _add_node(key, node, show_who=False)
        _add_edge_labels(key, chart.key_edges)
        for edge in chart.key_edges:
            _add_edge(key, edge)
        # A compact grid in the chart's first ranks: a column would stretch down the
        # whole chart, since every rank is as tall as its tallest box.
        ids = [node.id for node in chart.key_nodes]
        rows = [ids[start : start + KEY_ROW_LENGTH] for start in range(0, len(ids), KEY_ROW_LENGTH)]
        linked = {(edge.source, edge.target) for edge in chart.key_edges}
        for row in rows:
            with key.subgraph() as same_rank:
                same_rank.attr(rank="same")
                # Left to right, Graphviz stacks a chain within a rank from the bottom up,
                # so the chain is reversed to keep the key reading from its top.
                ordered = row if direction == "TB" else row[::-1]
                for first, second in zip(ordered, ordered[1:]):
                    same_rank.edge(first, second, style="invis")
        for row, next_row in zip(rows, rows[1:]):
            for upper, lower in zip(row, next_row):
                if (upper, lower) not in linked:
                    key.edge(upper, lower, style="invis")


def _wrapped(text: str, width: int) -> str:
    """Text broken into lines of about width characters; the author's own line breaks are kept."""
    # Words are never split, at hyphens or otherwise, so the picture shows each word as written.
    lines = (textwrap.wrap(paragraph, width, break_long_words=False, break_on_hyphens=False) or [""] for paragraph in text.split("\n"))
    return "\n".join(line for paragraph_lines in lines for line in paragraph_lines)


def _packed(parts: list[str], width: int) -> str:
    """Parts joined by " · ", as many to a line as fit in width characters (a part too long has a line of its own)."""
    lines: list[str] = []
    for part in parts:
        if lines and len(lines[-1]) + len(" · ") + len(part) <= width:
            lines[-1] += " · " + part
        else:
            lines.append(part)
    return "\n".join(lines)


def _html(text: str) -> str:
    """Text for inside an HTML-like label: markup characters escaped, line breaks as <BR/>."""
    return html.escape(text, quote=True).replace("\n", "<BR/>")


def _plain(text: str) -> str:
    """Text for a plain escString attribute (a tooltip): backslashes literal, line breaks as \\n.

    The graphviz package escapes the double quotes; nohtml stops a text that happens
    to start with < and end with > being taken for an HTML-like label.
    """
    return graphviz.nohtml(text.replace("\\", "\\\\").replace("\n", "\\n"))
