"""The stages in order: bytes → text → parse trees → model → names → graph → checks.

Each stage's diagnostics are gathered; a stage runs as far as what came before it
allows, so that one mistake does not hide the next.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import networkx as nx
from attrs import frozen

from interpreter import model as m
from interpreter.build import build_procedure
from interpreter.checks import CHECKS, Check, run_checks
from interpreter.diagnostics import Diagnostic, has_errors, sort_key
from interpreter.graph import build_graph
from interpreter.recovery import checks_around
from interpreter.resolve import ResolvedProcedure, resolve
from interpreter.source import SourceFile
from interpreter.syntax import DeclarationStream, ParseResult, PieceCache, decode, parse_source
from interpreter.syntax_tree import Allowance, allowances, comments_in, statements


@frozen
class Analysis:
    source: SourceFile | None
    procedure: m.Procedure | None
    resolved: ResolvedProcedure | None
    graph: nx.DiGraph | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def analyse_bytes(data: bytes, name: str, checks: tuple[Check, ...] = CHECKS) -> Analysis:
    source, diagnostics = decode(data, name)
    if source is None:
        return Analysis(None, None, None, None, diagnostics)
    return analyse_source(source, checks=checks)


# A file this large with no `# allow` notes is parsed and built one declaration at a
# time, so that no parse tree of the whole file is ever held (interpreter/syntax.py's
# DeclarationStream). Smaller files are parsed whole, which is a little faster.
STREAMED_FROM_CHARACTERS = 1_000_000


def analyse_source(source: SourceFile, pieces: PieceCache | None = None, checks: tuple[Check, ...] = CHECKS) -> Analysis:
    """Analyse a file; with `pieces`, reusing the parse trees of declarations unchanged since the last time.

    With `checks=()` the file is read only as far as its names (parsed, built and
    resolved): what a procedure's links to the national specification need of it.
    """
    streamed = None
    if pieces is None and len(source.text) >= STREAMED_FROM_CHARACTERS and "allow" not in source.text:
        stream = DeclarationStream(source)
        streamed = build_procedure(source, stream)
        parsed = stream.outcome()
        if parsed.diagnostics or not stream.chunks_made:
            # A piece that does not parse alone may be part of a declaration laid over several
            # lines, or be nested too deep: the whole parse decides what that means.
            streamed = None
    if streamed is not None:
        procedure, built = streamed
        acknowledged: list[Allowance] = []  # the file has no `# allow` notes
    else:
        parsed = parse_source(source, pieces=pieces)
        if not parsed.chunks:
            return Analysis(source, None, None, None, _sorted(list(parsed.diagnostics)))
        # What the `# allow` notes acknowledge is read off the parse trees first: building the
        # model lets each declaration's tree go as it goes (the trees were the better part of
        # the memory at ten thousand steps).
        acknowledged = allowances_in(source, parsed)
        procedure, built = build_procedure(source, parsed.chunks, pieces.built if pieces is not None else None)
    diagnostics = list(parsed.diagnostics)
    diagnostics.extend(built)
    syntax_errors, broken, unparsed_names = parsed.diagnostics, parsed.broken, parsed.unparsed_names
    del parsed
    resolved, named = resolve(procedure, unparsed_names)
    diagnostics.extend(named)
    graph = build_graph(resolved)
    # Flow checks on a file whose text the builder had to refuse would report the gaps
    # left behind, not the author's mistakes; around a declaration that did not parse,
    # they run with it as a hole (interpreter/recovery.py).
    if not has_errors(built) and checks:
        if not syntax_errors:
            diagnostics.extend(run_checks(resolved, graph, checks))
        elif broken:
            diagnostics.extend(checks_around(procedure, broken, unparsed_names))
    return Analysis(source, procedure, resolved, graph, _sorted(without_allowed_warnings(diagnostics, acknowledged)))


def allowances_in(source: SourceFile, parsed: ParseResult) -> list[Allowance]:
    """What the file's `# allow CODE: why` notes acknowledge, and where (interpreter/syntax_tree.py)."""
    if "allow" not in source.text:
        return []
    found = [statement for chunk in parsed.chunks for statement in statements(chunk.tree, chunk.line_offset)]
    broken = [(piece.first_line, piece.last_line) for piece in parsed.broken]
    return allowances(found, comments_in(source), source.lines, broken)


def without_allowed_warnings(diagnostics: Sequence[Diagnostic], acknowledged: Sequence[Allowance]) -> list[Diagnostic]:
    """Drop the warnings the author has acknowledged with `# allow CODE: why` above the
    statement they are about, or at the end of it. Errors cannot be allowed: they mean
    the procedure is wrong."""
    if not acknowledged:
        return list(diagnostics)

    def allowed(diagnostic: Diagnostic) -> bool:
        if diagnostic.is_error or diagnostic.span is None:
            return False
        span = diagnostic.span
        return any(a.code == diagnostic.code and a.covers(span.line, span.column) for a in acknowledged)

    return [d for d in diagnostics if not allowed(d)]


def _sorted(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    return tuple(sorted(diagnostics, key=sort_key))
