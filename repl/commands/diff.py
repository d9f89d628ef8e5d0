"""`safeproc diff OLD NEW [--impact LOCAL]`: what changed between two versions, in the language's terms."""

from __future__ import annotations

import argparse

from repl.commands import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Command, Console, analyse_files, files_to_read, files_under


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", metavar="OLD", help="the earlier version (.proc): a procedure or a national specification")
    parser.add_argument("new", metavar="NEW", help="the later version (.proc)")
    parser.add_argument(
        "--impact",
        metavar="LOCAL",
        help="a local procedure that implements NEW: for each national obligation that changed, the local steps "
        "concerned, whether each still conforms, and the scenarios beside LOCAL that exercise them",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="text for people (the default); json for scripts")


def _run(args: argparse.Namespace, console: Console) -> int:
    from pathlib import Path

    from interpreter.conform import Procedure
    from interpreter.diff import described, diff
    from repl.diagnostic_output import print_diagnostics

    paths = [args.old, args.new] + ([args.impact] if args.impact else [])
    found = files_to_read(paths, ".proc", console)
    if found is None:
        return EXIT_USAGE
    files, unreadable = found
    if unreadable or len(files) != len(paths):
        if not unreadable:
            console.error("safeproc: diff compares two .proc files (and --impact names a third): name files, not folders")
        return EXIT_USAGE
    analyses, sources, more_unreadable = analyse_files(files, console)
    if more_unreadable:
        return EXIT_USAGE
    broken = [a for a in analyses if not a.ok or a.resolved is None or a.graph is None]
    if broken:
        print_diagnostics(console, [d for a in broken for d in a.diagnostics if d.is_error], sources)
        console.error("safeproc: correct the errors above (`safeproc check`) before comparing")
        return EXIT_PROBLEMS
    old, new = (Procedure(a.resolved, a.graph) for a in analyses[:2])
    result = diff(old, new)
    impact = _impact(analyses[2], new, result, Path(args.impact)) if args.impact else None
    if args.format == "json":
        _print_json(console, result, impact)
    else:
        console.print(f"{args.old} → {args.new}")
        if not result.changes:
            console.print("no differences in what the procedure says (comments and layout aside)")
        for line in described(result.changes):
            console.print(line)
        if impact is not None:
            console.print("")
            for line in impact:
                console.print(line)
    return EXIT_OK


def _impact(local, new, result, local_path) -> list[str]:
    """For each changed national obligation: the local steps concerned, their conformance, the scenarios that use them."""
    from interpreter import model as m
    from interpreter.conform import Procedure, verify_by_obligation
    from interpreter.diff import obligations_changed
    from interpreter.scenario import read_case
    from interpreter.source import SourceFile

    _findings, about = verify_by_obligation(Procedure(local.resolved, local.graph), new)
    satisfying: dict[str, list[str]] = {}
    for node in local.procedure.nodes:
        for ref in getattr(node, "satisfies", ()):
            satisfying.setdefault(ref.name, []).append(node.name)
    old_name = {after: before for before, after in result.renamed.items()}
    from interpreter.source import read_regular_file

    scenarios = []
    for path in files_under(local_path.parent, ".case", hidden_folders=True):
        try:
            # A regular file only: a pipe named *.case would wait for ever.
            data = read_regular_file(path)
        except OSError:
            continue
        case, _ = read_case(SourceFile(str(path), data.decode("utf-8", errors="replace")))
        if case is not None:
            # A step the scenario records, or expects anything of but "not applicable".
            named = {h.name.name for h in case.happenings} | {
                e.subject.name for e in case.expectations if e.subject is not None and e.state != m.StepState.NOT_APPLICABLE
            }
            scenarios.append((path, named))
    lines = [f"impact on {local.procedure.file}:"]
    changed = obligations_changed(result)
    if not changed:
        lines.append("  no national obligation changed")
    for name in changed:
        steps = satisfying.get(name, []) + satisfying.get(old_name.get(name, ""), [])
        removed = name not in about
        lines.append(f"  `{name}`{' (removed from the new version)' if removed else ''}:")
        if not steps:
            lines.append("    no local step satisfies it" + ("" if removed else ": `verify` reports it (P701)"))
            continue
        lines.append("    local steps: " + ", ".join(f"`{s}`" for s in steps))
        if removed:
            lines.append("    they satisfy an obligation the new version no longer has: `check` reports it (P602)")
        else:
            findings = about.get(name, [])
            if not findings:
                lines.append("    still conforms")
            for finding in findings:
                lines.append(f"    {finding.severity}[{finding.code}]: {finding.message}")
        used = [path.name for path, named in scenarios if named & set(steps)]
        shown = ", ".join(used[:4]) + (f" and {len(used) - 4} more" if len(used) > 4 else "")
        lines.append(f"    scenarios that exercise them ({len(used)}): " + (shown if used else "none"))
    return lines


def _print_json(console: Console, result, impact) -> None:
    import json

    changes = [
        {
            "kind": c.kind,
            "subject": c.subject,
            "name": c.name,
            "what": c.what,
            "obligation": c.obligation,
            "old": _where(c.old_span),
            "new": _where(c.new_span),
        }
        for c in result.changes
    ]
    console.print(json.dumps({"changes": changes, "renamed": result.renamed, "impact": impact}, indent=2, ensure_ascii=False))


def _where(span):
    return None if span is None else {"file": span.file, "line": span.line, "column": span.column}


COMMAND = Command(
    "diff",
    "show what changed between two versions of a procedure",
    "Compare two versions of a procedure or a national specification in the language's terms: "
    "what was added, removed or renamed (a rename is matched by a shared citation and a title alike or "
    "the same place in a group, and says so), duties strengthened or weakened, deadlines tightened or "
    "loosened (by how many days at worst), conditions widened or narrowed (with a case), owners, "
    "escalations and citations. With --impact LOCAL, say for each changed national obligation which local "
    "steps satisfy it, whether they still conform, and which scenarios exercise them. Exits 0 when the "
    "comparison is made, 1 when a file has errors, 2 when one cannot be read.",
    _configure,
    _run,
)
