"""Decision analysis over the facts a decision tests: gaps with an example, branches never taken, overlaps."""

from __future__ import annotations

from interpreter.conditions import FactSpace, example
from interpreter.pipeline import analyse_source
from interpreter.source import SourceFile

HEADER = 'procedure "Test"\nend\nrole crg "CRG"\nstart at decide\nstep a "A" by crg next done end\noutcome done "Done"\n'
B = 'step b "B" by crg next done end\n'


def _codes(body: str) -> list[tuple[str, str]]:
    analysis = analyse_source(SourceFile("t.proc", HEADER + body))
    return [(d.code, d.message) for d in analysis.diagnostics]


def test_or_over_every_choice_covers_the_decision():
    """`x is a or x is b` when a and b are all the choices: no gap, so no P204 (it used to warn)."""
    body = 'fact view "View" is one of notify, wait\ndecision decide "?" by crg\n  when view is notify or view is wait -> a\nend\n'
    assert _codes(body) == []


def test_is_one_of_covers_like_or():
    body = (
        B
        + 'fact view "View" is one of notify, wait, refuse\ndecision decide "?" by crg\n  when view is one of notify, wait -> a\n  when view is refuse -> b\nend\n'
    )
    assert _codes(body) == []


def test_a_numeric_split_finds_the_age_no_branch_takes():
    """`age < 18` then `age <= 24`, no otherwise: a 25-year-old has nowhere to go."""
    body = B + 'fact age "Age" is a number\ndecision decide "?" by crg\n  when age < 18 -> a\n  when age <= 24 -> b\nend\n'
    assert _codes(body) == [("P204", "decision `decide` has no branch for a case where age = 25")]


def test_a_gap_in_a_decision_that_must_be_taken_is_an_error():
    body = 'fact f "F" is yes or no\ndecision decide "?" must be done by crg\n  when f -> a\nend\n'
    analysis = analyse_source(SourceFile("t.proc", HEADER + body))
    assert [(d.code, d.is_error) for d in analysis.diagnostics] == [("P204", True)]


def test_an_example_meets_every_requirement():
    text = (
        HEADER
        + B
        + 'fact f "F" is yes or no\nfact age "Age" is a number\ndecision decide "?" by crg\n  when f and age >= 18 -> a\n  otherwise -> b\nend\n'
    )
    procedure = analyse_source(SourceFile("t.proc", text)).procedure
    assert procedure is not None
    space = FactSpace.of(procedure)
    decision = next(n for n in procedure.nodes if n.name == "decide")
    guard = decision.branches[0].guard  # type: ignore[union-attr]
    found = example(space, [(guard, True)])
    assert found is not None and found["f"] is True and found["age"] >= 18
    assert example(space, [(guard, True), (guard, False)]) is None


def test_a_branch_covered_by_several_before_it_names_them_all():
    body = B + 'step c "C" by crg next done end\nfact f "F" is yes or no\nfact g "G" is yes or no\n'
    body += 'decision decide "?" by crg\n  when f -> a\n  when not f -> b\n  when g -> c\nend\n'
    found = [message for code, message in _codes(body) if code == "P212"]
    assert found == ["in decision `decide`, the branch `when g` can never be taken: every case it holds for goes first to `a`, `b`"]


def test_each_must_deadline_needs_its_own_escalation():
    body = (
        'event e "E"\nfact f "F" is yes or no\ndecision decide "?" by crg\n  when f -> a\n  otherwise -> a\nend\n'
        'step a2 "A2"\n  by crg\n  should be done within 2 days after e\n  if late notify crg "x"\n  must be done within 5 days after e\n  next done\nend\n'
    )
    assert "P305" in [code for code, _ in _codes(body.replace("-> a\n  otherwise -> a", "-> a2\n  otherwise -> a"))]
