"""The command line as a user meets it: exit codes, formats, paths and hostile input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, assert_no_internal_error

GOOD = "procedures/pan-sussex/cspr.proc"
WARNING_ONLY = "tests/diagnostics/decision_gap.proc"
ERRORS = "tests/diagnostics/misspelt_role.proc"


def test_pan_sussex_procedure_checks_clean(cli):
    """The shipped Pan-Sussex procedure passes `safeproc check` with exit 0."""
    result = cli("check", "procedures/pan-sussex/")
    assert result.code == 0, result.err
    assert "no problems found" in result.err


def test_exit_codes_follow_linter_convention(cli):
    """0 for warnings only, 1 for errors, and --strict turns warnings into a failure."""
    assert cli("check", WARNING_ONLY).code == 0
    assert cli("check", ERRORS).code == 1
    assert cli("check", "--strict", WARNING_ONLY).code == 1
    assert cli("check", "--strict", GOOD).code == 0


def test_missing_file_is_a_one_line_usage_error(cli):
    """A path that does not exist exits 2 with one plain line, no traceback."""
    result = cli("check", "no/such/file.proc")
    assert result.code == 2
    assert result.err.strip() == "safeproc: cannot read `no/such/file.proc`: no such file or folder"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file_is_a_one_line_usage_error(cli, tmp_path):
    """A file without read permission exits 2 with one plain line."""
    path = tmp_path / "secret.proc"
    path.write_text('procedure "x"\nend\n')
    path.chmod(0)
    result = cli("check", str(path))
    assert result.code == 2
    assert "cannot read" in result.err
    assert_no_internal_error(result)


def test_a_tree_a_thousand_folders_deep_is_read_not_a_crash(cli, tmp_path, deep_folders):
    """Walked by recursion (os.walk before Python 3.12), a tree 1,100 folders deep was an internal error for every command
    that takes a folder; links and hidden folders are still passed over."""
    (tmp_path / "procedures").mkdir()
    deepest = deep_folders(tmp_path / "procedures", 1_100)
    (deepest / "deep.proc").write_bytes((ROOT / "tests/simulate/one_path.proc").read_bytes())
    (tmp_path / "procedures" / ".hidden").mkdir()
    (tmp_path / "procedures" / ".hidden" / "broken.proc").write_text("nonsense")
    (tmp_path / "procedures" / "up").symlink_to("..")
    checked = cli("check", str(tmp_path / "procedures"))
    assert_no_internal_error(checked)
    assert (checked.code, "no problems found" in checked.err) == (0, True), checked.err
    formatted = cli("format", "--check", str(tmp_path / "procedures"))
    assert_no_internal_error(formatted)
    assert formatted.code == 0, formatted.err
    tested = cli("test", str(tmp_path / "procedures"))
    assert_no_internal_error(tested)


def test_files_under_a_folder_pass_over_links_that_lead_nowhere_and_hidden_folders_unless_asked(tmp_path):
    """As before the walk was rewritten: a .case link that loops or leads nowhere is no file; the editor's and diff's
    search for scenarios (hidden_folders) looks in hidden folders, as pathlib's rglob did; check and test do not."""
    from repl.commands import files_under

    (tmp_path / ".scenarios").mkdir()
    (tmp_path / ".scenarios" / "hidden.case").write_text("")
    (tmp_path / "plain.case").write_text("")
    (tmp_path / "loop.case").symlink_to("loop.case")
    (tmp_path / "broken.case").symlink_to("nowhere.case")
    assert [path.name for path in files_under(tmp_path, ".case")] == ["plain.case"]
    assert [path.name for path in files_under(tmp_path, ".case", hidden_folders=True)] == ["hidden.case", "plain.case"]


def test_a_folder_with_no_proc_files_is_a_usage_error(cli, tmp_path):
    """A folder holding no .proc files exits 2 and says none were found there."""
    (tmp_path / "notes.txt").write_text("hello")
    result = cli("check", str(tmp_path))
    assert result.code == 2
    assert "no .proc files found" in result.err


