"""A procedure as a static website a partnership can publish: `safeproc handbook`.

The pages, each plain HTML with one shared style sheet and nothing fetched from
anywhere else:
- `index.html`: the overview chart (a box per phase, each a link), the phases, roles
  and scenarios;
- `phase-KEY.html`: a phase's chart, each box a link to its card below it; a card per
  step with its owner, duty, every deadline in words with how its days are counted,
  escalations, where it leads, the cited paragraphs (with their text when the source
  is given) and the scenarios that reach it;
- `timescales.html`: what is due when, a table per trigger that deadlines count from;
- `roles.html` and `role-NAME.html`: what each role does, and by when;
- `scenario-NN-NAME.html`: each scenario as a timeline picture and a table.
Every chart is also written as an `.svg` file beside its page.

Everything the procedure or a case says is escaped on the way in; the pages are
the same bytes for the same inputs (no dates of writing, no random ids).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path

import networkx as nx
from attrs import field, frozen

from interpreter import model as m
from interpreter.phases import Phase, phase_of
from interpreter.scenario import LoadedCase
from interpreter.simulate import CaseResult
from interpreter.wording import calendar_name, describe_deadline, guard_text, kind_noun, unit_meaning
from visualise.case_timeline import TimelineRow, case_picture, role_titles_of
from visualise.chart import ChartLinks, build_chart, build_overview, build_phase_chart
from visualise.dot import to_dot
from visualise.wording import visible

# Which states of a step mean a scenario reached it.
_REACHED = frozenset({m.StepState.OPEN, m.StepState.DONE, m.StepState.OVERDUE, m.StepState.DONE_ON_TIME, m.StepState.DONE_LATE})
# The file that marks a folder as a handbook safeproc wrote, listing its files (see write_folder_atomically).
MARKER = ".safeproc-handbook"


@frozen
class Scenario:
    """A case file run for the handbook: its name on disk, what was loaded, and the result (None if it could not run)."""

    file_name: str
    loaded: LoadedCase
    result: CaseResult | None
    problems: tuple[str, ...] = ()


@frozen
class HandbookInput:
    procedure: m.Procedure
    graph: nx.DiGraph
    phases: tuple[Phase, ...]
    paragraphs: dict[str, str]  # paragraph number -> its text, from --source
    scenarios: tuple[Scenario, ...]
    draw_svg: Callable[[str], bytes]  # DOT source -> SVG (Graphviz)
    readings: dict[str, tuple[str, ...]] = field(factory=dict)  # paragraph number -> the READING.md notes about it, by heading


def build_handbook(given: HandbookInput, progress: Callable[[str], None] = lambda _: None) -> dict[str, bytes]:
    """Every file of the handbook, by its name in the folder."""
    return _Handbook(given, progress).files()


def e(text: object) -> str:
    """Text for HTML: control and bidirectional-override characters shown as � (so no title can
    garble the page or turn its neighbours' words round), markup characters and both quotes escaped."""
    return html.escape(visible(str(text), limit=100_000), quote=True)


class _Handbook:
    def __init__(self, given: HandbookInput, progress: Callable[[str], None]) -> None:
        self.given = given
        self.progress = progress
        self.procedure = given.procedure
        self.graph = given.graph
        self.phases = given.phases or (Phase("all", "Every step", 0, tuple(self.graph.nodes)),)
        self.in_phase = phase_of(self.phases)
        self.roles = {role.name: role for role in self.procedure.roles}
        self.role_titles = role_titles_of(self.procedure)
        self.titles = {declaration.name: declaration.title or declaration.name for declaration in self.procedure.declarations()}
        self.calendar = calendar_name(self.procedure)
        self.role_pages = _role_pages(self.procedure.roles)
        self.scenario_pages = [
            f"scenario-{number:02d}-{_slug(scenario.file_name)}.html" for number, scenario in enumerate(given.scenarios, start=1)
        ]
        self.reached_by: dict[str, list[int]] = {}
        for index, scenario in enumerate(given.scenarios):
            for step in scenario.result.steps if scenario.result is not None else ():
                if step.state in _REACHED:
                    self.reached_by.setdefault(step.step, []).append(index)
        self.links = ChartLinks(step=self.step_link, phase=lambda key: f"phase-{key}.html")

    def step_link(self, name: str) -> str | None:
        phase = self.in_phase.get(name)
        return f"phase-{phase.key}.html#step-{name}" if phase else None

    def files(self) -> dict[str, bytes]:
        files: dict[str, str | bytes] = {"style.css": STYLE_SHEET}
        overview_svg = None
        if self.given.phases:
            self.progress("drawing the overview")
            overview_svg = self.given.draw_svg(to_dot(build_overview(self.procedure, self.graph, self.given.phases, self.links)))
            files["overview.svg"] = overview_svg
        files["index.html"] = self.index_page(overview_svg)
        for number, phase in enumerate(self.phases, start=1):
            self.progress(f"drawing phase {number} of {len(self.phases)}: {phase.key}")
            if self.given.phases:
                chart = build_phase_chart(self.procedure, self.graph, self.given.phases, phase.key, self.links)
            else:
                chart = build_chart(self.procedure, self.graph, links=self.links)
            svg = self.given.draw_svg(to_dot(chart))
            files[f"phase-{phase.key}.svg"] = svg
            files[f"phase-{phase.key}.html"] = self.phase_page(phase, svg, with_lanes=bool(chart.lanes))
        if self.given.scenarios:
            self.progress(f"writing the pages of {len(self.given.scenarios)} scenarios")
        files["timescales.html"] = self.timescales_page()
        files["roles.html"] = self.roles_page()
        for role in self.procedure.roles:
            files[self.role_pages[role.name]] = self.role_page(role)
        for index, scenario in enumerate(self.given.scenarios):
            files[self.scenario_pages[index]] = self.scenario_page(scenario)
        return {name: content.encode("utf-8") if isinstance(content, str) else content for name, content in files.items()}

    # ---- the frame every page shares ------------------------------------------------

    def page(self, title: str, body: str, current: str) -> str:
        items = [("index.html", "Overview"), ("timescales.html", "Timescales"), ("roles.html", "Roles")]
        if self.given.scenarios:
            items.append(("index.html#scenarios", "Scenarios"))
        navigation = "".join(
            f'<li><a href="{link}"{" aria-current=page" if link == current else ""}>{e(words)}</a></li>' for link, words in items
        )
        subtitle = self.subtitle()
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'self'; img-src 'self'\">\n"
            f"<title>{e(title)} · {e(self.procedure.title)}</title>\n"
            '<link rel="stylesheet" href="style.css">\n</head>\n<body>\n'
            '<a class="skip" href="#main">Skip to the content</a>\n'
            f'<header><p class="procedure">{e(self.procedure.title)}</p>'
            + (f'<p class="source">{e(subtitle)}</p>' if subtitle else "")
            + f'<nav aria-label="Handbook"><ul>{navigation}</ul></nav></header>\n'
            f'<main id="main">\n<h1>{e(title)}</h1>\n{body}\n</main>\n'
            "<footer><p>Written by safeproc from the procedure file. Each rule cites the paragraphs it comes from.</p></footer>\n"
            "</body>\n</html>\n"
        )

    def subtitle(self) -> str:
        header = self.procedure.header
        return " · ".join(part for part in (header.source, header.version) if part) if header else ""

    def figure(self, svg: bytes, file_name: str, caption: str) -> str:
        return (
            f'<figure class="chart" tabindex="0" aria-label="{e(caption)}">\n{_inline(svg)}\n'
            f'<figcaption>{e(caption)}. <a href="{e(file_name)}">Open the chart on its own</a>.</figcaption>\n</figure>'
        )

    # ---- pages ----------------------------------------------------------------------

    def index_page(self, overview_svg: bytes | None) -> str:
        parts = []
        if overview_svg is not None:
            parts.append(
                self.figure(overview_svg, "overview.svg", "The procedure at a glance: a box per phase; choose one to open its chart")
            )
        parts.append('<h2 id="phases">Phases</h2>\n<ol class="phases">')
        for phase in self.phases:
            timed = sum(1 for name in phase.members if m.deadlines_of(self.graph.nodes[name]["declaration"]))
            detail = _count(len(phase.members), "box", "boxes") + (
                f", {timed} with a deadline" if timed == 1 else f", {timed} with deadlines" if timed else ""
            )
            parts.append(f'<li><a href="phase-{phase.key}.html">{e(phase.title)}</a> <span class="detail">{e(detail)}</span></li>')
        parts.append("</ol>")
        parts.append('<h2 id="roles">Roles</h2>\n<ul class="columns">')
        parts.extend(
            f'<li><a href="{self.role_pages[role.name]}">{e(self.role_titles[role.name])}</a></li>' for role in self.procedure.roles
        )
        parts.append("</ul>")
        if self.given.scenarios:
            parts.append('<h2 id="scenarios">Scenarios</h2>\n<ul>')
            for page, scenario in zip(self.scenario_pages, self.given.scenarios):
                parts.append(f'<li><a href="{page}">{e(_case_name(scenario))}</a> <span class="detail">{e(scenario.file_name)}</span></li>')
            parts.append("</ul>")
        return self.page("The procedure at a glance", "\n".join(parts), "index.html")

    def phase_page(self, phase: Phase, svg: bytes, with_lanes: bool) -> str:
        lanes = ", a lane per role" if with_lanes else ""  # a phase of ends alone has none
        parts = [self.figure(svg, f"phase-{phase.key}.svg", f"The chart of {phase.title}{lanes}; choose a box to go to its card")]
        parts.append(f'<h2 id="steps">The {_count(len(phase.members), "box", "boxes")} of this phase</h2>')
        parts.extend(self.card(name) for name in phase.members)
        number = self.phases.index(phase)
        around = []
        if number > 0:
            around.append(
                f'<a href="phase-{self.phases[number - 1].key}.html" rel="prev">Previous phase: {e(self.phases[number - 1].title)}</a>'
            )
        if number + 1 < len(self.phases):
            around.append(
                f'<a href="phase-{self.phases[number + 1].key}.html" rel="next">Next phase: {e(self.phases[number + 1].title)}</a>'
            )
        if around:
            parts.append(f'<nav class="around" aria-label="Phases">{" · ".join(around)}</nav>')
        return self.page(phase.title, "\n".join(parts), f"phase-{phase.key}.html")

    def card(self, name: str) -> str:
        attributes = self.graph.nodes[name]
        declaration: m.FlowNode = attributes["declaration"]
        rows: list[tuple[str, str]] = []
        owner = attributes["owner"]
        if owner:
            rows.append(("Done by", self.role_link(owner)))
        if attributes["duty"]:
            rows.append(("Duty", e(attributes["duty"])))
        deadlines = m.deadlines_of(declaration)
        if deadlines:
            rows.append(("Deadlines", _list(self.deadline_words(deadline) for deadline in deadlines)))
        escalations = m.escalations_of(declaration)
        if escalations:
            rows.append(("If late", _list(self.escalation_words(escalation) for escalation in escalations)))
        if isinstance(declaration, m.Step):
            if declaration.sends:
                rows.append(("Sends", _list(f"{e(sending.what)} to {self.role_link(sending.to.name)}" for sending in declaration.sends)))
            if declaration.produces:
                rows.append(("Produces", _list(e(document) for document in declaration.produces)))
        onward = self.onward(declaration)
        if onward:
            rows.append(("Then", _list(onward)))
        if declaration.cites:
            rows.append(("Cites", self.citations(declaration.cites)))
            readings = list(dict.fromkeys(note for number in declaration.cites for note in self.given.readings.get(number, ())))
            if readings:
                rows.append(
                    (
                        "How it was read",
                        _list(e(note) for note in readings) + '<p class="detail">Recorded in READING.md beside the procedure.</p>',
                    )
                )
        reached = self.reached_by.get(name, [])
        if self.given.scenarios:
            rows.append(
                (
                    "Scenarios",
                    _list(f'<a href="{self.scenario_pages[index]}">{e(_case_name(self.given.scenarios[index]))}</a>' for index in reached)
                    if reached
                    else "none of the scenarios reaches it",
                )
            )
        body = "".join(f"<dt>{e(label)}</dt><dd>{value}</dd>" for label, value in rows)
        return (
            f'<section class="card {e(attributes["kind"])}" id="step-{e(name)}" aria-labelledby="title-{e(name)}">\n'
            f'<h3 id="title-{e(name)}">{e(self.titles[name])}</h3>\n'
            f'<p class="name">{e(kind_noun(declaration))} <code>{e(name)}</code></p>\n'
            + (f"<dl>{body}</dl>\n" if body else "")
            + "</section>"
        )

    def deadline_words(self, deadline: m.Deadline) -> str:
        anchor = deadline.anchor.name
        link = self.step_link(anchor)
        anchor_words = f'<a href="{link}">{e(self.titles.get(anchor, anchor))}</a>' if link else e(self.titles.get(anchor, anchor))
        return (
            f"<strong>{e(describe_deadline(deadline))}</strong> "
            f'<span class="detail">(counted from: {anchor_words}; {e(unit_meaning(deadline.duration.unit, self.calendar))})</span>'
        )

    def escalation_words(self, escalation: m.Escalation) -> str:
        verb = "notify" if escalation.action == m.EscalationAction.NOTIFY else "escalate to"
        target = escalation.target.name
        whom = self.role_link(target) if target in self.roles else self.flow_link(target)
        return f"if {e(escalation.trigger)}: {verb} {whom}" + (f" — {e(escalation.what)}" if escalation.what else "")

    def onward(self, declaration: m.FlowNode) -> list[str]:
        if isinstance(declaration, m.Decision):
            words = [f"when {e(guard_text(branch.guard))}: {self.flow_link(branch.target.name)}" for branch in declaration.branches]
            if declaration.otherwise is not None:
                words.append(f"otherwise: {self.flow_link(declaration.otherwise.name)}")
            return words
        if isinstance(declaration, m.Parallel):
            return [f"at the same time: {self.flow_link(branch.name)}" for branch in declaration.branches]
        if isinstance(declaration, (m.Step, m.Join)) and declaration.next is not None:
            return [self.flow_link(declaration.next.name)]
        return []

    def citations(self, cites: Sequence[str]) -> str:
        quoted = [
            f"<blockquote><p><strong>{e(number)}</strong> {e(self.given.paragraphs[number])}</p></blockquote>"
            for number in cites
            if number in self.given.paragraphs
        ]
        return e(", ".join(cites)) + "".join(quoted)

    def role_link(self, name: str) -> str:
        return f'<a href="{self.role_pages[name]}">{e(self.role_titles.get(name, name))}</a>' if name in self.roles else e(name)

    def flow_link(self, name: str) -> str:
        link = self.step_link(name)
        words = e(self.titles.get(name, name))
        return f'<a href="{link}">{words}</a>' if link else words

    def timescales_page(self) -> str:
        by_anchor: dict[str, list[tuple[str, m.Deadline]]] = {}
        for name in self.graph:
            for deadline in m.deadlines_of(self.graph.nodes[name]["declaration"]):
                by_anchor.setdefault(deadline.anchor.name, []).append((name, deadline))
        parts = [
            "<p>Every deadline in the procedure, grouped by what it counts from. "
            f"Working days leave out weekends and the bank holidays of {e(self.calendar)}.</p>"
        ]
        if not by_anchor:
            parts.append("<p>The procedure sets no deadlines.</p>")
        for anchor, deadlines in by_anchor.items():
            parts.append(f'<h2 id="from-{e(anchor)}">Counted from: {self.flow_link(anchor)} <code>{e(anchor)}</code></h2>')
            parts.append(
                f"<table><caption>What is due, counted from {e(self.titles.get(anchor, anchor))}</caption>\n"
                '<thead><tr><th scope="col">Step</th><th scope="col">Who</th><th scope="col">When</th><th scope="col">How the time is counted</th></tr></thead><tbody>'
            )
            for name, deadline in deadlines:
                owner = self.graph.nodes[name]["owner"]
                parts.append(
                    f'<tr><th scope="row">{self.flow_link(name)}</th><td>{self.role_link(owner) if owner else "—"}</td>'
                    f"<td>{e(describe_deadline(deadline))}</td><td>{e(unit_meaning(deadline.duration.unit, self.calendar))}</td></tr>"
                )
            parts.append("</tbody></table>")
        return self.page("What is due when", "\n".join(parts), "timescales.html")

    def roles_page(self) -> str:
        rows = []
        for role in self.procedure.roles:
            owned = [name for name in self.graph if self.graph.nodes[name]["owner"] == role.name]
            rows.append(
                f'<tr><th scope="row"><a href="{self.role_pages[role.name]}">{e(self.role_titles[role.name])}</a></th>'
                f"<td>{len(owned)}</td><td>{'outside the partnership' if role.external else 'in the partnership'}</td></tr>"
            )
        body = (
            "<table><caption>The roles of the procedure, with how many steps each does</caption>"
            '<thead><tr><th scope="col">Role</th><th scope="col">Steps</th><th scope="col">Where</th></tr></thead><tbody>'
            + "".join(rows)
            + "</tbody></table>"
        )
        return self.page("Roles", body, "roles.html")

    def role_page(self, role: m.Role) -> str:
        parts = []
        if role.external:
            parts.append("<p>Outside the partnership.</p>")
        if role.members:
            parts.append("<p>A group of: " + ", ".join(self.role_link(member.name) for member in role.members) + ".</p>")
        groups = [group for group in self.procedure.roles if any(member.name == role.name for member in group.members)]
        if groups:
            parts.append(
                "<p>A member of: " + ", ".join(self.role_link(group.name) for group in groups) + ", and so takes part in what those do.</p>"
            )
        owned = [name for name in self.graph if self.graph.nodes[name]["owner"] == role.name]
        parts.append(f"<h2>What it does ({len(owned)})</h2>")
        if owned:
            items = []
            for name in owned:
                deadlines = m.deadlines_of(self.graph.nodes[name]["declaration"])
                duty = self.graph.nodes[name]["duty"]
                said = [f"{duty} be done" if duty else "", *(describe_deadline(deadline) for deadline in deadlines)]
                words = "".join(f'<br><span class="detail">{e(line)}</span>' for line in said if line)
                items.append(f"{self.flow_link(name)}{words}")
            parts.append(_list(items, ordered=True))
        else:
            parts.append("<p>No step names this role as doing it.</p>")
        received = [
            (name, sending)
            for name in self.graph
            for sending in m.sendings_of(self.graph.nodes[name]["declaration"])
            if sending.to.name == role.name
        ]
        if received:
            parts.append("<h2>What it receives</h2>")
            parts.append(_list(f"{e(sending.what)}, from {self.flow_link(name)}" for name, sending in received))
        told = [
            (name, escalation)
            for name in self.graph
            for escalation in m.escalations_of(self.graph.nodes[name]["declaration"])
            if escalation.target.name == role.name
        ]
        if told:
            parts.append("<h2>When it is told of delays</h2>")
            parts.append(
                _list(
                    f"if {self.flow_link(name)} is {e(escalation.trigger)}" + (f": {e(escalation.what)}" if escalation.what else "")
                    for name, escalation in told
                )
            )
        return self.page(self.role_titles[role.name], "\n".join(parts), self.role_pages[role.name])

    def scenario_page(self, scenario: Scenario) -> str:
        parts = [f'<p class="detail">From the file {e(scenario.file_name)}.</p>']
        result = scenario.result
        loaded = scenario.loaded
        if result is None or loaded.plan is None:
            parts.append("<p>This case could not be run against the procedure:</p>")
            parts.append(
                _list(e(problem) for problem in scenario.problems)
                if scenario.problems
                else "<p>it has errors (`safeproc test` shows them).</p>"
            )
            return self.page(_case_name(scenario), "\n".join(parts), "")
        rows, svg = case_picture(loaded, result)
        ending = f"It ended: {e(self.titles.get(result.end, result.end))}." if result.end else "It has not ended."
        seen = "" if loaded.case is None or loaded.case.as_of else " (the last day it records, as it gives no <code>as of</code>)"
        parts.append(f"<p>Seen as of {e(result.as_of.isoformat())}{seen}. {ending}</p>")
        parts.append("<h2>Timeline</h2>")
        parts.append(
            f'<figure class="chart timeline" tabindex="0" aria-label="The case as a timeline">\n{_inline(svg.encode("utf-8"))}\n<figcaption>The case as a timeline: each step\'s window from its clock start to its due date, the day it was done, lateness in red, weekends and bank holidays shaded.</figcaption>\n</figure>'
        )
        table = []
        for row in rows:
            state = _standing(row, result.as_of)
            table.append(
                f'<tr><th scope="row">{self.flow_link(row.name)}</th><td>{e(row.owner or "—")}</td>'
                f"<td>{e(_due_words(row))}</td><td>{e(row.done_on.isoformat() if row.done_on else '—')}</td><td>{e(state)}</td></tr>"
            )
        parts.append("<h2>Steps</h2>")
        parts.append(
            '<table><caption>The steps the case reached, and those whose clock has started</caption><thead><tr><th scope="col">Step</th><th scope="col">Who</th>'
            '<th scope="col">Due</th><th scope="col">Done</th><th scope="col">How it stands</th></tr></thead><tbody>'
            + "".join(table)
            + "</tbody></table>"
        )
        decided = [decision for decision in result.decisions if decision.branch is not None]
        if decided:
            parts.append("<h2>Decisions, and the facts that decided them</h2>")
            parts.append(
                _list(
                    f"{e(decision.decided_on.isoformat() if decision.decided_on else '')} {self.flow_link(decision.decision)}: "
                    f'{self.flow_link(decision.branch or "")} <span class="detail">because {e(decision.because)}</span>'
                    for decision in decided
                )
            )
        if result.escalations:
            parts.append("<h2>Escalations</h2>")
            parts.append(
                _list(
                    f"{e(escalation.on.isoformat())}: {self.flow_link(escalation.step)} — {e(escalation.reason)}"
                    for escalation in result.escalations
                )
            )
        return self.page(_case_name(scenario), "\n".join(parts), "")


