"""The flowchart: what it says (golden DOT and Mermaid), that every picture is well formed
and shows every title as written, and how `safeproc render` writes its files."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from interpreter import model as m
from interpreter.pipeline import analyse_bytes, analyse_source
from interpreter.source import SourceFile
from interpreter.wording import guard_text
from repl.output_file import write_atomically
from visualise.chart import START_ID, SliceError, build_chart, visible
from visualise.dot import to_dot
from visualise.mermaid import to_mermaid
from visualise.output import dot_fingerprint, run_graphviz, svg_source_fingerprint
from visualise.wording import deadline_label

from conftest import ROOT, assert_no_internal_error

RENDER = ROOT / "tests" / "render"
PAN_SUSSEX = ROOT / "procedures" / "pan-sussex" / "cspr.proc"
# The behaviour tests read the small procedures here, which only these tests change;
# the Pan-Sussex one grows as the procedure is encoded, so it is pinned by golden files.
SMALL = RENDER / "parallel_and_escalation.proc"
AWKWARD = RENDER / "awkward_titles.proc"
PROCEDURES = {"pan-sussex-cspr": PAN_SUSSEX, "parallel_and_escalation": SMALL, "awkward_titles": AWKWARD}
SVG = "{http://www.w3.org/2000/svg}"
XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="the Graphviz `dot` program is not installed")


def analysed(path: Path):
    analysis = analyse_bytes(path.read_bytes(), str(path.relative_to(ROOT)))
    assert analysis.ok, analysis.diagnostics
    return analysis


def chart_of(path: Path, only=()):
    analysis = analysed(path)
    return build_chart(analysis.procedure, analysis.graph, only)


def svg_nodes(svg: bytes) -> dict[str, ElementTree.Element]:
    """Each node's <g> in a Graphviz SVG, by node id."""
    root = ElementTree.fromstring(svg)
    return {group.find(f"{SVG}title").text: group for group in root.iter(f"{SVG}g") if group.get("class") == "node"}


def words(text: str) -> str:
    return " ".join(text.split())


def shown_text(group: ElementTree.Element) -> str:
    return words(" ".join(text.text or "" for text in group.iter(f"{SVG}text")))


def tooltip(group: ElementTree.Element) -> str:
    return next(a.get(XLINK_TITLE) for a in group.iter(f"{SVG}a"))


# ---- the words ------------------------------------------------------------------


@pytest.mark.parametrize(
    "written, printed",
    [
        ("(child_died or seriously_harmed) and abuse_or_neglect", "(child_died or seriously_harmed) and abuse_or_neglect"),
        ("crg_view is split", "crg_view is split"),
        ("crg_view is not split", "crg_view is not split"),
        ("not child_died", "not child_died"),
        ("child_died is no", "child_died is no"),
        ("child_died is yes", "child_died"),
        ("age < 18", "age < 18"),
        ("not (child_died and age >= 18)", "not (child_died and age >= 18)"),
        ("child_died and age < 18 or crg_view is split", "(child_died and age < 18) or crg_view is split"),
        ("child_died or seriously_harmed or age = 17", "child_died or seriously_harmed or age = 17"),
    ],
)
def test_guards_are_printed_in_the_languages_words(written: str, printed: str):
    """A branch's guard prints as an author writes it, brackets where `and` meets `or`, and reads back to the same guard."""
    guard = _guard_of(written)
    assert guard_text(guard) == printed
    assert _guard_of(printed) == guard


def _guard_of(condition: str) -> m.Guard:
    text = (
        'procedure "Guards"\nend\nrole crg "CRG"\n'
        'fact child_died "Died" is yes or no\nfact seriously_harmed "Harmed" is yes or no\n'
        'fact abuse_or_neglect "Abuse" is yes or no\nfact age "Age" is a number\n'
        'fact crg_view "View" is one of notify, split\n'
        f'start at d\ndecision d "?"\n  by crg\n  when {condition} -> done\n  otherwise -> done\nend\noutcome done "Done"\n'
    )
    analysis = analyse_source(SourceFile("guards.proc", text))
    assert analysis.ok, analysis.diagnostics
    return analysis.procedure.nodes[0].branches[0].guard


