"""The soundness check's cost beside the rest of `check`, on the Pan-Sussex procedure and on a
generated one of about 1,000 steps with 50 decisions and 20 parallel blocks.

Prints times (best of several runs) and the ratio the issue bounds: the soundness check
may add at most the time of the parse.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import best_of  # noqa: E402

from grammar import get_parser  # noqa: E402
from interpreter.checks import CHECKS, run_checks  # noqa: E402
from interpreter.pipeline import analyse_source  # noqa: E402
from interpreter.soundness import check_soundness  # noqa: E402
from interpreter.source import SourceFile  # noqa: E402
from repl.garbage_collector import collector_paused  # noqa: E402

from generate import structured_procedure  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def measure(name: str, text: str, runs: int) -> None:
    source = SourceFile(name, text)
    analysis = analyse_source(source)
    assert analysis.ok and analysis.resolved is not None and analysis.graph is not None, analysis.diagnostics[:3]
    without = tuple(check for check in CHECKS if check.name != "soundness")
    with collector_paused():
        parse = best_of(runs, lambda: get_parser().parse(text, start="procedure_file"))
        whole = best_of(runs, lambda: analyse_source(source))
        other_checks = best_of(runs, lambda: run_checks(analysis.resolved, analysis.graph, without))
        soundness = best_of(runs, lambda: check_soundness(analysis.resolved, analysis.graph))
    print(f"{name}: {text.count(chr(10)):,} lines")
    print(f"  parse alone              {parse:8.3f}s")
    print(f"  check, whole             {whole:8.3f}s")
    print(f"  check without soundness  {whole - soundness:8.3f}s   (the other checks alone: {other_checks:.3f}s)")
    print(f"  soundness check          {soundness:8.3f}s   = {soundness / parse:.2f} x the parse (bound: 1.0)")


def main() -> None:
    measure("pan-sussex/cspr.proc", (ROOT / "procedures/pan-sussex/cspr.proc").read_text(encoding="utf-8"), runs=5)
    measure("generated (1,000 steps, 50 decisions, 20 parallel blocks)", structured_procedure(), runs=3)


if __name__ == "__main__":
    main()
