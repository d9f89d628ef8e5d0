"""The files editors read: the VS Code extension, its TextMate grammar, and the pre-commit hooks."""

from __future__ import annotations

import json
import re

from grammar import get_parser
from repl.commands import COMMANDS
from repl.lexer import CLAUSES, DECLARATIONS, TEXTMATE_FILE, textmate_grammar

from conftest import ROOT

VSCODE = ROOT / "editors/vscode"


def test_the_textmate_grammar_is_written_from_the_lexer():
    shipped = json.loads((ROOT / TEXTMATE_FILE).read_text(encoding="utf-8"))
    assert shipped == textmate_grammar(), "run `python -m repl.lexer` to write it again"


def test_every_word_of_the_language_is_highlighted():
    from lark.lexer import PatternStr

    words = {t.pattern.value for t in get_parser().terminals if isinstance(t.pattern, PatternStr) and t.pattern.value[:1].isalpha()}
    # Written as patterns, not words, in the grammar: highlighted by their own rules.
    special = {"yes", "no", "unknown", "must", "should", "may", "late", "overdue", "done"}
    assert words - set(DECLARATIONS) - set(CLAUSES) - special == set()


def test_the_textmate_patterns_read_as_regular_expressions():
    for pattern in textmate_grammar()["patterns"]:
        re.compile(pattern["match"])


def test_the_extension_declares_the_language_and_starts_the_server():
    package = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    [language] = package["contributes"]["languages"]
    assert language["id"] == "safeproc" and set(language["extensions"]) == {".proc", ".case"}
    [grammar] = package["contributes"]["grammars"]
    assert (VSCODE / grammar["path"]).resolve() == (ROOT / TEXTMATE_FILE).resolve()
    assert 'args: ["lsp"]' in (VSCODE / "extension.js").read_text(encoding="utf-8")
    json.loads((VSCODE / "language-configuration.json").read_text(encoding="utf-8"))


def test_the_pre_commit_hooks_run_real_commands():
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    entries = re.findall(r"^\s*entry: (.+)$", hooks, re.MULTILINE)
    assert entries == ["safeproc check", "safeproc format --check"]
    names = {command.name for command in COMMANDS}
    assert all(entry.split()[1] in names for entry in entries)


def test_the_extension_is_valid_javascript():
    import shutil
    import subprocess

    import pytest

    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    subprocess.run(["node", "--check", str(VSCODE / "extension.js")], check=True, capture_output=True)
