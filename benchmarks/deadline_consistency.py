"""How the deadline consistency check scales: 10,000 steps and 20,000 deadlines.

Run with `.venv/bin/python benchmarks/deadline_consistency.py`. It reports the
time of Lark's parse alone, of the deadline check alone (Bellman-Ford negative
cycle detection, scale by scale and in calendar days), and their ratio: the check
should take the same order of time as the parse. The minimal windows are
computed only on demand (`check --windows`) and are timed separately here on a
small procedure.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import best_of  # noqa: E402

from grammar import get_parser  # noqa: E402
from interpreter.deadlines import check_deadlines, windows  # noqa: E402
from interpreter.pipeline import analyse_source  # noqa: E402
from interpreter.source import SourceFile  # noqa: E402
from repl.garbage_collector import collector_paused  # noqa: E402

from generate import generated_procedure  # noqa: E402


def main() -> None:
    text = generated_procedure(10_000, deadlines_per_step=2)
    analysis = analyse_source(SourceFile("generated.proc", text))
    deadlines = sum(len(getattr(node, "deadlines", ())) for node in analysis.procedure.nodes)
    assert analysis.ok, analysis.diagnostics[:3]
    with collector_paused():
        parse = best_of(2, lambda: get_parser().parse(text, start="procedure_file"))
        check = best_of(2, lambda: check_deadlines(analysis.resolved, analysis.graph))
    print(f"steps: 10,000   deadlines: {deadlines:,}")
    print(f"parse alone:           {parse:.3f}s")
    print(f"deadline check alone:  {check:.3f}s")
    print(f"check / parse:         {check / parse:.2f}")

    small = analyse_source(SourceFile("small.proc", generated_procedure(200, deadlines_per_step=2)))
    print(f"windows for 200 steps: {best_of(1, lambda: windows(small.resolved, small.graph)):.3f}s (on demand only)")


if __name__ == "__main__":
    main()
