"""What an author waits for in an editor, against the tenth of a second the issue allows:

1. the language server's diagnostics for the Pan-Sussex procedure after one edit,
   measured over stdio from the moment the change is sent to the moment its
   diagnostics arrive (a real `safeproc lsp` process, warm: after the first open);
2. `safeproc format --check` of the whole procedures/ tree, in process and as a command.

Prints the median and the best of the edits, and the times for formatting.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from lsprotocol import types  # noqa: E402
from pytest_lsp import LanguageClient  # noqa: E402
from timing import best_of  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PAN_SUSSEX = ROOT / "procedures/pan-sussex/cspr.proc"
BOUND = 0.1
EDITS = 30


async def diagnostics_after_edits() -> list[float]:
    client = LanguageClient()
    await client.start_io(sys.executable, "-m", "repl.cli", "lsp")
    await client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities()))
    uri = PAN_SUSSEX.as_uri()
    text = PAN_SUSSEX.read_text(encoding="utf-8")
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(uri=uri, language_id="safeproc", version=1, text=text))
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    times = []
    lines = text.split("\n")
    for version in range(2, EDITS + 2):
        # One keystroke: a space typed at the end of a line, somewhere in the file (sent
        # whole, as the server asks: it takes whole documents on each change).
        line = (version * 37) % len(lines)
        lines[line] += " "
        started = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text="\n".join(lines))],
            )
        )
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        times.append(time.perf_counter() - started)
    await client.shutdown_session()
    return times


def main() -> None:
    times = asyncio.run(diagnostics_after_edits())
    median, best = statistics.median(times), min(times)
    verdict = "within" if median < BOUND else "OVER"
    print(f"language server, diagnostics after one edit of {PAN_SUSSEX.name} ({len(times)} edits):")
    print(
        f"  median {median * 1000:6.1f} ms, best {best * 1000:6.1f} ms, worst {max(times) * 1000:6.1f} ms  ({verdict} {BOUND * 1000:.0f} ms)"
    )

    from interpreter.printer import format_source
    from interpreter.source import SourceFile
    from interpreter.syntax import kind_of_file

    files = sorted([*(ROOT / "procedures").rglob("*.proc"), *(ROOT / "procedures").rglob("*.case")])
    texts = [(path.name, path.read_text(encoding="utf-8")) for path in files]

    def format_all() -> None:
        for name, text in texts:
            format_source(SourceFile(name, text), kind_of_file(name))

    format_all()  # the parser's tables loaded once, as in any run
    in_process = best_of(5, format_all)
    command = best_of(
        3,
        lambda: subprocess.run(
            [sys.executable, "-m", "repl.cli", "format", "--check", "procedures"], cwd=ROOT, capture_output=True, check=True
        ),
    )
    lines = sum(text.count("\n") for _, text in texts)
    print(f"format of procedures/ ({len(files)} files, {lines:,} lines):")
    print(f"  in process {in_process * 1000:6.1f} ms; `safeproc format --check procedures` {command * 1000:6.1f} ms")


if __name__ == "__main__":
    main()
