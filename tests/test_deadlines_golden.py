"""Deadline diagnostics pinned as golden files: conflicts, anchors, escalations, windows.

Each `tests/time/NAME.proc` sits beside `NAME.stderr`, the exact output of
`safeproc check --windows` for it (the windows are notes, shown on demand).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT

CASES = sorted((ROOT / "tests" / "time").glob("*.proc"))


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_deadline_diagnostics_match_golden_file(case: Path, cli, golden):
    """`safeproc check --windows` prints exactly the reviewed deadline diagnostics and windows."""
    result = cli("check", "--windows", str(case.relative_to(ROOT)))
    golden(case.with_suffix(".stderr"), result.err)
    assert result.code == (1 if "error[" in result.err else 0)


def test_definite_conflict_counts_the_shortfall_in_the_rules_own_unit(cli):
    """15 working days at most and 20 at least, from the same step, fail by exactly 5 working days."""
    result = cli("check", "tests/time/definite_conflict.proc")
    assert "error[P301]: these deadlines cannot all be met: 5 working days short" in result.err


def test_possible_conflict_names_a_date_on_which_it_fails(cli):
    """Within 20 days yet at least 14 working days after the incident fails over Easter 2024."""
    result = cli("check", "tests/time/possible_conflict.proc")
    assert "warning[P302]" in result.err
    assert "when `aware` falls on Monday 11 March 2024" in result.err


def test_pan_sussex_windows_are_what_the_source_adds_up_to(cli):
    """The rapid review report falls 0 to 15 working days after the notification, and at most 32 days after awareness.

    1.1.15 says "within 5 days" (calendar days) of awareness: 5 days, then 15 working
    days that can stretch to 27 over Christmas, make 32.
    """
    result = cli("check", "--windows", "procedures/pan-sussex/cspr.proc")
    assert result.code == 0
    assert "`rapid_review_report` is done 0 to 32 days after `aware`" in result.err
    assert "0 to 15 working days after `submit_sin`" in result.err


def test_allow_comment_silences_only_the_named_warning(tmp_path, cli):
    """`# allow P305: why` beside a deadline silences that warning and no other."""
    text = (ROOT / "tests" / "time" / "must_deadline_without_escalation.proc").read_text()
    allowed = text.replace(
        "  within 5 working days after aware\n",
        "  # allow P305: the source names nobody to tell\n  within 5 working days after aware\n",
    )
    path = tmp_path / "allowed.proc"
    path.write_text(allowed)
    assert "P305" not in cli("check", str(path)).err
    wrong_code = tmp_path / "wrong.proc"
    wrong_code.write_text(allowed.replace("allow P305", "allow P302"))
    assert "warning[P305]" in cli("check", str(wrong_code)).err


def _windows_by_bellman_ford(analysis) -> list[str]:
    """The windows as the straightforward method finds them: Bellman-Ford from each clock, whole paths walked."""
    import networkx as nx

    from interpreter import deadlines as d
    from interpreter import model as m

    procedure = analysis.procedure
    bounds, _ = d.deadline_bounds(analysis.resolved, analysis.graph, d.procedure_calendar(procedure))
    days = d.distance_graph(bounds, "lenient")
    events = {event.name for event in procedure.events if event.name in days}

    def along(path):
        unit, amount = None, 0
        for a, b in zip(path, path[1:]):
            rule = days.edges[a, b]["rule"]
            if rule.duration is not None:
                unit = rule.duration.unit if unit in (None, rule.duration.unit) else "mixed"
                amount += rule.sign * rule.duration.amount
        return unit, amount

    found = []
    for node in procedure.nodes:
        if not isinstance(node, (m.Step, m.Decision)) or node.name not in days:
            continue
        own = {deadline.anchor.name for deadline in node.deadlines if deadline.anchor.name in days}
        back = {deadline.anchor.name for deadline in node.deadlines if deadline.kind == m.DeadlineKind.BEFORE}
        parts = []
        for clock in sorted((events | own) - {node.name}):
            upper, upper_paths = nx.single_source_bellman_ford(days, clock, weight="weight")
            lower, lower_paths = nx.single_source_bellman_ford(days.reverse(copy=False), clock, weight="weight")
            window = d._describe_window(
                clock in back,
                clock,
                upper.get(node.name),
                along(upper_paths[node.name]) if node.name in upper else None,
                lower.get(node.name),
                along(list(reversed(lower_paths[node.name]))) if node.name in lower else None,
            )
            if window:
                parts.append(window)
        if parts:
            found.append(f"`{node.name}` is done " + "; ".join(parts))
    return found


@pytest.mark.parametrize(
    "path", [*sorted((ROOT / "tests" / "time").glob("*.proc")), ROOT / "procedures/pan-sussex/cspr.proc"], ids=lambda p: p.stem
)
def test_the_windows_are_those_bellman_ford_finds_from_each_clock(path):
    """Johnson's reweighting and searches that stop early give exactly the windows of a full search from every clock."""
    from interpreter.deadlines import windows
    from interpreter.pipeline import analyse_bytes

    analysis = analyse_bytes(path.read_bytes(), str(path))
    if analysis.resolved is None or analysis.graph is None:
        pytest.skip("does not get as far as the deadlines")
    fast = [diagnostic.message for diagnostic in windows(analysis.resolved, analysis.graph)]
    if not fast:
        return
    assert fast == _windows_by_bellman_ford(analysis)


@pytest.mark.parametrize("steps", [30, 101])
def test_a_generated_chain_has_the_same_windows_either_way(steps):
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from interpreter.deadlines import windows
    from interpreter.pipeline import analyse_source
    from interpreter.source import SourceFile

    from generate import generated_procedure

    analysis = analyse_source(SourceFile("chain.proc", generated_procedure(steps, deadlines_per_step=2)))
    fast = [diagnostic.message for diagnostic in windows(analysis.resolved, analysis.graph)]
    assert len(fast) == steps and fast == _windows_by_bellman_ford(analysis)


def test_a_shortfall_is_said_in_the_largest_unit_of_the_rules_that_measures_it(cli, tmp_path):
    """Days and weeks are counted together in hours; the shortfall is said in days or weeks where those
    measure it exactly (tests/time/conflict_in_weeks_and_days.proc: 6 days), and in hours where they do not."""
    procedure = (ROOT / "tests" / "time" / "conflict_in_weeks_and_days.proc").read_text()
    assert "6 days short" in cli("check", "tests/time/conflict_in_weeks_and_days.proc").err
    weeks = tmp_path / "weeks.proc"
    weeks.write_text(procedure.replace("at least 20 days after notify", "at least 3 weeks after notify"))
    assert "these deadlines cannot all be met: 1 week short" in cli("check", str(weeks)).err
    hours = tmp_path / "hours.proc"
    hours.write_text(procedure.replace("within 2 weeks after aware", "within 30 hours after aware").replace("20 days", "2 days"))
    assert "these deadlines cannot all be met: 18 hours short" in cli("check", str(hours)).err
