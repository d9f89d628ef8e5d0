"""Many cases at once: per-step timeliness, the figures partnerships report each year.

Cases stream through one at a time: only counts and a histogram of days taken
are kept, so memory does not grow with the number of cases.
"""

from __future__ import annotations

import fnmatch
import glob
import itertools
import multiprocessing
import os
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from interpreter import model as m
from interpreter.batch_plan import BatchPlan, StepOutcome
from interpreter.source import read_regular_file
from interpreter.statistics import StepTally, days_taken, tallies_of, timeliness_rows
from repl.commands import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Console
from repl.folder_walk import entries_below
from repl.garbage_collector import collector_paused
from repl.printable import json_text, shown_name

if TYPE_CHECKING:
    from prompt_toolkit.shortcuts import ProgressBar
    from prompt_toolkit.shortcuts.progress_bar.base import ProgressBarCounter

    from interpreter.simulate import StepResult

# A progress bar appears only for runs that last longer than this, and only on a terminal.
PROGRESS_AFTER_SECONDS = 1.0
# Cases go to worker processes in chunks of this many, once a batch fills a
# chunk (smaller batches are over before workers would have started).
CHUNK = 1_000


def case_files(pattern: str) -> Iterator[str]:
    """The .case files a batch runs: a folder's (walked as it is read), one file, or a glob's.

    Files are yielded as they are found rather than listed first, so a batch of
    any size holds no more than a chunk of names at a time; the totals do not
    depend on the order. Names are plain strings: a batch sends hundreds of
    thousands to its workers, and a Path costs more to make and to send. A name
    that ends in .case but cannot be read as a file (a pipe, a broken link, a
    folder that cannot be listed) is yielded all the same, so that the batch
    counts it among the cases that could not run, rather than passing it over.
    """
    path = Path(pattern)
    try:
        is_dir, is_file = path.is_dir(), path.is_file()
    except OSError:  # a name too long to look up is no file, and no glob either
        return
    if is_dir:
        yield from _walk(pattern)
    elif is_file:
        yield pattern
    else:
        # A folder the glob names (2024.case) is walked; what the glob then names inside it
        # is not taken again. (A folder is named before anything in it: see _matching.)
        walked: list[str] = []
        # Two `**` apart (a/**/b/**/*.case) can name one file by two ways: only then are names remembered.
        seen: set[str] | None = set() if pattern.replace(os.altsep or os.sep, os.sep).split(os.sep).count("**") > 1 else None
        for match in _glob_matches(pattern):
            if not match.endswith(".case") or any(match.startswith(folder) for folder in walked):
                continue
            if seen is not None:
                if match in seen:
                    continue
                seen.add(match)
            if os.path.isdir(match):
                walked.append(os.path.join(match, ""))
                yield from _walk(match)
            else:
                yield match


def _glob_matches(pattern: str) -> Iterator[str]:
    """What a glob names, as `glob.iglob(pattern, recursive=True)` would, except that `**`
    does not go into a folder reached by a link, as a folder walk does not.

    Python's glob follows such links: a link back up the tree counted its cases again
    at every depth, and two such links made the search grow without end.
    """
    drive, rest = os.path.splitdrive(pattern)
    if os.altsep:
        rest = rest.replace(os.altsep, os.sep)
    root = drive + (os.sep if rest.startswith(os.sep) else "")
    parts = [part for part in rest.split(os.sep) if part]
    if not parts:
        return
    # The leading plain names are the folder to start in (the last part is matched even so).
    literal = 0
    while literal < len(parts) - 1 and not glob.has_magic(parts[literal]):
        literal += 1
    matches = _matching(os.path.join(root, *parts[:literal]) if root or literal else "", parts[literal:])
    if rest.endswith(os.sep):
        # A pattern ending in a separator names folders only, each written with it (as glob does).
        yield from (match + os.sep for match in matches if os.path.isdir(match))
    else:
        yield from matches


