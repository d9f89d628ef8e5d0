"""`safeproc verify`: a local procedure against the national specification it implements.

Each `tests/verify/NAME.proc` is a small local procedure with one kind of
non-conformity against `tests/verify/national.proc`, beside `NAME.stderr`, the exact
output of `safeproc verify` for it, read and judged right by a person.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT, assert_no_internal_error

HERE = ROOT / "tests" / "verify"
CASES = sorted(p for p in HERE.glob("*.proc") if p.name != "national.proc")


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_verify_findings_match_golden_file(case: Path, cli, golden):
    result = cli("verify", str(case.relative_to(ROOT)))
    assert_no_internal_error(result)
    golden(case.with_suffix(".stderr"), result.err)
    assert result.code == (1 if "error[" in result.err else 0)


@pytest.mark.parametrize(
    ("case", "code", "severity"),
    [
        ("uncovered", "P701", "warning"),  # the review is a `should`
        ("weaker_duty", "P702", "error"),
        ("wrong_owner", "P703", "error"),
        ("looser_deadline", "P704", "error"),
        ("missing_deadline", "P704", "error"),
        ("stricter_deadline", "P705", "note"),
        ("missed_case", "P706", "error"),
        ("local_fact_stops", "P707", "warning"),  # a `must` that local facts can stop
        ("reversed_order", "P708", "warning"),
        ("no_escalation", "P709", "error"),
        ("other_anchor", "P710", "warning"),
        ("broken_links", "P602", "error"),
    ],
)
def test_each_kind_of_non_conformity_is_found_and_graded_by_the_national_duty(cli, case, code, severity):
    result = cli("verify", f"tests/verify/{case}.proc", "--format", "json")
    found = {(d["code"], d["severity"]) for d in json.loads(result.out)}
    assert (code, severity) in found, found


def test_a_conforming_procedure_has_no_findings(cli):
    result = cli("verify", "tests/verify/conforming.proc")
    assert result.code == 0
    assert result.err.strip().endswith("4 national obligations, 4 satisfied by a local step; 0 errors, 0 warnings, 0 notes")


def test_five_days_against_five_working_days_shows_the_bank_holiday(cli):
    """Proved never later by arithmetic; the note shows a start on which the local day is Boxing Day."""
    result = cli("verify", "tests/verify/stricter_deadline.proc")
    assert "locally Wed 26 Dec 2018, Boxing Day; nationally Wed 02 Jan 2019" in result.err


def test_a_looser_deadline_names_the_worst_start(cli):
    result = cli("verify", "tests/verify/looser_deadline.proc")
    assert "error[P704]" in result.err and "counting from" in result.err


def test_strict_fails_on_a_should_not_met(cli):
    assert cli("verify", "tests/verify/uncovered.proc").code == 0
    assert cli("verify", "--strict", "tests/verify/uncovered.proc").code == 1


def test_sarif_names_both_files(cli):
    result = cli("verify", "tests/verify/wrong_owner.proc", "--format", "sarif")
    sarif = json.loads(result.out)
    assert sarif["runs"][0]["results"][0]["ruleId"] == "P703"


# ---- editions in force by date --------------------------------------------------------


def test_as_of_picks_the_edition_in_force(cli):
    """Eight working days meet the 2019 edition's ten, not the 2023 edition's five (in force from 1 June 2023)."""
    local = "tests/verify/editions/local/eight_days.proc"
    before = cli("verify", local, "--as-of", "2023-05-31")
    after = cli("verify", local, "--as-of", "2023-06-01")
    assert before.code == 0 and "rules-2019.proc (in force on 2023-05-31)" in before.err
    assert after.code == 1 and "rules-2023.proc (in force on 2023-06-01)" in after.err
    assert "error[P704]" in after.err


def test_as_of_before_any_edition_says_so(cli):
    result = cli("verify", "tests/verify/editions/local/eight_days.proc", "--as-of", "2010-01-01")
    assert result.code == 1 and "error[P607]" in result.err


def test_as_of_must_be_a_date(cli):
    result = cli("verify", "tests/verify/conforming.proc", "--as-of", "last tuesday")
    assert result.code == 2 and "is not a date" in result.err


def test_against_overrides_the_header(cli):
    result = cli("verify", "tests/verify/editions/local/eight_days.proc", "--against", "tests/verify/editions/national/rules-2023.proc")
    assert result.code == 1 and "error[P704]" in result.err


def test_a_procedure_that_implements_nothing_is_told_how_to_say_what(cli, tmp_path):
    path = tmp_path / "p.proc"
    path.write_text(
        (HERE / "conforming.proc")
        .read_text()
        .replace('  implements "national.proc"\n', "")
        .replace(" plays local_authority", "")
        .replace(" plays police", "")
        .replace("  satisfies criteria\n", "")
        .replace("  satisfies notify\n", "")
        .replace("  satisfies review\n", "")
        .replace("  satisfies publish\n", "")
    )
    result = cli("verify", str(path))
    assert result.code == 2 and "implements no national specification" in result.err


# ---- the links, in `check` --------------------------------------------------------------


def test_check_finds_an_unknown_specification_with_did_you_mean(cli, tmp_path):
    path = tmp_path / "procedures" / "local" / "p.proc"
    path.parent.mkdir(parents=True)
    (tmp_path / "procedures" / "national").mkdir()
    (tmp_path / "procedures" / "national" / "working-together-2023.proc").write_bytes(
        (ROOT / "procedures/national/working-together-2023.proc").read_bytes()
    )
    path.write_text(
        'procedure "P"\n  calendar england-and-wales\n  implements working_togther_2023\nend\nstart at s\nstep s "S" next d end\noutcome d "D"\n'
    )
    result = cli("check", str(path))
    assert result.code == 1
    assert "error[P601]: no national specification `working_togther_2023` can be found" in result.err
    assert "did you mean `working_together_2023`" in result.err


def test_check_says_a_specification_named_too_long_to_look_up_cannot_be_found(cli, tmp_path):
    """An `implements` name longer than the system can look up (a file name, or a path) is not found, not an internal error."""
    for name in ('"' + "a" * 300 + '.proc"', "a" * 300, '"' + "d/" * 2100 + 'x.proc"'):
        path = tmp_path / "p.proc"
        path.write_text(
            f'procedure "P"\n  calendar england-and-wales\n  implements {name}\nend\nstart at s\nstep s "S" next d end\noutcome d "D"\n'
        )
        result = cli("check", str(path))
        assert result.code == 1, name[:20]
        assert "error[P601]: no national specification" in result.err and "internal error" not in result.err


def test_check_finds_satisfies_and_plays_that_name_nothing(cli):
    result = cli("check", "tests/verify/broken_links.proc")
    assert "error[P602]" in result.err and "did you mean `notify`?" in result.err
    assert "error[P603]" in result.err and "did you mean `police`?" in result.err


def test_satisfies_without_implements_is_an_error(cli, tmp_path):
    path = tmp_path / "p.proc"
    path.write_text(
        'procedure "P"\n  calendar england-and-wales\nend\nstart at s\nstep s "S"\n  satisfies notify\n  next d\nend\noutcome d "D"\n'
    )
    result = cli("check", str(path))
    assert result.code == 1 and "error[P604]" in result.err


def test_the_search_path_variable_is_looked_in_first(cli, tmp_path, monkeypatch):
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "rules-2023.proc").write_bytes((HERE / "editions/national/rules-2023.proc").read_bytes())
    local = tmp_path / "elsewhere" / "p.proc"
    local.parent.mkdir()
    local.write_text((HERE / "editions/local/eight_days.proc").read_text().replace("implements rules_2019", "implements rules_2023"))
    monkeypatch.setenv("SAFEPROC_NATIONAL_PATH", str(folder))
    result = cli("verify", str(local))
    assert "rules-2023.proc" in result.err and "error[P704]" in result.err


# ---- the Pan-Sussex chapter against Working Together 2023 --------------------------------


def test_pan_sussex_against_working_together_2023(cli, golden):
    """The real findings for the partnership: read in the closing note of issue 13 and in READING.md."""
    result = cli("verify", "procedures/pan-sussex/cspr.proc")
    golden(HERE / "pan-sussex.stderr", result.err)
    assert result.code == 1


# ---- deadlines of every kind and unit, each by its own calendar --------------------------------


def _pair(tmp_path, national_deadline: str, local_deadline: str, closures: str = "") -> Path:
    national = tmp_path / "n.proc"
    national.write_text(
        'procedure "N"\n  calendar england-and-wales\nend\nrole la "LA"\nevent e "E"\nstart at s\n'
        f'step s "S"\n  must be done by la\n  # allow P305: test\n  {national_deadline}\n  next d\nend\noutcome d "D"\n'
    )
    local = tmp_path / "l.proc"
    local.write_text(
        f'procedure "L"\n  calendar england-and-wales\n  implements "n.proc"\n{closures}end\nrole la "LA"\nevent e "E"\nstart at s\n'
        f'step s "S"\n  must be done by la\n  # allow P305: test\n  {local_deadline}\n  satisfies s\n  next d\nend\noutcome d "D"\n'
    )
    return local


@pytest.mark.parametrize(
    ("national", "local", "looser"),
    [
        ("at least 7 working days before e", "at least 5 working days before e", True),  # counting back: fewer is looser
        ("at least 7 working days before e", "at least 10 working days before e", False),
        ("for at least 75 years after e", "for at least 6 years after e", True),  # past the calendar's years
        ("within 24 hours after e", "within 47 hours after e", True),  # hours to the hour
        ("within 24 hours after e", "within 30 days after e", True),  # hours against days
        ("within 24 hours after e", "within 23 hours after e", False),
        ("at least 2 days after e", "at least 1 day after e", True),
    ],
)
def test_a_local_deadline_looser_than_the_national_one_is_found(tmp_path, cli, national, local, looser):
    result = cli("verify", str(_pair(tmp_path, national, local)))
    assert_no_internal_error(result)
    assert ("error[P704]" in result.err) == looser, result.err


def test_the_local_closures_do_not_move_the_national_deadline(tmp_path, cli):
    """A partnership closed all summer: its 5 working days end in September, the national ones in July."""
    local = _pair(tmp_path, "within 5 working days after e", "within 5 working days after e", "  closed on 2024-06-25 to 2024-08-31\n")
    result = cli("verify", str(local))
    assert "error[P704]" in result.err, "without the closures the two are the same rule"


def test_a_stricter_should_target_beside_the_binding_must_is_no_finding(tmp_path, cli):
    local = _pair(tmp_path, "within 10 working days after e", "within 10 working days after e")
    local.write_text(
        local.read_text().replace(
            "  within 10 working days after e\n", "  within 10 working days after e\n  should be done within 5 working days after e\n"
        )
    )
    result = cli("verify", str(local))
    assert "P702" not in result.err and "P704" not in result.err, result.err


def test_a_delegation_that_comes_back_round_is_an_error(cli, tmp_path):
    path = tmp_path / "p.proc"
    path.write_text(
        'procedure "P"\n  calendar england-and-wales\nend\nrole a "A" delegated by b\nrole b "B" delegated by a\n'
        'start at s\nstep s "S" by a next d end\noutcome d "D"\n'
    )
    result = cli("check", str(path))
    assert result.code == 1 and "error[P608]: `a` is delegated by itself, through `b`" in result.err


def test_a_procedure_that_implements_itself_is_told_so(cli, tmp_path):
    path = tmp_path / "p.proc"
    path.write_text(
        'procedure "P"\n  calendar england-and-wales\n  implements "p.proc"\nend\nstart at s\nstep s "S" next d end\noutcome d "D"\n'
    )
    result = cli("check", str(path))
    assert result.code == 1 and "names itself as the national specification" in result.err


def test_a_national_folder_others_can_write_to_is_not_searched(cli, tmp_path):
    """A `national` folder found by looking upwards from the procedure must be closed to other users."""
    shared = tmp_path / "national"
    shared.mkdir()
    (shared / "rules-2023.proc").write_bytes((HERE / "editions/national/rules-2023.proc").read_bytes())
    shared.chmod(0o777)
    local = tmp_path / "team" / "p.proc"
    local.parent.mkdir()
    local.write_text((HERE / "editions/local/eight_days.proc").read_text().replace("implements rules_2019", "implements rules_2023"))
    result = cli("verify", str(local))
    assert "error[P601]" in result.err, result.err
    shared.chmod(0o755)
    assert "error[P704]" in cli("verify", str(local)).err


def test_against_a_folder_says_it_is_a_folder(cli, tmp_path):
    result = cli("verify", "tests/verify/conforming.proc", "--against", str(tmp_path))
    assert result.code == 2 and "it is a folder" in result.err


# ---- a specification with errors of its own (P605) -------------------------------------


def _beside_a_changed_specification(tmp_path: Path, old: str, new: str) -> Path:
    national = (HERE / "national.proc").read_text()
    assert old in national
    (tmp_path / "national.proc").write_text(national.replace(old, new, 1))
    local = tmp_path / "local.proc"
    local.write_text((HERE / "conforming.proc").read_text())
    return local


def test_a_specification_whose_names_cannot_be_read_stops_check_and_verify(cli, tmp_path):
    """An unknown role in the specification: the links cannot be checked against it, and both commands say so."""
    local = _beside_a_changed_specification(
        tmp_path, "  must be done by local_authority\n  within 5", "  must be done by nobody\n  within 5"
    )
    # check, which read the specification only as far as its names, does not count its errors.
    for command, said in (("check", "has errors in what it declares"), ("verify", "has 1 error of its own")):
        result = cli(command, str(local))
        assert_no_internal_error(result)
        assert "error[P605]" in result.err and said in result.err, (command, result.err)
        assert result.code == 1


def test_a_flow_error_in_the_specification_stops_verify_but_not_the_check_of_the_links(cli, tmp_path):
    """A dead end in the specification: `check` of the local file reads the specification's names, which are
    sound, so it finds nothing; `verify`, which follows the specification's flow, cannot go on (P605)."""
    local = _beside_a_changed_specification(
        tmp_path, '  if late notify panel "why it is late"\n  next review\n', '  if late notify panel "why it is late"\n'
    )
    national = cli("check", str(tmp_path / "national.proc"))
    assert "error[P203]" in national.err
    checked = cli("check", str(local))
    assert checked.code == 0 and "P605" not in checked.err, checked.err
    verified = cli("verify", str(local))
    assert "error[P605]" in verified.err and verified.code == 1, verified.err
