"""A case worked through in the shell: what is known, what happened when, and what follows.

The session keeps the case as a case file would say it (facts, dated happenings, facts
learnt on a date, the day it is seen from) and runs it the way `safeproc simulate`
and `safeproc test` do, by writing that case file's text and reading it back: so what
the shell shows, what `save` writes and what `test` later judges are one thing.
Every command returns a `Reply` (lines to show, diagnostics); nothing here prints.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from attrs import evolve, field, frozen

from interpreter import model as m
from interpreter.conditions import shown_value
from interpreter.diagnostics import Diagnostic, Severity, error
from interpreter.scenario import LoadedCase, fits, run_case, value_help
from interpreter.simulate import CaseResult, DecisionResult
from interpreter.suggest import did_you_mean
from repl.procedure_cache import ProcedureCache, load_case_file

DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


@frozen
class Reply:
    lines: tuple[str, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()

    @classmethod
    def problem(cls, message: str, help: str | None = None) -> Reply:
        return cls((), (error("P901", message, None, help=help),))


@frozen(kw_only=True)
class CaseState:
    """The case as its file would say it."""

    name: str = "A case worked through in the shell"
    as_of: date | None = None
    facts: tuple[tuple[str, m.Value], ...] = ()  # in the order they were set
    happenings: tuple[tuple[date, str, bool], ...] = ()  # (day, event or step, done), in the order recorded
    learnt: tuple[tuple[date, str, m.Value], ...] = ()
    expectations: tuple[str, ...] = field(factory=tuple)  # kept from a loaded file, written back on save

    def fact(self, name: str) -> m.Value:
        return dict(self.facts).get(name)

    def with_fact(self, name: str, value: m.Value) -> CaseState:
        kept = [(n, v) for n, v in self.facts if n != name]
        return evolve(self, facts=tuple(kept + [(name, value)]))

    def without_fact(self, name: str) -> CaseState:
        return evolve(self, facts=tuple((n, v) for n, v in self.facts if n != name))

    def text(self, procedure_path: str, expectations: Sequence[str] = ()) -> str:
        """The case file: dated lines in date order, as `safeproc test` reads them."""
        lines = [f'case "{self.name}"', f'  procedure "{procedure_path}"']
        if self.as_of is not None:
            lines.append(f"  as of {self.as_of.isoformat()}")
        lines.append("end")
        lines.append("")
        lines.append("facts")
        for name, value in self.facts:
            lines.append(f"  {name} is {shown_value(value)}")
        lines.append("end")
        dated = [
            (day, 0, index, f"on {day.isoformat()} {name}" + (" done" if done else ""))
            for index, (day, name, done) in enumerate(self.happenings)
        ]
        dated += [
            (day, 1, index, f"on {day.isoformat()} {name} is {shown_value(value)}") for index, (day, name, value) in enumerate(self.learnt)
        ]
        if dated:
            lines.append("")
            lines.extend(text for _, _, _, text in sorted(dated))
        written = list(expectations) or list(self.expectations)
        if written:
            lines.append("")
            lines.extend(written)
        return "\n".join(lines) + "\n"


class CaseSession:
    """A procedure and the case being explored against it, with undo."""

    def __init__(self, procedure_path: Path | None = None, procedures: ProcedureCache | None = None):
        self.procedures = procedures or ProcedureCache()
        self.procedure_path = procedure_path
        self.state = CaseState()
        self.undo_stack: list[tuple[CaseState, str]] = []  # each earlier case, and what changed it
        self.saved_as: CaseState | None = CaseState()  # the case as last saved or loaded: leaving asks if it differs
        self.told: set[str] = set()  # warnings already shown, so that each is shown once
        self.warned_on_leaving = False
        self.what_if: CaseState | None = None
        self.today = date.today()
        # The case files this session read or wrote: saved over without asking. Any other
        # file that exists is replaced only when `save` names it twice running.
        self.own_files: set[Path] = set()
        self.replacing: Path | None = None

    # ---- the procedure --------------------------------------------------------------------

    def procedure(self) -> m.Procedure | None:
        if self.procedure_path is None:
            return None
        analysis, _plan, _problem = self.procedures.get(self.procedure_path)
        return analysis.procedure if analysis is not None else None

    def open(self, path: Path) -> Reply:
        analysis, plan, problem = self.procedures.get(path)
        if problem is not None:
            return Reply.problem(f"cannot read `{path}`: {problem}")
        if plan is None:
            errors = tuple(d for d in (analysis.diagnostics if analysis else ()) if d.is_error)
            return Reply((f"`{path}` has errors, so no case can run against it: `check {path}` shows them",), errors)
        self.procedure_path = path
        procedure = analysis.procedure if analysis is not None else None
        title = procedure.title if procedure is not None else str(path)
        return Reply((f"opened {path}: {title}",))

    def names(self, kinds: tuple[type, ...]) -> list[str]:
        procedure = self.procedure()
        if procedure is None:
            return []
        return [d.name for d in procedure.declarations() if isinstance(d, kinds)]

    # ---- running the case -----------------------------------------------------------------

    def _run(self, state: CaseState) -> tuple[LoadedCase, CaseResult | None]:
        assert self.procedure_path is not None
        text = state.text(self.procedure_path.name)
        loaded = load_case_file(text.encode(), str(self.procedure_path.parent / "shell.case"), self.procedures, self.procedure_path)
        if not loaded.runnable:
            return loaded, None
        return loaded, run_case(loaded, self.seen_from(state))

    def seen_from(self, state: CaseState) -> date:
        """The day the case is seen from: the one set with `as of`, else the last day recorded, else today."""
        recorded = [day for day, _, _ in state.happenings] + [day for day, _, _ in state.learnt]
        return state.as_of or (max(recorded) if recorded else self.today)

    def _current(self) -> tuple[LoadedCase, CaseResult] | Reply:
        """The case run as it stands, or what stops it running."""
        missing = self._need_procedure()
        if missing is not None:
            return missing
        loaded, result = self._run(self.state)
        if result is None:
            return Reply((), tuple(d for d in loaded.diagnostics if d.is_error))
        return loaded, result

    def _need_procedure(self) -> Reply | None:
        if self.procedure_path is None:
            return Reply.problem("no procedure is open", help="open one: `open procedures/pan-sussex/cspr.proc`")
        return None

    def _change(self, new: CaseState, said: str) -> Reply:
        missing = self._need_procedure()
        if missing is not None:
            return missing
        loaded, result = self._run(new)
        problems = tuple(d for d in loaded.diagnostics if d.is_error)
        if problems:
            return Reply((), problems)
        self.undo_stack.append((self.state, said))
        # Expectations loaded with a scenario were about the case as it was: a change drops them.
        self.state = evolve(new, expectations=())
        self.what_if = None
        lines = [said]
        if result is not None:
            lines.extend(_headline(result))
            later = sorted(
                {day for day, _, _ in new.happenings if day > result.as_of} | {day for day, _, _ in new.learnt if day > result.as_of}
            )
            if later:
                lines.append(
                    f"  (seen as of {result.as_of}: what is recorded after it, from {later[0]}, is kept but not shown; `as of {later[-1]}` shows it)"
                )
        return Reply(tuple(lines), self._new_warnings(result.diagnostics if result else ()))

    def _new_warnings(self, diagnostics: Sequence[Diagnostic]) -> tuple[Diagnostic, ...]:
        """Warnings not shown before, without the place in the case file the shell writes (there is no such file)."""
        fresh = []
        for diagnostic in diagnostics:
            if diagnostic.severity is Severity.NOTE or diagnostic.message in self.told:
                continue
            self.told.add(diagnostic.message)
            fresh.append(evolve(diagnostic, span=None, labels=()))
        return tuple(fresh)

    @property
    def unsaved(self) -> bool:
        return self.saved_as is not None and self.state != self.saved_as

    # ---- commands that change the case -----------------------------------------------------

    def set_fact(self, name: str, raw: str) -> Reply:
        checked = self._fact_value(name, raw)
        if isinstance(checked, Reply):
            return checked
        return self._change(self.state.with_fact(name, checked), f"{name} is {shown_value(checked)}")

    def unset_fact(self, name: str) -> Reply:
        """Take a fact back to unknown, or take back what was recorded of an event, a step or a learnt fact."""
        if name in dict(self.state.facts):
            return self._change(self.state.without_fact(name), f"{name} is unknown again")
        if any(item[1] == name for item in self.state.learnt):
            return self._change(
                evolve(self.state, learnt=tuple(i for i in self.state.learnt if i[1] != name)), f"{name} is no longer learnt"
            )
        if any(item[1] == name for item in self.state.happenings):
            kept = tuple(item for item in self.state.happenings if item[1] != name)
            return self._change(evolve(self.state, happenings=kept), f"{name} is no longer recorded")
        given = list(dict(self.state.facts)) + [i[1] for i in self.state.learnt] + [i[1] for i in self.state.happenings]
        return Reply.problem(f"`{name}` is neither set nor recorded", help=did_you_mean(name, given) or "`status` shows what is recorded")

    def happened(self, day_text: str, name: str) -> Reply:
        day = self.parse_date(day_text)
        if isinstance(day, Reply):
            return day
        procedure = self.procedure()
        declaration = next((d for d in procedure.declarations() if d.name == name), None) if procedure else None
        if isinstance(declaration, m.Event):
            # An event happens once: a new date for it replaces the old one.
            kept = tuple(item for item in self.state.happenings if item[1] != name)
            return self._change(evolve(self.state, happenings=kept + ((day, name, False),)), f"on {day} {name}")
        if isinstance(declaration, (m.Step, m.Decision)):
            return self.done(name, day_text)
        return self._unknown(name, (m.Event, m.Step, m.Decision), "event or step")

    def learnt(self, day_text: str, name: str, raw: str) -> Reply:
        day = self.parse_date(day_text)
        if isinstance(day, Reply):
            return day
        checked = self._fact_value(name, raw)
        if isinstance(checked, Reply):
            return checked
        if name in dict(self.state.facts):
            return Reply.problem(
                f"`{name}` is already given as {shown_value(self.state.fact(name))}: a fact learnt on a date is one that was unknown",
                help=f"`unset {name}` first, if it was not known from the start",
            )
        learnt = tuple(item for item in self.state.learnt if item[1] != name) + ((day, name, checked),)
        return self._change(evolve(self.state, learnt=learnt), f"on {day} {name} is {shown_value(checked)}")

    def done(self, name: str, day_text: str) -> Reply:
        day = self.parse_date(day_text)
        if isinstance(day, Reply):
            return day
        procedure = self.procedure()
        declaration = next((d for d in procedure.declarations() if d.name == name), None) if procedure else None
        if not isinstance(declaration, (m.Step, m.Decision)):
            return self._unknown(name, (m.Step, m.Decision), "step")
        kept = tuple(item for item in self.state.happenings if item[1] != name)
        return self._change(evolve(self.state, happenings=kept + ((day, name, True),)), f"{name} done on {day}")

    def set_as_of(self, day_text: str) -> Reply:
        day = self.parse_date(day_text)
        if isinstance(day, Reply):
            return day
        return self._change(evolve(self.state, as_of=day), f"seen as of {day}")

    def undo(self) -> Reply:
        if not self.undo_stack:
            return Reply(("nothing to undo",))
        self.state, said = self.undo_stack.pop()
        self.what_if = None
        return Reply((f"undone: {said}",))

    def reset(self) -> Reply:
        self.undo_stack.append((self.state, "reset"))
        self.state = CaseState()
        self.what_if = None
        return Reply(("the case is empty again (`undo` brings it back)",))

    def rename(self, name: str) -> Reply:
        if '"' in name or "\n" in name:
            return Reply.problem("a case's name cannot hold a double quote or a line break")
        self.undo_stack.append((self.state, f"name {name}"))
        self.state = evolve(self.state, name=name)
        return Reply((f'the case is called "{name}"',))

    # ---- commands that read it -----------------------------------------------------------

    def status(self) -> Reply:
        from repl.timeline import text_timeline

        ran = self._current()
        if isinstance(ran, Reply):
            return ran
        loaded, result = ran
        return Reply(tuple(text_timeline(loaded, result).splitlines()), result.diagnostics)

    def next_steps(self) -> Reply:
        ran = self._current()
        if isinstance(ran, Reply):
            return ran
        loaded, result = ran
        titles = self._titles()
        open_steps = [s for s in result.steps if s.state in (m.StepState.OPEN, m.StepState.OVERDUE)]
        waiting = {d.decision: d.because for d in result.decisions if d.branch is None}
        lines = [f"as of {result.as_of.isoformat()}:"]
        if result.end is not None:
            lines.append(f"  the case has ended: {result.end}")
        if not open_steps and result.end is None:
            lines.append("  nothing is open: record what has happened (`on DATE EVENT`, `done STEP on DATE`)")
        for step in sorted(open_steps, key=lambda s: (s.due or date.max, s.step)):
            owner = titles.get(step.owner or "", step.owner or "no owner named")
            due = f"due {step.due.isoformat()}" if step.due else "no due date"
            if step.not_before is not None:
                due += f", not before {step.not_before.isoformat()}"
            mark = ", OVERDUE" if step.state == m.StepState.OVERDUE else ""
            why = f" ({waiting[step.step]})" if step.step in waiting else ""
            lines.append(f"  {step.step}: {step.title} [{owner}], {due}{mark}{why}")
        coming = sorted((s for s in result.steps if s.state == m.StepState.WAITING and s.due is not None), key=lambda s: (s.due, s.step))
        for step in coming[:5]:
            lines.append(f"  then {step.step}: {step.title}, due {step.due.isoformat() if step.due else ''} (its clock has started)")
        return Reply(tuple(lines))

    def overdue(self) -> Reply:
        ran = self._current()
        if isinstance(ran, Reply):
            return ran
        loaded, result = ran
        late = [s for s in result.steps if s.state == m.StepState.OVERDUE]
        lines = [f"overdue as of {result.as_of.isoformat()}:"] + [f"  {s.step}: due {s.due.isoformat() if s.due else '?'}" for s in late]
        if not late:
            lines = [f"nothing is overdue as of {result.as_of.isoformat()}"]
        for escalation in result.escalations:
            lines.append(f"  escalated {escalation.step} to {escalation.to} on {escalation.on.isoformat()}: {escalation.reason}")
        return Reply(tuple(lines))

    def why(self, name: str) -> Reply:
        """Why a step applies or not: the decisions before it and the facts that decided them."""
        missing = self._need_procedure()
        if missing is not None:
            return missing
        procedure = self.procedure()
        declaration = next((d for d in procedure.declarations() if d.name == name), None) if procedure else None
        if not isinstance(declaration, (m.Step, m.Decision, m.Outcome, m.Parallel, m.Join)):
            return self._unknown(name, (m.Step, m.Decision, m.Outcome), "step")
        loaded, result = self._run(self.state)
        if result is None or loaded.plan is None:
            return Reply((), tuple(d for d in loaded.diagnostics if d.is_error))
        step = next((s for s in result.steps if s.step == name), None)
        state = step.state.replace("_", " ") if step is not None else ("reached" if name == result.end else "not reached")
        lines = [f"{name}: {state}"]
        plan = loaded.plan
        before = [d for d in result.decisions if name in plan.descendants(d.decision)]
        decision = next((d for d in result.decisions if d.decision == name), None)
        if decision is not None:
            lines.append(f"  it takes {decision.branch}, because {decision.because}" if decision.branch else f"  it is {decision.because}")
        towards: list[DecisionResult] = []
        for taken in before:
            if taken.branch is None:
                lines.append(f"  {taken.decision} has not decided yet: {taken.because}")
            elif name == taken.branch or name in plan.descendants(taken.branch):
                towards.append(taken)
            else:
                lines.append(f"  {taken.decision} took {taken.branch}, away from it, because {taken.because}")
        if towards:
            last = towards[-1]
            lines.append(f"  {last.decision} took {last.branch}, towards it, because {last.because}")
            if len(towards) > 1:
                lines.append("  (on the way: " + ", ".join(t.decision for t in towards[:-1]) + " also led towards it)")
        if len(lines) == 1:
            lines.append("  no decision stands between the start and it")
        return Reply(tuple(lines))

    # ---- what if --------------------------------------------------------------------------

    def suppose(self, words: Sequence[str]) -> Reply:
        """`what if FACT = VALUE`, `what if on DATE EVENT`, `what if STEP done on DATE`, `what if as of DATE`."""
        missing = self._need_procedure()
        if missing is not None:
            return missing
        trial = CaseSession(self.procedure_path, self.procedures)
        trial.state, trial.today = self.state, self.today
        from repl.shell_commands import CASE_CHANGES, apply_case_command

        # `what if care_leaver = yes` is `set care_leaver = yes`, supposed.
        change = list(words) if words and words[0] in CASE_CHANGES else ["set", *words]
        reply = apply_case_command(trial, change)
        if reply is None:
            return Reply.problem(
                "`what if` takes a change to the case",
                help="for example `what if care_leaver = yes`, `what if on 2024-03-01 aware`, `what if submit_sin done on 2024-03-08`",
            )
        if any(d.is_error for d in reply.diagnostics):
            return reply
        _, before = self._run(self.state)
        _, after = self._run(trial.state)
        if before is None or after is None:
            return Reply.problem("the case cannot run as it stands: `status` says why")
        self.what_if = trial.state
        lines = ["if " + " ".join(words) + ":"] + list(compared(before, after)) + ["(nothing has changed: `keep` adopts it)"]
        return Reply(tuple(lines))

    def keep(self) -> Reply:
        if self.what_if is None:
            return Reply(("no what-if to keep: try `what if FACT = VALUE`",))
        kept = self.what_if
        return self._change(kept, "kept")

    # ---- files ----------------------------------------------------------------------------

    def save(self, target: Path, with_expectations: bool, replace: bool = False) -> Reply:
        """Write the case as a scenario. An existing case file this session did not load or save is
        replaced only with `replace`, or when the same save is asked twice running."""
        from repl.output_file import OutputRefused, output_target, write_atomically

        missing = self._need_procedure()
        if missing is not None:
            return missing
        assert self.procedure_path is not None
        asked_before, self.replacing = self.replacing, None
        if target.suffix != ".case":
            # A typing slip (`save cspr.proc`, completed by Tab) must not replace a procedure or a note.
            named = target.with_suffix(".case") if target.name not in ("", ".", "..") else target / "NAME.case"
            return Reply.problem(f"a case is saved as a .case file: for example `save {named}`")
        try:
            written = output_target(str(target), [self.procedure_path], standard_output=False)
        except OutputRefused as exc:
            return Reply.problem(f"{exc}; the case is still here")
        assert written is not None
        written = Path(os.path.realpath(written))
        if not replace and written.exists() and written not in self.own_files and asked_before != written:
            self.replacing = written
            again = f"save {target}" + (" --with-expectations" if with_expectations else "")
            return Reply.problem(
                f"`{target}` already exists, and is not the case this session loaded or saved",
                help=f"`{again}` again, straight away, replaces it (or add --replace); or choose another name",
            )
        loaded, result = self._run(self.state)
        if result is None:
            return Reply((), tuple(d for d in loaded.diagnostics if d.is_error))
        expectations = expectations_for(result) if with_expectations else []
        # From where the file is written: through a link to another folder, that folder.
        relative = _relative_path(self.procedure_path, written.parent)
        # The day it is seen from is written, so that the scenario means the same tomorrow.
        text = evolve(self.state, as_of=result.as_of).text(relative, expectations)
        try:
            write_atomically(written, text.encode("utf-8"))
        except OSError as exc:
            return Reply.problem(
                f"could not save `{target}`: {(exc.strerror or str(exc)).lower()}; the case is still here",
                help="save it somewhere else: `save other/path.case`",
            )
        self.saved_as = self.state
        self.own_files.add(written)
        return Reply((f"saved {target}" + (f" with {len(expectations)} expectations" if expectations else ""),))

    def load(self, path: Path) -> Reply:
        from interpreter.source import read_regular_file

        try:
            data = read_regular_file(path)
        except OSError as exc:
            return Reply.problem(f"cannot read `{path}`: {(exc.strerror or str(exc)).lower()}")
        loaded = load_case_file(data, str(path), self.procedures, None)
        case = loaded.case
        if case is None or loaded.procedure is None or loaded.plan is None:
            return Reply((), tuple(d for d in loaded.diagnostics if d.is_error) or (error("P901", f"`{path}` cannot be loaded", None),))
        assert case.procedure_path is not None
        self.undo_stack.append((self.state, f"load {path}"))
        before = self.procedure_path
        self.procedure_path = Path(os.path.normpath(path.parent / case.procedure_path))
        # A case runs against the procedure it names: where that is another file than the one open, say so.
        switched = before is not None and not self.procedures.same_file(before, self.procedure_path)
        self.state = CaseState(
            name=case.name,
            as_of=case.as_of,
            facts=tuple((f.fact.name, f.value) for f in case.facts if f.value is not None),
            happenings=tuple((h.on, h.name.name, h.done) for h in case.happenings),
            learnt=tuple((item.on, item.fact.fact.name, item.fact.value) for item in case.learnt),
            expectations=_expectation_lines(loaded),
        )
        self.what_if = None
        self.saved_as = self.state
        self.own_files.add(Path(os.path.realpath(path)))
        lines = [f"loaded {path}: {case.name}"]
        if switched:
            lines.append(f"it names the procedure `{self.procedure_path}`, which is now the one open (it was `{before}`)")
        return Reply(tuple(lines), tuple(d for d in loaded.diagnostics if not d.is_error))

    def reload(self) -> Reply:
        """Read the procedure again after an edit, and say what that changes for the case."""
        missing = self._need_procedure()
        if missing is not None:
            return missing
        assert self.procedure_path is not None
        _, before = self._run(self.state)
        self.procedures = ProcedureCache()
        analysis, plan, problem = self.procedures.get(self.procedure_path)
        if problem is not None or plan is None:
            errors = tuple(d for d in (analysis.diagnostics if analysis else ()) if d.is_error)
            return Reply((f"`{self.procedure_path}` now has errors: the case waits until they are fixed",), errors)
        loaded, after = self._run(self.state)
        if after is None:
            return Reply(("the case no longer fits the procedure:",), tuple(d for d in loaded.diagnostics if d.is_error))
        if before is None:
            return Reply((f"reloaded {self.procedure_path}",))
        return Reply((f"reloaded {self.procedure_path}; for this case:", *compared(before, after)))

    # ---- helpers --------------------------------------------------------------------------

    def parse_date(self, text: str) -> date | Reply:
        if text == "today":
            return self.today
        if not DATE.match(text):
            return Reply.problem(f"`{text}` is not a date", help="write dates as YYYY-MM-DD, such as 2024-01-08, or `today`")
        try:
            return date.fromisoformat(text)
        except ValueError:
            return Reply.problem(f"`{text}` is not a day of the calendar", help="check the month and the day")

    def _fact_value(self, name: str, raw: str) -> m.Value | Reply:
        procedure = self.procedure()
        fact = next((f for f in procedure.facts if f.name == name), None) if procedure else None
        if fact is None:
            return self._unknown(name, (m.Fact,), "fact")
        word = raw.lower() if raw.lower() in ("yes", "no", "unknown") else raw
        value: m.Value = {"yes": True, "no": False}.get(word, int(raw) if raw.isdigit() else raw)
        if word == "unknown":
            return Reply.problem(f"to make `{name}` unknown, write `unset {name}`")
        if not fits(fact, value):
            return Reply.problem(f"`{raw}` is not a value of `{name}`", help=value_help(fact, value))
        return value

    def _unknown(self, name: str, kinds: tuple[type, ...], wanted: str) -> Reply:
        suggestion = did_you_mean(name, self.names(kinds))
        return Reply.problem(f"the procedure has no {wanted} `{name}`", help=suggestion or f"`help names` lists the {wanted}s")

    def _titles(self) -> dict[str, str]:
        procedure = self.procedure()
        return {role.name: role.title or role.name for role in procedure.roles} if procedure else {}


def _headline(result: CaseResult) -> list[str]:
    """After a change: what is open now, in one or two lines."""
    open_steps = [s for s in result.steps if s.state in (m.StepState.OPEN, m.StepState.OVERDUE)]
    if result.end is not None:
        return [f"  the case has ended: {result.end}"]
    if not open_steps:
        return []
    shown = ", ".join(
        f"{s.step}" + (f" (due {s.due.isoformat()}{', OVERDUE' if s.state == m.StepState.OVERDUE else ''})" if s.due else "")
        for s in open_steps[:4]
    )
    more = f" and {len(open_steps) - 4} more" if len(open_steps) > 4 else ""
    return [f"  open: {shown}{more}"]


def compared(before: CaseResult, after: CaseResult) -> list[str]:
    """How a case's timeline differs: steps that appear or vanish, due dates that move, escalations, the outcome."""
    lines: list[str] = []
    old = {s.step: s for s in before.steps}
    new = {s.step: s for s in after.steps}
    for name, step in new.items():
        was = old.get(name)
        if was is None:
            continue
        gone = m.StepState.NOT_APPLICABLE
        if was.state == gone and step.state != gone:
            lines.append(f"  + {name} now applies ({step.state.replace('_', ' ')})")
        elif was.state != gone and step.state == gone:
            lines.append(f"  - {name} no longer applies")
        elif was.due != step.due:
            lines.append(f"  ~ {name} due {_day(was.due)} → {_day(step.due)}")
        elif was.not_before != step.not_before:
            lines.append(f"  ~ {name} not before {_day(was.not_before)} → {_day(step.not_before)}")
        elif was.state != step.state:
            lines.append(f"  ~ {name} {was.state.replace('_', ' ')} → {step.state.replace('_', ' ')}")
    old_escalations = {(e.step, e.to, e.on) for e in before.escalations}
    new_escalations = {(e.step, e.to, e.on) for e in after.escalations}
    for escalated, to, on in sorted(new_escalations - old_escalations):
        lines.append(f"  ! {escalated} escalated to {to} on {on.isoformat()}")
    for escalated, to, on in sorted(old_escalations - new_escalations):
        lines.append(f"  ! no longer escalated: {escalated} to {to} on {on.isoformat()}")
    if before.end != after.end:
        lines.append(f"  outcome: {before.end or 'none yet'} → {after.end or 'none yet'}")
    return lines or ["  no difference to the timeline"]