def _matching(folder: str, parts: list[str]) -> Iterator[str]:
    """What the pattern's parts name from folder on, as glob finds them; a folder before anything in it.

    Walked with a list of (folder, how many parts are matched) still to look in, not by
    recursion: no tree of folders, and no pattern, is too deep for it.
    """
    # `**/**` names what `**` names (Python's glob names it twice over), and `**` last names everything in every folder below: `**/*`.
    parts = [part for place, part in enumerate(parts) if not (part == "**" and parts[place - 1 : place] == ["**"])]
    if parts[-1] == "**":
        parts = [*parts, "*"]
    waiting = [(folder, 0)]
    while waiting:
        folder, matched = waiting.pop()
        head, last = parts[matched], matched == len(parts) - 1
        if head == "**":
            # No folder at all, then every folder below, neither hidden nor reached by a link.
            waiting.extend((below, matched) for below in reversed(_folders_below(folder)))
            waiting.append((folder, matched + 1))
            continue
        if not glob.has_magic(head):
            path = os.path.join(folder, head)
            if not last and os.path.isdir(path):
                waiting.append((path, matched + 1))
            elif last and os.path.lexists(path):
                yield path
            continue
        try:
            with os.scandir(folder or os.curdir) as listing:
                entries = [entry.name for entry in listing]
        except OSError:
            continue
        deeper = []
        for name in fnmatch.filter(entries, head):
            if name.startswith(".") and not head.startswith("."):
                continue  # hidden, unless the pattern says so (as glob has it)
            path = os.path.join(folder, name)
            if last:
                yield path
            elif os.path.isdir(path):  # a folder named in the pattern is followed even through a link, as glob does
                deeper.append((path, matched + 1))
        waiting.extend(reversed(deeper))


def _folders_below(folder: str) -> list[str]:
    try:
        with os.scandir(folder or os.curdir) as listing:
            return [os.path.join(folder, entry.name) for entry in listing if not entry.name.startswith(".") and _is_plain_folder(entry)]
    except OSError:
        return []


def _is_plain_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _walk(folder: str) -> Iterator[str]:
    """The .case files in a folder and every folder below it (not through links, hidden ones
    included); a folder that cannot be listed is yielded too, as a case that could not run."""
    unlisted: list[OSError] = []
    for entry in entries_below(folder, unlisted.append):
        if entry.name.endswith(".case"):
            yield entry.path
    for error in unlisted:
        yield error.filename or folder


def _chunks(paths, size: int):
    chunk = []
    for path in paths:
        chunk.append(path)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run_summary(args, console: Console, procedures, procedure_path: Path) -> int:
    chunks = _chunks(case_files(args.cases), CHUNK)
    first = next(chunks, None)
    if first is None:
        console.error(f"safeproc: no .case files found in `{shown_name(args.cases)}`")
        return EXIT_USAGE
    tallies: dict[str, StepTally] = {}
    ran = unrunnable = 0
    progress = _Progress(console, lambda: sum(1 for _ in case_files(args.cases)))
    workers = min(os.cpu_count() or 1, 4)
    try:
        if workers > 1 and len(first) == CHUNK:
            # A full first chunk means a large batch: share it among worker
            # processes, keeping only a few chunks in flight so memory stays flat.
            with ProcessPoolExecutor(max_workers=workers, **_sharing_parent_work(procedures, procedure_path)) as pool:
                in_flight: deque = deque()
                for chunk in itertools.chain([first], chunks):
                    in_flight.append((len(chunk), pool.submit(tally_cases, procedure_path, args.as_of, chunk)))
                    if len(in_flight) > 2 * workers:
                        size, future = in_flight.popleft()
                        ran, unrunnable = _merge(tallies, future.result(), ran, unrunnable)
                        progress.advance(size)
                while in_flight:
                    size, future = in_flight.popleft()
                    ran, unrunnable = _merge(tallies, future.result(), ran, unrunnable)
                    progress.advance(size)
        else:
            for chunk in itertools.chain([first], chunks):
                ran, unrunnable = _merge(tallies, tally_cases(procedure_path, args.as_of, chunk, procedures), ran, unrunnable)
                progress.advance(len(chunk))
    finally:
        progress.close()
        _forget_parent_work()
    analysis, _, _ = procedures.get(procedure_path)
    order = [node.name for node in analysis.procedure.nodes]
    if args.format == "json":
        console.print(json_text({"cases": ran, "unrunnable": unrunnable, "steps": timeliness_rows(tallies, order)}))
    else:
        console.print(_table(tallies, ran, order))
    if unrunnable:
        console.error(f"{unrunnable} of {ran + unrunnable} cases could not run; `safeproc test` on them shows why")
    return EXIT_PROBLEMS if unrunnable else EXIT_OK


def _sharing_parent_work(procedures, procedure_path: Path) -> dict:
    """How worker processes start: where they can be forked safely, as copies of this one, the
    procedure already analysed and compiled; elsewhere as new processes that analyse it themselves.

    Forking is safe only while this process runs one thread: the pool forks its workers at
    its first task, before it starts a thread of its own. Inside the shell (which has other
    threads), workers are started afresh instead, and never inherit an earlier batch's procedure.
    """
    global _worker_procedures
    # Only on Linux: on macOS, forking a process that has used system frameworks is unsafe (Python spawns there).
    if not sys.platform.startswith("linux") or threading.active_count() > 1:
        _forget_parent_work()
        return {"mp_context": multiprocessing.get_context("spawn")}
    _worker_procedures = procedures
    _, plan, _ = procedures.get(procedure_path)
    _batch_plan(procedure_path, plan)
    return {"mp_context": multiprocessing.get_context("fork")}