def _due_words(row: TimelineRow) -> str:
    """Its due date, and the earliest day its lower bounds allow it done, as far as either is known."""
    earliest = f"not before {row.not_before.isoformat()}" if row.not_before else ""
    if row.due is None:
        return earliest or "—"
    return row.due.isoformat() + (f" ({earliest})" if earliest else "")


def _standing(row: TimelineRow, as_of: date) -> str:
    """How a step stands, in words, with how late it is in calendar days."""
    if row.too_soon and row.not_before is not None:
        late = f"{_count((row.done_on - row.due).days, 'day', 'days')} late, and " if row.late and row.done_on and row.due else ""
        return f"done {late}too soon (not before {row.not_before.isoformat()})"
    if row.overdue and row.due is not None:
        return f"overdue by {_count((as_of - row.due).days, 'day', 'days')}"
    if row.late and row.done_on is not None and row.due is not None:
        return f"done {_count((row.done_on - row.due).days, 'day', 'days')} late"
    if row.done_on is not None:
        return "done on time" if row.due is not None else "done"
    return "open" if row.opened_on is not None else "waiting (its clock has started)"


def _case_name(scenario: Scenario) -> str:
    return scenario.loaded.case.name if scenario.loaded.case is not None else scenario.file_name


def _list(items: Iterable[str], ordered: bool = False) -> str:
    tag = "ol" if ordered else "ul"
    return f"<{tag}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{tag}>"


