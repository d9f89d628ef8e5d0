"""Whatever a file is called, safeproc's output stays valid: UTF-8 JSON, real URIs in SARIF, nothing raw on a terminal."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from urllib.parse import unquote_to_bytes

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from repl.printable import json_text, printable

from conftest import run_cli

# RFC 3986: what may appear in a URI once everything else is percent-encoded.
URI_CHARACTERS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*$")
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")

WITH_A_WARNING = b'procedure "p"\n  calendar england-and-wales\nend\nrole unused "Nobody"\nstart at s\nstep s "S"\n  next done\nend\noutcome done "Done"\n'

file_names = (
    st.binary(min_size=1, max_size=24)
    .map(lambda raw: raw.replace(b"/", b"_").replace(b"\x00", b"_"))
    .filter(lambda raw: raw not in (b".", b".."))
    .map(lambda raw: os.fsdecode(raw + b".proc"))
)
contents = st.one_of(st.just(WITH_A_WARNING), st.binary(max_size=200), st.text(max_size=200).map(lambda t: t.encode("utf-8")))


def _run_in(folder: str, *argv: str) -> tuple[int, str, str]:
    result = run_cli(*argv, cwd=folder)
    return result.code, result.out, result.err


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=file_names, data=contents)
def test_any_file_name_gives_valid_json_sarif_and_clean_text(name, data):
    """check's JSON and SARIF parse as UTF-8 JSON with valid URIs, and its text holds no raw control character."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / name).write_bytes(data)

        code, out, err = _run_in(folder, "check", "--format", "json", "--", name)
        assert code in (0, 1), err
        diagnostics = json.loads(out.encode("utf-8"))  # raises if the text is not valid UTF-8
        # JSON can carry any text, control characters included; an undecodable byte becomes the text \xff.
        expected_file = os.fsencode(name).decode("utf-8", "backslashreplace")
        assert all(d["file"] == expected_file for d in diagnostics if d["file"] is not None)

        code, out, err = _run_in(folder, "check", "--format", "sarif", "--", name)
        document = json.loads(out.encode("utf-8"))
        for result in document["runs"][0]["results"]:
            for location in result.get("locations", ()):
                artifact = location["physicalLocation"]["artifactLocation"]
                assert URI_CHARACTERS.match(artifact["uri"]), artifact
                assert artifact["uriBaseId"] == "%SRCROOT%"
                assert unquote_to_bytes(artifact["uri"]) == os.fsencode(name)
        base = document["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        assert URI_CHARACTERS.match(base) and base.startswith("file:///") and base.endswith("/")

        code, out, err = _run_in(folder, "check", "--", name)
        assert RAW_CONTROL.search(out + err) is None, (out + err)[:400]
        (out + err).encode("utf-8")


def test_a_file_outside_the_working_folder_gets_an_absolute_file_uri(tmp_path):
    """SARIF names a file outside the working folder by an absolute, percent-encoded file: URI."""
    path = tmp_path / 'a name with spaces <and> "quotes".proc'
    path.write_bytes(WITH_A_WARNING)
    with tempfile.TemporaryDirectory() as elsewhere:
        _, out, _ = _run_in(elsewhere, "check", "--format", "sarif", str(path))
    uri = json.loads(out)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert "uriBaseId" not in uri
    assert uri["uri"].startswith("file:///") and URI_CHARACTERS.match(uri["uri"])
    assert unquote_to_bytes(uri["uri"][len("file://") :]) == os.fsencode(str(path))


def test_escape_sequences_in_a_file_name_are_shown_not_obeyed(tmp_path):
    """A name holding ESC, BEL and a carriage return is printed with visible escapes."""
    name = "evil\x1b]0;title\x07\r.proc"
    (tmp_path / name).write_bytes(WITH_A_WARNING)
    _, _, err = _run_in(str(tmp_path), "check", name)
    assert "evil\\x1b]0;title\\x07\\x0d.proc" in err
    assert RAW_CONTROL.search(err) is None


def test_printable_keeps_ordinary_text_and_escapes_the_rest():
    """Tabs, newlines and non-ASCII letters stay; controls and undecodable bytes become escapes."""
    assert printable("Café\tline\n") == "Café\tline\n"
    assert printable("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert printable(os.fsdecode(b"x\xffy")) == "x\\xffy"
    assert json.loads(json_text({"file": os.fsdecode(b"x\xffy")})) == {"file": "x\\xffy"}


def test_bidirectional_controls_are_shown_not_obeyed(tmp_path):
    """A right-to-left override in a file name or a title is shown as an escape, so text reads as it is stored."""
    name = "report\u202eproc.txt.proc"
    (tmp_path / name).write_bytes(WITH_A_WARNING.replace(b'"Nobody"', '"No\u2066body"'.encode()))
    _, _, err = _run_in(str(tmp_path), "check", name)
    assert "report\\u202eproc.txt.proc" in err and "No\\u2066body" in err
    assert "\u202e" not in err and "\u2066" not in err


def test_json_stays_valid_on_an_output_that_is_not_utf8(tmp_path):
    """With a Windows code page on standard output, JSON and SARIF are still valid (everything beyond ASCII escaped)."""
    import subprocess
    import sys

    from conftest import ROOT

    (tmp_path / "x_😀.proc").write_bytes(WITH_A_WARNING.replace(b'"Nobody"', '"Café ☃"'.encode()))
    for output_format in ("json", "sarif"):
        finished = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from repl.cli import main; sys.exit(main())",
                "check",
                "--format",
                output_format,
                str(tmp_path),
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONIOENCODING": "cp1252"},
            capture_output=True,
        )
        document = json.loads(finished.stdout.decode("cp1252"))
        assert document, output_format


def test_only_safeprocs_own_colours_pass_to_a_colour_terminal():
    """On a colour terminal safeproc's colour codes stay; a sequence from a name that would hide text is escaped."""
    from repl.printable import printable_keeping_colour

    shown = printable_keeping_colour("\x1b[1;31merror\x1b[0m in \x1b[8mhidden.proc")
    assert shown == "\x1b[1;31merror\x1b[0m in \\x1b[8mhidden.proc"


def test_carets_stay_under_the_word_when_a_line_holds_escapes(tmp_path):
    """A bidi control earlier on a quoted line is shown as an escape, and the caret still lands under the mistake."""
    (tmp_path / "t.proc").write_text('procedure "T\u202eitle" bogus\nend\n')
    _, _, err = _run_in(str(tmp_path), "check", "t.proc")
    lines = err.splitlines()
    quoted = next(line for line in lines if line.startswith("1 |"))
    caret = lines[lines.index(quoted) + 1]
    assert "\\u202e" in quoted
    assert caret.index("^") == quoted.index("bogus")
