"""The meaning of each procedure shape, as a case runs through it: joins after decisions,
branches that end, outcomes inside branches, several deadlines on a step, steps recorded
out of turn, and facts learnt on a date.

Each test writes a small procedure and a case, as a policy author would, and reads the
simulation's JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import assert_no_internal_error

HEADER = """\
procedure "Flow shapes"
  calendar england-and-wales
end
role team "Team"
role manager "Manager"
role director "Director"
event e "Something happens"
"""


def _simulate(cli, tmp_path: Path, procedure: str, case: str) -> dict:
    (tmp_path / "flow.proc").write_text(HEADER + procedure, encoding="utf-8")
    (tmp_path / "flow.case").write_text(case, encoding="utf-8")
    check = cli("check", str(tmp_path / "flow.proc"))
    assert check.code == 0, check.err
    result = cli("simulate", str(tmp_path / "flow.proc"), str(tmp_path / "flow.case"), "--format", "json")
    assert_no_internal_error(result)
    assert result.code == 0, result.err
    return json.loads(result.out)


def _case(facts: str, happenings: str, as_of: str = "2024-06-28") -> str:
    return f'case "c"\n  procedure "flow.proc"\n  as of {as_of}\nend\nfacts\n{facts}\nend\n{happenings}\n'


def _state(report: dict, step: str) -> str:
    return next(s["state"] for s in report["steps"] if s["step"] == step)


# ---- 1. a join after a decision in one of its branches ----------------------------

SPLIT_WITH_DECISION = """
fact f "F" is yes or no
start at first
step first "First" by team next split end
parallel split "Side by side"
  -> o1
  -> d2
end
step o1 "One" by team next together end
decision d2 "Two?" by team
  when f -> o2
  otherwise -> together
end
step o2 "Two" by team next together end
join together "Both" waits for all next last end
step last "Last" by team next finished end
outcome finished "Finished"
"""


def test_a_join_does_not_wait_for_an_arrow_a_decision_has_cut_off(cli, tmp_path):
    """With f = no, the arrow from o2 can never come: the join opens once o1 arrives (dead-path elimination)."""
    report = _simulate(
        cli,
        tmp_path,
        SPLIT_WITH_DECISION,
        _case("  f is no", "on 2024-05-01 e\non 2024-05-01 first done\non 2024-05-03 o1 done\non 2024-05-10 last done"),
    )
    assert _state(report, "o2") == "not_applicable"
    assert _state(report, "last") == "done"
    assert report["end"] == "finished"


def test_a_join_waits_for_a_branch_that_can_still_arrive(cli, tmp_path):
    """With f = yes, o2 is on the case's path: the join waits for it, and `last` is not open yet."""
    report = _simulate(
        cli, tmp_path, SPLIT_WITH_DECISION, _case("  f is yes", "on 2024-05-01 e\non 2024-05-01 first done\non 2024-05-03 o1 done")
    )
    assert _state(report, "o2") == "open"
    assert _state(report, "last") == "waiting"
    assert report["end"] is None


def test_a_join_waits_while_the_decision_on_a_branch_waits_for_a_fact(cli, tmp_path):
    """Unknown f: the decision may still lead to o2, so the join may not open yet."""
    report = _simulate(
        cli,
        tmp_path,
        SPLIT_WITH_DECISION,
        _case("  f is unknown", "on 2024-05-01 e\non 2024-05-01 first done\non 2024-05-03 o1 done"),
    )
    assert _state(report, "last") == "waiting"
    assert report["decisions"][0]["branch"] is None


# ---- 2. a join reached without its split -------------------------------------------

BYPASS = """
fact quick "Quick route" is yes or no
start at route
decision route "Which way?" by team
  when quick -> shortcut
  otherwise -> split
end
parallel split "Side by side"
  -> a
  -> b
end
step a "A" by team next together end
step b "B" by team next together end
step shortcut "Shortcut" by team next together end
join together "Together" waits for all next closed end
outcome closed "Closed"
"""


