"""A fast reader for .case files written in the plain, one-thing-per-line shape.

Batch runs read hundreds of thousands of small generated cases, and the LALR
parser costs most of the time there. Nearly every case is written one item per
line, so this reader takes exactly those lines and builds the same model, spans
included, that the grammar would. Anything else (a title with an escape, two
items on a line, a mistake of any kind) makes it give up and return None, and
the caller parses the file with the grammar as usual, which also reports the
mistake. A test compares the two readers on every case file in the repository.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from interpreter import model as m
from interpreter.build import MAX_AMOUNT, CaseHeader
from interpreter.source import MAX_SOURCE_BYTES, SourceFile, Span
from interpreter.syntax import RESERVED_WORDS

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_DATE = r"\d{4}-\d{2}-\d{2}"
_WHOLE_DATE = re.compile(_DATE, re.ASCII)
_END_OF_LINE = r"[ \t]*(?:#[^\n]*)?$"

_CASE = re.compile(r'[ \t]*(case)[ \t]+"([^"\\]*)"' + _END_OF_LINE)
_PROCEDURE = re.compile(r'[ \t]*procedure[ \t]+("[^"\\]*")' + _END_OF_LINE)
_AS_OF = re.compile(rf"[ \t]*(as[ \t]+of[ \t]+({_DATE}))" + _END_OF_LINE)
_END = re.compile(r"[ \t]*(end)" + _END_OF_LINE)
_FACTS = re.compile(r"[ \t]*facts" + _END_OF_LINE)
_FACT = re.compile(rf"[ \t]*(({_NAME})[ \t]+is[ \t]+({_NAME}|\d+))" + _END_OF_LINE)
_ON = re.compile(rf"[ \t]*(on[ \t]+({_DATE})[ \t]+({_NAME})(?:[ \t]+(done))?)" + _END_OF_LINE)
_LEARNT = re.compile(rf"[ \t]*(on[ \t]+({_DATE})[ \t]+(({_NAME})[ \t]+is[ \t]+({_NAME}|\d+)))" + _END_OF_LINE)
_EXPECT = re.compile(r"[ \t]*(expect[ \t]+([^#\n]*?))" + _END_OF_LINE)
_BLANK = re.compile(_END_OF_LINE)
_WHOLE_NAME = re.compile(_NAME + r"\Z")

# No line of a plain case comes near this; past it the grammar reads the file.
_LONGEST_PLAIN_LINE = 2_000
_STATES = {state.value.replace("_", " "): state for state in m.StepState}
_FACT_WORDS: dict[str, m.Value] = {"yes": True, "no": False, "unknown": None}


def _fact_parts(name: str, word: str) -> tuple[str, m.Value]:
    """A fact's name and value (`age is 17`), as the grammar reads them."""
    if name in RESERVED_WORDS:
        raise _GiveUp
    if word.isdigit():
        if len(word) > 6 or int(word) > MAX_AMOUNT:
            raise _GiveUp
        return name, int(word)
    if word in _FACT_WORDS:
        return name, _FACT_WORDS[word]
    if word in RESERVED_WORDS:
        raise _GiveUp
    return name, word


@lru_cache(maxsize=4096)
def _fact_line(line: str) -> tuple[str, m.Value]:
    """A fact line's name and value (`  age is 17`), a line already matched as one."""
    name, _, word = line.split()
    return _fact_parts(name, word)


@lru_cache(maxsize=4096)
def _day(text: str) -> date:
    return _Reader._date(text)


class _GiveUp(Exception):
    """The file is not in the plain shape; the grammar will read it."""


def read_plain_case(source: SourceFile) -> m.Case | None:
    try:
        return _Reader(source).read()
    except _GiveUp:
        return None


class PlainInputs(NamedTuple):
    """What a simulation needs of a plain case, without the model (for batches)."""

    procedure_path: str | None
    as_of: date | None
    facts: dict[str, m.Value]
    happenings: dict[str, date]  # name -> date


