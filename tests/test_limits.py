"""Files past limits no real procedure comes near are refused at once, and below them the cost stays linear."""

from __future__ import annotations

import os

import pytest

from interpreter.source import MAX_DECLARATIONS, MAX_SOURCE_BYTES, MAX_TITLE_CHARACTERS
from repl.diagnostic_output import QUOTED_LINE_WIDTH

HEADER = 'procedure "x"\n  calendar england-and-wales\nend\n'


def test_a_file_over_the_size_limit_is_refused_with_one_diagnostic(cli, tmp_path):
    """A file of more than 50 MB gets P005 at its first line, and is not parsed."""
    path = tmp_path / "huge.proc"
    with open(path, "wb") as stream:
        stream.truncate(MAX_SOURCE_BYTES + 10)  # sparse: no disk used
    result = cli("check", str(path))
    assert result.code == 1
    assert result.err.count("error[P005]") == 1 and "larger than 50 MB" in result.err
    assert f"{path}:1:1" in result.err


def test_too_many_declarations_are_refused_where_the_limit_is_passed(cli, tmp_path):
    """More than 200,000 declarations, even on one line, get P005 at the first one past the limit."""
    path = tmp_path / "many.proc"
    path.write_text(HEADER + "role r " * (MAX_DECLARATIONS + 1) + "\n")
    result = cli("check", str(path))
    assert result.code == 1
    assert "error[P005]" in result.err and f"more than {MAX_DECLARATIONS:,} declarations" in result.err
    # The header is the first declaration, so the role past the limit is number MAX_DECLARATIONS.
    assert f"{path}:4:{7 * (MAX_DECLARATIONS - 1) + 1}" in result.err


