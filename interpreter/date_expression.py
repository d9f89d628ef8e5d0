"""Evaluating a deadline typed at `safeproc date`: "15 working days after 2022-09-12"."""

from __future__ import annotations

from datetime import date, datetime

from attrs import frozen

from interpreter import model as m
from interpreter.build import build_date_expression
from interpreter.calendar import CalendarError, UnknownCalendar, WorkingCalendar, get_calendar
from interpreter.diagnostics import Diagnostic, error
from interpreter.source import SourceFile
from interpreter.syntax import parse_source

EXPRESSION_FILE = "<expression>"


@frozen
class DateAnswer:
    result: date | datetime
    direction: str  # "after" or "before"
    duration: m.Duration
    anchor: date
    calendar: WorkingCalendar

    @property
    def skipped(self) -> tuple[tuple[date, str], ...]:
        if self.duration.unit != m.Unit.WORKING_DAYS:
            return ()
        end = self.result.date() if isinstance(self.result, datetime) else self.result
        if self.direction == "after":
            return self.calendar.skipped(self.anchor, end)
        # Counting back, the anchor is day 0 and is not skipped; the result is a working day.
        return tuple(day for day in self.calendar.skipped(end, self.anchor) if day[0] != self.anchor)


def evaluate(text: str, calendar_name: str, today: date) -> tuple[SourceFile, DateAnswer | None, tuple[Diagnostic, ...]]:
    """The date an expression names, or diagnostics located in the expression's text."""
    source = SourceFile(EXPRESSION_FILE, text)
    parsed = parse_source(source, start="date_expression")
    if parsed.diagnostics or not parsed.chunks:
        return source, None, parsed.diagnostics
    (direction, duration, anchor), built = build_date_expression(source, parsed.chunks[0].tree)
    if built:
        return source, None, built
    if duration is None:
        return source, None, ()
    if isinstance(anchor, m.Ref):
        if anchor.name != "today":
            return (
                source,
                None,
                (
                    error(
                        "P320",
                        f"`{anchor.name}` is not a date",
                        anchor.span,
                        label="count from a date",
                        help="write a date such as 2024-03-31, or `today`",
                    ),
                ),
            )
        anchor_date, anchor_span = today, anchor.span
    else:
        anchor_date, anchor_span = anchor
    if anchor_date is None:
        return source, None, ()
    try:
        calendar = get_calendar(calendar_name)
    except UnknownCalendar as exc:
        return source, None, (error("P111", str(exc), None),)
    move = calendar.add if direction == "after" else calendar.subtract
    try:
        result = move(anchor_date, duration.amount, duration.unit)
    except CalendarError as exc:
        return source, None, (error("P322", str(exc), anchor_span, help="safeproc's calendars cover 1995 to 2074"),)
    return source, DateAnswer(result, direction, duration, anchor_date, calendar), ()
