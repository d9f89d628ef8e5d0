"""Working-day calendars for counting statutory timescales.

A calendar knows the bank holidays of one UK jurisdiction (taken from the
`holidays` package) and any local closure days, for the years FIRST_YEAR to
LAST_YEAR. Everything is precomputed when the calendar is built, so counting
N working days is two array lookups rather than a walk over the days.

Counting rules (see the "Working days" section of the timescales notes): the
trigger date is day 0 whether or not it is a working day, day 1 is the next
working day after it, and the result is the Nth working day. Counting before
an event mirrors this, with the event's date as day 0.
"""

from __future__ import annotations

import functools
import math
from bisect import bisect_right
from calendar import monthrange
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate, compress, islice, repeat
from operator import add, sub
from typing import assert_never, overload

from attrs import field, frozen
from dateutil.relativedelta import relativedelta

from interpreter.calendar_names import CALENDAR_NAMES, DEFAULT_CALENDAR
from interpreter.holiday_tables import weekday_bank_holidays
from interpreter.model import Unit
from interpreter.suggest import edit_distance

FIRST_YEAR = 1995
LAST_YEAR = 2074
UNITS = tuple(Unit)

_SUBDIVISION_CODES = {"england-and-wales": "ENG", "scotland": "SCT", "northern-ireland": "NIR"}
_CLOSURE_NAME = "local closure"
_FIRST_DATE = date(FIRST_YEAR, 1, 1)
_FIRST_ORDINAL = _FIRST_DATE.toordinal()
_LAST_ORDINAL = date(LAST_YEAR, 12, 31).toordinal()
_DAY_COUNT = _LAST_ORDINAL - _FIRST_ORDINAL + 1
_MONTH_COUNT = (LAST_YEAR - FIRST_YEAR + 1) * 12
_YEAR_RANGE = f"{FIRST_YEAR}–{LAST_YEAR}"


class CalendarError(ValueError):
    """A calendar could not answer; the message is written for policy authors."""


class UnknownCalendar(CalendarError):
    """The calendar name is not one of CALENDAR_NAMES."""

    # The message is built in __str__ so that args holds only the name and
    # the exception survives pickling (e.g. across simulation worker processes).
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        message = f"unknown calendar `{self.name}`; the calendars are {', '.join(CALENDAR_NAMES)}"
        suggestion = closest_calendar_name(self.name)
        if suggestion is not None:
            message += f"; did you mean `{suggestion}`?"
        return message


class DateOutsideCalendar(CalendarError):
    """A date, given or computed, falls outside FIRST_YEAR..LAST_YEAR."""

    def __init__(self, subject: str) -> None:
        super().__init__(subject)
        self.subject = subject

    def __str__(self) -> str:
        return f"{self.subject} is outside the years this calendar knows ({_YEAR_RANGE})"


def add_months(d: date, n: int) -> date:
    """Move `d` by `n` calendar months (n may be negative), clamping to the end of a shorter month."""
    return d + relativedelta(months=n)


@functools.lru_cache(maxsize=64)
def get_calendar(name: str = DEFAULT_CALENDAR, closures: tuple[date, ...] = ()) -> WorkingCalendar:
    """Return the calendar `name` with the given local closure days, shared between callers."""
    return _build_calendar(name, _normalise_closures(closures))


@functools.lru_cache(maxsize=64)
def _build_calendar(name: str, closures: tuple[date, ...]) -> WorkingCalendar:
    return WorkingCalendar.build(name, closures)


