"""The grammar of the safeproc language and the one cached parser built from it."""

from __future__ import annotations

from functools import cache

from lark import Lark

START_SYMBOLS = ("procedure_file", "case_file", "date_expression")


class _NamesEverywhere:
    """A do-nothing post-lexer whose only job is to let NAME be lexed in every state.

    Lark's contextual lexer otherwise matches a keyword as the prefix of a longer
    word where no name is expected: `bye crg` would read as `by` + `e`, and the
    author would be told about the wrong word. With NAME always lexable, `bye`
    is one word and the error points at it.
    """

    always_accept = ("NAME",)

    def process(self, stream):
        return stream


@cache
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
        postlex=_NamesEverywhere(),
        cache=True,
    )
