"""What may be written at a place in a file: the keywords the grammar accepts there,
and the kind of name (a role after `by`, a step after `next`, a fact after `when`).

The keywords come from Lark's interactive parser, fed the declaration the cursor is
in up to the word being typed: the grammar itself says what may follow, so a new
clause is offered the day it is added to `procedure.lark`.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache

from attrs import frozen
from lark.exceptions import LarkError
from lark.lexer import PatternStr

from grammar import get_parser
from interpreter.syntax import CASE_KEYWORDS, PROCEDURE_KEYWORDS, TITLE_OR_COMMENT

# The terminals written as patterns, with the words they stand for.
_PATTERN_WORDS = {
    "DUTY": ("must", "should", "may"),
    "LATENESS": ("late", "overdue"),
    "JOIN_MODE": ("all", "any"),
    "EXTERNAL": ("external",),
    "UNIT": ("working days", "days", "weeks", "months", "years", "hours"),
    "YES": ("yes",),
    "NO": ("no",),
    "DONE": ("done",),
}


class NameKind(StrEnum):
    """The kind of name wanted at a place."""

    ROLE = "role"
    FLOW = "step"  # a step, decision, parallel, join or outcome
    ANCHOR = "anchor"  # an event, or a step a deadline counts from
    FACT = "fact"
    CHOICE = "choice"  # one of a fact's choices
    HAPPENING = "happening"  # what a case records on a day: an event, a step done, a fact learnt
    ANY = "any"


ROLE, FLOW, ANCHOR, FACT, CHOICE, HAPPENING, ANY = NameKind


@cache
def language_words() -> frozenset[str]:
    """Every word the language gives a meaning to (`next`, `escalation`, `must`...): none can be a name."""
    words = {t.pattern.value for t in get_parser().terminals if isinstance(t.pattern, PatternStr) and t.pattern.value[:1].isalpha()}
    words.update(word for listed in _PATTERN_WORDS.values() for word in listed if " " not in word)
    return frozenset(words)


@frozen
class Expected:
    keywords: tuple[str, ...]
    name_kind: NameKind | None  # None when no name may be written here
    fact: str | None = None  # for choices: the fact they are choices of


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")
_WORDS_BEFORE = re.compile(TITLE_OR_COMMENT + r"|->|[A-Za-z_][A-Za-z0-9_]*|[(),]")


def expected_at(text: str, offset: int, start: str = "procedure_file") -> Expected:
    keywords = PROCEDURE_KEYWORDS if start == "procedure_file" else CASE_KEYWORDS
    before = text[:offset]
    if _in_title_or_comment(before[before.rfind("\n") + 1 :]):
        return Expected((), None)
    typing = _WORD.search(before)
    if typing:
        before = before[: typing.start()]
    declaration_start = _declaration_start(before, keywords)
    piece = before[declaration_start:]
    accepted = _accepted_terminals(piece, start)
    if accepted is None:
        return Expected((), None)
    words: set[str] = set()
    terminals = {t.name: t for t in get_parser().terminals}
    for name in accepted:
        if name in _PATTERN_WORDS:
            words.update(_PATTERN_WORDS[name])
        elif name in terminals and isinstance(terminals[name].pattern, PatternStr):
            value = terminals[name].pattern.value
            if value[:1].isalpha():
                words.add(value)
    kind, fact = _name_kind(piece) if "NAME" in accepted else (None, None)
    return Expected(tuple(sorted(words)), kind, fact)


_TITLE_OR_COMMENT_START = re.compile(r'"(?:[^"\\\n]|\\.)*(")?|#')


def _in_title_or_comment(line: str) -> bool:
    """Whether the end of a line's text is inside a title or a comment."""
    return any(match.group() == "#" or match.group(1) is None for match in _TITLE_OR_COMMENT_START.finditer(line))


def _declaration_start(before: str, keywords: tuple[str, ...]) -> int:
    """Where the declaration the cursor is in begins: the last line opening with a declaration keyword."""
    pattern = re.compile(r"^[ \t]*(?:" + "|".join(keywords) + r")\b", re.MULTILINE)
    starts = [match.start() for match in pattern.finditer(before)]
    return starts[-1] if starts else 0


def _accepted_terminals(piece: str, start: str) -> set[str] | None:
    try:
        interactive = get_parser().parse_interactive(piece, start=start)
        interactive.exhaust_lexer()
        return set(interactive.accepts())
    except (LarkError, UnicodeError):
        return None


def _name_kind(piece: str) -> tuple[NameKind | None, str | None]:
    """The kind of name wanted next, from the words just before it."""
    words = [w for w in _WORDS_BEFORE.findall(piece) if not w.startswith(("#", '"'))]
    if not words:
        return ANY, None
    last = words[-1]
    previous = words[-2] if len(words) > 1 else ""
    if last == "is" or (last == "not" and previous == "is") or ("when" in words and "is" in words and last in ("of", ",")):
        # After `k is`, `k is not`, `k is one of` or a comma in its list: the choices of k.
        at = len(words) - 1 - words[::-1].index("is") if "is" in words else -1
        fact = words[at - 1] if at > 0 and _WORD.match(words[at - 1]) else None
        return CHOICE, fact
    if last in ("by", "notify", "of", "delegated") or (last == "to" and previous != "escalate" and previous != "escalation"):
        return ROLE, None
    if last == "," and "of" in words and words[0] == "group":
        return ROLE, None
    if last in ("next", "->", "at") or (last == "to" and previous == "escalate"):
        return FLOW, None
    if last == "expect" or (last in ("from",) and "escalation" in words):
        return FLOW, None
    if last in ("after", "before"):
        return ANCHOR, None
    if last in ("when", "and", "or", "not", "("):
        return FACT, None
    if last == "takes":
        return FLOW, None
    if _DATE_BEFORE.search(piece):
        return HAPPENING, None
    if last == "facts" or words[0] == "facts":
        return FACT, None
    return ANY, None


_DATE_BEFORE = re.compile(r"^\s*on\s+\d{4}-\d{2}-\d{2}\s*$")