@frozen(kw_only=True)
class WorkingCalendar:
    """Bank holidays and closure days of one jurisdiction, indexed for fast counting.

    Build through get_calendar so that equal calendars are shared. Its value is
    its name and closures; the indexes are derived from them.
    """

    name: str
    closures: tuple[date, ...]
    # One flag per day from FIRST_YEAR-01-01, then the working days as ordinals,
    # and for each day the number of working days up to and including it: the
    # Nth working day after day i is then _working_ordinals[count_through[i] + N - 1].
    _working: bytes = field(eq=False, repr=False)
    _working_ordinals: tuple[int, ...] = field(eq=False, repr=False)
    _working_count_through: tuple[int, ...] = field(eq=False, repr=False)
    _days_off_ordinals: tuple[int, ...] = field(eq=False, repr=False)
    _days_off_names: tuple[str, ...] = field(eq=False, repr=False)
    # Memoised span_range answers: derived data, not part of the calendar's value.
    _span_cache: dict[tuple[int, Unit], tuple[int, int, date, date]] = field(factory=dict, eq=False, repr=False)

    @classmethod
    def build(cls, name: str = DEFAULT_CALENDAR, closures: tuple[date, ...] = ()) -> WorkingCalendar:
        if name not in _SUBDIVISION_CODES:
            raise UnknownCalendar(name)
        closures = _normalise_closures(closures)
        days_off = dict(_weekday_bank_holidays(name))
        for closure in closures:
            if closure.weekday() < 5:
                days_off.setdefault(closure.toordinal(), _CLOSURE_NAME)
        working = bytearray(_weekday_flags())
        for ordinal in days_off:
            working[ordinal - _FIRST_ORDINAL] = 0
        sorted_days_off = sorted(days_off.items())
        return cls(
            name=name,
            closures=closures,
            working=bytes(working),
            working_ordinals=tuple(compress(range(_FIRST_ORDINAL, _LAST_ORDINAL + 1), working)),
            working_count_through=tuple(accumulate(working)),
            days_off_ordinals=tuple(ordinal for ordinal, _ in sorted_days_off),
            days_off_names=tuple(day_name for _, day_name in sorted_days_off),
        )

    def is_working_day(self, d: date) -> bool:
        """True if `d` is Monday to Friday and neither a bank holiday nor a closure day."""
        return self._working[_day_index(d)] == 1

    @overload
    def add(self, moment: datetime, amount: int, unit: Unit) -> datetime: ...
    @overload
    def add(self, moment: date, amount: int, unit: Unit) -> date | datetime: ...
    def add(self, moment: date, amount: int, unit: Unit) -> date | datetime:
        """The moment `amount` `unit`s after `moment` (a date gives a date, except for hours)."""
        return self._move(moment, amount, unit, forward=True)

    @overload
    def subtract(self, moment: datetime, amount: int, unit: Unit) -> datetime: ...
    @overload
    def subtract(self, moment: date, amount: int, unit: Unit) -> date | datetime: ...
    def subtract(self, moment: date, amount: int, unit: Unit) -> date | datetime:
        """The moment `amount` `unit`s before `moment`."""
        return self._move(moment, amount, unit, forward=False)

    def working_days_from(self, start: date, amount: int, forward: bool = True) -> date | None:
        """The day `amount` (one or more) working days after the day `start` (before it, if not forward);
        None where either day is outside the calendar's years.

        What `add` and `subtract` give for a date and working days, less the checks of what they
        are given: a batch asks this of thousands of dates it has read itself.
        """
        index = start.toordinal() - _FIRST_ORDINAL
        if not 0 <= index < _DAY_COUNT:
            return None
        ordinal = self._working_day_ordinal(index, amount, forward)
        return None if ordinal is None else date.fromordinal(ordinal)

    def skipped(self, start: date, end: date) -> tuple[tuple[date, str], ...]:
        """Weekday holidays and closures after `start`, up to and including `end`, with their names."""
        start_index, end_index = _day_index(start), _day_index(end)
        if start_index > end_index:
            start_index, end_index = end_index, start_index
        first = bisect_right(self._days_off_ordinals, _FIRST_ORDINAL + start_index)
        last = bisect_right(self._days_off_ordinals, _FIRST_ORDINAL + end_index)
        return tuple((date.fromordinal(self._days_off_ordinals[i]), self._days_off_names[i]) for i in range(first, last))

    def span_range(self, amount: int, unit: Unit) -> tuple[int, int, date, date]:
        """Least and greatest calendar days that `amount` `unit` can span, with the earliest start giving each.

        Only start dates whose result also falls inside the calendar's years count.
        """
        _check_amount(amount, unit)
        key = (amount, unit)
        if key not in self._span_cache:
            if unit == Unit.WORKING_DAYS:
                self._span_cache[key] = self._working_day_span_range(amount)
            else:
                self._span_cache[key] = _fixed_span_range(amount, unit)
        return self._span_cache[key]

    def _move(self, moment: date, amount: int, unit: Unit, forward: bool) -> date | datetime:
        _check_amount(amount, unit)
        anchor_index = _day_index(moment)
        sign = 1 if forward else -1
        match unit:
            case Unit.WORKING_DAYS:
                if amount == 0:
                    return moment
                result_ordinal = self._working_day_ordinal(anchor_index, amount, forward)
                if result_ordinal is None:
                    raise DateOutsideCalendar(_describe_move(moment, amount, unit, forward))
                result = date.fromordinal(result_ordinal)
                if isinstance(moment, datetime):
                    return moment.replace(year=result.year, month=result.month, day=result.day)
                return result
            case Unit.DAYS | Unit.WEEKS:
                days = amount * 7 if unit == Unit.WEEKS else amount
                if not 0 <= anchor_index + sign * days < _DAY_COUNT:
                    raise DateOutsideCalendar(_describe_move(moment, amount, unit, forward))
                return moment + timedelta(days=sign * days)
            case Unit.MONTHS | Unit.YEARS:
                months = amount * 12 if unit == Unit.YEARS else amount
                month_index = (moment.year - FIRST_YEAR) * 12 + moment.month - 1 + sign * months
                if not 0 <= month_index < _MONTH_COUNT:
                    raise DateOutsideCalendar(_describe_move(moment, amount, unit, forward))
                return add_months(moment, sign * months)
            case Unit.HOURS:
                return _add_hours(moment, amount, forward)
            case _:
                assert_never(unit)

    def _working_day_ordinal(self, anchor_index: int, amount: int, forward: bool) -> int | None:
        """Ordinal of the `amount`th working day after (or before) the anchor, or None past the calendar's end."""
        working_through_anchor = self._working_count_through[anchor_index]
        if forward:
            position = working_through_anchor + amount - 1
            if position >= len(self._working_ordinals):
                return None
        else:
            working_before_anchor = working_through_anchor - self._working[anchor_index]
            position = working_before_anchor - amount
            if position < 0:
                return None
        return self._working_ordinals[position]

    def _working_day_span_range(self, amount: int) -> tuple[int, int, date, date]:
        if amount == 0:
            return _constant_span(0)
        count_through = self._working_count_through
        ordinals = self._working_ordinals
        # count_through never decreases, so the starts whose result is still inside
        # the calendar are exactly the first `valid_starts` days.
        valid_starts = bisect_right(count_through, len(ordinals) - amount)
        if valid_starts == 0:
            raise DateOutsideCalendar(f"every date {amount} working days after a start date")
        # For each start i: the ordinal `amount` working days on, less i's own; as loops in C,
        # since check works this out for every working-day deadline of a procedure.
        results = map(ordinals.__getitem__, map(add, islice(count_through, valid_starts), repeat(amount - 1)))
        spans = list(map(sub, results, range(_FIRST_ORDINAL, _FIRST_ORDINAL + valid_starts)))
        return _span_summary(spans)


