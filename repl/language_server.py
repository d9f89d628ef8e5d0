"""`safeproc lsp`: the language server editors talk to over standard input and output.

What an author gets while typing a `.proc` or `.case` file: the diagnostics of
`safeproc check` (the same codes and words, with their related places), a hover
on any name (for a step: its owner, duty, deadlines in words and what the days
counted are, escalations, and the cited paragraphs' text when the source text is
configured), go to definition, find references, rename across the procedure and
its scenarios, completion of keywords and of names of the kind wanted, an outline,
formatting, and a quick fix for each "did you mean".

The work is done by the same code as the commands (interpreter/); this module only
translates between its spans (1-based, in characters) and the protocol's positions
(0-based, in UTF-16 code units), and keeps the last analysis of each open file.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, BinaryIO, cast

from lark import Token
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import from_fs_path, to_fs_path

from interpreter import model as m
from interpreter.completion import ANCHOR, ANY, CHOICE, FACT, FLOW, HAPPENING, ROLE, NameKind, expected_at, language_words
from interpreter.diagnostics import Diagnostic, Severity
from interpreter.names_index import LOCAL, Occurrence, occurrence_at, occurrences, same_name
from interpreter.pipeline import Analysis, analyse_source
from interpreter.printer import format_source
from interpreter.reading_notes import READING_FILE_NAME, mentions_in_code
from interpreter.source import MAX_SOURCE_BYTES, SourceFile, Span, read_regular_file, with_line_breaks
from interpreter.syntax import RESERVED_WORDS, PieceCache, decode, kind_of_file
from interpreter.wording import calendar_name, describe_deadline, fact_type_words, kind_noun, unit_meaning
from repl import version
from repl.commands import files_under

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
MOST_SCENARIOS = 500  # scenario files searched for a rename, at most


class Document:
    """The last analysis of one open file."""

    def __init__(
        self,
        path: str,
        text: str,
        analysis: Analysis | None,
        case: m.Case | None,
        diagnostics: tuple[Diagnostic, ...],
        uri: str | None = None,
    ):
        self.uri = uri or from_fs_path(path) or path
        self.path = path
        self.text = text
        self.source = SourceFile(path, text)
        self.analysis = analysis
        self.case = case
        self.diagnostics = diagnostics

    @cached_property
    def occurrences(self) -> list[Occurrence]:
        # Made when a hover, rename or the like first asks, not on every keystroke.
        root: object = self.analysis.procedure if self.analysis is not None else self.case
        return occurrences(root) if root is not None else []


class RefusedRequest(JsonRpcException):
    """A request the server understood and will not carry out, said in words (LSP's RequestFailed)."""

    CODE = -32803


class _AnsweringProtocol(LanguageServerProtocol):
    """pygls's protocol, except that a request it cannot read (`"params": null`, a line number
    past any file) is answered with an error: pygls sends no reply, and the editor waits for ever."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            request = data.get("id")
            if "method" in data and isinstance(request, (int, str)) and not isinstance(request, bool):
                self._send_response(
                    request, error=lsp.ResponseError(code=exc.code, message=f"safeproc could not read the request: {exc.message}")
                )
            raise


class SafeprocServer(LanguageServer):
    def __init__(self) -> None:
        # Whole documents on each change: pygls applies ranged changes by splitlines(),
        # which also breaks at form feeds and U+2028, where the protocol does not.
        super().__init__("safeproc", version(), text_document_sync_kind=lsp.TextDocumentSyncKind.Full, protocol_cls=_AnsweringProtocol)
        self.documents: dict[str, Document] = {}
        self.pieces: dict[str, PieceCache] = {}  # each open file's declarations, parsed, by their text
        self.source_text: SourceFile | None = None  # the procedure's source document, for hovers
        self.paragraphs: dict[str, str] = {}


server = SafeprocServer()


# ---- positions ----------------------------------------------------------------------


def _utf16_column(line_text: str, column: int) -> int:
    """A 1-based character column as the protocol's 0-based UTF-16 offset."""
    prefix = line_text[: max(column - 1, 0)]
    return len(prefix.encode("utf-16-le", "surrogatepass")) // 2


def _character_column(line_text: str, character: int) -> int:
    """The protocol's 0-based UTF-16 offset as a 1-based character column."""
    units = 0
    for index, char in enumerate(line_text):
        if units >= character:
            return index + 1
        units += 2 if ord(char) > 0xFFFF else 1
    return len(line_text) + 1


def to_range(source: SourceFile, span: Span) -> lsp.Range:
    start_line = source.line_text(span.line)
    end_line = source.line_text(span.end_line)
    return lsp.Range(
        start=lsp.Position(line=span.line - 1, character=_utf16_column(start_line, span.column)),
        end=lsp.Position(line=span.end_line - 1, character=_utf16_column(end_line, span.end_column)),
    )


def _line_and_column(document: Document, position: lsp.Position) -> tuple[int, int]:
    line = position.line + 1
    return line, _character_column(document.source.line_text(line), position.character)


def _offset(text: str, position: lsp.Position) -> int:
    lines = text.split("\n")
    if position.line >= len(lines):
        return len(text)
    before = sum(len(line) + 1 for line in lines[: position.line])
    return before + _character_column(lines[position.line], position.character) - 1


# ---- analysing a document -------------------------------------------------------------


def analyse_document(path: str, text: str, pieces: PieceCache | None = None, open_procedures: list[Document] | None = None) -> Document:
    """Analyse a document's text as `safeproc check` (a procedure) or `safeproc test` (a case) would."""
    source = SourceFile(path, text)
    if kind_of_file(path) == "case_file":
        return _analyse_case(path, text, open_procedures or [])
    analysis = analyse_source(source, pieces)
    diagnostics = list(analysis.diagnostics)
    try:
        from repl.commands.check import specification_links

        diagnostics.extend(d for d in specification_links(analysis, {}) if d.span is not None and d.span.file == path)
    except OSError:
        pass
    return Document(path, text, analysis, None, tuple(diagnostics))


def _analyse_case(path: str, text: str, open_procedures: Sequence[Document] = ()) -> Document:
    from repl.procedure_cache import ProcedureCache, load_case_file

    procedures = ProcedureCache()
    # A case is checked against its procedure as the editor holds it, saved or not.
    for procedure in open_procedures:
        if procedure.analysis is not None:
            procedures.remember(Path(procedure.path), procedure.analysis)
    loaded = load_case_file(text.encode("utf-8"), path, procedures)
    own = tuple(d for d in loaded.diagnostics if d.span is None or d.span.file == path)
    return Document(path, text, None, loaded.case, own)


def to_lsp_diagnostic(document: Document, diagnostic: Diagnostic) -> lsp.Diagnostic:
    span = diagnostic.span or Span.point(document.path, 1, 1)
    words = [diagnostic.message]
    words.extend(f"note: {n}" for n in diagnostic.notes)
    if diagnostic.help:
        words.append(f"help: {diagnostic.help}")
    related = [
        lsp.DiagnosticRelatedInformation(
            location=lsp.Location(
                uri=from_fs_path(label.span.file) or label.span.file, range=to_range(_source_for(document, label.span), label.span)
            ),
            message=label.message,
        )
        for label in diagnostic.labels
        if label.span is not None
    ]
    return lsp.Diagnostic(
        range=to_range(document.source, span),
        message="\n".join(words),
        severity={
            Severity.ERROR: lsp.DiagnosticSeverity.Error,
            Severity.WARNING: lsp.DiagnosticSeverity.Warning,
        }.get(diagnostic.severity, lsp.DiagnosticSeverity.Information),
        code=diagnostic.code,
        source="safeproc",
        related_information=related or None,
        data={"replacements": list(diagnostic.replacements)} if diagnostic.replacements else None,
    )


def _source_for(document: Document, span: Span) -> SourceFile:
    if span.file == document.path:
        return document.source
    try:
        source, _ = decode(read_regular_file(span.file), span.file)
    except OSError:
        source = None
    return source or SourceFile(span.file, "")


def _refresh(ls: SafeprocServer, uri: str) -> None:
    text_document = ls.workspace.get_text_document(uri)
    path = _path_of(uri)
    open_procedures = [d for d in ls.documents.values() if d.analysis is not None]
    # A byte-order mark is read as a space, as `safeproc check` drops it, without moving a column.
    text = " " + text_document.source[1:] if text_document.source.startswith("\ufeff") else text_document.source
    text = with_line_breaks(text)  # lines counted as the editor counts them
    document = analyse_document(path, text, ls.pieces.setdefault(uri, PieceCache()), open_procedures)
    document.uri = uri
    ls.documents[uri] = document
    _publish(ls, uri, document, text_document.version)
    if document.analysis is not None:
        # The open scenarios are checked against the procedure as it now stands.
        for other_uri, other in list(ls.documents.items()):
            if other.analysis is None and other_uri != uri:
                case_text = ls.workspace.get_text_document(other_uri)
                refreshed = _analyse_case(other.path, with_line_breaks(case_text.source), [*open_procedures, document])
                refreshed.uri = other_uri
                ls.documents[other_uri] = refreshed
                _publish(ls, other_uri, refreshed, case_text.version)


def _path_of(uri: str) -> str:
    """The file a document is, or for an unsaved one (`untitled:`), its URI as its name."""
    return (to_fs_path(uri) or uri) if uri.startswith("file:") else uri


def _publish(ls: SafeprocServer, uri: str, document: Document, version: int | None) -> None:
    ls.text_document_publish_diagnostics(
        lsp.PublishDiagnosticsParams(
            uri=uri,
            version=version,
            diagnostics=[to_lsp_diagnostic(document, d) for d in document.diagnostics if d.span is None or d.span.file == document.path],
        )
    )


@server.feature(lsp.INITIALIZE)
def _initialize(ls: SafeprocServer, params: lsp.InitializeParams) -> None:
    """`sourceText` in the editor's settings: the procedure's source document, whose paragraphs hovers quote."""
    options: Any = params.initialization_options
    named = options.get("sourceText") if isinstance(options, dict) else None
    if isinstance(named, str) and named:
        problem = load_source_text(ls, Path(named))
        if problem:
            ls.window_log_message(lsp.LogMessageParams(type=lsp.MessageType.Warning, message=problem))


def load_source_text(ls: SafeprocServer, path: Path) -> str | None:
    """Read the source document's numbered paragraphs; the reason it could not be read, if not."""
    from interpreter.trace import paragraph_texts

    try:
        source, _ = decode(read_regular_file(path), str(path))
    except OSError as exc:
        return f"safeproc: cannot read the source text {path}: {(exc.strerror or str(exc)).lower()}"
    if source is None:
        return f"safeproc: the source text {path} is not text"
    ls.source_text = source
    ls.paragraphs.update(paragraph_texts(source))
    return None


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def _did_open(ls: SafeprocServer, params: lsp.DidOpenTextDocumentParams) -> None:
    _refresh(ls, params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def _did_change(ls: SafeprocServer, params: lsp.DidChangeTextDocumentParams) -> None:
    _refresh(ls, params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
def _did_save(ls: SafeprocServer, params: lsp.DidSaveTextDocumentParams) -> None:
    _refresh(ls, params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def _did_close(ls: SafeprocServer, params: lsp.DidCloseTextDocumentParams) -> None:
    ls.documents.pop(params.text_document.uri, None)
    ls.pieces.pop(params.text_document.uri, None)
    ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))


def _document(ls: SafeprocServer, uri: str) -> Document | None:
    """An open document's last analysis. A document the editor has not opened is not read:
    it could be anything (a pipe, /dev/zero, a folder), and is none of this server's business."""
    return ls.documents.get(uri)


def _name_at(document: Document, position: lsp.Position) -> Occurrence | None:
    line, column = _line_and_column(document, position)
    return occurrence_at(document.occurrences, line, column)


# ---- hover -----------------------------------------------------------------------------


def _declared_name_at(ls: SafeprocServer, uri: str, position: lsp.Position) -> tuple[Document, Occurrence, m.Declaration] | None:
    """The name under the cursor and what declares it, if it is one of the procedure's own."""
    document = _document(ls, uri)
    if document is None:
        return None
    found = _name_at(document, position)
    if found is None or found.namespace != LOCAL:
        return None
    declaration = _declaration(ls, document, found.name)
    return (document, found, declaration) if declaration is not None else None


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def _hover(ls: SafeprocServer, params: lsp.HoverParams) -> lsp.Hover | None:
    named = _declared_name_at(ls, params.text_document.uri, params.position)
    if named is None:
        return None
    document, found, declaration = named
    text = hover_text(declaration, calendar_name(_procedure_of(ls, document)), ls.paragraphs)
    return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text), range=to_range(document.source, found.span))


