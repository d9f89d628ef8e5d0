"""A simulated case as a picture: a Gantt-like SVG of its steps against the calendar.

One row per step the case reached (and per decision with a deadline). Each row shows:
- the step's window, from the day its clock started (what its first deadline counts
  from, else the day the step opened) to its due date, as a pale blue bar;
- the day it was done, as a dot: green when on time, red when late;
- lateness, as a red bar from the due date to the day it was done (or to the day the
  case is seen from, while it is overdue);
- each escalation, as a red triangle on its day;
- the earliest day a lower bound (`at least ... after`) allows the step done, as a
  bracket opening on that day, and a step done before it as a red ring.
Weekends are shaded grey and bank holidays (and closures) darker, each with its name
on hover; a dashed line marks the day the case is seen from.

The SVG is made here as text, without Graphviz, and is deterministic: the same case
gives the same bytes. Every text is XML-escaped, so no title can break it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from xml.sax.saxutils import escape

from attrs import frozen

from interpreter import model as m
from interpreter.calendar import FIRST_YEAR, LAST_YEAR, WorkingCalendar
from interpreter.scenario import LoadedCase
from interpreter.simulate import CaseResult, DeadlineResult, StepResult
from visualise.style import DEADLINE_INK, DETAIL_INK, ESCALATION_INK, HANDOVER_INK, INK, LANE_BORDER
from visualise.wording import visible

FONT = "Helvetica, Arial, sans-serif"
LABEL_WIDTH = 360
ROW_HEIGHT = 22
HEADER_HEIGHT = 84
LEGEND_HEIGHT = 56
MARGIN = 16
# The chart aims at this many pixels for the case's whole span, within these bounds a day.
TARGET_WIDTH = 960
DAY_PIXELS = (3.0, 28.0)
TITLE_CHARACTERS = 52
SHOWN_FROM, SHOWN_TO = date(FIRST_YEAR, 1, 2), date(LAST_YEAR, 12, 29)
# Room for a key item's mark and gap, where its words start, and the room for each character of them (10 pt).
LEGEND_ITEM_ROOM = 40
LEGEND_WORDS_AFTER = 30
LEGEND_CHARACTER_WIDTH = 5.6
# How far past everything else an earliest day is still drawn in its place.
NEAR_ENOUGH_TO_DRAW = timedelta(days=90)
ROOM_BEFORE_THE_EDGE = timedelta(days=7)
AS_OF_ROOM = 48

WEEKEND_FILL = "#eef1f4"
HOLIDAY_FILL = "#c5cdd6"
WINDOW_FILL = "#d6e4f5"
LATE_INK = ESCALATION_INK
ON_TIME_INK = HANDOVER_INK
OPEN_INK = "#7b8794"


# Where a day begins across the picture, in pixels.
DayPosition = Callable[[date], float]


@frozen
class TimelineRow:
    name: str
    title: str
    owner: str | None
    clock_start: date | None
    due: date | None
    done_on: date | None
    late: bool
    overdue: bool
    deadlines: tuple[str, ...]
    escalations: tuple[tuple[date, str], ...]
    opened_on: date | None = None
    not_before: date | None = None  # the earliest day its lower bounds allow it done
    too_soon: bool = False  # recorded as done before that day


def timeline_rows(
    result: CaseResult, happenings: dict[str, date], plan_nodes: dict[str, m.FlowNode], role_titles: dict[str, str]
) -> list[TimelineRow]:
    """The rows to draw, in the order the case reached them (then file order)."""
    happened = dict(happenings)
    happened.update((step.step, step.done_on) for step in result.steps if step.done_on is not None)
    happened.update((decision.decision, decision.decided_on) for decision in result.decisions if decision.decided_on is not None)
    rows = []
    for step in result.steps:
        if not _drawn(step):
            continue
        node = plan_nodes.get(step.step)
        clock = _clock_start(node, happened) or step.opened_on
        escalations = tuple(
            (e.on, f"escalated to {role_titles.get(e.to, e.to)}: {e.reason}") for e in result.escalations if e.step == step.step
        )
        rows.append(
            TimelineRow(
                name=step.step,
                title=step.title,
                owner=role_titles.get(step.owner, step.owner) if step.owner else None,
                clock_start=clock,
                due=step.due,
                done_on=step.done_on,
                late=step.late,
                overdue=step.state == m.StepState.OVERDUE,
                deadlines=tuple(_deadline_words(deadline) for deadline in step.deadlines),
                escalations=escalations,
                opened_on=step.opened_on,
                not_before=step.not_before,
                too_soon=step.too_soon,
            )
        )
    order = {row.name: index for index, row in enumerate(rows)}
    return sorted(rows, key=lambda row: (_first_day(row) or date.max, order[row.name]))


def _deadline_words(deadline: DeadlineResult) -> str:
    if deadline.due is not None:
        return f"{deadline.text}: due {deadline.due.isoformat()}"
    if deadline.not_before is not None:
        return f"{deadline.text}: not before {deadline.not_before.isoformat()}"
    return deadline.text


def _drawn(step: StepResult) -> bool:
    """A step the case reached, or one still waiting whose clock has started (what is coming up)."""
    if step.state == m.StepState.NOT_APPLICABLE or (step.state == m.StepState.WAITING and step.due is None):
        return False
    return step.kind == m.NodeKind.STEP or bool(step.deadlines)


def _clock_start(node: m.FlowNode | None, happened: dict[str, date]) -> date | None:
    """The day the step's first deadline counting forward from something started counting."""
    for deadline in m.deadlines_of(node) if node is not None else ():
        if deadline.kind in (m.DeadlineKind.WITHIN, m.DeadlineKind.NOT_BEFORE) and deadline.anchor.name in happened:
            return happened[deadline.anchor.name]
    return None


