"""The parser comes from tables shipped in the package, never from a file in a shared folder."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

from lark import Lark

import grammar

from conftest import ROOT

SAFEPROC = [sys.executable, "-c", "import sys; from repl.cli import main; sys.exit(main())"]


class _Planted:
    """What another local user could leave in the temporary folder: unpickling it writes a marker file."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _lark_cache_names(temporary: Path) -> list[Path]:
    """The names Lark's own cache would read for our parser, found by letting Lark write them."""
    script = (
        "import grammar; from lark import Lark; Lark.open_from_package('grammar', 'procedure.lark', **grammar.parser_options(), cache=True)"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env={**os.environ, "TMPDIR": str(temporary)}, check=True)
    return sorted(temporary.glob(".lark*"))


def _check_pan_sussex_with_temporary_folder(temporary: Path) -> None:
    result = subprocess.run(
        SAFEPROC + ["check", "procedures/pan-sussex/cspr.proc"],
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(temporary)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_a_planted_lark_cache_file_is_never_loaded(tmp_path):
    """A pickle planted where Lark's cache would look runs no code when safeproc parses a file."""
    temporary = tmp_path / "shared-tmp"
    temporary.mkdir()
    planted_names = _lark_cache_names(temporary)
    assert planted_names, "Lark wrote no cache file, so this test would prove nothing"
    marker = tmp_path / "code-ran"
    for name in planted_names:
        # Lark checks the first line (the grammar's hash), then unpickles the rest.
        first_line = name.read_bytes().split(b"\n", 1)[0]
        name.write_bytes(first_line + b"\n" + pickle.dumps(_Planted(str(marker))))
    _check_pan_sussex_with_temporary_folder(temporary)
    assert not marker.exists(), "safeproc unpickled a file another user could have planted"


def test_parsing_writes_nothing_to_the_temporary_folder(tmp_path):
    """Checking a file leaves the shared temporary folder as it found it."""
    _check_pan_sussex_with_temporary_folder(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_the_shipped_tables_match_the_grammar():
    """The tables shipped in the package were built from today's grammar (`python -m grammar.tables` rebuilds them)."""
    assert grammar.shipped_tables_key() == grammar.tables_key(grammar.grammar_text()), (
        "grammar/parser_tables.marshal is stale: run `python -m grammar.tables`"
    )
    assert grammar._shipped_parser(grammar.tables_key(grammar.grammar_text())) is not None


def test_the_shipped_parser_parses_as_the_grammar_does():
    """The parser loaded from the shipped tables gives the same trees as one built from the grammar."""
    shipped = grammar._shipped_parser(grammar.tables_key(grammar.grammar_text()))
    fresh = Lark(grammar.grammar_text(), **grammar.parser_options())
    for path in sorted((ROOT / "procedures").rglob("*.proc")) + sorted((ROOT / "procedures").rglob("*.case")):
        start = "case_file" if path.suffix == ".case" else "procedure_file"
        text = path.read_text(encoding="utf-8")
        assert shipped.parse(text, start=start) == fresh.parse(text, start=start), path


def test_stale_tables_are_not_used(monkeypatch):
    """Tables built from another grammar or another Lark are ignored, and the parser is built in memory."""
    assert grammar._shipped_parser("not the key of these tables") is None
