"""The fast reader of plain .case files builds exactly what the grammar builds, spans included."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interpreter.build import build_case
from interpreter.case_reader import read_plain_case
from interpreter.source import SourceFile
from interpreter.syntax import parse_source

from conftest import ROOT

CASE_FILES = sorted(p for p in ROOT.rglob("*.case") if ".venv" not in p.parts)


def _by_grammar(source: SourceFile):
    parsed = parse_source(source, start="case_file")
    if parsed.diagnostics:
        return None
    case, diagnostics = build_case(source, parsed.chunks)
    return None if diagnostics else case


def _everything(case) -> dict:
    """Every field, spans included (spans take no part in ==, so compare them this way)."""
    return attrs.asdict(case, recurse=True)


@pytest.mark.parametrize("path", CASE_FILES, ids=[str(p.relative_to(ROOT)) for p in CASE_FILES])
def test_fast_reader_agrees_with_the_grammar_on_every_case_file(path: Path):
    """On each .case file in the repository, the fast reader builds the grammar's model; it declines only files with mistakes."""
    source = SourceFile(str(path.relative_to(ROOT)), path.read_text(encoding="utf-8", errors="replace"))
    fast = read_plain_case(source)
    slow = _by_grammar(source)
    if fast is None:
        # Declining is allowed (the grammar then reads the file), but every shipped case
        # is plain, so a decline here means the fast path has quietly stopped serving them.
        assert slow is None, "the fast reader declined a plain case file the grammar reads"
        return
    assert slow is not None, "the fast reader accepted a file the grammar rejects"
    assert _everything(fast) == _everything(slow)


def test_fast_reader_reads_the_plain_shape():
    """The shapes used by generated batches are read by the fast path, not declined."""
    assert read_plain_case(SourceFile("x.case", (ROOT / "tests/simulate/on_time.case").read_text())) is not None


LINES = [
    'case "A case"',
    'case "A \\"quoted\\" case"',
    '  procedure "review.proc"',
    "  as of 2024-06-28",
    "  as of 2024-02-30",
    "end",
    "facts",
    "  age is 9",
    "  age is 1234567",
    "  abuse_suspected is yes",
    "  x is unknown",
    "  y is no",
    "  step is yes",
    "end",
    "on 2024-05-01 aware",
    "on 2024-05-03 notify done",
    "on 2024-05-03 notify  done # note",
    "on 2024-13-03 notify",
    "on 2024-05-02 route is referral",
    "on 2024-05-02  age is 12  # learnt",
    "on 2024-05-02 x is unknown",
    "on 2024-05-02 step is yes",
    "expect notify due 2024-05-09",
    "expect notify due nothing",
    "expect notify is done on time",
    "expect notify is done late",
    "expect notify is not applicable",
    "expect triage takes notify",
    "expect escalation to panel on 2024-05-10",
    "expect escalation from notify to panel on 2024-05-10",
    "expect outcome published",
    "expect no outcome",
    "expect no breaches",
    "expect notify is sleepy",
    "# a comment",
    "",
    "   ",
    "expect end due 2024-01-01",
    "on 2024-05-01 aware\ton",
    "\tfacts",
    "case",
]


HEADER = ['case "A case"', '  procedure "review.proc"', "end"]


@settings(max_examples=300, deadline=None)
@given(st.booleans(), st.lists(st.sampled_from(LINES), max_size=14))
def test_fast_reader_never_disagrees_with_the_grammar(with_header, lines):
    """On any sequence of plausible lines, the fast reader's model equals the grammar's, or it declines."""
    source = SourceFile("gen.case", "\n".join((HEADER if with_header else []) + lines) + "\n")
    fast = read_plain_case(source)
    if fast is not None:
        slow = _by_grammar(source)
        assert slow is not None
        assert _everything(fast) == _everything(slow)