def _first_day(row: TimelineRow) -> date | None:
    days = [day for day in (row.clock_start, row.done_on, row.due) if day is not None]
    return min(days) if days else None


def timeline_svg(
    title: str,
    subtitle: str,
    rows: Sequence[TimelineRow],
    events: Sequence[tuple[date, str]],
    as_of: date,
    calendar: WorkingCalendar,
) -> str:
    """The case's timeline as an SVG document."""
    days = [day for row in rows for day in (row.clock_start, row.due, row.done_on) if day is not None]
    days += [day for day, _ in events] + [as_of] + [day for row in rows for day, _ in row.escalations]
    # An earliest day soon after the rest is drawn in its place; one far ahead would stretch
    # the picture over empty months, so it is drawn at the picture's edge, with its date.
    # (A week more gives its date room to be read before the edge.)
    latest = min(max(days), SHOWN_TO)  # (a mistyped year far ahead is drawn at the edge anyway)
    near = latest + NEAR_ENOUGH_TO_DRAW
    earliest_days = [row.not_before for row in rows if row.not_before is not None]
    if any(day > near for day in earliest_days):
        days.append(latest + ROOM_BEFORE_THE_EDGE)
    days += [day for day in earliest_days if day <= near]
    # The picture covers the calendar's years at most: a date far outside them (a mistyped
    # year) is drawn at the edge, not a picture centuries wide.
    first = max(min(days), SHOWN_FROM) - timedelta(days=1)
    last = min(max(days), SHOWN_TO) + timedelta(days=2)
    span = (last - first).days
    day_width = min(max(TARGET_WIDTH / span, DAY_PIXELS[0]), DAY_PIXELS[1])
    chart_left = MARGIN + LABEL_WIDTH
    # Room on the right for the "as of" words, centred under the last days.
    legend = _legend_items(any(row.not_before is not None for row in rows))
    width = round(max(chart_left + span * day_width + AS_OF_ROOM, MARGIN + _legend_width(legend)) + MARGIN)
    rows_top = MARGIN + HEADER_HEIGHT + (ROW_HEIGHT if events else 0)
    height = round(rows_top + len(rows) * ROW_HEIGHT + LEGEND_HEIGHT + MARGIN)

    # The grid runs to the picture's right edge, which the key may push past the last day.
    shown_until = first + timedelta(days=int((width - MARGIN - chart_left) / day_width))

    def x(day: date) -> float:
        return round(chart_left + (min(max(day, first), shown_until) - first).days * day_width, 1)

    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="timeline-title timeline-description" font-family="{FONT}" font-size="11" fill="{INK}">',
        f'<title id="timeline-title">{_text(title)}</title>',
        f'<desc id="timeline-description">{_text(_description(rows, as_of))}</desc>',
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="{MARGIN}" y="{MARGIN + 14}" font-size="16" font-weight="bold">{_text(title)}</text>',
        f'<text x="{MARGIN}" y="{MARGIN + 32}" fill="{DETAIL_INK}">{_text(subtitle)}</text>',
    ]
    chart_top = MARGIN + HEADER_HEIGHT - 26
    chart_bottom = rows_top + len(rows) * ROW_HEIGHT
    parts.extend(_days_off(first, shown_until, calendar, x, day_width, chart_top, chart_bottom))
    parts.extend(_scale(first, shown_until, x, chart_top))
    if events:
        said = (
            _shortened(f"{events[0][1]}, {events[0][0].isoformat()}")
            if len(events) == 1
            else f"{len(events)} things that happened outside the procedure"
        )
        parts.append(f'<text x="{MARGIN}" y="{rows_top - 7}" font-style="italic">{_text(said)}</text>')
        for day, name in events:
            parts.append(
                f"<g><title>{_text(f'{day.isoformat()}: {name}')}</title>"
                f'<path d="M{x(day) + day_width / 2} {rows_top - 18} l5 6 l-5 6 l-5 -6 z" fill="{INK}"/></g>'
            )
    for index, row in enumerate(rows):
        parts.extend(_row(row, rows_top + index * ROW_HEIGHT, x, day_width, as_of, last, chart_left, width))
    as_of_x = x(as_of) + day_width / 2
    parts.append(
        f'<line x1="{as_of_x}" y1="{chart_top}" x2="{as_of_x}" y2="{chart_bottom}" stroke="{INK}" stroke-dasharray="4 3"/>'
        f'<text x="{as_of_x}" y="{chart_bottom + 13}" font-size="10" text-anchor="middle">as of {as_of.isoformat()}</text>'
    )
    parts.extend(_legend(legend, chart_bottom + 34))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _text(words: str) -> str:
    """Words for the SVG: control characters (which XML cannot hold) shown as �, markup escaped."""
    return escape(visible(words, limit=10_000))