def _day(day: date | None) -> str:
    return day.isoformat() if day else "no date"


def expectations_for(result: CaseResult) -> list[str]:
    """`expect` lines for what the shell shows now: decisions, due dates and earliest days, states, escalations, the outcome."""
    lines = []
    for decision in result.decisions:
        if decision.branch is not None:
            lines.append(f"expect {decision.decision} takes {decision.branch}")
    for step in result.steps:
        if step.kind != m.NodeKind.STEP:
            continue
        state = step.state
        if state == m.StepState.DONE and step.due is not None:
            state = m.StepState.DONE_LATE if step.late else m.StepState.DONE_ON_TIME
        if state in (m.StepState.DONE_ON_TIME, m.StepState.DONE_LATE, m.StepState.OPEN, m.StepState.OVERDUE, m.StepState.DONE):
            lines.append(f"expect {step.step} is {state.replace('_', ' ')}")
        if step.due is not None and step.state != m.StepState.NOT_APPLICABLE:
            lines.append(f"expect {step.step} due {step.due.isoformat()}")
        if step.not_before is not None and step.state != m.StepState.NOT_APPLICABLE:
            lines.append(f"expect {step.step} not before {step.not_before.isoformat()}")
    for escalation in result.escalations:
        lines.append(f"expect escalation from {escalation.step} to {escalation.to} on {escalation.on.isoformat()}")
    if not result.escalations:
        lines.append("expect no escalation")
    lines.append(f"expect outcome {result.end}" if result.end else "expect no outcome")
    return lines


def _expectation_lines(loaded: LoadedCase) -> tuple[str, ...]:
    if loaded.source is None:
        return ()
    return tuple(line.strip() for line in loaded.source.text.splitlines() if line.strip().startswith("expect "))


def _relative_path(procedure: Path, folder: Path) -> str:
    try:
        return os.path.relpath(procedure.resolve(), folder.resolve()).replace(os.sep, "/")
    except ValueError:
        return str(procedure.resolve())
