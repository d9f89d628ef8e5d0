"""Case scenarios: reading a .case file, checking it against its procedure, and its expectations.

A scenario is to a procedure what a test is to a program (as Catala's test
scopes and L4's traces are): facts, dated happenings, and what must follow.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Protocol, assert_never

from attrs import field, frozen

from interpreter import model as m
from interpreter.build import build_case
from interpreter.calendar import CalendarError
from interpreter.case_reader import PlainInputs, read_plain_case, read_plain_inputs
from interpreter.conditions import shown_value
from interpreter.deadlines import procedure_calendar
from interpreter.diagnostics import Diagnostic, Label, error, has_errors, warning
from interpreter.pipeline import Analysis
from interpreter.resolve import look_up
from interpreter.simulate import CaseResult, Plan, StepResult, simulate
from interpreter.source import SourceFile, Span
from interpreter.suggest import did_you_mean, nearest
from interpreter.syntax import decode, parse_source
from interpreter.wording import describe_deadline, fact_type_words, kind_word, plural, with_article


@frozen(kw_only=True)
class LoadedCase:
    """A case read and checked against its procedure, ready to run (or the reasons it is not)."""

    source: SourceFile | None
    case: m.Case | None = None
    procedure: Analysis | None = None
    plan: Plan | None = None
    facts: dict[str, m.Value] = field(factory=dict)
    happenings: dict[str, date] = field(factory=dict)
    spans: dict[str, Span | None] = field(factory=dict)  # name -> where its happening is written
    learnt: tuple[tuple[date, str, m.Value], ...] = ()  # facts learnt during the case, in date order
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def runnable(self) -> bool:
        return self.plan is not None and not has_errors(self.diagnostics)


class ProcedureSource(Protocol):
    """Where cases find their procedures, analysed and compiled (reading files is the caller's business)."""

    def get(self, path: Path) -> tuple[Analysis | None, Plan | None, str | None]:
        """The analysis and plan of a procedure file, or the reason it cannot be read."""
        ...

    def same_file(self, first: Path, second: Path) -> bool:
        """Whether two paths name one procedure file."""
        ...


def compile_procedure(analysis: Analysis) -> tuple[Plan | None, str | None]:
    """The plan a case runs against, if the procedure has no errors; or why no plan can be made."""
    if not analysis.ok or analysis.graph is None or analysis.resolved is None or analysis.procedure is None:
        return None, None
    try:
        calendar = procedure_calendar(analysis.procedure)
    except CalendarError as exc:
        return None, str(exc)
    return Plan.compile(analysis.resolved, analysis.graph, calendar), None


def read_case(source: SourceFile) -> tuple[m.Case | None, tuple[Diagnostic, ...]]:
    """The one way a .case file is read: the quick reader for the plain shape, the grammar otherwise."""
    case = read_plain_case(source)
    if case is not None:
        return case, ()
    parsed = parse_source(source, start="case_file")
    if not parsed.chunks and parsed.diagnostics:
        return None, parsed.diagnostics
    case, built = build_case(source, parsed.chunks)
    if parsed.diagnostics:
        # A header that did not parse is already reported; "no case header" would only repeat it.
        built = tuple(d for d in built if d.code != "P402")
    return case, parsed.diagnostics + built


def load_case(data: bytes, name: str, procedures: ProcedureSource, procedure_override: Path | None = None) -> LoadedCase:
    """Read a .case file and check every name and value in it against its procedure."""
    source, diagnostics = decode(data, name)
    if source is None:
        return LoadedCase(source=None, diagnostics=diagnostics)
    case, read = read_case(source)
    problems = list(read)
    if case is None:
        return LoadedCase(source=source, diagnostics=tuple(problems))
    procedure_path = procedure_override
    if procedure_path is None:
        if case.procedure_path is None:
            problems.append(
                error(
                    "P403",
                    "this case does not say which procedure it runs against",
                    case.span,
                    help='add `procedure "path/to/procedure.proc"` inside the case header (the path is relative to this file)',
                )
            )
            return LoadedCase(source=source, case=case, diagnostics=tuple(problems))
        procedure_path = Path(name).parent / case.procedure_path
    analysis, plan, unreadable = procedures.get(procedure_path)
    if unreadable is not None:
        problems.append(
            error(
                "P404",
                f"cannot read the procedure `{procedure_path}`: {unreadable}",
                case.procedure_span,
                help="check the path; it is relative to this case file",
            )
        )
        return LoadedCase(source=source, case=case, procedure=analysis, diagnostics=tuple(problems))
    if plan is None or analysis is None or analysis.resolved is None:
        problems.append(
            error(
                "P405",
                f"the procedure `{procedure_path}` has errors, so this case cannot run",
                case.procedure_span,
                help=f"run `safeproc check {procedure_path}` and fix what it reports",
            )
        )
        return LoadedCase(source=source, case=case, procedure=analysis, diagnostics=tuple(problems))
    if procedure_override is not None and case.procedure_path is not None:
        named = Path(name).parent / case.procedure_path
        if not procedures.same_file(named, procedure_override):
            # Named as the case names it, and where that is: beside the case, not where safeproc was started.
            where = os.path.normpath(named)
            beside = f" (`{where}`)" if where != os.path.normpath(case.procedure_path) else ""
            problems.append(
                warning(
                    "P408",
                    f"this case names the procedure `{case.procedure_path}`{beside}, but it is being run against `{procedure_override}`",
                    case.procedure_span,
                    label="the procedure this case was written for",
                    help="if the names below do not match, run it against the procedure it names",
                )
            )
    checker = _CaseChecker(case, analysis.resolved.names)
    facts, happenings, spans, learnt = checker.run()
    problems.extend(checker.diagnostics)
    return LoadedCase(
        source=source,
        case=case,
        procedure=analysis,
        plan=plan,
        facts=facts,
        happenings=happenings,
        spans=spans,
        learnt=learnt,
        diagnostics=tuple(problems),
    )


def undated(loaded: LoadedCase) -> Diagnostic | None:
    """A scenario is judged as of its own date, never today's, so that it gives the same answer every day."""
    if loaded.case is None or loaded.case.as_of is not None or not loaded.runnable:
        return None
    return error(
        "P406",
        "a scenario needs the date it is seen from",
        loaded.case.span,
        help="add `as of YYYY-MM-DD` inside the case header, so that its expectations never depend on today's date",
    )


class _CaseChecker:
    def __init__(self, case: m.Case, names: Mapping[str, m.Declaration]):
        self.case = case
        self.names = names
        self.diagnostics: list[Diagnostic] = []

    def run(self) -> tuple[dict[str, m.Value], dict[str, date], dict[str, Span | None], tuple[tuple[date, str, m.Value], ...]]:
        facts = self._facts()
        happenings, spans = self._happenings()
        learnt = self._learnt(facts)
        self._expectations()
        return facts, happenings, spans, learnt

    def _facts(self) -> dict[str, m.Value]:
        facts: dict[str, m.Value] = {}
        seen: dict[str, m.FactValue] = {}
        for given in self.case.facts:
            fact = self._fact_of(given)
            if fact is None:
                continue
            if given.fact.name in seen:
                self.diagnostics.append(
                    error(
                        "P413",
                        f"the fact `{fact.name}` is given twice",
                        given.span,
                        labels=(Label(seen[given.fact.name].span, "first given here"),),
                        help="give each fact once",
                    )
                )
                continue
            seen[given.fact.name] = given
            if self._fits(fact, given):
                facts[fact.name] = given.value
        return facts

    def _fact_of(self, given: m.FactValue) -> m.Fact | None:
        fact = self.names.get(given.fact.name)
        if isinstance(fact, m.Fact):
            return fact
        self._expect(given.fact, (m.Fact,), "fact")
        return None

    def _fits(self, fact: m.Fact, given: m.FactValue) -> bool:
        if given.value is None or fits(fact, given.value):
            return True
        self.diagnostics.append(
            error(
                "P411",
                f"`{fact.name}` is {fact_type_words(fact)}, so it cannot be `{shown_value(given.value)}`",
                given.span,
                label="a value of the wrong kind",
                labels=(Label(fact.span, "declared here"),) if fact.span else (),
                help=value_help(fact, given.value),
            )
        )
        return False

    def _learnt(self, facts: Mapping[str, m.Value]) -> tuple[tuple[date, str, m.Value], ...]:
        """Facts that became known during the case, checked like the facts block, in date order."""
        learnt: dict[str, m.FactLearnt] = {}
        given = {f.fact.name: f for f in self.case.facts}
        previous: m.FactLearnt | None = None
        for item in self.case.learnt:
            if previous is not None and item.on < previous.on:
                self._out_of_order(f"this fact is learnt on {item.on.isoformat()},", item.span, previous.on, previous.span, "was learnt")
            previous = item
            fact = self._fact_of(item.fact)
            if fact is None or not self._fits(fact, item.fact):
                continue
            if item.fact.value is None:
                self.diagnostics.append(
                    error(
                        "P437",
                        f"`{fact.name}` is learnt as unknown on {item.on.isoformat()}, which says nothing",
                        item.span,
                        help="a fact learnt during the case has a value: `on DATE fact is value`; leave this line out",
                    )
                )
                continue
            earlier = learnt.get(fact.name)
            block = given.get(fact.name)
            if earlier is not None or (block is not None and block.value is not None):
                where = earlier.span if earlier is not None else block.span if block is not None else None
                self.diagnostics.append(
                    error(
                        "P437",
                        f"the fact `{fact.name}` is learnt on {item.on.isoformat()}, but the case already gives it",
                        item.span,
                        labels=(Label(where, "given here"),) if where else (),
                        help="write `is unknown` in the facts block for a fact learnt during the case, and learn it once",
                    )
                )
                continue
            learnt[fact.name] = item
        return tuple(sorted(((i.on, name, i.fact.value) for name, i in learnt.items()), key=lambda entry: (entry[0], entry[1])))

    def _happenings(self) -> tuple[dict[str, date], dict[str, Span | None]]:
        happenings: dict[str, date] = {}
        spans: dict[str, Span | None] = {}
        previous: m.Happening | None = None
        for happening in self.case.happenings:
            declaration = self._expect(happening.name, (m.Event, m.Step, m.Decision), "event or step")
            if previous is not None and happening.on < previous.on:
                self._out_of_order(
                    f"this happening ({happening.on.isoformat()}) is dated", happening.span, previous.on, previous.span, "happened"
                )
            previous = happening
            if declaration is None:
                continue
            if happening.name.name in happenings:
                self.diagnostics.append(
                    error(
                        "P415",
                        f"`{happening.name.name}` is recorded twice",
                        happening.span,
                        labels=(Label(spans[happening.name.name], "first recorded here"),),
                        help="a step is done once and an event happens once; keep the right date",
                    )
                )
                continue
            happenings[happening.name.name] = happening.on
            spans[happening.name.name] = happening.span
        return happenings, spans

    def _out_of_order(self, what: str, span: Span | None, previous_on: date, previous_span: Span | None, verb: str) -> None:
        self.diagnostics.append(
            warning(
                "P414",
                f"{what} before the one above it ({previous_on.isoformat()})",
                span,
                label="out of order",
                labels=(Label(previous_span, "dated later"),),
                help=f"list what {verb} in date order; check for a mistyped date",
            )
        )

    def _expectations(self) -> None:
        for expectation in self.case.expectations:
            match expectation.kind:
                case m.ExpectationKind.DUE | m.ExpectationKind.NO_DUE | m.ExpectationKind.NOT_BEFORE | m.ExpectationKind.STATE:
                    self._expect(expectation.subject, (m.Step, m.Decision), "step")
                case m.ExpectationKind.BRANCH:
                    decision = self._expect(expectation.subject, (m.Decision,), "decision")
                    if isinstance(decision, m.Decision) and expectation.target is not None:
                        self._branch_of(decision, expectation.target)
                case m.ExpectationKind.ESCALATION:
                    self._expect(expectation.role, (m.Role,), "role")
                    if expectation.source is not None:
                        self._expect(expectation.source, (m.Step, m.Decision), "step")
                case m.ExpectationKind.OUTCOME:
                    self._expect(expectation.subject, (m.Outcome,), "outcome")
                case m.ExpectationKind.DEADLINE_DUE:
                    step = self._expect(expectation.subject, (m.Step, m.Decision), "step")
                    if isinstance(step, (m.Step, m.Decision)) and expectation.place is not None:
                        self._deadline_of(step, expectation)
                case m.ExpectationKind.NO_ESCALATION:
                    if expectation.source is not None:
                        self._expect(expectation.source, (m.Step, m.Decision), "step")
                case m.ExpectationKind.NO_OUTCOME | m.ExpectationKind.NO_BREACHES:
                    pass
                case _:
                    assert_never(expectation.kind)

    def _deadline_of(self, step: m.Task, expectation: m.Expectation) -> None:
        count = len(step.deadlines)
        if expectation.place is not None and 1 <= expectation.place <= count:
            return
        listed = "; ".join(f"{place} {describe_deadline(d)}" for place, d in enumerate(step.deadlines, start=1))
        self.diagnostics.append(
            error(
                "P417",
                f"`{step.name}` has {count} deadline{'s' if count != 1 else ''}, so there is no deadline {expectation.place}",
                expectation.span,
                help=f"its deadlines, in the order they are written: {listed}"
                if listed
                else "pin its due date with `expect STEP due DATE`",
            )
        )

    def _branch_of(self, decision: m.Decision, target: m.Ref) -> None:
        targets = [b.target.name for b in decision.branches] + ([decision.otherwise.name] if decision.otherwise else [])
        if target.name not in targets:
            self.diagnostics.append(
                error(
                    "P416",
                    f"`{target.name}` is not a branch of decision `{decision.name}`",
                    target.span,
                    help=did_you_mean(target.name, targets) or "its branches lead to " + ", ".join(f"`{t}`" for t in targets),
                    replacements=tuple(nearest(target.name, targets)),
                )
            )

    def _expect(self, ref: m.Ref | None, kinds: tuple[type, ...], wanted: str) -> m.Declaration | None:
        if ref is None:  # the grammar always names one; a missing name was reported there
            return None
        found = look_up(self.names, ref.name, kinds)
        if found.fits:
            return found.declaration
        candidates = found.candidates
        if found.declaration is None:
            message = f"the procedure has no {wanted} `{ref.name}`"
        else:
            message = f"`{ref.name}` is {kind_word(found.declaration)} in the procedure, not {with_article(wanted)}"
        listing = ", ".join(f"`{c}`" for c in sorted(candidates)[:12]) + (", ..." if len(candidates) > 12 else "")
        self.diagnostics.append(
            error(
                "P410",
                message,
                ref.span,
                label=f"not {with_article(wanted)} of the procedure",
                help=did_you_mean(ref.name, candidates) or (f"the procedure's {plural(wanted)} are {listing}" if candidates else None),
                replacements=tuple(nearest(ref.name, candidates)),
            )
        )
        return None


def fits(fact: m.Fact, value: m.Value) -> bool:
    """Whether a value is one the fact can take."""
    match fact.type:
        case m.FactType.BOOLEAN:
            return isinstance(value, bool)
        case m.FactType.NUMBER:
            return isinstance(value, int) and not isinstance(value, bool)
        case m.FactType.CHOICE:
            return isinstance(value, str) and any(choice.name == value for choice in fact.choices)
        case _:
            assert_never(fact.type)


def value_help(fact: m.Fact, value: m.Value) -> str | None:
    match fact.type:
        case m.FactType.CHOICE:
            choices = [c.name for c in fact.choices]
            return did_you_mean(str(value), choices) or "choose one of " + ", ".join(f"`{c}`" for c in choices)
        case m.FactType.BOOLEAN:
            return f"write `{fact.name} is yes` or `{fact.name} is no`"
        case m.FactType.NUMBER:
            return f"write a whole number: `{fact.name} is 17`"
        case _:
            assert_never(fact.type)


def quick_run(data: bytes, name: str, plan: Plan, as_of: date | None) -> CaseResult | None:
    """Simulate a plain, well-formed case straight from its text, for batches; None means use load_case.

    Its result lists only the steps the case has reached or that have fallen due.
    A test holds its results equal to the full path's.
    """
    inputs = quick_inputs(data, name, plan)
    when = inputs and (as_of or inputs.as_of)
    if inputs is None or when is None:
        return None
    return simulate(plan, inputs.facts, inputs.happenings, when, only_reached=True)


def quick_inputs(data: bytes, name: str, plan: Plan) -> PlainInputs | None:
    """A plain case's facts and happenings, read without building a model; None where load_case must read it.

    It takes the quick way only when the full path would find nothing to report
    that changes the result: every name known, every value of the right kind.
    """
    source, _ = decode(data, name)
    if source is None:
        return None
    inputs = read_plain_inputs(source)
    if inputs is None or not plan.accepts(inputs.facts, inputs.happenings):
        return None
    return inputs


# ---- running a case and judging its expectations ---------------------------------


def run_case(loaded: LoadedCase, as_of: date | None = None) -> CaseResult | None:
    """Simulate a loaded case as of a date (the command line's, else the case's own, else None)."""
    if not loaded.runnable or loaded.plan is None or loaded.case is None:
        return None
    when = as_of or loaded.case.as_of
    if when is None:
        return None
    return simulate(loaded.plan, loaded.facts, loaded.happenings, when, loaded.spans, learnt=loaded.learnt)


def judge(loaded: LoadedCase, result: CaseResult) -> tuple[Diagnostic, ...]:
    """Each expectation the result does not meet, as a located diagnostic saying expected and actual."""
    failures = []
    for expectation in loaded.case.expectations if loaded.case else ():
        problem = _unmet(expectation, result)
        if problem is not None:
            failures.append(error("P420", problem, expectation.span, label="this expectation is not met", help=None))
    return tuple(failures)


def state_words(state: m.StepState) -> str:
    return state.value.replace("_", " ")


def _unmet(expectation: m.Expectation, result: CaseResult) -> str | None:
    subject = expectation.subject.name if expectation.subject else ""
    match expectation.kind:
        case m.ExpectationKind.DUE | m.ExpectationKind.NO_DUE:
            step = result.step(subject)
            actual = step.due if step else None
            wanted = expectation.on if expectation.kind == m.ExpectationKind.DUE else None
            if actual == wanted:
                return None
            expected_words = f"due {wanted.isoformat()}" if wanted else "to have no due date yet"
            actual_words = f"it is due {actual.isoformat()}" if actual else "it has no due date yet"
            return f"expected `{subject}` {expected_words}, but {actual_words}"
        case m.ExpectationKind.NOT_BEFORE:
            step = result.step(subject)
            earliest = step.not_before if step else None
            if earliest == expectation.on:
                return None
            wanted_day = expectation.on.isoformat() if expectation.on else "?"
            actual_words = f"its earliest day is {earliest.isoformat()}" if earliest else "it has no earliest day (yet)"
            return f"expected `{subject}` not before {wanted_day}, but {actual_words}"
        case m.ExpectationKind.STATE:
            actual_state = _actual_state(result.step(subject))
            wanted_state = expectation.state
            done_states = (m.StepState.DONE_ON_TIME, m.StepState.DONE_LATE)
            if wanted_state is None or actual_state == wanted_state or (wanted_state == m.StepState.DONE and actual_state in done_states):
                return None
            return f"expected `{subject}` to be {state_words(wanted_state)}, but it is {state_words(actual_state)}"
        case m.ExpectationKind.BRANCH:
            decision = result.decision(subject)
            taken = decision.branch if decision else None
            wanted_branch = expectation.target.name if expectation.target else None
            if taken == wanted_branch:
                return None
            why = f" ({decision.because})" if decision and decision.because else ""
            taken_words = f"`{taken}`" if taken else "no branch yet"
            return f"expected decision `{subject}` to take `{wanted_branch}`, but it takes {taken_words}{why}"
        case m.ExpectationKind.DEADLINE_DUE:
            step = result.step(subject)
            place = (expectation.place or 1) - 1
            deadline = step.deadlines[place] if step and place < len(step.deadlines) else None
            actual = deadline.due if deadline else None
            if actual == expectation.on:
                return None
            wanted_words = expectation.on.isoformat() if expectation.on else "nothing"
            which = f"deadline {place + 1} of `{subject}`" + (f" ({deadline.text})" if deadline else "")
            if deadline is not None and deadline.not_before is not None:
                actual_words = f"it is a lower bound, with no due date: not before {deadline.not_before.isoformat()}"
            else:
                actual_words = f"it is due {actual.isoformat()}" if actual else "it has no due date yet"
            return f"expected {which} due {wanted_words}, but {actual_words}"
        case m.ExpectationKind.ESCALATION:
            return _unmet_escalation(expectation, result)
        case m.ExpectationKind.NO_ESCALATION:
            source = expectation.source.name if expectation.source else None
            fired = [e for e in result.escalations if source is None or e.step == source]
            if not fired:
                return None
            whence = f" from `{source}`" if source else ""
            listed = "; ".join(f"from `{e.step}` to `{e.to}` on {e.on.isoformat()}" for e in fired)
            return f"expected no escalation{whence}, but found: {listed}"
        case m.ExpectationKind.OUTCOME:
            if result.end == subject:
                return None
            return f"expected the outcome `{subject}`, but the case " + (
                f"ends in `{result.end}`" if result.end else "has not reached an outcome"
            )
        case m.ExpectationKind.NO_OUTCOME:
            if result.end is None:
                return None
            return f"expected no outcome yet, but the case ends in `{result.end}`"
        case m.ExpectationKind.NO_BREACHES:
            breaches = result.breaches
            if not breaches:
                return None
            listed = ", ".join(_breach_words(s) for s in breaches)
            return f"expected no breaches, but found {listed}"
        case _:
            assert_never(expectation.kind)


def _breach_words(step: StepResult) -> str:
    broken = []
    if step.late or step.state == m.StepState.OVERDUE:
        broken.append(("done late" if step.done_on else "overdue") + (f", due {step.due.isoformat()}" if step.due else ""))
    if step.too_soon and step.not_before is not None:
        broken.append(f"done too soon, not before {step.not_before.isoformat()}")
    return f"`{step.step}` ({'; '.join(broken)})"


def _unmet_escalation(expectation: m.Expectation, result: CaseResult) -> str | None:
    role = expectation.role.name if expectation.role else None
    on = expectation.on
    source = expectation.source.name if expectation.source else None
    for fired in result.escalations:
        if fired.to == role and fired.on == on and (source is None or fired.step == source):
            return None
    fired_list = "; ".join(f"from `{e.step}` to `{e.to}` on {e.on.isoformat()}" for e in result.escalations) or "none"
    whence = f" from `{source}`" if source else ""
    when = f" on {on.isoformat()}" if on else ""
    return f"expected an escalation{whence} to `{role}`{when}, but the escalations are: {fired_list}"


def _actual_state(step: StepResult | None) -> m.StepState:
    if step is None:
        return m.StepState.NOT_APPLICABLE
    if step.state == m.StepState.DONE:
        return m.StepState.DONE_LATE if step.late else m.StepState.DONE_ON_TIME
    return step.state