def _declaration(ls: SafeprocServer, document: Document, name: str) -> m.Declaration | None:
    procedure = _procedure_of(ls, document)
    if procedure is None:
        return None
    return next((d for d in procedure.declarations() if getattr(d, "name", None) == name), None)


def _procedure_of(ls: SafeprocServer, document: Document) -> m.Procedure | None:
    found = _procedure_document(ls, document)
    return found.analysis.procedure if found is not None and found.analysis is not None else None


def _procedure_path_of_case(document: Document) -> Path | None:
    if document.case is None or document.case.procedure_path is None or not document.uri.startswith("file:"):
        return None
    try:
        return (Path(document.path).parent / document.case.procedure_path).resolve()
    except (OSError, ValueError):  # a loop of links, a NUL in the name
        return None


def hover_text(declaration: m.Declaration, calendar: str, paragraphs: dict[str, str]) -> str:
    title = getattr(declaration, "title", None)
    name = getattr(declaration, "name", "")
    lines = [f"**{kind_noun(declaration)} `{name}`**" + (f": {title}" if title else "")]
    if isinstance(declaration, (m.Step, m.Decision)):
        if declaration.owner is not None:
            lines.append(f"- done by `{declaration.owner.name}`")
        if declaration.duty is not None:
            lines.append(f"- duty: **{declaration.duty}**")
        for deadline in declaration.deadlines:
            meaning = unit_meaning(deadline.duration.unit, calendar)
            lines.append(f"- {describe_deadline(deadline)} ({meaning})")
        for escalation in declaration.escalations:
            what = f' "{escalation.what}"' if escalation.what else ""
            verb = "notify" if escalation.action == m.EscalationAction.NOTIFY else "escalate to"
            lines.append(f"- if {escalation.trigger}: {verb} `{escalation.target.name}`{what}")
        if isinstance(declaration, m.Step) and declaration.next is not None:
            lines.append(f"- then `{declaration.next.name}`")
    if isinstance(declaration, m.Fact):
        lines.append(f"- {fact_type_words(declaration)}")
    if isinstance(declaration, m.Role) and declaration.members:
        lines.append("- of " + ", ".join(f"`{member.name}`" for member in declaration.members))
    cites = getattr(declaration, "cites", ())
    if cites:
        lines.append("- cites " + ", ".join(cites))
        for number in cites:
            if number in paragraphs:
                lines.append(f"\n> **{number}** {paragraphs[number]}")
    return "\n".join(lines)


