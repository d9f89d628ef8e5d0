"""The simulator: a procedure run against cases, as a timeline, as JSON, and as scenario tests."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from interpreter import model as m
from interpreter.conditions import evaluate
from interpreter.scenario import load_case, run_case
from repl.procedure_cache import ProcedureCache

from conftest import ROOT, assert_no_internal_error

SIMULATE = ROOT / "tests" / "simulate"
REVIEW = "tests/simulate/review.proc"


def _load(name: str):
    path = SIMULATE / name
    return load_case(path.read_bytes(), str(path.relative_to(ROOT)), ProcedureCache())


@pytest.mark.parametrize("name", ["on_time", "late_and_escalated", "waiting_on_facts"])
def test_text_timeline_matches_golden_file(cli, golden, name):
    """The timeline a case review group reads is pinned for three scenarios."""
    result = cli("simulate", REVIEW, f"tests/simulate/{name}.case")
    assert result.code == 0, result.err
    golden(SIMULATE / f"{name}.timeline", result.out)


def test_json_has_exactly_the_documented_shape(cli):
    """--format json gives the documented keys, ISO dates, and null for a due date not yet known."""
    result = cli("simulate", REVIEW, "tests/simulate/anchor_not_happened.case", "--format", "json")
    report = json.loads(result.out)
    assert list(report) == [
        "procedure",
        "scenario",
        "as_of",
        "steps",
        "decisions",
        "escalations",
        "end",
        "ended_on",
        "outcomes_reached",
        "diagnostics",
    ]
    assert report["as_of"] == "2024-06-28"
    for step in report["steps"]:
        assert list(step) == ["step", "title", "owner", "state", "due", "not_before", "done_on", "late", "deadlines", "sends"]
        assert step["state"] in ("not_applicable", "waiting", "open", "done", "overdue")
        for deadline in step["deadlines"]:
            assert list(deadline) == ["deadline", "duty", "due", "not_before", "state", "escalations"]
            assert deadline["state"] in ("not_started", "open", "met", "missed")
    notify = next(s for s in report["steps"] if s["step"] == "notify")
    assert notify["deadlines"][0]["deadline"] == "must be done within 5 working days after aware"
    final = next(s for s in report["steps"] if s["step"] == "send_before_publication")
    assert final["due"] is None and final["state"] == "open"
    assert report["decisions"] == [
        {"decision": "triage", "branch": "notify", "because": "abuse_suspected and age < 18 (abuse_suspected = yes, age = 9)"}
    ]


def test_scenarios_pass_through_safeproc_test(cli):
    """Every good scenario for the small procedure passes, and the run ends with the count line."""
    result = cli("test", *[f"tests/simulate/{p.name}" for p in sorted(SIMULATE.glob("*.case"))])
    assert result.code == 0, result.out
    assert result.out.splitlines()[-1] == "5 passed, 0 failed"


def test_bad_case_files_get_located_diagnostics(cli, golden):
    """Unknown step, unknown fact, wrong fact type, an impossible date, events out of order, no procedure (P403),
    one that cannot be read (P404) or has errors (P405), a step done before it could be reached (P434), a fact or a
    step given twice (P413, P415), and every kind of expectation unmet, each saying what was expected and what
    happened (P420): all located."""
    result = cli("test", "tests/simulate/bad")
    golden(SIMULATE / "bad" / "test-output.txt", result.out + result.err)
    assert result.code == 1
    assert result.out.splitlines()[-1] == "2 passed, 12 failed"
    for code in ("P403", "P404", "P405", "P434"):
        assert f"[{code}]" in result.out + result.err, code
    assert_no_internal_error(result)


def test_a_failed_expectation_says_expected_and_actual(cli, tmp_path):
    """A wrong expectation fails with both the expected and the actual value, at its line."""
    text = (SIMULATE / "on_time.case").read_text().replace("expect notify due 2024-05-09", "expect notify due 2024-05-08")
    case = tmp_path / "wrong.case"
    case.write_text(text.replace('procedure "review.proc"', f'procedure "{ROOT / REVIEW}"'))
    result = cli("test", str(case))
    assert result.code == 1
    assert "expected `notify` due 2024-05-08, but it is due 2024-05-09" in result.out
    assert f"{case}:17:1" in result.out
    assert result.out.splitlines()[-1] == "0 passed, 1 failed"


def test_parallel_branches_open_together_and_the_join_waits_for_both():
    """Both branches open the day the split is reached; the report opens when the later one is done."""
    result = run_case(_load("on_time.case"))
    assert result.step("gather_information").opened_on == date(2024, 5, 3)
    assert result.step("contact_family").opened_on == date(2024, 5, 3)
    assert result.step("report").opened_on == date(2024, 5, 15)


def test_join_does_not_open_until_every_branch_is_done():
    """With only one branch done, the step after the join is still waiting."""
    result = run_case(_load("late_and_escalated.case"))
    assert result.step("contact_family").state == "done"
    assert result.step("gather_information").state == "overdue"
    assert result.step("report").state == "waiting"


def test_undecided_guard_waits_and_names_the_facts():
    """An unknown fact leaves the decision waiting and says which fact would decide it."""
    result = run_case(_load("waiting_on_facts.case"))
    decision = result.decision("triage")
    assert decision.branch is None
    assert decision.because == "waiting for `age` to be known"
    assert result.step("triage").state == "open"
    assert result.end is None


def test_missed_deadline_escalates_on_the_next_working_day():
    """A notification due Thu 9 May and done Fri 10 May escalates to the Panel on 10 May."""
    result = run_case(_load("late_and_escalated.case"))
    fired = [(e.step, e.to, e.on) for e in result.escalations]
    assert ("notify", "panel", date(2024, 5, 10)) in fired
    assert ("gather_information", "crg", date(2024, 5, 28)) in fired


def test_contradictory_record_is_reported_and_the_run_goes_on():
    """A step recorded on a branch not taken is reported at its line, and the case still ends."""
    loaded = _load("contradictory.case")
    result = run_case(loaded)
    assert result.end == "no_action"
    (warning,) = result.diagnostics
    assert warning.code == "P431"
    assert warning.span.line == 10


def test_as_of_hides_what_happened_later():
    """Seen from before a step was done, the step is open, not done."""
    loaded = _load("on_time.case")
    result = run_case(loaded, date(2024, 5, 2))
    assert result.step("notify").state == "open"
    assert result.step("notify").due == date(2024, 5, 9)


def test_same_input_gives_the_same_result():
    """Simulation is deterministic: two runs of one case are equal."""
    first = run_case(_load("late_and_escalated.case"))
    second = run_case(_load("late_and_escalated.case"))
    assert first == second


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"a": True, "b": None}, True),
        ({"a": False, "b": None}, None),
        ({"a": False, "b": False}, False),
        ({}, None),
    ],
)
def test_or_is_decided_by_a_true_operand_even_with_unknowns(facts, expected):
    """Three-valued `or`: true if any operand is true, unknown if none is true and one is unknown."""
    guard = m.AnyOf((m.FactHolds(m.Ref("a")), m.FactHolds(m.Ref("b"))))
    assert evaluate(guard, facts)[0] is expected


def test_summary_counts_each_step_and_gives_the_median(cli, tmp_path):
    """--summary over a folder reports on time, late, open and overdue per step, and median days."""
    for name in ("on_time", "late_and_escalated"):
        text = (SIMULATE / f"{name}.case").read_text().replace('procedure "review.proc"', f'procedure "{ROOT / REVIEW}"')
        (tmp_path / f"{name}.case").write_text(text)
    result = cli("simulate", REVIEW, str(tmp_path), "--summary")
    assert result.code == 0, result.err
    rows = {line.split()[0]: line.split()[1:] for line in result.out.splitlines()[3:]}
    assert rows["notify"] == ["1", "1", "0", "0", "5.5"]  # 2 and 9 days from opening on 1 May
    assert rows["gather_information"] == ["1", "0", "0", "1", "12"]
    assert result.out.startswith("2 cases simulated")


def test_hostile_case_files_never_raise(tmp_path, cli):
    """Random bytes, an empty file and a procedure given as a case all end in diagnostics."""
    for name, content in (("random.case", os.urandom(2000)), ("empty.case", b""), ("proc.case", (ROOT / REVIEW).read_bytes())):
        path = tmp_path / name
        path.write_bytes(content)
        result = cli("test", str(path))
        assert result.code == 1
        assert_no_internal_error(result)


def _without_expectations(name: str) -> str:
    text = (SIMULATE / name).read_text()
    text = "\n".join(line for line in text.splitlines() if not line.startswith("expect"))
    return text.replace('procedure "review.proc"', f'procedure "{ROOT / REVIEW}"')


@pytest.mark.parametrize("name", ["on_time.case", "late_and_escalated.case", "waiting_on_facts.case", "anchor_not_happened.case"])
def test_the_quick_batch_path_gives_the_full_paths_results(name, tmp_path):
    """For a plain case, the batch's quick path simulates exactly as reading the case in full does."""
    from interpreter.scenario import quick_run

    path = tmp_path / name
    path.write_text(_without_expectations(name))
    procedures = ProcedureCache()
    _, plan, _ = procedures.get(ROOT / REVIEW)
    quick = quick_run(path.read_bytes(), str(path), plan, None)
    full = run_case(load_case(path.read_bytes(), str(path), procedures))
    assert quick is not None
    assert list(quick.steps) == [s for s in full.steps if s.opened_on is not None or s.due is not None]
    assert (quick.decisions, quick.escalations, quick.end) == (full.decisions, full.escalations, full.end)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (("  age is 9", "  agee is 9"), "an unknown fact"),
        (("  age is 9", "  age is yes"), "a value of the wrong kind"),
        (("  age is 9", "  age is 9\n  age is 10"), "a fact given twice"),
        (("on 2024-05-03 notify done", "on 2024-04-03 notify done"), "happenings out of order"),
        (("on 2024-05-03 notify done", "on 2024-05-03 notfy done"), "an unknown step"),
        (("end\nfacts", "end\nexpect no outcome\nfacts"), "an expectation"),
    ],
)
def test_the_quick_path_leaves_anything_to_report_to_the_full_path(change, why, tmp_path):
    """Cases with mistakes, or with expectations, are not taken the quick way: the full path reports on them."""
    from interpreter.scenario import quick_run

    old, new = change
    text = _without_expectations("on_time.case")
    assert old in text
    path = tmp_path / "changed.case"
    path.write_text(text.replace(old, new, 1))
    _, plan, _ = ProcedureCache().get(ROOT / REVIEW)
    assert quick_run(path.read_bytes(), str(path), plan, None) is None, why


