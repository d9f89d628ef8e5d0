"""The language's own words for parts of the model, for messages, timelines and pictures.

A reader should be able to find each phrase, word for word, in the `.proc` file.
"""

from __future__ import annotations

from typing import assert_never

from interpreter import model as m


def guard_text(guard: m.Guard) -> str:
    """A guard as the author would write it: `(child_died or seriously_harmed) and abuse_or_neglect`."""
    if isinstance(guard, m.FactHolds):
        return f"{guard.fact.name} is no" if guard.negated else guard.fact.name
    if isinstance(guard, m.FactIs):
        return f"{guard.fact.name} is {'not ' if guard.negated else ''}{guard.value.name}"
    if isinstance(guard, m.FactIn):
        return f"{guard.fact.name} is {'not ' if guard.negated else ''}one of {', '.join(v.name for v in guard.values)}"
    if isinstance(guard, m.FactCompare):
        return f"{guard.fact.name} {guard.operator} {guard.number}"
    if isinstance(guard, m.Not):
        return "not " + _operand_text(guard.operand, guard)
    word = " or " if isinstance(guard, m.AnyOf) else " and "
    return word.join(_operand_text(operand, guard) for operand in guard.operands)


def _operand_text(operand: m.Guard, parent: m.Guard) -> str:
    text = guard_text(operand)
    # `not` binds tighter than `and`, and `and` than `or`; but a reader should not need
    # to know that, so `and` and `or` are bracketed wherever they meet, as `not` needs.
    mixed = isinstance(operand, (m.All, m.AnyOf)) and type(operand) is not type(parent)
    return f"({text})" if mixed else text


# ---- what kind of thing a name is -----------------------------------------------


def node_kind_noun(kind: m.NodeKind) -> str:
    """The word for a kind of flow node: "parallel split" for `parallel`."""
    match kind:
        case m.NodeKind.STEP:
            return "step"
        case m.NodeKind.DECISION:
            return "decision"
        case m.NodeKind.PARALLEL:
            return "parallel split"
        case m.NodeKind.JOIN:
            return "join"
        case m.NodeKind.OUTCOME:
            return "outcome"
        case _:
            assert_never(kind)


def kind_noun(declaration: m.Declaration) -> str:
    """What a declaration is, in a word or two: "role", "fact", "parallel split"."""
    match declaration:
        case m.Role():
            return "role"
        case m.Fact():
            return "fact"
        case m.Event():
            return "event"
        case m.Step() | m.Decision() | m.Parallel() | m.Join() | m.Outcome():
            return node_kind_noun(declaration.kind)
        case _:
            assert_never(declaration)


def kind_word(declaration: m.Declaration) -> str:
    """What a declaration is, with its article: "a role", "an outcome"."""
    return with_article(kind_noun(declaration))


def with_article(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def plural(noun: str) -> str:
    """The plural of a kind word: `steps` for `step`, and `events and steps` for `event or step`."""
    return " and ".join(word + "s" for word in noun.split(" or "))


def described(declaration: m.Declaration) -> str:
    """A declaration as messages name it: "parallel split `strategy`"."""
    return f"{kind_noun(declaration)} `{declaration.name}`"


# ---- deadlines ------------------------------------------------------------------


def deadline_phrase(kind: m.DeadlineKind, duration: str, anchor: str) -> str:
    """A deadline's clause as the language writes it: "within 5 working days after aware"."""
    match kind:
        case m.DeadlineKind.WITHIN:
            return f"within {duration} after {anchor}"
        case m.DeadlineKind.NOT_BEFORE:
            return f"at least {duration} after {anchor}"
        case m.DeadlineKind.BEFORE:
            return f"at least {duration} before {anchor}"
        case m.DeadlineKind.LASTS:
            return f"for at least {duration} after {anchor}"
        case _:
            assert_never(kind)


def deadline_symbols(kind: m.DeadlineKind, duration: str, anchor: str) -> str:
    """A deadline in the short form a flowchart shows: "≤ 15 WD after submit_sin"."""
    match kind:
        case m.DeadlineKind.WITHIN:
            return f"≤ {duration} after {anchor}"
        case m.DeadlineKind.NOT_BEFORE:
            return f"≥ {duration} after {anchor}"
        case m.DeadlineKind.BEFORE:
            return f"≥ {duration} before {anchor}"
        case m.DeadlineKind.LASTS:
            return f"kept ≥ {duration} after {anchor}"
        case _:
            assert_never(kind)


def describe_deadline(deadline: m.Deadline, anchor: str | None = None) -> str:
    """A deadline as the procedure says it: "must be done within 5 working days after aware"."""
    phrase = deadline_phrase(deadline.kind, str(deadline.duration), anchor or deadline.anchor.name)
    return f"{deadline.duty} be done {phrase}" if deadline.duty else phrase


_UNIT_MEANING = {
    m.Unit.WORKING_DAYS: "working days: Monday to Friday, leaving out the bank holidays of {calendar}",
    m.Unit.DAYS: "calendar days: weekends and bank holidays count",
    m.Unit.WEEKS: "weeks: the same weekday, that many weeks on",
    m.Unit.MONTHS: "calendar months: the same date that many months on (or the month's last day)",
    m.Unit.YEARS: "years: the same date that many years on",
    m.Unit.HOURS: "hours, counted round the clock",
}


def unit_meaning(unit: m.Unit, calendar: str) -> str:
    """How a deadline's unit is counted, in words: what "working days" means in this calendar."""
    return _UNIT_MEANING[unit].format(calendar=calendar)


def calendar_name(procedure: m.Procedure | None) -> str:
    """The calendar a procedure counts its working days in (its header's, else England and Wales)."""
    header = procedure.header if procedure is not None else None
    name = header.calendar if header is not None else None
    return str(name) if name else "england-and-wales"


def bound_sentence(step: str, deadline: m.Deadline) -> str:
    """What a deadline demands of the step's completion, for explaining a conflict between deadlines."""
    duration, anchor = deadline.duration, deadline.anchor.name
    match deadline.kind:
        case m.DeadlineKind.WITHIN:
            return f"`{step}` is done at most {duration} after `{anchor}`"
        case m.DeadlineKind.NOT_BEFORE:
            return f"`{step}` is done at least {duration} after `{anchor}`"
        case m.DeadlineKind.LASTS:
            return f"`{step}` lasts at least {duration} after `{anchor}`"
        case m.DeadlineKind.BEFORE:
            return f"`{step}` is done at least {duration} before `{anchor}`"
        case _:
            assert_never(deadline.kind)


def amount_words(count: float, unit: str) -> str:
    """`7 days`, `1 hour`, `2.5 days`: a measured amount, as messages say it."""
    whole = int(count) if float(count).is_integer() else round(count, 1)
    return f"{whole} {unit}" + ("" if whole == 1 else "s")


def fact_type_words(fact: m.Fact) -> str:
    """What answers a fact takes: `yes or no`, `a number`, `one of a, b`."""
    match fact.type:
        case m.FactType.BOOLEAN:
            return "yes or no"
        case m.FactType.NUMBER:
            return "a number"
        case m.FactType.CHOICE:
            return "one of " + ", ".join(c.name for c in fact.choices)
        case _:
            assert_never(fact.type)