def test_keywords_in_titles_and_comments_are_not_counted_as_declarations(cli, tmp_path):
    """The word `role` inside titles and comments does not count towards the limit."""
    path = tmp_path / "wordy.proc"
    words = " ".join(["role"] * (MAX_DECLARATIONS // 2 + 1))
    path.write_text(HEADER + f"# {words}\n" + f'role a "{words[: MAX_TITLE_CHARACTERS - 10]}"\n# {words}\n')
    result = cli("check", str(path))
    assert "P005" not in result.err


def test_a_title_over_the_limit_is_refused_where_it_starts(cli, tmp_path):
    """A title of more than 10,000 characters gets P005 pointing at its opening quote."""
    path = tmp_path / "title.proc"
    path.write_text(HEADER + 'role a "' + "x" * (MAX_TITLE_CHARACTERS + 1) + '"\n')
    result = cli("check", str(path))
    assert result.code == 1
    assert "error[P005]" in result.err and "10,001 characters" in result.err
    assert f"{path}:4:8" in result.err


def test_an_unclosed_title_over_the_limit_is_refused_too(cli, tmp_path):
    """A title whose closing quote is missing is measured to the end of its line."""
    path = tmp_path / "title.proc"
    path.write_text(HEADER + 'role a "' + "x" * (MAX_TITLE_CHARACTERS + 1) + "\n")
    result = cli("check", str(path))
    assert "error[P005]" in result.err and "10,001 characters" in result.err


def test_diagnostics_on_a_long_line_quote_a_window_of_it(cli, tmp_path):
    """Thousands of diagnostics on one long line each quote a short window, so the output grows linearly."""
    path = tmp_path / "long.proc"
    count = 3000
    path.write_text(HEADER + "role r " * count + "\n")
    result = cli("check", str(path))
    quoted = [line for line in result.err.splitlines() if line.startswith("4 |")]
    assert len(quoted) == count
    assert max(len(line) for line in quoted) <= 3 * QUOTED_LINE_WIDTH + 12
    assert len(result.err) < 1_000 * count
    # The duplicate far along the line is quoted round its caret; the first declaration is named below it.
    assert f"::: {path}:4:6: first declared here as a role" in result.err


def test_sparse_huge_file_is_not_read_whole(tmp_path):
    """Reading stops one byte past the limit, whatever the file's size."""
    from interpreter.source import read_regular_file

    path = tmp_path / "huge.proc"
    with open(path, "wb") as stream:
        stream.truncate(MAX_SOURCE_BYTES * 3)
    assert len(read_regular_file(path)) == MAX_SOURCE_BYTES + 1
    os.remove(path)


@pytest.mark.skipif(not os.path.exists("/proc/self/smaps"), reason="needs Linux's /proc")
def test_a_file_that_gives_no_size_is_read_to_its_end():
    """Files under /proc say they are empty and hand out a page at a time: reading goes on until a read gives nothing."""
    from interpreter.source import read_regular_file

    assert os.stat("/proc/self/smaps").st_size == 0
    data = read_regular_file("/proc/self/smaps")
    assert len(data) > 8192 and data.endswith(b"\n")  # more than two pages, and whole lines


@pytest.mark.parametrize("size", [0, 1, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 300_000])
@pytest.mark.parametrize("reads_at_a_place", [True, False])
def test_a_regular_file_of_any_size_is_read_whole(tmp_path, monkeypatch, size, reads_at_a_place):
    """Small files are read in one go and their end seen by a read that gives nothing; others, and all
    where the system cannot read at a place (Windows), the longer way: all whole."""
    from interpreter import source
    from interpreter.source import read_regular_file

    monkeypatch.setattr(source, "_READS_AT_A_PLACE", reads_at_a_place)

    path = tmp_path / "case.case"
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    path.write_bytes(data)
    assert read_regular_file(path) == data


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_or_a_folder_is_refused_and_a_pipe_keeps_what_it_holds(tmp_path):
    """A pipe, with or without a writer, and a folder are refused; what a pipe holds is left for its own reader."""
    from interpreter.source import read_regular_file

    pipe = tmp_path / "pipe.case"
    os.mkfifo(pipe)
    for path in (pipe, tmp_path):
        with pytest.raises(OSError, match="not a regular file"):
            read_regular_file(path)
    keeper = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)  # the pipe's own reader, which keeps what is written
    try:
        writer = os.open(pipe, os.O_WRONLY)
        os.write(writer, b"written so far")
        with pytest.raises(OSError, match="not a regular file"):
            read_regular_file(pipe)  # its writer still there
        os.close(writer)
        with pytest.raises(OSError, match="not a regular file"):
            read_regular_file(pipe)  # its writer gone
        assert os.read(keeper, 100) == b"written so far"
    finally:
        os.close(keeper)


def test_a_line_a_little_over_the_width_is_quoted_whole(cli, tmp_path):
    """A 200-character line is quoted from its start, so the declaration's keyword and name stay in view."""
    path = tmp_path / "wide.proc"
    path.write_text(HEADER + 'role chair "' + "A long title " * 14 + '" bogus\n')
    result = cli("check", str(path))
    quoted = next(line for line in result.err.splitlines() if line.startswith("4 |"))
    assert quoted.startswith('4 | role chair "A long title') and "..." not in quoted


def test_labels_far_along_a_long_line_are_listed_not_drawn_off_the_window(cli, tmp_path):
    """On a very long line, every mark drawn lies inside the quoted window; the rest are listed below."""
    path = tmp_path / "long.proc"
    path.write_text(HEADER + "role r " * 300 + "\n")
    result = cli("check", str(path))
    lines = result.err.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("4 |"):
            for mark_line in lines[index + 1 :]:
                if not mark_line.startswith("  |"):
                    break
                marks = mark_line.rstrip().rstrip("abcdefghijklmnopqrstuvwxyz `'").rstrip()
                assert len(marks) <= len(line) + 1, (line, mark_line)


def test_brackets_nested_past_the_limit_are_refused_even_when_redundant(cli, tmp_path):
    """P015 says more than 50 levels are refused: redundant brackets, which the parse tree flattens, count too."""
    condition = "(" * 51 + "f" + ")" * 51
    body = 'procedure "T"\nend\nrole crg "CRG"\nfact f "F" is yes or no\nstart at d\n'
    body += f'decision d "D?" by crg\n  when {condition} -> done\n  otherwise -> done\nend\noutcome done "Done"\n'
    (tmp_path / "deep.proc").write_text(body, encoding="utf-8")
    result = cli("check", str(tmp_path / "deep.proc"))
    assert result.code == 1 and "error[P015]" in result.err
    (tmp_path / "ok.proc").write_text(body.replace(condition, "(" * 50 + "f" + ")" * 50), encoding="utf-8")
    assert cli("check", str(tmp_path / "ok.proc")).code == 0
