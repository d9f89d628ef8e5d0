"""A case as a picture (`simulate -o case.svg`) and as a calendar (`simulate --format ics`)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import pytest
from icalendar import Calendar

from interpreter import model as m

from conftest import ROOT, assert_no_internal_error

PAN_SUSSEX = "procedures/pan-sussex/cspr.proc"
SCENARIOS = sorted((ROOT / "procedures/pan-sussex/scenarios").glob("*.case"))
SVG = "{http://www.w3.org/2000/svg}"


def _still_to_meet(report: dict) -> dict[tuple[str, str], date]:
    """From the JSON report: each deadline counting, or missed while its step is not done, with its due date."""
    found = {}
    for step in report["steps"]:
        if step["state"] not in ("open", "overdue", "waiting"):
            continue  # a step the case no longer needs
        for deadline in step["deadlines"]:
            overdue = deadline["state"] == m.DeadlineState.MISSED and step["done_on"] is None
            if deadline["due"] and (deadline["state"] == m.DeadlineState.OPEN or overdue):
                found[(step["step"], deadline["deadline"])] = date.fromisoformat(deadline["due"])
    return found


@pytest.mark.parametrize("case", SCENARIOS, ids=lambda path: path.stem)
def test_the_calendar_holds_every_open_deadline_on_its_due_date(cli, case: Path):
    """Parsed back with icalendar, the events are exactly the deadlines still to meet, each on the simulation's due date."""
    report = json.loads(cli("simulate", PAN_SUSSEX, str(case), "--format", "json").out)
    result = cli("simulate", PAN_SUSSEX, str(case), "--format", "ics")
    assert result.code == 0, result.err
    if not result.out:
        assert "no calendar was written" in result.err and _still_to_meet(report) == {}
        return
    calendar = Calendar.from_ical(result.out)
    events = {}
    for event in calendar.walk("VEVENT"):
        step, deadline = str(event["description"]).split("\n")[0].split(": ", 1)
        day = event.decoded("dtstart")
        assert event.decoded("dtend") == day.__class__.fromordinal(day.toordinal() + 1)  # an all-day event
        assert str(event["summary"]).startswith("OVERDUE: " if step in _overdue_steps(report) else "Due: ")
        events[(step, deadline)] = day
    assert events == _still_to_meet(report)
    uids = [str(event["uid"]) for event in calendar.walk("VEVENT")]
    assert len(set(uids)) == len(uids)


def _overdue_steps(report: dict) -> set[str]:
    return {step["step"] for step in report["steps"] if step["state"] == "overdue"}


def test_some_scenarios_have_open_and_overdue_deadlines_to_export(cli):
    """The property above is not vacuous: the shipped cases include both kinds."""
    kinds = set()
    for case in SCENARIOS:
        exported = cli("simulate", PAN_SUSSEX, str(case), "--format", "ics").out
        for event in Calendar.from_ical(exported).walk("VEVENT") if exported else ():
            kinds.add(str(event["summary"]).split(":")[0])
    assert kinds == {"Due", "OVERDUE"}


def test_the_calendar_and_the_timeline_are_the_same_bytes_every_time(cli):
    case = "procedures/pan-sussex/scenarios/16-rapid-review-report-delayed.case"
    for file_format in ("ics", "svg"):
        first = cli("simulate", PAN_SUSSEX, case, "--format", file_format).out
        assert first == cli("simulate", PAN_SUSSEX, case, "--format", file_format).out


def test_the_timeline_draws_windows_lateness_escalations_and_days_off(cli, tmp_path):
    """Scenario 16: the rapid review report is overdue and escalated; the SIN was on time; May's bank holidays are shaded."""
    out = tmp_path / "case.svg"
    result = cli("simulate", PAN_SUSSEX, "procedures/pan-sussex/scenarios/16-rapid-review-report-delayed.case", "-o", str(out))
    assert result.code == 0, result.err
    root = ElementTree.fromstring(out.read_bytes())
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    rows = {g.find(f"{SVG}title").text.split(":")[0]: g for g in root.iter(f"{SVG}g") if g.find(f"{SVG}title") is not None}
    report = rows["rapid_review_report"]
    assert "overdue" in report.find(f"{SVG}title").text
    fills = [shape.get("fill") for shape in report]
    assert "#c0392b" in fills  # the late bar and the escalation mark
    assert any(shape.tag == f"{SVG}path" for shape in report)  # the escalation
    sin = rows["submit_sin"]
    assert [shape.get("fill") for shape in sin if shape.tag == f"{SVG}circle"] == ["#1e7a46"]  # done on time
    texts = " ".join(text for text in root.itertext())
    assert "as of 2024-07-29" in texts


