"""The colours both pictures use, so a DOT drawing and a Mermaid one look alike."""

from __future__ import annotations

INK = "#2c3e50"
DETAIL_INK = "#5d6d7e"
DETAIL_INK_ON_DARK = "#d6dee6"
DEADLINE_INK = "#1a4f9c"
ESCALATION_INK = "#c0392b"
ELSEWHERE_INK = "#5f6a6a"  # 5:1 on the stand-in's fill, for 9-point text
LANE_BORDER = "#aab7c4"
HANDOVER_INK = "#1e7a46"

FILL = {
    "decision": "#fdf2d0",
    "outcome": "#dff0e2",
    "bar": INK,
    "note": "#fbe4e1",
    "handover": "#e3f3e8",
    "elsewhere": "#f4f6f6",
    "lane": "#f3f6f9",
    "external_lane": "#fbf3ea",
}
