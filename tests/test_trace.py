"""`safeproc trace`: every numbered paragraph of a source text, what cites it, and the coverage."""

from __future__ import annotations

import subprocess
import sys

import pytest

from interpreter.pipeline import analyse_bytes
from interpreter.source import SourceFile
from interpreter.trace import citations, numbered_paragraphs, trace

from conftest import ROOT

HERE = ROOT / "tests" / "trace"
SEED = ROOT.parent / "shared" / "seeds" / "000_561138213bff8628.txt"
SEED_ARGUMENT = "../shared/seeds/000_561138213bff8628.txt"

TEXT = """1.1 A heading that is not a paragraph

1.1.1

Introduction.

1.1.2

A rule.

1.1.3

Another rule.
"""

HEADER = 'procedure "P"\n  calendar england-and-wales\nend\n'


def _analysed(text: str, name: str = "p.proc"):
    analysis = analyse_bytes(text.encode(), name)
    assert analysis.procedure is not None
    return analysis.procedure, analysis.source


def _traced(proc_text: str, source_text: str = TEXT):
    return trace([_analysed(proc_text)], SourceFile("source.txt", source_text))


COVERING = (
    HEADER
    + 'background 1.1.1 "introduction"\nrole r "R" cites 1.1.2\nstart at a\n'
    + 'step a "A"\n  by r\n  cites 1.1.2,\n    1.1.3\n  next done\nend\noutcome done "Done"\n'
)


def test_made_up_procedure_golden(cli, golden):
    """The listing, the citation of a missing paragraph and the uncovered paragraphs, as a user sees them."""
    result = cli("trace", "tests/trace/school-trips.proc", "--source", "tests/trace/school-trips.txt")
    assert result.code == 1
    golden(HERE / "school-trips.stdout", result.out)
    golden(HERE / "school-trips.stderr", result.err)


@pytest.mark.skipif(
    not SEED.exists(), reason=f"the Pan-Sussex source text is not here ({SEED}): it lives in shared/seeds beside the repository"
)
def test_pan_sussex_is_fully_traced(cli, golden):
    """Every paragraph of the Pan-Sussex chapter is cited by the encoding or marked background."""
    result = cli("trace", "procedures/pan-sussex/cspr.proc", "--source", SEED_ARGUMENT)
    assert result.err == ""
    assert result.code == 0
    assert "(100%)" in result.out
    golden(HERE / "pan-sussex.stdout", result.out)


def test_full_coverage_exits_zero(tmp_path, cli):
    """A procedure that covers every paragraph, with no bad citation, exits 0 and says 100%."""
    proc = tmp_path / "p.proc"
    proc.write_text(COVERING)
    text = tmp_path / "source.txt"
    text.write_text(TEXT)
    result = cli("trace", str(proc), "--source", str(text))
    assert result.code == 0, result.err
    assert result.err == ""
    assert "coverage: 3 of 3 paragraphs cited or marked background (100%)" in result.out
    assert "1.1.3  step a: A" in result.out


def test_unreadable_files_exit_two(tmp_path, cli):
    """A source text or a procedure that cannot be read is a usage problem (exit 2), as in `check`."""
    proc = tmp_path / "p.proc"
    proc.write_text(COVERING)
    missing = cli("trace", str(proc), "--source", str(tmp_path / "nowhere.txt"))
    assert missing.code == 2
    assert "cannot read" in missing.err
    text = tmp_path / "source.txt"
    text.write_text(TEXT)
    assert cli("trace", str(tmp_path / "nowhere.proc"), "--source", str(text)).code == 2
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x00\x01\x02" * 50)
    result = cli("trace", str(proc), "--source", str(binary))
    assert result.code == 2
    assert "P002" in result.err


def test_paragraphs_are_lines_that_hold_only_a_number():
    """A heading that starts with a number is not a paragraph; indentation around a number is allowed."""
    found, diagnostics = numbered_paragraphs(SourceFile("s.txt", "1.1 Title\n  1.1.1  \n1.1.2 text\n1.1.16a\n"))
    assert [number for number, _ in found] == ["1.1.1", "1.1.16a"]
    assert found[0][1].line == 2 and found[0][1].column == 3
    assert diagnostics == ()


def test_source_without_paragraphs_is_an_error():
    """A text with no numbered paragraph is probably the wrong file: P504, and nothing is traced."""
    result = _traced(COVERING, "just prose\n")
    assert [d.code for d in result.diagnostics] == ["P504"]
    assert result.total == 0 and not result.ok


def test_paragraph_numbered_twice_is_a_warning():
    """A number that appears twice in the source is reported once, at its second appearance."""
    result = _traced(COVERING, TEXT + "\n1.1.2\n")
    (duplicate,) = result.diagnostics
    assert duplicate.code == "P505" and duplicate.span.line == 15


def test_missing_paragraph_is_located_at_its_citation():
    """A citation of a paragraph the source lacks is an error at the citation itself, on its own line."""
    result = _traced(COVERING.replace("    1.1.3", "    1.1.3, 1.1.7"))
    (problem,) = [d for d in result.diagnostics if d.code == "P501"]
    assert problem.is_error
    assert (problem.span.line, problem.span.column, problem.span.end_column) == (10, 12, 17)
    assert "step `a` cites paragraph 1.1.7" in problem.message


def test_background_of_a_missing_paragraph_is_an_error():
    """Marking a paragraph background that the source lacks is the same mistake as citing it."""
    result = _traced(COVERING.replace('background 1.1.1 "', 'background 1.1.1, 1.1.9 "'))
    (problem,) = [d for d in result.diagnostics if d.code == "P501"]
    assert problem.span.line == 4 and problem.span.column == 19
    assert "`background` line" in problem.message


