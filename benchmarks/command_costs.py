"""`check` and one `simulate` of the Pan-Sussex procedure beside the bare import of the libraries they stand on.

Run with `.venv/bin/python benchmarks/command_costs.py [RUNS]` (default 15). Each
command runs as a user runs it, a whole process, in turn with
`python -c "import lark, attrs, networkx, holidays"` so that the machine's drift
touches both alike. Prints each median and the ratio: what safeproc adds to the
cost of its libraries. The targets (issue 17): `check` at most 1.5x, `simulate`
at most 1.6x.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROCEDURE = "procedures/pan-sussex/cspr.proc"
SCENARIO = "procedures/pan-sussex/scenarios/01-death-abuse-notified-on-time.case"
BARE = [sys.executable, "-c", "import lark, attrs, networkx, holidays"]
COMMANDS = {
    "check cspr.proc": ([sys.executable, "-m", "repl.cli", "check", PROCEDURE], 1.5),
    "simulate one case": ([sys.executable, "-m", "repl.cli", "simulate", PROCEDURE, SCENARIO], 1.6),
}


def _once(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, capture_output=True, check=False)
    return time.perf_counter() - started


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    for label, (argv, target) in COMMANDS.items():
        _once(argv)  # the parser's cache and the file system's, warmed
        own, bare = [], []
        for _ in range(runs):
            own.append(_once(argv))
            bare.append(_once(BARE))
        median_own, median_bare = statistics.median(own), statistics.median(bare)
        ratios = sorted(a / b for a, b in zip(own, bare))
        print(
            f"{label:18} {median_own * 1000:6.0f} ms; bare imports {median_bare * 1000:5.0f} ms; "
            f"ratio of medians {median_own / median_bare:4.2f}x (pairs: min {ratios[0]:.2f}x, median {statistics.median(ratios):.2f}x); "
            f"target {target}x"
        )


if __name__ == "__main__":
    main()