def _role_pages(roles: Iterable[m.Role]) -> dict[str, str]:
    """Each role's page name; names that differ only in case (`crg`, `CRG`) get distinct pages,
    since on Windows and macOS they would be one file."""
    pages: dict[str, str] = {}
    taken: set[str] = set()
    for role in roles:
        page, number = f"role-{role.name}.html", 2
        while page.lower() in taken:
            page, number = f"role-{role.name}-{number}.html", number + 1
        taken.add(page.lower())
        pages[role.name] = page
    return pages


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _slug(file_name: str) -> str:
    words = re.findall(r"[a-z0-9]+", Path(file_name).stem.lower())
    return "-".join(words)[:60] or "case"


def _inline(svg: bytes) -> str:
    """An SVG document as an element inside a page: without its XML declaration, doctype and comments."""
    text = svg.decode("utf-8")
    text = text[text.index("<svg") :]
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    # Graphviz titles each box and arrow with its own id (`(label) a b`), which a screen reader
    # would read out; the picture's title and every tooltip stay.
    return re.sub(r'(<g id="(?:node|edge|clust)\d+" class="(?:node|edge|cluster)">\s*)<title>[^<]*</title>', r"\1", text).strip()


STYLE_SHEET = """\
:root { color-scheme: light; --ink: #1f2d3a; --detail: #4a5866; --link: #1a4f9c; --rule: #c9d2db; --tint: #f3f6f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink); background: white; }
a { color: var(--link); }
a:focus-visible, figure:focus-visible, [tabindex]:focus-visible { outline: 3px solid #e07b00; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; padding: .5em 1em; background: white; }
.skip:focus { left: 1em; }
header { padding: 1em 2em .5em; border-bottom: 1px solid var(--rule); background: var(--tint); }
header .procedure { margin: 0; font-weight: bold; font-size: 1.1em; }
header .source { margin: 0; color: var(--detail); }
nav ul { list-style: none; margin: .5em 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: 1.5em; }
nav a[aria-current=page] { font-weight: bold; text-decoration: none; color: var(--ink); }
main { padding: 1em 2em 3em; max-width: 80em; }
h1 { font-size: 1.7em; margin: .3em 0 .6em; }
h2 { font-size: 1.3em; margin-top: 1.6em; border-bottom: 1px solid var(--rule); }
h3 { margin: 0 0 .2em; font-size: 1.1em; }
.detail, .name { color: var(--detail); font-size: .9em; }
.name { margin: 0 0 .5em; }
figure.chart { margin: 0 0 1.5em; overflow: auto; max-height: 85vh; border: 1px solid var(--rule); background: white; }
figure.chart svg { display: block; }
figcaption { padding: .4em .8em; color: var(--detail); font-size: .9em; border-top: 1px solid var(--rule); position: sticky; left: 0; }
.card { border: 1px solid var(--rule); border-left: 6px solid var(--link); border-radius: 4px; padding: .8em 1em; margin: 0 0 1em; }
.card.decision { border-left-color: #b7950b; }
.card.outcome { border-left-color: #1e7a46; }
.card.parallel, .card.join { border-left-color: var(--ink); }
.card:target { background: #fff8e6; }
dl { display: grid; grid-template-columns: 8em 1fr; gap: .3em 1em; margin: 0; }
dt { font-weight: bold; }
dd { margin: 0; }
dd ul, dd ol { margin: 0; padding-left: 1.2em; }
blockquote { margin: .4em 0; padding: .3em .8em; border-left: 3px solid var(--rule); color: var(--detail); }
table { border-collapse: collapse; margin: .5em 0 1.5em; width: 100%; }
caption { text-align: left; color: var(--detail); padding-bottom: .3em; }
th, td { border: 1px solid var(--rule); padding: .35em .6em; text-align: left; vertical-align: top; }
td:nth-child(n+3) { white-space: nowrap; }
thead th { background: var(--tint); }
.columns { columns: 2 18em; }
.around { margin-top: 2em; }
footer { padding: 1em 2em; color: var(--detail); font-size: .85em; border-top: 1px solid var(--rule); }
"""
