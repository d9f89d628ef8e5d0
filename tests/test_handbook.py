"""`safeproc handbook`: the procedure as a website, opened in a real browser (headless Chromium)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from conftest import ROOT, assert_no_internal_error

PAN_SUSSEX = ROOT / "procedures/pan-sussex/cspr.proc"
SCENARIOS = ROOT / "procedures/pan-sussex/scenarios"
SOURCE = ROOT.parent / "shared/seeds/000_561138213bff8628.txt"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
needs_browser = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs Debian's chromium)")

# Chromium's own flags for a closed machine: no sandbox as root, and none of its background calls home.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]

HOSTILE = """\
procedure "<script>alert('procedure')</script> \\" ]]> &amp;"
  source "</title><script>alert(1)</script>"
end
# ---- <img src=x onerror=alert('phase')> ]]> --------------------------
role lead "Lead \\"quoted\\" <b>bold</b> ]]>"
event referral "The <referral> ]]>"
start at first
step first "<script>alert('step')</script> \\" ]]> &amp;"
  must be done by lead
  within 5 working days after referral
  if late notify lead "<iframe src=javascript:alert(1)>"
  cites "<a href=javascript:alert(1)>1.1</a>"
  next done
end
outcome done "</section><svg onload=alert('end')>"
"""


@pytest.fixture(scope="module")
def handbook(tmp_path_factory) -> Path:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    from conftest import run_cli

    folder = tmp_path_factory.mktemp("handbook") / "site"
    arguments = ["handbook", str(PAN_SUSSEX), "-o", str(folder), "--scenarios", str(SCENARIOS)]
    if SOURCE.exists():
        arguments += ["--source", str(SOURCE)]
    result = run_cli(*arguments)
    assert result.code == 0, result.err
    return folder


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


class Visit:
    """A page opened from disk, with what it logged and every request it made."""

    def __init__(self, browser, path: Path):
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.context.route("**/*", self._request)
        self.page.goto(path.as_uri())

    def _request(self, route) -> None:
        url = route.request.url
        self.requests.append(url)
        if url.startswith("file://"):
            route.continue_()
        else:
            route.abort()

    def close(self) -> None:
        self.context.close()


def _deadlines_in(path: Path) -> int:
    from interpreter import model as m
    from interpreter.pipeline import analyse_bytes

    procedure = analyse_bytes(path.read_bytes(), str(path)).procedure
    assert procedure is not None
    return sum(len(m.deadlines_of(node)) for node in procedure.nodes)


def _pages(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.html"))


@needs_dot
@needs_browser
def test_every_page_loads_from_disk_with_no_error_and_no_network(handbook: Path, browser, tmp_path: Path):
    """Each page opens from disk, logs no console error, fetches nothing but its own files, and every link resolves."""
    ids: dict[str, set[str]] = {}
    links: list[tuple[str, str]] = []
    for path in _pages(handbook):
        visit = Visit(browser, path)
        try:
            assert visit.errors == [], f"{path.name}: {visit.errors}"
            foreign = [url for url in visit.requests if not url.startswith("file://")]
            assert foreign == [], f"{path.name} asked the network for {foreign}"
            ids[path.name] = set(visit.page.eval_on_selector_all("[id]", "elements => elements.map(e => e.id)"))
            hrefs = visit.page.eval_on_selector_all(
                "a", "anchors => anchors.map(a => a.getAttribute('href') || a.getAttributeNS('http://www.w3.org/1999/xlink', 'href'))"
            )
            # Graphviz wraps a box without a link in an <a> with only a tooltip: no link, so not counted.
            links.extend((path.name, href) for href in hrefs if href is not None)
        finally:
            visit.close()
    assert len(links) > 500
    for page, href in links:
        assert href.strip(), f"{page} has a link going nowhere"
        target = urlparse(href)
        assert not target.scheme and not target.netloc, f"{page} links outside the handbook: {href}"
        file_name = unquote(target.path) or page
        assert (handbook / file_name).is_file(), f"{page} links to {href}, which is not there"
        if target.fragment and file_name.endswith(".html"):
            assert target.fragment in ids[file_name], f"{page} links to {href}, which has no #{target.fragment}"


@needs_dot
@needs_browser
def test_step_cards_and_the_timescales_table_are_in_the_rendered_page(handbook: Path, browser, tmp_path: Path):
    """The rapid review's page shows a card per box, with the SIN's deadline in words; the table has every deadline."""
    visit = Visit(browser, handbook / "phase-rapid-review.html")
    try:
        cards = visit.page.locator("section.card")
        assert cards.count() == 15
        report = visit.page.locator("#step-rapid_review_report")
        assert "should be done within 15 working days after submit_sin" in report.inner_text()
        assert "Monday to Friday" in report.inner_text()
        if SOURCE.exists():
            assert report.locator("blockquote").count() >= 1  # the cited paragraphs' text
        assert visit.page.locator("figure.chart svg a").count() >= 15  # each box a link
        visit.page.screenshot(path=str(tmp_path / "phase.png"))
    finally:
        visit.close()
    visit = Visit(browser, handbook / "timescales.html")
    try:
        rows = visit.page.locator("tbody tr")
        assert rows.count() == _deadlines_in(PAN_SUSSEX)
        assert "must be done within 5 days after aware" in visit.page.locator("table").first.inner_text()
        visit.page.screenshot(path=str(tmp_path / "timescales.png"), full_page=True)
    finally:
        visit.close()
    assert (tmp_path / "phase.png").read_bytes().startswith(b"\x89PNG")


@needs_dot
@needs_browser
def test_the_keyboard_reaches_the_skip_link_then_the_navigation(handbook: Path, browser):
    visit = Visit(browser, handbook / "index.html")
    try:
        visit.page.keyboard.press("Tab")
        assert visit.page.evaluate("document.activeElement.textContent") == "Skip to the content"
        visit.page.keyboard.press("Tab")
        assert visit.page.evaluate("document.activeElement.textContent") == "Overview"
        assert visit.page.locator("h1").count() == 1 and visit.page.locator("main h2").count() >= 2
    finally:
        visit.close()


@needs_dot
@needs_browser
def test_hostile_titles_stay_inert_text(browser, cli, tmp_path: Path):
    """Markup and quotes in every title, source and citation: no dialog, no script, no error, and the words shown as written."""
    procedure = tmp_path / "hostile.proc"
    procedure.write_text(HOSTILE, encoding="utf-8")
    folder = tmp_path / "site"
    result = cli("handbook", str(procedure), "-o", str(folder))
    assert_no_internal_error(result)
    assert result.code == 0, result.err
    for path in _pages(folder):
        visit = Visit(browser, path)
        try:
            assert visit.dialogs == [] and visit.errors == [], path.name
            assert visit.page.locator("script, iframe, img").count() == 0
        finally:
            visit.close()
    visit = Visit(browser, folder / "index.html")
    try:
        assert "<script>alert('procedure')</script>" in visit.page.locator("header .procedure").inner_text()
    finally:
        visit.close()


@needs_dot
def test_the_handbook_is_the_same_bytes_every_time(cli, tmp_path: Path):
    first, second = tmp_path / "first", tmp_path / "second"
    for folder in (first, second):
        assert cli("handbook", str(PAN_SUSSEX), "-o", str(folder), "--scenarios", str(SCENARIOS)).code == 0
    names = sorted(path.name for path in first.iterdir())
    assert names == sorted(path.name for path in second.iterdir())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


@needs_dot
def test_a_folder_with_other_files_is_never_replaced(cli, tmp_path: Path):
    """A folder safeproc did not write is refused whole; one it wrote is replaced, with nothing of the old left;
    one it wrote that now holds other files (notes, an input, a .git) is refused, naming them."""
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    refused = cli("handbook", str(PAN_SUSSEX), "-o", str(folder))
    assert refused.code == 2 and "did not write" in refused.err
    assert [path.name for path in folder.iterdir()] == ["notes.txt"]
    fresh = tmp_path / "fresh"
    assert cli("handbook", str(PAN_SUSSEX), "-o", str(fresh)).code == 0
    # A page an earlier handbook wrote (a phase since renamed) goes with the rest.
    marker = fresh / ".safeproc-handbook"
    marker.write_text(marker.read_text(encoding="utf-8") + "phase-stale.html\n", encoding="utf-8")
    (fresh / "phase-stale.html").write_text("old", encoding="utf-8")
    fresh.chmod(0o700)
    assert cli("handbook", str(PAN_SUSSEX), "-o", f"{fresh}/../fresh").code == 0
    assert not (fresh / "phase-stale.html").exists() and (fresh / "index.html").is_file()
    assert fresh.stat().st_mode & 0o777 == 0o700
    assert not [name for name in os.listdir(tmp_path) if name.startswith(".")]  # no temporary folder left behind
    # A link on the way is followed as the system follows it, and an empty name is refused.
    (tmp_path / "deep" / "inner").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "deep" / "inner")
    assert cli("handbook", str(PAN_SUSSEX), "-o", str(tmp_path / "link" / ".." / "via-link")).code == 0
    assert (tmp_path / "deep" / "via-link" / "index.html").is_file()
    empty = cli("handbook", str(PAN_SUSSEX), "-o", "")
    assert empty.code == 2 and "empty" in empty.err
    # Anything else in it now is refused, and everything stays.
    shutil.copy(PAN_SUSSEX, fresh / "my.proc")
    (fresh / ".git").mkdir()
    before = sorted(os.listdir(fresh))
    inside = cli("handbook", str(fresh / "my.proc"), "-o", str(fresh))
    assert inside.code == 2 and "my.proc" in inside.err
    added = cli("handbook", str(PAN_SUSSEX), "-o", str(fresh))
    assert added.code == 2 and "`.git`" in added.err and "`my.proc`" in added.err
    assert sorted(os.listdir(fresh)) == before


@needs_dot
def test_leftovers_of_an_interrupted_run_are_cleared_by_the_next(cli, tmp_path: Path):
    folder = tmp_path / "site"
    assert cli("handbook", str(PAN_SUSSEX), "-o", str(folder)).code == 0
    leftover = tmp_path / ".site.abc12_yz.part"  # as tempfile names the folder it builds in
    shutil.copytree(folder, leftover)
    long_ago = time.time() - 3600
    os.utime(leftover, (long_ago, long_ago))
    # Folders that merely look alike are the user's: a backup, an empty folder, another run's fresh one.
    backup = tmp_path / ".site.my-backup.old"
    shutil.copytree(folder, backup)
    os.utime(backup, (long_ago, long_ago))
    (tmp_path / ".site.notes123.part").mkdir()
    fresh = tmp_path / ".site.fresh123.part"
    shutil.copytree(folder, fresh)
    assert cli("handbook", str(PAN_SUSSEX), "-o", str(folder)).code == 0
    assert not leftover.exists() and (folder / "index.html").is_file()
    assert backup.is_dir() and (tmp_path / ".site.notes123.part").is_dir() and fresh.is_dir()


@needs_dot
def test_roles_differing_in_case_get_pages_of_their_own_and_a_case_without_as_of_is_seen_as_of_its_last_day(cli, tmp_path: Path):
    """`crg` and `CRG` would be one file on Windows and macOS; a case with no `as of` still gets a timeline, dated."""
    procedure = tmp_path / "p.proc"
    procedure.write_text(
        'procedure "Two leads"\nend\nrole crg "Case review group"\nrole CRG "Another group"\nevent referral "Referral"\n'
        "start at first\n"
        'step first "First"\n  must be done by crg\n  within 5 working days after referral\n  next second\nend\n'
        'step second "Second"\n  by CRG\n  next done\nend\noutcome done "Done"\n',
        encoding="utf-8",
    )
    scenarios = tmp_path / "cases"
    scenarios.mkdir()
    (scenarios / "a.case").write_text('case "No date given"\n  procedure "../p.proc"\nend\non 2024-03-01 referral\n', encoding="utf-8")
    folder = tmp_path / "site"
    result = cli("handbook", str(procedure), "-o", str(folder), "--scenarios", str(scenarios))
    assert result.code == 0, result.err
    pages = {path.name.lower() for path in folder.iterdir()}
    assert len(pages) == len(list(folder.iterdir()))
    assert {"role-crg.html", "role-crg-2.html"} <= pages
    scenario = (folder / "scenario-01-a.html").read_text(encoding="utf-8")
    assert "Seen as of 2024-03-01" in scenario and "<svg" in scenario


def test_a_scenario_page_shows_a_steps_earliest_day(handbook: Path):
    """Pan-Sussex scenario 15: the action plan's review (two years after sign-off, 1.1.52) is open with no due
    date; its row says when it may be done, not a bare dash."""
    page = (handbook / "scenario-15-15-lcspr-through-publication.html").read_text(encoding="utf-8")
    row = page[page.index('#step-review_action_plan">') :].split("</tr>")[0]
    assert "<td>not before 2026-11-20</td>" in row and "<td>open</td>" in row


def test_a_phase_page_says_lanes_only_where_its_chart_has_them(handbook: Path):
    """How a case ends holds ends alone, drawn with no lane: its caption does not promise a lane per role."""
    assert ", a lane per role;" in (handbook / "phase-rapid-review.html").read_text(encoding="utf-8")
    ends = (handbook / "phase-how-a-case-ends.html").read_text(encoding="utf-8")
    assert "The chart of How a case ends; choose a box" in ends and "lane per role" not in ends
