"""The README's examples are true: the procedure checks clean, the case passes, the commands exist."""

from __future__ import annotations

import json
import re

from repl.commands import COMMANDS

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _block_after(heading: str) -> str:
    section = README[README.index(heading) :]
    return re.search(r"```\n(.*?)```", section, re.S).group(1)


def test_the_example_procedure_checks_clean(cli, tmp_path):
    """The procedure under 'What a procedure looks like' passes `safeproc check --strict`."""
    path = tmp_path / "example.proc"
    path.write_text(_block_after("## What a procedure looks like"))
    result = cli("check", "--strict", str(path))
    assert result.code == 0, result.err


def test_the_example_case_is_the_shipped_scenario_and_passes(cli):
    """The case under 'Simulating cases' is scenario 01 word for word, and it passes."""
    shown = _block_after("## Simulating cases")
    scenario = ROOT / "procedures/pan-sussex/scenarios/01-death-abuse-notified-on-time.case"
    assert shown.strip() == scenario.read_text(encoding="utf-8").strip()
    result = cli("test", str(scenario.relative_to(ROOT)))
    assert result.code == 0, result.out


def test_every_command_the_readme_shows_exists():
    """Each `safeproc NAME` in the README names a real command."""
    shown = set(re.findall(r"^safeproc (\w+)", README, re.M))
    assert shown <= {command.name for command in COMMANDS}
    assert {"check", "simulate", "test", "render", "trace", "date", "explain"} <= shown


def test_the_tiered_deadline_example_means_what_the_readme_says(cli, tmp_path):
    """The step under 'Deadlines and escalations': a month expected, a year required, each with its own escalation."""
    step = _block_after("**Deadlines and escalations.**")
    procedure = (
        'procedure "Allegations"\n  calendar england-and-wales\nend\n'
        'role lado "LADO"\nrole manager "Manager"\nrole director "Director"\nevent referral "Referral"\n'
        f'start at investigate\n{step}outcome conclude "Concluded"\n'
    )
    (tmp_path / "tiered.proc").write_text(procedure, encoding="utf-8")
    assert cli("check", "--strict", str(tmp_path / "tiered.proc")).code == 0
    case = (
        'case "Two months in"\n  procedure "tiered.proc"\n  as of 2024-03-15\nend\non 2024-01-15 referral\n'
        "expect investigate due 2024-02-15\nexpect investigate deadline 2 due 2025-01-15\n"
        "expect escalation from investigate to manager on 2024-02-16\nexpect investigate is overdue\n"
    )
    (tmp_path / "tiered.case").write_text(case, encoding="utf-8")
    result = cli("test", str(tmp_path / "tiered.case"))
    assert result.code == 0, result.out
    # And the year's escalation has not fired.
    report = cli("simulate", str(tmp_path / "tiered.proc"), str(tmp_path / "tiered.case"), "--format", "json")
    assert [e["to"] for e in json.loads(report.out)["escalations"]] == ["manager"]
