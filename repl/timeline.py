"""A simulated case as a person reads it (a dated timeline) and as scripts read it (JSON)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from interpreter import model as m
from interpreter.diagnostics import Diagnostic
from interpreter.scenario import LoadedCase
from interpreter.simulate import CaseResult, DeadlineResult, StepResult
from repl.diagnostic_output import json_object


def _ran(loaded: LoadedCase) -> tuple[m.Procedure, m.Case]:
    """The procedure and the case of a case that ran (only those get a timeline)."""
    procedure = loaded.procedure.procedure if loaded.procedure is not None else None
    if procedure is None or loaded.case is None:
        raise ValueError("a case that did not run has no timeline")
    return procedure, loaded.case


def json_report(loaded: LoadedCase, result: CaseResult, diagnostics: Iterable[Diagnostic]) -> dict[str, Any]:
    """Exactly the documented shape; dates as YYYY-MM-DD, absent ones as null."""
    procedure, case = _ran(loaded)
    sends = _sends(procedure)
    return {
        "procedure": procedure.title,
        "scenario": case.name,
        "as_of": result.as_of.isoformat(),
        "steps": [
            {
                "step": step.step,
                "title": step.title,
                "owner": step.owner,
                "state": step.state,
                "due": _iso(step.due),
                "not_before": _iso(step.not_before),
                "done_on": _iso(step.done_on),
                "late": step.late,
                "deadlines": [
                    {
                        "deadline": deadline.text,
                        "duty": deadline.duty,
                        "due": _iso(deadline.due),
                        "not_before": _iso(deadline.not_before),
                        "state": deadline.state,
                        "escalations": [
                            {"to": e.to, "on": e.on.isoformat()} for e in result.escalations if e.step == step.step and e.deadline == place
                        ],
                    }
                    for place, deadline in enumerate(step.deadlines)
                ],
                "sends": [{"what": what, "to": to} for what, to in sends.get(step.step, ())],
            }
            for step in result.steps
        ],
        "decisions": [{"decision": d.decision, "branch": d.branch, "because": d.because} for d in result.decisions],
        "escalations": [{"step": e.step, "to": e.to, "on": e.on.isoformat(), "reason": e.reason} for e in result.escalations],
        "end": result.end,
        "ended_on": _iso(result.ended_on),
        "outcomes_reached": [{"outcome": name, "on": on.isoformat()} for name, on in result.reached],
        "diagnostics": [json_object(d) for d in diagnostics],
    }


def _sends(procedure: m.Procedure) -> dict[str, tuple[tuple[str, str], ...]]:
    """What each step hands over, and to whom."""
    return {n.name: tuple((s.what, s.to.name) for s in n.sends) for n in procedure.nodes if isinstance(n, m.Step) and n.sends}


def _each_deadline(step: StepResult) -> str:
    """For a step with more than one deadline, each one's due date and how it stands; nothing otherwise."""
    if len(step.deadlines) < 2:
        return ""
    parts = [f"{d.text}: {_deadline_state(d)}" + (f", due {d.due.isoformat()}" if d.due else "") for d in step.deadlines]
    return "".join(f"\n                {part}" for part in parts)