def _add_hours(moment: date, amount: int, forward: bool) -> datetime:
    """Hours are elapsed time and ignore weekends and holidays."""
    sign = 1 if forward else -1
    # Reject counts longer than the calendar before timedelta can overflow on them.
    if amount // 24 >= _DAY_COUNT:
        raise DateOutsideCalendar(_describe_move(moment, amount, Unit.HOURS, forward))
    start = moment if isinstance(moment, datetime) else datetime(moment.year, moment.month, moment.day)
    elapsed = timedelta(hours=sign * amount)
    if start.tzinfo is None:
        result = start + elapsed
    else:
        # Aware arithmetic in Python is wall-clock; go through UTC so a
        # daylight-saving change does not add or remove an hour.
        result = (start.astimezone(UTC) + elapsed).astimezone(start.tzinfo)
    if not _FIRST_ORDINAL <= result.toordinal() <= _LAST_ORDINAL:
        raise DateOutsideCalendar(_describe_move(moment, amount, Unit.HOURS, forward))
    return result


def _fixed_span_range(amount: int, unit: Unit) -> tuple[int, int, date, date]:
    """Span range for the units whose spans do not depend on holidays, shared by every calendar."""
    match unit:
        case Unit.DAYS | Unit.WEEKS:
            days = amount * 7 if unit == Unit.WEEKS else amount
            if days >= _DAY_COUNT:
                raise DateOutsideCalendar(f"every date {amount} {unit} after a start date")
            return _constant_span(days)
        case Unit.HOURS:
            least, greatest = amount // 24, math.ceil(amount / 24)
            if greatest >= _DAY_COUNT:
                raise DateOutsideCalendar(f"every date {amount} hours after a start date")
            return least, greatest, _FIRST_DATE, _FIRST_DATE
        case Unit.MONTHS | Unit.YEARS:
            return _month_span_range(amount * 12 if unit == Unit.YEARS else amount)
        case Unit.WORKING_DAYS:
            raise ValueError("working days depend on the calendar's holidays")
        case _:
            assert_never(unit)


