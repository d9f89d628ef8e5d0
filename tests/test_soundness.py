"""The soundness check: every case finishes, once, at an outcome, and every step can be reached.

Hand-written shapes for each finding, and a property test: procedures generated from
nested steps, decisions and parallel blocks are sound, and every case run through them
with each step done as soon as it opens reaches an outcome; with a defect planted, check
rejects them.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interpreter.pipeline import analyse_source
from interpreter.scenario import compile_procedure
from interpreter.simulate import simulate
from interpreter.source import SourceFile

HEADER = 'procedure "Test"\nend\nrole team "Team"\nfact a "A" is yes or no\nfact b "B" is yes or no\n'


def _codes(body: str) -> list[str]:
    analysis = analyse_source(SourceFile("t.proc", HEADER + body))
    return [d.code for d in analysis.diagnostics]


def test_two_branches_reaching_two_outcomes_is_reported_with_both():
    body = """start at split
parallel split "S"
  -> left
  -> right
end
step left "L" by team next won end
step right "R" by team next lost end
outcome won "Won"
outcome lost "Lost"
"""
    analysis = analyse_source(SourceFile("t.proc", HEADER.replace('fact a "A" is yes or no\nfact b "B" is yes or no\n', "") + body))
    found = [d for d in analysis.diagnostics if d.code == "P213"]
    assert len(found) == 1
    assert "`lost` and `won`" in found[0].message or "`won` and `lost`" in found[0].message


def test_an_outcome_after_a_decision_inside_a_branch_names_the_path_and_an_example():
    """The early outcome is reached only when a = yes: the note gives the path and the facts."""
    body = """start at split
parallel split "S"
  -> left
  -> check_a
end
step left "L" by team next together end
decision check_a "A?" by team
  when a -> early
  otherwise -> right
end
step right "R" by team next together end
join together "T" waits for all next done end
outcome early "Early"
outcome done "Done"
"""
    analysis = analyse_source(SourceFile("t.proc", HEADER.replace('fact b "B" is yes or no\n', "") + body))
    found = [d for d in analysis.diagnostics if d.code == "P213"]
    assert len(found) == 1
    assert any("`check_a` → `early`" in n for n in found[0].notes)
    assert any("a = yes" in n for n in found[0].notes)
    # Marked as settling the case, it is sound.
    marked = body.replace('outcome early "Early"', 'outcome early "Early" ends the whole case')
    assert "P213" not in [
        d.code for d in analyse_source(SourceFile("t.proc", HEADER.replace('fact b "B" is yes or no\n', "") + marked)).diagnostics
    ]


def test_a_side_branch_that_ends_is_sound():
    body = """start at split
parallel split "S"
  -> main
  -> side
end
step main "M" by team next done end
step side "Side" by team this branch ends end
outcome done "Done"
"""
    assert _codes(body) == ["P206", "P206"]  # only the facts this small procedure does not test


def test_a_case_whose_every_branch_ends_finishes_without_an_outcome():
    body = """start at split
parallel split "S"
  -> one
  -> two
end
step one "One" by team this branch ends end
step two "Two" by team this branch ends end
"""
    assert "P215" in _codes(body)


def test_a_step_ruled_out_by_an_earlier_decision_is_reported():
    """`when a -> x`, then after x `when not a -> y`: no facts reach y, though a path does."""
    body = """start at first
decision first "A?" by team
  when a -> x
  otherwise -> done
end
step x "X" by team next second end
decision second "Not A?" by team
  when not a -> y
  otherwise -> done
end
step y "Y" by team next done end
outcome done "Done"
"""
    codes = _codes(body)
    assert "P216" in codes and "P212" not in codes


def test_the_shapes_of_the_first_finding_are_sound():
    """A join after a decision with two routes into it, and two alternative steps of one branch leading in."""
    body = """start at split
parallel split "S"
  -> o1
  -> d2
end
step o1 "O1" by team next together end
decision d2 "D2" by team
  when a -> o2
  when not a and b -> o3
  otherwise -> together
end
step o2 "O2" by team next together end
step o3 "O3" by team next together end
join together "T" waits for all next done end
outcome done "Done"
"""
    assert _codes(body) == []


# ---- generated procedures ----------------------------------------------------------


def _blocks(depth: int) -> st.SearchStrategy:
    leaf = st.just(("step",))
    if depth == 0:
        return leaf
    inner = _blocks(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(st.just("seq"), inner, inner),
        st.tuples(st.just("decide"), inner, inner),
        st.tuples(st.just("parallel"), inner, inner),
    )


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.count = itertools.count()
        self.facts: list[str] = []  # one fact per decision: a fact tested twice on a path may rule a step out (P216)

    def name(self, kind: str) -> str:
        return f"{kind}{next(self.count)}"

    def block(self, tree: tuple, then: str) -> str:
        """Write a block that goes on to `then`; return its first node's name."""
        kind = tree[0]
        if kind == "step":
            name = self.name("s")
            self.lines.append(f'step {name} "{name}" by team next {then} end')
            return name
        if kind == "seq":
            second = self.block(tree[2], then)
            return self.block(tree[1], second)
        if kind == "decide":
            name = self.name("d")
            fact = f"fact_{name}"
            self.facts.append(fact)
            yes, no = self.block(tree[1], then), self.block(tree[2], then)
            self.lines.append(f'decision {name} "{name}" by team\n  when {fact} -> {yes}\n  otherwise -> {no}\nend')
            return name
        join = self.name("j")
        self.lines.append(f'join {join} "{join}" waits for all next {then} end')
        left, right = self.block(tree[1], join), self.block(tree[2], join)
        name = self.name("p")
        self.lines.append(f'parallel {name} "{name}"\n  -> {left}\n  -> {right}\nend')
        return name


