"""What a command may write to: regular files or standard output, never its input, and nothing left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from repl.cli import Terminated
from repl.output_file import write_atomically

from conftest import ROOT

PAN_SUSSEX = ROOT / "procedures/pan-sussex/cspr.proc"
SAFEPROC = [sys.executable, "-c", "import sys; from repl.cli import main; sys.exit(main())"]


def _copy_of_pan_sussex(tmp_path: Path) -> Path:
    copy = tmp_path / "cspr.proc"
    copy.write_bytes(PAN_SUSSEX.read_bytes())
    return copy


def test_render_never_overwrites_the_procedure_it_draws(cli, tmp_path):
    """`render x.proc -o x.proc --format dot` refuses, exits 2 and leaves the source as it was."""
    source = _copy_of_pan_sussex(tmp_path)
    before = source.read_bytes()
    result = cli("render", str(source), "-o", str(source), "--format", "dot")
    assert result.code == 2
    assert "is the file being read" in result.err
    assert source.read_bytes() == before


def test_render_refuses_the_procedure_under_another_name(cli, tmp_path):
    """A link to the procedure, or a path that walks round to it, is the same file and is refused too."""
    source = _copy_of_pan_sussex(tmp_path)
    before = source.read_bytes()
    (tmp_path / "sub").mkdir()
    link = tmp_path / "alias.dot"
    link.symlink_to(source)
    for output in (str(link), str(tmp_path / "sub" / ".." / "cspr.proc")):
        result = cli("render", str(source), "-o", output, "--format", "dot")
        assert result.code == 2, output
        assert source.read_bytes() == before


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_render_never_replaces_a_device(cli):
    """`-o /dev/full` is refused with a pointer to `-o -`, and the device node stays a device."""
    result = cli("render", str(PAN_SUSSEX), "-o", "/dev/full", "--format", "dot")
    assert result.code == 2
    assert "not a regular file" in result.err and "-o -" in result.err
    assert Path("/dev/full").is_char_device()


def test_render_refuses_a_pipe_and_a_folder(cli, tmp_path):
    """A named pipe or a folder given as the output is refused, not replaced by a file."""
    pipe = tmp_path / "pipe.dot"
    os.mkfifo(pipe)
    assert cli("render", str(PAN_SUSSEX), "-o", str(pipe)).code == 2
    assert pipe.is_fifo()
    folder = tmp_path / "folder.dot"
    folder.mkdir()
    result = cli("render", str(PAN_SUSSEX), "-o", str(folder))
    assert result.code == 2 and "is a folder" in result.err
    assert folder.is_dir()


def test_dash_writes_the_picture_to_standard_output(cli):
    """`-o -` sends the DOT text to standard output and writes no file called `-`."""
    result = cli("render", str(PAN_SUSSEX), "-o", "-", "--format", "dot")
    assert result.code == 0, result.err
    assert result.out.startswith("digraph procedure {")
    assert not (ROOT / "-").exists()


def test_dash_needs_a_format(cli):
    """With `-o -` there is no extension to go by: the user is told to give --format."""
    result = cli("render", str(PAN_SUSSEX), "-o", "-")
    assert result.code == 2
    assert "--format" in result.err


def test_dev_stdout_is_refused_not_replaced(tmp_path):
    """`-o /dev/stdout` into a pipe is refused with a pointer to `-o -`; the link in /dev stays a link."""
    if not Path("/dev/stdout").is_symlink():
        pytest.skip("/dev/stdout is not a link here")
    result = subprocess.run(
        SAFEPROC + ["render", str(PAN_SUSSEX), "-o", "/dev/stdout", "--format", "dot"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "-o -" in result.stderr
    assert Path("/dev/stdout").is_symlink()


def test_a_link_of_ones_own_is_written_through(cli, tmp_path):
    """An output that is the user's own link to a regular file replaces that file and keeps the link."""
    target = tmp_path / "real.dot"
    target.write_text("old")
    link = tmp_path / "link.dot"
    link.symlink_to(target)
    result = cli("render", str(PAN_SUSSEX), "-o", str(link))
    assert result.code == 0, result.err
    assert link.is_symlink()
    assert target.read_text().startswith("digraph procedure {")


def test_a_link_someone_else_owns_is_refused(cli, tmp_path, monkeypatch):
    """A link planted by another user (in a shared folder) is not followed."""
    target = _precious_file(tmp_path)
    link = tmp_path / "flow.dot"
    link.symlink_to(target)
    monkeypatch.setattr(os, "getuid", lambda: os.lstat(link).st_uid + 1)
    _assert_refused_as_someone_elses(cli("render", str(PAN_SUSSEX), "-o", str(link)), target)


def _precious_file(tmp_path: Path) -> Path:
    """A file of the user's that a planted link could point render at."""
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    return target


def _assert_refused_as_someone_elses(result, target: Path) -> None:
    assert result.code == 2
    assert "belongs to someone else" in result.err
    assert target.read_text() == "keep me"


def test_terminating_a_write_leaves_no_debris(tmp_path, monkeypatch):
    """SIGTERM arriving mid-write (as Terminated) removes the temporary file and keeps the old one."""
    out = tmp_path / "flow.svg"
    out.write_bytes(b"old picture")

    def terminated(descriptor):
        raise Terminated

    monkeypatch.setattr(os, "fsync", terminated)
    with pytest.raises(Terminated):
        write_atomically(out, b"new picture")
    assert out.read_bytes() == b"old picture"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["flow.svg"]


def _slow_dot(tmp_path: Path) -> dict[str, str]:
    """A `dot` on PATH that records its process id and sleeps, standing in for a layout that never ends."""
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    fake = bin_folder / "dot"
    fake.write_text(f"#!/bin/sh\necho $$ > {tmp_path / 'dot.pid'}\nexec sleep 60\n")
    fake.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_folder}{os.pathsep}{os.environ['PATH']}"}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead but not yet reaped by its parent (init, here).
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split(") ")[-1].startswith("Z"))