# ---- definition, references, rename ------------------------------------------------------


@server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
def _definition(ls: SafeprocServer, params: lsp.DefinitionParams) -> lsp.Location | None:
    named = _declared_name_at(ls, params.text_document.uri, params.position)
    if named is None or named[2].span is None:
        return None
    document, _, declaration = named
    assert declaration.span is not None
    span = declaration.span
    uri = document.uri if span.file == document.path else from_fs_path(span.file) or span.file
    return lsp.Location(uri=uri, range=to_range(_source_for(document, span), span))


@server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
def _references(ls: SafeprocServer, params: lsp.ReferenceParams) -> list[lsp.Location]:
    document = _document(ls, params.text_document.uri)
    found = _name_at(document, params.position) if document is not None else None
    if document is None or found is None:
        return []
    locations = []
    for uri, source, occurrence in _every_occurrence(ls, document, found):
        if occurrence.is_declaration and not params.context.include_declaration:
            continue
        locations.append(lsp.Location(uri=uri, range=to_range(source, occurrence.span)))
    return locations


def _every_occurrence(ls: SafeprocServer, document: Document, found: Occurrence) -> list[tuple[str, SourceFile, Occurrence]]:
    """The occurrences of a name in its procedure and the procedure's scenarios (open or on disk)."""
    procedure_document = _procedure_document(ls, document)
    result: list[tuple[str, SourceFile, Occurrence]] = []
    if procedure_document is None:
        return [(document.uri, document.source, o) for o in same_name(document.occurrences, found)]
    result.extend((procedure_document.uri, procedure_document.source, o) for o in same_name(procedure_document.occurrences, found))
    if found.namespace != LOCAL or not procedure_document.uri.startswith("file:"):
        return result
    for scenario in _scenarios(ls, Path(procedure_document.path)):
        result.extend((scenario.uri, scenario.source, o) for o in same_name(scenario.occurrences, found))
    return result


