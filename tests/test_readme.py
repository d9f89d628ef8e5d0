"""The README's examples are true: the procedure checks clean, the case passes, the commands exist."""

from __future__ import annotations

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
