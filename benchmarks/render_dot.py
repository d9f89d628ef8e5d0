"""How long drawing takes safeproc itself: DOT (and Mermaid) for a generated 1,000-step procedure.

Run with `.venv/bin/python benchmarks/render_dot.py`. It prints the best of several
runs of building the chart and writing its DOT and Mermaid text, from an already
analysed procedure, so the figures are safeproc's own work; Graphviz's layout
of the DOT (`dot -Tsvg`), which takes far longer on a chart this size, is timed
once for comparison when `dot` is installed.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import best_of  # noqa: E402

from interpreter.pipeline import analyse_source  # noqa: E402
from interpreter.source import SourceFile  # noqa: E402
from visualise.chart import build_chart  # noqa: E402
from visualise.dot import to_dot  # noqa: E402
from visualise.mermaid import to_mermaid  # noqa: E402
from visualise.output import run_graphviz  # noqa: E402

from generate import generated_procedure  # noqa: E402

STEPS = 1_000
RUNS = 5


def main() -> None:
    analysis = analyse_source(SourceFile(f"generated-{STEPS}.proc", generated_procedure(STEPS)))
    assert analysis.ok, analysis.diagnostics[:3]
    procedure, graph = analysis.procedure, analysis.graph
    chart = build_chart(procedure, graph)
    source = to_dot(chart)
    print(
        f"{STEPS} steps: {len(chart.nodes)} boxes, {len(chart.edges)} arrows, {len(chart.lanes)} lanes; DOT is {len(source):,} characters"
    )
    print(f"  chart (words, lanes, key):    {best_of(RUNS, lambda: build_chart(procedure, graph)) * 1000:8.1f} ms")
    print(f"  DOT from the chart:           {best_of(RUNS, lambda: to_dot(chart)) * 1000:8.1f} ms")
    print(f"  DOT from the graph, in all:   {best_of(RUNS, lambda: to_dot(build_chart(procedure, graph))) * 1000:8.1f} ms")
    print(f"  Mermaid from the chart:       {best_of(RUNS, lambda: to_mermaid(chart)) * 1000:8.1f} ms")
    if shutil.which("dot") is not None:
        print(f"  Graphviz layout to SVG, once: {best_of(1, lambda: run_graphviz(source, 'svg')):8.1f} s")


if __name__ == "__main__":
    main()
