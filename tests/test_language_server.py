"""`safeproc lsp` end to end: a real client talks to the server over stdio (pytest-lsp)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from conftest import ROOT

SOURCE_TEXT = ROOT / "tests/trace/school-trips.txt"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "repl.cli", "lsp"]))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=types.ClientCapabilities(), initialization_options={"sourceText": str(SOURCE_TEXT)})
    )
    yield
    await lsp_client.shutdown_session()


PROCEDURE = """procedure "Notifications"
  calendar england-and-wales
end

role crg "Case Review Group" cites 4.2.1
role panel "The Panel"
event aware "The authority becomes aware"
start at notify

step notify "Notify the Panel"
  by crg
  must be done within 5 working days after aware
  if late notify panel "the notification is late"
  cites 4.2.2
  next review
end

step review "The rapid review"
  by crg
  next done
end

outcome done "Done"
"""


def _open(client: LanguageClient, path: Path, text: str) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(uri=uri, language_id="safeproc", version=1, text=text))
    )
    return uri


async def _diagnostics(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return list(client.diagnostics.get(uri, []))


async def _until(client: LanguageClient, holds) -> None:
    """Take published diagnostics until `holds()` is true; a minute without one fails the test rather than hangs it."""
    while not holds():
        await asyncio.wait_for(client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), timeout=60)


def _position(text: str, needle: str, occurrence: int = 1, into: int = 1) -> types.Position:
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    index += into
    line = text.count("\n", 0, index)
    return types.Position(line=line, character=index - (text.rfind("\n", 0, index) + 1))


@pytest.mark.asyncio
async def test_a_misspelt_role_draws_p102_with_its_suggestion_and_a_quick_fix(client: LanguageClient, tmp_path: Path):
    text = PROCEDURE.replace("  by crg\n  next done", "  by cgr\n  next done")
    uri = _open(client, tmp_path / "notify.proc", text)
    diagnostics = await _diagnostics(client, uri)
    [unknown] = [d for d in diagnostics if d.code == "P102"]
    assert "unknown role `cgr`" in unknown.message and "did you mean `crg`?" in unknown.message
    assert unknown.range.start == _position(text, "by cgr", into=3)
    assert unknown.severity == types.DiagnosticSeverity.Error

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=unknown.range,
            context=types.CodeActionContext(diagnostics=[unknown]),
        )
    )
    assert actions and actions[0].title == "Change to `crg`"
    edit = actions[0].edit.changes[uri][0]
    assert edit.new_text == "crg" and edit.range == unknown.range

    # Applied, as the editor would, the fix leaves nothing to report.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=_apply(text, [edit]))],
        )
    )
    assert await _diagnostics(client, uri) == []


@pytest.mark.asyncio
async def test_hover_tells_a_steps_owner_duty_deadline_and_cited_text(client: LanguageClient, tmp_path: Path):
    uri = _open(client, tmp_path / "notify.proc", PROCEDURE)
    await _diagnostics(client, uri)
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=_position(PROCEDURE, "next review", into=6))
    )
    assert hover is not None
    shown = hover.contents.value
    assert "step `review`" in shown and "done by `crg`" in shown
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=_position(PROCEDURE, "start at notify", into=10))
    )
    shown = hover.contents.value
    assert "duty: **must**" in shown
    assert "within 5 working days after `aware`" in shown or "within 5 working days after aware" in shown
    assert "Monday to Friday" in shown and "england-and-wales" in shown
    assert "notify `panel`" in shown
    assert "> **4.2.2** The trip leader tells the head teacher" in shown  # the paragraph's text, from the configured source text


@pytest.mark.asyncio
async def test_go_to_definition_and_find_references(client: LanguageClient, tmp_path: Path):
    uri = _open(client, tmp_path / "notify.proc", PROCEDURE)
    await _diagnostics(client, uri)
    where = _position(PROCEDURE, "next review", into=6)
    definition = await client.text_document_definition_async(
        types.DefinitionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=where)
    )
    assert definition.range.start == _position(PROCEDURE, "step review", into=5)
    references = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=where,
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert sorted(r.range.start.line for r in references) == [14, 17]


@pytest.mark.asyncio
async def test_renaming_a_step_changes_every_use_in_the_procedure_and_its_scenarios(client: LanguageClient, tmp_path: Path):
    procedure = tmp_path / "notify.proc"
    procedure.write_text(PROCEDURE, encoding="utf-8")
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    case_text = (
        'case "On time"\n  procedure "../notify.proc"\n  as of 2024-01-31\nend\n\n'
        "on 2024-01-08 aware\non 2024-01-09 notify done\non 2024-01-15 review done\n\nexpect notify is done on time\nexpect outcome done\n"
    )
    (scenarios / "on-time.case").write_text(case_text, encoding="utf-8")
    (scenarios / "other.case").write_text(case_text.replace("../notify.proc", "../elsewhere.proc"), encoding="utf-8")
    notes_text = (
        "# Reading notes\n\n### 4.2.2: when to notify\n\n"
        "- **Reading**: we notify the Panel: `notify` runs `within 5 working days after aware`, not `notify_early`.\n"
        "- **Where**: `review` follows `notify`; its escalation is `if late notify panel`.\n\n"
        '```\nstep review "The rapid review"\n```\n'
    )
    (tmp_path / "READING.md").write_text(notes_text, encoding="utf-8")
    uri = _open(client, procedure, PROCEDURE)
    await _diagnostics(client, uri)
    edit = await client.text_document_rename_async(
        types.RenameParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=_position(PROCEDURE, "step notify", into=6),
            new_name="notify_panel",
        )
    )
    changes = edit.changes
    assert sorted(e.range.start.line for e in changes[uri]) == [7, 9]
    case_uri = (scenarios / "on-time.case").as_uri()
    assert sorted(e.range.start.line for e in changes[case_uri]) == [6, 9]
    assert all(e.new_text == "notify_panel" for edits in changes.values() for e in edits)
    assert (scenarios / "other.case").as_uri() not in changes  # a case of another procedure is left alone
    # The reading notes beside the procedure are renamed in their code, not in their prose.
    notes_uri = (tmp_path / "READING.md").as_uri()
    renamed_notes = _apply(notes_text, changes[notes_uri])
    # `notify` is also a word of the language: only code that holds the name alone is renamed.
    assert "we notify the Panel: `notify_panel` runs" in renamed_notes and "`notify_early`" in renamed_notes
    assert "`review` follows `notify_panel`; its escalation is `if late notify panel`" in renamed_notes

    # Applied, the rename leaves a procedure that checks clean and a scenario that still passes.
    renamed = _apply(PROCEDURE, changes[uri])
    procedure.write_text(renamed, encoding="utf-8")
    (scenarios / "on-time.case").write_text(_apply(case_text, changes[case_uri]), encoding="utf-8")
    from repl.cli import main

    assert main(["test", str(scenarios / "on-time.case")]) == 0


def _apply(text: str, edits: list[types.TextEdit]) -> str:
    lines = text.split("\n")
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        line = lines[edit.range.start.line]
        lines[edit.range.start.line] = line[: edit.range.start.character] + edit.new_text + line[edit.range.end.character :]
    return "\n".join(lines)


async def _completion_labels(client: LanguageClient, path: Path, text: str, needle: str, into: int) -> set[str]:
    uri = _open(client, path, text)
    await _diagnostics(client, uri)
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=_position(text, needle, into=into))
    )
    return {item.label for item in result.items}


@pytest.mark.asyncio
async def test_completion_after_by_offers_the_roles(client: LanguageClient, tmp_path: Path):
    text = PROCEDURE.replace('step review "The rapid review"\n  by crg', 'step review "The rapid review"\n  by ')
    assert await _completion_labels(client, tmp_path / "notify.proc", text, "  by \n", 5) == {"crg", "panel"}


@pytest.mark.asyncio
async def test_completion_of_keywords_comes_from_the_grammar(client: LanguageClient, tmp_path: Path):
    text = PROCEDURE.replace("  next done\n", "  \n  next done\n")
    labels = await _completion_labels(client, tmp_path / "notify.proc", text, "by crg\n  \n", 9)
    assert {"must", "within", "cites", "next", "end"} <= labels


@pytest.mark.asyncio
async def test_outline_and_formatting(client: LanguageClient, tmp_path: Path):
    messy = PROCEDURE.replace("  by crg\n  next done", "     by   crg next done")
    uri = _open(client, tmp_path / "notify.proc", messy)
    await _diagnostics(client, uri)
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert [s.name for s in symbols] == ["crg", "panel", "aware", "notify", "review", "done"]
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=types.TextDocumentIdentifier(uri=uri), options=types.FormattingOptions(tab_size=2, insert_spaces=True)
        )
    )
    assert len(edits) == 1 and edits[0].new_text == PROCEDURE


@pytest.mark.asyncio
async def test_diagnostics_keep_flowing_while_a_declaration_is_half_written(client: LanguageClient, tmp_path: Path):
    text = PROCEDURE.replace("  next done\nend", "  nxt done\nend") + '\nstep orphan "Nobody leads here"\n  by crg\n  next done\nend\n'
    uri = _open(client, tmp_path / "notify.proc", text)
    codes = sorted(d.code for d in await _diagnostics(client, uri))
    assert codes == ["P010", "P202"]


@pytest.mark.asyncio
async def test_an_open_scenario_is_checked_against_the_procedure_as_edited(client: LanguageClient, tmp_path: Path):
    procedure = tmp_path / "notify.proc"
    procedure.write_text(PROCEDURE, encoding="utf-8")
    case = tmp_path / "on-time.case"
    case_text = 'case "On time"\n  procedure "notify.proc"\n  as of 2024-01-31\nend\n\non 2024-01-08 aware\non 2024-01-15 review done\n'
    case.write_text(case_text, encoding="utf-8")
    procedure_uri = _open(client, procedure, PROCEDURE)
    await _diagnostics(client, procedure_uri)
    case_uri = _open(client, case, case_text)
    assert await _diagnostics(client, case_uri) == []

    # The step is renamed in the editor, not saved (the server takes whole documents on each change).
    edited = PROCEDURE.replace("step review", "step rapid_review").replace("next review", "next rapid_review")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=procedure_uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=edited)],
        )
    )
    # Both documents' diagnostics are published again; the two can arrive in one read, before a
    # second wait for a notification would begin (it then waited for ever): wait on what they say.
    await _until(client, lambda: any(d.code == "P410" for d in client.diagnostics.get(case_uri, [])))
    assert list(client.diagnostics[procedure_uri]) == []
    [unknown] = [d for d in client.diagnostics[case_uri] if d.code == "P410"]
    assert "no event or step `review`" in unknown.message and "`rapid_review`" in unknown.message


@pytest.mark.asyncio
async def test_documents_the_editor_has_not_opened_are_not_read(client: LanguageClient, tmp_path: Path):
    """A pipe, a device or a missing file: the answer is empty at once, and the server goes on."""
    import os

    pipe = tmp_path / "pipe.proc"
    os.mkfifo(pipe)
    for uri in (pipe.as_uri(), "file:///dev/zero", (tmp_path / "missing.proc").as_uri(), "untitled:Untitled-1"):
        hover = await client.text_document_hover_async(
            types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=0))
        )
        assert hover is None
    uri = _open(client, tmp_path / "notify.proc", PROCEDURE)
    await _diagnostics(client, uri)
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=_position(PROCEDURE, "next review", into=6))
    )
    assert hover is not None


@pytest.mark.asyncio
async def test_quick_fixes_come_only_from_this_servers_own_diagnostics(client: LanguageClient, tmp_path: Path):
    uri = _open(client, tmp_path / "notify.proc", PROCEDURE)
    await _diagnostics(client, uri)
    where = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=3))
    made_up = [
        types.Diagnostic(range=where, message="x", source="another-linter", data={"replacements": ["crg"]}),
        types.Diagnostic(range=where, message="x", source="safeproc", data={"replacements": None}),
        types.Diagnostic(range=where, message="x", source="safeproc", data={"replacements": "abc"}),
        types.Diagnostic(range=where, message="x", source="safeproc", data={"replacements": [1, "not a name!"]}),
    ]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=where, context=types.CodeActionContext(diagnostics=made_up)
        )
    )
    assert not actions


@pytest.mark.asyncio
async def test_a_rename_to_a_word_of_the_language_is_refused_in_words(client: LanguageClient, tmp_path: Path):
    uri = _open(client, tmp_path / "notify.proc", PROCEDURE)
    await _diagnostics(client, uri)
    for word in ("escalation", "end", "2x", "crg"):
        with pytest.raises(Exception) as refused:
            await client.text_document_rename_async(
                types.RenameParams(
                    text_document=types.TextDocumentIdentifier(uri=uri), position=_position(PROCEDURE, "step notify", into=6), new_name=word
                )
            )
        assert "Traceback" not in str(refused.value)


# ---- what completion offers, without a server ---------------------------------------------

PAN_SUSSEX = (ROOT / "procedures/pan-sussex/cspr.proc").read_text(encoding="utf-8")
BEFORE_THE_FLOW = PAN_SUSSEX[: PAN_SUSSEX.index("step mash_alerts_la")]


@pytest.mark.parametrize(
    "typed, kind, fact",
    [
        ('step x "X"\n  by ', "role", None),
        ('step x "X"\n  next ', "step", None),
        ('step x "X"\n  must be done within 5 working days after ', "anchor", None),
        ('decision x "X"\n  when ', "fact", None),
        ('decision x "X"\n  when crg_view is ', "choice", "crg_view"),
        ('decision x "X"\n  when crg_view is not ', "choice", "crg_view"),
        ('decision x "X"\n  when crg_view is one of ', "choice", "crg_view"),
        ('decision x "X"\n  when crg_view is one of notify, ', "choice", "crg_view"),
        ('decision x "X"\n  when crg_view is not split and ', "fact", None),
        ('step x "A title with \\" by \\" in it"\n  by ', "role", None),
        ('step x "X"\n  by crg\n  escalate', None, None),
    ],
)
def test_the_kind_of_name_offered_follows_the_words_before_it(typed: str, kind: str | None, fact: str | None):
    from interpreter.completion import expected_at

    text = BEFORE_THE_FLOW + typed
    expected = expected_at(text, len(text))
    assert (expected.name_kind, expected.fact) == (kind, fact)


@pytest.mark.asyncio
async def test_lines_ended_the_old_mac_way_are_counted_as_the_editor_counts_them(client: LanguageClient, tmp_path: Path):
    """A file whose lines end with a carriage return alone: P102 stands on the line the editor shows, not on line 0."""
    text = PROCEDURE.replace("  by crg\n  next done", "  by cgr\n  next done")
    uri = _open(client, tmp_path / "old-mac.proc", text.replace("\n", "\r"))
    diagnostics = await _diagnostics(client, uri)
    [unknown] = [d for d in diagnostics if d.code == "P102"]
    assert unknown.range.start == _position(text, "by cgr", into=3) and unknown.range.start.line > 0


@pytest.mark.asyncio
async def test_renaming_follows_the_reading_notes_code_beside_a_procedure_alone_in_its_folder(client: LanguageClient, tmp_path: Path):
    """Renaming `review`: the notes' code is renamed word by word, their prose is not; beside a second procedure, the notes are left alone."""
    notes_text = (
        '### 4.2.2: the review\n\nThe review waits: `review` after `notify`, as in\n\n```\nstep review "The rapid review"\n  by crg\n```\n'
    )
    for folder, second_procedure in (("alone", False), ("shared", True)):
        (tmp_path / folder).mkdir()
        procedure = tmp_path / folder / "notify.proc"
        procedure.write_text(PROCEDURE, encoding="utf-8")
        (tmp_path / folder / "READING.md").write_text(notes_text, encoding="utf-8")
        if second_procedure:
            (tmp_path / folder / "other.proc").write_text(PROCEDURE, encoding="utf-8")
        uri = _open(client, procedure, PROCEDURE)
        await _until(client, lambda uri=uri: uri in client.diagnostics)
        edit = await client.text_document_rename_async(
            types.RenameParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=_position(PROCEDURE, "step review", into=6),
                new_name="rapid_review",
            )
        )
        notes_uri = (tmp_path / folder / "READING.md").as_uri()
        if second_procedure:
            assert notes_uri not in edit.changes  # its names may be the other procedure's
            continue
        renamed = _apply(notes_text, edit.changes[notes_uri])
        assert renamed.startswith("### 4.2.2: the review\n\nThe review waits: `rapid_review` after `notify`")
        assert 'step rapid_review "The rapid review"' in renamed


