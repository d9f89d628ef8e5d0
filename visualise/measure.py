"""How readable a laid-out chart is, measured from Graphviz's own layout (`dot -Tjson`).

Three figures, so that a change to the drawing can be judged by numbers, not by eye:
- the chart's size, in inches;
- its edge crossings: places where two drawn arrows cross (arrows that share a box
  are not counted against each other, since they meet there anyway);
- the smallest text, in points, once the chart is scaled to fit an A3 page (in
  whichever orientation gives the larger print; never enlarged).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence

from attrs import frozen

# An A3 page, in points (1/72 inch).
A3_POINTS = (841.9, 1190.6)
# Points per cubic Bézier segment when an arrow is flattened to straight pieces.
CURVE_SAMPLES = 8

Point = tuple[float, float]
Segment = tuple[Point, Point]


@frozen
class ChartMeasure:
    width_inches: float
    height_inches: float
    crossings: int
    smallest_text_points: float
    smallest_text_at_a3_points: float

    def row(self) -> str:
        return (
            f"{self.width_inches:6.1f} × {self.height_inches:6.1f} in, {self.crossings:5d} crossings, "
            f"smallest text {self.smallest_text_points:g} pt ({self.smallest_text_at_a3_points:.1f} pt at A3)"
        )


def measure_layout(layout_json: bytes | str) -> ChartMeasure:
    layout = json.loads(layout_json)
    left, bottom, right, top = (float(number) for number in layout["bb"].split(","))
    width, height = right - left, top - bottom
    smallest = min(_font_sizes(layout), default=0.0)
    return ChartMeasure(
        width_inches=width / 72,
        height_inches=height / 72,
        crossings=count_crossings(_drawn_edges(layout)),
        smallest_text_points=smallest,
        smallest_text_at_a3_points=smallest * a3_scale(width, height),
    )


def a3_scale(width: float, height: float) -> float:
    """How much a picture width × height points shrinks to fit an A3 page (1 when it fits already)."""
    if width <= 0 or height <= 0:
        return 1.0
    short, long = A3_POINTS
    upright = min(short / width, long / height)
    sideways = min(long / width, short / height)
    return min(1.0, max(upright, sideways))


def _font_sizes(layout: dict) -> Iterable[float]:
    for item in (*layout.get("objects", ()), *layout.get("edges", ()), layout):
        for key in ("_ldraw_", "_hldraw_", "_tldraw_", "_draw_"):
            for operation in item.get(key, ()):
                if operation.get("op") == "F":
                    yield float(operation["size"])


def _drawn_edges(layout: dict) -> list[tuple[frozenset[int], list[Point]]]:
    """Each visible arrow as the boxes it joins and the points of its flattened curve."""
    edges = []
    for edge in layout.get("edges", ()):
        if "invis" in edge.get("style", "") or "pos" not in edge:
            continue
        edges.append((frozenset((edge["tail"], edge["head"])), _flattened(_control_points(edge["pos"]))))
    return edges


def _control_points(pos: str) -> list[Point]:
    """The B-spline's control points from an edge's `pos`, without its arrowhead end points."""
    points = []
    for part in pos.split():
        if part.startswith(("e,", "s,")):
            continue
        x, y = part.split(",")[:2]
        points.append((float(x), float(y)))
    return points


def _flattened(points: Sequence[Point]) -> list[Point]:
    if len(points) < 4:
        return list(points)
    flat = [points[0]]
    for start in range(0, len(points) - 3, 3):
        p0, p1, p2, p3 = points[start : start + 4]
        for step in range(1, CURVE_SAMPLES + 1):
            t = step / CURVE_SAMPLES
            u = 1 - t
            flat.append(
                (
                    u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                    u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
                )
            )
    return flat


def count_crossings(edges: Sequence[tuple[frozenset[int], Sequence[Point]]], cell: float = 72.0) -> int:
    """How many times two arrows cross, arrows that share an end not counted against each other.

    Pieces are bucketed in a grid of cell-sized squares, so only pieces near each
    other are compared; a crossing seen from two cells is counted once.
    """
    buckets: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    pieces: list[list[Segment]] = []
    for index, (_, points) in enumerate(edges):
        segments = [(points[i], points[i + 1]) for i in range(len(points) - 1)]
        pieces.append(segments)
        for number, (a, b) in enumerate(segments):
            for gx in range(int(min(a[0], b[0]) // cell), int(max(a[0], b[0]) // cell) + 1):
                for gy in range(int(min(a[1], b[1]) // cell), int(max(a[1], b[1]) // cell) + 1):
                    buckets[(gx, gy)].append((index, number))
    found: set[tuple[int, int, int, int]] = set()
    for members in buckets.values():
        for i, (first_edge, first_piece) in enumerate(members):
            for second_edge, second_piece in members[i + 1 :]:
                if first_edge == second_edge or edges[first_edge][0] & edges[second_edge][0]:
                    continue
                key = (first_edge, first_piece, second_edge, second_piece)
                if key in found or (second_edge, second_piece, first_edge, first_piece) in found:
                    continue
                if _segments_cross(pieces[first_edge][first_piece], pieces[second_edge][second_piece]):
                    found.add(key)
    # Two pieces of the same pair of arrows meeting at one place (a curve sampled at
    # the crossing point) count once: crossings are counted per pair of arrows and place.
    places = set()
    for first_edge, first_piece, second_edge, second_piece in found:
        x, y = _crossing_point(pieces[first_edge][first_piece], pieces[second_edge][second_piece])
        places.add((min(first_edge, second_edge), max(first_edge, second_edge), round(x / 4), round(y / 4)))
    return len(places)


def _orientation(a: Point, b: Point, c: Point) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _segments_cross(first: Segment, second: Segment) -> bool:
    """Whether two pieces cross properly (touching or overlapping in line is not crossing)."""
    a, b = first
    c, d = second
    return _orientation(a, b, c) * _orientation(a, b, d) < 0 and _orientation(c, d, a) * _orientation(c, d, b) < 0


def _crossing_point(first: Segment, second: Segment) -> Point:
    (x1, y1), (x2, y2) = first
    (x3, y3), (x4, y4) = second
    denominator = (x1 - x2) * (y3 - y4) - (y1 - y2) * (x3 - x4)
    if denominator == 0:
        return first[0]
    t = ((x1 - x3) * (y3 - y4) - (y1 - y3) * (x3 - x4)) / denominator
    return (x1 + t * (x2 - x1), y1 + t * (y2 - y1))