@pytest.mark.parametrize("started", ["forked", "spawned"])
def test_a_large_batch_in_worker_processes_counts_as_one_process_does(cli, tmp_path, monkeypatch, started):
    """Over 2,500 cases (worker processes, chunk by chunk) the table equals 2,500 times one case's, whether the
    workers are forked with the procedure analysed or, where another thread runs (the shell), started afresh."""
    import threading

    if started == "spawned":
        monkeypatch.setattr(threading, "active_count", lambda: 2)
    text = _without_expectations("late_and_escalated.case")
    for index in range(2_500):
        (tmp_path / f"case-{index}.case").write_text(text)
    result = cli("simulate", REVIEW, str(tmp_path), "--summary", "--format", "json")
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert summary["cases"] == 2_500
    rows = {row["step"]: row for row in summary["steps"]}
    assert (rows["notify"]["late"], rows["notify"]["on_time"]) == (2_500, 0)
    assert rows["gather_information"]["overdue"] == 2_500
    assert rows["contact_family"]["median_days_open_to_done"] == 3  # opened 10 May with the late notification, done 13 May


def test_a_case_run_against_another_procedure_than_it_names_is_warned(cli):
    """`simulate PROC CASE` where the case names another procedure runs it, with warning P408 at the case's header."""
    result = cli("simulate", "tests/simulate/review.proc", "tests/simulate/bad/procedure_missing.case")
    assert_no_internal_error(result)
    assert "warning[P408]" in result.err
    assert "tests/simulate/bad/procedure_missing.case:2:" in result.err


