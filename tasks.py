#!/usr/bin/env python3
"""The quick start: `python3 tasks.py demo` and `python3 tasks.py test`.

`demo` checks every procedure, runs the Pan-Sussex scenarios, shows one case as
a timeline and draws the flowchart into out/; `test` runs the whole test suite;
`pictures` draws again the pictures the README shows (docs/), after a change to
the procedure or to the drawing (a test fails until they are drawn again).

Each task sets itself up first: a virtual environment in .venv with safeproc and
its test tools installed (again only when pyproject.toml changes). It needs
nothing but Python 3.11 or newer and pip.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed-from"
PAN_SUSSEX = "procedures/pan-sussex/cspr.proc"
SCENARIOS = "procedures/pan-sussex/scenarios"
DEMO_CASE = "procedures/pan-sussex/scenarios/15-lcspr-through-publication.case"
OUT = ROOT / "out"


def set_up() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"safeproc needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if PYTHON.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        compile_bytecode()
        return
    if not PYTHON.exists():
        print("setting up: creating a virtual environment in .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("setting up: installing safeproc and its test tools (first run only)", flush=True)
    subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", f"{ROOT}[test]"],
        check=True,
    )
    STAMP.write_text(wanted + "\n")
    compile_bytecode()
    if shutil.which("dot") is None:
        print(
            "note: the Graphviz `dot` program is not installed, so pictures other than .dot and .mmd\n"
            "      cannot be drawn and the tests that need it are skipped. Install it with\n"
            "      `sudo apt-get install graphviz` (Debian/Ubuntu) or `brew install graphviz` (macOS).",
            flush=True,
        )


def compile_bytecode() -> None:
    """Compile safeproc's own modules, as pip does for the libraries it installs.

    Python caches bytecode itself unless told not to (PYTHONDONTWRITEBYTECODE, or a
    folder it cannot write); then every command would compile each module from its
    source again, some 60 ms. Files already compiled and unchanged are skipped.
    """
    packages = [str(ROOT / name) for name in ("grammar", "interpreter", "repl", "visualise")]
    subprocess.run([str(PYTHON), "-m", "compileall", "-q", *packages], cwd=ROOT, check=False, stdout=subprocess.DEVNULL)


def run(*command: str) -> int:
    return subprocess.run(command, cwd=ROOT).returncode


def demo() -> int:
    """The main job on the Pan-Sussex procedure: check it, run its scenarios, show one case, draw it."""
    safeproc = str(BIN / "safeproc")
    OUT.mkdir(exist_ok=True)
    drawn = shutil.which("dot") is not None
    picture = "out/pan-sussex-overview." + ("svg" if drawn else "mmd")
    steps = [
        ("Check every procedure", ["check", "procedures/"]),
        ("Run the Pan-Sussex scenarios", ["test", SCENARIOS]),
        ("One case as a timeline", ["simulate", PAN_SUSSEX, DEMO_CASE]),
        ("The same case as a picture", ["simulate", PAN_SUSSEX, DEMO_CASE, "-o", "out/case-timeline.svg"]),
        ("Draw the overview flowchart", ["render", PAN_SUSSEX, "-o", picture]),
    ]
    if drawn:
        steps.append(("Write the handbook", ["handbook", PAN_SUSSEX, "-o", "out/handbook", "--scenarios", SCENARIOS]))
    failed = 0
    for title, arguments in steps:
        print(f"\n== {title}: safeproc {' '.join(arguments)}", flush=True)
        if run(safeproc, *arguments) != 0:
            failed += 1
    print(f"\nThe overview flowchart is in {picture}" + ("" if drawn else " (Mermaid: install Graphviz for SVG)"))
    print("The case's timeline picture is in out/case-timeline.svg")
    if drawn:
        print("The handbook is in out/handbook/: open out/handbook/index.html in a browser")
    return 1 if failed else 0


# The pictures the README shows, and the commands that draw each (a test compares them with the procedure).
PICTURES = [
    ["render", PAN_SUSSEX, "--view", "overview", "-o", "docs/pan-sussex-overview.svg"],
    ["render", PAN_SUSSEX, "--view", "all", "-o", "docs/pan-sussex-flowchart.svg"],
    ["simulate", PAN_SUSSEX, "procedures/pan-sussex/scenarios/16-rapid-review-report-delayed.case", "-o", "docs/case-timeline.svg"],
]


def pictures() -> int:
    """Draw again every picture the README shows."""
    if shutil.which("dot") is None:
        print("the README's flowcharts are drawn by Graphviz: install it first (`sudo apt-get install graphviz`)", file=sys.stderr)
        return 2
    failed = 0
    for arguments in PICTURES:
        print(f"safeproc {' '.join(arguments)}", flush=True)
        failed += run(str(BIN / "safeproc"), *arguments) != 0
    return 1 if failed else 0


def test(extra: list[str]) -> int:
    return run(str(PYTHON), "-m", "pytest", *extra)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("demo", "test", "pictures"):
        print(__doc__.strip())
        print("\nusage: python3 tasks.py demo | test [pytest options] | pictures")
        return 2
    try:
        set_up()
    except subprocess.CalledProcessError:
        print("setting up failed: pip could not install safeproc (see its message above)", file=sys.stderr)
        return 2
    if argv[0] == "demo":
        return demo()
    if argv[0] == "pictures":
        return pictures()
    return test(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
