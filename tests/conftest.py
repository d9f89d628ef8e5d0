"""Shared test helpers: golden files and running the command line in-process."""

from __future__ import annotations

import io
import os
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from the current output")


@pytest.fixture
def golden(request):
    """Compare text with a golden file, or rewrite it under --update-golden."""
    update = request.config.getoption("--update-golden")

    def compare(path: Path, actual: str) -> None:
        if update or not path.exists():
            if not update:
                pytest.fail(f"missing golden file {path.relative_to(ROOT)}; run pytest --update-golden and review it")
            path.write_text(actual, encoding="utf-8", newline="\n")
            return
        expected = path.read_text(encoding="utf-8")
        assert actual == expected, f"output differs from {path.relative_to(ROOT)} (pytest --update-golden rewrites it)"

    return compare


class Run:
    def __init__(self, code: int, out: str, err: str):
        self.code = code
        self.out = out
        self.err = err


def run_cli(*argv: str, cwd: Path | str = ROOT) -> Run:
    """Run `safeproc ARGV` in this process, from the repository root (or cwd), without colour."""
    from repl.cli import main

    out, err = io.StringIO(), io.StringIO()
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(argv))
    finally:
        os.chdir(previous)
    return Run(code, out.getvalue(), err.getvalue())


def assert_no_internal_error(result: Run) -> None:
    """The command ended on a path it meant to take: not the last-resort handler (exit 3).

    In-process, `main` catches every exception, so "no Traceback in stderr" could
    never fail; the internal-error path is what a crash looks like here.
    """
    assert result.code != 3, result.err
    assert "internal error" not in result.err, result.err


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def deep_folders(tmp_path):
    """Makes a chain of nested folders under a folder (deepest = deep_folders(top, levels)), and removes it
    afterwards, deepest first: pytest's own clean-up of old temporary folders (shutil.rmtree before
    Python 3.12) recurses, and a tree a thousand deep left behind would crash a later run."""
    made: list[Path] = []

    def make(top: Path, levels: int) -> Path:
        deepest = top
        for _ in range(levels):
            deepest = deepest / "d"
            deepest.mkdir()
            made.append(deepest)
        return deepest

    yield make
    for folder in reversed(made):
        for entry in list(folder.iterdir()):
            if entry.is_symlink() or not entry.is_dir():
                entry.unlink()
        folder.rmdir()
