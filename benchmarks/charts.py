"""How readable each chart of a procedure is, measured from Graphviz's own layout (`dot -Tjson`):
its size, its edge crossings, and its smallest text once printed on A3 (see visualise/measure.py).

    .venv/bin/python benchmarks/charts.py [PROC] [--dot FILE ...]

Without --dot, measures every view of PROC (the Pan-Sussex procedure by default): the
overview, the whole chart and each phase. With --dot, measures DOT files as they are
(for example the whole chart as an older safeproc drew it, to compare before and after).
"""

from __future__ import annotations

import argparse
import subprocess
import time
from pathlib import Path

from interpreter.phases import phases_of
from interpreter.pipeline import analyse_bytes
from visualise.chart import ALL, OVERVIEW, chart_for_view
from visualise.dot import to_dot
from visualise.measure import measure_layout

ROOT = Path(__file__).resolve().parent.parent


def _measured(label: str, source: str) -> None:
    started = time.perf_counter()
    layout = subprocess.run(["dot", "-Tjson"], input=source.encode("utf-8"), capture_output=True, check=True).stdout
    seconds = time.perf_counter() - started
    print(f"{label:<58} {measure_layout(layout).row()}  (laid out in {seconds:.1f} s)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("procedure", nargs="?", default=str(ROOT / "procedures/pan-sussex/cspr.proc"))
    parser.add_argument("--dot", nargs="+", default=[], metavar="FILE", help="measure these DOT files instead")
    args = parser.parse_args()
    if args.dot:
        for name in args.dot:
            _measured(Path(name).name, Path(name).read_text(encoding="utf-8"))
        return
    path = Path(args.procedure)
    analysis = analyse_bytes(path.read_bytes(), str(path))
    assert analysis.procedure is not None and analysis.graph is not None and analysis.source is not None, "the procedure has errors"
    phases = phases_of(analysis.source, analysis.procedure)
    views = ([OVERVIEW] if phases else []) + [ALL] + [phase.key for phase in phases]
    for view in views:
        _measured(view, to_dot(chart_for_view(analysis.procedure, analysis.graph, phases, view)))


if __name__ == "__main__":
    main()