@pytest.mark.asyncio
async def test_renaming_counts_places_in_reading_notes_open_in_the_editor_from_their_unsaved_text(client: LanguageClient, tmp_path: Path):
    """The notes are open with a line added above the mention: the edit stands where the editor has the name, not where the disk has it."""
    procedure = tmp_path / "notify.proc"
    procedure.write_text(PROCEDURE, encoding="utf-8")
    notes = tmp_path / "READING.md"
    notes.write_text("`review` here\n", encoding="utf-8")
    unsaved = "A first line, not yet saved\n`review` here\n"
    _open(client, notes, unsaved)
    uri = _open(client, procedure, PROCEDURE)
    await _until(client, lambda: uri in client.diagnostics)
    edit = await client.text_document_rename_async(
        types.RenameParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=_position(PROCEDURE, "step review", into=6), new_name="rapid"
        )
    )
    assert _apply(unsaved, edit.changes[notes.as_uri()]) == "A first line, not yet saved\n`rapid` here\n"


def _raw_session(*messages: dict | bytes) -> subprocess.CompletedProcess:
    """The server run over raw bytes, as a broken or hostile editor might send them."""
    stream = b""
    for message in messages:
        body = message if isinstance(message, bytes) else json.dumps(message).encode()
        stream += b"Content-Length: %d\r\n\r\n" % len(body) + body
    return subprocess.run([sys.executable, "-m", "repl.cli", "lsp"], input=stream, capture_output=True, timeout=120, cwd=ROOT)


_INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}


def test_a_request_that_cannot_be_read_is_answered_with_an_error_and_a_line_on_standard_error():
    """pygls sent no reply to a request whose params it could not read (the editor waited for ever),
    and wrote whole tracebacks to standard error, which editors show in their output panel."""
    result = _raw_session(
        _INITIALIZE,
        {"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": None},
        b"{not json",
        {"jsonrpc": "2.0", "id": 3, "method": "shutdown"},
    )
    replies = [json.loads(part[part.index(b"{") :]) for part in result.stdout.split(b"Content-Length: ")[1:]]
    refused = next(reply for reply in replies if reply.get("id") == 2)
    assert refused["error"]["code"] == -32602 and "safeproc could not read the request" in refused["error"]["message"]
    assert any(reply.get("id") == 3 for reply in replies)  # and it went on
    errors = result.stderr.decode()
    assert "Traceback" not in errors and all(line.startswith("safeproc lsp: ") for line in errors.splitlines()), errors


def test_a_rename_refused_is_one_line_on_standard_error():
    uri = (ROOT / "tests" / "rename-refused.proc").as_uri()
    text = 'procedure "P"\nend\nstart at s\nstep s "S" next d end\noutcome d "D"\n'
    result = _raw_session(
        _INITIALIZE,
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": uri, "languageId": "safeproc", "version": 1, "text": text}},
        },
        {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "textDocument/rename",
            "params": {"textDocument": {"uri": uri}, "position": {"line": 3, "character": 5}, "newName": "end"},
        },
    )
    assert b'"code": -32803' in result.stdout
    errors = result.stderr.decode()
    assert "Traceback" not in errors and "`end` cannot be a name" in errors, errors


