"""`safeproc diff`: what changed between two versions, in the language's terms.

Each `tests/diff/NAME.proc` changes `tests/diff/base.proc` in one way; `NAME.stdout`
is the exact output of `safeproc diff base.proc NAME.proc`, read and judged right.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT, assert_no_internal_error

HERE = ROOT / "tests" / "diff"
CASES = sorted(p for p in HERE.glob("*.proc") if p.name != "base.proc")


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_diff_matches_golden_file(case: Path, cli, golden):
    result = cli("diff", "tests/diff/base.proc", str(case.relative_to(ROOT)))
    assert_no_internal_error(result)
    assert result.code == 0, result.err
    golden(case.with_suffix(".stdout"), result.out)


def _changes(cli, name: str) -> list[dict]:
    result = cli("diff", "tests/diff/base.proc", f"tests/diff/{name}.proc", "--format", "json")
    return json.loads(result.out)["changes"]


def test_an_unmatched_declaration_is_never_silently_paired(cli):
    """`not_notifiable` and `closed` share no citation: one is removed and one added, not a rename."""
    kinds = {(c["kind"], c["name"]) for c in _changes(cli, "added_and_removed")}
    assert ("removed", "not_notifiable") in kinds and ("added", "closed") in kinds
    assert not any(kind == "renamed" for kind, _ in kinds)


def test_a_rename_says_what_matched_it(cli):
    (change,) = [c for c in _changes(cli, "renamed") if c["kind"] == "renamed"]
    assert change["name"] == "constabulary"
    assert "both cite Act s2" in change["what"] and "member 2 of group `partners`" in change["what"]


def test_deadlines_say_which_way_and_by_how_much(cli):
    whats = [c["what"] for c in _changes(cli, "deadlines")]
    assert any("tightened, by up to 7 days" in w for w in whats)
    assert any("loosened, by up to" in w for w in whats)


def test_conditions_widened_and_narrowed_come_with_a_case(cli):
    whats = {c["name"]: c["what"] for c in _changes(cli, "conditions")}
    assert whats["notify"].startswith("reached in more cases (widened): for example, now also when age = 18")
    assert whats["not_notifiable"].startswith("reached in fewer cases (narrowed)")


def test_working_together_2018_to_2023_with_its_impact_on_pan_sussex(cli, golden):
    """The care-leaver notification is added and the CCG renamed the ICB; the impact names the local steps."""
    result = cli(
        "diff",
        "procedures/national/working-together-2018.proc",
        "procedures/national/working-together-2023.proc",
        "--impact",
        "procedures/pan-sussex/cspr.proc",
    )
    assert result.code == 0, result.err
    golden(HERE / "working-together-2018-2023.stdout", result.out)
    assert "step `notify_care_leaver_death` [obligation]" in result.out
    assert "role `integrated_care_board`: renamed from `clinical_commissioning_group`" in result.out
    assert "local steps: `notify_care_leaver_death`" in result.out


def test_a_file_with_errors_is_not_compared(cli, tmp_path):
    broken = tmp_path / "broken.proc"
    broken.write_text('procedure "P"\nend\nstart at nowhere\n')
    result = cli("diff", "tests/diff/base.proc", str(broken))
    assert result.code == 1 and "correct the errors above" in result.err
