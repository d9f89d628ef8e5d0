"""safeproc beside a peer, SpiffWorkflow (a mature Python BPMN engine), on the same cases, one core each.

    .venv/bin/python benchmarks/peer/peer_bench.py [CASES] [REPS]

Sets up SpiffWorkflow in a virtual environment of its own in the user's cache folder
(first run only: it is a benchmark tool, never a dependency of safeproc), writes CASES
(default 10,000) Serious Incident Notification cases with gen_sin_cases.py into a
temporary folder, then runs, REPS times (default 3) and in turn, spiff_run.py in that
environment and safeproc_run.py here, each in a fresh process. Both read the same files.
The BPMN side has no working-day due dates (BPMN timers run on the wall clock), so
safeproc does more per case. Prints each side's cases per second (median of the
repetitions) and the ratio safeproc / SpiffWorkflow per repetition; and the ratio that
reading the files alone would allow, were safeproc's engine to take no time at all.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SAFEPROC_PY = ROOT / ".venv" / "bin" / "python"
SPIFF_VENV = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "safeproc-bench" / "spiff-venv"
SPIFF_PY = SPIFF_VENV / "bin" / "python"


def _spiff() -> None:
    if SPIFF_PY.exists():
        return
    print(f"setting up SpiffWorkflow in {SPIFF_VENV} (first run only)", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(SPIFF_VENV)], check=True)
    subprocess.run([str(SPIFF_PY), "-m", "pip", "install", "--quiet", "SpiffWorkflow"], check=True)


def _run(command: list[str]) -> dict:
    # One core each: the comparison is per core, whatever the machine has.
    pinned = ["taskset", "-c", "0", *command] if sys.platform == "linux" else command
    return json.loads(subprocess.run(pinned, capture_output=True, text=True, check=True).stdout)


def main() -> None:
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    _spiff()
    with tempfile.TemporaryDirectory(prefix="peer-cases-") as folder:
        subprocess.run([sys.executable, str(HERE / "gen_sin_cases.py"), str(cases), folder], check=True, stdout=subprocess.DEVNULL)
        spiff_rates, safeproc_rates, engine_ratios, reading_ratios = [], [], [], []
        for rep in range(1, reps + 1):
            spiff = _run([str(SPIFF_PY), str(HERE / "spiff_run.py"), folder, "--reps", "1", "--json"])
            ours = _run([str(SAFEPROC_PY), str(HERE / "safeproc_run.py"), str(HERE / "sin_example.proc"), folder, "--reps", "1", "--json"])
            reported = ours["e2e"]["steps_on_time_late_open_overdue"]["rapid_review_report"]
            assert spiff["e2e"]["reported"] == reported[0] + reported[1], "the two disagree on how many cases reported"
            spiff_rates.append(spiff["e2e"]["cases_per_s_median"])
            safeproc_rates.append(ours["e2e"]["cases_per_s_median"])
            engine_ratios.append(ours["engine"]["cases_per_s_median"] / spiff["fast"]["cases_per_s_median"])
            reading_ratios.append(ours["read_only"]["cases_per_s_median"] / spiff["e2e"]["cases_per_s_median"])
            print(
                f"rep {rep}: SpiffWorkflow {spiff_rates[-1]:,.0f} cases/s (read + run), fastest API {spiff['fast']['cases_per_s_median']:,.0f}/s; "
                f"safeproc {safeproc_rates[-1]:,.0f} cases/s (read + run), engine {ours['engine']['cases_per_s_median']:,.0f}/s",
                flush=True,
            )
    ratios = [ours / theirs for ours, theirs in zip(safeproc_rates, spiff_rates)]
    print(f"{cases:,} cases, one core each, median of {reps}:")
    print(f"  SpiffWorkflow  {statistics.median(spiff_rates):9,.0f} cases/s")
    print(f"  safeproc       {statistics.median(safeproc_rates):9,.0f} cases/s")
    print(f"  ratio (read + run)            median {statistics.median(ratios):5.1f}x  min {min(ratios):5.1f}x  (target 50x)")
    print(f"  ratio (engines, files in memory) median {statistics.median(engine_ratios):5.1f}x  min {min(engine_ratios):5.1f}x")
    # What reading the files alone allows: the ratio a batch whose engine took no time at all would reach.
    print(f"  ceiling (reading alone)       median {statistics.median(reading_ratios):5.1f}x  min {min(reading_ratios):5.1f}x")


if __name__ == "__main__":
    main()
