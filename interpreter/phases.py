"""The phases of a procedure: the parts its file is divided into by section headings.

A section heading is a comment line of its own made of three or more dashes, a
title, and optionally more dashes:

    # ---- Rapid review (1.1.17 - 1.1.25) ----------------------------------

Every flow declaration (step, decision, parallel, join, outcome) belongs to the
section whose heading comes last above it. A section with no flow declaration in
it (roles, facts, paragraphs with no rule) is not a phase. Flow declarations
above the first heading form a phase of their own, "Before the first section".

Headings change nothing a case does: they name the parts that the overview
chart, the phase charts and the handbook show. A file without headings has no
phases, and is drawn whole.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from attrs import frozen

from interpreter import model as m
from interpreter.source import SourceFile
from interpreter.syntax_tree import comments_in

_HEADING = re.compile(r"#\s*-{3,}\s*(?P<title>.*?)\s*-*\s*$")
_KEY_WORDS = re.compile(r"[a-z0-9]+")
UNTITLED = "Before the first section"


@frozen
class Phase:
    key: str  # what `--view` takes: the title's words in lower case joined by dashes, without its bracketed part
    title: str
    line: int  # of its heading; 0 for the flow before the first heading
    members: tuple[str, ...]  # the flow declarations in it, in file order


def phase_headings(source: SourceFile) -> list[tuple[int, str]]:
    """Each section heading's line and title, in file order."""
    headings = []
    for comment in comments_in(source):
        match = _HEADING.fullmatch(comment.text)
        if comment.own_line and match and match.group("title"):
            headings.append((comment.line, match.group("title")))
    return headings


def phases_of(source: SourceFile, procedure: m.Procedure) -> tuple[Phase, ...]:
    """The procedure's phases, in file order (none when the file has no section headings)."""
    headings = phase_headings(source)
    if not headings:
        return ()
    members: dict[int, list[str]] = {line: [] for line, _ in [(0, UNTITLED), *headings]}
    for node in procedure.nodes:
        line = node.span.line if node.span is not None else 0
        members[max((heading for heading, _ in headings if heading < line), default=0)].append(node.name)
    titles = dict([(0, UNTITLED), *headings])
    keys = _unique_keys(titles[line] for line in members if members[line])
    return tuple(
        Phase(key, titles[line], line, tuple(names))
        for key, (line, names) in zip(keys, ((line, names) for line, names in members.items() if names))
    )


# Keys become file names in the handbook, so they stay well inside any file system's limit.
KEY_LENGTH = 60
# Words `--view` takes for itself: a phase cannot be keyed by them (nor by a number).
_RESERVED_KEYS = frozenset({"overview", "all"})


def phase_key(title: str) -> str:
    """`Rapid review (1.1.17 - 1.1.25)` → `rapid-review`; accents dropped (`Überprüfung` → `uberprufung`)."""
    plain = unicodedata.normalize("NFKD", re.sub(r"\(.*?\)", " ", title.lower())).encode("ascii", "ignore").decode()
    words = _KEY_WORDS.findall(plain)
    key = words[0][:KEY_LENGTH] if words and len(words[0]) > KEY_LENGTH else ""
    for word in words if not key else ():
        if len(key) + len(word) + 1 > KEY_LENGTH:
            break
        key = f"{key}-{word}" if key else word
    if not key or key in _RESERVED_KEYS or key.isdecimal():
        key = f"phase-{key}" if key else "phase"
    return key


def _unique_keys(titles: Iterable[str]) -> list[str]:
    keys: list[str] = []
    for title in titles:
        key = base = phase_key(title)
        number = 2
        while key in keys:
            key, number = f"{base}-{number}", number + 1
        keys.append(key)
    return keys


def phase_of(phases: Iterable[Phase]) -> dict[str, Phase]:
    """Which phase each flow declaration is in, by name."""
    return {name: phase for phase in phases for name in phase.members}