def test_a_join_reached_without_its_split_opens_on_the_arrow_that_came(cli, tmp_path):
    report = _simulate(cli, tmp_path, BYPASS, _case("  quick is yes", "on 2024-05-01 e\non 2024-05-02 shortcut done"))
    assert report["end"] == "closed"
    assert _state(report, "a") == "not_applicable"


# ---- 3. an outcome inside one branch, and branches that end ---------------------------

SIDE_BRANCH = """
start at split
parallel split "Side by side"
  -> main_work
  -> tell_director
end
step main_work "Main work" by team next closed end
step tell_director "Tell the director" by manager
  within 5 working days after e
  this branch ends
end
outcome closed "Closed"
"""


def test_the_case_ends_when_every_branch_has_finished(cli, tmp_path):
    """The main branch reaches its outcome first; the case ends only when the side branch has ended too."""
    running = _simulate(cli, tmp_path, SIDE_BRANCH, _case("", "on 2024-05-01 e\non 2024-05-02 main_work done", as_of="2024-05-03"))
    assert running["end"] is None
    assert _state(running, "tell_director") == "open"
    ended = _simulate(
        cli, tmp_path, SIDE_BRANCH, _case("", "on 2024-05-01 e\non 2024-05-02 main_work done\non 2024-05-06 tell_director done")
    )
    assert ended["end"] == "closed"


def test_an_outcome_that_ends_the_whole_case_ends_every_branch(cli, tmp_path):
    procedure = SIDE_BRANCH.replace('outcome closed "Closed"', 'outcome closed "Closed" ends the whole case')
    report = _simulate(
        cli, tmp_path, procedure, _case("", "on 2024-05-01 e\non 2024-05-02 main_work done\non 2024-05-06 tell_director done")
    )
    assert report["end"] == "closed"
    assert _state(report, "tell_director") == "done"
    assert any(d["code"] == "P436" for d in report["diagnostics"]), "a step recorded after the case ended is reported"


# ---- 4. several deadlines on one step ---------------------------------------------

TIERED = """
start at investigate
step investigate "Investigate"
  by team
  should be done within 1 month after e
  if late notify manager "the month is up"
  must be done within 12 months after e
  if late notify director "the year is up"
  next closed
end
outcome closed "Closed"
"""


def test_each_deadline_keeps_its_own_due_date_and_escalation(cli, tmp_path):
    report = _simulate(cli, tmp_path, TIERED, _case("", "on 2024-01-15 e", as_of="2024-03-01"))
    step = next(s for s in report["steps"] if s["step"] == "investigate")
    assert step["due"] == "2024-02-15", "the earliest deadline not met"
    assert [(d["duty"], d["due"], d["state"]) for d in step["deadlines"]] == [
        ("should", "2024-02-15", "missed"),
        ("must", "2025-01-15", "open"),
    ]
    assert [(e["to"], e["on"]) for e in report["escalations"]] == [("manager", "2024-02-16")], "only the missed month escalates"


def test_expect_pins_the_second_deadline(cli, tmp_path):
    (tmp_path / "flow.proc").write_text(HEADER + TIERED, encoding="utf-8")
    case = _case("", "on 2024-01-15 e\nexpect investigate deadline 2 due 2025-01-15\nexpect no escalation from investigate", "2024-02-01")
    (tmp_path / "pinned.case").write_text(case, encoding="utf-8")
    result = cli("test", str(tmp_path / "pinned.case"))
    assert result.code == 0, result.out


# ---- 5. a step recorded on a branch the case has not taken --------------------------

ROUTED = """
fact f "F" is yes or no
start at route
decision route "Which way?" by team
  when f -> yes_step
  otherwise -> no_step
end
step yes_step "Yes" by team next after_yes end
step after_yes "After yes" by team
  within 2 working days after yes_step
  if late notify director "late"
  next closed
end
step no_step "No" by team next closed end
outcome closed "Closed"
"""


def test_a_step_on_a_branch_not_yet_taken_starts_no_clock(cli, tmp_path):
    report = _simulate(cli, tmp_path, ROUTED, _case("  f is unknown", "on 2024-05-01 e\non 2024-05-02 yes_step done"))
    after = next(s for s in report["steps"] if s["step"] == "after_yes")
    assert after["state"] == "waiting" and after["due"] is None
    assert report["escalations"] == []
    assert [d["code"] for d in report["diagnostics"]] == ["P434"]


