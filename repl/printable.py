"""Text from outside safeproc (file names above all) made safe to show on a terminal or in JSON.

A file name can hold any byte but `/` and NUL: escape sequences that move the
cursor or retitle the window, carriage returns that overwrite a line, and bytes
that are not UTF-8 (Python keeps them as lone surrogates, which no UTF-8 stream
can write). Each is shown as a visible escape such as `\\x1b` or `\\xff`, the
way `ls -b` shows it, so the reader sees what is really there.
"""

from __future__ import annotations

import json
import re

# C0 controls but tab and newline, DEL, C1 controls, the bidirectional controls that
# make text read in another order than it is stored (the "Trojan Source" trick), and
# the surrogates that stand for undecodable bytes.
_UNSAFE_CHARACTERS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE = re.compile(f"[{_UNSAFE_CHARACTERS}]")
# The colour codes safeproc itself writes (bold, red, yellow, cyan, blue, reset), kept on a
# colour terminal; any other sequence, such as one that hides text, is escaped.
_COLOUR_OR_UNSAFE = re.compile(f"(\x1b\\[(?:1;3[1346]|1|0)m)|[{_UNSAFE_CHARACTERS}]")


def _escape(character: str) -> str:
    code = ord(character)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, as os.fsdecode keeps it
        return f"\\x{code - 0xDC00:02x}"
    if code > 0xFF:
        return f"\\u{code:04x}"
    return f"\\x{code:02x}"


def printable(text: str) -> str:
    """text with every control character and undecodable byte shown as an escape; newlines and tabs kept."""
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(lambda match: _escape(match.group()), text)


def shown_name(name: str) -> str:
    """A file name on one line: printable, with newlines and tabs escaped too."""
    return printable(name).replace("\n", "\\n").replace("\t", "\\t")


def printable_keeping_colour(text: str) -> str:
    """Like printable, but safeproc's own colour codes stay (for a colour terminal)."""
    if _UNSAFE.search(text) is None:
        return text
    return _COLOUR_OR_UNSAFE.sub(lambda match: match.group(1) or _escape(match.group()), text)


def _without_undecodable_bytes(value: object) -> object:
    """value with every lone surrogate (an undecodable byte of a file name) written as the text \\xff."""
    if isinstance(value, str):
        return _SURROGATES.sub(lambda match: _escape(match.group()), value) if _SURROGATES.search(value) else value
    if isinstance(value, dict):
        return {_without_undecodable_bytes(key): _without_undecodable_bytes(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_without_undecodable_bytes(item) for item in value]
    return value


_SURROGATES = re.compile(r"[\ud800-\udfff]")


def json_text(value: object) -> str:
    """value as JSON in plain ASCII: valid whatever the output's encoding, with no raw control character.

    Anything beyond ASCII is a `\\u` escape that every JSON reader decodes; an
    undecodable byte in a file name becomes the text `\\xff`.
    """
    return json.dumps(_without_undecodable_bytes(value), indent=2, ensure_ascii=True)


def wants_colour(stream) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    import os

    if os.environ.get("NO_COLOR") is not None or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