@pytest.mark.parametrize(
    "kind, amount, unit, expected",
    [
        ("within", 15, "working_days", "≤ 15 WD after submit_sin"),
        ("before", 7, "working_days", "≥ 7 WD before submit_sin"),
        ("not_before", 2, "days", "≥ 2 days after submit_sin"),
        ("lasts", 1, "years", "kept ≥ 1 year after submit_sin"),
        ("within", 48, "hours", "≤ 48 hours after submit_sin"),
    ],
)
def test_deadlines_are_labelled_with_symbol_duration_and_anchor(kind, amount, unit, expected):
    """Each kind of deadline has a short label: ≤ for within, ≥ for at least, WD for working days, the anchor by name."""
    deadline = m.Deadline(
        kind=m.DeadlineKind(kind), duration=m.Duration(amount, m.Unit(unit)), anchor=m.Ref("submit_sin"), duty=m.Duty.MUST
    )
    assert deadline_label(deadline, "must") == expected
    assert deadline_label(deadline, "should") == "must: " + expected


# ---- golden output -----------------------------------------------------------------


@pytest.mark.parametrize("name", PROCEDURES)
def test_dot_matches_golden_file(name: str, golden):
    """The DOT for each test procedure is exactly the reviewed file in tests/render/."""
    golden(RENDER / f"{name}.dot", to_dot(chart_of(PROCEDURES[name])))


@pytest.mark.parametrize("name", PROCEDURES)
def test_mermaid_matches_golden_file(name: str, golden):
    """The Mermaid for each test procedure is exactly the reviewed file in tests/render/."""
    golden(RENDER / f"{name}.mmd", to_mermaid(chart_of(PROCEDURES[name])))