def test_directory_checks_every_proc_file_under_it(cli, tmp_path):
    """A folder argument checks each .proc file beneath it, as linters do."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.proc").write_text("")
    (tmp_path / "two.proc").write_text("")
    (tmp_path / "ignored.txt").write_text("")
    result = cli("check", str(tmp_path))
    assert result.code == 1
    assert result.err.count("error[P003]") == 2
    assert "checked 2 files" in result.err


def test_json_format_lists_the_documented_fields(cli):
    """--format json gives a list of objects with exactly the documented keys."""
    result = cli("check", "--format", "json", ERRORS)
    items = json.loads(result.out)
    assert {tuple(sorted(item)) for item in items} == {
        tuple(sorted(["code", "severity", "message", "file", "line", "column", "end_line", "end_column", "help", "notes"]))
    }
    error = next(item for item in items if item["code"] == "P102")
    assert (error["file"], error["line"], error["column"], error["end_column"]) == (ERRORS, 7, 6, 16)
    assert error["help"] == "did you mean `scp_manager`?"


def test_sarif_format_is_what_ci_systems_read(cli):
    """--format sarif is SARIF 2.1.0 with the tool, its rules and located results."""
    result = cli("check", "--format", "sarif", ERRORS, "tests/diagnostics/decision_gap.proc")
    document = json.loads(result.out)
    assert document["version"] == "2.1.0"
    run = document["runs"][0]
    assert run["tool"]["driver"]["name"] == "safeproc"
    rule_ids = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert {"P102", "P204"} <= rule_ids
    found = {r["ruleId"]: r for r in run["results"]}
    assert found["P102"]["level"] == "error"
    assert found["P204"]["level"] == "warning"
    location = found["P102"]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == ERRORS
    assert (location["region"]["startLine"], location["region"]["startColumn"]) == (7, 6)
    assert "scp_manger" in found["P102"]["message"]["text"]


def test_explain_gives_the_long_explanation(cli):
    """`safeproc explain P102` prints the code's title and explanation."""
    result = cli("explain", "p102")
    assert result.code == 0
    assert result.out.startswith("P102: unknown role")
    assert "role scp_manager" in result.out


def test_explain_lists_codes_and_rejects_unknown_ones(cli):
    """Without a code every code is listed; an unknown code exits 2 with a suggestion."""
    listing = cli("explain")
    assert listing.code == 0 and "P203  dead end" in listing.out
    unknown = cli("explain", "P1O2")
    assert unknown.code == 2
    assert "did you mean `P102`?" in unknown.err


def test_every_code_the_checks_emit_has_an_explanation():
    """Every diagnostic code written in the source has an entry in the codes catalogue."""
    import re

    from interpreter.codes import CODES

    used = set()
    for path in (ROOT / "interpreter").glob("*.py"):
        used |= set(re.findall(r'"(P\d{3})"', path.read_text()))
    assert used <= set(CODES), sorted(used - set(CODES))


def test_version_and_help(cli):
    """--version names the tool; --help lists the commands; no command prints help and exits 2."""
    version = cli("--version")
    assert version.code == 0 and version.out.startswith("safeproc ")
    help_text = cli("--help")
    assert help_text.code == 0 and all(command in help_text.out for command in ("check", "simulate", "render"))
    assert cli().code == 2


def test_usage_errors_exit_2_with_a_pointer_to_help(cli):
    """An unknown option ends with the usage, one line saying what is wrong, and a pointer to --help, exit 2."""
    result = cli("check", "--frmat", "json", GOOD)
    assert result.code == 2
    assert result.err.strip().splitlines() == [
        "usage: safeproc [-h] [--version] [--debug] COMMAND ...",
        "safeproc: unrecognized arguments: --frmat",
        "Run `safeproc --help` for help.",
    ]


@pytest.mark.parametrize("argv", [("chek", "x.proc"), ("--", "chek"), ("--debug", "chek")])
def test_an_unknown_command_is_named_with_the_nearest_and_the_list(cli, argv):
    """A mistyped command gets `did you mean`, the list of commands and the pointer to --help, exit 2."""
    result = cli(*argv)
    assert result.code == 2
    assert result.err.strip().splitlines() == [
        "usage: safeproc [-h] [--version] [--debug] COMMAND ...",
        "safeproc: there is no command `chek`; did you mean `check`? (the commands are check, date, diff, explain, format, handbook, lsp, render, shell, simulate, test, trace, verify)",
        "Run `safeproc --help` for help.",
    ]


def _run_installed(*argv: str, env=None, input_bytes=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "repl.cli", *argv], cwd=ROOT, capture_output=True, env=env, input=input_bytes, timeout=120)


def test_colour_only_on_a_terminal_and_never_with_no_color(cli):
    """Piped output has no escape codes; NO_COLOR turns colour off even on a terminal."""
    from repl.printable import wants_colour

    class FakeTerminal:
        def isatty(self):
            return True

    env_before = os.environ.pop("NO_COLOR", None)
    try:
        assert wants_colour(FakeTerminal())
        os.environ["NO_COLOR"] = ""
        assert not wants_colour(FakeTerminal())
    finally:
        os.environ.pop("NO_COLOR", None)
        if env_before is not None:
            os.environ["NO_COLOR"] = env_before
    assert "\x1b[" not in cli("check", ERRORS).err


