"""Figures over many cases: per step, how many were done on time or late, open or overdue, and how long they took.

Partnerships report these each year. A tally keeps only counts and a histogram of
days taken, so a batch's memory does not grow with the number of cases.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from interpreter import model as m
from interpreter.simulate import StepResult

if TYPE_CHECKING:
    from interpreter.batch_plan import StepOutcome


class StepTally:
    """How the cases that reached one step stand there: done on time or late, open, overdue, or
    lapsed (the case ended, at an outcome that ends the whole case, before the step was done)."""

    __slots__ = ("on_time", "late", "open", "overdue", "lapsed", "days_taken")

    def __init__(self) -> None:
        self.on_time = self.late = self.open = self.overdue = self.lapsed = 0
        self.days_taken: Counter[int] = Counter()

    def add(self, step: StepResult | StepOutcome) -> None:
        """Count a step the case has reached (done, open, overdue or lapsed)."""
        self.add_counted(step.state, step.late, days_taken(step), 1)

    def add_counted(self, state: m.StepState, late: bool, days: int | None, count: int) -> None:
        """Count `count` reached steps alike: the state, whether late, and the days from opening to done (None if not done)."""
        if state == m.StepState.DONE:
            if late:
                self.late += count
            else:
                self.on_time += count
            if days is not None:
                self.days_taken[days] += count
        elif state == m.StepState.OVERDUE:
            self.overdue += count
        elif state == m.StepState.NOT_APPLICABLE:
            self.lapsed += count  # reached, but the whole case ended first
        else:
            self.open += count

    def merge(self, other: StepTally) -> None:
        for counter in ("on_time", "late", "open", "overdue", "lapsed"):
            setattr(self, counter, getattr(self, counter) + getattr(other, counter))
        self.days_taken.update(other.days_taken)

    def median_days(self) -> float | None:
        total = sum(self.days_taken.values())
        if not total:
            return None
        middle = [(total - 1) // 2, total // 2]
        values: list[int] = []
        seen = 0
        for days in sorted(self.days_taken):
            count = self.days_taken[days]
            for position in middle:
                if seen <= position < seen + count:
                    values.append(days)
            seen += count
        return sum(values) / len(values)


def days_taken(step: StepResult | StepOutcome) -> int | None:
    """Days from the day a step could start to the day it was done; None until both are known."""
    return (step.done_on - step.opened_on).days if step.done_on is not None and step.opened_on is not None else None


def tallies_of(counted: Counter[tuple[str, m.StepState, bool, int | None]]) -> dict[str, StepTally]:
    """Tallies from counts of reached steps alike (a batch counts those, one key per kind of ending, then tallies)."""
    tallies: dict[str, StepTally] = {}
    for (name, state, late, days), count in counted.items():
        tally = tallies.get(name)
        if tally is None:
            tally = tallies[name] = StepTally()
        tally.add_counted(state, late, days, count)
    return tallies


def timeliness_rows(tallies: dict[str, StepTally], order: list[str]) -> list[dict[str, Any]]:
    """One row per step that any case reached, in the procedure's own order."""
    rows = []
    for name in order:
        tally = tallies.get(name)
        if tally is None or not (tally.on_time or tally.late or tally.open or tally.overdue or tally.lapsed):
            continue
        rows.append(
            {
                "step": name,
                "on_time": tally.on_time,
                "late": tally.late,
                "open": tally.open,
                "overdue": tally.overdue,
                "lapsed": tally.lapsed,
                "median_days_open_to_done": tally.median_days(),
            }
        )
    return rows
