"""What a policy author sees for each kind of mistake, pinned as golden files.

Each `tests/diagnostics/NAME.proc` sits beside `NAME.stderr`, the exact text that
`safeproc check` prints for it. The expected text was read and judged, not just
regenerated: change it only with `pytest --update-golden` and a reviewed diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT

CASES = sorted((ROOT / "tests" / "diagnostics").glob("*.proc"))


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_check_output_matches_golden_file(case: Path, cli, golden):
    """`safeproc check` on each bad file prints exactly the reviewed diagnostics; errors exit 1, warnings 0."""
    result = cli("check", str(case.relative_to(ROOT)))
    golden(case.with_suffix(".stderr"), result.err)
    assert result.out == ""
    assert "error[" in result.err or "warning[" in result.err, f"{case.name} should draw a diagnostic"
    assert result.code == (1 if "error[" in result.err else 0)


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_each_check_reports_only_the_codes_it_declares(case: Path):
    """`Check.codes` is what `CHECKS` promises about each check; a check that reports another code breaks it."""
    from interpreter.checks import CHECKS, run_checks
    from interpreter.pipeline import analyse_bytes

    analysis = analyse_bytes(case.read_bytes(), case.name)
    if analysis.resolved is None or analysis.graph is None:
        pytest.skip("the file does not get as far as the checks")
    for check in CHECKS:
        reported = {d.code for d in run_checks(analysis.resolved, analysis.graph, (check,))}
        assert reported <= set(check.codes), f"check `{check.name}` reports {sorted(reported - set(check.codes))}"


def test_every_golden_file_has_its_case():
    """No golden output is left behind by a deleted or renamed case: each .stderr has its .proc beside it."""
    folder = CASES[0].parent
    orphans = sorted(p.name for p in folder.glob("*.stderr") if not p.with_suffix(".proc").exists())
    assert orphans == []
