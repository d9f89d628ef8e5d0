"""`safeproc render PROC -o OUT`: the procedure's flowchart as SVG, PNG, PDF, DOT or Mermaid."""

from __future__ import annotations

import argparse
from pathlib import Path

from repl.commands import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Command, Console, expand_paths, read_file
from repl.diagnostic_output import print_diagnostics, summary_line
from visualise.chart import DIRECTIONS
from visualise.output import FORMATS


def _configure_render(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="PROC", help="the .proc file to draw")
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUT",
        help="the picture file to write (replaced whole, or not at all); its extension chooses the format: "
        ".svg, .png or .pdf (drawn by Graphviz), .dot (Graphviz source) or .mmd (Mermaid)",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help="the format to write, whatever OUT's extension; svg, png and pdf need the Graphviz `dot` program",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        action="extend",
        default=[],
        metavar="STEP",
        help="draw part of the procedure: name steps (decisions, outcomes) to draw just those, or write FROM..TO "
        "for every step on the way from FROM to TO (FROM.. for everything after FROM, ..TO for everything "
        "before TO); arrows that leave the part drawn end in grey boxes",
    )
    parser.add_argument(
        "--no-lanes",
        dest="lanes",
        action="store_false",
        help="draw no lane per role; each box then says who does it",
    )
    parser.add_argument(
        "--direction",
        type=str.upper,
        choices=DIRECTIONS,
        default="TB",
        help="TB draws the flow top to bottom (the default), LR left to right",
    )


def _run_render(args: argparse.Namespace, console: Console) -> int:
    from interpreter.pipeline import analyse_bytes
    from visualise.chart import SliceError
    from visualise.output import GRAPHVIZ_FORMATS, INSTALL_GRAPHVIZ, DrawingError, draw, format_of, graphviz_available, write_atomically

    output = Path(args.output)
    file_format = args.format or format_of(output)
    if file_format is None:
        console.error(
            f"safeproc: cannot tell what to draw from the name `{output}`: end it in .svg, .png, .pdf, .dot or .mmd, or give --format"
        )
        return EXIT_USAGE
    if file_format in GRAPHVIZ_FORMATS and not graphviz_available():
        console.error(f"safeproc: the Graphviz `dot` program is not installed; {INSTALL_GRAPHVIZ}")
        return EXIT_USAGE
    if Path(args.path).is_dir():
        console.error(f"safeproc: `{args.path}` is a folder; name the one .proc file to draw")
        return EXIT_USAGE
    files, unreadable = expand_paths([args.path], ".proc", console)
    if unreadable:
        return EXIT_USAGE
    data = read_file(files[0], console)
    if data is None:
        return EXIT_USAGE
    analysis = analyse_bytes(data, str(files[0]))
    if analysis.diagnostics:
        sources = {analysis.source.name: analysis.source} if analysis.source is not None else {}
        print_diagnostics(console, analysis.diagnostics, sources)
        console.error(summary_line(analysis.diagnostics, 1, console.colour_err))
    if not analysis.ok:
        console.error(f"safeproc: `{output}` was not written; correct the errors above first")
        return EXIT_PROBLEMS
    try:
        picture = draw(analysis.procedure, analysis.graph, file_format, args.only, args.lanes, args.direction)
    except SliceError as exc:
        console.error(f"safeproc: --only: {exc}")
        return EXIT_USAGE
    except DrawingError as exc:
        console.error(f"safeproc: {exc}")
        return EXIT_USAGE
    try:
        write_atomically(output, picture)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        console.error(f"safeproc: cannot write `{output}`: {reason.lower()}")
        return EXIT_USAGE
    console.error(f"safeproc: drew `{output}`")
    return EXIT_OK


COMMAND = Command(
    "render",
    "draw a procedure's flowchart",
    "Draw a procedure as a flowchart with a lane per role: steps, decisions, deadlines, "
    "escalations and outcomes, with a key. Writes SVG, PNG or PDF (these need the Graphviz "
    "`dot` program), Graphviz DOT, or Mermaid. Exits 0 when the picture is written, 1 when "
    "the procedure has errors (nothing is written), 2 when a file cannot be read or written, "
    "Graphviz is missing, or an option is wrong.",
    _configure_render,
    _run_render,
)