def test_dot_is_byte_identical_across_runs_and_hash_seeds():
    """The same procedure gives byte-identical DOT, even in processes with different string hashing."""
    code = (
        "import sys; from pathlib import Path\n"
        "from interpreter.pipeline import analyse_bytes\n"
        "from visualise.chart import build_chart\nfrom visualise.dot import to_dot\n"
        "p = Path(sys.argv[1]); a = analyse_bytes(p.read_bytes(), sys.argv[1])\n"
        "sys.stdout.write(to_dot(build_chart(a.procedure, a.graph)))\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code, str(PAN_SUSSEX)],
            cwd=ROOT,
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1
    assert to_dot(chart_of(PAN_SUSSEX)) == to_dot(chart_of(PAN_SUSSEX))


# ---- what the picture shows ---------------------------------------------------------------


def test_every_role_with_work_has_a_lane_titled_in_full():
    """Each role that owns a step gets one lane, in the order the flow first reaches it, with its full title.

    Every box but the start is in a lane: one with no role named (a split, a join, an end)
    in the lane of the box the flow reaches it from.
    """
    chart = chart_of(SMALL)
    lanes = {lane.name: lane for lane in chart.lanes}
    assert list(lanes) == ["manager", "health", "education", "reviewer", "leads", "chair", "inspectorate"]
    assert lanes["reviewer"].title == "Independent reviewer"
    assert lanes["leads"].members == "Health safeguarding lead, Education safeguarding lead"
    assert lanes["inspectorate"].external and not lanes["chair"].external
    assert {node.id for node in chart.nodes_in(None)} == {START_ID}
    lane_of = {node.id: node.lane for node in chart.nodes}
    assert lane_of["gather"] == lane_of["closed"] == "manager"  # after the manager's screening
    assert lane_of["chronologies_in"] == "health"
    dot = to_dot(chart)
    assert dot.count('subgraph "cluster ') == len(chart.lanes) + 1  # and the key
    assert "Independent reviewer" in dot and "outside the partnership" in dot


def test_duties_escalations_and_deadlines_are_drawn_distinctly():
    """must, should and may borders differ; escalations are dashed and red; deadlines sit on their steps."""
    dot = to_dot(chart_of(SMALL))
    node_lines = {line.split(" [", 1)[0].strip().strip('"'): line for line in dot.splitlines() if " [label=" in line}
    assert "penwidth=3" in node_lines["write_report"]
    assert "peripheries=2" in node_lines["health_chronology"]
    assert "dashed" in node_lines["education_chronology"]
    assert "≤ 3 months after screening" in node_lines["write_report"]
    assert "≥ 7 WD before publication" in node_lines["write_report"]
    assert "kept ≥ 1 year after publication" in node_lines["leads_agree"]
    escalate = next(line for line in dot.splitlines() if '"(label) write_report chair_decides" -> chair_decides' in line)
    assert "style=dashed" in escalate and "#c0392b" in escalate
    assert "if overdue: escalate — the report is overdue" in node_lines["(label) write_report chair_decides"]
    told = next(line for line in dot.splitlines() if 'health_chronology -> "(note) health_chronology 0"' in line)
    assert "style=dashed" in told and "#c0392b" in told
    assert "shape=note" in node_lines["(note) health_chronology 0"]
    notes = {node.id: node for node in chart_of(SMALL).nodes if node.kind == "note"}
    assert notes["(note) health_chronology 0"].title == "if late, notify Chair of the partnership: which chronology is late"
    assert notes["(note) health_chronology 0"].lane == "health"


def test_no_lanes_and_left_to_right():
    """--no-lanes draws no clusters but the key and says who does each step; LR lays the flow left to right."""
    dot = to_dot(chart_of(SMALL), lanes=False, direction="LR")
    assert dot.count('subgraph "cluster ') == 1
    assert "by Independent reviewer" in dot
    assert "rankdir=LR" in dot


def test_decision_with_two_branches_to_one_step_shows_both_guards():
    """When two branches lead to the same step the arrow carries both guards, joined by `or`."""
    chart = chart_of(SMALL)
    labels = {(edge.source, edge.target): edge.label for edge in chart.edges}
    assert labels[("screening", "gather")] == "(age < 18 and not looked_after) or (route is not none and (looked_after or age >= 18))"
    assert labels[("screening", "closed")] == "otherwise"


# ---- slices ------------------------------------------------------------------------------


def test_only_a_range_draws_the_steps_between_and_stubs_for_the_rest():
    """FROM..TO keeps every node on a path between them; an arrow leaving the slice ends in a grey stand-in."""
    chart = chart_of(SMALL, ["gather..write_report"])
    assert {node.id for node in chart.nodes if node.kind not in ("note", "elsewhere")} == {
        "gather",
        "health_chronology",
        "education_chronology",
        "chronologies_in",
        "write_report",
    }
    assert {node.name for node in chart.nodes if node.kind == "elsewhere"} == {"leads_agree", "chair_decides"}
    assert {node.id for node in chart.key_nodes} >= {"(key) elsewhere"}
    dot = to_dot(chart)
    assert "\tscreening [" not in dot and START_ID not in dot


def test_only_names_and_open_ranges():
    """Names select just those nodes; FROM.. runs to the ends and ..TO from the start."""

    def drawn(only):
        return {node.id for node in chart_of(SMALL, only).nodes if node.kind not in ("note", "elsewhere", "start")}

    assert drawn(["write_report", "published"]) == {"write_report", "published"}
    assert drawn(["leads_agree.."]) == {"leads_agree", "inspection", "published"}
    assert drawn(["..gather"]) == {"screening", "gather"}
    assert drawn(["..gather", "inspection"]) == {"screening", "gather", "inspection"}
    assert START_ID in {node.id for node in chart_of(SMALL, ["..gather"]).nodes}


@pytest.mark.parametrize(
    "only, message",
    [
        (["write_reprot"], "no step, decision or outcome called `write_reprot`; did you mean `write_report`?"),
        (["published..screening"], "no path from `published` to `screening`"),
    ],
)
def test_only_with_an_unknown_name_or_no_path_is_a_plain_error(only, message):
    """A misspelt name is met with a suggestion, and a range with no path through it says so."""
    with pytest.raises(SliceError, match=re.escape(message)):
        chart_of(SMALL, only)


# ---- SVG ---------------------------------------------------------------------------------


@needs_dot
@pytest.mark.parametrize("name", PROCEDURES)
def test_svg_is_valid_xml_and_shows_every_title_as_written(name: str):
    """Each procedure's SVG parses as XML and each node shows its whole title, character for character."""
    analysis = analysed(PROCEDURES[name])
    nodes = svg_nodes(run_graphviz(to_dot(build_chart(analysis.procedure, analysis.graph)), "svg"))
    for node_name, attributes in analysis.graph.nodes(data=True):
        assert words(visible(attributes["title"])) in shown_text(nodes[node_name]), node_name


@needs_dot
def test_svg_tooltips_carry_citation_and_deadline():
    """Hovering a step shows its citation and its deadline in full, with what the anchor is."""
    nodes = svg_nodes(run_graphviz(to_dot(chart_of(SMALL)), "svg"))
    text = tooltip(nodes["write_report"])
    assert "cites 2.3, 2.4" in text
    assert "must be done within 3 months after screening (Does the case meet the criteria for a review?)" in text
    assert "must be done at least 7 working days before publication (The agreed publication date)" in text
    assert "if overdue escalate chair_decides: the report is overdue" in text


@needs_dot
def test_awkward_text_survives_dot_and_svg_escaping():
    """Quotes, markup, ampersands, backslashes, line breaks, tabs and non-ASCII come out as written, in labels and tooltips."""
    svg = run_graphviz(to_dot(chart_of(AWKWARD)), "svg")
    root = ElementTree.fromstring(svg)
    everything = words(" ".join(text.text or "" for text in root.iter(f"{SVG}text")))
    assert 'Review of "Ivy" & <Sam>: a café\'s story' in everything
    assert "<Designated Lead & Deputy>" in everything
    assert "Arweinydd diogelu — Ŵyr & Ŷ" in everything
    nodes = svg_nodes(svg)
    assert shown_text(nodes["second"]).startswith("<b>not bold</b> \\n is not a line break")
    assert "\\n is not a line break" in tooltip(nodes["second"])
    assert tooltip(nodes["first"]).startswith('first: Read the "Working Together" guidance\nthen the <local> one')
    lane_tooltips = {a.get(XLINK_TITLE) for a in root.iter(f"{SVG}a")}
    assert "<Designated Lead & Deputy>" in lane_tooltips


@needs_dot
def test_control_characters_in_a_title_still_give_valid_svg(tmp_path):
    """A control character, which XML cannot hold, is shown as � rather than breaking the SVG."""
    path = tmp_path / "bell.proc"
    path.write_text('procedure "Bell"\nend\nstart at ring\nstep ring "Ring \x07 the bell"\n  next done\nend\noutcome done "Done"\n')
    analysis = analyse_bytes(path.read_bytes(), str(path))
    nodes = svg_nodes(run_graphviz(to_dot(build_chart(analysis.procedure, analysis.graph)), "svg"))
    assert "Ring \ufffd the bell" in shown_text(nodes["ring"])


def test_mermaid_labels_cannot_be_broken_by_their_text():
    """In Mermaid every label is quoted and holds no raw quote, &, <, >, |, %, backtick or backslash; decoded, it is the title as written."""
    source = to_mermaid(chart_of(AWKWARD))
    labels = dict(re.findall(r'^\s+(s_\w+)(?:\["|\{"|\(\["|>"|\(\(")(.*?)(?:"\]|"\}|"\]\)|"\)\))$', source, flags=re.MULTILINE))
    assert set(labels) == {"s_first", "s_second", "s_third", "s_fourth", "s_done"}
    for label in labels.values():
        title = label.split("<br/><small>")[0].replace("<br/>", "")
        assert not set(title) & set('"&<>|`%\\'), title
    decoded = _mermaid_decoded(labels["s_first"].split("<br/><small>")[0])
    assert decoded == 'Read the "Working Together" guidance\nthen the <local> one & the café\'s notes'
    assert (
        _mermaid_decoded(labels["s_fourth"].split("<br/><small>")[0])
        == "`code`, [brackets], {braces}, #quot;, %% no comment and a tab: here"
    )
    assert _mermaid_decoded(labels["s_second"].split("<br/><small>")[0]) == "<b>not bold</b> \\n is not a line break"


def _mermaid_decoded(text: str) -> str:
    entities = {"quot": '"', "amp": "&", "lt": "<", "gt": ">"}
    decoded = re.sub(r"#(\w+);", lambda match: entities.get(match[1]) or chr(int(match[1])), text)
    return decoded.replace("<br/>", "\n")


# ---- the committed picture ---------------------------------------------------------------------


def _readme_chart(view: str) -> str:
    from interpreter.phases import phases_of
    from visualise.chart import chart_for_view

    analysis = analysed(PAN_SUSSEX)
    return to_dot(chart_for_view(analysis.procedure, analysis.graph, phases_of(analysis.source, analysis.procedure), view))


REGENERATE = "the README's pictures are out of date; draw them again with `python3 tasks.py pictures`"


@pytest.mark.parametrize("name, view", [("pan-sussex-overview.svg", "overview"), ("pan-sussex-flowchart.svg", "all")])
def test_committed_flowcharts_were_drawn_from_the_current_procedure(name, view):
    """docs/'s overview and whole chart were drawn from exactly the DOT the current Pan-Sussex procedure gives."""
    # Graphviz's SVG is byte-stable from run to run, but not from one Graphviz
    # version (or set of fonts) to another, so comparing bytes would fail on
    # machines that drew nothing wrong. Instead every SVG safeproc writes carries the
    # SHA-256 of its DOT source, and the DOT is compared exactly, with nothing
    # normalised: any change to what the procedure says changes it. Where `dot` is
    # installed, the committed SVG's nodes, edges and lanes, with their text, must
    # also be those of a fresh drawing, which catches an SVG edited by hand.
    svg = (ROOT / "docs" / name).read_bytes()
    source = _readme_chart(view)
    assert svg_source_fingerprint(svg) == dot_fingerprint(source), REGENERATE
    if shutil.which("dot") is not None:
        assert _structure(svg) == _structure(run_graphviz(source, "svg")), REGENERATE


def test_committed_case_timeline_is_the_current_simulation(cli):
    """docs/case-timeline.svg is made without Graphviz, so it must be the very bytes simulate draws today."""
    case = "procedures/pan-sussex/scenarios/16-rapid-review-report-delayed.case"
    drawn = cli("simulate", str(PAN_SUSSEX.relative_to(ROOT)), case, "--format", "svg").out
    assert (ROOT / "docs" / "case-timeline.svg").read_text(encoding="utf-8") == drawn, REGENERATE


def test_the_readme_shows_each_committed_picture():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("pan-sussex-overview.svg", "pan-sussex-flowchart.svg", "case-timeline.svg"):
        assert f"](docs/{name})" in readme, name


def _structure(svg: bytes) -> dict[str, str]:
    """Every node and edge of a Graphviz SVG, by its title, with the text it shows."""
    root = ElementTree.fromstring(svg)
    return {
        group.find(f"{SVG}title").text: shown_text(group)
        for group in root.iter(f"{SVG}g")
        if group.get("class") in ("node", "edge", "cluster")
    }


# ---- safeproc render ---------------------------------------------------------------------------


def test_render_writes_dot_and_mermaid_by_extension(cli, tmp_path):
    """The output's extension picks the format; --format overrides it; neither text format needs Graphviz."""
    for name, marker in (("flow.dot", "digraph procedure {"), ("flow.mmd", "flowchart TB")):
        result = cli("render", str(PAN_SUSSEX), "-o", str(tmp_path / name))
        assert result.code == 0, result.err
        assert marker in (tmp_path / name).read_text(encoding="utf-8")
    forced = cli("render", str(PAN_SUSSEX), "-o", str(tmp_path / "flow.txt"), "--format", "mmd", "--direction", "lr")
    assert forced.code == 0, forced.err
    assert (tmp_path / "flow.txt").read_text(encoding="utf-8").splitlines()[3] == "flowchart LR"


@needs_dot
@pytest.mark.parametrize("suffix, magic", [(".svg", b"<?xml"), (".png", b"\x89PNG"), (".pdf", b"%PDF")])
def test_render_draws_svg_png_and_pdf(cli, tmp_path, suffix: str, magic: bytes):
    """With Graphviz installed, .svg, .png and .pdf are drawn, and an SVG names the DOT it came from."""
    out = tmp_path / f"flow{suffix}"
    result = cli("render", str(SMALL), "-o", str(out), "--only", "gather..write_report")
    assert result.code == 0, result.err
    assert out.read_bytes().startswith(magic)


def test_render_without_graphviz_exits_2_with_how_to_install(cli, tmp_path, monkeypatch):
    """Without the `dot` program, drawing SVG exits 2 with one line on installing Graphviz; DOT still works."""
    monkeypatch.setenv("PATH", str(tmp_path))
    result = cli("render", str(PAN_SUSSEX), "-o", str(tmp_path / "flow.svg"))
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1
    assert "apt-get install graphviz" in result.err
    assert not (tmp_path / "flow.svg").exists()
    assert cli("render", str(PAN_SUSSEX), "-o", str(tmp_path / "flow.dot")).code == 0


def test_render_with_errors_prints_diagnostics_and_writes_nothing(cli, tmp_path):
    """A procedure with errors gets its diagnostics, as `check` prints them, exit 1 and no file."""
    out = tmp_path / "flow.dot"
    result = cli("render", "tests/diagnostics/misspelt_role.proc", "-o", str(out))
    assert result.code == 1
    assert "error[P102]: unknown role `scp_manger`" in result.err
    assert "checked 1 file: 1 error" in result.err
    assert not out.exists()


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["no/such.proc", "-o", "{tmp}/x.dot"], "cannot read `no/such.proc`: no such file or folder"),
        (["procedures/pan-sussex", "-o", "{tmp}/x.dot"], "is a folder; name the one .proc file to draw"),
        ([str(PAN_SUSSEX), "-o", "{tmp}/x.txt"], "end it in .svg, .png, .pdf, .dot or .mmd, or give --format"),
        ([str(PAN_SUSSEX), "-o", "{tmp}/no/such/folder/x.dot"], "cannot write"),
        ([str(PAN_SUSSEX), "-o", "{tmp}/x.dot", "--only", "nowhere"], "--only: there is no step"),
    ],
)
def test_render_usage_problems_exit_2_with_one_line(cli, tmp_path, arguments, message):
    """Unreadable input, a folder, an unknown extension, an unwritable output or a bad --only: one line, exit 2."""
    result = cli("render", *[argument.format(tmp=tmp_path) for argument in arguments])
    assert result.code == 2
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert_no_internal_error(result)


