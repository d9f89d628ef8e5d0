"""How `simulate`, `test` and `trace` scale with the size of a procedure: 1,000, 10,000 and 100,000 steps.

Run with `.venv/bin/python benchmarks/command_scaling.py` (add `--sizes 1000 10000`
for a quicker run). Each command runs as a user runs it, a whole process, on a
generated procedure (benchmarks/generate.py), a case that records the first
half of its steps done with expectations on them, and a source text with every
paragraph the procedure cites. It prints the time of each command at each size
and the growth per tenfold step. The targets (issue 9): each tenfold step costs
at most 12x the time, and 100,000 steps finish in under a minute.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generated_procedure  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAFEPROC = [sys.executable, "-c", "from repl.cli import run; run()"]
GROWTH_LIMIT = 12.0
LARGEST_LIMIT_SECONDS = 60.0


def generated_case(steps: int) -> str:
    """A case in which the first half of the steps were done, 25 a working day, with expectations on two.

    Several steps a day keep even 100,000 steps inside the years the calendars know.
    """
    day = date(2024, 1, 8)
    recorded = [f"on {day.isoformat()} opened"]
    for i in range(steps // 2):
        if i % 25 == 0:
            day += timedelta(days=1 if day.weekday() < 4 else 3)
        recorded.append(f"on {day.isoformat()} step_{i} done")
    as_of = day + timedelta(days=1)
    lines = ['case "Generated case"', '  procedure "generated.proc"', f"  as of {as_of.isoformat()}", "end"]
    lines += ["facts", "  urgent is no", "  route is slow", "end", *recorded]
    lines.append("expect step_0 is done")
    lines.append(f"expect step_{steps // 2 - 1} is done")
    return "\n".join(lines) + "\n"


def generated_source(steps: int) -> str:
    """A source text holding every paragraph number the generated procedure cites, each on its own line."""
    numbers = sorted({(1 + i // 100, i % 100) for i in range(steps)})
    lines = ["Generated source", ""]
    for chapter, section in numbers:
        lines += [f"{chapter}.{section}.1", "", f"Text of paragraph {chapter}.{section}.1.", ""]
    return "\n".join(lines)


def timed(arguments: list[str]) -> float:
    started = time.perf_counter()
    finished = subprocess.run(SAFEPROC + arguments, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    # Every command must do the whole job: a refusal (a limit, P005) or a failure is not a time.
    if finished.returncode != 0:
        raise SystemExit(f"safeproc {' '.join(arguments[:1])} failed ({finished.returncode}): {finished.stderr[-800:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", type=int, default=[1_000, 10_000, 100_000])
    sizes = parser.parse_args().sizes
    times: dict[str, dict[int, float]] = {"simulate": {}, "test": {}, "trace": {}}
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            base = Path(folder) / str(size)
            base.mkdir()
            (base / "generated.proc").write_text(generated_procedure(size))
            (base / "case.case").write_text(generated_case(size))
            (base / "source.txt").write_text(generated_source(size))
            print(f"{size:>7} steps:", end="", flush=True)
            commands = {
                "simulate": ["simulate", str(base / "generated.proc"), str(base / "case.case")],
                "test": ["test", str(base / "case.case")],
                "trace": ["trace", str(base / "generated.proc"), "--source", str(base / "source.txt")],
            }
            for name, arguments in commands.items():
                times[name][size] = timed(arguments)
                print(f"  {name} {times[name][size]:7.2f} s", end="", flush=True)
            print()
    failed = False
    print()
    for name, by_size in times.items():
        growths = [by_size[b] / by_size[a] for a, b in zip(sizes, sizes[1:])]
        words = ", ".join(f"{g:.1f}x" for g in growths)
        worst = max(growths, default=0.0)
        largest = by_size[sizes[-1]]
        ok = worst <= GROWTH_LIMIT * (sizes[-1] / sizes[-2] / 10 if len(sizes) > 1 else 1) and (
            sizes[-1] < 100_000 or largest < LARGEST_LIMIT_SECONDS
        )
        failed |= not ok
        print(
            f"{name:>8}: growth per step of sizes {words} (target at most {GROWTH_LIMIT:g}x per tenfold); largest {largest:.1f} s  {'ok' if ok else 'MISSED'}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