@functools.lru_cache(maxsize=256)
def _month_span_range(months: int) -> tuple[int, int, date, date]:
    """The least and greatest days that `months` months span, and the earliest start giving each.

    Worked out a month at a time, not a day at a time: from day k of month m the
    span is the days from m's start to m+months's start, less the days lost where
    m+months is too short for day k (31 January plus one month is 28 February). So
    within a month the greatest span is from its first day, and the least from its
    last day when the later month is shorter, else from its first day too.
    """
    if months >= _MONTH_COUNT:
        # Said in years where it was written in years (as nearly every span this long is).
        length = f"{months // 12} years" if months % 12 == 0 else f"{months} months"
        raise DateOutsideCalendar(f"every date {length} after a start date")
    month_starts, month_lengths = _month_tables()
    least = greatest = None
    least_start = greatest_start = 0
    for month in range(_MONTH_COUNT - months):
        whole = month_starts[month + months] - month_starts[month]
        shortfall = min(0, month_lengths[month + months] - month_lengths[month])
        if greatest is None or whole > greatest:
            greatest, greatest_start = whole, month_starts[month]
        if least is None or whole + shortfall < least:
            least = whole + shortfall
            least_start = month_starts[month] + (month_lengths[month] - 1 if shortfall else 0)
    assert least is not None and greatest is not None  # months < _MONTH_COUNT: at least one month starts
    return least, greatest, date.fromordinal(least_start), date.fromordinal(greatest_start)