def _procedure(tree: tuple) -> tuple[str, list[str]]:
    """The procedure's text, and the facts its decisions test."""
    writer = _Writer()
    first = writer.block(tree, "finished")
    facts = "".join(f'fact {f} "{f}" is yes or no\n' for f in writer.facts)
    text = 'procedure "Generated"\nend\nrole team "Team"\n' + facts + f"start at {first}\n" + "\n".join(writer.lines)
    return text + '\noutcome finished "Finished"\n', writer.facts


def _run_to_the_end(text: str, facts: dict[str, bool]) -> str | None:
    """Simulate a case that does every step the day after it opens; the outcome it reaches."""
    analysis = analyse_source(SourceFile("g.proc", text))
    plan, _ = compile_procedure(analysis)
    assert plan is not None
    day = date(2024, 1, 1)
    done: dict[str, date] = {"(start)": day}
    for _ in range(500):
        result = simulate(plan, facts, done, day + timedelta(days=1000))
        open_steps = [s.step for s in result.steps if s.state == "open" and s.step not in done]
        if not open_steps:
            return result.end
        day += timedelta(days=1)
        for name in open_steps:
            done[name] = day
    raise AssertionError("the case never settled")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=_blocks(4), answers=st.lists(st.booleans(), min_size=40, max_size=40))
def test_generated_procedures_are_sound_and_every_case_reaches_the_outcome(tree, answers):
    text, facts = _procedure(tree)
    analysis = analyse_source(SourceFile("g.proc", text))
    assert list(analysis.diagnostics) == [], text
    assert _run_to_the_end(text, dict(zip(facts, answers))) == "finished", text


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=_blocks(3))
def test_a_planted_second_outcome_or_dead_end_is_rejected(tree):
    text, _ = _procedure(("parallel", tree, ("step",)))
    # The last branch written goes to its own outcome instead of the join: two outcomes.
    step_line = next(line for line in reversed(text.splitlines()) if line.startswith("step ") and " next j" in line)
    two_outcomes = text.replace(step_line, step_line.rsplit(" next ", 1)[0] + " next other end") + 'outcome other "Other"\n'
    assert "P213" in [d.code for d in analyse_source(SourceFile("g.proc", two_outcomes)).diagnostics], two_outcomes
    # Or it stops dead, so the join it leads to can never open.
    dead_end = text.replace(step_line, step_line.rsplit(" next ", 1)[0] + " end")
    assert "P203" in [d.code for d in analyse_source(SourceFile("g.proc", dead_end)).diagnostics], dead_end


def test_the_order_of_the_arrows_does_not_change_what_check_finds():
    """An outcome that ends the whole case races the others: every order of the `->` lines gives the same findings."""
    arrows = ["-> sa", "-> sb", "-> sc"]
    body = """step sa "A" by team next o1 end
step sb "B" by team next o2 end
step sc "C" by team next o3 end
outcome o1 "O1"
outcome o2 "O2" ends the whole case
outcome o3 "O3"
"""
    found = set()
    for order in itertools.permutations(arrows):
        text = 'start at split\nparallel split "S"\n' + "\n".join(f"  {a}" for a in order) + "\nend\n" + body
        found.add(tuple(sorted(c for c in _codes(text) if c != "P206")))
    assert found == {("P213",)}


def test_a_loop_the_facts_cannot_leave_is_reported():
    body = """start at work
step work "Work" by team next again end
decision again "More to do?" by team
  when a -> work
  otherwise -> done
end
outcome done "Done"
"""
    analysis = analyse_source(SourceFile("t.proc", HEADER.replace('fact b "B" is yes or no\n', "") + body))
    found = [d for d in analysis.diagnostics if d.code == "P219"]
    assert len(found) == 1 and any("a = yes" in n for n in found[0].notes)


def test_an_otherwise_never_taken_leaves_its_step_unreached():
    body = """start at d
decision d "D" by team
  when a or not a -> x
  otherwise -> y
end
step x "X" by team next done end
step y "Y" by team next done end
outcome done "Done"
"""
    assert "P216" in _codes(body)


