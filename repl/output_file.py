"""Where a command may write what it makes, and writing it so that nothing is half-written.

The rules, for every command that writes a file:

- `-` means standard output;
- only a regular file is written: a device (`/dev/full`), a pipe, a folder or a
  link to one is refused, never replaced by a file;
- never over a file the same command reads (`render x.proc -o x.proc`);
- a symbolic link is followed only when it, and every link after it, is the
  user's own (as Linux's `protected_symlinks` does), and it points to a file
  that exists; then that file is replaced and the link kept. A link someone else
  planted, or one that points nowhere, is refused;
- the new file appears whole or not at all, with the permissions the old one had.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from repl.printable import shown_name

STANDARD_OUTPUT = "-"


class OutputRefused(Exception):
    """The output named cannot be written safely; the message says why, in plain words."""


def output_target(raw: str, inputs: Sequence[Path], standard_output: bool = True) -> Path | None:
    """The regular file to write for the output named raw, or None for standard output (`-`,
    unless standard_output is false: the shell's `save` writes files only).

    Raises OutputRefused when writing there would replace something that is not a
    regular file, an input of the command, or a file through someone else's link.
    """
    if raw == STANDARD_OUTPUT and standard_output:
        return None
    to_standard_output = "; to write to standard output, give `-o -`" if standard_output else ""
    if not raw:
        raise OutputRefused("the output name is empty; give a file name, or `-` for standard output")
    if raw.endswith(("/", os.sep)):
        raise OutputRefused(f"`{shown_name(raw)}` ends in `/`, so it names a folder; name the file to write")
    named = Path(raw)
    if _is_a_standard_stream(named):
        raise OutputRefused(f"`{shown_name(raw)}` is a standard stream, not a file{to_standard_output}")
    try:
        _check_links(named, raw)
        status = named.stat()  # of what a link points to
    except FileNotFoundError:
        if named.is_symlink():
            raise OutputRefused(
                f"`{shown_name(raw)}` is a link to a file that does not exist; safeproc will not create a file "
                "through it. Remove the link or choose another name"
            ) from None
        if not named.absolute().parent.is_dir():
            raise OutputRefused(f"cannot write `{shown_name(raw)}`: the folder `{shown_name(str(named.parent))}` does not exist") from None
        return named
    except OSError as exc:
        raise OutputRefused(f"cannot write `{shown_name(raw)}`: {(exc.strerror or str(exc)).lower()}") from None
    if stat.S_ISDIR(status.st_mode):
        raise OutputRefused(f"`{shown_name(raw)}` is a folder; name the file to write in it")
    if not stat.S_ISREG(status.st_mode):
        raise OutputRefused(
            f"`{shown_name(raw)}` is not a regular file (it is a device, a pipe or a socket), so safeproc will not replace it"
            + to_standard_output
        )
    target = Path(os.path.realpath(named))
    for source in inputs:
        try:
            same = os.path.samefile(source, target)
        except OSError:
            same = False
        if same:
            raise OutputRefused(f"`{shown_name(raw)}` is the file being read; writing there would replace it. Choose another name")
    return target


def _is_a_standard_stream(named: Path) -> bool:
    """/dev/stdout, /dev/fd/1 and the like: a stream safeproc would replace, not write into."""
    absolute = os.path.abspath(named)
    return absolute.startswith(("/dev/std", "/dev/fd/", "/proc/")) or os.path.realpath(named).startswith("/proc/")


_MOST_LINKS = 40  # as Linux's own limit on links followed in one path


def _check_links(named: Path, raw: str) -> None:
    """Every link on the way from named to the file it ends at must be the user's own."""
    if not hasattr(os, "getuid"):
        return
    current = named
    for _ in range(_MOST_LINKS):
        if not current.is_symlink():
            return
        if os.lstat(current).st_uid != os.getuid():
            raise OutputRefused(
                f"`{shown_name(raw)}` leads through a link that belongs to someone else (`{shown_name(str(current))}`); "
                "safeproc does not write through it. Remove the link or choose another name"
            )
        current = current.parent / os.readlink(current)
    raise OutputRefused(f"`{shown_name(raw)}` is a chain of more than {_MOST_LINKS} links")


def write_atomically(path: Path, data: bytes) -> None:
    """Write data to path so that a reader sees the old file or the whole new one, never a part.

    The bytes go to a temporary file in the same folder (so the rename cannot cross
    file systems), which then replaces path in one step; on any failure, or when
    the command is interrupted or terminated, it is removed.
    """
    mode = _mode_for(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        _keep_owner(path, temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _keep_owner(path: Path, temporary: str) -> None:
    """A file replaced by root keeps its owner (a formatted file stays its author's)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    try:
        status = path.stat()
        os.chown(temporary, status.st_uid, status.st_gid)
    except OSError:
        pass  # a new file, or a file system without owners


def _mode_for(path: Path) -> int:
    """The permissions a new file would get (mkstemp's are owner-only), or the replaced file's."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return 0o666 & ~_current_umask()


class FolderRefused(OutputRefused):
    """A folder that safeproc will not replace: it holds files safeproc did not write."""


def folder_to_write(raw: str, marker: str, inputs: Sequence[Path] = ()) -> Path:
    """The folder a command may replace whole, pinned down (`a/../a` and links on the way resolved as
    the system reads them), or FolderRefused saying why not: checked before the work, and again
    by write_folder_atomically just before the folder is replaced."""
    if not raw:
        raise FolderRefused("the output name is empty; name the folder to write")
    try:
        return _checked_folder(raw, marker, inputs)
    except OSError as exc:  # a name too long to look up, a folder that may not be searched
        raise FolderRefused(f"cannot write `{shown_name(raw)}`: {(exc.strerror or str(exc)).lower()}") from None


def _checked_folder(raw: str, marker: str, inputs: Sequence[Path]) -> Path:
    named = Path(raw)
    folder = Path(os.path.realpath(named)) if named.name in ("", ".", "..") else Path(os.path.realpath(named.parent)) / named.name
    shown = shown_name(str(folder))
    if folder == folder.parent:
        raise FolderRefused(f"`{shown}` is the top of the file system; name a new or empty folder")
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise FolderRefused(f"`{shown}` is not a folder; name a new or empty folder, or one safeproc wrote before")
    if not folder.parent.is_dir():
        raise FolderRefused(f"cannot write `{shown}`: the folder `{shown_name(str(folder.parent))}` does not exist")
    for source in inputs:
        if _inside(Path(os.path.realpath(source)), Path(os.path.realpath(folder))):
            raise FolderRefused(f"`{shown_name(str(source))}` is read from inside `{shown}`, which would be replaced; write somewhere else")
    if folder.exists():
        _refuse_what_would_be_lost(folder, marker)
    return folder


def write_folder_atomically(raw: str, files: dict[str, bytes], marker: str, inputs: Sequence[Path] = ()) -> None:
    """Make the folder named raw hold exactly files, so that a reader sees the old folder or the whole new one.

    The files are written into a new folder beside it, which then takes its place:
    on Linux in one exchange of the two (renameat2), elsewhere in two renames. An
    existing folder is replaced only when it is empty, or holds nothing but what
    safeproc wrote there last time, as listed in its `marker` file: anything else
    (an input being read, notes, a `.git`) would be lost (see folder_to_write). The
    folder keeps its permissions; leftovers of an interrupted run beside it are removed.
    """
    folder = folder_to_write(raw, marker, inputs)
    mode = folder.stat().st_mode & 0o7777 if folder.exists() else 0o777 & ~_current_umask()
    _remove_leftovers(folder, marker)
    written = {
        **files,
        marker: (
            "Written by safeproc, which replaces this folder whole; its files:\n" + "".join(f"{name}\n" for name in sorted(files))
        ).encode(),
    }
    building: Path | None = None
    old: Path | None = None
    try:
        building = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".part"))
        for name, data in sorted(written.items()):
            (building / name).write_bytes(data)
        os.chmod(building, mode)
        if not folder.exists():
            os.replace(building, folder)
            building = None
        elif _exchange(building, folder):
            old, building = building, None  # it holds the previous folder now
        else:
            old = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".old"))
            os.replace(folder, old / "previous")
            os.replace(building, folder)
            building = None
    except BaseException:
        if old is not None and (old / "previous").exists() and not folder.exists():
            os.replace(old / "previous", folder)
        raise
    finally:
        for leftover in (building, old):
            if leftover is not None:
                shutil.rmtree(leftover, ignore_errors=True)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _refuse_what_would_be_lost(folder: Path, marker: str) -> None:
    entries = set(os.listdir(folder))
    if not entries:
        return
    shown = shown_name(str(folder))
    if marker not in entries:
        raise FolderRefused(f"`{shown}` holds files that safeproc did not write, which replacing it would lose; name a new or empty folder")
    try:
        listed = set((folder / marker).read_text(encoding="utf-8", errors="replace").splitlines()[1:])
    except OSError as exc:
        raise FolderRefused(f"cannot read `{shown_name(str(folder / marker))}`: {(exc.strerror or str(exc)).lower()}") from None
    others = sorted(entries - listed - {marker})
    if others:
        named = ", ".join(f"`{shown_name(name)}`" for name in others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
        raise FolderRefused(
            f"`{shown}` holds {named}, which safeproc did not write there and replacing the folder would lose; "
            "move them out, or name another folder"
        )


# The names tempfile.mkdtemp gives the folders built beside the output (`.NAME.` 8 random characters `.part`).
_LEFTOVER_NAME = r"\.{name}\.[a-z0-9_]{{8}}\.(part|old)"
# A folder younger than this may be another run's, still at work.
_LEFTOVER_AGE_SECONDS = 600


def _remove_leftovers(folder: Path, marker: str) -> None:
    """Folders an interrupted run left beside folder: named as safeproc names them, holding its marker, and old."""
    pattern = re.compile(_LEFTOVER_NAME.format(name=re.escape(folder.name)))
    now = time.time()
    for leftover in folder.parent.glob(f".{glob.escape(folder.name)}.*"):
        if not pattern.fullmatch(leftover.name) or leftover.is_symlink() or not leftover.is_dir():
            continue
        try:
            old_enough = now - leftover.stat().st_mtime > _LEFTOVER_AGE_SECONDS
        except OSError:
            continue
        if old_enough and ((leftover / marker).is_file() or (leftover / "previous" / marker).is_file()):
            shutil.rmtree(leftover, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux's renameat2 with RENAME_EXCHANGE); False where that is not to be had."""
    if sys.platform != "linux":
        return False
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_current_folder, rename_exchange = -100, 2
    return renameat2(at_current_folder, os.fsencode(first), at_current_folder, os.fsencode(second), rename_exchange) == 0


def _current_umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask
