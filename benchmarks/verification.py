"""`verify` of the Pan-Sussex procedure against Working Together 2023, and path conditions
on a decision over 20 yes-or-no facts (2^20 combinations), each against the one-second
bound the issue sets. Prints times (best of several runs) and the share of the bound.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import best_of  # noqa: E402

from interpreter.conform import Procedure, verify  # noqa: E402
from interpreter.path_conditions import described, path_conditions  # noqa: E402
from interpreter.pipeline import analyse_source  # noqa: E402
from interpreter.source import SourceFile  # noqa: E402
from repl.garbage_collector import collector_paused  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BOUND = 1.0


def _analysed(name: str, text: str) -> Procedure:
    analysis = analyse_source(SourceFile(name, text))
    assert analysis.ok and analysis.resolved is not None and analysis.graph is not None, analysis.diagnostics[:3]
    return Procedure(analysis.resolved, analysis.graph)


def twenty_facts() -> str:
    facts = "".join(f'fact f{i} "F{i}" is yes or no\n' for i in range(20))
    branches = "".join(f"  when f{i} and not f{(i + 1) % 20} -> s{i}\n" for i in range(20))
    steps = "".join(f'step s{i} "S{i}" by team next done end\n' for i in range(20))
    return (
        'procedure "Twenty facts"\n  calendar england-and-wales\nend\nrole team "Team"\n'
        f'{facts}start at d\ndecision d "D?" by team\n{branches}  otherwise -> last\nend\n{steps}'
        'step last "Last" by team next done end\noutcome done "Done"\n'
    )


def main() -> None:
    local_text = (ROOT / "procedures/pan-sussex/cspr.proc").read_text(encoding="utf-8")
    national_text = (ROOT / "procedures/national/working-together-2023.proc").read_text(encoding="utf-8")
    with collector_paused():
        local, national = _analysed("cspr.proc", local_text), _analysed("wt2023.proc", national_text)
        verifying = best_of(5, lambda: verify(local, national))
        whole = best_of(5, lambda: verify(_analysed("cspr.proc", local_text), _analysed("wt2023.proc", national_text)))
        twenty = _analysed("twenty.proc", twenty_facts())
        paths = best_of(5, lambda: path_conditions(twenty.resolved, twenty.graph))
        found = path_conditions(twenty.resolved, twenty.graph)
        words = best_of(5, lambda: [described(found.diagrams, found.of(f"s{i}")) for i in range(20)])
    print(f"verify Pan-Sussex against Working Together 2023 {verifying:7.3f}s = {verifying / BOUND:6.1%} of the bound")
    print(f"  the same, parsing both files each time        {whole:7.3f}s = {whole / BOUND:6.1%} of the bound")
    print(f"path conditions, one decision over 20 facts     {paths:7.3f}s = {paths / BOUND:6.1%} of the bound")
    print(f"  and each of its 20 branches written out       {words:7.3f}s = {words / BOUND:6.1%} of the bound")


if __name__ == "__main__":
    main()