def test_a_decision_on_too_many_facts_is_left_with_a_note_not_minutes():
    facts = "".join(f'fact f{i} "F{i}" is yes or no\n' for i in range(20))
    condition = " and ".join(f"f{i}" for i in range(20))
    text = (
        'procedure "T"\nend\nrole team "Team"\n'
        + facts
        + f'start at d\ndecision d "D" by team\n  when {condition} -> x\n  otherwise -> y\nend\n'
    )
    text += 'step x "X" by team next done end\nstep y "Y" by team next done end\noutcome done "Done"\n'
    codes = [d.code for d in analyse_source(SourceFile("t.proc", text)).diagnostics]
    assert "P217" in codes and "P218" in codes


def test_an_ending_outcome_waits_for_a_decision_on_another_branch_without_a_false_finding():
    body = """start at split
parallel split "S"
  -> stop
  -> d
end
outcome stop "Stopped" ends the whole case
decision d "D?" by team
  when a -> side
  otherwise -> side2
end
step side "Side" by team this branch ends end
step side2 "Side 2" by team this branch ends end
"""
    assert _codes(body) == ["P206"]  # only `b`, which this procedure does not test


def test_the_facts_ahead_of_each_node_are_those_of_every_decision_it_can_reach():
    """Worked out over the flow's strongly connected parts, they equal a walk from each node, loops included."""
    from pathlib import Path

    from interpreter.soundness import _Explorer

    from conftest import ROOT

    files = [ROOT / "procedures/pan-sussex/cspr.proc", ROOT / "tests/simulate/batch_shapes.proc"]
    files += sorted(Path(ROOT / "tests/diagnostics").glob("*loop*.proc")) + sorted(Path(ROOT / "tests/diagnostics").glob("*cycle*.proc"))
    compared = 0
    for path in files:
        analysis = analyse_source(SourceFile(str(path), path.read_text()))
        if analysis.resolved is None or analysis.graph is None:
            continue
        explorer = _Explorer(analysis.resolved, analysis.graph)
        for name in explorer.nodes:
            seen, frontier = {name}, [name]
            while frontier:
                for target in explorer.onward[frontier.pop()]:
                    if target in explorer.nodes and target not in seen:
                        seen.add(target)
                        frontier.append(target)
            assert explorer.facts_ahead[name] == frozenset(f for n in seen for f in explorer.tested.get(n, ())), (path, name)
            compared += 1
    assert compared > 150


def test_a_loop_back_into_a_parallel_split_stops_the_search_with_a_note_not_for_ever():
    """Each time round, the split starts its branches again while the last ones still stand: no two states are
    alike. The search stops once more branches stand than any procedure runs at once, and says why. (It once ran
    until the machine's memory was gone.)"""
    text = """procedure "R"
  calendar england-and-wales
end
role lead "L"
fact f1 "a" is yes or no
start at n0
step n0 "S"
  by lead
  next n1
end
parallel n1 "P"
  -> n2
  -> n4
end
step n2 "S"
  by lead
  next n3
end
outcome n3 "O" ends the whole case
decision n4 "D"
  by lead
  when f1 -> n7
  otherwise -> n1
end
outcome n7 "O"
"""
    analysis = analyse_source(SourceFile("loop.proc", text))
    notes = [d for d in analysis.diagnostics if d.code == "P218"]
    assert len(notes) == 1 and "a loop must lead back into a parallel split" in notes[0].message


def test_a_join_whose_next_is_itself_is_a_loop_reported_not_a_check_that_never_ends(tmp_path):
    """A join led straight back to itself was released again and again by the search (a step passed
    twice in one settling is a loop, but a join was let through): `check` never finished. Run in its
    own process, so that were it to come back, the test fails rather than waits for ever."""
    import subprocess
    import sys

    path = tmp_path / "loop.proc"
    path.write_text(
        HEADER + 'start at first\nstep first "F" by team next together end\njoin together "T"\n  waits for all\n  next together\nend\n'
    )
    result = subprocess.run([sys.executable, "-m", "repl.cli", "check", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and result.stderr.count("error[P203]") == 1, result.stderr


def test_a_decision_branch_into_a_join_arrives_there_and_the_case_it_strands_is_found():
    """A decision's branch into a join was put at the join, not made to arrive: once joins passed twice
    in one settling counted as a loop, the case that ends with every branch ended (P215) went unseen.
    It was missed before that too where the join led on to a step that ends the branch."""
    split = """start at split
parallel split "S"
  -> gather
  -> triage
end
step gather "Gather" by team next together end
decision triage "Urgent?" by team
  when a -> together
  otherwise -> published
end
join together "T"
  waits for all
  {after}
end
outcome published "Published"
"""
    assert _codes(split.format(after="this branch ends")).count("P215") == 1
    assert _codes(split.format(after="next wrap") + 'step wrap "W" by team this branch ends end\n').count("P215") == 1
    # Where the join leads on to an outcome, nothing is stranded.
    assert "P215" not in _codes(split.format(after="next published"))
