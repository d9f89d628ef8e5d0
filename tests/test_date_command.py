"""`safeproc date`: the answer first, then the weekday and what was skipped; bad input located."""

from __future__ import annotations

import pytest

from conftest import assert_no_internal_error


@pytest.mark.parametrize(
    ("expression", "first_line"),
    [
        ("15 working days after 2022-09-12", "2022-10-04"),
        ("5 working days after 2024-12-20", "2024-12-31"),
        ("7 working days before 2026-04-14", "2026-04-01"),
        ("6 months after 2023-08-31", "2024-02-29"),
        ("1 month after 2023-01-31", "2023-02-28"),
        ("24 hours after 2024-03-01", "2024-03-02T00:00"),
        ("2 weeks before 2024-01-10", "2023-12-27"),
    ],
)
def test_first_line_is_the_iso_answer(cli, expression, first_line):
    """The timescales worked examples and a few more print their ISO answer on the first line."""
    result = cli("date", expression)
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == first_line


def test_skipped_holidays_are_named(cli):
    """Counting over the State Funeral says so by name."""
    result = cli("date", "15 working days after 2022-09-12")
    assert "Tuesday 4 October 2022 is 15 working days after Monday 12 September 2022" in result.out
    assert "Monday 19 September 2022: State Funeral of Queen Elizabeth II" in result.out


def test_weekend_anchor_is_day_zero(cli):
    """A Saturday anchor still counts as day 0, and the output says so."""
    result = cli("date", "2 working days after 2024-03-30")
    assert result.out.splitlines()[0] == "2024-04-03"
    assert "is not a working day; it still counts as day 0" in result.out


def test_calendar_option_changes_the_holidays(cli):
    """2 January is a bank holiday in Scotland but not in England."""
    assert cli("date", "1 working day after 2024-01-01").out.splitlines()[0] == "2024-01-02"
    assert cli("date", "--calendar", "scotland", "1 working day after 2024-01-01").out.splitlines()[0] == "2024-01-03"


@pytest.mark.parametrize(
    ("expression", "code"),
    [
        ("15 working days after 2023-02-30", "P017"),
        ("5 wrking days after 2024-01-01", "P010"),
        ("5 working days after tomorrow", "P320"),
        ("5 working days after 2090-01-01", "P322"),
        ("1 working day", "P018"),
    ],
)
def test_bad_expressions_get_a_located_diagnostic(cli, expression, code):
    """Impossible dates and bad phrases exit 1 with a diagnostic pointing into the expression."""
    result = cli("date", expression)
    assert result.code == 1
    assert f"error[{code}]" in result.err
    assert "--> <expression>:1:" in result.err
    assert_no_internal_error(result)