def read_plain_inputs(source: SourceFile) -> PlainInputs | None:
    """A plain case's facts and happenings as dictionaries, or None.

    None also when the case has expectations, repeats a fact or a happening, or
    lists happenings out of date order: those are for the full reader, which
    reports on them. What it returns is exactly what the full reader's case would
    give the simulator (a test holds the two to that).
    """
    try:
        return _whole_file_inputs(source.text) or _Reader(source).read_inputs()
    except _GiveUp:
        return None


# A generated case is one header, one facts block and its happenings, with nothing
# else on any line: matched whole, then its items picked out, at a third of the
# cost of line-by-line reading. Anything else (a comment, a blank line, another
# order) goes to the line reader, which gives the same answer or gives up.
_GAP = r"[ \t]+"
_LINE_END = r"[ \t]*\n"


def _plain_case_parts(title_character: str) -> tuple[str, str, str]:
    """The patterns of a case in exactly the generated shape, its titles made of title_character, in three parts:
    its title line; what follows, up to its happenings (its header and facts blocks, as
    two groups); and one happening line, without its line break."""
    # A title no longer than the line reader's longest line: a longer one is the grammar's
    # to read, and over its limit (MAX_TITLE_CHARACTERS) to refuse.
    title = rf'"{title_character}{{0,{_LONGEST_PLAIN_LINE}}}+"'
    # Possessive repeats (`*+`): a line that fails to match is never tried another way.
    title_line = rf"[ \t]*case{_GAP}{title}{_LINE_END}"
    header_and_facts = (
        rf"((?:[ \t]*+(?:procedure{_GAP}{title}|as{_GAP}of{_GAP}{_DATE}){_LINE_END})*+)"
        rf"[ \t]*end{_LINE_END}[ \t]*facts{_LINE_END}"
        rf"((?:[ \t]*+{_NAME}+{_GAP}+is{_GAP}+(?:{_NAME}+|\d++){_LINE_END})*+)"
        rf"[ \t]*end[ \t]*(?:\n|\Z)"
    )
    happening = rf"[ \t]*+on{_GAP}+{_DATE}{_GAP}+{_NAME}+(?:{_GAP}+done)?[ \t]*+"
    return title_line, header_and_facts, happening


def _whole_plain_case(title_character: str) -> str:
    """The pattern of a whole case in exactly the generated shape: its header, facts and happenings blocks as groups."""
    title_line, header_and_facts, happening = _plain_case_parts(title_character)
    return rf"{title_line}{header_and_facts}((?:{happening}(?:\n|\Z))*+)"


_WHOLE_PLAIN_CASE = re.compile(_whole_plain_case(r'[^"\\\n]'))
# The same shape, in its parts, over the bytes of an ASCII file, which need no decoding
# to be read. Its titles hold no control character but the tab, so the file cannot look
# binary (see syntax.decode): a title with one is left to the text's way, which judges it.
_ASCII_PARTS = [part.encode("ascii") for part in _plain_case_parts(r'[^"\\\x00-\x08\x0a-\x1f]')]
_PLAIN_TITLE_LINE = re.compile(_ASCII_PARTS[0])
_PLAIN_HEADER_AND_FACTS = re.compile(_ASCII_PARTS[1])
_PLAIN_HAPPENING = re.compile(_ASCII_PARTS[2])
_HAPPENING_WORDS = re.compile(r"^[ \t]*on[ \t]+(\S+)[ \t]+(\S+)", re.MULTILINE)
_HEADER_ITEM = re.compile(rf'procedure{_GAP}("[^"\\\n]*")|as{_GAP}of{_GAP}({_DATE})')


def _whole_file_inputs(text: str) -> PlainInputs | None:
    """The inputs of a case in exactly the generated shape, read in one match; None for any other shape."""
    whole = _WHOLE_PLAIN_CASE.fullmatch(text) if "\r" not in text else None
    if whole is None:
        return None
    header, facts_block, happenings_block = whole.groups()
    procedure_path, as_of = _header_items(header)
    pairs = _HAPPENING_WORDS.findall(happenings_block)
    days = [day for day, _ in pairs]
    names = [name for _, name in pairs]
    if days != sorted(days) or not RESERVED_WORDS.isdisjoint(names):
        raise _GiveUp  # out of date order (ISO dates sort as text), or a keyword where a name goes
    happenings = dict(zip(names, map(_day, days)))
    if len(happenings) != len(names):
        raise _GiveUp  # a happening recorded twice
    return PlainInputs(procedure_path, as_of, _facts_block(facts_block), happenings)