def _procedure_document(ls: SafeprocServer, document: Document) -> Document | None:
    """The procedure a document belongs to: itself, the open procedure a case names, or that file read from disk."""
    if document.analysis is not None:
        return document
    path = _procedure_path_of_case(document)
    if path is None:
        return None
    for other in ls.documents.values():
        if other.analysis is not None and Path(other.path).resolve() == path:
            return other
    try:
        source, _ = decode(read_regular_file(path), str(path))
    except OSError:
        return None
    if source is None:
        return None
    # Only its names are wanted here (hover, references, rename): not its national links.
    analysis = analyse_source(source)
    return Document(str(path), source.text, analysis, None, analysis.diagnostics)


def _scenarios(ls: SafeprocServer, procedure: Path) -> list[Document]:
    """The case files that name this procedure, under its folder: open ones as they are in the editor."""
    open_cases = {Path(d.path).resolve(): d for d in ls.documents.values() if d.analysis is None}
    found: list[Document] = []
    target = procedure.resolve()
    for path in files_under(procedure.parent, ".case", hidden_folders=True)[:MOST_SCENARIOS]:
        resolved = path.resolve()
        document = open_cases.get(resolved)
        if document is None:
            try:
                text = with_line_breaks(read_regular_file(path).decode("utf-8-sig"))
            except (OSError, UnicodeDecodeError):
                continue
            document = _case_document(str(path), text)
        if _procedure_path_of_case(document) == target:
            found.append(document)
    return found