def test_check_does_not_import_graphviz_or_prompt_toolkit():
    """`safeproc check` stays fast and light: neither graphviz nor prompt_toolkit is imported."""
    code = (
        "import sys\n"
        "from repl.cli import main\n"
        f"main(['check', {GOOD!r}])\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('graphviz', 'prompt_toolkit')]\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(os.urandom(4096), id="random-bytes"),
        pytest.param(b"step " + b"x" * 10_000_000, id="ten-megabyte-line"),
        pytest.param(
            b'procedure "x"\nend\nfact a "A" is yes or no\ndecision d "?"\n  when ' + b"(" * 5000 + b"a" + b")" * 5000 + b" -> d\nend\n",
            id="5000-nested-parentheses",
        ),
        pytest.param(
            b'procedure "x"\nend\nfact a "A" is yes or no\ndecision d "?"\n  when ' + b"not " * 5000 + b"a -> d\nend\n",
            id="5000-nested-nots",
        ),
        pytest.param(b"\xff\xfe" + "step".encode("utf-16-le"), id="utf-16"),
        pytest.param(b'procedure "x"\nend\n' * 2000 + b"role", id="many-headers"),
    ],
)
def test_hostile_input_never_prints_a_traceback(content: bytes, tmp_path):
    """Whatever the file holds, check ends with diagnostics (exit 0 or 1), never a traceback."""
    path = tmp_path / "hostile.proc"
    path.write_bytes(content)
    result = _run_installed("check", str(path))
    assert b"Traceback" not in result.stderr
    assert result.returncode in (0, 1), result.stderr[-2000:]


def test_allow_written_inside_a_title_does_not_silence_a_warning(cli, tmp_path):
    """`# allow P205` counts in a comment, not when it is part of a title on the same line."""
    header = 'procedure "p"\n  calendar england-and-wales\nend\n'
    in_title = tmp_path / "title.proc"
    in_title.write_text(header + 'role unused "Nobody # allow P205"\n')
    in_comment = tmp_path / "comment.proc"
    in_comment.write_text(header + 'role unused "Nobody"  # allow P205: kept for the next edition\n')
    assert "P205" in cli("check", str(in_title)).err
    assert "P205" not in cli("check", str(in_comment)).err


def test_the_command_table_says_what_each_command_module_says():
    """The table lists names and summaries without loading the commands; each must match its module."""
    from repl.commands import COMMANDS

    for command in COMMANDS:
        loaded = command.load()
        assert (loaded.name, loaded.summary) == (command.name, command.summary)


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["explain", "P102"], ["check", "--help"], ["date", "--help"]])
def test_commands_that_need_no_procedure_load_none_of_the_heavy_libraries(argv):
    """Start-up is the cost of what is imported: `--version` must not pay for Lark, networkx or Graphviz."""
    code = (
        "import sys, contextlib, io\n"
        "from repl.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main({argv!r})\n"
        "heavy = {'lark', 'networkx', 'graphviz', 'prompt_toolkit', 'pygls', 'lsprotocol', 'holidays', 'dateutil'}\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


# Output held in the streams' buffers as Python normally holds it (this machine's
# PYTHONUNBUFFERED would write each line at once and hide a lost buffer).
_BUFFERED = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}


def _program(*lines: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "\n".join(lines)], cwd=ROOT, capture_output=True, text=True, timeout=120, env=_BUFFERED)


def test_the_program_ends_with_all_its_output_written(tmp_path):
    """The program leaves without Python's tear-down (repl/cli.py's `leave`), but only once all it printed is written."""
    many = tmp_path / "many.proc"
    many.write_text('procedure "x"\n  calendar england-and-wales\nend\n' + "".join(f'role r{i} "R {i}"\n' for i in range(3000)))
    result = subprocess.run(
        [sys.executable, "-m", "repl.cli", "check", "--strict", "--format", "json", str(many)],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        env=_BUFFERED,
    )
    assert result.returncode == 1  # --strict: the 3,000 unused roles count
    assert len(json.loads(result.stdout)) == 3000  # about 900 KB, far more than a pipe holds at once
    # A few lines, all still in the stream's buffer when the command returns.
    explained = subprocess.run(
        [sys.executable, "-m", "repl.cli", "explain", "P102"], cwd=ROOT, capture_output=True, text=True, timeout=120, env=_BUFFERED
    )
    assert explained.returncode == 0
    assert explained.stdout.startswith("P102: unknown role") and explained.stdout.endswith("\n") and len(explained.stdout) > 200