def _header_items(header: str) -> tuple[str | None, date | None]:
    """The procedure named and the `as of` date of a matched header block (each at most once)."""
    procedure_path: str | None = None
    as_of: date | None = None
    if header:
        seen_procedure = seen_as_of = False
        for quoted, day in _HEADER_ITEM.findall(header):
            if quoted:
                if seen_procedure:
                    raise _GiveUp
                seen_procedure, procedure_path = True, quoted[1:-1]
            else:
                if seen_as_of:
                    raise _GiveUp
                seen_as_of, as_of = True, _Reader._date(day)
    return procedure_path, as_of


def _facts_block(block: str) -> dict[str, m.Value]:
    """The facts of a matched facts block."""
    # The match has checked every line's shape: a fact line is `name is value`. Fact
    # lines repeat across a batch's cases (`  child_died is yes`), so each is read once.
    lines = block.split("\n")
    lines.pop()  # the block ends with a line break
    facts = dict(map(_fact_line, lines))
    if len(facts) != len(lines):
        raise _GiveUp  # a fact given twice
    return facts


def plain_ascii_parts(data: bytes) -> tuple[bytes, bytes] | None:
    """An ASCII case with a plain title line, cut where its happenings start: (its header and
    facts, its happenings); None for any other case.

    For a batch, which reads what its cases share (a header and a set of facts) once for
    them all. Neither part has been checked: plain_header_and_facts and plain_happening
    check them, and where both say yes the case is in exactly the generated shape and they
    give what read_plain_inputs gives of it. (Happenings are found at the first line that
    starts `on `: a case that indents them, or writes another gap, is cut elsewhere and its
    parts are refused.)
    """
    if not data.isascii() or len(data) > MAX_SOURCE_BYTES:
        return None
    title = _PLAIN_TITLE_LINE.match(data)
    if title is None:
        return None
    start = title.end()
    happenings = data.find(b"\non ", start - 1) + 1
    if happenings == 0:
        return data[start:], b""
    return data[start:happenings], data[happenings:]


def plain_header_and_facts(part: bytes) -> tuple[date | None, dict[str, m.Value]] | None:
    """The `as of` date and the facts of a case's header and facts, cut by plain_ascii_parts; None where the grammar must read them."""
    blocks = _PLAIN_HEADER_AND_FACTS.fullmatch(part)
    if blocks is None:
        return None
    header, facts = blocks.groups()
    try:
        return _header_items(header.decode("ascii"))[1], _facts_block(facts.decode("ascii"))
    except _GiveUp:
        return None


def plain_happening(line: bytes) -> tuple[str, date] | None:
    """The name and date of a happening line (without its line break); None where the grammar must read it."""
    if _PLAIN_HAPPENING.fullmatch(line) is None:
        return None
    _, day, name, *_ = line.split()  # `on`, a date, a name, perhaps `done`
    written = name.decode("ascii")
    if written in RESERVED_WORDS:
        return None
    try:
        return written, _day(day.decode("ascii"))
    except _GiveUp:
        return None