def _description(rows: Sequence[TimelineRow], as_of: date) -> str:
    late = sum(1 for row in rows if row.late)
    overdue = sum(1 for row in rows if row.overdue)
    done = sum(1 for row in rows if row.done_on is not None)
    too_soon = sum(1 for row in rows if row.too_soon)
    return (
        f"A timeline of {len(rows)} steps as of {as_of.isoformat()}: {done} done, {late} late, {overdue} overdue"
        + (f", {too_soon} too soon" if too_soon else "")
        + "; weekends and bank holidays are shaded."
    )


def _days_off(
    first: date, last: date, calendar: WorkingCalendar, x: DayPosition, day_width: float, top: float, bottom: float
) -> Iterable[str]:
    # The calendar knows the bank holidays of its years only; beyond them, weekends alone are shaded.
    known_from, known_to = max(first, date(FIRST_YEAR, 1, 2)), min(last, date(LAST_YEAR, 12, 31))
    holidays = dict(calendar.skipped(known_from - timedelta(days=1), known_to)) if known_from <= known_to else {}
    day = first
    while day < last:
        if day in holidays:
            yield (
                f'<rect x="{x(day)}" y="{top}" width="{day_width:.1f}" height="{bottom - top}" fill="{HOLIDAY_FILL}">'
                f"<title>{_text(f'{day.isoformat()}: {holidays[day]}')}</title></rect>"
            )
        elif day.weekday() >= 5:
            yield f'<rect x="{x(day)}" y="{top}" width="{day_width:.1f}" height="{bottom - top}" fill="{WEEKEND_FILL}"/>'
        day += timedelta(days=1)


def _scale(first: date, last: date, x: DayPosition, top: float) -> Iterable[str]:
    """Month names above, and Mondays' dates below them (every other Monday when days are narrow).

    A month's name is shortened when its month is narrow, and left out where it would
    run into the previous one or off the picture's edge.
    """
    day_width = x(first + timedelta(days=1)) - x(first)
    month_format, label_width = ("%B %Y", 100) if day_width * 30 >= 110 else ("%b %Y", 60)
    monday_step = 1 if day_width * 7 >= 18 else 2
    named_until = -1e9
    mondays = 0
    day = first
    while day < last:
        if day.day == 1 or (day == first and (day + timedelta(days=7)).month == day.month):
            yield f'<line x1="{x(day)}" y1="{top - 38}" x2="{x(day)}" y2="{top}" stroke="{LANE_BORDER}"/>'
            if x(day) >= named_until and x(day) + label_width <= x(last):
                yield f'<text x="{round(x(day) + 2, 1)}" y="{top - 26}" font-weight="bold">{day.strftime(month_format)}</text>'
                named_until = x(day) + label_width
        if day.weekday() == 0:
            if mondays % monday_step == 0:
                yield f'<text x="{round(x(day) + 1, 1)}" y="{top - 8}" font-size="9" fill="{DETAIL_INK}">{day.day}</text>'
            mondays += 1
        day += timedelta(days=1)


