"""The batch's compiled plan gives the full simulator's results, or declines and leaves the case to it.

For every step a case reached, the compiled plan reports its state, due date, the
day it was done, whether it was late, and the day it opened: the fields a batch's
figures are made of. Here they are compared with the full simulator's on the
shipped scenarios and on a thousand generated cases over several procedures.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interpreter import model as m
from interpreter.batch_plan import BatchPlan
from interpreter.scenario import load_case
from interpreter.simulate import simulate
from repl.procedure_cache import ProcedureCache

from conftest import ROOT

# Procedures whose shapes differ: Pan-Sussex (joins waiting for all and for any, many
# decisions), the small review, every shape at once, the national specification, a
# deadline counted from a parallel branch, and one path with no parallel work at all.
PROCEDURES = [
    "procedures/pan-sussex/cspr.proc",
    "tests/simulate/review.proc",
    "tests/simulate/batch_shapes.proc",
    "procedures/national/working-together-2023.proc",
    "tests/time/anchor_on_parallel_branch.proc",
    "tests/simulate/one_path.proc",
]
_procedures = ProcedureCache()


def _compiled(path: str):
    _, plan, _ = _procedures.get(ROOT / path)
    assert plan is not None, f"{path} no longer compiles"
    batch_plan = BatchPlan.compile(plan)
    assert batch_plan is not None, f"{path} is no longer compiled for batches"
    return plan, batch_plan


def _full_results(plan, facts, happenings, as_of):
    """The full simulator's results, cut to what the compiled plan reports: the steps reached."""
    result = simulate(plan, facts, happenings, as_of)
    return tuple((s.step, s.state, s.due, s.done_on, s.late, s.opened_on) for s in result.steps if s.opened_on is not None)


def _scenario_files():
    return sorted(p for p in ROOT.rglob("*.case") if ".venv" not in p.parts)


def test_the_compiled_plan_agrees_with_the_simulator_on_every_shipped_scenario():
    """Every scenario the compiled plan can run (no fact learnt on a date) gives the simulator's results."""
    compared = declined = 0
    for path in _scenario_files():
        loaded = load_case(path.read_bytes(), str(path), _procedures)
        if not loaded.runnable or loaded.learnt or loaded.case is None or loaded.case.as_of is None:
            continue
        batch_plan = BatchPlan.compile(loaded.plan)
        if batch_plan is None or not batch_plan.accepts(loaded.facts, loaded.happenings):
            continue
        compiled = batch_plan.run(loaded.facts, loaded.happenings, loaded.case.as_of)
        if compiled is None:
            declined += 1
            continue
        assert tuple(compiled) == _full_results(loaded.plan, loaded.facts, loaded.happenings, loaded.case.as_of), path
        compared += 1
    # The shipped scenarios are the procedures' own tests: most of them must take the compiled way.
    assert compared >= 20, (compared, declined)


@st.composite
def generated_cases(draw):
    """A case for one of the procedures: any facts (some unknown), and any of its events, steps
    and decisions recorded on any dates, mostly in the order a case would run."""
    path = draw(st.sampled_from(PROCEDURES))
    plan, batch_plan = _compiled(path)
    facts = {}
    for name, fact in plan.facts.items():
        if draw(st.integers(0, 9)) == 0:
            continue  # unknown
        if fact.type == m.FactType.BOOLEAN:
            facts[name] = draw(st.booleans())
        elif fact.type == m.FactType.CHOICE:
            facts[name] = draw(st.sampled_from([c.name for c in fact.choices]))
        else:
            facts[name] = draw(st.integers(0, 40))
    start = date(2024, 1, 1) + timedelta(days=draw(st.integers(0, 700)))
    happenings = {event: start for event in plan.events if draw(st.integers(0, 5))}
    # Walk the flow, recording most of what is reached, on increasing dates (or, now and then, earlier).
    when = start
    frontier = [plan.start] if plan.start else []
    seen = set()
    while frontier and len(happenings) < 40:
        name = frontier.pop(draw(st.integers(0, len(frontier) - 1)))
        if name in seen:
            continue
        seen.add(name)
        node = plan.nodes[name]
        if isinstance(node, (m.Step, m.Decision)) and draw(st.integers(0, 6)):
            when += timedelta(days=draw(st.integers(-2, 25)))
            happenings[name] = when
        frontier += list(plan.onward.get(name, ()))
    # Seen on a random day, or on the very day something falls due, where late and on time part.
    dues = sorted({s.due for s in simulate(plan, facts, happenings, date(2027, 1, 1)).steps if s.due is not None})
    if dues and draw(st.booleans()):
        as_of = draw(st.sampled_from(dues)) + timedelta(days=draw(st.sampled_from([-1, 0, 0, 1])))
    else:
        as_of = start + timedelta(days=draw(st.integers(-5, 400)))
    return path, plan, batch_plan, facts, happenings, as_of