def test_a_step_on_the_branch_not_taken_starts_no_clock(cli, tmp_path):
    report = _simulate(cli, tmp_path, ROUTED, _case("  f is no", "on 2024-05-01 e\non 2024-05-02 yes_step done"))
    assert _state(report, "after_yes") == "not_applicable"
    assert report["escalations"] == []
    assert [d["code"] for d in report["diagnostics"]] == ["P431"]


# ---- 9. facts learnt on a date, and `is one of` --------------------------------------

LEARNT = """
fact outcome_of_inquiry "What the police decided" is one of charged, no_further_action, pending
start at wait
decision wait "What did the police decide?" by team
  when outcome_of_inquiry is one of charged, pending -> hold
  otherwise -> go_on
end
step hold "Hold" by team next closed end
step go_on "Go on" by team within 5 working days after wait next closed end
outcome closed "Closed"
"""


def test_a_decision_is_taken_on_the_day_its_fact_is_learnt(cli, tmp_path):
    report = _simulate(
        cli,
        tmp_path,
        LEARNT,
        _case("  outcome_of_inquiry is unknown", "on 2024-05-01 e\non 2024-05-20 outcome_of_inquiry is no_further_action"),
    )
    decision = report["decisions"][0]
    assert decision["branch"] == "go_on"
    assert "outcome_of_inquiry = no_further_action" in decision["because"]
    go_on = next(s for s in report["steps"] if s["step"] == "go_on")
    assert go_on["due"] == "2024-05-28", "5 working days after 20 May, skipping the spring bank holiday"


def test_a_fact_learnt_that_the_case_already_gives_is_an_error(cli, tmp_path):
    (tmp_path / "flow.proc").write_text(HEADER + LEARNT, encoding="utf-8")
    case = _case("  outcome_of_inquiry is charged", "on 2024-05-01 e\non 2024-05-20 outcome_of_inquiry is pending")
    (tmp_path / "twice.case").write_text(case, encoding="utf-8")
    result = cli("test", str(tmp_path / "twice.case"))
    assert result.code == 1 and "error[P437]" in result.out


def test_after_an_outcome_that_ends_the_whole_case_nothing_else_falls_due(cli, tmp_path):
    """The other branch lapses with the case: not overdue, no escalation, whatever its step is called."""
    procedure = """
start at split
parallel split "Side by side"
  -> a
  -> b
end
step a "A" by team next stop end
step b "B" by team
  within 2 working days after e
  if late notify manager "b is late"
  this branch ends
end
outcome stop "Stopped" ends the whole case
"""
    report = _simulate(cli, tmp_path, procedure, _case("", "on 2024-05-01 e\non 2024-05-01 a done"))
    assert report["end"] == "stop" and report["escalations"] == []
    assert _state(report, "b") == "not_applicable"
    renamed = procedure.replace("-> b\n", "-> zz\n").replace('step b "B"', 'step zz "B"')
    report = _simulate(cli, tmp_path, renamed, _case("", "on 2024-05-01 e\non 2024-05-01 a done"))
    assert report["escalations"] == [] and _state(report, "zz") == "not_applicable"


def test_a_decision_recorded_before_its_fact_was_learnt_is_taken_when_it_could_be(cli, tmp_path):
    report = _simulate(
        cli,
        tmp_path,
        LEARNT,
        _case(
            "  outcome_of_inquiry is unknown",
            "on 2024-05-01 e\non 2024-05-10 wait done\non 2024-05-20 outcome_of_inquiry is no_further_action",
        ),
    )
    assert report["decisions"][0]["branch"] == "go_on"
    assert next(s for s in report["steps"] if s["step"] == "go_on")["due"] == "2024-05-28"
    assert [d["code"] for d in report["diagnostics"]] == ["P438"]


