"""Walking a folder and every folder below it: what check, test, format, diff, the editor and batches read.

Walked with a list of folders still to list, not by recursion: os.walk and Path.rglob
recurse before Python 3.12, and a tree a thousand folders deep ran out of Python's stack.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator


def entries_below(folder: str, on_unlisted: Callable[[OSError], object], hidden_folders: bool = True) -> Iterator[os.DirEntry]:
    """Each entry of folder, and of every folder below it, that is not a folder walked into:
    files, and links (a link to a folder is not followed), and anything else. Hidden folders
    (.git, .venv) are passed over unless hidden_folders; each folder that cannot be listed is
    handed to on_unlisted (its OSError names it). One folder is open at a time.
    """
    waiting = [folder]
    while waiting:
        current = waiting.pop()
        try:
            listing = os.scandir(current)
        except OSError as error:
            on_unlisted(error)
            continue
        below = []
        try:
            with listing:
                for entry in listing:
                    try:
                        is_folder = entry.is_dir(follow_symlinks=False)
                    except OSError:  # a name that cannot be looked up: whoever reads it says why
                        is_folder = False
                    if not is_folder:
                        yield entry
                    elif hidden_folders or not entry.name.startswith("."):
                        below.append(entry.path)
        except OSError as error:  # opened, then refused part-way (as some of /proc is): what was listed is walked
            if error.filename is None:
                error.filename = current
            on_unlisted(error)
        waiting.extend(reversed(below))