def test_p408_says_where_the_procedure_a_case_names_is_when_its_name_alone_would_mislead(cli, tmp_path):
    """A case in sub/ naming `p.proc` run against ./p.proc was told "names `p.proc`, but is run against `p.proc`"."""
    (tmp_path / "p.proc").write_bytes((ROOT / "tests/simulate/review.proc").read_bytes())
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "p.proc").write_bytes((ROOT / "tests/simulate/review.proc").read_bytes())
    (tmp_path / "sub" / "x.case").write_text('case "X"\n  procedure "p.proc"\nend\n')
    result = cli("simulate", str(tmp_path / "p.proc"), str(tmp_path / "sub" / "x.case"))
    assert f"this case names the procedure `p.proc` (`{tmp_path / 'sub' / 'p.proc'}`), but it is being run against" in result.err


def test_a_case_naming_a_declaration_of_another_kind_uses_its_kind_words(cli, tmp_path):
    """Recording a parallel split as done says "a parallel split", the words every other message uses."""
    case = tmp_path / "split.case"
    case.write_text(
        f'case "x"\n  procedure "{ROOT / REVIEW}"\n  as of 2024-06-28\nend\n'
        "facts\n  abuse_suspected is yes\n  age is 9\nend\n"
        "on 2024-05-01 aware\non 2024-05-02 review_work done\n"
    )
    result = cli("simulate", str(ROOT / REVIEW), str(case))
    assert "`review_work` is a parallel split in the procedure, not an event or step" in result.err