def test_bank_holidays_are_shaded_with_their_names(cli):
    """Scenario 20 runs over Christmas: each bank holiday is a shaded day named on hover."""
    svg = cli("simulate", PAN_SUSSEX, "procedures/pan-sussex/scenarios/20-christmas-holidays.case", "--format", "svg").out
    root = ElementTree.fromstring(svg)
    named = [rect.find(f"{SVG}title").text for rect in root.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    assert any("Christmas Day" in name for name in named)
    assert any("Boxing Day" in name for name in named)


def test_hostile_titles_stay_text_in_the_timeline(cli, tmp_path):
    """Markup, quotes and `]]>` in titles are escaped: the SVG parses and holds no element they name."""
    procedure = tmp_path / "hostile.proc"
    procedure.write_text(
        'procedure "<script>alert(1)</script>"\nend\n'
        'role lead "Lead \\"]]> & <b>"\n'
        'event referral "The <referral> ]]>"\n'
        "start at first\n"
        'step first "<script>alert(\'x\')</script> \\" ]]> &amp;"\n'
        "  must be done by lead\n  within 5 working days after referral\n  next done\nend\n"
        'outcome done "<img src=x onerror=alert(1)>"\n',
        encoding="utf-8",
    )
    case = tmp_path / "hostile.case"
    case.write_text(
        'case "<svg onload=alert(1)> ]]>"\n  procedure "hostile.proc"\n  as of 2024-03-20\nend\non 2024-03-01 referral\n',
        encoding="utf-8",
    )
    result = cli("simulate", str(procedure), str(case), "--format", "svg")
    assert_no_internal_error(result)
    assert result.code == 0, result.err
    root = ElementTree.fromstring(result.out)
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert not tags & {"script", "img", "foreignObject"}
    assert "<script>alert('x')</script>" in "".join(root.itertext())


def test_output_choices_are_checked_before_anything_is_written(cli, tmp_path):
    case = "procedures/pan-sussex/scenarios/16-rapid-review-report-delayed.case"
    summary = cli("simulate", PAN_SUSSEX, "procedures/pan-sussex/scenarios", "--summary", "-o", str(tmp_path / "x.svg"))
    assert summary.code == 2 and "one case at a time" in summary.err
    own = cli("simulate", PAN_SUSSEX, case, "-o", case)
    assert own.code == 2
    ics = cli("simulate", PAN_SUSSEX, case, "-o", str(tmp_path / "deadlines.ics"))
    assert ics.code == 0 and (tmp_path / "deadlines.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")


def test_cases_with_one_name_keep_their_own_events_and_names_not_understood_are_refused(cli, tmp_path):
    """Each event's identity includes the case's file, so two cases named alike do not overwrite each other's;
    -o with an extension that names no format is refused rather than written as text."""
    case = ROOT / "procedures/pan-sussex/scenarios/16-rapid-review-report-delayed.case"
    uids = []
    for name in ("first.case", "second.case"):
        copy = tmp_path / name
        copy.write_text(case.read_text(encoding="utf-8").replace('"../cspr.proc"', f'"{ROOT / PAN_SUSSEX}"'), encoding="utf-8")
        exported = cli("simulate", PAN_SUSSEX, str(copy), "--format", "ics")
        assert exported.code == 0, exported.err
        uids.append({str(event["uid"]) for event in Calendar.from_ical(exported.out).walk("VEVENT")})
    assert uids[0] and not uids[0] & uids[1]
    unknown = cli("simulate", PAN_SUSSEX, str(case), "-o", str(tmp_path / "case.png"))
    assert unknown.code == 2 and "--format" in unknown.err and not (tmp_path / "case.png").exists()


def test_a_form_feed_in_a_title_leaves_the_timeline_and_calendar_valid(cli, tmp_path):
    """Text pasted from a PDF may hold control characters: the SVG still parses, the calendar holds none."""
    procedure = tmp_path / "ff.proc"
    procedure.write_text(
        'procedure "Review\x0c one"\nend\nrole lead "Lead\x1b[31m"\nevent referral "Referral\x01"\nstart at first\n'
        'step first "First\x0c step"\n  must be done by lead\n  within 5 working days after referral\n  next done\nend\n'
        'outcome done "Done"\n',
        encoding="utf-8",
    )
    case = tmp_path / "ff.case"
    case.write_text('case "Form\x0cfeed"\n  procedure "ff.proc"\n  as of 2024-03-04\nend\non 2024-03-01 referral\n', encoding="utf-8")
    svg = cli("simulate", str(procedure), str(case), "--format", "svg")
    assert svg.code == 0, svg.err
    ElementTree.fromstring(svg.out)
    ics = cli("simulate", str(procedure), str(case), "--format", "ics")
    assert ics.code == 0, ics.err
    assert not any(ord(ch) < 32 and ch not in "\r\n\t" for ch in ics.out)
    Calendar.from_ical(ics.out)


def test_a_case_at_the_edge_of_the_calendar_years_is_drawn(cli, tmp_path):
    """The picture pads the case's days; past the calendar's last year only weekends are shaded, nothing fails."""
    case = "procedures/pan-sussex/scenarios/16-rapid-review-report-delayed.case"
    result = cli("simulate", PAN_SUSSEX, case, "--as-of", "2074-12-31", "--format", "svg")
    assert_no_internal_error(result)
    assert result.code == 0, result.err
    ElementTree.fromstring(result.out)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1024-07-03"])
def test_a_date_far_outside_the_calendar_is_drawn_at_the_edge(cli, tmp_path, day):
    """A mistyped year is reported by the simulation; the picture still draws, no wider than the calendar's years."""
    case = (ROOT / "procedures/pan-sussex/scenarios/16-rapid-review-report-delayed.case").read_text(encoding="utf-8")
    changed = tmp_path / "typo.case"
    changed.write_text(
        case.replace('"../cspr.proc"', f'"{ROOT / PAN_SUSSEX}"').replace("on 2024-07-01 aware", f"on {day} aware"), encoding="utf-8"
    )
    assert f"on {day} aware" in changed.read_text(encoding="utf-8")
    result = cli("simulate", PAN_SUSSEX, str(changed), "--format", "svg")
    assert_no_internal_error(result)
    assert result.code == 0, result.err
    assert int(ElementTree.fromstring(result.out).get("width")) < 365 * 80 * 3 + 2_000


def _rows_and_key(svg: str):
    root = ElementTree.fromstring(svg)
    rows = {g.find(f"{SVG}title").text.split(":")[0]: g for g in root.iter(f"{SVG}g") if g.find(f"{SVG}title") is not None}
    return root, rows, " ".join(root.itertext())


def _one_path_picture(cli, tmp_path, as_of: str, *more: str):
    """The picture of a one_path.proc case notified on 5 March 2024 (so `gather` may not be done before the 7th)."""
    case = tmp_path / "one-path.case"
    case.write_text(
        f'case "Notified"\n  as of {as_of}\nend\nfacts\n  harmed is yes\n  age is 9\n  route is mash\n  more_needed is no\nend\n'
        + "".join(f"{line}\n" for line in ("on 2024-03-01 aware", "on 2024-03-04 screen done", "on 2024-03-05 notify done", *more))
    )
    result = cli("simulate", "tests/simulate/one_path.proc", str(case), "--format", "svg")
    assert result.code == 0, result.err
    return _rows_and_key(result.out)


def test_an_earliest_day_is_a_bracket_and_a_step_done_before_it_a_ring(cli, tmp_path):
    """`gather` may not be done until 2 days after `notify`: done the next day, it is drawn as done too soon."""
    root, rows, texts = _one_path_picture(cli, tmp_path, "2024-03-20", "on 2024-03-06 gather done")
    gather = rows["gather"]
    assert "not before 2024-03-07" in gather.find(f"{SVG}title").text and "(too soon)" in gather.find(f"{SVG}title").text
    assert [(c.get("fill"), c.get("stroke")) for c in gather if c.tag == f"{SVG}circle"] == [("white", "#c0392b")]
    assert any(p.tag == f"{SVG}path" and p.get("d").endswith("h-4 v16 h4") for p in gather)  # the bracket
    assert "not before" in texts and "done too soon" in texts  # in the key
    notify = rows["notify"]
    assert [c.get("fill") for c in notify if c.tag == f"{SVG}circle"] == ["#1e7a46"]  # on time, and no lower bound


def test_a_case_with_no_lower_bound_keeps_its_key_short(cli):
    """Scenario 16 has no `at least` deadline: the key says nothing of earliest days."""
    svg = cli("simulate", PAN_SUSSEX, "procedures/pan-sussex/scenarios/16-rapid-review-report-delayed.case", "--format", "svg").out
    _, _, texts = _rows_and_key(svg)
    assert "not before" not in texts and "too soon" not in texts


def test_an_earliest_day_years_ahead_is_drawn_at_the_edge_with_its_date(cli):
    """Scenario 15's action-plan review may not come for two years: the picture is not stretched over them."""
    svg = cli("simulate", PAN_SUSSEX, "procedures/pan-sussex/scenarios/15-lcspr-through-publication.case", "--format", "svg").out
    root, rows, _ = _rows_and_key(svg)
    review = rows["review_action_plan"]
    assert [t.text for t in review if t.tag == f"{SVG}text"][-1] == "not before 2026-11-20"
    assert int(root.get("width")) < 2_000  # as-of 2024-11-22; two more years would double it


def test_an_earliest_day_soon_after_is_drawn_in_its_place(cli, tmp_path):
    """`gather` may not be done until 7 March; seen on 5 March, its bracket stands on the 7th, with no words at the edge."""
    root, rows, _ = _one_path_picture(cli, tmp_path, "2024-03-05")
    gather, notify = rows["gather"], rows["notify"]
    bracket = next(p for p in gather if p.tag == f"{SVG}path" and p.get("d").endswith("h-4 v16 h4"))
    fifth = float(next(c for c in notify if c.tag == f"{SVG}circle").get("cx"))  # done on the 5th, drawn mid-day
    fourth = float(next(c for c in rows["screen"] if c.tag == f"{SVG}circle").get("cx"))  # the 4th
    day_width = fifth - fourth
    bracket_left = float(bracket.get("d")[1:].split()[0]) - 4
    assert bracket_left == pytest.approx(fifth - day_width / 2 + 2 * day_width, abs=0.2)
    assert not [t for t in gather if t.tag == f"{SVG}text" and "not before" in (t.text or "")]