def _wait_for(path: Path, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists() or not path.read_text().strip():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


@pytest.mark.skipif(sys.platform != "linux", reason="process checks use Linux's /proc")
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGKILL])
def test_graphviz_dies_with_render(tmp_path, how):
    """However render is stopped, its `dot` child does not outlive it, and no partial file is left."""
    env = _slow_dot(tmp_path)
    out_folder = tmp_path / "out"
    out_folder.mkdir()
    process = subprocess.Popen(
        SAFEPROC + ["render", str(PAN_SUSSEX), "-o", str(out_folder / "flow.svg")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for(tmp_path / "dot.pid")
    dot_pid = int((tmp_path / "dot.pid").read_text())
    process.send_signal(how)
    _, err = process.communicate(timeout=20)
    deadline = time.monotonic() + 5
    while _alive(dot_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(dot_pid), f"`dot` outlived safeproc after {how.name}"
    assert list(out_folder.iterdir()) == []
    if how in (signal.SIGTERM, signal.SIGHUP):
        assert process.returncode == 128 + how and "terminated" in err
    if how is signal.SIGINT:
        assert process.returncode == 130 and "interrupted" in err


def test_graphviz_has_a_time_limit(tmp_path):
    """A layout that takes longer than --time-limit is stopped with a plain message and exit 2."""
    env = _slow_dot(tmp_path)
    started = time.monotonic()
    result = subprocess.run(
        SAFEPROC + ["render", str(PAN_SUSSEX), "-o", str(tmp_path / "flow.svg"), "--time-limit", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert time.monotonic() - started < 20
    assert result.returncode == 2
    assert "more than 1 seconds" in result.stderr and "--only" in result.stderr
    assert not (tmp_path / "flow.svg").exists()
    dot_pid = int((tmp_path / "dot.pid").read_text())
    assert not _alive(dot_pid)


def test_an_unreadable_file_is_counted_in_the_summary(cli, tmp_path):
    """A file that cannot be read is not reported as checked with no problems."""
    pipe = tmp_path / "pipe.proc"
    os.mkfifo(pipe)
    result = cli("check", str(pipe))
    assert result.code == 2
    assert "no problems found" not in result.err
    assert result.err.strip().splitlines()[-1] == "checked 0 files: 1 file was not read"
    mixed = cli("check", str(PAN_SUSSEX), str(pipe))
    assert mixed.err.strip().splitlines()[-1] == "checked 1 file: no problems found; 1 file was not read"


def test_a_named_pipe_is_refused_not_waited_on(tmp_path):
    """simulate, test and trace given a named pipe say it is not a regular file instead of waiting for a writer."""
    pipe = tmp_path / "pipe.proc"
    os.mkfifo(pipe)
    for arguments in (["simulate", str(pipe), "x.case"], ["test", str(pipe)], ["trace", str(pipe), "--source", str(pipe)]):
        result = subprocess.run(SAFEPROC + arguments, cwd=ROOT, capture_output=True, text=True, timeout=30)
        assert result.returncode != 0, arguments
        assert "not a regular file" in result.stderr, arguments


def test_a_chain_of_links_is_refused_if_any_link_is_someone_elses(cli, tmp_path, monkeypatch):
    """Our own link to another user's link is refused: every link on the way must be the user's own."""
    target = _precious_file(tmp_path)
    theirs = tmp_path / "theirs.dot"
    theirs.symlink_to(target)
    ours = tmp_path / "ours.dot"
    ours.symlink_to(theirs)
    own = os.lstat(ours).st_uid
    real_lstat = os.lstat

    class _Owned:
        def __init__(self, status, uid):
            self._status, self.st_uid = status, uid

        def __getattr__(self, name):
            return getattr(self._status, name)

    def lstat_with_other_owner(path, *args, **kwargs):
        status = real_lstat(path, *args, **kwargs)
        return _Owned(status, own + 1) if os.fspath(path) == str(theirs) else status

    monkeypatch.setattr(os, "lstat", lstat_with_other_owner)
    _assert_refused_as_someone_elses(cli("render", str(PAN_SUSSEX), "-o", str(ours)), target)


def test_a_link_that_points_nowhere_is_refused(cli, tmp_path):
    """A dangling link is not written through: that would create a file wherever it points."""
    link = tmp_path / "flow.dot"
    link.symlink_to(tmp_path / "nowhere.dot")
    result = cli("render", str(PAN_SUSSEX), "-o", str(link))
    assert result.code == 2
    assert "does not exist" in result.err
    assert not (tmp_path / "nowhere.dot").exists()


def test_names_that_cannot_be_files_are_refused_plainly(cli, tmp_path):
    """A name ending in `/`, an empty name and a name too long for the system each get one plain line, exit 2."""
    for output in (str(tmp_path / "x.dot") + "/", "", str(tmp_path / ("a" * 300 + ".dot"))):
        result = cli("render", str(PAN_SUSSEX), "-o", output, "--format", "dot")
        assert result.code == 2, output
        assert result.err.startswith("safeproc: ") and "internal error" not in result.err
    assert list(tmp_path.iterdir()) == []


def test_a_name_too_long_to_look_up_is_a_plain_error_in_every_command(cli):
    """check, simulate, test, trace, verify and handbook given a 300-character name say they cannot read
    (or write) it: no internal error."""
    long_name = "a" * 300
    for arguments in (
        ["check", long_name + ".proc"],
        ["simulate", long_name + ".proc", "x.case"],
        ["simulate", str(PAN_SUSSEX), long_name + ".case"],
        ["simulate", str(PAN_SUSSEX), long_name, "--summary"],
        ["test", long_name + ".case"],
        ["trace", long_name + ".proc", "--source", long_name],
        ["render", long_name + ".proc", "-o", "x.svg"],
        ["verify", str(PAN_SUSSEX), "--against", long_name + ".proc"],
        ["handbook", str(PAN_SUSSEX), "-o", long_name],
        ["handbook", str(PAN_SUSSEX), "-o", "handbook-not-written", "--scenarios", long_name],
    ):
        result = cli(*arguments)
        assert result.code == 2, arguments
        assert "internal error" not in result.err, arguments


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
def test_a_loop_of_links_is_named_as_one_not_as_a_file_that_does_not_exist(cli, tmp_path):
    (tmp_path / "one.proc").symlink_to(tmp_path / "two.proc")
    (tmp_path / "two.proc").symlink_to(tmp_path / "one.proc")
    result = cli("check", str(tmp_path / "one.proc"))
    assert result.code == 2 and "too many levels of symbolic links" in result.err.lower(), result.err


@pytest.mark.skipif(sys.platform != "linux", reason="process checks use Linux's /proc")
def test_a_hangup_ignored_by_nohup_stays_ignored(tmp_path):
    """Under `nohup` (SIGHUP ignored), a hangup does not stop safeproc."""
    env = _slow_dot(tmp_path)
    process = subprocess.Popen(
        SAFEPROC + ["render", str(PAN_SUSSEX), "-o", str(tmp_path / "flow.svg")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN),
    )
    try:
        _wait_for(tmp_path / "dot.pid")
        process.send_signal(signal.SIGHUP)
        time.sleep(1.0)
        assert process.poll() is None, "safeproc stopped on a hangup it was told to ignore"
    finally:
        process.kill()
        process.communicate(timeout=20)


def test_standard_streams_by_name_point_to_dash(cli):
    """/dev/stdout, /dev/stderr and /dev/fd/1 are refused with a pointer to `-o -`, never replaced or appended to."""
    for output in ("/dev/stdout", "/dev/stderr", "/dev/fd/1"):
        result = cli("render", str(PAN_SUSSEX), "-o", output, "--format", "dot")
        assert result.code == 2, output
        assert "-o -" in result.err and "standard" in result.err, output