_LOWER_BOUNDS = """procedure "Lower bounds"
  calendar england-and-wales
end

role board "The Board"
event signed_off "The action plan is signed off"
start at publish

step publish "Publish the report"
  by board
  within 10 working days after signed_off
  next keep_available
end

step keep_available "Keep the report available"
  by board
  for at least 1 year after publish
  next review_plan
end

step review_plan "Review the action plan"
  by board
  at least 2 years after signed_off
  next done
end

outcome done "Done"
"""


def _lower_bound_case(tmp_path, *lines: str, as_of: str = "2025-03-03"):
    (tmp_path / "bounds.proc").write_text(_LOWER_BOUNDS)
    case = tmp_path / "bounds.case"
    case.write_text(f'case "bounds"\n  procedure "bounds.proc"\n  as of {as_of}\nend\n' + "".join(f"{line}\n" for line in lines))
    return str(tmp_path / "bounds.proc"), str(case)


def test_a_lower_bound_gives_an_open_step_its_earliest_day_not_a_due_date(cli, tmp_path):
    """`for at least 1 year after publish`: once publish is done, keep_available is open, not before a year later, never overdue."""
    procedure, case = _lower_bound_case(tmp_path, "on 2024-03-01 signed_off", "on 2024-03-04 publish done")
    result = cli("simulate", procedure, case)
    assert result.code == 0, result.err
    assert "`keep_available` Keep the report available [The Board], not before 2025-03-04" in result.out
    report = json.loads(cli("simulate", procedure, case, "--format", "json").out)
    steps = {step["step"]: step for step in report["steps"]}
    assert (steps["keep_available"]["state"], steps["keep_available"]["due"], steps["keep_available"]["not_before"]) == (
        "open",
        None,
        "2025-03-04",
    )
    # Counted from an event that has happened, though the step is not reached yet: known, as a due date would be.
    assert steps["review_plan"]["not_before"] == "2026-03-01"
    assert "  `review_plan` Review the action plan [The Board], not before 2026-03-01" in result.out.split("Coming up")[1]
    assert "P439" not in result.err


