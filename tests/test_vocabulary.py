"""The closed vocabularies (units, deadline kinds) live in one enum each, and a new member
cannot slip through: mypy names every `match` that does not handle it yet.

The code is copied to a temporary folder once, a member is added to each enum tried, and
mypy runs with the project's own settings over the copy (one run: it takes seconds).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from interpreter import model as m

from conftest import ROOT

mypy_api = pytest.importorskip("mypy.api", reason="mypy comes with the test tools (pip install -e '.[test]')")

# The packages that dispatch on the model (the command line only passes values through).
PACKAGES = ("grammar", "interpreter", "visualise")
NEW_MEMBERS = {"Unit": "fortnights", "DeadlineKind": "every"}


@pytest.fixture(scope="module")
def mypy_output(tmp_path_factory) -> tuple[Path, str]:
    """mypy's report on a copy of the code in which each enum of NEW_MEMBERS has one member more."""
    copy = tmp_path_factory.mktemp("vocabulary")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    model = copy / "interpreter" / "model.py"
    text = model.read_text(encoding="utf-8")
    for enum, member in NEW_MEMBERS.items():
        header = f"class {enum}(StrEnum):\n"
        assert header in text, f"{enum} is no longer a StrEnum in model.py"
        text = text.replace(header, f'{header}    {member.upper()} = "{member}"\n', 1)
    model.write_text(text, encoding="utf-8")
    out, err, status = mypy_api.run(
        ["--config-file", str(copy / "pyproject.toml"), "--cache-dir", str(copy / ".mypy_cache"), *(str(copy / p) for p in PACKAGES)]
    )
    assert status == 1, f"mypy accepted enum members the code cannot handle:\n{out}{err}"
    return copy, out


def _unhandled(mypy_output: tuple[Path, str], enum: str) -> set[str]:
    """The files where mypy says the new member of enum reaches `assert_never`."""
    copy, out = mypy_output
    member = NEW_MEMBERS[enum].upper()
    pattern = re.compile(rf"^(\S+?\.py):\d+: error: Argument 1 to \"assert_never\" has incompatible type \"Literal\[{enum}\.{member}\]\"")
    return {Path(match.group(1)).relative_to(copy).as_posix() for line in out.splitlines() if (match := pattern.match(line))}


def test_the_enums_are_the_vocabulary_of_the_language():
    """The words a policy author writes are the enums' values, so messages and JSON read the same."""
    assert [unit.value for unit in m.Unit] == ["working_days", "days", "weeks", "months", "years", "hours"]
    assert [kind.value for kind in m.DeadlineKind] == ["within", "not_before", "before", "lasts"]
    assert f"{m.Duty.MUST} be done" == "must be done"


def test_a_new_unit_is_reported_wherever_units_are_counted(mypy_output):
    files = _unhandled(mypy_output, "Unit")
    # Counting dates, the spans the deadline checks reason with, and the scales they add up in.
    assert files == {"interpreter/calendar.py", "interpreter/deadlines.py", "interpreter/conform.py"}


def test_a_new_deadline_kind_is_reported_wherever_deadlines_are_read(mypy_output):
    files = _unhandled(mypy_output, "DeadlineKind")
    # Its words, the bounds the consistency check builds, the due dates the simulator gives,
    # and how `verify` compares a local deadline with a national one.
    assert files == {"interpreter/wording.py", "interpreter/deadlines.py", "interpreter/simulate.py", "interpreter/conform.py"}
