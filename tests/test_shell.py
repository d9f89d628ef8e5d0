"""`safeproc shell`: a case worked through at the prompt, driven as a user types it.

The tests feed keystrokes through prompt-toolkit's pipe input and read what the
shell prints; one drives a real terminal through tmux.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from repl.case_session import CaseSession
from repl.commands import Console
from repl.shell import ShellCompleter, run_shell
from repl.shell_commands import run_line

from conftest import ROOT

PROC = ROOT / "procedures" / "pan-sussex" / "cspr.proc"
TODAY = date(2024, 1, 19)

CASE_LINES = [
    "set came_to_light = critical_incident",
    "set child_died = yes",
    "set seriously_harmed = no",
    "set abuse_or_neglect = yes",
    "set resident_in_area = yes",
    "set looked_after = no",
    "set care_leaver = no",
    "set crg_view = notify",
    "set home_office_contribution = no",
    "set domestic_abuse_mentioned = no",
    "on 2024-01-08 aware",
    "done mash_alerts_la on 2024-01-08",
    "done initial_assessment on 2024-01-09",
    "done submit_sin on 2024-01-11",
    "as of 2024-01-19",
]


def _shell(lines: list[str], procedure: Path | None = PROC) -> str:
    out = io.StringIO()
    with create_pipe_input() as keys:
        # A second `quit`: the first asks again when the case has changes not saved.
        keys.send_text("".join(line + "\n" for line in lines) + "quit\n")
        assert run_shell(procedure, None, input=keys, output=DummyOutput(), out=out, history=InMemoryHistory(), today=TODAY) == 0
    return out.getvalue()


def test_a_whole_case_from_set_to_save(tmp_path):
    saved = tmp_path / "worked.case"
    printed = _shell([*CASE_LINES, "next", f"save {saved} --with-expectations", "quit"])
    assert "submit_sin done on 2024-01-11" in printed
    assert "rapid_review_request: Request information from agencies" in printed
    assert "then rapid_review_report: Send the rapid review report to the National Panel, due 2024-02-01" in printed
    assert f"saved {saved} with" in printed
    text = saved.read_text()
    assert "  as of 2024-01-19" in text and "on 2024-01-11 submit_sin done" in text
    assert "expect submit_sin is done on time" in text and "expect no outcome" in text


def test_the_saved_scenario_passes_test_and_loads_back_to_the_same_status(tmp_path, cli):
    saved = tmp_path / "worked.case"
    first = _shell([*CASE_LINES, f"save {saved} --with-expectations", "status", "quit"])
    result = cli("test", str(saved))
    assert result.code == 0, result.out
    assert result.out.strip().endswith("1 passed, 0 failed")
    again = _shell([f"load {saved}", "status", "quit"], procedure=None)
    status = first[first.index("Case:") :]
    assert status.split("Case:")[1].split("\n", 2)[2] == again[again.index("Case:") :].split("Case:")[1].split("\n", 2)[2]


def test_save_never_replaces_the_procedure_a_note_or_a_pipe_and_asks_before_another_case(tmp_path):
    """`save` once wrote over whatever it was given: the open procedure (`save cspr.proc`, a Tab away),
    a text file, a pipe. It writes .case files only, by the rules every output follows, and replaces
    a case this session did not load or save only when named twice running."""
    procedure = tmp_path / "p.proc"
    procedure.write_bytes(PROC.read_bytes())
    note = tmp_path / "notes.txt"
    note.write_text("my notes")
    other = tmp_path / "other.case"
    other.write_text('case "someone else\'s"\n')
    pipe = tmp_path / "pipe.case"
    os.mkfifo(pipe)
    printed = _shell(
        [*CASE_LINES, f"save {procedure}", f"save {note}", f"save {pipe}", f"save {other}", f"save {tmp_path / 'mine.case'}"],
        procedure=procedure,
    )
    assert procedure.read_bytes() == PROC.read_bytes() and note.read_text() == "my notes"
    assert f"a case is saved as a .case file: for example `save {tmp_path / 'p.case'}`" in printed
    assert f"`{pipe}` is not a regular file" in printed and "-o -" not in printed and pipe.is_fifo()
    assert f"`{other}` already exists, and is not the case this session loaded or saved" in printed
    assert other.read_text() == 'case "someone else\'s"\n'
    assert f"saved {tmp_path / 'mine.case'}" in printed
    # Named twice running, it is replaced; and the session's own file is saved over without asking.
    printed = _shell(
        [*CASE_LINES, f"save {other}", f"save {other}", f"load {other}", "set looked_after = yes", f"save {other}"], procedure=procedure
    )
    assert printed.count(f"saved {other}") == 2 and "looked_after is yes" in other.read_text()


def test_a_colour_code_typed_at_the_prompt_is_passed_over_not_a_traceback():
    """ESC [ 3 1 m looks to prompt-toolkit like a mouse report, and its handler failed on it: the shell
    showed a traceback, and with input piped it asked `Press ENTER to continue` for ever."""
    import threading

    shown: list[str] = []
    # In a thread of its own: were the failure to come back, the test fails instead of waiting for ever.
    worker = threading.Thread(target=lambda: shown.append(_shell(["name \x1b[31mred", "next", "\x1b[0m", "status", "quit"])), daemon=True)
    worker.start()
    worker.join(timeout=120)
    assert shown, "the shell did not finish"
    printed = shown[0]
    assert 'the case is called "red"' in printed and "Case:       red" in printed
    assert "Traceback" not in printed and "Unhandled exception" not in printed


def test_lines_piped_in_are_read_as_plain_text():
    """With standard input not a terminal, each line is a command as written, escape characters and
    bytes that are not UTF-8 included, shown escaped: no prompt-toolkit, no traceback, no endless loop;
    and as lines read from a file had mistakes, the run fails."""
    lines = b"name \x1b[31mred\nset child_died = \xff\n\x1b[0m\nquit\nquit\n"
    result = subprocess.run([sys.executable, "-m", "repl.cli", "shell", str(PROC)], input=lines, capture_output=True, timeout=120, cwd=ROOT)
    assert result.returncode == 1, result.stderr  # two of its lines are mistakes
    out = result.stdout.decode()
    assert 'the case is called "\\x1b[31mred"' in out and "there is no command `\\x1b[0m`" in out
    assert "is not a value of `child_died`" in out
    assert b"Traceback" not in result.stderr and b"internal error" not in result.stderr


def test_loading_a_case_that_names_another_procedure_says_which_is_now_open(tmp_path, monkeypatch):
    """The case runs against the procedure it names; the shell once switched to it without a word.
    And `~` in a file name is the home folder, as at a terminal's prompt."""
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "other.proc").write_bytes(PROC.read_bytes())
    (tmp_path / "c.case").write_text('case "C"\n  procedure "other.proc"\n  as of 2024-01-19\nend\n')
    printed = _shell(["load ~/c.case", "status", "quit"])
    assert f"it names the procedure `{tmp_path / 'other.proc'}`, which is now the one open (it was `{PROC}`)" in printed
    assert f"({tmp_path / 'other.proc'})" in printed