def test_hostile_input_renders_diagnostics_not_a_traceback(cli, tmp_path):
    """Random bytes given to render end in diagnostics and exit 1, never a traceback or a file."""
    path = tmp_path / "noise.proc"
    path.write_bytes(bytes(range(256)) * 8)
    result = cli("render", str(path), "-o", str(tmp_path / "noise.dot"))
    assert result.code == 1
    assert_no_internal_error(result)
    assert not (tmp_path / "noise.dot").exists()


def test_a_failed_write_leaves_the_old_file_and_no_debris(tmp_path, monkeypatch):
    """If the final rename fails, the file keeps its old contents and no temporary file is left behind."""
    out = tmp_path / "flow.svg"
    out.write_bytes(b"old picture")
    monkeypatch.setattr(os, "replace", _refuse_to_rename)
    with pytest.raises(OSError):
        write_atomically(out, b"new picture")
    assert out.read_bytes() == b"old picture"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["flow.svg"]


def test_a_failed_render_reports_one_line_and_writes_nothing(cli, tmp_path, monkeypatch):
    """A write that fails part-way through `safeproc render` exits 2 with one line and leaves no file."""
    monkeypatch.setattr(os, "replace", _refuse_to_rename)
    result = cli("render", str(PAN_SUSSEX), "-o", str(tmp_path / "flow.dot"))
    assert result.code == 2
    assert result.err.strip() == f"safeproc: cannot write `{tmp_path / 'flow.dot'}`: no space left on device"
    assert list(tmp_path.iterdir()) == []


