"""Simulating many cases in one batch: cases per second and peak memory.

Run with `.venv/bin/python benchmarks/simulate_batch.py [CASES]` (default 100,000).
It generates CASES case files for the Pan-Sussex procedure in a temporary folder
(random facts; the steps and decisions the facts lead to, done at random
intervals: about ten happenings a case), then times `safeproc simulate PROC FOLDER --summary` run in
this process, and reports cases per second and the peak resident memory, of this
process and of the largest worker process. A first run on a tenth of the cases
shows whether memory grows with their number.
Last, the large batch is run as a user runs it, a command in a new process.
"""

from __future__ import annotations

import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from interpreter import model as m  # noqa: E402
from interpreter.conditions import evaluate  # noqa: E402
from interpreter.pipeline import analyse_bytes  # noqa: E402
from repl.cli import main as safeproc  # noqa: E402

PROCEDURE = ROOT / "procedures" / "pan-sussex" / "cspr.proc"


def random_case(procedure: m.Procedure, graph, rng: random.Random, index: int) -> str:
    facts = {}
    for fact in procedure.facts:
        if fact.type == "boolean":
            facts[fact.name] = rng.random() < 0.6
        elif fact.type == "choice":
            facts[fact.name] = rng.choice(fact.choices).name
        else:
            facts[fact.name] = rng.randint(0, 30)
    start = date(2024, 1, 1) + timedelta(days=rng.randint(0, 700))
    lines = [f'case "Generated case {index}"', "  as of 2026-06-30", "end", "facts"]
    lines += [f"  {name} is {_word(value)}" for name, value in facts.items()]
    lines.append("end")
    lines += [f"on {start.isoformat()} {event.name}" for event in procedure.events]
    happenings = len(procedure.events)
    when = start
    frontier = [graph.graph["start"]]
    seen = set()
    while frontier and happenings < 12:
        name = frontier.pop(0)
        if name in seen:
            continue
        seen.add(name)
        node = graph.nodes[name]["declaration"]
        if isinstance(node, m.Decision):
            # Decisions are dated too, as a case review group records them.
            when += timedelta(days=rng.randint(0, 3))
            lines.append(f"on {when.isoformat()} {name} done")
            happenings += 1
            target = next(
                (b.target.name for b in node.branches if evaluate(b.guard, facts)[0]), node.otherwise.name if node.otherwise else None
            )
            frontier += [target] if target else []
        elif isinstance(node, m.Step):
            when += timedelta(days=rng.randint(0, 9))
            lines.append(f"on {when.isoformat()} {name} done")
            happenings += 1
            frontier += list(graph.successors(name))
        else:
            frontier += [t for t, data in graph.succ[name].items() if data["kind"] != "escalation"]
    return "\n".join(lines) + "\n"


def _word(value) -> str:
    return {True: "yes", False: "no"}.get(value, str(value)) if isinstance(value, bool) else str(value)


def generate(folder: Path, count: int) -> int:
    analysis = analyse_bytes(PROCEDURE.read_bytes(), str(PROCEDURE))
    assert analysis.ok, [d.message for d in analysis.diagnostics if d.is_error]
    rng = random.Random(20261129)
    events = 0
    for index in range(count):
        text = random_case(analysis.procedure, analysis.graph, rng, index)
        events += text.count("\non ")
        (folder / f"case-{index:06d}.case").write_text(text)
    return events


def timed_summary(folder: Path) -> float:
    started = time.perf_counter()
    code = safeproc(["simulate", str(PROCEDURE), str(folder), "--summary"])
    elapsed = time.perf_counter() - started
    assert code == 0
    return elapsed


def timed_command(folder: Path) -> float:
    """The same summary as a user runs it: a new process, Python's start-up and the procedure's analysis included."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "repl.cli", "simulate", str(PROCEDURE), str(folder), "--summary"],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def peak_mb() -> tuple[float, float]:
    """The peak memory of this process, and of the largest worker process that has ended (a batch's workers end with it)."""
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    folder = Path(tempfile.mkdtemp(prefix="safeproc-batch-"))
    try:
        small = folder / "small"
        large = folder / "large"
        small.mkdir()
        large.mkdir()
        print(f"generating {count // 10:,} and {count:,} cases ...", file=sys.stderr)
        generate(small, count // 10)
        events = generate(large, count)
        small_time = timed_summary(small)
        after_small = peak_mb()
        large_time = timed_summary(large)
        after_large = peak_mb()
        print()
        for cases, seconds, (own, worker) in ((count // 10, small_time, after_small), (count, large_time, after_large)):
            print(
                f"{cases:>9,} cases: {seconds:7.2f}s  {cases / seconds:9,.0f} cases/s  peak memory {own:4.0f} MB, largest worker {worker:4.0f} MB"
            )
        print(f"events in the large batch: {events:,} ({events / count:.1f} a case)")
        end_to_end = min(timed_command(large) for _ in range(2))
        print(
            f"{count:>9,} cases, end to end (`safeproc simulate ... --summary`, best of 2): {end_to_end:.2f}s  {count / end_to_end:,.0f} cases/s"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
