"""A Pygments lexer for the safeproc language (.proc and .case files), for the shell and for documentation.

Registered as the Pygments lexer `safeproc` (pyproject.toml), so that once safeproc is
installed, `pygmentize -l safeproc cspr.proc`, Sphinx and MkDocs code blocks written
```safeproc highlight it too.
"""

from __future__ import annotations

from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, String, Text, Whitespace

# The language's words, as the grammar writes them (grammar/procedure.lark).
DECLARATIONS = (
    "procedure",
    "role",
    "group",
    "fact",
    "event",
    "step",
    "decision",
    "parallel",
    "join",
    "outcome",
    "background",
    "case",
    "facts",
    "start",
)
CLAUSES = (
    "source", "version", "calendar", "implements", "closed", "in", "force", "from", "replaces", "plays", "delegated", "by",
    "cites", "produces", "sends", "to", "next", "satisfies", "when", "otherwise", "waits", "for", "all", "any", "this",
    "branch", "ends", "whole", "if", "late", "overdue", "notify", "escalate", "be", "done", "within", "after", "before",
    "at", "least", "of", "one", "a", "number", "external", "end", "expect", "due", "nothing", "takes", "escalation",
    "on", "as", "is", "not", "and", "or", "the", "applicable", "open", "waiting", "time", "breaches", "deadline", "later",
    "than",
)  # fmt: skip


class SafeprocLexer(RegexLexer):
    name = "safeproc"
    aliases = ["safeproc", "proc"]
    filenames = ["*.proc", "*.case"]
    mimetypes = ["text/x-safeproc"]

    tokens = {
        "root": [
            (r"[ \t\r\n]+", Whitespace),
            (r"(#\s*allow\s+P\d{3})(.*)$", bygroups(Comment.Special, Comment.Single)),
            (r"#.*$", Comment.Single),
            (r'"(?:[^"\\\n]|\\.)*"', String.Double),
            (r"\d{4}-\d{2}-\d{2}", Number.Other),  # dates
            (r"\d+(?:\.\d+)+[a-z]?", Name.Label),  # paragraph numbers: 1.1.15
            (r"\d+", Number.Integer),
            (r"[a-z]+(?:-[a-z]+)+", Name.Constant),  # calendars: england-and-wales
            (r"\b(must|should|may)\b", Keyword.Reserved),
            (r"\b(yes|no|unknown)\b", Keyword.Constant),
            (r"\b(working\s+days?|days?|weeks?|months?|years?|hours?)\b", Keyword.Type),
            (words(DECLARATIONS, suffix=r"\b"), Keyword.Declaration),
            (words(CLAUSES, suffix=r"\b"), Keyword),
            (r"->|<=|>=|<|>|=", Operator),
            (r"[(),]", Punctuation),
            (r"[A-Za-z_]\w*", Name),
            (r".", Text),
        ]
    }


# ---- the same words for editors that read TextMate grammars (VS Code, Sublime, GitHub) ------

TEXTMATE_FILE = "editors/vscode/syntaxes/safeproc.tmLanguage.json"


def textmate_grammar() -> dict:
    """The TextMate grammar of editors/vscode, made from the word lists above (`python -m repl.lexer` writes it)."""

    def alternatives(names: tuple[str, ...]) -> str:
        return r"\b(?:" + "|".join(sorted(names, key=lambda n: (-len(n), n))) + r")\b"

    return {
        "name": "safeproc",
        "scopeName": "source.safeproc",
        "fileTypes": ["proc", "case"],
        "comment": "Written by `python -m repl.lexer` from repl/lexer.py; edit the word lists there, not this file.",
        "patterns": [
            {
                "match": r"(#\s*allow\s+P\d{3})(.*)$",
                "captures": {"1": {"name": "keyword.other.allow.safeproc"}, "2": {"name": "comment.line.number-sign.safeproc"}},
            },
            {"match": r"#.*$", "name": "comment.line.number-sign.safeproc"},
            {"match": r'"(?:[^"\\]|\\.)*"', "name": "string.quoted.double.safeproc"},
            {"match": r"\b\d{4}-\d{2}-\d{2}\b", "name": "constant.numeric.date.safeproc"},
            {"match": r"\b\d+(?:\.\d+)+[a-z]?\b", "name": "entity.name.section.paragraph.safeproc"},
            {"match": r"\b\d+\b", "name": "constant.numeric.integer.safeproc"},
            {"match": r"\b[a-z]+(?:-[a-z]+)+\b", "name": "support.constant.calendar.safeproc"},
            {"match": r"\b(?:must|should|may)\b", "name": "keyword.other.duty.safeproc"},
            {"match": r"\b(?:yes|no|unknown)\b", "name": "constant.language.safeproc"},
            {"match": r"\b(?:working\s+days?|days?|weeks?|months?|years?|hours?)\b", "name": "storage.type.unit.safeproc"},
            {
                "match": alternatives(DECLARATIONS) + r"(?:\s+([A-Za-z_]\w*))?",
                "name": "storage.type.declaration.safeproc",
                "captures": {"1": {"name": "entity.name.function.safeproc"}},
            },
            {"match": alternatives(CLAUSES), "name": "keyword.control.safeproc"},
            {"match": r"->|<=|>=|<|>|=", "name": "keyword.operator.safeproc"},
        ],
    }


if __name__ == "__main__":
    import json
    from pathlib import Path

    target = Path(__file__).resolve().parent.parent / TEXTMATE_FILE
    target.write_text(json.dumps(textmate_grammar(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target}")
