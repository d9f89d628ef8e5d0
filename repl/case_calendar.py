"""A case's open deadlines as an iCalendar file (`simulate --format ics`), for Outlook or Google Calendar.

One all-day event per deadline still to meet on the day the case is seen from:
counting, or missed while the step is not yet done (its summary then starts
"OVERDUE"). Deadlines met, or missed by a step done late, are history, not
appointments, so they are left out.

The file is deterministic: each event's UID is made from the case, the step and
the deadline's place, and its timestamp is the day the case is seen from, so a
calendar that imports the file again updates its events instead of doubling them.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from interpreter import model as m
from interpreter.scenario import LoadedCase
from interpreter.simulate import CaseResult
from visualise.wording import visible


def open_deadlines(result: CaseResult) -> list[tuple[str, int]]:
    """Each (step, place) whose deadline is still to meet as of the result's day, in the procedure's order."""
    found = []
    for step in result.steps:
        # A step the case no longer needs (its branch not taken, or the case ended) has nothing to diarise.
        if step.state not in (m.StepState.OPEN, m.StepState.OVERDUE, m.StepState.WAITING):
            continue
        for place, deadline in enumerate(step.deadlines):
            if deadline.due is None:
                continue
            overdue = deadline.state == m.DeadlineState.MISSED and step.done_on is None
            if deadline.state == m.DeadlineState.OPEN or overdue:
                found.append((step.step, place))
    return found


def case_calendar(loaded: LoadedCase, result: CaseResult) -> bytes:
    from icalendar import Calendar, Event

    procedure = loaded.procedure.procedure if loaded.procedure is not None else None
    case_name = loaded.case.name if loaded.case is not None else "case"
    procedure_title = procedure.title if procedure is not None else ""
    roles = {role.name: role.title or role.name for role in procedure.roles} if procedure is not None else {}
    calendar = Calendar()
    calendar.add("prodid", "-//safeproc//case deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", visible(f"{case_name}: deadlines"))
    stamp = datetime.combine(result.as_of, time(0, 0), tzinfo=UTC)
    # The case's file name is part of each event's identity: two cases with one name stay apart.
    case_file = Path(loaded.source.name).name if loaded.source is not None else ""
    case_key = hashlib.sha256(f"{procedure_title}\n{case_name}\n{case_file}".encode()).hexdigest()[:16]
    steps = {step.step: step for step in result.steps}
    for name, place in open_deadlines(result):
        step = steps[name]
        deadline = step.deadlines[place]
        assert deadline.due is not None
        overdue = deadline.state == m.DeadlineState.MISSED
        event = Event()
        event.add("uid", f"{case_key}-{name}-{place}@safeproc")
        event.add("dtstamp", stamp)
        event.add("dtstart", deadline.due)
        event.add("dtend", deadline.due + timedelta(days=1))
        event.add("summary", visible(("OVERDUE: " if overdue else "Due: ") + step.title))
        lines = [
            f"{name}: {deadline.text}",
            *([f"Owner: {roles.get(step.owner, step.owner)}"] if step.owner else []),
            f"Case: {case_name}",
            f"Procedure: {procedure_title}",
            f"As simulated on {result.as_of.isoformat()} by safeproc",
        ]
        event.add("description", visible("\n".join(lines), limit=10_000))
        event.add("transp", "TRANSPARENT")
        event.add("categories", ["safeproc", "overdue" if overdue else "due"])
        calendar.add_component(event)
    return calendar.to_ical()
