"""When safeproc itself fails: one plain line for the user, and the details kept where a maintainer can ask for them."""

from __future__ import annotations

import stat

import pytest

from interpreter import syntax
from repl.commands import check

from conftest import run_cli

SECRET = "Jane Doe, born 2015-04-01"


@pytest.fixture
def failing_check(monkeypatch, tmp_path):
    """`safeproc check` made to fail inside safeproc with a message that quotes a (made-up) case detail."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("SAFEPROC_DEBUG", raising=False)

    def broken(args, console):
        raise ValueError(f"could not handle {SECRET}")

    # The command table loads a command's module when it is used, and takes its COMMAND.
    monkeypatch.setattr(check, "COMMAND", check.COMMAND._replace(run=broken))
    return tmp_path / "cache" / "safeproc" / "crashes"


def test_an_internal_error_is_one_plain_message_with_a_saved_report(failing_check):
    """The user sees what failed and where the report is; the traceback is not printed without --debug."""
    result = run_cli("check", "family-smith.proc")
    assert result.code == 3
    assert "internal error (ValueError" in result.err
    assert "Traceback" not in result.err
    reports = list(failing_check.iterdir())
    assert len(reports) == 1
    assert str(reports[0]) in result.err
    assert "--debug" in result.err


def test_the_report_says_where_but_holds_nothing_from_the_users_files(failing_check):
    """The report names the exception and the frames, but neither its message nor any value given on the command line."""
    run_cli("check", "--format=text", "--strict", "family-smith.proc")
    report_path = next(failing_check.iterdir())
    report = report_path.read_text()
    assert "builtins.ValueError" in report
    assert "in broken" in report and "test_crash_report.py" in report
    assert SECRET not in report
    assert "family-smith" not in report
    assert "command: safeproc check --format=… --strict …" in report
    assert stat.S_IMODE(report_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(failing_check.parent.stat().st_mode) == 0o700


def test_option_values_are_left_out_however_they_are_written():
    """`--output=VALUE`, `-oVALUE` and plain arguments all lose their values in a report."""
    from repl.crash_report import crash_report

    report = crash_report(ValueError("x"), ["render", "--output=Smith.svg", "-oSmith.svg", "-o", "Smith.svg", "Smith.proc"])
    assert "Smith" not in report
    assert "command: safeproc render --output=… -o… -o … …" in report


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_debug_shows_the_whole_traceback(failing_check, monkeypatch, how):
    """`--debug` or SAFEPROC_DEBUG=1 prints the full traceback to stderr."""
    if how == "environment":
        monkeypatch.setenv("SAFEPROC_DEBUG", "1")
        result = run_cli("check", "x.proc")
    else:
        result = run_cli("--debug", "check", "x.proc")
    assert result.code == 3
    assert "Traceback (most recent call last)" in result.err
    assert "ValueError: could not handle" in result.err


def test_a_cache_folder_that_cannot_be_made_still_gives_the_plain_message(failing_check, monkeypatch, tmp_path):
    """If the report cannot be saved, the user still gets the one plain message and exit 3."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    result = run_cli("check", "x.proc")
    assert result.code == 3
    assert "internal error" in result.err and "saved in" not in result.err


def test_every_common_mistake_example_is_recognised_as_itself():
    """Each example behind a specific syntax message fails to parse and is matched to its own code, never to P010."""
    from interpreter.source import SourceFile

    for code, _message, _help, examples in syntax._COMMON_MISTAKES:
        for example in syntax._with_titles(examples):
            text = 'procedure "p"\nend\n' + example + "\n"
            result = syntax.parse_source(SourceFile("example.proc", text))
            codes = [d.code for d in result.diagnostics]
            assert codes and codes[0] == code, (example, codes)


def test_debug_works_after_the_command_too(failing_check):
    """`safeproc check x.proc --debug`, as a user adds it to the command they ran, shows the traceback."""
    result = run_cli("check", "x.proc", "--debug")
    assert result.code == 3
    assert "Traceback (most recent call last)" in result.err
