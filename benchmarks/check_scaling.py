"""How `safeproc check` scales: generated procedures of 100, 1,000 and 10,000 steps.

Run with `.venv/bin/python benchmarks/check_scaling.py`. It prints, for each size,
the time of Lark's parse alone and of the whole check (parse, model, names,
graph, checks), the best of several runs. The figures that matter are ratios
within one run, since this machine is small and shared:

- linear scaling: 10,000 steps within 15x the 1,000-step time;
- the semantic passes (check minus parse) cost no more than the parse itself.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import best_of  # noqa: E402

from grammar import get_parser  # noqa: E402
from interpreter.pipeline import analyse_source  # noqa: E402
from interpreter.source import SourceFile  # noqa: E402
from repl.garbage_collector import collector_paused  # noqa: E402

from generate import generated_procedure  # noqa: E402

SIZES = (100, 1_000, 10_000)


def main() -> None:
    parser = get_parser()
    results = {}
    print(f"{'steps':>7} {'lines':>7} {'parse':>9} {'check':>9} {'semantic':>9} {'semantic/parse':>15}")
    for size in SIZES:
        text = generated_procedure(size)
        source = SourceFile(f"generated-{size}.proc", text)
        analysis = analyse_source(source)
        assert analysis.ok, analysis.diagnostics[:3]
        runs = 5 if size <= 1_000 else 3

        def parse_alone(text=text):
            # Under the same collector setting as the check, so the two compare.
            with collector_paused():
                parser.parse(text, start="procedure_file")

        def check_alone(source=source):
            # As `safeproc check` runs it: the command line pauses the collector around analysis.
            with collector_paused():
                analyse_source(source)

        parse = best_of(runs, parse_alone)
        check = best_of(runs, check_alone)
        results[size] = (parse, check)
        semantic = check - parse
        print(f"{size:>7} {text.count(chr(10)):>7} {parse:>8.3f}s {check:>8.3f}s {semantic:>8.3f}s {semantic / parse:>15.2f}")
    growth = results[10_000][1] / results[1_000][1]
    print(f"\ncheck time, 10,000 steps / 1,000 steps: {growth:.1f}x (target: at most 15x)")
    worst = max((check - parse) / parse for parse, check in results.values())
    print(f"semantic passes / parse, worst size: {worst:.2f} (target: at most 1.0)")


if __name__ == "__main__":
    main()