def _forget_parent_work() -> None:
    """Let go of what the workers were forked with, so that a long-running shell keeps no stale procedure."""
    global _worker_procedures
    _worker_procedures = None
    _batch_plans.clear()


def _merge(tallies: dict[str, StepTally], outcome, ran: int, unrunnable: int) -> tuple[int, int]:
    chunk_tallies, chunk_ran, chunk_unrunnable = outcome
    for name, tally in chunk_tallies.items():
        if name in tallies:
            tallies[name].merge(tally)
        else:
            tallies[name] = tally
    return ran + chunk_ran, unrunnable + chunk_unrunnable


# What a worker process runs cases against. Where workers are forked, the parent
# fills these before the first worker starts, so the procedure is analysed and
# compiled once for the whole batch; elsewhere each worker fills its own.
_worker_procedures = None
_batch_plans: dict[Path, tuple[object, BatchPlan | None]] = {}


def _batch_plan(procedure_path: Path, plan) -> BatchPlan | None:
    """The plan compiled for batches (interpreter/batch_plan.py), made once per procedure and process."""
    known = _batch_plans.get(procedure_path)
    if known is None or known[0] is not plan:
        known = _batch_plans[procedure_path] = (plan, BatchPlan.compile(plan) if plan is not None else None)
    return known[1]


def tally_cases(procedure_path: Path, as_of: date | None, paths: list[str], procedures=None):
    """Simulate a chunk of case files and count, per step, how each ended; runs in a worker process too.

    A file that cannot be read is counted as a case that could not run.
    """
    return _tally(procedure_path, as_of, itertools.chain.from_iterable(_read_in_groups(paths)), procedures)


def tally_case_texts(procedure_path: Path, as_of: date | None, cases: Iterable[tuple[bytes | None, str]], procedures=None):
    """Simulate cases given as (their bytes, or None if unreadable; their name) and count, per step, how each ended."""
    return _tally(procedure_path, as_of, cases, procedures)


# Case files are read a few dozen at a time, then counted. Read and counted one by one,
# each cooled the caches the other had warmed: grouped, a batch of small cases runs about
# a twentieth faster (benchmarks/peer). The bytes bound keeps a group of large files in step.
_FILES_READ_TOGETHER = 64
_BYTES_READ_TOGETHER = 1024 * 1024


def _read_in_groups(paths: Iterable[str]) -> Iterator[list[tuple[bytes | None, str]]]:
    """The files' (bytes, or None where the file cannot be read; path), a group of them at a time."""
    group: list[tuple[bytes | None, str]] = []
    held = 0
    for path in paths:
        try:
            data = read_regular_file(path)
        except OSError:
            group.append((None, path))
        else:
            group.append((data, path))
            held += len(data)
        if len(group) == _FILES_READ_TOGETHER or held >= _BYTES_READ_TOGETHER:
            yield group
            group = []
            held = 0
    if group:
        yield group


# What plain cases count gathers in a list of at most about this many keys between countings.
_KEYS_COUNTED_TOGETHER = 4096


def _tally(procedure_path: Path, as_of: date | None, cases: Iterable[tuple[bytes | None, str]], procedures):
    """Count, per step, how the cases ended: each case given as (its bytes, or None if unreadable; its name).

    A plain case the compiled plan can run takes the quick way; any other (a
    mistake to report, a fact learnt on a date, a join released because its other
    arrows can no longer come) runs through the full reader and simulator.
    """
    from interpreter.scenario import run_case
    from repl.procedure_cache import ProcedureCache, load_case_file

    global _worker_procedures
    if procedures is None:
        if _worker_procedures is None:
            _worker_procedures = ProcedureCache()
        procedures = _worker_procedures
    _, plan, _ = procedures.get(procedure_path)
    compiled = _batch_plan(procedure_path, plan)
    # A case with no `as of` of its own is seen as of today, as `simulate` sees one case.
    today = date.today()
    # Reached steps counted alike: (step, state, late, days from opening to done) -> how many.
    counted: Counter[tuple[str, m.StepState, bool, int | None]] = Counter()
    found: list[tuple[str, m.StepState, bool, int | None]] = []  # what plain cases counted, counted into counted now and then
    count_plain_case = compiled.count_plain_case if compiled is not None else None
    ran = unrunnable = 0
    with collector_paused():  # each case's objects are freed as it ends; none form cycles
        for data, path in cases:
            if data is None:
                unrunnable += 1
                continue
            if count_plain_case is not None and count_plain_case(data, as_of, today, found):
                ran += 1
                if len(found) > _KEYS_COUNTED_TOGETHER:
                    counted.update(found)
                    found.clear()
                continue
            steps = steps_of_plain_case(data, path, plan, compiled, as_of, today) if plan is not None else None
            if steps is None:
                loaded = load_case_file(data, path, procedures, procedure_override=procedure_path)
                result = run_case(loaded, as_of or (loaded.case.as_of if loaded.case else None) or today)
                if result is None:
                    unrunnable += 1
                    continue
                steps = _reached(result)
            ran += 1
            for step in steps:
                counted[step.step, step.state, step.late, days_taken(step)] += 1
    counted.update(found)
    return tallies_of(counted), ran, unrunnable


