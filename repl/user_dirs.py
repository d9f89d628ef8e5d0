"""safeproc's own folders in the user's home: the cache (crash reports) and data (shell history).

They follow the XDG base directories on Linux (`~/.cache/safeproc`,
`~/.local/share/safeproc`), are created private to the user (0700), and are used
only when they belong to the user and no one else can write to them.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class UnsafeFolder(OSError):
    """The folder exists but someone else owns it or can write to it."""


def _private_folder(base_variable: str, fallback: str) -> Path:
    base = os.environ.get(base_variable) or ""
    root = Path(base) if os.path.isabs(base) else Path.home() / fallback
    folder = root / "safeproc"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    status = folder.lstat()
    if not stat.S_ISDIR(status.st_mode):
        raise UnsafeFolder(f"{folder} is not a folder")
    if hasattr(os, "getuid") and (status.st_uid != os.getuid() or status.st_mode & 0o022):
        raise UnsafeFolder(f"{folder} belongs to someone else or others can write to it")
    return folder


def user_cache_folder() -> Path:
    return _private_folder("XDG_CACHE_HOME", ".cache")


def user_data_folder() -> Path:
    return _private_folder("XDG_DATA_HOME", ".local/share")