def _refuse_to_rename(source, destination):
    raise OSError(28, "No space left on device")


def test_written_file_gets_ordinary_permissions(tmp_path):
    """An atomically written new file is readable by others as any new file would be, not private like a temporary one."""
    out = tmp_path / "flow.dot"
    previous = os.umask(0o022)
    try:
        write_atomically(out, b"digraph {}")
    finally:
        os.umask(previous)
    assert out.stat().st_mode & 0o777 == 0o644


@pytest.mark.skipif(shutil.which("dot") is None, reason="the Graphviz `dot` program is not installed")
def test_longest_titles_and_conditions_still_draw(cli, tmp_path):
    """A title at the 10,000-character limit, all `&`, and a 3,000-term condition are cut in the picture, so Graphviz draws them."""
    path = tmp_path / "long.proc"
    condition = " and ".join(["f"] * 3000)
    path.write_text(
        'procedure "p"\n  calendar england-and-wales\nend\nstart at s\n'
        f'step s "{"&" * 10_000}"\n  next d\nend\n'
        f'decision d "D"\n  when {condition} -> o\n  otherwise -> o\nend\n'
        'fact f "F" is yes or no\noutcome o "O"\n'
    )
    result = cli("render", str(path), "-o", str(tmp_path / "long.svg"))
    assert result.code == 0, result.err
    assert "…" in (tmp_path / "long.svg").read_text()


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_a_png_graphviz_must_shrink_comes_with_a_note():
    """Graphviz shrinks a bitmap wider than 32,767 pixels without failing: the user is told, and offered SVG or a part."""
    notes: list[str] = []
    picture = run_graphviz('digraph { wide [shape=box width=400 label="a very wide box"] }', "png", on_warning=notes.append)
    assert picture.startswith(b"\x89PNG")
    assert len(notes) == 1 and "shrunk" in notes[0] and ".svg" in notes[0]
    notes.clear()
    run_graphviz("digraph { small [shape=box] }", "png", on_warning=notes.append)
    assert notes == []