def _row(
    row: TimelineRow, top: float, x: DayPosition, day_width: float, as_of: date, last: date, chart_left: float, width: int
) -> Iterable[str]:
    middle = top + ROW_HEIGHT / 2
    label = _shortened(row.title)
    hover = "\n".join([f"{row.name}: {row.title}", *([f"by {row.owner}"] if row.owner else []), *row.deadlines, *_done_words(row)])
    yield f"<g><title>{_text(hover)}</title>"
    yield f'<line x1="{MARGIN}" y1="{top + ROW_HEIGHT}" x2="{width - MARGIN}" y2="{top + ROW_HEIGHT}" stroke="#e5e8eb"/>'
    yield f'<text x="{MARGIN}" y="{middle + 4}">{_text(label)}</text>'
    # How long the step was open: from the day it opened to the day it was done (or to now, while open).
    open_until = row.done_on or as_of
    if row.opened_on is not None and open_until > row.opened_on:
        yield f'<line x1="{x(row.opened_on) + day_width / 2}" y1="{middle}" x2="{x(open_until) + day_width / 2}" y2="{middle}" stroke="{OPEN_INK}" stroke-width="2"/>'
    if row.clock_start is not None and row.due is not None and row.due >= row.clock_start:
        left, right = x(row.clock_start), x(row.due) + day_width
        yield f'<rect x="{left}" y="{middle - 5}" width="{round(right - left, 1)}" height="10" rx="2" fill="{WINDOW_FILL}" stroke="{DEADLINE_INK}" stroke-width="0.6"/>'
    if row.due is not None:
        yield f'<line x1="{x(row.due) + day_width}" y1="{middle - 8}" x2="{x(row.due) + day_width}" y2="{middle + 8}" stroke="{DEADLINE_INK}" stroke-width="2"/>'
    late_until = (row.done_on if row.late else None) if row.done_on is not None else (as_of if row.overdue else None)
    if row.due is not None and late_until is not None and late_until > row.due:
        left, right = x(row.due) + day_width, x(late_until) + day_width / 2
        yield f'<rect x="{left}" y="{middle - 3}" width="{round(right - left, 1)}" height="6" fill="{LATE_INK}"/>'
    if row.not_before is not None:  # a bracket opening on the earliest day
        left = x(row.not_before)
        yield f'<path d="M{round(left + 4, 1)} {middle - 8} h-4 v16 h4" fill="none" stroke="{DEADLINE_INK}" stroke-width="2"/>'
        if row.not_before >= last:  # beyond the picture: at its edge, with the day above the row's line
            words = f"not before {row.not_before.isoformat()}"
            # Kept clear of the step names' column: its words are 9 pt, the key's 10.
            words_end = max(left - 4, chart_left + len(words) * LEGEND_CHARACTER_WIDTH * 9 / 10)
            yield (
                f'<text x="{round(words_end, 1)}" y="{middle - 2}" font-size="9" text-anchor="end" '
                f'fill="{DEADLINE_INK}" stroke="white" stroke-width="3" paint-order="stroke">{_text(words)}</text>'
            )
    if row.done_on is not None:
        centre = x(row.done_on) + day_width / 2
        if row.too_soon:  # a ring, not only a colour, tells too soon from on time
            yield f'<circle cx="{centre}" cy="{middle}" r="4" fill="white" stroke="{LATE_INK}" stroke-width="2.5"/>'
        elif row.late:  # a square, not only a colour, tells late from on time
            yield f'<rect x="{centre - 4.5}" y="{middle - 4.5}" width="9" height="9" fill="{LATE_INK}" stroke="white"/>'
        else:
            colour = ON_TIME_INK if row.due is not None else INK
            yield f'<circle cx="{centre}" cy="{middle}" r="4.5" fill="{colour}" stroke="white"/>'
    for day, _ in row.escalations:
        yield f'<path d="M{x(day) + day_width / 2} {middle - 9} l5 8 l-10 0 z" fill="{LATE_INK}"/>'
    yield "</g>"