def test_cited_and_background_is_a_warning():
    """A paragraph cannot both carry a rule and carry none: P503 at the background mark."""
    result = _traced(COVERING.replace('background 1.1.1 "', 'background 1.1.1, 1.1.2 "'))
    (clash,) = result.diagnostics
    assert clash.code == "P503" and clash.span.line == 4
    assert result.covered == 3


def test_comments_and_titles_are_not_citations():
    """Numbers in comments and in titles are not citations; quoted paragraph citations still count."""
    proc = COVERING.replace('step a "A"', 'step a "A, see 1.1.9" # 1.1.8').replace("cites 1.1.2,\n    1.1.3", 'cites "1.1.2", 1.1.3')
    procedure, source = _analysed(proc)
    found = citations(procedure, source)
    assert [(c.paragraph, c.span.line) for c in found] == [("1.1.1", 4), ("1.1.2", 5), ("1.1.2", 9), ("1.1.3", 9)]
    quoted = found[2]
    assert source.line_text(9)[quoted.span.column - 1 : quoted.span.end_column - 1] == '"1.1.2"'


def test_statute_citations_are_not_paragraphs():
    """A quoted citation of a statute is not traced and is not an error."""
    result = _traced(COVERING.replace("cites 1.1.2,", 'cites "Children Act 2004 s16C", 1.1.2,'))
    assert result.diagnostics == ()
    assert result.ok


def test_folders_are_traced_together(tmp_path, cli):
    """Several files traced at once cover the source together, and each use names its file."""
    first = tmp_path / "a.proc"
    first.write_text(COVERING.replace("cites 1.1.2,\n    1.1.3", "cites 1.1.2"))
    second = tmp_path / "b.proc"
    second.write_text(HEADER + 'start at x\nstep x "X"\n  cites 1.1.3\n  next done\nend\noutcome done "Done"\n')
    text = tmp_path / "source.txt"
    text.write_text(TEXT)
    result = cli("trace", str(tmp_path), "--source", str(text))
    assert result.code == 0, result.err
    assert f"step x ({second}): X" in result.out


def test_trace_is_not_loaded_by_check():
    """`safeproc check` starts without loading the trace module: the command imports it inside run."""
    code = "import sys, repl.cli; print('interpreter.trace' in sys.modules)"
    shown = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "False"


def test_reading_notes_beside_the_procedure_are_listed_under_their_paragraphs(tmp_path, cli):
    (tmp_path / "p.proc").write_text(COVERING, encoding="utf-8")
    (tmp_path / "source.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "READING.md").write_text(
        "# Notes\n\n## A group\n\n### 1.1.2, 1.1.3: what 'rule' means\n\nWhy.\n\n```\n### 1.1.1: inside a code block\n```\n",
        encoding="utf-8",
    )
    result = cli("trace", str(tmp_path / "p.proc"), "--source", str(tmp_path / "source.txt"))
    assert result.code == 0, result.err
    notes = [line.strip() for line in result.out.splitlines() if "reading note" in line]
    where = f"{tmp_path / 'READING.md'}:5"
    assert notes == [f"reading note: {where} 1.1.2, 1.1.3: what 'rule' means"] * 2
    assert "1.1.1: inside" not in result.out


def test_a_reading_note_without_paragraphs_or_about_a_missing_one_is_a_located_warning(tmp_path, cli):
    (tmp_path / "p.proc").write_text(COVERING, encoding="utf-8")
    (tmp_path / "source.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "READING.md").write_text("### the five days\n\n### 1.1.9: nowhere\n", encoding="utf-8")
    result = cli("trace", str(tmp_path / "p.proc"), "--source", str(tmp_path / "source.txt"))
    assert result.code == 0, "a note cannot make the trace fail"
    assert "warning[P506]" in result.err and "READING.md:1:1" in result.err
    assert "warning[P507]" in result.err and "paragraph 1.1.9" in result.err and "READING.md:3:1" in result.err


def test_every_pan_sussex_reading_note_is_about_a_paragraph_of_the_source():
    from interpreter.reading_notes import reading_notes, unknown_paragraphs

    if not SEED.is_file():
        pytest.skip("the Pan-Sussex source text is not here")
    text = SourceFile("READING.md", (ROOT / "procedures/pan-sussex/READING.md").read_text(encoding="utf-8"))
    notes, problems = reading_notes(text)
    known = {number for number, _ in numbered_paragraphs(SourceFile("seed", SEED.read_text(encoding="utf-8")))[0]}
    assert not problems
    assert len(notes) >= 20
    assert not unknown_paragraphs(notes, known, "seed")


def test_a_quoted_paragraph_stops_at_the_next_heading_and_keeps_its_own_title():
    """The words quoted for a paragraph leave out the next section's heading and a page's footer, not its own title."""
    from interpreter.syntax import decode
    from interpreter.trace import paragraph_texts

    text = (
        "1.1.1\n\nThe first rule.\nIt goes on here.\n\nRapid Reviews\n\n"
        "1.1.2\n\nNotifying Agencies\n\nA letter is sent: see below.\n\nPolice\n\n"
        "1.1.3\n\nThe last rule.\n\nAPPENDICES\n\nThis page is correct as printed on Thursday.\n"
    )
    source, _ = decode(text.encode("utf-8"), "source.txt")
    assert paragraph_texts(source) == {
        "1.1.1": "The first rule. It goes on here.",
        "1.1.2": "Notifying Agencies A letter is sent: see below.",
        "1.1.3": "The last rule.",
    }