def test_a_phase_chart_keeps_nobodys_questions_and_foreign_stand_ins_between_the_lanes():
    """In a phase's chart, a question with no role named and a stand-in whose owner has no lane there are in no lane:
    in one they would seem to be that role's. A stand-in whose owner's lane is drawn sits in it."""
    from interpreter.phases import phases_of
    from visualise.chart import build_phase_chart

    analysis = analysed(PAN_SUSSEX)
    phases = phases_of(analysis.source, analysis.procedure)
    light = build_phase_chart(analysis.procedure, analysis.graph, phases, "how-a-case-comes-to-light")
    lane_of = {node.id: node.lane for node in light.nodes}
    assert analysis.graph.nodes["child_death_check"]["owner"] is None and lane_of["child_death_check"] is None
    rapid = build_phase_chart(analysis.procedure, analysis.graph, phases, "rapid-review")
    lane_of = {node.id: node.lane for node in rapid.nodes}
    drawn = {lane.name for lane in rapid.lanes}
    assert "la_head" not in drawn and lane_of["(not shown) submit_sin"] is None
    assert lane_of["(not shown) lcspr_decision"] == "crg" and analysis.graph.nodes["lcspr_decision"]["owner"] == "crg"


@pytest.mark.parametrize(
    "arguments, words",
    [
        (["--view", "²"], "no phase"),
        (["--view=--"], "is not a value"),
        (["--view", ""], "name the view"),
        (["--view", "RAPID-REVIEW"], None),
        (["--view", "ALL", "--only", "submit_sin"], None),
    ],
)
def test_odd_views_get_a_plain_answer(cli, tmp_path, arguments, words):
    """A view written oddly is either understood (any case) or refused with one plain line: never an internal error."""
    result = cli("render", str(PAN_SUSSEX), "-o", str(tmp_path / "x.dot"), *arguments)
    assert_no_internal_error(result)
    if words is None:
        assert result.code == 0, result.err
    else:
        assert result.code == 2 and words in result.err