def _shortened(text: str) -> str:
    """Text cut to fit the label column, ending in "…" when cut (the whole of it is in the hover text)."""
    return text if len(text) <= TITLE_CHARACTERS else text[: TITLE_CHARACTERS - 1] + "…"


def _done_words(row: TimelineRow) -> list[str]:
    breaches = [word for word, broken in (("late", row.late), ("too soon", row.too_soon)) if broken]
    words = [f"done {row.done_on.isoformat()}" + (f" ({' and '.join(breaches)})" if breaches else "")] if row.done_on else []
    if row.overdue:
        words.append("overdue")
    words.extend(f"{day.isoformat()}: {what}" for day, what in row.escalations)
    return words


def _legend_items(lower_bounds: bool) -> tuple[tuple[str, str], ...]:
    """Each mark of the key with its words; those for lower bounds only when the case has one."""
    items: tuple[tuple[str, str], ...] = (
        (f'<line x1="0" y1="0" x2="24" y2="0" stroke="{OPEN_INK}" stroke-width="2"/>', "open"),
        (
            f'<rect x="0" y="-5" width="24" height="10" rx="2" fill="{WINDOW_FILL}" stroke="{DEADLINE_INK}" stroke-width="0.6"/>',
            "from its clock start to its due date",
        ),
        (f'<line x1="12" y1="-8" x2="12" y2="8" stroke="{DEADLINE_INK}" stroke-width="2"/>', "due"),
        (f'<circle cx="12" cy="0" r="4.5" fill="{ON_TIME_INK}"/>', "done on time"),
        (f'<rect x="7.5" y="-4.5" width="9" height="9" fill="{LATE_INK}"/>', "done late"),
        (f'<circle cx="12" cy="0" r="4.5" fill="{INK}"/>', "done (no deadline)"),
        (f'<rect x="0" y="-3" width="24" height="6" fill="{LATE_INK}"/>', "late"),
        (f'<path d="M12 -8 l5 8 l-10 0 z" fill="{LATE_INK}"/>', "escalated"),
        (
            f'<rect x="4" y="-7" width="8" height="14" fill="{WEEKEND_FILL}"/><rect x="12" y="-7" width="8" height="14" fill="{HOLIDAY_FILL}"/>',
            "weekend, bank holiday",
        ),
    )
    if lower_bounds:
        items += (
            (f'<path d="M14 -8 h-4 v16 h4" fill="none" stroke="{DEADLINE_INK}" stroke-width="2"/>', "not before"),
            (f'<circle cx="12" cy="0" r="4" fill="white" stroke="{LATE_INK}" stroke-width="2.5"/>', "done too soon"),
        )
    return items


def _legend_width(items: Sequence[tuple[str, str]]) -> float:
    """From the key's left edge to the end of its last words."""
    return sum(LEGEND_ITEM_ROOM + len(words) * LEGEND_CHARACTER_WIDTH for _, words in items) - LEGEND_ITEM_ROOM + LEGEND_WORDS_AFTER


def _legend(items: Sequence[tuple[str, str]], top: float) -> Iterable[str]:
    yield f'<g transform="translate({MARGIN} {top})" font-size="10">'
    offset = 0.0
    for mark, words in items:
        yield f'<g transform="translate({round(offset, 1)} 0)">{mark}<text x="{LEGEND_WORDS_AFTER}" y="4">{_text(words)}</text></g>'
        offset += LEGEND_ITEM_ROOM + len(words) * LEGEND_CHARACTER_WIDTH
    yield "</g>"


def case_picture(loaded: LoadedCase, result: CaseResult) -> tuple[list[TimelineRow], str]:
    """A case that ran, as the rows of its timeline and the SVG that draws them."""
    assert loaded.procedure is not None and loaded.procedure.procedure is not None and loaded.plan is not None and loaded.case is not None
    procedure = loaded.procedure.procedure
    events = {event.name: event.title or event.name for event in procedure.events}
    rows = timeline_rows(result, loaded.happenings, loaded.plan.nodes, role_titles_of(procedure))
    happened = sorted(
        (day, f"{events[name]} ({name})") for name, day in loaded.happenings.items() if name in events and day <= result.as_of
    )
    subtitle = f"{procedure.title} · as of {result.as_of.isoformat()}"
    return rows, timeline_svg(loaded.case.name, subtitle, rows, happened, result.as_of, loaded.plan.calendar)


def role_titles_of(procedure: m.Procedure) -> dict[str, str]:
    return {role.name: role.title or role.name for role in procedure.roles}
