"""From a procedure's graph to the bytes of a picture file, and writing it safely.

`.dot` and `.mmd` are text made here; `.svg`, `.png` and `.pdf` are drawn by the
Graphviz `dot` program from the DOT text. Every SVG carries, in a comment, the
SHA-256 of the DOT it was drawn from, so a committed picture can be checked
against its procedure on any machine, whatever version of Graphviz drew it.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import networkx as nx

from interpreter import model as m
from interpreter.phases import Phase
from visualise.chart import chart_for_view

TEXT_FORMATS = ("dot", "mmd")
GRAPHVIZ_FORMATS = ("svg", "png", "pdf")
FORMATS = GRAPHVIZ_FORMATS + TEXT_FORMATS

# Graphviz has no limit of its own; a layout this slow is one no one would wait for.
DOT_TIME_LIMIT_SECONDS = 120.0

# Screen resolution makes small print blurry in a PNG; this keeps 9-point text readable.
PNG_DPI = "144"

INSTALL_GRAPHVIZ = (
    "install Graphviz to draw .svg, .png or .pdf pictures: `sudo apt-get install graphviz` (Debian, Ubuntu), "
    "`brew install graphviz` (macOS) or https://graphviz.org/download/ ; .dot and .mmd need no Graphviz"
)

SVG_SOURCE_MARK = "<!-- drawn by safeproc from DOT source with sha256 "


class DrawingError(RuntimeError):
    """Graphviz is missing, or could not draw the picture."""


def format_of(path: Path) -> str | None:
    """The format a file name asks for by its extension, or None if it is not one safeproc draws."""
    suffix = path.suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else None


def graphviz_available() -> bool:
    return shutil.which("dot") is not None


def draw(
    procedure: m.Procedure,
    graph: nx.DiGraph,
    file_format: str,
    only: Sequence[str] = (),
    lanes: bool = True,
    direction: str = "TB",
    time_limit: float = DOT_TIME_LIMIT_SECONDS,
    view: str | None = None,
    phases: Sequence[Phase] = (),
    on_warning: Callable[[str], None] | None = None,
) -> bytes:
    """The picture of the procedure in file_format, as the bytes of its file: the view asked for
    (see `chart_for_view`), or the slice `only` selects."""
    # Imported here, not above: the command table reads FORMATS from this module
    # for every command, and `safeproc check` must not load the graphviz package.
    from visualise.dot import to_dot
    from visualise.mermaid import to_mermaid

    chart = chart_for_view(procedure, graph, phases, view, only)
    if file_format == "mmd":
        return to_mermaid(chart, lanes, direction).encode("utf-8")
    source = to_dot(chart, lanes, direction)
    if file_format == "dot":
        return source.encode("utf-8")
    return run_graphviz(source, file_format, time_limit, on_warning)


_SCALED = re.compile(r"Scaling by ([0-9.]+) to fit")


def run_graphviz(
    source: str, file_format: str, time_limit: float = DOT_TIME_LIMIT_SECONDS, on_warning: Callable[[str], None] | None = None
) -> bytes:
    """The DOT source drawn by Graphviz as svg, png or pdf.

    `dot` never outlives safeproc: it is stopped when the time limit passes, when
    safeproc is interrupted or terminated (the exception passes through here),
    and, on Linux, by the kernel when safeproc is killed outright.
    """
    program = shutil.which("dot")
    if program is None:
        raise DrawingError(INSTALL_GRAPHVIZ)
    command = [program, f"-T{file_format}"] + ([f"-Gdpi={PNG_DPI}"] if file_format == "png" else [])
    try:
        child = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
    except OSError as exc:
        raise DrawingError(f"could not run Graphviz `{program}`: {exc.strerror or exc}") from exc
    try:
        picture, complaint = child.communicate(source.encode("utf-8"), timeout=time_limit)
    except subprocess.TimeoutExpired:
        raise DrawingError(
            f"Graphviz took more than {time_limit:g} seconds to lay out the picture and was stopped; "
            "draw a part of the procedure with --only, or allow more time with --time-limit"
        ) from None
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    if child.returncode != 0:
        reason = complaint.decode("utf-8", "replace").strip().splitlines()
        raise DrawingError("Graphviz could not draw the picture: " + (reason[0] if reason else f"`dot` exited with {child.returncode}"))
    scaled = _SCALED.search(complaint.decode("utf-8", "replace"))
    if scaled and on_warning is not None:
        on_warning(
            f"the picture is too big for a {file_format.upper()} (Graphviz draws at most 32,767 pixels a side), so it was "
            f"shrunk to {float(scaled.group(1)):.0%} of its size; draw it as .svg or .pdf to keep it sharp, or one part with --view"
        )
    if file_format == "svg":
        return mark_svg_source(picture, source)
    return picture


def _die_with_parent() -> None:
    """In the child, before `dot` starts: ask Linux to kill it if safeproc dies first (PR_SET_PDEATHSIG)."""
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def dot_fingerprint(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def mark_svg_source(svg: bytes, source: str) -> bytes:
    """The SVG with a comment naming the DOT it was drawn from, just after the XML declaration."""
    declaration, newline, rest = svg.partition(b"\n")
    mark = f"{SVG_SOURCE_MARK}{dot_fingerprint(source)} -->".encode("ascii")
    return declaration + newline + mark + b"\n" + rest


def svg_source_fingerprint(svg: bytes) -> str | None:
    """The SHA-256 of the DOT an SVG made by safeproc was drawn from, or None if it carries none."""
    text = svg.decode("utf-8", "replace")
    start = text.find(SVG_SOURCE_MARK)
    if start < 0:
        return None
    start += len(SVG_SOURCE_MARK)
    return text[start : text.index(" ", start)]