def _deadline_state(deadline: DeadlineResult) -> str:
    if deadline.not_before is None:
        return deadline.state.value.replace("_", " ")
    # A lower bound: its earliest day, and whether the step kept to it.
    kept = {m.DeadlineState.MET: ", kept", m.DeadlineState.MISSED: ", done too soon"}.get(deadline.state, "")
    return f"not before {deadline.not_before.isoformat()}{kept}"


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _long(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def text_timeline(loaded: LoadedCase, result: CaseResult) -> str:
    """What happened, day by day, then what is still to do as of the date the case is seen from."""
    procedure, case = _ran(loaded)
    titles = {role.name: role.title or role.name for role in procedure.roles}
    events = {event.name: event.title or event.name for event in procedure.events}
    lines = [
        f"Case:       {case.name}",
        f"Procedure:  {procedure.title} ({procedure.file})",
        f"As of:      {_long(result.as_of)}",
        "",
        "What has happened",
    ]
    # Same-day entries keep the procedure's own order: events, then steps and
    # decisions as the file lists them, then escalations, then the outcome.
    order = {step.step: index for index, step in enumerate(result.steps, start=1)}
    entries: list[tuple[date, int, str]] = []
    for name, when in loaded.happenings.items():
        if name in events and when <= result.as_of:
            entries.append((when, 0, f"{events[name]} ({name})"))
    soon = {step.step: step.not_before for step in result.steps if step.too_soon and step.not_before is not None}
    for decision in result.decisions:
        if decision.branch is not None and decision.decided_on is not None:
            text = f"decided `{decision.decision}` → {decision.branch}, because {decision.because}"
            if decision.decision in soon:
                text += f" — TOO SOON, not before {soon[decision.decision].isoformat()}"
            entries.append((decision.decided_on, order[decision.decision], text))
    sends = _sends(procedure)
    for step in result.steps:
        if step.kind == m.NodeKind.STEP and step.done_on is not None:
            owner = f" [{titles.get(step.owner, step.owner)}]" if step.owner else ""
            timing = ""
            if result.ended_on is not None and step.done_on > result.ended_on:
                timing = " — after the case ended, so it counts for nothing"  # P436 says so; no deadline judges it
            elif step.due is not None:
                timing = f" — LATE, due {step.due.isoformat()}" if step.late else f" — on time, due {step.due.isoformat()}"
            if step.step in soon:
                timing += f" — TOO SOON, not before {soon[step.step].isoformat()}"
            text = f"done `{step.step}` {step.title}{owner}{timing}"
            text += "".join(f"; sent {what} to {titles.get(to, to)}" for what, to in sends.get(step.step, ()))
            entries.append((step.done_on, order[step.step], text + _each_deadline(step)))
    last = len(order) + 1
    for outcome, on in result.reached:
        entries.append((on, last + 1, f"reached: {outcome} (the case ends when its other branches have finished)"))
    for escalation in result.escalations:
        entries.append(
            (escalation.on, last, f"ESCALATED `{escalation.step}` to {titles.get(escalation.to, escalation.to)}: {escalation.reason}")
        )
    if result.end is not None and result.ended_on is not None:
        entries.append((result.ended_on, last + 1, f"ended: {result.end}"))
    if not entries:
        lines.append("  (nothing yet)")
    for when, _, text in sorted(entries, key=lambda e: (e[0], e[1], e[2])):
        lines.append(f"  {when.isoformat()}  {text}")
    still = [s for s in result.steps if s.state in ("open", "overdue")]
    waiting_for = {d.decision: d.because for d in result.decisions if d.branch is None}
    lines += ["", f"Still to do as of {result.as_of.isoformat()}"]
    if not still:
        lines.append("  nothing" + (" — the case has ended" if result.end else ""))
    for step in still:
        owner = titles.get(step.owner, step.owner) if step.owner else "no owner named"
        due = _dates(step)
        mark = "  OVERDUE" if step.state == "overdue" else ""
        why = f" — {waiting_for[step.step]}" if step.step in waiting_for else ""
        lines.append(f"  `{step.step}` {step.title} [{owner}], {due}{mark}{why}{_each_deadline(step)}")
    coming = [(s.due or s.not_before, s) for s in result.steps if s.state == m.StepState.WAITING and (s.due or s.not_before)]
    if coming:
        lines += ["", "Coming up (the clock has started; earlier steps come first)"]
        for _, step in sorted(coming, key=lambda pair: (pair[0], pair[1].step)):
            owner = titles.get(step.owner, step.owner) if step.owner else "no owner named"
            lines.append(f"  `{step.step}` {step.title} [{owner}], {_dates(step)}")
    return "\n".join(lines)


def _dates(step: StepResult) -> str:
    """When a step is due, and the earliest its lower bounds allow it done, as far as either is known."""
    due = f"due {step.due.isoformat()}" if step.due else ""
    earliest = f"not before {step.not_before.isoformat()}" if step.not_before else ""
    return ", ".join(part for part in (due, earliest) if part) or "no due date yet"
