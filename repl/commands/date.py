"""`safeproc date EXPRESSION`: when is "15 working days after 2022-09-12"?"""

from __future__ import annotations

import argparse
from datetime import date, datetime

from interpreter.calendar_names import CALENDAR_NAMES, DEFAULT_CALENDAR
from repl.commands import EXIT_OK, EXIT_PROBLEMS, Command, Console


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "expression",
        nargs="+",
        metavar="EXPRESSION",
        help='a length of time and a date, as in a procedure: "15 working days after 2022-09-12", '
        '"7 working days before 2026-04-14", "6 months after today"',
    )
    parser.add_argument(
        "--calendar",
        choices=CALENDAR_NAMES,
        default=DEFAULT_CALENDAR,
        help=f"whose bank holidays count (default: {DEFAULT_CALENDAR})",
    )


def _run(args: argparse.Namespace, console: Console) -> int:
    from interpreter import model as m
    from interpreter.date_expression import evaluate
    from repl.diagnostic_output import print_diagnostics

    text = " ".join(args.expression)
    source, answer, diagnostics = evaluate(text, args.calendar, date.today())
    if answer is None:
        print_diagnostics(console, diagnostics, {source.name: source})
        return EXIT_PROBLEMS
    result = answer.result
    console.print(result.isoformat(timespec="minutes") if isinstance(result, datetime) else result.isoformat())
    console.print(f"{_long(result)} is {answer.duration} {answer.direction} {_long(answer.anchor)} ({answer.calendar.name} calendar).")
    if answer.duration.unit == m.Unit.WORKING_DAYS and not answer.calendar.is_working_day(answer.anchor):
        console.print(f"{_long(answer.anchor)} is not a working day; it still counts as day 0.")
    skipped = answer.skipped
    if skipped:
        noun = "bank holiday" if all(name != "local closure" for _, name in skipped) else "day off"
        console.print(f"It skips {len(skipped)} {noun}{'s' if len(skipped) != 1 else ''}:")
        for day, name in skipped:
            console.print(f"  {_long(day)}: {name}")
    elif answer.duration.unit == m.Unit.WORKING_DAYS:
        console.print("No bank holidays fall in between.")
    return EXIT_OK


def _long(moment: date) -> str:
    text = f"{moment:%A} {moment.day} {moment:%B %Y}"
    if isinstance(moment, datetime):
        text += f" at {moment:%H:%M}"
    return text


COMMAND = Command(
    "date",
    "work out a deadline's date",
    "Work out the date a deadline names, counting working days with the bank holidays of "
    "the calendar (the start date is day 0; day 1 is the next working day). Prints the date "
    "first, then the weekday and the holidays it skipped.",
    _configure,
    _run,
)
