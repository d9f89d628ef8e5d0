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
    "on", "as", "is", "not", "and", "or", "the", "applicable", "open", "waiting", "time", "breaches", "deadline",
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
