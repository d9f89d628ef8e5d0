"""How long each shell command takes on the Pan-Sussex procedure, against the tenth of a
second the issue allows: the case of scenario 15 (an LCSPR through publication) loaded,
then each command run as typed. Prints the best of several runs for each, slowest first.
"""

from __future__ import annotations

import io
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import best_of  # noqa: E402

from repl.case_session import CaseSession  # noqa: E402
from repl.commands import Console  # noqa: E402
from repl.shell_commands import run_line  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BOUND = 0.1
COMMANDS = [
    "status",
    "next",
    "overdue",
    "why publish",
    "why leads_discuss",
    "set interpreter_needed = yes",
    "undo",
    "on 2024-11-21 complete_child_death_review done",
    "undo",
    "what if crg_view = split",
    "what if publish_in_full = no",
    "keep",
    "undo",
    "names steps",
    "help",
    "save /tmp/safeproc-shell-benchmark.case --with-expectations",
    "explain P102",
]


def main() -> None:
    console = Console(io.StringIO(), io.StringIO())
    session = CaseSession()
    session.today = date(2024, 11, 22)
    run_line(session, "load procedures/pan-sussex/scenarios/15-lcspr-through-publication.case", console)
    times = []
    for command in COMMANDS:
        times.append((best_of(5, lambda c=command: run_line(session, c, console)), command))
    load = best_of(3, lambda: run_line(CaseSession(), "load procedures/pan-sussex/scenarios/15-lcspr-through-publication.case", console))
    times.append((load, "load (the procedure read and analysed the first time)"))
    for seconds, command in sorted(times, reverse=True):
        print(f"{seconds * 1000:8.1f} ms  {seconds / BOUND:6.1%} of the bound  {command}")


if __name__ == "__main__":
    import os

    os.chdir(ROOT)
    main()
