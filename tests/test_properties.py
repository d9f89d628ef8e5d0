"""Laws the front of the pipeline keeps on any input (hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interpreter.pipeline import analyse_bytes, analyse_source
from interpreter.source import SourceFile

from conftest import ROOT

PAN_SUSSEX = (ROOT / "procedures" / "pan-sussex" / "cspr.proc").read_text(encoding="utf-8")
WORDS = [
    "procedure",
    "end",
    "role",
    "external",
    "group",
    "of",
    "fact",
    "is",
    "yes",
    "or",
    "no",
    "one",
    "a",
    "number",
    "event",
    "start",
    "at",
    "step",
    "decision",
    "parallel",
    "join",
    "outcome",
    "by",
    "must",
    "be",
    "done",
    "cites",
    "within",
    "after",
    "before",
    "least",
    "for",
    "if",
    "late",
    "notify",
    "escalate",
    "to",
    "next",
    "when",
    "otherwise",
    "->",
    "(",
    ")",
    "and",
    "not",
    "<",
    "5",
    "working days",
    "1.1.15",
    '"Title"',
    "x",
    "crg",
    "\n",
    "#",
    "2024-02-30",
]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _assert_located_inside(analysis, text: str) -> None:
    lines = text.split("\n")
    for diagnostic in analysis.diagnostics:
        span = diagnostic.span
        if span is None:
            continue
        assert 1 <= span.line <= len(lines), diagnostic
        assert 1 <= span.column <= len(lines[span.line - 1]) + 1, diagnostic
        assert span.end_line >= span.line, diagnostic


@SETTINGS
@given(st.text(max_size=400))
def test_arbitrary_text_gives_a_model_or_diagnostics(text):
    """On any text the pipeline returns; every diagnostic's line and column lie inside the file."""
    analysis = analyse_source(SourceFile("random.proc", text))
    assert analysis.procedure is not None or analysis.diagnostics
    _assert_located_inside(analysis, text)


@SETTINGS
@given(st.lists(st.sampled_from(WORDS), max_size=60))
def test_arbitrary_sequences_of_keywords_never_raise(words):
    """Sequences of the language's own words, the likeliest near-misses, never raise."""
    text = " ".join(words)
    analysis = analyse_source(SourceFile("words.proc", text))
    _assert_located_inside(analysis, text)


@SETTINGS
@given(st.data())
def test_edits_of_a_real_procedure_never_raise(data):
    """Deleting or inserting text anywhere in the Pan-Sussex file gives diagnostics, never an exception."""
    text = PAN_SUSSEX
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(text)))
        if data.draw(st.booleans()):
            length = data.draw(st.integers(1, 40))
            text = text[:position] + text[position + length :]
        else:
            text = text[:position] + data.draw(st.sampled_from(WORDS + [" ", "\t", "\r\n", '"', "é"])) + text[position:]
    analysis = analyse_source(SourceFile("edited.proc", text))
    _assert_located_inside(analysis, text)


@SETTINGS
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(data):
    """Any bytes, decodable or not, end in a result with diagnostics or a model."""
    analysis = analyse_bytes(data, "bytes.proc")
    assert analysis.procedure is not None or analysis.diagnostics


def test_layout_and_comments_do_not_change_the_model():
    """Spans take no part in equality: re-indenting and adding comments gives an equal model."""
    reformatted = "\n".join(
        "\t  " + line + "   # a comment" if line and not line.startswith("#") else line for line in PAN_SUSSEX.split("\n")
    )
    first = analyse_source(SourceFile("a.proc", PAN_SUSSEX))
    second = analyse_source(SourceFile("b.proc", "# new first line\n\n" + reformatted))
    assert first.ok and second.ok, second.diagnostics
    assert first.procedure == second.procedure
    assert hash(first.procedure) == hash(second.procedure)
