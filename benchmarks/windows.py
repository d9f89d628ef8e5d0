"""How `check --windows` grows with the procedure: a chain of N steps, each counting from the one before
(one clock per step), from 100 to 1,600 steps. Prints each size's time, and the factor per doubling:
about 2 is linear growth, 8 cubic (as the search from every clock to every step once was).

    .venv/bin/python benchmarks/windows.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import best_of  # noqa: E402

from interpreter.deadlines import windows  # noqa: E402
from interpreter.pipeline import analyse_source  # noqa: E402
from interpreter.source import SourceFile  # noqa: E402

from generate import generated_procedure  # noqa: E402


def main() -> None:
    previous = None
    for steps in (100, 200, 400, 800, 1_600):
        analysis = analyse_source(SourceFile("chain.proc", generated_procedure(steps)))
        assert analysis.ok, analysis.diagnostics[:3]
        resolved, graph = analysis.resolved, analysis.graph
        seconds = best_of(2, lambda: windows(resolved, graph))  # noqa: B023 - run before the loop moves on
        noted = len(windows(resolved, graph))
        growth = f"  ×{seconds / previous:.1f} for twice the steps" if previous else ""
        print(f"{steps:>6} steps: {seconds:7.3f} s, {noted:,} windows noted{growth}", flush=True)
        previous = seconds


if __name__ == "__main__":
    main()