def test_a_step_done_sooner_than_its_lower_bound_allows_is_reported_and_stays_done(cli, tmp_path):
    procedure, case = _lower_bound_case(
        tmp_path, "on 2024-03-01 signed_off", "on 2024-03-04 publish done", "on 2024-09-02 keep_available done", as_of="2024-09-30"
    )
    result = cli("simulate", procedure, case)
    assert_no_internal_error(result)
    assert (
        "warning[P439]: `keep_available` is recorded as done on 2024-09-02, before its earliest day, 2025-03-04 "
        "(kept up for at least 1 year after `publish`)" in result.err
    )
    assert "done `keep_available` Keep the report available [The Board] — TOO SOON, not before 2025-03-04" in result.out
    report = json.loads(cli("simulate", procedure, case, "--format", "json").out)
    keep = next(step for step in report["steps"] if step["step"] == "keep_available")
    assert (keep["state"], keep["late"]) == ("done", False)


def test_a_step_done_on_its_earliest_day_is_not_too_soon(cli, tmp_path):
    procedure, case = _lower_bound_case(
        tmp_path, "on 2024-03-01 signed_off", "on 2024-03-04 publish done", "on 2025-03-04 keep_available done", as_of="2025-03-05"
    )
    result = cli("simulate", procedure, case)
    assert "P439" not in result.err and "TOO SOON" not in result.out
    assert "`review_plan` Review the action plan [The Board], not before 2026-03-01" in result.out


@pytest.mark.parametrize("line_end", ["\n", "\r\n"], ids=["quick-reader", "grammar"])
def test_a_scenario_can_pin_a_steps_earliest_day_and_a_step_done_too_soon_is_a_breach(cli, tmp_path, line_end):
    """`expect STEP not before DATE` holds or says what the earliest day is; `expect no breaches` fails on a
    step done too soon. Both case readers take the line (Windows line ends send a case to the grammar)."""
    procedure, case = _lower_bound_case(
        tmp_path,
        "on 2024-03-01 signed_off",
        "on 2024-03-04 publish done",
        "expect keep_available not before 2025-03-04",
        "expect review_plan not before 2026-03-01",
        "expect no breaches",
    )
    text = Path(case).read_text()
    Path(case).write_bytes(text.replace("\n", line_end).encode())
    passed = cli("test", case)
    assert passed.code == 0, passed.out
    wrong = tmp_path / "wrong.case"
    wrong.write_bytes(
        (text.replace("not before 2025-03-04", "not before 2025-03-05") + "on 2024-09-02 keep_available done\n")
        .replace("\n", line_end)
        .encode()
    )
    result = cli("test", str(wrong))
    assert result.code == 1
    assert "expected `keep_available` not before 2025-03-05, but its earliest day is 2025-03-04" in result.out
    assert "expected no breaches, but found `keep_available` (done too soon, not before 2025-03-04)" in result.out


_DECISION_WITH_A_LOWER_BOUND = """procedure "A decision that waits"
  calendar england-and-wales
end
role crg "Case Review Group"
fact f "A fact" is yes or no
event aware "Aware"
start at a
step a "A"
  by crg
  next choose
end
decision choose "Which way?"
  by crg
  at least 10 days after aware
  when f -> t1
  otherwise -> t2
end
step t1 "T1"
  by crg
  at least 2 days after choose
  next finished
end
step t2 "T2"
  by crg
  next finished
end
outcome finished "Finished"
"""


def test_a_decision_with_a_lower_bound_is_taken_on_its_earliest_day_and_is_no_breach(cli, tmp_path):
    """Its facts decide it on 2 January; it is taken on its earliest day, 11 January (10 days after aware), and the
    step after it counts from then. Before that day it is open, not before the 11th. Neither is done too soon."""
    procedure = tmp_path / "wait.proc"
    procedure.write_text(_DECISION_WITH_A_LOWER_BOUND)
    lines = "facts\n  f is yes\nend\non 2024-01-01 aware\non 2024-01-02 a done\n"
    later = tmp_path / "later.case"
    later.write_text(
        f'case "later"\n  procedure "wait.proc"\n  as of 2024-03-01\nend\n{lines}'
        "expect choose takes t1\nexpect t1 not before 2024-01-13\nexpect no breaches\n"
    )
    passed = cli("test", str(later))
    assert passed.code == 0, passed.out
    assert "2024-01-11  decided `choose` → t1" in cli("simulate", str(procedure), str(later)).out
    sooner = tmp_path / "sooner.case"
    sooner.write_text(f'case "sooner"\n  procedure "wait.proc"\n  as of 2024-01-05\nend\n{lines}expect choose is open\n')
    assert cli("test", str(sooner)).code == 0
    shown = cli("simulate", str(procedure), str(sooner)).out
    assert (
        "`choose` Which way? [Case Review Group], not before 2024-01-11 — its facts decide it, but it waits for its earliest day" in shown
    )


