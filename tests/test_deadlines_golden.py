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