def test_save_of_a_folder_name_is_refused_plainly(tmp_path):
    printed = _shell([*CASE_LINES, "save .", "save /", f"save {tmp_path}/", "save ..", "quit"])
    assert "internal error" not in printed and printed.count("a case is saved as a .case file: for example `save") == 4


def test_save_through_a_link_to_another_folder_names_the_procedure_from_there(tmp_path):
    """The `procedure` line is relative to the file written, which through a link is in the link's target's folder."""
    procedure = tmp_path / "p.proc"
    procedure.write_bytes(PROC.read_bytes())
    (tmp_path / "sub" / "deep").mkdir(parents=True)
    real = tmp_path / "sub" / "deep" / "real.case"
    real.write_text("")
    (tmp_path / "link.case").symlink_to(real)
    _shell([*CASE_LINES, f"save {tmp_path / 'link.case'} --replace", "quit"], procedure=procedure)
    assert '  procedure "../../p.proc"' in real.read_text() and (tmp_path / "link.case").is_symlink()


def test_save_twice_running_means_with_nothing_between(tmp_path):
    """Any other line between two saves of someone else's file asks again; --replace does not ask."""
    other = tmp_path / "other.case"
    other.write_text("theirs")
    printed = _shell([*CASE_LINES, f"save {other}", "status", f"save {other}", "quit"])
    assert printed.count("already exists, and is not the case this session loaded or saved") == 2 and other.read_text() == "theirs"
    printed = _shell([*CASE_LINES, f"save {other} --with-expectations", f"save {other} --replace", "quit"])
    assert f"`save {other} --with-expectations` again, straight away, replaces it" in printed
    assert f"saved {other}" in printed and "as of 2024-01-19" in other.read_text()


