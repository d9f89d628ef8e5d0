"""`safeproc render PROC -o OUT`: the procedure's flowchart as SVG, PNG, PDF, DOT or Mermaid."""

from __future__ import annotations

import argparse
from pathlib import Path

from repl.commands import EXIT_OK, EXIT_USAGE, Command, Console, analyse_one_procedure
from repl.output_file import STANDARD_OUTPUT, OutputRefused, output_target, write_atomically
from repl.printable import shown_name
from visualise.chart import DIRECTIONS, ONE_PAGE_BOXES
from visualise.output import DOT_TIME_LIMIT_SECONDS, FORMATS


def _configure_render(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="PROC", help="the .proc file to draw")
    parser.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="the picture file to write (replaced whole, or not at all), or - for standard output; its extension "
        "chooses the format: .svg, .png or .pdf (drawn by Graphviz), .dot (Graphviz source) or .mmd (Mermaid). "
        "Only a regular file is written, never the .proc being drawn",
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
        "--view",
        metavar="VIEW",
        help="which chart to draw: `overview` (a box per phase, on one page), `all` (every step, a lane per role), "
        "or one phase by its key or number, as `safeproc render PROC --list-views` shows. Phases are the parts "
        "the file's section headings (`# ---- Rapid review ----`) mark. Default: the overview for a procedure "
        f"of more than {ONE_PAGE_BOXES} boxes with phases, else all",
    )
    parser.add_argument(
        "--list-views",
        action="store_true",
        help="list the views of PROC (its phases, with their keys and sizes) and draw nothing; -o is then not needed",
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
    parser.add_argument(
        "--time-limit",
        type=_seconds,
        default=DOT_TIME_LIMIT_SECONDS,
        metavar="SECONDS",
        help=f"stop Graphviz if laying out the picture takes longer than this (default {DOT_TIME_LIMIT_SECONDS:g})",
    )


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < 86400:
        raise argparse.ArgumentTypeError(f"`{text}` is not a number of seconds between 0 and 86400")
    return seconds


def _run_render(args: argparse.Namespace, console: Console) -> int:
    if args.list_views:
        if args.output is not None or args.view is not None or args.only:
            console.error("safeproc: --list-views lists the views and draws nothing; leave out -o, --view and --only, or --list-views")
            return EXIT_USAGE
        return _list_views(args, console)
    if args.output is None:
        console.error("safeproc: say where to draw the picture with -o OUT (or - for standard output), or ask for --list-views")
        return EXIT_USAGE
    return _draw(args, console)


def _list_views(args: argparse.Namespace, console: Console) -> int:
    from interpreter.phases import phases_of
    from visualise.chart import default_view

    analysis = analyse_one_procedure(args.path, console, "nothing was listed")
    if isinstance(analysis, int):
        return analysis
    assert analysis.procedure is not None and analysis.graph is not None and analysis.source is not None
    phases = phases_of(analysis.source, analysis.procedure)
    default = default_view(analysis.graph, phases)
    console.print(
        f"overview{'  (the default)' if default == 'overview' else ''}: a box per phase"
        if phases
        else "overview: none, as the file has no section headings"
    )
    console.print(f"all{'  (the default)' if default == 'all' else ''}: every box, {analysis.graph.number_of_nodes()} of them")
    for number, phase in enumerate(phases, start=1):
        console.print(f"{number:>3}  {phase.key}: {phase.title} ({len(phase.members)} {'box' if len(phase.members) == 1 else 'boxes'})")
    return EXIT_OK


def _draw(args: argparse.Namespace, console: Console) -> int:
    from interpreter.phases import phases_of
    from visualise.chart import SliceError
    from visualise.output import GRAPHVIZ_FORMATS, INSTALL_GRAPHVIZ, DrawingError, draw, format_of, graphviz_available

    output = Path(args.output)
    shown_output = "standard output" if args.output == STANDARD_OUTPUT else f"`{shown_name(args.output)}`"
    file_format = args.format or (None if args.output == STANDARD_OUTPUT else format_of(output))
    if file_format is None:
        if args.output == STANDARD_OUTPUT:
            console.error("safeproc: with `-o -`, say what to draw with --format (svg, png, pdf, dot or mmd)")
        else:
            console.error(
                f"safeproc: cannot tell what to draw from the name {shown_output}: end it in .svg, .png, .pdf, .dot or .mmd, or give --format"
            )
        return EXIT_USAGE
    if args.output == STANDARD_OUTPUT and file_format in ("png", "pdf") and console.out_is_terminal:
        console.error(f"safeproc: a {file_format.upper()} picture is not text and would garble the terminal; send it to a file or a pipe")
        return EXIT_USAGE
    try:
        target = output_target(args.output, [Path(args.path)])
    except OutputRefused as refused:
        console.error(f"safeproc: {refused}")
        return EXIT_USAGE
    if file_format in GRAPHVIZ_FORMATS and not graphviz_available():
        console.error(f"safeproc: the Graphviz `dot` program is not installed; {INSTALL_GRAPHVIZ}")
        return EXIT_USAGE
    analysis = analyse_one_procedure(args.path, console, f"{shown_output} was not written")
    if isinstance(analysis, int):
        return analysis
    assert analysis.procedure is not None and analysis.graph is not None and analysis.source is not None
    phases = phases_of(analysis.source, analysis.procedure)
    try:
        picture = draw(
            analysis.procedure,
            analysis.graph,
            file_format,
            args.only,
            args.lanes,
            args.direction,
            args.time_limit,
            args.view,
            phases,
            on_warning=lambda words: console.error(f"safeproc: note: {words}"),
        )
    except SliceError as exc:
        console.error(f"safeproc: {'--only' if args.only and args.view in (None, 'all') else '--view'}: {exc}")
        return EXIT_USAGE
    except DrawingError as exc:
        console.error(f"safeproc: {exc}")
        return EXIT_USAGE
    if target is None:
        console.write_bytes(picture)
        return EXIT_OK
    try:
        write_atomically(target, picture)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        console.error(f"safeproc: cannot write {shown_output}: {reason.lower()}")
        return EXIT_USAGE
    console.error(f"safeproc: drew {shown_output}")
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
