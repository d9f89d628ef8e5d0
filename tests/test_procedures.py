"""The shipped procedures: each checks without errors, and every warning left is explained beside it."""

from __future__ import annotations

import pytest

from interpreter.pipeline import analyse_bytes
from interpreter.source import SourceFile

from conftest import ROOT

PROCEDURES = sorted((ROOT / "procedures").rglob("*.proc"))


def _name(path) -> str:
    return str(path.relative_to(ROOT))


def _has_comment(source: SourceFile, line: int) -> bool:
    """A `#` comment on the line or the line above (outside quoted text)."""
    return any("#" in _without_strings(source.line_text(n)) for n in (line, line - 1))


def _without_strings(text: str) -> str:
    out, quoted, escaped = [], False, False
    for char in text:
        if quoted:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                quoted = False
            continue
        if char == '"':
            quoted = True
            continue
        out.append(char)
    return "".join(out)


def test_there_are_procedures():
    """The Pan-Sussex procedure and both national specifications are shipped."""
    names = {_name(p) for p in PROCEDURES}
    assert {
        "procedures/pan-sussex/cspr.proc",
        "procedures/national/working-together-2023.proc",
        "procedures/national/working-together-2018.proc",
    } <= names


@pytest.mark.parametrize("path", PROCEDURES, ids=_name)
def test_procedure_checks_without_errors(path):
    """`safeproc check` finds no errors in a shipped procedure."""
    analysis = analyse_bytes(path.read_bytes(), _name(path))
    errors = [f"{d.span.line if d.span else '?'}: [{d.code}] {d.message}" for d in analysis.diagnostics if d.is_error]
    assert errors == []


@pytest.mark.parametrize("path", PROCEDURES, ids=_name)
def test_every_warning_is_explained(path):
    """Each warning `check` still reports has a comment on its line or the line above saying why it stays."""
    analysis = analyse_bytes(path.read_bytes(), _name(path))
    unexplained = [
        f"{d.span.line}: [{d.code}] {d.message}"
        for d in analysis.diagnostics
        if not d.is_error and d.severity.value == "warning" and (d.span is None or not _has_comment(analysis.source, d.span.line))
    ]
    assert unexplained == []


def test_national_obligations_named_by_the_local_procedure_exist():
    """Every `satisfies` in the Pan-Sussex procedure names an obligation of the national specification it implements."""
    from interpreter.conform import obligations

    local = analyse_bytes((ROOT / "procedures/pan-sussex/cspr.proc").read_bytes(), "cspr.proc").procedure
    assert local.header.implements == "working_together_2023"
    national = analyse_bytes((ROOT / "procedures/national/working-together-2023.proc").read_bytes(), "wt2023.proc").procedure
    duties = {task.name for task in obligations(national)}
    satisfied = {ref.name for node in local.nodes for ref in getattr(node, "satisfies", ())}
    assert satisfied, "the local procedure says which obligations it meets"
    assert satisfied <= duties, sorted(satisfied - duties)
    # The one the chapter does not carry: telling the safeguarding partners within 5
    # working days (a `should`), which `verify` reports as a finding for the partnership.
    assert duties - satisfied == {"inform_safeguarding_partners"}


def test_2018_and_2023_differ_where_the_guidance_does():
    """2023 adds the care-leaver death notification and names ICBs where 2018 named CCGs; the rest keep their names."""
    read = lambda name: analyse_bytes((ROOT / "procedures/national" / name).read_bytes(), name).procedure  # noqa: E731
    old, new = read("working-together-2018.proc"), read("working-together-2023.proc")
    old_steps = {n.name for n in old.nodes}
    new_steps = {n.name for n in new.nodes}
    assert new_steps - old_steps == {"care_leaver_death", "notify_care_leaver_death"}
    assert old_steps <= new_steps
    assert "clinical_commissioning_group" in {r.name for r in old.roles}
    assert "integrated_care_board" in {r.name for r in new.roles}
    assert old.header.in_force_from.isoformat() == "2018-07-04"
    assert new.header.in_force_from.isoformat() == "2023-12-15" and new.header.replaces == "working_together_2018"


SCENARIOS = sorted((ROOT / "procedures").rglob("*.case"))


def test_there_are_shipped_scenarios():
    """The Pan-Sussex scenarios are found, so the test below runs each of them."""
    assert len(SCENARIOS) >= 20


@pytest.mark.parametrize("path", SCENARIOS, ids=[str(p.relative_to(ROOT / "procedures")) for p in SCENARIOS])
def test_shipped_scenario_passes(cli, path):
    """Every scenario shipped under procedures/ passes `safeproc test`: its expectations hold on today's encoding."""
    result = cli("test", str(path))
    assert result.code == 0, result.out + result.err
    assert result.out.strip().splitlines()[-1] == "1 passed, 0 failed"


SOUND = sorted(
    [*(ROOT / "procedures").rglob("*.proc"), *(ROOT / "tests" / "simulate").glob("*.proc"), *(ROOT / "tests" / "render").glob("*.proc")]
)


@pytest.mark.parametrize("path", SOUND, ids=[_name(p) for p in SOUND])
def test_every_procedure_the_scenarios_and_pictures_use_is_clean_and_sound(cli, path):
    """No warning either: decision analysis and the soundness check find nothing in them."""
    result = cli("check", "--strict", str(path))
    assert result.code == 0, result.err
