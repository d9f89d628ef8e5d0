"""A large file is parsed and built one declaration at a time: the analysis is the one a whole parse gives."""

from __future__ import annotations

import sys

import attrs
import pytest

from interpreter import pipeline
from interpreter.source import SourceFile

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generated_procedure  # noqa: E402

PROCEDURE_FILES = sorted(p for p in ROOT.rglob("*.proc") if ".venv" not in p.parts and "allow" not in p.read_text(errors="replace"))
TEXTS = [(str(p.relative_to(ROOT)), p.read_text(errors="replace")) for p in PROCEDURE_FILES]
TEXTS += [("generated.proc", generated_procedure(300)), ("empty.proc", ""), ("a-case.proc", 'case "x"\nend\n')]
TEXTS += [
    ("broken.proc", generated_procedure(40).replace("next step_12", "next step_12 step_13", 1).replace("within 3", "within three", 1))
]
# Shapes a reviewer found where declaration-by-declaration reading alone went wrong: a
# declaration laid over a line that begins with a declaration's keyword, and nesting too deep.
_REVIEW = (ROOT / "tests/simulate/review.proc").read_text()
TEXTS += [("split_declaration.proc", _REVIEW.replace('external role panel "National Panel"', 'external\nrole panel "National Panel"'))]
TEXTS += [("too_deep.proc", _REVIEW.replace("when abuse_suspected and age < 18", "when " + "not " * 60 + "abuse_suspected and age < 18"))]


def _analysis(name: str, text: str, streamed_from: int, monkeypatch):
    monkeypatch.setattr(pipeline, "STREAMED_FROM_CHARACTERS", streamed_from)
    return pipeline.analyse_source(SourceFile(name, text))


@pytest.mark.parametrize(("name", "text"), TEXTS, ids=[name for name, _ in TEXTS])
def test_a_file_read_declaration_by_declaration_is_analysed_as_a_whole_parse_analyses_it(name, text, monkeypatch):
    streamed = _analysis(name, text, 0, monkeypatch)
    whole = _analysis(name, text, 10**12, monkeypatch)
    assert [(d.code, d.message, d.span, d.help) for d in streamed.diagnostics] == [
        (d.code, d.message, d.span, d.help) for d in whole.diagnostics
    ]
    assert (streamed.procedure is None) == (whole.procedure is None)
    if whole.procedure is not None:
        # Spans take no part in ==; compare them too.
        assert attrs.asdict(streamed.procedure, recurse=True) == attrs.asdict(whole.procedure, recurse=True)


def test_the_broken_file_above_is_broken_and_the_generated_one_is_not(monkeypatch):
    """The comparison covers both a file that parses and one that does not."""
    texts = dict(TEXTS)
    assert any(d.is_error for d in _analysis("broken.proc", texts["broken.proc"], 0, monkeypatch).diagnostics)
    assert _analysis("generated.proc", texts["generated.proc"], 0, monkeypatch).ok