class _Reader:
    def __init__(self, source: SourceFile):
        self.source = source
        self.file = source.name

    def _lines(self) -> Iterator[tuple[str, int, re.Match[str]]]:
        """Each line that says something, as (kind, line number, match), in the plain shape only."""
        block = None  # "case" or "facts" while inside one
        text = self.source.text
        if "\r" in text:
            raise _GiveUp
        for number, line in enumerate(text.split("\n"), start=1):
            if len(line) > _LONGEST_PLAIN_LINE:
                raise _GiveUp  # the grammar reads long lines in linear time; some of these patterns may not
            if block == "facts":
                # Facts are most of a generated case's lines: try them first.
                if match := _FACT.match(line):
                    yield "fact", number, match
                elif _END.match(line):
                    block = None
                elif not _BLANK.match(line):
                    raise _GiveUp
                continue
            if _BLANK.match(line):
                continue
            if block == "case":
                if match := _END.match(line):
                    yield "end", number, match
                    block = None
                elif match := _PROCEDURE.match(line):
                    yield "procedure", number, match
                elif match := _AS_OF.match(line):
                    yield "as_of", number, match
                else:
                    raise _GiveUp
                continue
            if match := _CASE.match(line):
                yield "case", number, match
                block = "case"
            elif _FACTS.match(line):
                block = "facts"
            elif match := _ON.match(line):
                yield "on", number, match
            elif match := _LEARNT.match(line):
                yield "learnt", number, match
            elif match := _EXPECT.match(line):
                yield "expect", number, match
            else:
                raise _GiveUp
        if block is not None:
            raise _GiveUp

    def read(self) -> m.Case:
        header: dict[str, Any] | None = None
        start: tuple[int, int] | None = None
        end: Span | None = None
        facts: list[m.FactValue] = []
        happenings: list[m.Happening] = []
        expectations: list[m.Expectation] = []
        learnt: list[m.FactLearnt] = []
        file = self.file
        for kind, number, match in self._lines():
            if kind == "fact":
                name, value = _fact_parts(*match.group(2, 3))
                name_start, name_end = match.span(2)
                whole_start, whole_end = match.span(1)
                reference = m.Ref(name, Span(file, number, name_start + 1, number, name_end + 1))
                facts.append(m.FactValue(fact=reference, value=value, span=Span(file, number, whole_start + 1, number, whole_end + 1)))
            elif kind == "on":
                happenings.append(
                    m.Happening(
                        on=self._date(match.group(2)),
                        name=self._ref(match.group(3), number, match, 3),
                        done=match.group(4) is not None,
                        span=self._span(number, match, 1),
                    )
                )
            elif kind == "learnt":
                name, value = _fact_parts(*match.group(4, 5))
                fact = m.FactValue(fact=self._ref(name, number, match, 4), value=value, span=self._span(number, match, 3))
                learnt.append(m.FactLearnt(on=self._date(match.group(2)), fact=fact, span=self._span(number, match, 1)))
            elif kind == "expect":
                expectations.append(self._expectation(match, number))
            elif kind == "case":
                if header is not None:
                    raise _GiveUp
                header = {"name": match.group(2)}
                start = (number, match.start(1))
            elif kind == "procedure":
                header = self._once(header, "procedure_path", match.group(1)[1:-1])
                header["procedure_span"] = self._span(number, match, 1)
            elif kind == "as_of":
                header = self._once(header, "as_of", self._date(match.group(2)))
            else:  # the end of the header
                end = Span(file, number, match.end(1) + 1, number, match.end(1) + 1)
        if header is None or start is None or end is None:
            raise _GiveUp
        start_line, start_offset = start
        span = Span(file, start_line, start_offset + 1, end.line, end.column)
        return CaseHeader(span=span, **header).case(file, tuple(facts), tuple(happenings), tuple(expectations), tuple(learnt))

    def read_inputs(self) -> PlainInputs:
        header: dict[str, Any] | None = None
        ended = False
        facts: dict[str, m.Value] = {}
        happenings: dict[str, date] = {}
        latest: date | None = None
        for kind, _, match in self._lines():
            if kind == "fact":
                name, value = _fact_parts(*match.group(2, 3))
                if name in facts:
                    raise _GiveUp
                facts[name] = value
            elif kind == "on":
                when = self._date(match.group(2))
                name = self._name(match.group(3))
                if name in happenings or (latest is not None and when < latest):
                    raise _GiveUp
                happenings[name] = latest = when
            elif kind == "case":
                if header is not None:
                    raise _GiveUp
                header = {}
            elif kind == "procedure":
                header = self._once(header, "procedure_path", match.group(1)[1:-1])
            elif kind == "as_of":
                header = self._once(header, "as_of", self._date(match.group(2)))
            elif kind == "end":
                ended = True
            else:  # expectations and learnt facts are for the full reader
                raise _GiveUp
        if header is None or not ended:
            raise _GiveUp
        return PlainInputs(header.get("procedure_path"), header.get("as_of"), facts, happenings)

    # -- pieces --

    def _expectation(self, match: re.Match[str], number: int) -> m.Expectation:
        words = match.group(2).split()
        span = self._span(number, match, 1)
        body_start = match.start(2)
        line = self.source.line_text(number)

        def ref(index: int) -> m.Ref:
            # The index-th word of the body, located by searching from the previous word.
            offset = body_start
            for word in words[:index]:
                offset = line.index(word, offset) + len(word)
            column = line.index(words[index], offset)
            return m.Ref(self._name(words[index]), Span(self.file, number, column + 1, number, column + 1 + len(words[index])))

        kind = m.ExpectationKind
        if words[:2] == ["no", "outcome"] and len(words) == 2:
            return m.Expectation(kind=kind.NO_OUTCOME, span=span)
        if words[:2] == ["no", "breaches"] and len(words) == 2:
            return m.Expectation(kind=kind.NO_BREACHES, span=span)
        if words[:2] == ["no", "escalation"]:
            if len(words) == 2:
                return m.Expectation(kind=kind.NO_ESCALATION, span=span)
            if len(words) == 4 and words[2] == "from":
                return m.Expectation(kind=kind.NO_ESCALATION, source=ref(3), span=span)
            raise _GiveUp
        if len(words) == 5 and words[1] == "deadline" and words[3] == "due" and words[2].isdigit():
            if len(words[2]) > 6 or int(words[2]) > MAX_AMOUNT:
                raise _GiveUp
            return m.Expectation(kind=kind.DEADLINE_DUE, subject=ref(0), place=int(words[2]), on=self._date(words[4]), span=span)
        if len(words) == 2 and words[0] == "outcome":
            return m.Expectation(kind=kind.OUTCOME, subject=ref(1), span=span)
        if words and words[0] == "escalation":
            if len(words) == 5 and words[1] == "to" and words[3] == "on":
                return m.Expectation(kind=kind.ESCALATION, role=ref(2), on=self._date(words[4]), span=span)
            if len(words) == 7 and words[1] == "from" and words[3] == "to" and words[5] == "on":
                return m.Expectation(kind=kind.ESCALATION, role=ref(4), on=self._date(words[6]), source=ref(2), span=span)
            raise _GiveUp
        if len(words) == 3 and words[1] == "due":
            if words[2] == "nothing":
                return m.Expectation(kind=kind.NO_DUE, subject=ref(0), span=span)
            return m.Expectation(kind=kind.DUE, subject=ref(0), on=self._date(words[2]), span=span)
        if len(words) == 4 and words[1:3] == ["not", "before"]:
            return m.Expectation(kind=kind.NOT_BEFORE, subject=ref(0), on=self._date(words[3]), span=span)
        if len(words) == 3 and words[1] == "takes":
            return m.Expectation(kind=kind.BRANCH, subject=ref(0), target=ref(2), span=span)
        if len(words) >= 3 and words[1] == "is" and " ".join(words[2:]) in _STATES:
            return m.Expectation(kind=kind.STATE, subject=ref(0), state=_STATES[" ".join(words[2:])], span=span)
        raise _GiveUp

    def _ref(self, name: str, number: int, match: re.Match[str], group: int) -> m.Ref:
        return m.Ref(self._name(name), self._span(number, match, group))

    def _span(self, number: int, match: re.Match[str], group: int) -> Span:
        return Span(self.file, number, match.start(group) + 1, number, match.end(group) + 1)

    @staticmethod
    def _name(word: str) -> str:
        if word in RESERVED_WORDS or not _WHOLE_NAME.match(word):
            raise _GiveUp
        return word

    @staticmethod
    def _date(text: str) -> date:
        # Only YYYY-MM-DD, as the grammar has it (fromisoformat would also take 20240207 or 2024-W06-3).
        if not _WHOLE_DATE.fullmatch(text):
            raise _GiveUp
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise _GiveUp from None

    @staticmethod
    def _once(header: dict[str, Any] | None, key: str, value: object) -> dict[str, Any]:
        """The header with `key` set, giving up when there is no header yet or the key is already set."""
        if header is None or key in header:
            raise _GiveUp
        header[key] = value
        return header
