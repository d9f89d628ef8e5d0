"""The words a flowchart shows: guards, deadlines and escalations in the language's own terms.

A reader of the picture should be able to find each label, word for word, in the
`.proc` file, so guards are printed back as an author writes them and deadlines
keep the anchor's name.
"""

from __future__ import annotations

from interpreter import model as m

_SYMBOL = {"within": "≤ {d} after {a}", "not_before": "≥ {d} after {a}", "before": "≥ {d} before {a}", "lasts": "kept ≥ {d} after {a}"}
_PHRASE = {
    "within": "within {d} after {a}",
    "not_before": "at least {d} after {a}",
    "before": "at least {d} before {a}",
    "lasts": "for at least {d} after {a}",
}


def short_duration(duration: m.Duration) -> str:
    """`15 WD` for working days (the key explains WD); other units in full: `6 months`."""
    if duration.unit == "working_days":
        return f"{duration.amount} WD"
    return str(duration)


def deadline_label(deadline: m.Deadline, node_duty: str | None) -> str:
    """The deadline as it sits on its step: `≤ 15 WD after submit_sin`, with its duty if the step's differs."""
    text = _SYMBOL[deadline.kind].format(d=short_duration(deadline.duration), a=deadline.anchor.name)
    if deadline.duty and deadline.duty != node_duty:
        return f"{deadline.duty}: {text}"
    return text


def deadline_sentence(deadline: m.Deadline, anchor_title: str | None) -> str:
    """The deadline in full for a tooltip: `must be done within 5 working days after aware (The local ...)`."""
    anchor = deadline.anchor.name + (f" ({anchor_title})" if anchor_title else "")
    phrase = _PHRASE[deadline.kind].format(d=str(deadline.duration), a=anchor)
    return f"{deadline.duty} be done {phrase}" if deadline.duty else phrase


def escalation_label(escalation: m.Escalation) -> str:
    """The words on the arrow of an escalation to a step: `if overdue: escalate — the report is overdue`."""
    return f"if {escalation.trigger}: escalate" + (f" — {escalation.what}" if escalation.what else "")


def escalation_sentence(escalation: m.Escalation) -> str:
    """The escalation as the author wrote it: `if late notify national_panel: the reason ...`."""
    return f"if {escalation.trigger} {escalation.action} {escalation.target.name}" + (f": {escalation.what}" if escalation.what else "")


def citation_text(cites: tuple[str, ...]) -> str:
    return "§ " + ", ".join(cites) if cites else ""
