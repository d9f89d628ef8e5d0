"""Source text and the spans that point into it.

A span names a file and a 1-based line and column range, as editors count them.
Spans never take part in equality: two models built from differently laid out
files that say the same thing are equal.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from functools import cached_property
from typing import NamedTuple

from attrs import frozen


class Span(NamedTuple):
    # A named tuple rather than an attrs class: parsers and readers make one for
    # nearly every token, and a tuple is several times cheaper to create.
    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, file: str, line: int, column: int, width: int = 1) -> Span:
        return cls(file, line, column, line, column + max(width, 1))


@frozen(slots=False)
class SourceFile:
    """A file's name and decoded text, kept so that diagnostics can quote it."""

    name: str
    text: str

    @cached_property
    def lines(self) -> tuple[str, ...]:
        # Made only when a diagnostic quotes the file: most files in a batch never do.
        # Lark counts lines by "\n" alone; splitlines() would also break on form
        # feeds and other separators and the line numbers would drift.
        return tuple(line.rstrip("\r") for line in self.text.split("\n"))

    def line_text(self, line: int) -> str:
        if 1 <= line <= len(self.lines):
            return self.lines[line - 1]
        return ""

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of a character offset in the text."""
        line = self.text.count("\n", 0, offset) + 1
        return line, offset - (self.text.rfind("\n", 0, offset) + 1) + 1


def with_line_breaks(text: str) -> str:
    """The text with each lone carriage return (an old Mac line end) made a line break, as
    editors and the language server protocol count it; Windows line ends are left as they are."""
    if "\r" not in text:
        return text
    return _LONE_CARRIAGE_RETURN.sub("\n", text)


_LONE_CARRIAGE_RETURN = re.compile(r"\r(?!\n)")


# Limits no honest procedure or case comes near, so that a runaway file is refused at
# once instead of taking minutes and gigabytes (the parse tree costs ~100x the text).
MAX_SOURCE_BYTES = 50 * 1024 * 1024
MAX_DECLARATIONS = 200_000
MAX_TITLE_CHARACTERS = 10_000


# Opened without blocking: opening a named pipe would otherwise wait for a writer.
_READ_WITHOUT_BLOCKING = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
# Nearly every procedure and case is smaller than this.
_SMALL_FILE_BYTES = 64 * 1024
# Windows has no os.pread: there every file is read the longer way.
_READS_AT_A_PLACE = hasattr(os, "pread")


def read_regular_file(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a regular file, at most one byte past MAX_SOURCE_BYTES (enough to tell it is too big).

    A pipe or a device is refused (reading one might never end) with an OSError,
    and what a pipe holds is left for its reader.
    """
    descriptor = os.open(path, _READ_WITHOUT_BLOCKING)
    try:
        # Nearly every file is small and regular: one read takes it all, and a second that
        # gives nothing shows its end. For a batch of small cases two reads cost less than
        # asking the file's kind and size first. They read at a place in the file, which
        # a pipe or a terminal refuses without giving up what it holds (and which leaves
        # the file's own position at its start). Anything else (an empty file, a large
        # one, a device, a folder) has its kind asked, and is read the longer way.
        if _READS_AT_A_PLACE:
            try:
                first = os.pread(descriptor, _SMALL_FILE_BYTES, 0)
                if 0 < len(first) < _SMALL_FILE_BYTES and not os.pread(descriptor, _SMALL_FILE_BYTES, len(first)):
                    return first
            except OSError:
                pass  # said below, once the file's kind is known
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, "It is not a regular file", str(path))
        # Read in pieces sized by the file, not one buffer of the largest size allowed:
        # a 50 MB buffer each time would cost more than most files.
        # A file that grows while it is read is read on.
        pieces = []
        wanted = MAX_SOURCE_BYTES + 1
        got = 0
        while wanted > 0:
            asked = min(wanted, max(status.st_size + 1, 4096))
            piece = os.read(descriptor, asked)
            if not piece:
                break
            pieces.append(piece)
            got += len(piece)
            wanted -= len(piece)
            if len(piece) < asked and got == status.st_size > 0:
                break  # all the size it gave, read short at its end: no read more is needed to see the end
            # (A file that gives no size, as under /proc, or reads short before its end, as some
            # mounted file systems do, is read on until a read gives nothing.)
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)
    finally:
        os.close(descriptor)
