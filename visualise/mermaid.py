"""A chart as a Mermaid flowchart (`.mmd`), for pages that render Mermaid.

It says what the DOT picture says, with Mermaid's means: a subgraph per role,
the same shapes where Mermaid has them, duties as border weight and dashes,
escalations as dotted red links. Mermaid cannot draw a double border, so a
`should` step says "should" in its label, as every duty does.

Labels are always quoted, and the characters that mean something to Mermaid or
to the HTML it makes (`"`, `#`, `&`, `<`, `>`, `|`, `%` of a comment, a backtick,
and a backslash, since Mermaid reads `\n` as a line break) are written as Mermaid's
entity codes, so no title can end a label early, break a line or inject markup.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from visualise.chart import Chart, ChartEdge, ChartNode, Lane, require_direction
from visualise.style import ELSEWHERE_INK, ESCALATION_INK, FILL, HANDOVER_INK, LANE_BORDER

# Opening and closing brackets of each kind's shape.
_SHAPES = {
    "step": ('["', '"]'),
    "decision": ('{"', '"}'),
    "outcome": ('(["', '"])'),
    "parallel": ('["', '"]'),
    "join": ('["', '"]'),
    "note": ('>"', '"]'),
    "handover": ('[/"', '"/]'),
    "start": ('(("', '"))'),
    "elsewhere": ('["', '"]'),
    "text": ('["', '"]'),
    "phase": ('("', '")'),
}

_CLASS_STYLES = {
    "must": "stroke-width:3px",
    "should": "stroke-width:1.5px",
    "may": "stroke-width:1.5px,stroke-dasharray:6 3",
    "decision": f"fill:{FILL['decision']}",
    "outcome": f"fill:{FILL['outcome']}",
    "bar": f"fill:{FILL['bar']},color:#ffffff",
    "note": f"fill:{FILL['note']},stroke:{ESCALATION_INK}",
    "handover": f"fill:{FILL['handover']},stroke:{HANDOVER_INK}",
    "start": f"fill:{FILL['bar']},color:#ffffff",
    "elsewhere": f"fill:{FILL['elsewhere']},stroke:{ELSEWHERE_INK},color:{ELSEWHERE_INK},stroke-dasharray:2 2",
    "text": "fill:none,stroke:none",
    "phase": f"fill:{FILL['lane']},stroke-width:1.5px",
}
_KIND_CLASSES = {
    "decision": "decision",
    "outcome": "outcome",
    "parallel": "bar",
    "join": "bar",
    "note": "note",
    "handover": "handover",
    "start": "start",
    "elsewhere": "elsewhere",
    "text": "text",
    "phase": "phase",
}

_ESCALATION_KINDS = ("escalation", "notify")

_ENTITIES = {'"': "#quot;", "#": "#35;", "&": "#amp;", "<": "#lt;", ">": "#gt;", "`": "#96;", "|": "#124;", "%": "#37;", "\\": "#92;"}


def to_mermaid(chart: Chart, lanes: bool = True, direction: str = "TB") -> str:
    """The chart as Mermaid flowchart source: a subgraph per role (unless lanes is false), TB or LR."""
    require_direction(direction)
    ids = _mermaid_ids(chart)
    # Front matter is YAML, and a JSON string is a YAML double-quoted string.
    lines = ["---", f"title: {json.dumps(chart.title, ensure_ascii=False)}", "---", f"flowchart {direction}"]
    if lanes:
        for lane in chart.lanes:
            lines.append(f'  subgraph lane_{lane.name}["{_lane_label(lane)}"]')
            lines.extend("    " + _node(node, ids, show_who=False) for node in chart.nodes_in(lane.name))
            lines.append("  end")
        lines.extend("  " + _node(node, ids, show_who=False) for node in chart.nodes_in(None))
    else:
        lines.extend("  " + _node(node, ids, show_who=True) for node in chart.nodes)
    lines.append('  subgraph key["Key"]')
    lines.extend("    " + _node(node, ids, show_who=False) for node in chart.key_nodes)
    lines.append("  end")
    edges = chart.edges + chart.key_edges
    lines.extend("  " + _edge(edge, ids) for edge in edges)
    lines.extend(f"  classDef {name} {style}" for name, style in _CLASS_STYLES.items())
    for class_name in _CLASS_STYLES:
        members = [ids[node.id] for node in chart.nodes + chart.key_nodes if class_name in _classes(node)]
        if members:
            lines.append(f"  class {','.join(members)} {class_name}")
    escalations = [str(index) for index, edge in enumerate(edges) if edge.kind in _ESCALATION_KINDS]
    if escalations:
        lines.append(f"  linkStyle {','.join(escalations)} stroke:{ESCALATION_INK},color:{ESCALATION_INK}")
    handovers = [str(index) for index, edge in enumerate(edges) if edge.kind == "sends"]
    if handovers:
        lines.append(f"  linkStyle {','.join(handovers)} stroke:{HANDOVER_INK},color:{HANDOVER_INK}")
    for lane in chart.lanes if lanes else ():
        fill = FILL["external_lane"] if lane.external else FILL["lane"]
        dashes = ",stroke-dasharray:6 3" if lane.external else ""
        lines.append(f"  style lane_{lane.name} fill:{fill},stroke:{LANE_BORDER}{dashes}")
    lines.append(f"  style key fill:#ffffff,stroke:{LANE_BORDER}")
    # A link is a URL safeproc made (a file name and a fragment); quotes are percent-encoded all the same.
    lines.extend(f'  click {ids[node.id]} href "{quote(node.link, safe="/#.-_~:")}"' for node in chart.nodes if node.link)
    return "\n".join(lines) + "\n"


def _mermaid_ids(chart: Chart) -> dict[str, str]:
    """Mermaid ids: `s_` and the name for declarations, `x` and a number for the rest.

    The prefix keeps a name such as `end` or `style`, which Mermaid reads as a
    keyword, from breaking the chart; numbering the rest keeps them distinct.
    """
    ids = {node.id: f"s_{node.id}" for node in chart.nodes if node.id == node.name}
    others = [node.id for node in chart.nodes + chart.key_nodes if node.id not in ids]
    ids.update((node_id, f"x{number}") for number, node_id in enumerate(others, start=1))
    return ids


def _node(node: ChartNode, ids: dict[str, str], show_who: bool) -> str:
    opening, closing = _SHAPES[node.kind]
    return f"{ids[node.id]}{opening}{_node_label(node, show_who)}{closing}"


def _node_label(node: ChartNode, show_who: bool) -> str:
    parts = [_escape(node.title)]
    small = " · ".join(_escape(part) for part in (node.name, node.duty, node.cites) if part)
    if small:
        parts.append(f"<small>{small}</small>")
    if show_who and node.who:
        parts.append(f"<small>{_escape(node.who)}</small>")
    parts.extend(f"<b>{_escape(deadline)}</b>" for deadline in node.deadlines)
    if node.remark:
        parts.append(f"<i>{_escape(node.remark)}</i>")
    return "<br/>".join(parts)


def _lane_label(lane: Lane) -> str:
    parts = [_escape(lane.title)]
    if lane.external:
        parts.append("<small>outside the partnership</small>")
    if lane.members:
        parts.append(f"<small>{_escape(lane.members)}</small>")
    return "<br/>".join(parts)


def _classes(node: ChartNode) -> tuple[str, ...]:
    return tuple(name for name in (_KIND_CLASSES.get(node.kind), node.duty) if name)


def _edge(edge: ChartEdge, ids: dict[str, str]) -> str:
    arrow = "-.->" if edge.kind in _ESCALATION_KINDS else "-->"
    label = f'|"{_escape(edge.label)}"|' if edge.label else ""
    return f"{ids[edge.source]} {arrow}{label} {ids[edge.target]}"


def _escape(text: str) -> str:
    """Text for inside a quoted Mermaid label: special characters as entity codes, line breaks as <br/>."""
    return "".join(_ENTITIES.get(ch, ch) for ch in text).replace("\n", "<br/>")