def test_list_views_draws_nothing_and_says_so_when_asked_to(cli, tmp_path):
    listed = cli("render", str(PAN_SUSSEX), "--list-views")
    assert listed.code == 0 and "rapid-review" in listed.out and "(the default)" in listed.out
    both = cli("render", str(PAN_SUSSEX), "--list-views", "-o", str(tmp_path / "x.svg"))
    assert both.code == 2 and not (tmp_path / "x.svg").exists()
    assert cli("render", str(PAN_SUSSEX)).code == 2  # neither -o nor --list-views


def test_a_chart_in_many_pieces_is_set_in_rows_that_fit_the_page():
    """How a case ends: each end with the questions that lead to it, pieces with no arrow between them. Graphviz set
    them in one row 42 inches wide (3.5 pt text on A3); set in rows, the chart is about as wide as the page is.
    A chart drawn with lanes keeps its lanes as they are."""
    from visualise.measure import measure_layout

    ends = _readme_chart("how-a-case-ends")
    assert "(row gap) 0" in ends
    assert "(row gap)" not in _readme_chart("all") and "(row gap)" not in _readme_chart("rapid-review")
    if shutil.which("dot") is not None:
        layout = measure_layout(subprocess.run(["dot", "-Tjson"], input=ends.encode(), capture_output=True, check=True).stdout)
        assert layout.width_inches < 2.5 * layout.height_inches, layout
        assert layout.smallest_text_at_a3_points >= 6, layout


def test_pieces_are_not_set_in_rows_where_one_piece_is_most_of_the_width(cli):
    """One large piece and two lone boxes: in rows, each lone box took a row of its own and the picture grew
    (20.2 x 12.1 in became 18.0 x 16.2 in); Graphviz fits them beside the large piece better."""
    only = "not_notifiable consider_national_review rapid_review commission_local_review decide_local_review"
    only += " rapid_review_sent notify_serious_incident notify_looked_after_death national_review notification"
    result = cli(
        "render", "procedures/national/working-together-2023.proc", "--no-lanes", "--only", *only.split(), "--format", "dot", "-o", "-"
    )
    assert result.code == 0, result.err
    assert "(row gap)" not in result.out
