"""Checks go on around a declaration that does not parse, and say nothing that only repeats it."""

from __future__ import annotations

import re

import pytest

from interpreter.pipeline import analyse_source
from interpreter.source import SourceFile

from conftest import ROOT

PAN_SUSSEX = (ROOT / "procedures/pan-sussex/cspr.proc").read_text(encoding="utf-8")
LINES = PAN_SUSSEX.split("\n")
DECLARATIONS = [
    i for i, line in enumerate(LINES) if re.match(r"(external role|role|group|fact|event|step|decision|parallel|join|outcome) ", line)
]
BLOCKS = [i for i in DECLARATIONS if re.match(r"(step|decision|parallel|join) ", LINES[i])]


def _end_of_block(first: int) -> int:
    line = first
    while LINES[line] != "end":
        line += 1
    return line


def _breakages():
    for first in DECLARATIONS:
        yield (
            f"stray word after the name on line {first + 1}",
            {first: re.sub(r"^((?:external |start )?\S+ [\w.\"]+)", r"\1 ???", LINES[first])},
        )
    for first in BLOCKS:
        yield f"misspelt clause on line {first + 2}", {first + 1: "  bye " + LINES[first + 1].strip()}
        yield f"`end` missing after line {first + 1}", {_end_of_block(first): ""}


@pytest.mark.parametrize("broken", list(_breakages()), ids=lambda b: b[0] if isinstance(b, tuple) else str(b))
def test_one_broken_declaration_in_the_pan_sussex_procedure_draws_only_its_syntax_error(broken):
    _, changes = broken
    lines = [changes.get(number, line) for number, line in enumerate(LINES)]
    analysis = analyse_source(SourceFile("cspr.proc", "\n".join(lines)))
    assert len(analysis.diagnostics) == 1, [(d.code, d.span.line if d.span else None, d.message) for d in analysis.diagnostics]
    assert analysis.diagnostics[0].code.startswith("P0")


def test_the_checks_still_find_the_mistakes_elsewhere():
    """The golden file tests/diagnostics/checks_go_on_around_a_broken_step.stderr shows them as the author sees them."""
    text = (ROOT / "tests/diagnostics/checks_go_on_around_a_broken_step.proc").read_text(encoding="utf-8")
    codes = sorted(d.code for d in analyse_source(SourceFile("f.proc", text)).diagnostics)
    assert codes == ["P010", "P202", "P301", "P305", "P305"]
    mended = text.replace("nxt done", "next done")
    assert sorted(d.code for d in analyse_source(SourceFile("f.proc", mended)).diagnostics) == ["P202", "P301", "P305", "P305"]


def test_reanalysing_an_edited_file_with_its_parsed_pieces_gives_what_a_fresh_analysis_gives():
    """The language server keeps each declaration's parse tree (and what was built of it) between
    keystrokes; after any edit, what it reports must be what a fresh `safeproc check` reports."""
    import random

    from interpreter.names_index import occurrences
    from interpreter.syntax import PieceCache

    chooser = random.Random(20261206)
    pieces = PieceCache()
    lines = list(LINES)
    analyse_source(SourceFile("cspr.proc", "\n".join(lines)), pieces)
    for _ in range(40):
        at = chooser.randrange(len(lines))
        match chooser.choice(["type", "new line", "delete line", "break"]):
            case "type":
                lines[at] += " "
            case "new line":
                lines.insert(at, "")
            case "delete line":
                del lines[at]
            case "break":
                lines[at] = lines[at] + " ???"
        text = "\n".join(lines)
        kept = analyse_source(SourceFile("cspr.proc", text), pieces)
        fresh = analyse_source(SourceFile("cspr.proc", text))
        assert kept.diagnostics == fresh.diagnostics
        assert kept.procedure == fresh.procedure
        assert occurrences(kept.procedure) == occurrences(fresh.procedure)  # every span too
