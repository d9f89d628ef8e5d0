"""Path conditions: the facts under which a case reaches each step (`check --paths`, and `verify`)."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from interpreter.conditions import FactSpace
from interpreter.path_conditions import ALWAYS, NEVER, described, path_conditions
from interpreter.pipeline import analyse_bytes

HEADER = 'procedure "Paths"\n  calendar england-and-wales\nend\nrole team "Team"\n'


def _conditions(text: str, clean: bool = True):
    analysis = analyse_bytes((HEADER + text).encode(), "paths.proc")
    assert analysis.ok or not clean, analysis.diagnostics
    found = path_conditions(analysis.resolved, analysis.graph)
    return found, analysis


ROUTE = """
fact harmed "H" is yes or no
fact age "Age" is a number
fact route "Route" is one of mash, referral, review
start at first
decision first "Which?" by team
  when harmed and age < 18 -> child
  when route is one of mash, referral -> adult_referred
  otherwise -> other
end
step child "Child" by team next split end
parallel split "Both" -> a -> b end
step a "A" by team next together end
decision b "B?" by team
  when route is mash -> b_yes
  otherwise -> together
end
step b_yes "B yes" by team next together end
join together "Together" waits for all next done end
step adult_referred "Adult" by team next done end
step other "Other" by team next done end
outcome done "Done"
"""


def test_a_branch_holds_only_when_no_branch_before_it_does():
    found, _ = _conditions(ROUTE)
    text = {name: described(found.diagrams, found.of(name)) for name in ("child", "adult_referred", "other")}
    assert text["child"] == "harmed and age <= 17"
    assert "route is not review" in text["adult_referred"] and "not harmed" in text["adult_referred"]
    assert "age >= 18" in text["adult_referred"]
    assert "route is review" in text["other"]


def test_a_split_passes_its_condition_on_and_a_join_is_reached_by_any_arrow():
    found, _ = _conditions(ROUTE)
    diagrams = found.diagrams
    assert found.of("a") == found.of("child")
    assert described(diagrams, found.of("b_yes")) == "harmed and age <= 17 and route is mash"
    assert found.of("together") == found.of("child"), "the arrow from `a` always comes, so the join is reached whenever the split is"
    assert found.of("done") == ALWAYS


def test_a_step_no_facts_lead_to_is_never_reached():
    found, _ = _conditions(
        """
fact f "F" is yes or no
start at d
decision d "D?" by team
  when f -> x
  when f -> y
  otherwise -> x
end
step x "X" by team next done end
step y "Y" by team next done end
outcome done "Done"
"""
    )
    assert found.of("y") == NEVER
    assert found.of("x") == ALWAYS


def test_a_loop_ends():
    """`check` reports this loop (P219); working out the conditions must still end."""
    found, _ = _conditions(
        """
fact again "Again" is yes or no
start at work
step work "Work" by team next check end
decision check "Again?" by team
  when again -> work
  otherwise -> done
end
outcome done "Done"
""",
        clean=False,
    )
    assert found.of("work") == ALWAYS
    assert described(found.diagrams, found.of("done")) == "not again", "with `again`, the case never leaves the loop"


def test_check_paths_shows_each_way_as_a_note(cli, tmp_path):
    (tmp_path / "p.proc").write_text(HEADER + ROUTE, encoding="utf-8")
    result = cli("check", "--paths", str(tmp_path / "p.proc"))
    assert result.code == 0, result.err
    assert "note[P220]: step `child` is reached when harmed and age <= 17" in result.err
    assert "step `adult_referred` is reached in any of" in result.err
    assert "outcome `done` is reached whatever the facts" in result.err


# ---- a law: the condition of each branch's target is exactly when the decision takes it ------

_FACTS = ("p", "q", "r")
_ATOMS = st.sampled_from(["p", "not p", "q", "not q", "r", "not r", "n < 3", "n >= 5", "k is a", "k is one of a, b"])
_GUARDS = st.recursive(
    _ATOMS, lambda inner: st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"), max_leaves=4
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_GUARDS, min_size=1, max_size=4))
def test_each_branch_condition_is_exactly_when_the_decision_takes_it(guards):
    branches = "\n".join(f"  when {g} -> t{i}" for i, g in enumerate(guards))
    steps = "\n".join(f'step t{i} "T{i}" by team next done end' for i in range(len(guards)))
    found, analysis = _conditions(
        'fact p "P" is yes or no\nfact q "Q" is yes or no\nfact r "R" is yes or no\nfact n "N" is a number\n'
        'fact k "K" is one of a, b, c\nstart at d\n'
        f'decision d "D?" by team\n{branches}\n  otherwise -> rest\nend\n{steps}\nstep rest "Rest" by team next done end\noutcome done "Done"\n'
    )
    from interpreter.conditions import holds

    space = FactSpace.of(analysis.procedure)
    decision = next(n for n in analysis.procedure.nodes if n.name == "d")
    names = sorted(space.domains)
    for values in itertools.product(*(space.domains[n] for n in names)):
        facts = dict(zip(names, values))
        taken = next((b.target.name for b in decision.branches if holds(b.guard, facts)), "rest")
        for target in [f"t{i}" for i in range(len(guards))] + ["rest"]:
            assert found.diagrams.holds(found.of(target), facts) == (target == taken), (target, facts)


def test_twenty_yes_or_no_facts_in_one_decision_are_quick():
    """The diagrams stay small: each fact is one level, whatever the number of combinations (2^20 here)."""
    facts = "".join(f'fact f{i} "F{i}" is yes or no\n' for i in range(20))
    branches = "".join(f"  when f{i} and not f{(i + 1) % 20} -> s{i}\n" for i in range(20))
    steps = "".join(f'step s{i} "S{i}" by team next done end\n' for i in range(20))
    found, _ = _conditions(
        f'{facts}start at d\ndecision d "D?" by team\n{branches}  otherwise -> last\nend\n{steps}step last "L" by team next done end\noutcome done "Done"\n'
    )
    assert found.of("done") == ALWAYS
    assert "f19" in described(found.diagrams, found.of("s19"))


def test_facts_joined_by_and_sit_together_so_pairs_stay_small():
    """`(a0 and b0) or (a1 and b1) ...` after a decision that tests every a first: exponential in the
    first-tested order (a0..a19, b0..b19), linear with each pair side by side."""
    facts = "".join(f'fact a{i} "A{i}" is yes or no\n' for i in range(20)) + "".join(f'fact b{i} "B{i}" is yes or no\n' for i in range(20))
    every = " or ".join([f"a{i}" for i in range(20)] + [f"b{i}" for i in range(20)])
    pairs = " or ".join(f"(a{i} and b{i})" for i in range(20))
    found, _ = _conditions(
        f'{facts}start at first\ndecision first "First" by team\n  when {every} -> second\n  otherwise -> second\nend\n'
        f'decision second "Second" by team\n  when {pairs} -> yes_out\n  otherwise -> no_out\nend\n'
        'outcome yes_out "Yes"\noutcome no_out "No"\n'
    )
    assert found.of("yes_out") != NEVER
    assert len(found.diagrams) < 5_000, len(found.diagrams)