def test_a_message_longer_than_any_could_be_ends_the_session_with_a_line_not_an_internal_error():
    stream = b"Content-Length: 99999999999999999999\r\n\r\n{}"
    result = subprocess.run([sys.executable, "-m", "repl.cli", "lsp"], input=stream, capture_output=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0
    assert (
        result.stderr.decode().strip()
        == "safeproc lsp: a message said it was 99999999999999999999 bytes long, more than any could be; the session ends"
    )


def test_a_failure_of_safeproc_s_own_in_the_server_is_an_internal_error_with_a_crash_report(tmp_path):
    """Not a line that only names the exception: the editor's panel says it is a bug, and where the report is."""
    script = tmp_path / "failing_server.py"
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "import repl.language_server as server\n"
        "def failing(*args, **kwargs):\n"
        "    raise KeyError('planted')\n"
        "server._declared_name_at = failing\n"
        "from repl.cli import main\n"
        "sys.argv = ['safeproc', 'lsp']\n"
        "sys.exit(main())\n"
    )
    uri = (tmp_path / "p.proc").as_uri()
    stream = b""
    for message in (
        _INITIALIZE,
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": uri, "languageId": "safeproc", "version": 1, "text": 'procedure "P"\nend\n'}},
        },
        {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "textDocument/hover",
            "params": {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 1}},
        },
    ):
        body = json.dumps(message).encode()
        stream += b"Content-Length: %d\r\n\r\n" % len(body) + body
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("SAFEPROC_DEBUG", None)
    result = subprocess.run([sys.executable, str(script)], input=stream, capture_output=True, timeout=120, env=env)
    errors = result.stderr.decode()
    assert "safeproc lsp: internal error (KeyError); this is a bug in safeproc, please report it" in errors, errors
    assert "where it failed is saved in" in errors and "Traceback" not in errors
    assert list((tmp_path / "cache").rglob("crash-*.txt"))
