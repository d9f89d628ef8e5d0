"""The words a flowchart shows: guards, deadlines and escalations in the language's own terms.

A reader of the picture should be able to find each label, word for word, in the
`.proc` file, so guards are printed back as an author writes them and deadlines
keep the anchor's name.
"""

from __future__ import annotations

from interpreter import model as m
from interpreter.wording import deadline_symbols, describe_deadline


def short_duration(duration: m.Duration) -> str:
    """`15 WD` for working days (the key explains WD); other units in full: `6 months`."""
    if duration.unit == m.Unit.WORKING_DAYS:
        return f"{duration.amount} WD"
    return str(duration)


def deadline_label(deadline: m.Deadline, node_duty: m.Duty | None) -> str:
    """The deadline as it sits on its step: `≤ 15 WD after submit_sin`, with its duty if the step's differs."""
    text = deadline_symbols(deadline.kind, short_duration(deadline.duration), deadline.anchor.name)
    if deadline.duty and deadline.duty != node_duty:
        return f"{deadline.duty}: {text}"
    return text


def deadline_sentence(deadline: m.Deadline, anchor_title: str | None) -> str:
    """The deadline in full for a tooltip: `must be done within 5 working days after aware (The local ...)`."""
    return describe_deadline(deadline, deadline.anchor.name + (f" ({anchor_title})" if anchor_title else ""))


def escalation_label(escalation: m.Escalation) -> str:
    """The words on the arrow of an escalation to a step: `if overdue: escalate — the report is overdue`."""
    return f"if {escalation.trigger}: escalate" + (f" — {escalation.what}" if escalation.what else "")


def escalation_sentence(escalation: m.Escalation) -> str:
    """The escalation as the author wrote it: `if late notify national_panel: the reason ...`."""
    return f"if {escalation.trigger} {escalation.action} {escalation.target.name}" + (f": {escalation.what}" if escalation.what else "")


def citation_text(cites: tuple[str, ...]) -> str:
    return "§ " + ", ".join(cites) if cites else ""


# Graphviz refuses a label longer than 16,384 bytes once escaped; a character can take
# six (`&quot;`), so text in a picture stops at this many characters, well inside it.
PICTURE_TEXT_LIMIT = 1_000
# Tooltips (hover text) list a step's every deadline and document, so they may be longer.
TOOLTIP_LIMIT = 2_500


def visible(text: str, limit: int = PICTURE_TEXT_LIMIT) -> str:
    """Text with tabs as spaces and other control characters as �: XML (so SVG) cannot hold them.

    Text longer than limit is cut there and ends in "…"; the file keeps it whole.
    """
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return "".join(ch if ch == "\n" or ch.isprintable() else (" " if ch == "\t" else "\ufffd") for ch in text)