def test_a_lower_bound_stands_in_each_deadline_and_makes_a_step_too_soon_not_late(cli, tmp_path):
    """The deadline of a lower bound: open with its earliest day, then kept, or missed when the step is done too soon,
    which does not make the step late (its batch counts stay on time)."""
    procedure, case = _lower_bound_case(
        tmp_path, "on 2024-03-01 signed_off", "on 2024-03-04 publish done", "on 2024-09-02 keep_available done", as_of="2024-09-30"
    )
    report = json.loads(cli("simulate", procedure, case, "--format", "json").out)
    steps = {step["step"]: step for step in report["steps"]}
    [kept_up] = steps["keep_available"]["deadlines"]
    assert (kept_up["due"], kept_up["not_before"], kept_up["state"]) == (None, "2025-03-04", "missed")
    assert (steps["keep_available"]["state"], steps["keep_available"]["late"]) == ("done", False)
    [review] = steps["review_plan"]["deadlines"]
    assert (review["not_before"], review["state"]) == ("2026-03-01", "open")


def test_a_step_the_case_did_not_reach_is_never_too_soon(cli, tmp_path):
    """Recorded on a branch the case did not take (P431): shown as done, judged by nothing, so no P439 and no breach."""
    procedure = tmp_path / "wait.proc"
    procedure.write_text(_DECISION_WITH_A_LOWER_BOUND)
    case = tmp_path / "other.case"
    case.write_text(
        'case "other"\n  procedure "wait.proc"\n  as of 2024-03-01\nend\nfacts\n  f is no\nend\n'
        "on 2024-01-01 aware\non 2024-01-02 a done\non 2024-01-12 t1 done\nexpect no breaches\n"
    )
    result = cli("test", str(case))
    assert "P431" in result.out + result.err and "P439" not in result.out + result.err
    assert result.code == 0, result.out


def test_both_case_readers_refuse_a_date_not_written_yyyy_mm_dd(cli, tmp_path):
    """20240207 is an ISO date to Python, not to the language: the quick reader leaves it to the grammar, which says so."""
    procedure, case = _lower_bound_case(tmp_path, "on 2024-03-01 signed_off", "expect review_plan not before 20260301")
    for text in (Path(case).read_text(), Path(case).read_text().replace("\n", "\r\n")):
        Path(case).write_bytes(text.encode())
        result = cli("test", case)
        assert result.code != 0 and "P010" in result.out + result.err, result.out + result.err


def test_a_step_recorded_after_the_whole_case_ended_is_not_called_on_time(cli, tmp_path):
    """The case ended on 3 January at an outcome that ends it whole; `y`, due on the 4th, is recorded on the 5th.
    It did not happen in this case (P436), so the timeline says so rather than "on time"."""
    (tmp_path / "whole.proc").write_text(
        'procedure "Whole case end"\n  calendar england-and-wales\nend\nrole crg "Case Review Group"\nevent aware "Aware"\n'
        'start at split\nparallel split "Two strands"\n  -> x\n  -> y\nend\nstep x "X"\n  by crg\n  next over\nend\n'
        'step y "Y"\n  by crg\n  within 3 days after aware\n  next fin\nend\n'
        'outcome over "Over"\n  ends the whole case\noutcome fin "Finished"\n'
    )
    case = tmp_path / "after.case"
    case.write_text(
        'case "after end"\n  procedure "whole.proc"\n  as of 2024-03-01\nend\non 2024-01-01 aware\non 2024-01-03 x done\non 2024-01-05 y done\n'
    )
    result = cli("simulate", str(tmp_path / "whole.proc"), str(case))
    assert "P436" in result.err
    assert "2024-01-05  done `y` Y [Case Review Group] — after the case ended, so it counts for nothing" in result.out
