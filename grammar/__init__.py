"""The grammar of the safeproc language and the one parser built from it.

The LALR tables are built from `procedure.lark` when safeproc is released and
shipped beside it in `parser_tables.marshal` (`python -m grammar.tables` writes
it). Loading them takes about a millisecond, against some 80 ms to analyse the
grammar afresh.

Why not Lark's own `cache=True`: it unpickles a file of a predictable name in
the shared temporary folder, so another local user who plants that file runs
code as whoever next runs safeproc. The shipped tables live inside the installed
package, as trusted as its code (Python's own `.pyc` files are marshal data
too), and `marshal` builds only plain values: it never calls into Python code.
When the shipped tables do not match the grammar or the installed Lark, the
parser is built in memory from the grammar and nothing is written anywhere.
"""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

import lark
from lark import Lark, Token

START_SYMBOLS = ("procedure_file", "case_file", "date_expression")
TABLES_FILE = "parser_tables.marshal"


class _NamesEverywhere:
    """A do-nothing post-lexer whose only job is to let NAME be lexed in every state.

    Lark's contextual lexer otherwise matches a keyword as the prefix of a longer
    word where no name is expected: `bye crg` would read as `by` + `e`, and the
    author would be told about the wrong word. With NAME always lexable, `bye`
    is one word and the error points at it.
    """

    always_accept = ("NAME",)

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        return stream


def parser_options() -> dict[str, Any]:
    """The options every safeproc parser is built with (never `cache`)."""
    return {
        "parser": "lalr",
        "lexer": "contextual",
        "propagate_positions": True,
        "maybe_placeholders": False,
        "start": list(START_SYMBOLS),
        "postlex": _NamesEverywhere(),
    }


def grammar_text() -> str:
    return resources.files("grammar").joinpath("procedure.lark").read_text(encoding="utf-8")


def tables_key(text: str) -> str:
    """What the shipped tables must have been built from: this grammar and these options, with this version of Lark."""
    options = parser_options()
    described = sorted((name, repr(value)) for name, value in options.items() if name != "postlex")
    described.append(("postlex", type(options["postlex"]).__qualname__))
    return hashlib.sha256(f"lark {lark.__version__}\n{described}\n{text}".encode()).hexdigest()


def build_parser() -> Lark:
    """The parser analysed afresh from the grammar, in memory."""
    return Lark(grammar_text(), **parser_options())


def serialised_tables(parser: Lark, key: str) -> bytes:
    """The parser's tables as marshal data: plain dicts, lists, strings and numbers."""
    from lark.grammar import Rule
    from lark.lark import _LOAD_ALLOWED_OPTIONS
    from lark.lexer import TerminalDef

    data, memo = parser.memo_serialize([TerminalDef, Rule])
    # Options given again at load time (the post-lexer) and where the grammar came
    # from are not tables; leaving them out keeps the file plain data.
    data["options"] = {
        name: value for name, value in data["options"].items() if name not in _LOAD_ALLOWED_OPTIONS and name != "source_path"
    }
    return marshal.dumps({"key": key, "data": data, "memo": memo})


def _shipped_tables() -> dict[str, Any] | None:
    try:
        stored = marshal.loads(resources.files("grammar").joinpath(TABLES_FILE).read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    return stored if isinstance(stored, dict) else None


def shipped_tables_key() -> str | None:
    """What the shipped tables were built from (see `tables_key`), or None if there are none."""
    stored = _shipped_tables()
    return stored.get("key") if stored else None


def _shipped_parser(key: str) -> Lark | None:
    stored = _shipped_tables()
    if stored is None or stored.get("key") != key:
        return None
    options = parser_options()
    return Lark._load_from_dict(stored["data"], stored["memo"], postlex=options["postlex"], propagate_positions=True)


@cache
def get_parser() -> Lark:
    """The LALR parser for every kind of safeproc file, made once per process."""
    return _shipped_parser(tables_key(grammar_text())) or build_parser()