def steps_of_plain_case(
    data: bytes, name: str, plan, compiled: BatchPlan | None, as_of: date | None, today: date
) -> Sequence[StepResult | StepOutcome] | None:
    """The steps a case reached, where the quick reader reads it (a plain case with nothing to report),
    run by the compiled plan, or by the simulator where the plan declines; None where the quick
    reader declines, and the case is the full reader's (which reports what is wrong with it).

    What a batch counts of a case that count_plain_case declines, or that it cannot read as bytes.
    """
    from interpreter.scenario import quick_inputs
    from interpreter.simulate import simulate

    inputs = quick_inputs(data, name, plan)
    if inputs is None:
        return None
    when = as_of or inputs.as_of or today
    steps: Sequence[StepResult | StepOutcome] | None = compiled.run(inputs.facts, inputs.happenings, when) if compiled is not None else None
    if steps is None:  # with no need to read the file again
        steps = _reached(simulate(plan, inputs.facts, inputs.happenings, when, only_reached=True))
    return steps


def _reached(result) -> tuple[StepResult, ...]:
    return tuple(step for step in result.steps if step.opened_on is not None)


def _table(tallies: dict[str, StepTally], ran: int, order: list[str]) -> str:
    found = timeliness_rows(tallies, order)
    # "lapsed" only where a case ended, at an outcome that ends it whole, before a step it had reached was done.
    lapsing = any(row["lapsed"] for row in found)
    counts = ("on_time", "late", "open", "overdue", "lapsed") if lapsing else ("on_time", "late", "open", "overdue")
    header = ("step", *(count.replace("_", " ") for count in counts), "median days")
    rows: list[tuple[str, ...]] = []
    for row in found:
        median = row["median_days_open_to_done"]
        rows.append((row["step"], *(str(row[count]) for count in counts), "-" if median is None else f"{median:g}"))
    widths = [max(len(row[i]) for row in rows + [header]) for i in range(len(header))]
    lines = [
        f"{ran} case{'s' if ran != 1 else ''} simulated (median days: from the day a step could start to the day it was done)",
        "",
    ]
    for row_cells in [header, *rows]:
        padded = [row_cells[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(row_cells[1:], widths[1:])]
        lines.append("  ".join(padded).rstrip())
    if lapsing:
        lines += ["", "lapsed: the step was reached, but the case ended (at an outcome that ends the whole case) before it was done"]
    return "\n".join(lines)


class _Progress:
    """prompt-toolkit's progress bar, started only on a terminal and only once a run is slow."""

    def __init__(self, console: Console, count_cases):
        self.console = console
        self.count_cases = count_cases  # counted only if a bar is shown: a second walk of the folder
        self.done = 0
        self.started = time.monotonic()
        self.bar: ProgressBar | None = None
        self.counter: ProgressBarCounter[int] | None = None
        self.interactive = console.err is sys.stderr and sys.stderr.isatty()

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.bar is None and self.interactive and time.monotonic() - self.started > PROGRESS_AFTER_SECONDS:
            from prompt_toolkit.output import create_output
            from prompt_toolkit.shortcuts import ProgressBar

            # On stderr, so that the table on stdout can go to a file or a pipe untouched.
            self.bar = ProgressBar(title="Simulating cases", output=create_output(stdout=sys.stderr))
            self.bar.__enter__()
            self.counter = self.bar(total=self.count_cases())
        if self.bar is not None and self.counter is not None:
            self.counter.items_completed = self.done
            self.bar.invalidate()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