def _case_document(path: str, text: str) -> Document:
    from interpreter.scenario import read_case

    case, diagnostics = read_case(SourceFile(path, text))
    return Document(path, text, None, case, diagnostics)


@server.feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
def _prepare_rename(ls: SafeprocServer, params: lsp.PrepareRenameParams) -> lsp.Range | None:
    named = _declared_name_at(ls, params.text_document.uri, params.position)
    return to_range(named[0].source, named[1].span) if named is not None else None


@server.feature(lsp.TEXT_DOCUMENT_RENAME)
def _rename(ls: SafeprocServer, params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
    named = _declared_name_at(ls, params.text_document.uri, params.position)
    if named is None:
        raise RefusedRequest("only a name declared in the procedure can be renamed here")
    document, found, _ = named
    new_name = params.new_name
    if not NAME.match(new_name) or new_name in RESERVED_WORDS or new_name in language_words():
        raise RefusedRequest(f"`{new_name}` cannot be a name: use letters, digits and _, starting with a letter, and no keyword")
    if _declaration(ls, document, new_name) is not None:
        raise RefusedRequest(f"`{new_name}` is already declared in the procedure")
    procedure_document = _procedure_document(ls, document)
    if procedure_document is not None and any(d.is_error and d.code < "P100" for d in procedure_document.diagnostics):
        raise RefusedRequest("the procedure has syntax errors: mend them first, so that every use of the name can be found")
    changes: dict[str, list[lsp.TextEdit]] = {}
    for uri, source, occurrence in _every_occurrence(ls, document, found):
        changes.setdefault(uri, []).append(lsp.TextEdit(range=to_range(source, occurrence.span), new_text=new_name))
    notes = _reading_notes_of(ls, procedure_document) if found.namespace == LOCAL else None
    if notes is not None:
        notes_uri, notes_source = notes
        for span in mentions_in_code(notes_source, found.name, also_a_keyword=found.name in language_words()):
            changes.setdefault(notes_uri, []).append(lsp.TextEdit(range=to_range(notes_source, span), new_text=new_name))
    return lsp.WorkspaceEdit(changes=changes)


def _reading_notes_of(ls: SafeprocServer, procedure_document: Document | None) -> tuple[str, SourceFile] | None:
    """The READING.md beside a procedure that is alone in its folder (so that every name in its code
    is that procedure's): its URI and text, as the editor holds it if it is open, else as on disk."""
    if procedure_document is None or not procedure_document.uri.startswith("file:"):
        return None
    folder = Path(procedure_document.path).parent
    notes = folder / READING_FILE_NAME
    uri = from_fs_path(str(notes)) or notes.as_uri()
    try:
        if len(list(folder.glob("*.proc"))) != 1:
            return None
        if uri in ls.workspace.text_documents:
            text = ls.workspace.get_text_document(uri).source  # with its unsaved edits, which the rename's places count from
        else:
            text = read_regular_file(notes).decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None  # no notes, or none that can be read: the rename goes on without them
    return uri, SourceFile(str(notes), with_line_breaks(text))


# ---- completion -------------------------------------------------------------------------


@server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=[" ", ">"]))
def _completion(ls: SafeprocServer, params: lsp.CompletionParams) -> lsp.CompletionList:
    document = _document(ls, params.text_document.uri)
    if document is None:
        return lsp.CompletionList(is_incomplete=False, items=[])
    text = document.text
    expected = expected_at(text, _offset(text, params.position), kind_of_file(document.path))
    items = [lsp.CompletionItem(label=word, kind=lsp.CompletionItemKind.Keyword) for word in expected.keywords]
    procedure = _procedure_of(ls, document)
    if expected.name_kind is not None and procedure is not None:
        for name, detail, kind in _names_of_kind(procedure, expected.name_kind, expected.fact):
            items.append(lsp.CompletionItem(label=name, detail=detail, kind=kind))
    return lsp.CompletionList(is_incomplete=False, items=items)


