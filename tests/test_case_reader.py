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


# The whole-file reader takes batches' generated cases in one match; on any text it
# answers as the line-by-line reader does, or leaves the text to it.
HEADER_LINES = [
    '  procedure "review.proc"',
    "  as of 2024-06-28",
    "  as of 2024-02-30",
    "\tas  of 2024-06-28 ",
    '  procedure "a\rb"',
    "  # a note",
]
FACT_LINES = ["  age is 9", "\tage is 10  ", "  abuse_suspected is yes", "  x is unknown", "  y is no", "  step is yes", "  end is yes"]
FACT_LINES += ["  age is 1234567", "  age is \u0663", "  a_b  is  c_d", "  route is", "", "  age is 9 # note", "  z is 07"]
HAPPENING_LINES = ["on 2024-05-01 aware", "on 2024-05-03 notify done", "on 2024-05-03 notify\tdone  ", "on 2024-13-03 notify"]
HAPPENING_LINES += [
    "on 2024-05-02 done",
    "  on 2024-04-30 triage",
    "on 2024-05-01 facts",
    "on 2024-05-01 aware # c",
    "on 2024-05-04 age is 3",
]
HAPPENING_LINES += ["on 2024-05-04 report  done", "on 2024-05-01 aware", "", "on 2024-05-05 x_1"]


@settings(max_examples=1_000, deadline=None)
@given(
    st.lists(st.sampled_from(HEADER_LINES), max_size=3),
    st.lists(st.sampled_from(FACT_LINES), max_size=8),
    st.lists(st.sampled_from(HAPPENING_LINES), max_size=6),
    st.sampled_from(["\n", "", "\n\n", "\r\n"]),
)
def test_whole_file_reading_answers_as_line_reading_does(header, facts, happenings, ending):
    """Where the whole-file reader answers, the line reader gives the same inputs; where it gives up, so does the line reader."""
    from interpreter.case_reader import _GiveUp, _Reader, _whole_file_inputs

    text = "\n".join(['case "A case"', *header, "end", "facts", *facts, "end", *happenings]) + ending

    def answer(read):
        try:
            return read()
        except _GiveUp:
            return "gives up"

    whole = answer(lambda: _whole_file_inputs(text))
    if whole is not None:
        assert whole == answer(lambda: _Reader(SourceFile("gen.case", text)).read_inputs())


def test_generated_batch_cases_are_read_whole():
    """The shape batches are generated in takes the whole-file way (else batches quietly slow down)."""
    from interpreter.case_reader import _whole_file_inputs

    text = (ROOT / "tests/simulate/on_time.case").read_text()
    plain = "\n".join(line for line in text.splitlines() if line.strip() and not line.lstrip().startswith(("#", "expect"))) + "\n"
    assert _whole_file_inputs(plain) is not None


def test_a_very_long_line_is_left_to_the_grammar():
    """Some line patterns take time growing with the square of a line's length: past a length no plain case reaches,
    the fast reader declines at once and the grammar, linear in its input, reads the file."""
    text = (
        'case "x"\n  procedure "review.proc"\nend\nfacts\n  age is 9\nend\non 2024-05-01 aware\nexpect notify'
        + " " * 40_000
        + "due 2024-05-09\n"
    )
    source = SourceFile("long.case", text)
    assert read_plain_case(source) is None
    assert _by_grammar(source) is not None
