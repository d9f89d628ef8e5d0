"""Case scenarios: reading a .case file, checking it against its procedure, and its expectations.

A scenario is to a procedure what a test is to a program (as Catala's test
scopes and L4's traces are): facts, dated happenings, and what must follow.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from attrs import frozen

from interpreter import model as m
from interpreter.build import build_case
from interpreter.calendar import CalendarError
from interpreter.case_reader import read_plain_case, read_plain_inputs
from interpreter.deadlines import procedure_calendar
from interpreter.diagnostics import Diagnostic, Label, error, has_errors, warning
from interpreter.pipeline import Analysis, analyse_bytes, collector_paused
from interpreter.resolve import kind_word
from interpreter.simulate import CaseResult, Plan, simulate
from interpreter.source import SourceFile, read_regular_file
from interpreter.suggest import did_you_mean
from interpreter.syntax import decode, parse_source


@frozen
class LoadedCase:
    """A case read and checked against its procedure, ready to run (or the reasons it is not)."""

    source: SourceFile | None
    case: m.Case | None
    procedure: Analysis | None
    plan: Plan | None
    facts: dict
    happenings: dict  # name -> date
    spans: dict  # name -> where its happening is written
    diagnostics: tuple[Diagnostic, ...]

    @property
    def runnable(self) -> bool:
        return self.plan is not None and not has_errors(self.diagnostics)


class ProcedureCache:
    """Procedures analysed once per batch: many cases name the same file."""

    def __init__(self) -> None:
        self._analyses: dict[Path, tuple[Analysis | None, Plan | None, str | None]] = {}
        self._resolved: dict[str, Path] = {}

    def get(self, path: Path) -> tuple[Analysis | None, Plan | None, str | None]:
        """The analysis and plan of a procedure file, or the reason it cannot be read."""
        # Resolving a path asks the file system; a batch names the same few paths many times.
        key = self._resolved.get(str(path))
        if key is None:
            key = self._resolved[str(path)] = path.resolve()
        if key not in self._analyses:
            self._analyses[key] = self._load(path)
        return self._analyses[key]

    @staticmethod
    def _load(path: Path):
        try:
            data = read_regular_file(path)
        except OSError as exc:
            return None, None, (exc.strerror or str(exc)).lower()
        analysis = analyse_bytes(data, str(path))
        if not analysis.ok or analysis.graph is None:
            return analysis, None, None
        try:
            calendar = procedure_calendar(analysis.procedure)
        except CalendarError as exc:
            return analysis, None, str(exc)
        return analysis, Plan.compile(analysis.resolved, analysis.graph, calendar), None


def load_case(data: bytes, name: str, procedures: ProcedureCache, procedure_override: Path | None = None) -> LoadedCase:
    """Read a .case file and check every name and value in it against its procedure."""
    source, diagnostics = decode(data, name)
    if source is None:
        return LoadedCase(None, None, None, None, {}, {}, {}, diagnostics)
    case = read_plain_case(source)
    problems: list[Diagnostic] = []
    if case is None:
        with collector_paused():
            parsed = parse_source(source, start="case_file")
            problems.extend(parsed.diagnostics)
            if parsed.chunks or not problems:
                case, built = build_case(source, parsed.chunks)
                problems.extend(built)
    if case is None:
        return LoadedCase(source, None, None, None, {}, {}, {}, tuple(problems))
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
            return LoadedCase(source, case, None, None, {}, {}, {}, tuple(problems))
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
        return LoadedCase(source, case, analysis, None, {}, {}, {}, tuple(problems))
    if plan is None:
        problems.append(
            error(
                "P405",
                f"the procedure `{procedure_path}` has errors, so this case cannot run",
                case.procedure_span,
                help=f"run `safeproc check {procedure_path}` and fix what it reports",
            )
        )
        return LoadedCase(source, case, analysis, None, {}, {}, {}, tuple(problems))
    if procedure_override is not None and case.procedure_path is not None:
        named = Path(name).parent / case.procedure_path
        if named.resolve() != procedure_override.resolve():
            problems.append(
                warning(
                    "P408",
                    f"this case names the procedure `{case.procedure_path}`, but it is being run against `{procedure_override}`",
                    case.procedure_span,
                    label="the procedure this case was written for",
                    help="if the names below do not match, run it against the procedure it names",
                )
            )
    checker = _CaseChecker(case, analysis)
    facts, happenings, spans = checker.run()
    problems.extend(checker.diagnostics)
    return LoadedCase(source, case, analysis, plan, facts, happenings, spans, tuple(problems))


class _CaseChecker:
    def __init__(self, case: m.Case, analysis: Analysis):
        self.case = case
        self.names = analysis.resolved.names
        self.diagnostics: list[Diagnostic] = []

    def run(self):
        facts = self._facts()
        happenings, spans = self._happenings()
        self._expectations()
        return facts, happenings, spans

    def _facts(self) -> dict:
        facts: dict = {}
        seen: dict[str, m.FactValue] = {}
        names = self.names
        for given in self.case.facts:
            fact = names.get(given.fact.name)
            if fact.__class__ is not m.Fact:
                fact = self._expect(given.fact, (m.Fact,), "fact")
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
            if given.value is not None and not _fits(fact, given.value):
                self.diagnostics.append(
                    error(
                        "P411",
                        f"`{fact.name}` {_describe_type(fact)}, so it cannot be `{_shown(given.value)}`",
                        given.span,
                        label="a value of the wrong kind",
                        labels=(Label(fact.span, "declared here"),) if fact.span else (),
                        help=_value_help(fact, given.value),
                    )
                )
                continue
            facts[fact.name] = given.value
        return facts

    def _happenings(self) -> tuple[dict, dict]:
        happenings: dict[str, date] = {}
        spans: dict = {}
        previous: m.Happening | None = None
        for happening in self.case.happenings:
            declaration = self._expect(happening.name, (m.Event, m.Step, m.Decision), "event or step")
            if previous is not None and happening.on < previous.on:
                self.diagnostics.append(
                    warning(
                        "P414",
                        f"this happening ({happening.on.isoformat()}) is dated before the one above it ({previous.on.isoformat()})",
                        happening.span,
                        label="out of order",
                        labels=(Label(previous.span, "dated later"),),
                        help="list what happened in date order; check for a mistyped date",
                    )
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

    def _expectations(self) -> None:
        for expectation in self.case.expectations:
            if expectation.kind in ("due", "no_due", "state"):
                self._expect(expectation.subject, (m.Step, m.Decision), "step")
            elif expectation.kind == "branch":
                decision = self._expect(expectation.subject, (m.Decision,), "decision")
                if decision is not None:
                    targets = [b.target.name for b in decision.branches] + ([decision.otherwise.name] if decision.otherwise else [])
                    if expectation.value.name not in targets:
                        self.diagnostics.append(
                            error(
                                "P416",
                                f"`{expectation.value.name}` is not a branch of decision `{decision.name}`",
                                expectation.value.span,
                                help=did_you_mean(expectation.value.name, targets)
                                or "its branches lead to " + ", ".join(f"`{t}`" for t in targets),
                            )
                        )
            elif expectation.kind == "escalation":
                role, _ = expectation.value
                self._expect(role, (m.Role,), "role")
                if expectation.source is not None:
                    self._expect(expectation.source, (m.Step, m.Decision), "step")
            elif expectation.kind == "outcome":
                self._expect(expectation.subject, (m.Outcome,), "outcome")

    def _expect(self, ref: m.Ref, kinds: tuple, wanted: str):
        declaration = self.names.get(ref.name)
        if declaration is not None and isinstance(declaration, kinds):
            return declaration
        candidates = [n for n, d in self.names.items() if isinstance(d, kinds)]
        if declaration is None:
            message = f"the procedure has no {wanted} `{ref.name}`"
        else:
            message = f"`{ref.name}` is {kind_word(declaration)} in the procedure, not {'an' if wanted[0] in 'aeiou' else 'a'} {wanted}"
        listing = ", ".join(f"`{c}`" for c in sorted(candidates)[:12]) + (", ..." if len(candidates) > 12 else "")
        self.diagnostics.append(
            error(
                "P410",
                message,
                ref.span,
                label=f"not {'an' if wanted[0] in 'aeiou' else 'a'} {wanted} of the procedure",
                help=did_you_mean(ref.name, candidates) or (f"the procedure's {wanted}s are {listing}" if candidates else None),
            )
        )
        return None


def _fits(fact: m.Fact, value) -> bool:
    if fact.type == "boolean":
        return isinstance(value, bool)
    if fact.type == "number":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, str) and any(choice.name == value for choice in fact.choices)


def _describe_type(fact: m.Fact) -> str:
    if fact.type == "boolean":
        return "is yes or no"
    if fact.type == "number":
        return "is a number"
    return "is one of " + ", ".join(c.name for c in fact.choices)


def _shown(value) -> str:
    return {True: "yes", False: "no"}.get(value, str(value)) if isinstance(value, bool) else str(value)


def _value_help(fact: m.Fact, value) -> str | None:
    if fact.type == "choice":
        return did_you_mean(str(value), [c.name for c in fact.choices]) or "choose one of " + ", ".join(f"`{c.name}`" for c in fact.choices)
    if fact.type == "boolean":
        return f"write `{fact.name} is yes` or `{fact.name} is no`"
    return f"write a whole number: `{fact.name} is 17`"


def quick_run(data: bytes, name: str, plan: Plan, as_of: date | None) -> CaseResult | None:
    """Simulate a plain, well-formed case straight from its text, for batches; None means use load_case.

    Its result lists only the steps the case has reached or that have fallen due.

    It builds no model and no spans, and takes the quick way only when the full
    path would find nothing to report that changes the result: every name known,
    every value of the right kind. A test holds its results equal to the full path's.
    """
    source, _ = decode(data, name)
    if source is None:
        return None
    inputs = read_plain_inputs(source)
    if inputs is None:
        return None
    when = as_of or inputs.as_of
    if when is None:
        return None
    for fact_name, value in inputs.facts.items():
        fact = plan.facts.get(fact_name)
        if fact is None or (value is not None and not _fits(fact, value)):
            return None
    if not plan.recordable.issuperset(inputs.happenings):
        return None
    return simulate(plan, inputs.facts, inputs.happenings, when, only_reached=True)


# ---- running a case and judging its expectations ---------------------------------


def run_case(loaded: LoadedCase, as_of: date | None = None) -> CaseResult | None:
    """Simulate a loaded case as of a date (the command line's, else the case's own, else None)."""
    if not loaded.runnable:
        return None
    when = as_of or loaded.case.as_of
    if when is None:
        return None
    return simulate(loaded.plan, loaded.facts, loaded.happenings, when, loaded.spans)


def judge(loaded: LoadedCase, result: CaseResult) -> tuple[Diagnostic, ...]:
    """Each expectation the result does not meet, as a located diagnostic saying expected and actual."""
    failures = []
    for expectation in loaded.case.expectations:
        problem = _unmet(expectation, result)
        if problem is not None:
            failures.append(error("P420", problem, expectation.span, label="this expectation is not met", help=None))
    return tuple(failures)


_STATE_WORDS = {
    "not_applicable": "not applicable",
    "done_on_time": "done on time",
    "done_late": "done late",
}


def state_words(state: str) -> str:
    return _STATE_WORDS.get(state, state)


def _unmet(expectation: m.Expectation, result: CaseResult) -> str | None:
    kind = expectation.kind
    subject = expectation.subject.name if expectation.subject else None
    if kind in ("due", "no_due"):
        step = result.step(subject)
        actual = step.due if step else None
        wanted = expectation.value if kind == "due" else None
        if actual != wanted:
            expected_words = f"due {wanted.isoformat()}" if wanted else "to have no due date yet"
            actual_words = f"it is due {actual.isoformat()}" if actual else "it has no due date yet"
            return f"expected `{subject}` {expected_words}, but {actual_words}"
        return None
    if kind == "state":
        step = result.step(subject)
        actual = _actual_state(step)
        wanted = expectation.value
        matches = actual == wanted or (wanted == "done" and actual in ("done_on_time", "done_late"))
        if not matches:
            return f"expected `{subject}` to be {state_words(wanted)}, but it is {state_words(actual)}"
        return None
    if kind == "branch":
        decision = result.decision(subject)
        actual = decision.branch if decision else None
        if actual != expectation.value.name:
            why = f" ({decision.because})" if decision and decision.because else ""
            taken = f"`{actual}`" if actual else "no branch yet"
            return f"expected decision `{subject}` to take `{expectation.value.name}`, but it takes {taken}{why}"
        return None
    if kind == "escalation":
        role, on = expectation.value
        source = expectation.source.name if expectation.source else None
        for fired in result.escalations:
            if fired.to == role.name and fired.on == on and (source is None or fired.step == source):
                return None
        fired_list = "; ".join(f"from `{e.step}` to `{e.to}` on {e.on.isoformat()}" for e in result.escalations) or "none"
        whence = f" from `{source}`" if source else ""
        return f"expected an escalation{whence} to `{role.name}` on {on.isoformat()}, but the escalations are: {fired_list}"
    if kind == "outcome":
        if result.end != subject:
            return f"expected the outcome `{subject}`, but the case " + (
                f"ends in `{result.end}`" if result.end else "has not reached an outcome"
            )
        return None
    if kind == "no_outcome":
        if result.end is not None:
            return f"expected no outcome yet, but the case ends in `{result.end}`"
        return None
    breaches = result.breaches
    if breaches:
        listed = ", ".join(f"`{s.step}` ({'done late' if s.done_on else 'overdue'}, due {s.due.isoformat()})" for s in breaches)
        return f"expected no breaches, but found {listed}"
    return None


def _actual_state(step) -> str:
    if step is None:
        return "not_applicable"
    if step.state == "done":
        return "done_late" if step.late else "done_on_time"
    return step.state