def _names_of_kind(procedure: m.Procedure, wanted: NameKind, fact: str | None) -> list[tuple[str, str, lsp.CompletionItemKind]]:
    roles = [(r.name, r.title or "", lsp.CompletionItemKind.Class) for r in procedure.roles]
    facts = [(f.name, f.title or "", lsp.CompletionItemKind.Variable) for f in procedure.facts]
    events = [(e.name, e.title or "", lsp.CompletionItemKind.Event) for e in procedure.events]
    flow = [(n.name, n.title or "", lsp.CompletionItemKind.Function) for n in procedure.nodes]
    if wanted == ROLE:
        return roles
    if wanted == FLOW:
        return flow
    if wanted == ANCHOR:
        return events + flow
    if wanted == FACT:
        return facts
    if wanted == HAPPENING:
        return events + flow + facts
    if wanted == CHOICE:
        declared = next((f for f in procedure.facts if f.name == fact), None)
        if declared is None:
            return []
        return [(c.name, f"a choice of {declared.name}", lsp.CompletionItemKind.EnumMember) for c in declared.choices]
    if wanted == ANY:
        return roles + facts + events + flow
    return []


# ---- outline, formatting, quick fixes ----------------------------------------------------------

_SYMBOL_KINDS = {
    m.Role: lsp.SymbolKind.Class,
    m.Fact: lsp.SymbolKind.Variable,
    m.Event: lsp.SymbolKind.Event,
    m.Step: lsp.SymbolKind.Function,
    m.Decision: lsp.SymbolKind.Operator,
    m.Parallel: lsp.SymbolKind.Struct,
    m.Join: lsp.SymbolKind.Struct,
    m.Outcome: lsp.SymbolKind.EnumMember,
}


@server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def _symbols(ls: SafeprocServer, params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
    document = _document(ls, params.text_document.uri)
    if document is None or document.analysis is None or document.analysis.procedure is None:
        return []
    symbols = []
    extents = _declaration_extents(document)
    for declaration in sorted(document.analysis.procedure.declarations(), key=lambda d: (d.span.line, d.span.column) if d.span else (0, 0)):
        if declaration.span is None or type(declaration) not in _SYMBOL_KINDS:
            continue
        name_range = to_range(document.source, declaration.span)
        whole = extents.get(declaration.span.line, declaration.span)
        symbols.append(
            lsp.DocumentSymbol(
                name=getattr(declaration, "name", ""),
                detail=getattr(declaration, "title", None) or kind_noun(declaration),
                kind=_SYMBOL_KINDS[type(declaration)],
                range=to_range(document.source, whole),
                selection_range=name_range,
            )
        )
    return symbols


def _declaration_extents(document: Document) -> dict[int, Span]:
    """Each declaration's whole extent, by the line its name is on (for the outline)."""
    from interpreter.syntax import parse_source

    extents: dict[int, Span] = {}
    for chunk in parse_source(document.source).chunks:
        for node in chunk.tree.children:
            meta = getattr(node, "meta", None)
            if meta is None or getattr(meta, "empty", True):
                continue
            name_line = next((c.line or meta.line for c in node.children if isinstance(c, Token) and c.type == "NAME"), meta.line)
            extents[name_line + chunk.line_offset] = Span(
                document.path, meta.line + chunk.line_offset, meta.column, meta.end_line + chunk.line_offset, meta.end_column
            )
    return extents


@server.feature(lsp.TEXT_DOCUMENT_FORMATTING)
def _formatting(ls: SafeprocServer, params: lsp.DocumentFormattingParams) -> list[lsp.TextEdit] | None:
    document = _document(ls, params.text_document.uri)
    if document is None:
        return None
    formatted = format_source(document.source, kind_of_file(document.path))
    if formatted.text is None or formatted.text == document.text:
        return [] if formatted.text is not None else None
    lines = document.text.split("\n")
    whole = lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(line=len(lines), character=0))
    return [lsp.TextEdit(range=whole, new_text=formatted.text)]


