"""`safeproc handbook PROC -o DIR`: the procedure as a static website a partnership can publish."""

from __future__ import annotations

import argparse
from pathlib import Path

from repl.commands import EXIT_OK, EXIT_USAGE, Command, Console, analyse_one_procedure, expand_paths, is_folder, read_file
from repl.printable import shown_name


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="PROC", help="the .proc file to publish")
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="DIR",
        help="the folder to write the handbook into: a new or empty folder, or one safeproc wrote before (it is replaced whole, "
        "or not at all). Open DIR/index.html in a browser",
    )
    parser.add_argument(
        "--source",
        metavar="FILE",
        help="the source document as text, with numbered paragraphs: each step's card then quotes the paragraphs it cites",
    )
    parser.add_argument(
        "--scenarios",
        metavar="DIR",
        help="a folder of .case files: each becomes a page with its timeline, and each step's card lists the cases that reach it",
    )


def _run(args: argparse.Namespace, console: Console) -> int:
    from interpreter.phases import phases_of
    from interpreter.syntax import decode
    from interpreter.trace import paragraph_texts
    from repl.diagnostic_output import print_diagnostics
    from repl.output_file import OutputRefused, folder_to_write, write_folder_atomically
    from visualise.handbook import MARKER, HandbookInput, build_handbook
    from visualise.output import INSTALL_GRAPHVIZ, DrawingError, graphviz_available, run_graphviz

    if not graphviz_available():
        console.error(f"safeproc: the handbook's charts are drawn by Graphviz, and its `dot` program is not installed; {INSTALL_GRAPHVIZ}")
        return EXIT_USAGE
    early_inputs = [Path(args.path), *([Path(args.source)] if args.source else []), *([Path(args.scenarios)] if args.scenarios else [])]
    try:
        folder_to_write(args.output, MARKER, early_inputs)  # refused before any drawing, not after
    except OutputRefused as exc:
        console.error(f"safeproc: {exc}")
        return EXIT_USAGE
    paragraphs: dict[str, str] = {}
    if args.source:
        if is_folder(Path(args.source)):
            console.error(f"safeproc: --source `{shown_name(args.source)}` is a folder; name the source text file")
            return EXIT_USAGE
        text = read_file(Path(args.source), console)
        if text is None:
            return EXIT_USAGE
        source, problems = decode(text, args.source)
        if source is None:
            print_diagnostics(console, problems, {})
            return EXIT_USAGE
        paragraphs = paragraph_texts(source)
    analysis = analyse_one_procedure(args.path, console, f"`{shown_name(args.output)}` was not written", verb="publish")
    if isinstance(analysis, int):
        return analysis
    procedure_path = Path(analysis.source.name)
    scenarios = _scenarios(args, console, procedure_path)
    if scenarios is None:
        return EXIT_USAGE
    given = HandbookInput(
        procedure=analysis.procedure,
        graph=analysis.graph,
        phases=phases_of(analysis.source, analysis.procedure),
        paragraphs=paragraphs,
        scenarios=tuple(scenarios),
        draw_svg=lambda dot_source: run_graphviz(dot_source, "svg"),
        readings=_readings(procedure_path, console),
    )
    try:
        pages = build_handbook(given, progress=lambda words: console.error(f"safeproc: {words}"))
        inputs = [procedure_path, *([Path(args.source)] if args.source else []), *([Path(args.scenarios)] if args.scenarios else [])]
        write_folder_atomically(args.output, pages, MARKER, inputs)
    except (DrawingError, OutputRefused) as exc:
        console.error(f"safeproc: {exc}")
        return EXIT_USAGE
    except OSError as exc:
        console.error(f"safeproc: cannot write `{shown_name(args.output)}`: {(exc.strerror or str(exc)).lower()}")
        return EXIT_USAGE
    console.error(
        f"safeproc: wrote {len(pages)} files to `{shown_name(args.output)}`; open `{shown_name(str(Path(args.output) / 'index.html'))}` in a browser"
    )
    return EXIT_OK


def _readings(procedure_path: Path, console: Console) -> dict[str, tuple[str, ...]]:
    """The headings of the READING.md notes beside the procedure, by the paragraphs they are about."""
    from interpreter.reading_notes import READING_FILE_NAME, reading_notes
    from interpreter.syntax import decode

    path = procedure_path.parent / READING_FILE_NAME
    if not path.is_file():
        return {}
    data = read_file(path, console)
    text = decode(data, str(path))[0] if data is not None else None
    if text is None:
        return {}
    found: dict[str, tuple[str, ...]] = {}
    for note in reading_notes(text)[0]:
        for paragraph in note.paragraphs:
            found[paragraph] = (*found.get(paragraph, ()), note.title)
    return found


def _scenarios(args: argparse.Namespace, console: Console, procedure_path: Path) -> list | None:
    """Each case of --scenarios run against the procedure, in file-name order; None if the folder cannot be read."""
    from interpreter.scenario import run_case
    from repl.diagnostic_output import print_diagnostics
    from repl.procedure_cache import ProcedureCache, load_case_file
    from visualise.handbook import Scenario

    if not args.scenarios:
        return []
    folder = Path(args.scenarios)
    if not is_folder(folder):
        try:
            why = "is not a folder" if folder.exists() else "does not exist"
        except OSError as exc:  # a name too long to look up
            why = f"cannot be read: {(exc.strerror or str(exc)).lower()}"
        console.error(f"safeproc: --scenarios `{shown_name(args.scenarios)}` {why}; name the folder of .case files")
        return None
    paths, unreadable = expand_paths([args.scenarios], ".case", console)
    if unreadable:
        return None
    procedures = ProcedureCache()
    found = []
    for number, path in enumerate(sorted(paths), start=1):
        if number == 1:
            console.error(f"safeproc: running {len(paths)} case{'s' if len(paths) != 1 else ''}")
        elif number % 500 == 0:
            console.error(f"safeproc: ran {number} of {len(paths)} cases")
        data = read_file(path, console)
        if data is None:
            return None
        loaded = load_case_file(data, str(path), procedures, procedure_override=procedure_path)
        # A case with no `as of` is seen as of the last day it records, so that the page is the same whenever it is written.
        recorded = [*loaded.happenings.values(), *(day for day, _, _ in loaded.learnt)]
        result = run_case(loaded, None if loaded.case is None or loaded.case.as_of else max(recorded, default=None))
        problems = tuple(f"line {d.span.line}: {d.message}" if d.span else d.message for d in loaded.diagnostics if d.severity == "error")
        if result is None:
            sources = {loaded.source.name: loaded.source} if loaded.source is not None else {}
            print_diagnostics(console, loaded.diagnostics, sources)
            if not problems:
                problems = ("it gives no `as of` and records no dates, so there is no day to see it from",)
            console.error(f"safeproc: warning: `{shown_name(str(path))}` could not be run; its page says why")
        found.append(Scenario(path.name, loaded, result, problems))
    if not paths:
        console.error(f"safeproc: note: `{shown_name(args.scenarios)}` holds no .case files, so the handbook has no scenarios")
    return found


COMMAND = Command(
    "handbook",
    "publish a procedure as a website",
    "Write a procedure as a static, offline website a partnership can publish: the overview "
    "chart and a chart per phase (each box a link), a card per step with its owner, duty, "
    "deadlines, escalations and cited paragraphs, a table of what is due when, a page per "
    "role, and each scenario as a timeline. Needs the Graphviz `dot` program. Exits 0 when "
    "written, 1 when the procedure has errors, 2 when a file cannot be read or written.",
    _configure,
    _run,
)