def test_commands_from_a_file_that_fail_make_the_run_fail(tmp_path):
    """A replayed session can tell a save refused (or any mistake) from one that went through."""
    other = tmp_path / "other.case"
    other.write_text("theirs")
    lines = "\n".join([*CASE_LINES, f"save {other}", "quit", "quit"]) + "\n"
    run = [sys.executable, "-m", "repl.cli", "shell", str(PROC)]
    refused = subprocess.run(run, input=lines, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert refused.returncode == 1 and other.read_text() == "theirs"
    lines = lines.replace(f"save {other}", f"save {other} --replace")
    saved = subprocess.run(run, input=lines, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert saved.returncode == 0 and f"saved {other}" in saved.stdout, saved.stdout


def test_what_if_shows_the_difference_and_keep_adopts_it():
    printed = _shell([*CASE_LINES, "what if crg_view = split", "next", "keep", "next", "quit"])
    assert "if crg_view = split:" in printed and "+ leads_discuss now applies (open)" in printed
    assert "(nothing has changed: `keep` adopts it)" in printed
    after_keep = printed[printed.index("kept") :]
    assert "leads_discuss: The Business Team shares brief information" in after_keep


def test_a_mistake_is_a_message_and_the_shell_goes_on():
    printed = _shell(["set crg_view = spilt", "done submt_sin on 2024-01-11", "on 2024-02-30 aware", "check --nonsense", "next", "quit"])
    assert "error[P901]: `spilt` is not a value of `crg_view`" in printed and "did you mean `split`?" in printed
    assert "did you mean `submit_sin`?" in printed
    assert "`2024-02-30` is not a day of the calendar" in printed
    assert "check: unrecognized arguments: --nonsense" in printed or "check: you need to give FILE" in printed
    assert "as of 2024-01-19" in printed


def test_reload_says_what_an_edit_changes_for_the_case(tmp_path):
    folder = tmp_path / "pan-sussex"
    folder.mkdir()
    copy = folder / "cspr.proc"
    copy.write_text(PROC.read_text())
    out = io.StringIO()
    session = CaseSession(copy)
    session.today = TODAY
    console = Console(out, out)
    for line in CASE_LINES[:11]:
        run_line(session, line, console)
    copy.write_text(copy.read_text().replace("  within 5 days after aware\n", "  within 5 working days after aware\n"))
    reply, _ = run_line(session, "reload", console)
    assert reply.lines[0].startswith("reloaded")
    assert "  ~ submit_sin due 2024-01-13 → 2024-01-15" in reply.lines


def _completions(session: CaseSession, text: str) -> list[str]:
    return [c.text for c in ShellCompleter(session).get_completions(Document(text, len(text)), CompleteEvent(completion_requested=True))]


def test_completion_offers_what_can_come_next():
    session = CaseSession(PROC)
    session.today = TODAY
    assert "status" in _completions(session, "sta")
    assert _completions(session, "set chi") == ["child_died"], "facts only: `child_death_review` is a step"
    assert _completions(session, "set crg_view = ") == ["notify", "do_not_notify", "split"]
    assert _completions(session, "set looked_after ") == ["=", "yes", "no"]
    assert "submit_sin" in _completions(session, "done sub")
    assert _completions(session, "done submit_sin ") == ["on"]
    assert _completions(session, "done submit_sin on ")[0] == "today"
    assert "aware" in _completions(session, "on 2024-01-08 ")
    assert _completions(session, "on 2024-01-08 crg_view ") == ["is"]
    assert "split" in _completions(session, "what if crg_view = s")
    assert "verify" in _completions(session, "help ve")


_WORDS = ["set", "unset", "on", "done", "as", "of", "why", "what", "if", "next", "status", "overdue", "undo", "reset", "keep",
          "save", "load", "reload", "names", "help", "check", "verify", "date", "explain", "=", "is", "yes", "no", "2024-01-08",
          "2024-13-40", "today", "aware", "submit_sin", "child_died", "crg_view", "split", '"', "--format", "json", "-", "\t",
          "P102", "/nonexistent/x.case", "é", "\\", "'"]  # fmt: skip


def test_five_hundred_random_lines_leave_the_shell_alive_without_a_traceback(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a random `save` writes here, not into the repository
    chosen = random.Random(20261206)
    lines = [" ".join(chosen.choice(_WORDS) for _ in range(chosen.randint(0, 6))) for _ in range(500)]
    lines = [line for line in lines if line.split()[:1] not in (["quit"], ["exit"])]
    printed = _shell([*lines, "next", "quit"])
    assert "Traceback" not in printed and "internal error" not in printed
    assert printed.rstrip().splitlines()[-1].startswith(("as of", "  ")), printed[-500:]


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_in_a_real_terminal(tmp_path):
    """Open the shell in tmux, complete a step name with Tab, record a case, ask `next`, save, and test the file."""
    session = f"safeproc-{time.time_ns()}"
    saved = tmp_path / "typed.case"
    safeproc = ROOT / ".venv" / "bin" / "safeproc"
    env = f"XDG_DATA_HOME={tmp_path} XDG_CACHE_HOME={tmp_path}"
    command = f"cd {ROOT} && {env} {safeproc} shell procedures/pan-sussex/cspr.proc"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "50", command], check=True)

    def screen() -> str:
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", session, "-S", "-200"], capture_output=True, text=True).stdout

    def wait_for(text: str) -> str:
        for _ in range(100):
            shown = screen()
            if text in shown:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"never saw {text!r} in:\n{screen()}")

    def send(*keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", session, *keys], check=True)

    try:
        wait_for("safeproc>")
        for line in CASE_LINES[:13]:
            send(line, "Enter")
        send("done submit_s", "Tab")
        wait_for("done submit_sin")
        send(" on 2024-01-11", "Enter")
        wait_for("submit_sin done on 2024-01-11")
        send("as of 2024-01-19", "Enter")
        send("next", "Enter")
        shown = wait_for("then rapid_review_report")
        assert "rapid_review_request: Request information from agencies" in shown
        send(f"save {saved} --with-expectations", "Enter")
        wait_for(f"saved {saved}")
        send("quit", "Enter")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    result = subprocess.run([str(safeproc), "test", str(saved)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("1 passed, 0 failed")


def test_the_language_has_a_pygments_lexer_that_pygments_finds():
    """Registered as an entry point, so documentation tools find it by name."""
    from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
    from pygments.token import Comment, Keyword, Name, Number, String

    lexer = get_lexer_by_name("safeproc")
    assert type(lexer).__name__ == "SafeprocLexer"
    assert type(get_lexer_for_filename("cspr.proc")).__name__ == "SafeprocLexer"
    tokens = [
        (kind, text)
        for kind, text in lexer.get_tokens(
            'step notify "Notify" # allow P305: why\n  must be done within 5 working days after aware cites 1.1.15\nend\n'
        )
        if text.strip()
    ]
    assert (Keyword.Declaration, "step") in tokens
    assert (String.Double, '"Notify"') in tokens
    assert (Comment.Special, "# allow P305") in tokens
    assert (Keyword.Reserved, "must") in tokens
    assert (Number.Integer, "5") in tokens and (Name.Label, "1.1.15") in tokens
    assert (Name, "aware") in tokens


def test_leaving_with_changes_not_saved_asks_once():
    printed = _shell(["set child_died = yes", "quit"])
    assert "the case has changes that are not saved" in printed


def test_unset_takes_back_a_recorded_event_and_undo_says_what_it_undid():
    printed = _shell(["on 2024-01-08 aware", "unset aware", "undo", "quit"])
    assert "aware is no longer recorded" in printed
    assert "undone: aware is no longer recorded" in printed


def test_a_later_entry_than_the_day_seen_from_is_kept_and_said():
    printed = _shell(["set child_died = Yes", "as of 2024-01-10", "on 2024-01-12 aware", "quit"])
    assert "child_died is yes" in printed, "yes and no in any case"
    assert "is kept but not shown; `as of 2024-01-12` shows it" in printed


def test_check_at_the_prompt_works_on_the_open_procedure():
    printed = _shell(["check", "quit"])
    assert "checked 1 file: no problems found" in printed
