"""Where a rename finds a name in the reading notes: the code of the notes, not their prose."""

from __future__ import annotations

import pytest

from interpreter.reading_notes import mentions_in_code
from interpreter.source import SourceFile


def _found(text: str, name: str = "review", also_a_keyword: bool = False) -> list[tuple[int, int]]:
    return [(span.line, span.column) for span in mentions_in_code(SourceFile("READING.md", text), name, also_a_keyword)]


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("The review waits for `review`.", [(1, 23)]),
        ('`step review "The review"` and `next review # review later`', [(1, 7), (1, 38)]),
        ("```\nstep review\n```\nThe review is prose.", [(2, 6)]),
        ("```proc\nstep review\n```", [(2, 6)]),
        ("~~~\nstep review\n~~~", [(2, 6)]),
        ("````\n```\nstep review\n````\nThe review is prose.", [(3, 6)]),
        ("```sh\nsafeproc simulate notify.proc review.case\n```", []),
        ("    ```\nThe review is prose after an indented code block.", []),
        ("`scenarios/review.case` `review-late.case` `reviewer` `review`", [(1, 56)]),
        ("```review``` is code written inline.\n\nThe review is prose.", [(1, 4)]),
        ("``review`` and ``next `review` later``", [(1, 3), (1, 24)]),
        ("``review` is no code: its runs of backticks do not pair.", []),
        # A span goes on to the next line of its paragraph: there the prose after it stays prose.
        ("Cases wait at `next\nreview` before the review is prose `x`.", [(2, 1)]),
        ("`review\n\nreview` (a blank line ends the paragraph: no span)", []),
        ("# A `heading\n- review` in a list item begins a block of its own", []),
        ("1. `review`\n2. `review`", [(1, 5), (2, 5)]),
        ("An escaped \\` is a plain backtick, so `review` is code.", [(1, 40)]),
        ("`a\\` is code (a backslash in code is itself), and so is `review`.", [(1, 58)]),
    ],
)
def test_only_the_notes_code_names_the_step(text, places):
    assert _found(text) == places


def test_a_name_that_is_also_a_keyword_is_taken_only_where_code_holds_it_alone():
    text = "`notify` runs first; its escalation is `if late notify panel`.\n```\nnext notify\n```\n`` notify ``"
    assert _found(text, "notify", also_a_keyword=True) == [(1, 2), (5, 4)]  # one space inside each end is not code


@pytest.mark.parametrize(
    ("text", "places"),
    [
        # Prose a reviewer found taken for code: each as CommonMark (markdown-it-py) reads it.
        ("## Step `review\nThe lead must notify` the panel, then `close`.", []),
        ("> Ask `review\n> then` notify the panel, then `close`.", []),
        ("Call `review\n*\nthen` notify the panel, then `close`.", []),
        ("Call `review and\n2. then` notify the panel, then `close`.", []),
        ("Call `notify\n***\nthen` review `close`.", []),
        ("Intro.\n\n    x = `a\nnotify the panel` then `close`.", []),
        ("```proc\r\nstep review\r\n```\r\nWe notify the panel.\r\n", []),
        # And code in quotes, list items, headings and Windows files is still found.
        ("> `notify` in a quote\n> and `notify`", [(1, 4), (2, 8)]),
        ("- `notify` in a list\n- and `notify`\n2. and `notify`", [(1, 4), (2, 8), (3, 9)]),
        ("# `notify` heading", [(1, 4)]),
        ("```\r\nnext notify\r\n```\r\n", [(2, 6)]),
    ],
)
def test_markdowns_blocks_are_read_before_its_backticks_are_paired(text, places):
    assert _found(text, "notify") == places