def test_a_step_escalated_to_and_reached_by_its_arrow_on_one_day_is_no_crash(cli, tmp_path):
    """Two escalations fire the same day, one to a step whose arrow also leads to the other."""
    procedure = """
start at s
step s "S" by team
  within 1 working days after e
  if late escalate to a
  if late escalate to b
  next t
end
step t "T" by team next closed end
step a "A" by team next b end
step b "B" by team next closed end
outcome closed "Closed"
"""
    report = _simulate(cli, tmp_path, procedure, _case("", "on 2024-05-01 e\non 2024-05-03 a done", as_of="2024-05-31"))
    assert [(e["to"], e["on"]) for e in report["escalations"]] == [("a", "2024-05-03"), ("b", "2024-05-03")]


def test_a_deadline_may_count_from_a_parallel_split(cli, tmp_path):
    procedure = """
start at split
parallel split "Side by side"
  -> a
  -> b
end
step a "A" by team within 3 working days after split next together end
step b "B" by team next together end
join together "Both" waits for all next closed end
outcome closed "Closed"
"""
    report = _simulate(cli, tmp_path, procedure, _case("", "on 2024-05-01 e"))
    # The split opens on Wednesday 1 May; 3 working days later, skipping the May Day holiday (6 May).
    assert next(s for s in report["steps"] if s["step"] == "a")["due"] == "2024-05-07"


def test_an_escalation_written_before_any_deadline_answers_for_the_first(cli, tmp_path):
    procedure = """
event referral "Referral"
start at s
step s "S" by team
  if late notify manager "late"
  within 10 working days after referral
  within 2 working days after e
  next closed
end
outcome closed "Closed"
"""
    report = _simulate(cli, tmp_path, procedure, _case("", "on 2024-05-01 e"))
    assert report["escalations"] == [], "the first deadline's clock has not started, so it cannot be missed"


# ---- 10. a decision ahead whose facts are already known -------------------------------

KNOWN_AHEAD = """
fact f "F" is yes or no
start at first
step first "First" by team next route end
decision route "Which way?" by team
  when f -> yes_step
  otherwise -> no_step
end
step yes_step "Yes" by team
  within 5 working days after e
  if late notify director "late"
  next closed
end
step no_step "No" by team next closed end
outcome closed "Closed"
"""


def test_a_branch_the_known_facts_rule_out_is_not_applicable_before_the_case_gets_there(cli, tmp_path):
    """`first` is still open, but f = no already settles `route`: `yes_step` cannot open, so its clock cannot run out."""
    report = _simulate(cli, tmp_path, KNOWN_AHEAD, _case("  f is no", "on 2024-05-01 e"))
    assert _state(report, "first") == "open"
    assert _state(report, "yes_step") == "not_applicable"
    assert _state(report, "no_step") == "waiting"
    assert report["escalations"] == []


def test_a_branch_an_unknown_fact_leaves_open_is_waiting_and_its_clock_runs(cli, tmp_path):
    report = _simulate(cli, tmp_path, KNOWN_AHEAD, _case("  f is unknown", "on 2024-05-01 e"))
    assert _state(report, "yes_step") == "overdue", "not reached yet, but its clock started on 1 May"
    assert _state(report, "no_step") == "waiting"
    assert [(e["step"], e["to"]) for e in report["escalations"]] == [("yes_step", "director")]


TWO_WAITING = """
fact a "A" is yes or no
fact b "B" is yes or no
start at split
parallel split "Side by side"
  -> first_question
  -> second_question
end
decision first_question "A?" by team
  when a -> one
  otherwise -> together
end
decision second_question "B?" by team
  when b -> two
  otherwise -> together
end
step one "One" by team next together end
step two "Two" by team next together end
join together "Together" waits for all next closed end
outcome closed "Closed"
"""


def test_a_step_recorded_too_soon_names_the_decision_that_holds_it_up(cli, tmp_path):
    """Both decisions wait for a fact; `two` lies after the second, so the help names that one, not the first."""
    report = _simulate(cli, tmp_path, TWO_WAITING, _case("  a is unknown\n  b is unknown", "on 2024-05-01 e\non 2024-05-02 two done"))
    (diagnostic,) = report["diagnostics"]
    assert diagnostic["code"] == "P434"
    assert "`second_question`" in diagnostic["help"] and "`first_question`" not in diagnostic["help"]
