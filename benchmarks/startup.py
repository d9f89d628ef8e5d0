"""How long safeproc takes to start, against the 50 ms of its own the issue allows: commands
that read no procedure (`--version`, `explain P102`) timed as whole processes, beside
`python -c pass` run in turn with them (so that the machine's drift touches both alike).
Prints each one's median, the bare interpreter's, and the difference: safeproc's own start-up.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOUND = 0.050
RUNS = 21
COMMANDS = {
    "safeproc --version": [sys.executable, "-m", "repl.cli", "--version"],
    "safeproc explain P102": [sys.executable, "-m", "repl.cli", "explain", "P102"],
}
BARE = [sys.executable, "-c", "pass"]


def _once(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, capture_output=True, check=True)
    return time.perf_counter() - started


def main() -> None:
    for label, argv in COMMANDS.items():
        own, bare = [], []
        for _ in range(RUNS):  # in turn, so that a busy moment slows both
            own.append(_once(argv))
            bare.append(_once(BARE))
        median_own, median_bare = statistics.median(own), statistics.median(bare)
        extra = median_own - median_bare
        verdict = "within" if extra < BOUND else "OVER"
        print(
            f"{label:24} {median_own * 1000:6.1f} ms; python -c pass {median_bare * 1000:5.1f} ms; "
            f"safeproc's own {extra * 1000:5.1f} ms ({verdict} {BOUND * 1000:.0f} ms), ratio {median_own / median_bare:4.1f}x"
        )


if __name__ == "__main__":
    main()