@functools.cache
def _month_tables() -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Month start ordinals (plus a sentinel start after the last month) and month lengths."""
    month_lengths = tuple(monthrange(FIRST_YEAR + month_index // 12, month_index % 12 + 1)[1] for month_index in range(_MONTH_COUNT))
    month_starts = tuple(accumulate(month_lengths, initial=_FIRST_ORDINAL))
    return month_starts, month_lengths


def _span_summary(spans: list[int]) -> tuple[int, int, date, date]:
    least, greatest = min(spans), max(spans)
    return (
        least,
        greatest,
        date.fromordinal(_FIRST_ORDINAL + spans.index(least)),
        date.fromordinal(_FIRST_ORDINAL + spans.index(greatest)),
    )


def _constant_span(days: int) -> tuple[int, int, date, date]:
    """Every start date spans `days`, so the first date of the calendar is the earliest example of both."""
    return days, days, _FIRST_DATE, _FIRST_DATE


@functools.cache
def _weekday_bank_holidays(name: str) -> tuple[tuple[int, str], ...]:
    """(ordinal, name) of each bank holiday on a weekday; weekend-dated ones are covered by their substitutes."""
    return weekday_bank_holidays(_SUBDIVISION_CODES[name], FIRST_YEAR, LAST_YEAR)


@functools.cache
def _weekday_flags() -> bytes:
    """1 for each Monday to Friday from FIRST_YEAR-01-01 to LAST_YEAR-12-31, else 0."""
    first_weekday = _FIRST_DATE.weekday()
    week = bytes(1 if (first_weekday + offset) % 7 < 5 else 0 for offset in range(7))
    return (week * (_DAY_COUNT // 7 + 1))[:_DAY_COUNT]


def _normalise_closures(closures: tuple[date, ...]) -> tuple[date, ...]:
    days = set()
    for closure in closures:
        if not isinstance(closure, date):
            raise TypeError(f"a closure day must be a date, not {closure!r}")
        day = closure.date() if isinstance(closure, datetime) else closure
        if not _FIRST_ORDINAL <= day.toordinal() <= _LAST_ORDINAL:
            raise DateOutsideCalendar(f"the closure day {day.isoformat()}")
        days.add(day)
    return tuple(sorted(days))


def _day_index(moment: date) -> int:
    """Position of the moment's date from FIRST_YEAR-01-01, raising if the calendar does not cover it."""
    if not isinstance(moment, date):
        raise TypeError(f"expected a date or datetime, not {moment!r}")
    index = moment.toordinal() - _FIRST_ORDINAL
    if not 0 <= index < _DAY_COUNT:
        raise DateOutsideCalendar(_describe_moment(moment))
    return index


def _check_amount(amount: int, unit: Unit) -> None:
    if unit not in UNITS:
        raise CalendarError(f"unknown unit `{unit}`; the units are {', '.join(UNITS)}")
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError(f"the number of {_unit_words(unit)} must be a whole number, not {amount!r}")
    if amount < 0:
        raise CalendarError(f"the number of {_unit_words(unit)} cannot be negative (it was {amount})")


def _describe_moment(moment: date) -> str:
    if isinstance(moment, datetime):
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.isoformat()


def _describe_move(moment: date, amount: int, unit: Unit, forward: bool) -> str:
    unit_words = _unit_words(unit)
    if amount == 1:
        unit_words = unit_words.removesuffix("s")
    return f"the date {amount} {unit_words} {'after' if forward else 'before'} {_describe_moment(moment)}"


def _unit_words(unit: Unit) -> str:
    return unit.replace("_", " ")


def closest_calendar_name(name: str) -> str | None:
    """The calendar whose name, or a run of words in it, is nearest to `name` by edit distance.

    Comparing against runs of words as well as whole names means `england`
    suggests england-and-wales rather than the fewer-edits-away `scotland`.
    Returns None when nothing is close enough to be a plausible typo.
    """
    wanted = "-".join(name.lower().replace("_", " ").replace("-", " ").split())
    if not wanted:
        return None
    best: tuple[int, int, str] | None = None
    for calendar_name in CALENDAR_NAMES:
        words = calendar_name.split("-")
        runs = ["-".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)]
        distance, run = min((_distance(wanted, run), run) for run in runs)
        if distance > len(run) // 2:
            continue
        candidate = (distance, _distance(wanted, calendar_name), calendar_name)
        if best is None or candidate < best:
            best = candidate
    return best[2] if best else None


def _distance(a: str, b: str) -> int:
    return edit_distance(a, b, limit=len(a) + len(b))