def test_the_program_runs_the_exit_handlers_and_waits_for_a_thread_still_running():
    """What Python would do on the way out is still done: exit handlers run, and a running thread is waited for."""
    handlers = _program(
        "import atexit, sys",
        "atexit.register(lambda: print('handler ran', file=sys.stderr, flush=True))",
        "from repl.cli import run",
        "sys.argv = ['safeproc', 'explain', 'P102']",
        "run()",
    )
    assert handlers.returncode == 0
    assert "P102" in handlers.stdout and "handler ran" in handlers.stderr
    thread = _program(
        "import sys, threading, time",
        "threading.Thread(target=lambda: (time.sleep(0.3), print('thread finished', flush=True))).start()",
        "from repl.cli import run",
        "sys.argv = ['safeproc', 'explain', 'P999999']",
        "run()",
    )
    assert thread.returncode == 2, thread.stderr
    assert "thread finished" in thread.stdout


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full, a device that is always full")
@pytest.mark.parametrize("buffered", [True, False], ids=["buffered", "unbuffered"])
@pytest.mark.parametrize("argv", [["explain", "P102"], ["check", "--format", "json", GOOD]])
def test_output_that_cannot_be_written_is_a_plain_message_not_a_bug_report(argv, buffered):
    """A full disk is the user's to hear about: a plain line and exit 2, not "internal error", whether the
    stream fails while the command writes (unbuffered) or only as the program ends (buffered)."""
    env = _BUFFERED if buffered else {**_BUFFERED, "PYTHONUNBUFFERED": "1"}
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "repl.cli", *argv], cwd=ROOT, stdout=full, stderr=subprocess.PIPE, text=True, env=env, timeout=120
        )
    assert result.returncode == 2
    assert "safeproc: cannot write the output: no space left on device" in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full, a device that is always full")
def test_output_lost_is_said_once_and_exits_2_even_when_problems_were_found(tmp_path):
    """Bytes a command wrote and could not flush fail again as the program ends: the user hears of it once.
    And a lost output exits 2 whether it was lost while the command wrote or as the program ended."""
    tiny = tmp_path / "tiny.proc"
    tiny.write_text(
        'procedure "x"\n  calendar england-and-wales\nend\nrole r "R"\nstart at a\nstep a "A"\n  by r\n  next done\nend\noutcome done "Done"\n'
    )
    broken = tmp_path / "broken.proc"
    broken.write_text('procedure "x"\n  calendar england-and-wales\nend\nrole r "R"\nstep a "A"\n  by r\nend\n')
    for argv in (["render", str(tiny), "--format", "dot", "-o", "-"], ["check", "--format", "json", str(broken)]):
        with open("/dev/full", "w") as full:
            result = subprocess.run(
                [sys.executable, "-m", "repl.cli", *argv],
                cwd=ROOT,
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                env=_BUFFERED,
                timeout=120,
            )
        assert result.stderr.count("cannot write the output") == 1, (argv, result.stderr)
        assert result.returncode == 2, (argv, result.stderr)


@pytest.mark.skipif(sys.platform == "win32", reason="closes standard output from a POSIX shell")
def test_a_program_started_with_standard_output_closed_says_it_cannot_write():
    result = subprocess.run(
        ["sh", "-c", f'exec "{sys.executable}" -m repl.cli explain P605 >&-'], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert "safeproc: cannot write the output: the stream is closed" in result.stderr
    assert "internal error" not in result.stderr


def test_a_file_with_old_mac_line_ends_is_checked_line_by_line(cli, tmp_path):
    """Lines ended by a carriage return alone: a comment ends at its line, and a problem is placed on its own line."""
    path = tmp_path / "old-mac.proc"
    path.write_bytes(b'procedure "P"\r  calendar england-and-wales\rend\r# roles\rrole crg "CRG"\r')
    result = cli("check", str(path))
    assert "P004" not in result.err  # the header is read, not lost in the comment
    assert "old-mac.proc:5:6" in result.err and "role `crg` is declared but never used" in result.err


def test_a_byte_that_is_not_utf8_is_placed_on_its_line_whatever_ends_the_lines(cli, tmp_path):
    """P001 counts lines as the rest of safeproc does: a carriage return alone ends one too."""
    for name, line_end in (("unix.proc", b"\n"), ("old-mac.proc", b"\r"), ("windows.proc", b"\r\n")):
        path = tmp_path / name
        path.write_bytes(line_end.join([b'procedure "P"', b"  calendar england-and-wales", b"end", b'role crg "C\xffRG"', b""]))
        result = cli("check", str(path))
        assert f"{name}:4:12" in result.err and "byte 0xff at line 4" in result.err, result.err
