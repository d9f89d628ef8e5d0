"""The bank holidays of a UK jurisdiction, as a table of (day, name), kept between runs.

The `holidays` package knows every country: importing it loads them all, some 85 ms
on this machine, for the few dozen dates a calendar needs. So the table it gives is
kept, as plain JSON, in the user's own cache folder, stamped with the package's files
as installed (a new version of `holidays`, which may add a bank holiday, is a new
stamp) and the years covered; a table that is missing, stale or unreadable is simply
made again. Nothing about a case is ever kept here: only public holiday dates.

The front end says where the cache folder is (`find_folder`); without one, as when
safeproc is used as a library, the table is made each time.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

# Set by the command line to a function giving the user's private cache folder.
find_folder: Callable[[], Path] | None = None

_FORMAT = 1  # raise when the file's layout changes


def weekday_bank_holidays(subdivision: str, first_year: int, last_year: int) -> tuple[tuple[int, str], ...]:
    """(ordinal, name) of each bank holiday on a weekday; weekend-dated ones are covered by their substitutes."""
    stamp = _stamp(subdivision, first_year, last_year)
    path = _table_path(subdivision)
    if path is not None and stamp is not None:
        kept = _read(path, stamp)
        if kept is not None:
            return kept
    table = _made(subdivision, first_year, last_year)
    if path is not None and stamp is not None:
        _write(path, stamp, table)
    return table


def _made(subdivision: str, first_year: int, last_year: int) -> tuple[tuple[int, str], ...]:
    import holidays

    bank_holidays = holidays.country_holidays("GB", subdiv=subdivision, years=range(first_year, last_year + 1))
    return tuple(sorted((day.toordinal(), day_name) for day, day_name in bank_holidays.items() if day.weekday() < 5))


def _stamp(subdivision: str, first_year: int, last_year: int) -> str | None:
    """What the table was made from: the installed package's files (by size and time), the years."""
    from importlib.util import find_spec  # here, not above: the command line imports this module for every command

    try:
        spec = find_spec("holidays")
        if spec is None or spec.origin is None:
            return None
        package = Path(spec.origin).parent
        parts = [_FORMAT, subdivision, first_year, last_year]
        for name in ("__init__.py", "version.py", "countries/united_kingdom.py"):
            status = (package / name).stat()
            parts += [str(package / name), status.st_size, status.st_mtime_ns]
    except (OSError, ValueError, ImportError):
        return None
    return json.dumps(parts)


def _table_path(subdivision: str) -> Path | None:
    if find_folder is None:
        return None
    try:
        return find_folder() / f"bank-holidays-{subdivision}.json"
    except OSError:
        return None


def _read(path: Path, stamp: str) -> tuple[tuple[int, str], ...] | None:
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        if kept.get("stamp") != stamp:
            return None
        return tuple((int(ordinal), str(name)) for ordinal, name in kept["days"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _write(path: Path, stamp: str, table: tuple[tuple[int, str], ...]) -> None:
    """Written whole or not at all; a folder that cannot be written is not a reason to fail."""
    import tempfile

    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump({"stamp": stamp, "days": [list(day) for day in table]}, stream)
        os.replace(temporary, path)
    except OSError:
        try:
            Path(temporary).unlink(missing_ok=True)
        except (OSError, UnboundLocalError):
            pass
