"""When safeproc itself fails: a report a maintainer can act on, kept on the user's machine.

The report names the command and the options used, the versions, and where in
safeproc's code the failure happened. It leaves out the error's message, the
values of the arguments (file names can name a family) and anything read from
the user's files, because case files hold sensitive details.
"""

from __future__ import annotations

import os
import platform
import time
import traceback
from pathlib import Path

from repl import version
from repl.user_dirs import user_cache_folder


def crash_report(exc: BaseException, argv: list[str]) -> str:
    """The text of the report: no message, no argument values, no file contents."""
    words = [_without_value(word) for word in argv]
    lines = [
        f"safeproc {version()} on Python {platform.python_version()} ({platform.platform()})",
        f"command: safeproc {' '.join(words)}",
        f"error: {type(exc).__module__}.{type(exc).__qualname__} (its message is left out: it may quote your files)",
        "",
        "where it happened (most recent call last):",
    ]
    for frame in traceback.extract_tb(exc.__traceback__):
        lines.append(f"  {_shortened(frame.filename)}:{frame.lineno} in {frame.name}")
        if frame.line:
            lines.append(f"    {frame.line}")
    return "\n".join(lines) + "\n"


def _without_value(word: str) -> str:
    """A command-line word as the report keeps it: command and option names, never a value."""
    from repl.commands import COMMANDS

    if word in {command.name for command in COMMANDS}:
        return word
    if word.startswith("--") and len(word) > 2:
        name, equals, _ = word.partition("=")
        return name + ("=…" if equals else "")
    if word.startswith("-") and len(word) > 1:
        return word[:2] + ("…" if len(word) > 2 else "")
    return "…"


def _shortened(filename: str) -> str:
    """A file of safeproc's or of a library, from its package folder on: no home folder names."""
    parts = Path(filename).parts
    for anchor in ("site-packages", "dist-packages"):
        if anchor in parts:
            return "/".join(parts[parts.index(anchor) + 1 :])
    here = Path(__file__).resolve().parent.parent
    try:
        return str(Path(filename).resolve().relative_to(here))
    except ValueError:
        return Path(filename).name


def save_crash_report(exc: BaseException, argv: list[str]) -> Path | None:
    """Write the report into the user's cache folder; where it went, or None if it could not be written."""
    try:
        folder = user_cache_folder() / "crashes"
        folder.mkdir(mode=0o700, exist_ok=True)
        path = folder / f"crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(crash_report(exc, argv))
        return path
    except OSError:
        return None