@server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]))
def _code_actions(ls: SafeprocServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    actions = []
    for diagnostic in params.context.diagnostics:
        data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
        replacements = data.get("replacements")
        if diagnostic.source != "safeproc" or not isinstance(replacements, list):
            continue  # another tool's diagnostic, or not one this server made
        for replacement in replacements:
            if not isinstance(replacement, str) or not NAME.match(replacement):
                continue
            actions.append(
                lsp.CodeAction(
                    title=f"Change to `{replacement}`",
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    is_preferred=replacement == replacements[0],
                    edit=lsp.WorkspaceEdit(
                        changes={params.text_document.uri: [lsp.TextEdit(range=diagnostic.range, new_text=replacement)]}
                    ),
                )
            )
    return actions


def serve() -> None:
    """Serve an editor over standard input and output, telling it about problems in a line each on standard error."""
    logging.basicConfig(handlers=[_EditorLog()], level=logging.WARNING, force=True)
    # pygls asks only readline and read of what it reads from.
    server.start_io(stdin=cast(BinaryIO, _MessagesOfSensibleSize(sys.stdin.buffer)))


class _EditorLog(logging.Handler):
    """pygls's log, a line per problem on standard error, which editors show in an output panel.

    pygls logs a refused rename, or a message it cannot read, with the whole stack; here a
    refusal is its reason, a message that cannot be read is said to be one, and a failure of
    safeproc's own is an internal error with a crash report, as on the command line (the whole
    traceback with SAFEPROC_DEBUG=1).
    """

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("Unable to deserialize message"):
            return  # pygls says it again, with the error, as it gives up on the message
        problem = record.exc_info[1] if record.exc_info else None
        # Only the first line: pygls writes some tracebacks into the message itself.
        lines = [message.splitlines()[0] if message else "a problem"]
        if isinstance(problem, RefusedRequest):
            lines = [f"refused: {problem.message}"]
        elif isinstance(problem, JsonRpcException) or message.startswith("Unable to handle message"):
            # What the editor sent could not be read (not JSON, or not the protocol's shape): its mistake, not safeproc's.
            lines = [f"a message from the editor could not be read ({type(problem).__name__})"]
        elif problem is not None:
            from repl.crash_report import save_crash_report

            saved = save_crash_report(problem, ["lsp"])
            lines = [f"internal error ({type(problem).__name__}); this is a bug in safeproc, please report it"]
            if saved is not None:
                lines.append(f"where it failed is saved in {saved} (with nothing from your files)")
            if os.environ.get("SAFEPROC_DEBUG", "") not in ("", "0"):
                import traceback

                lines.extend(traceback.format_exception(problem))
        try:
            sys.stderr.write("".join(f"safeproc lsp: {line}\n" if not line.endswith("\n") else line for line in lines))
            sys.stderr.flush()
        except (OSError, ValueError):
            pass  # the editor has closed standard error: nowhere left to say it


# The longest message read: a procedure or case of the largest size safeproc reads, written in JSON
# with every character escaped, and then some. A longer length is a broken stream, not a message.
_LONGEST_MESSAGE_BYTES = 7 * MAX_SOURCE_BYTES


class _MessagesOfSensibleSize:
    """Standard input as pygls reads it, except that a message claiming more bytes than any
    could hold (`Content-Length: 99999999999999999999`) ends the session with a line on
    standard error, rather than an internal error or an attempt to hold it all in memory."""

    def __init__(self, stream):
        self.stream = stream

    def readline(self) -> bytes:
        return self.stream.readline()

    def read(self, size: int) -> bytes:
        if size > _LONGEST_MESSAGE_BYTES:
            print(f"safeproc lsp: a message said it was {size} bytes long, more than any could be; the session ends", file=sys.stderr)
            return b""
        return self.stream.read(size)
