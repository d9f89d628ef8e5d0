"""safeproc's side of the peer comparison, in one process on one core: cases per second.

Usage: .venv/bin/python benchmarks/peer/safeproc_run.py PROC CASEDIR [--reps R] [--mode e2e|engine|full|both] [--json]

e2e    = repl.batch.tally_cases over every file, as a batch worker does it (read the file, count it
         straight from its bytes with the compiled batch plan and its working-day deadlines, or else
         the quick reader and the plan or the simulator); no worker processes.
engine = the files read into memory first; only repl.batch.tally_case_texts timed (the same, less the reading).
full   = the files read into memory first; load_case (the LALR grammar path, names checked) + run_case,
         i.e. what every case costs when the quick reader declines it (e.g. a case with `expect` lines).
Start-up, imports and the analysis of the procedure are reported separately. min and median of R reps.
With e2e, also times reading the files alone, as the batch reads them (the floor under e2e: no
engine, however quick, makes a batch faster than its reading).
"""

import json
import statistics
import sys
import time
from pathlib import Path

T0 = time.perf_counter()
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from interpreter.scenario import load_case, run_case  # noqa: E402
from interpreter.statistics import StepTally  # noqa: E402
from repl.batch import _read_in_groups, tally_case_texts, tally_cases  # noqa: E402
from repl.procedure_cache import ProcedureCache  # noqa: E402

IMPORT_S = time.perf_counter() - T0


def main():
    args = sys.argv[1:]
    reps, mode, as_json = 3, "both", False
    if "--reps" in args:
        i = args.index("--reps")
        reps = int(args[i + 1])
        del args[i : i + 2]
    if "--mode" in args:
        i = args.index("--mode")
        mode = args[i + 1]
        del args[i : i + 2]
    if "--json" in args:
        args.remove("--json")
        as_json = True
    proc, folder = Path(args[0]), Path(args[1])
    t = time.perf_counter()
    procedures = ProcedureCache()
    _, plan, _ = procedures.get(proc)
    assert plan is not None
    analyse_s = time.perf_counter() - t
    paths = sorted(str(path) for path in folder.glob("*.case"))
    results = {"cases": len(paths), "import_s": IMPORT_S, "analyse_procedure_s": analyse_s}
    for m in ["e2e", "engine"] if mode == "both" else [mode]:
        times = []
        for _ in range(reps):
            if m == "e2e":
                t = time.perf_counter()
                tallies, ran, unrunnable = tally_cases(proc, None, paths, procedures)
                times.append(time.perf_counter() - t)
            elif m == "engine":
                blobs = [(Path(p).read_bytes(), p) for p in paths]
                t = time.perf_counter()
                tallies, ran, unrunnable = tally_case_texts(proc, None, blobs, procedures)
                times.append(time.perf_counter() - t)
            else:
                blobs = [(Path(p).read_bytes(), p) for p in paths]
                t = time.perf_counter()
                tallies, ran, unrunnable = {}, 0, 0
                for data, name in blobs:
                    result = run_case(load_case(data, name, procedures, procedure_override=proc))
                    if result is None:
                        unrunnable += 1
                        continue
                    ran += 1
                    for step in result.steps:
                        if step.opened_on is None:
                            continue
                        tally = tallies.get(step.step)
                        if tally is None:
                            tally = tallies[step.step] = StepTally()
                        tally.add(step)
                times.append(time.perf_counter() - t)
        assert unrunnable == 0, unrunnable
        counts = {name: (t.on_time, t.late, t.open, t.overdue) for name, t in tallies.items()}
        results[m] = {
            "min_s": min(times),
            "median_s": statistics.median(times),
            "cases_per_s_median": len(paths) / statistics.median(times),
            "cases_per_s_best": len(paths) / min(times),
            "ran": ran,
            "steps_on_time_late_open_overdue": counts,
        }
    if "e2e" in results:
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            for _group in _read_in_groups(paths):
                pass
            times.append(time.perf_counter() - t)
        results["read_only"] = {"median_s": statistics.median(times), "cases_per_s_median": len(paths) / statistics.median(times)}
    results["process_s"] = time.perf_counter() - T0
    if as_json:
        print(json.dumps(results))
    else:
        print(f"{len(paths)} cases; imports {IMPORT_S * 1000:.0f} ms; analyse + compile the procedure {analyse_s * 1000:.0f} ms")
        for m in ("e2e", "engine", "full"):
            if m in results:
                r = results[m]
                print(
                    f"  {m:6s}: min {r['min_s']:.3f}s median {r['median_s']:.3f}s -> {r['cases_per_s_median']:,.0f} cases/s (median), "
                    f"{r['cases_per_s_best']:,.0f} best; {r['steps_on_time_late_open_overdue']}"
                )
        if "read_only" in results:
            print(f"  reading the files alone: {results['read_only']['cases_per_s_median']:,.0f} files/s (median)")


if __name__ == "__main__":
    main()