@settings(max_examples=1_000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(generated_cases())
def test_the_compiled_plan_agrees_with_the_simulator_on_generated_cases(case):
    """On a thousand generated cases, whatever the compiled plan answers is the simulator's answer."""
    path, plan, batch_plan, facts, happenings, as_of = case
    assert batch_plan.accepts(facts, happenings)
    compiled = batch_plan.run(facts, happenings, as_of)
    if compiled is not None:
        assert tuple(compiled) == _full_results(plan, facts, happenings, as_of), path


def test_the_compiled_plan_answers_most_generated_cases():
    """The comparison above is not empty: the compiled plan runs nearly all generated cases itself."""
    import random

    rng = random.Random(20261206)
    answered = 0
    for index in range(300):
        path = PROCEDURES[index % len(PROCEDURES)]
        plan, batch_plan = _compiled(path)
        facts = {name: rng.choice([True, False]) for name, fact in plan.facts.items() if fact.type == m.FactType.BOOLEAN}
        facts |= {name: rng.choice(fact.choices).name for name, fact in plan.facts.items() if fact.type == m.FactType.CHOICE}
        facts |= {name: rng.randint(0, 30) for name, fact in plan.facts.items() if fact.type == m.FactType.NUMBER}
        start = date(2024, 3, 1)
        happenings = {event: start for event in plan.events}
        happenings |= {name: start + timedelta(days=2 * place) for place, name in enumerate(plan.nodes) if plan.task(name) is not None}
        answered += batch_plan.run(facts, happenings, start + timedelta(days=365)) is not None
    assert answered >= 250, answered  # 269 of 300 when written: the rest need a join released


def test_a_value_of_another_kind_is_not_accepted():
    """The number 1 is not `yes`, a word is not a number, and an unknown name is refused: the full path reports them."""
    plan, batch_plan = _compiled("tests/simulate/review.proc")
    aware = {"aware": date(2024, 5, 1)}
    assert batch_plan.accepts({"abuse_suspected": True, "age": 9}, aware)
    assert batch_plan.accepts({"abuse_suspected": None}, aware)
    assert not batch_plan.accepts({"abuse_suspected": 1, "age": 9}, aware)
    assert not batch_plan.accepts({"abuse_suspected": True, "age": True}, aware)
    assert not batch_plan.accepts({"abuse_suspected": True, "age": "nine"}, aware)
    assert not batch_plan.accepts({"agee": 9}, aware)
    assert not batch_plan.accepts({"age": 9}, {"awre": date(2024, 5, 1)})


def test_a_procedure_whose_escalations_move_a_case_is_left_to_the_simulator():
    """An escalation that opens a step restarts the walk, which only the simulator does: no compiled plan is made."""
    _, plan, _ = _procedures.get(ROOT / "tests/render/parallel_and_escalation.proc")
    assert plan is not None
    assert any(e.action == m.EscalationAction.ESCALATE for node in plan.nodes.values() for e in m.escalations_of(node))
    assert BatchPlan.compile(plan) is None


def test_a_procedure_with_a_decision_that_waits_for_its_earliest_day_is_left_to_the_simulator(tmp_path):
    """A decision with a lower bound is taken on its earliest day, not when its facts decide it: the simulator's to do."""
    from test_simulate import _DECISION_WITH_A_LOWER_BOUND

    path = tmp_path / "wait.proc"
    path.write_text(_DECISION_WITH_A_LOWER_BOUND)
    _, plan, _ = ProcedureCache().get(path)
    assert plan is not None
    assert BatchPlan.compile(plan) is None


def test_a_batch_counts_the_same_with_and_without_the_compiled_plan(cli, tmp_path, monkeypatch):
    """Over generated cases of every shape (some with mistakes, some learning facts), the summary is the same both ways,
    and the compiled plan ran most of them."""
    import random

    from repl import batch

    rng = random.Random(7)
    count = 900  # under a chunk: run in this process, where the compiled runs can be counted
    monkeypatch.setattr(batch, "_KEYS_COUNTED_TOGETHER", 5)  # what plain cases count is gathered and counted many times
    for index in range(count):
        start = date(2024, 1, 1) + timedelta(days=rng.randint(0, 300))
        lines = [f'case "Generated {index}"', "  as of 2025-01-01", "end", "facts"]
        lines += [f"  urgent is {rng.choice(['yes', 'no', 'unknown'])}", f"  route is {rng.choice(['mash', 'referral', 'police'])}"]
        learns_age = index % 50 == 0
        age = "unknown" if learns_age else rng.randint(0, 20)
        lines += [f"  age is {age}", f"  family_agrees is {rng.choice(['yes', 'no'])}", "end", f"on {start} aware"]
        when = start
        for name in ["intake", "triage", "fast", "slow", "gather", "family", "family_view", "watch", "family_done", "report", "send"]:
            if rng.random() < 0.7:
                when += timedelta(days=rng.randint(0, 12))
                lines.append(f"on {when} {name} done")
        if learns_age:
            lines.append(f"on {when} age is 12")  # a fact learnt on a date: the full path's
        if index % 97 == 0:
            lines.append("on 2024-01-01 nonsense done")  # an unknown name: the case cannot run
        (tmp_path / f"case-{index:05d}.case").write_text("\n".join(lines) + "\n")
    arguments = ("simulate", str(ROOT / "tests/simulate/batch_shapes.proc"), str(tmp_path), "--summary", "--format", "json")

    answered = []
    run, count_plain_case = batch.BatchPlan.run, batch.BatchPlan.count_plain_case
    monkeypatch.setattr(batch.BatchPlan, "run", lambda self, *args: answered.append(run(self, *args)) or answered[-1])
    counted_straight = []
    monkeypatch.setattr(
        batch.BatchPlan,
        "count_plain_case",
        lambda self, *args: counted_straight.append(count_plain_case(self, *args)) or counted_straight[-1],
    )
    batch._batch_plans.clear()
    with_plan = cli(*arguments)
    monkeypatch.setattr(batch.BatchPlan, "compile", classmethod(lambda cls, plan: None))
    batch._batch_plans.clear()
    without_plan = cli(*arguments)
    batch._batch_plans.clear()

    assert json.loads(with_plan.out) == json.loads(without_plan.out)
    assert json.loads(with_plan.out)["unrunnable"] == len(range(0, count, 97))
    assert sum(steps is not None for steps in answered) + sum(counted_straight) > count // 2


def test_the_batch_shapes_procedure_exercises_what_it_is_for():
    """The shapes the file exists for are there: an outcome ending the whole case, joins of both kinds, every deadline kind."""
    plan, _ = _compiled("tests/simulate/batch_shapes.proc")
    nodes = list(plan.nodes.values())
    assert any(isinstance(n, m.Outcome) and n.ends_case for n in nodes)
    assert {n.mode for n in nodes if isinstance(n, m.Join)} == {m.JoinMode.ALL, m.JoinMode.ANY}
    assert {d.kind for n in nodes for d in m.deadlines_of(n)} == set(m.DeadlineKind)
    assert Path(ROOT / "tests/simulate/batch_shapes.proc").exists()


# ---- what a batch's folder may hold (found by a hostile reader) ----------------------


def _stopped_case(folder: Path, name: str = "stopped.case", as_of: str = "  as of 2024-03-29\n") -> Path:
    """A batch_shapes case that ends at `stopped` (an outcome ending the whole case) with `gather` and `watch` open."""
    path = folder / name
    path.write_text(
        f'case "stopped"\n{as_of}end\nfacts\n  urgent is no\n  route is police\n  age is 10\n  family_agrees is no\nend\n'
        "on 2024-01-08 aware\non 2024-01-09 intake done\non 2024-01-10 triage done\non 2024-01-11 family done\n"
    )
    return path


def _summary(cli, folder, *more):
    result = cli("simulate", str(ROOT / "tests/simulate/batch_shapes.proc"), str(folder), "--summary", "--format", "json", *more)
    return result, json.loads(result.out) if result.out else None


def test_steps_a_case_reached_before_it_ended_whole_are_counted_lapsed_not_open(cli, tmp_path):
    """As `simulate` shows the case alone (`gather` and `watch` not applicable once it ended), the summary counts them lapsed."""
    _stopped_case(tmp_path)
    alone = json.loads(
        cli("simulate", str(ROOT / "tests/simulate/batch_shapes.proc"), str(tmp_path / "stopped.case"), "--format", "json").out
    )
    states = {step["step"]: step["state"] for step in alone["steps"]}
    assert states["gather"] == states["watch"] == "not_applicable"
    _, summary = _summary(cli, tmp_path)
    rows = {row["step"]: row for row in summary["steps"]}
    assert (rows["gather"]["lapsed"], rows["gather"]["open"]) == (1, 0)
    assert (rows["watch"]["lapsed"], rows["watch"]["open"]) == (1, 0)
    table = cli("simulate", str(ROOT / "tests/simulate/batch_shapes.proc"), str(tmp_path), "--summary").out
    assert "lapsed" in table.splitlines()[2]


def test_a_case_with_no_as_of_runs_in_a_batch_as_of_today_as_it_does_alone(cli, tmp_path):
    _stopped_case(tmp_path, as_of="")
    result, summary = _summary(cli, tmp_path)
    assert (summary["cases"], summary["unrunnable"], result.code) == (1, 0, 0)


def test_what_cannot_be_read_in_a_folder_is_counted_as_a_case_that_could_not_run(cli, tmp_path):
    """A link that loops, a broken link and a pipe named .case are counted, not passed over and not a crash."""
    import os

    _stopped_case(tmp_path)
    (tmp_path / "loop.case").symlink_to("loop.case")
    (tmp_path / "broken.case").symlink_to("nowhere.case")
    os.mkfifo(tmp_path / "pipe.case")
    (tmp_path / "notes.txt").write_text("not a case")
    result, summary = _summary(cli, tmp_path)
    assert (summary["cases"], summary["unrunnable"], result.code) == (1, 3, 1)
    _, by_glob = _summary(cli, f"{tmp_path}/*.case")
    assert by_glob == summary


def test_a_folder_that_cannot_be_listed_is_counted_not_a_crash(cli, tmp_path, monkeypatch):
    """(Run as root, a folder with no permissions can still be listed: the refusal is made here.)"""
    import os

    from repl import batch

    _stopped_case(tmp_path)
    (tmp_path / "locked").mkdir()
    _stopped_case(tmp_path / "locked")
    listing = os.scandir

    def refusing(path):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return listing(path)

    monkeypatch.setattr(batch.os, "scandir", refusing)
    result, summary = _summary(cli, tmp_path)
    assert (summary["cases"], summary["unrunnable"], result.code) == (1, 1, 1)


def test_a_folder_refused_part_way_through_its_listing_is_counted_not_a_crash(cli, tmp_path, monkeypatch):
    """Some folders open, then refuse to be read on (/proc/1/map_files, as root): what was listed
    is walked, and the folder counts as a case that could not run, in a batch and in `check`."""
    import os

    _stopped_case(tmp_path)
    (tmp_path / "odd").mkdir()
    _stopped_case(tmp_path / "odd")
    (tmp_path / "odd" / "x.proc").write_text("")
    listing = os.scandir

    class RefusingPartWay:
        def __init__(self, path):
            with listing(path) as inner:  # the case first, then the refusal before x.proc
                self.entries = iter(sorted(inner, key=lambda entry: not entry.name.endswith(".case")))
            self.given = 0

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            pass

        def __iter__(self):
            return self

        def __next__(self):
            if self.given == 1:
                raise PermissionError(13, "Permission denied")
            self.given += 1
            return next(self.entries)

    monkeypatch.setattr(os, "scandir", lambda path: RefusingPartWay(path) if str(path).endswith("odd") else listing(path))
    result, summary = _summary(cli, tmp_path)
    # Both cases run, the one in the folder listed before it refused included; the folder counts as one that could not.
    assert (summary["cases"], summary["unrunnable"], result.code) == (2, 1, 1)
    checked = cli("check", str(tmp_path / "odd"))
    assert checked.code == 2 and f"cannot read `{tmp_path / 'odd'}`: permission denied" in checked.err


def _tree(root: Path) -> None:
    for name in ["a.case", "b.txt", ".hidden.case", "x/c.case", "x/y/d.case", "x/.h/e.case", "x/y.case/f.case", "z/g.case"]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("")


@pytest.mark.parametrize(
    "pattern",
    [
        "**/*.case",
        "*.case",
        "*/*.case",
        "x/**/*.case",
        "**/y*",
        "x/*/*.case",
        ".*.case",
        "x/.h/*.case",
        "**",
        "[ax]*",
        "nothing/*.case",
        # A pattern ending in a separator names only folders, written with it: none ends in .case.
        "*/",
        "*.case/",
        "**/",
        "x/**/*.case/",
    ],
)
def test_a_glob_names_what_pythons_glob_names_where_no_link_leads_to_a_folder(tmp_path, monkeypatch, pattern):
    import glob

    from repl.batch import _glob_matches

    _tree(tmp_path)
    for written in (pattern, f"{tmp_path}/{pattern}"):
        monkeypatch.chdir(tmp_path)
        # What a batch takes of them: the names that end in .case.
        expected = sorted(match for match in glob.iglob(written, recursive=True) if match.endswith(".case"))
        assert sorted(match for match in _glob_matches(written) if match.endswith(".case")) == expected, written


def test_a_recursive_glob_does_not_go_round_links_back_up_the_tree(cli, tmp_path):
    """Two links back up a folder tree made Python's glob search without end; each case is counted once, as a folder walk counts it."""
    (tmp_path / "cases" / "inner").mkdir(parents=True)
    _stopped_case(tmp_path / "cases")
    _stopped_case(tmp_path / "cases" / "inner")
    (tmp_path / "cases" / "inner" / "up").symlink_to("..")
    (tmp_path / "cases" / "inner" / "up_again").symlink_to("..")
    _, walked = _summary(cli, tmp_path / "cases")
    _, globbed = _summary(cli, f"{tmp_path}/cases/**/*.case")
    assert walked["cases"] == 2
    assert globbed == walked


@pytest.mark.parametrize("pattern", ["**/*.case", "**/**/*.case", "cases/**/x/**/*.case", "cases/*/*.case"])
def test_a_case_a_glob_names_twice_is_counted_once(cli, tmp_path, pattern):
    """A folder named like a case (2024.case) is walked, and `**` also named the case inside it; `**/**`, or two `**`,
    name one file by more than one way (as Python's glob does): each case is counted once."""
    (tmp_path / "cases" / "x" / "x" / "2024.case").mkdir(parents=True)
    _stopped_case(tmp_path / "cases" / "x" / "x" / "2024.case", "inside.case")
    _stopped_case(tmp_path / "cases" / "x", "beside.case")
    _, summary = _summary(cli, f"{tmp_path}/{pattern}")
    expected = 1 if pattern == "cases/*/*.case" else 2
    assert (summary["cases"], summary["unrunnable"]) == (expected, 0), pattern


def test_a_tree_a_thousand_folders_deep_is_walked_and_globbed_not_a_crash(cli, tmp_path, deep_folders):
    """Walked by recursion, a folder tree 1,100 deep ran out of Python's stack: an internal error, by folder and by glob."""
    (tmp_path / "cases").mkdir()
    _stopped_case(tmp_path / "cases")
    _stopped_case(deep_folders(tmp_path / "cases", 1_100), "deep.case")
    _, walked = _summary(cli, tmp_path / "cases")
    assert (walked["cases"], walked["unrunnable"]) == (2, 0)
    _, globbed = _summary(cli, f"{tmp_path}/cases/**/*.case")
    assert globbed == walked
    _, stars = _summary(cli, f"{tmp_path}/cases/{'*/' * 1_100}*.case")  # a pattern as deep as the tree
    assert (stars["cases"], stars["unrunnable"]) == (1, 0)


# ---- a plain case counted straight from its bytes ------------------------------------


def _case_text(draw, facts, happenings, as_of) -> bytes:
    """A case file for these inputs in the generated shape, now and then bent out of it (or out of ASCII)."""
    words = {True: "yes", False: "no", None: "unknown"}
    title = draw(st.sampled_from(["Generated"] * 8 + ["tab\there", "control \x01 char", "Zoë", 'quote \\" inside', "", "LATIN-1"]))
    header = []
    if as_of is not None:
        header.append(f"  as of {as_of.isoformat()}")
    header += draw(st.sampled_from([[]] * 8 + [['  procedure "elsewhere.proc"'], ["  as of 2030-01-01"], ["  as of 2024-02-30"]]))
    fact_lines = [
        f"  {name} is {words.get(value, value) if isinstance(value, bool) or value is None else value}" for name, value in facts.items()
    ]
    fact_lines += draw(st.sampled_from([[]] * 8 + [["  no_such_fact is yes"], ["  end is yes"]]))
    if fact_lines and draw(st.integers(0, 19)) == 19:
        fact_lines.append(fact_lines[0])  # a fact given twice
    happening_lines = [
        f"on {day.isoformat()}{draw(st.sampled_from([' ', '  ', chr(9)]))}{name}{draw(st.sampled_from(['', ' done', ' done  ']))}"
        for name, day in sorted(happenings.items(), key=lambda item: item[1])
    ]
    bend = draw(st.integers(0, 24))
    if bend == 16 and happening_lines:
        happening_lines[0] = "  " + happening_lines[0]  # indented: still plain, but not where a batch cuts it
    elif bend == 17 and happening_lines:
        happening_lines[-1] += " # noted later"  # a comment: the line reader's
    elif bend == 18 and happening_lines:
        happening_lines[0] += "\r"  # one line ending the Windows way
    elif bend == 19 and happening_lines:
        happening_lines[0] += " done again"
    elif bend == 20 and len(happening_lines) > 1:
        happening_lines.reverse()  # out of date order
    elif bend == 21 and happening_lines:
        happening_lines.append(happening_lines[-1])  # recorded twice
    elif bend == 22:
        happening_lines.append("on 2030-01-01 no_such_step done")
    elif bend == 23:
        happening_lines.append("on 2030-02-30 aware")  # no such day
    elif bend == 24:
        happening_lines.append("on 2030-01-01 facts done")  # a keyword where a name goes
    lines = [f'case "{title}"', *header, "end", "facts", *fact_lines, "end", *happening_lines]
    text = "\n".join(lines) + draw(st.sampled_from(["\n", "\n", ""]))
    ending = draw(st.integers(0, 24))
    if ending == 22:
        text = text.replace("\n", "\r\n")
    elif ending == 23:
        text = "\ufeff" + text
    elif ending == 24:
        text = "# a comment first\n" + text
    return text.encode("utf-8").replace(b"LATIN-1", b"Zo\xeb")  # not UTF-8: not text at all


def _counted_the_longer_way(plan, batch_plan, data: bytes, as_of, today):
    """What a batch counts of a case without count_plain_case: the quick reader, then the plan or the simulator."""
    from collections import Counter

    from interpreter.statistics import days_taken
    from repl.batch import steps_of_plain_case

    steps = steps_of_plain_case(data, "generated.case", plan, batch_plan, as_of, today)
    if steps is None:
        return None  # the full reader's, which reports what is wrong
    return Counter((step.step, step.state, step.late, days_taken(step)) for step in steps)


@settings(max_examples=1_000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(generated_cases(), st.data())
def test_a_plain_case_counted_straight_from_its_bytes_counts_as_the_longer_way(case, data):
    """count_plain_case counts what the quick reader and the plan (or the simulator) count, or declines and counts nothing."""
    from collections import Counter

    path, plan, batch_plan, facts, happenings, as_of = case
    case_as_of = data.draw(st.sampled_from([as_of, None]))
    batch_as_of = data.draw(st.sampled_from([None, None, as_of + timedelta(days=data.draw(st.integers(-30, 30)))]))
    text = _case_text(data.draw, facts, happenings, case_as_of)
    today = date(2026, 12, 6)
    found: list = []
    if not batch_plan.count_plain_case(text, batch_as_of, today, found):
        assert not found, "declined after counting"
        return
    assert Counter(found) == _counted_the_longer_way(plan, batch_plan, text, batch_as_of, today), (path, text)


def _plain_cases(rng, count: int):
    """Plain ASCII cases for the procedures in turn, as a case system exports them: (procedure, plan, batch plan, bytes).
    Each procedure's batch plan is made once, so what it remembers of one case serves the next, as in a batch."""
    compiled = {path: _compiled(path) for path in PROCEDURES}
    for index in range(count):
        path = PROCEDURES[index % len(PROCEDURES)]
        plan, batch_plan = compiled[path]
        facts = {}
        for name, fact in plan.facts.items():
            if fact.type == m.FactType.BOOLEAN:
                facts[name] = rng.choice([True, False, None])
            elif fact.type == m.FactType.CHOICE:
                facts[name] = rng.choice(fact.choices).name
            else:
                facts[name] = rng.randint(0, 30)
        day = date(2024, 1, 1) + timedelta(days=rng.randint(0, 600))
        happenings = {event: day for event in plan.events}
        for name in plan.nodes:
            if plan.task(name) is not None and rng.random() < 0.7:
                day += timedelta(days=rng.randint(0, 15))
                happenings[name] = day
        as_of = day + timedelta(days=rng.randint(-30, 60))
        yield path, plan, batch_plan, _plain_text(facts, happenings, as_of)


def _plain_text(facts, happenings, as_of) -> bytes:
    words = {True: "yes", False: "no", None: "unknown"}
    lines = ['case "Exported"', f"  as of {as_of.isoformat()}", "end", "facts"]
    lines += [f"  {name} is {words[value] if value is None or isinstance(value, bool) else value}" for name, value in facts.items()]
    lines += ["end"] + [f"on {day.isoformat()} {name} done" for name, day in sorted(happenings.items(), key=lambda item: item[1])]
    return ("\n".join(lines) + "\n").encode()


def test_most_plain_cases_are_counted_straight_from_their_bytes():
    """The property test above is not empty: nearly every plain case of every procedure is counted straight, and as the longer way counts it."""
    import random
    from collections import Counter

    rng = random.Random(20261206)
    straight = Counter()
    for path, plan, batch_plan, text in _plain_cases(rng, 300):
        found: list = []
        if batch_plan.count_plain_case(text, None, date(2026, 12, 6), found):
            straight[path] += 1
            assert Counter(found) == _counted_the_longer_way(plan, batch_plan, text, None, date(2026, 12, 6)), (path, text)
    # The rest need a join released by arrows that can no longer come: the simulator's.
    assert sum(straight.values()) >= 200 and set(straight) == set(PROCEDURES), straight


def test_counting_straight_holds_when_what_it_remembers_is_forgotten_often(monkeypatch):
    """With room for two answers in each lookup, cleared again and again, the counts are the same as the longer way's."""
    import random
    from collections import Counter

    from interpreter import batch_plan as compiled_plans

    monkeypatch.setattr(compiled_plans, "_MOST_ANSWERS_KEPT", 2)
    monkeypatch.setattr(compiled_plans, "_MOST_WALKS_KEPT", 2)
    rng = random.Random(7)
    compared = 0
    for _, plan, batch_plan, text in _plain_cases(rng, 240):
        found: list = []
        if batch_plan.count_plain_case(text, None, date(2026, 12, 6), found):
            compared += 1
            assert Counter(found) == _counted_the_longer_way(plan, batch_plan, text, None, date(2026, 12, 6)), text
    assert compared >= 150


def test_a_due_date_the_calendar_cannot_give_is_left_to_the_simulator():
    """Notified in the calendar's last days, `notify`'s due date falls past its years: the case is declined, counting nothing."""

    plan, batch_plan = _compiled("tests/simulate/one_path.proc")
    text = _plain_text(
        {"harmed": True, "age": 9, "route": "mash", "more_needed": False},
        {"aware": date(2074, 12, 30), "screen": date(2074, 12, 30)},
        date(2074, 12, 31),
    )
    found: list = []
    assert not batch_plan.count_plain_case(text, None, date(2026, 12, 6), found)
    assert not found
    assert _counted_the_longer_way(plan, batch_plan, text, None, date(2026, 12, 6))  # the simulator counts it


@pytest.mark.parametrize(("title_length", "runnable"), [(2_000, True), (5_000, True), (10_001, False)])
def test_a_long_title_is_judged_as_when_the_case_runs_alone(cli, tmp_path, title_length, runnable):
    """Past the plain readers' longest line the grammar reads the case, and past its limit refuses it (P005), alone and in a batch."""
    path = tmp_path / "long-title.case"
    path.write_text(
        f'case "{"a" * title_length}"\n  as of 2024-06-01\nend\nfacts\n  harmed is no\n  route is police\nend\non 2024-03-01 aware\n'
    )
    procedure = str(ROOT / "tests/simulate/one_path.proc")
    alone = cli("simulate", procedure, str(path))
    assert (alone.code == 0) == runnable, alone.err
    if not runnable:
        assert "P005" in alone.err
    summary = json.loads(cli("simulate", procedure, str(tmp_path), "--summary", "--format", "json").out)
    assert (summary["cases"], summary["unrunnable"]) == ((1, 0) if runnable else (0, 1))


def test_case_files_are_read_in_groups_bounded_by_count_and_by_bytes(tmp_path, monkeypatch):
    """Every file once, in order, an unreadable one as None; a group ends at its count or once it holds its bytes."""
    from repl import batch

    monkeypatch.setattr(batch, "_FILES_READ_TOGETHER", 3)
    monkeypatch.setattr(batch, "_BYTES_READ_TOGETHER", 10)
    sizes = [1, 1, 1, 1, 20, 1]
    paths = []
    for index, size in enumerate(sizes):
        path = tmp_path / f"{index}.case"
        path.write_bytes(b"x" * size)
        paths.append(str(path))
    paths.append(str(tmp_path / "missing.case"))
    groups = list(batch._read_in_groups(paths))
    assert [[len(data) if data is not None else None for data, _ in group] for group in groups] == [[1, 1, 1], [1, 20], [1, None]]
    assert [path for group in groups for _, path in group] == paths
