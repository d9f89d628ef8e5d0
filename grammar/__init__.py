"""The grammar of the safeproc language and the one cached parser built from it."""

from __future__ import annotations

from functools import lru_cache

from lark import Lark

START_SYMBOLS = ("procedure_file", "date_expression")


@lru_cache(maxsize=None)
def get_parser() -> Lark:
    """The LALR parser for every kind of safeproc file, built once per process.

    Lark's own cache keeps the compiled tables on disk between processes, so a
    command-line run does not pay for grammar analysis each time.
    """
    return Lark.open_from_package(
        "grammar",
        "procedure.lark",
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=False,
        start=list(START_SYMBOLS),
        cache=True,
    )
