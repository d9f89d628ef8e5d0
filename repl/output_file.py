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

import os
import shutil
import stat
import tempfile
from collections.abc import Sequence
from pathlib import Path

from repl.printable import shown_name

STANDARD_OUTPUT = "-"


class OutputRefused(Exception):
    """The output named cannot be written safely; the message says why, in plain words."""


def output_target(raw: str, inputs: Sequence[Path]) -> Path | None:
    """The regular file to write for the output named raw, or None for standard output.

    Raises OutputRefused when writing there would replace something that is not a
    regular file, an input of the command, or a file through someone else's link.
    """
    if raw == STANDARD_OUTPUT:
        return None
    if not raw:
        raise OutputRefused("the output name is empty; give a file name, or `-` for standard output")
    if raw.endswith(("/", os.sep)):
        raise OutputRefused(f"`{shown_name(raw)}` ends in `/`, so it names a folder; name the file to write")
    named = Path(raw)
    if _is_a_standard_stream(named):
        raise OutputRefused(f"`{shown_name(raw)}` is a standard stream, not a file; to write to standard output, give `-o -`")
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
            f"`{shown_name(raw)}` is not a regular file (it is a device, a pipe or a socket), so safeproc will not replace it; "
            "to write to standard output, give `-o -`"
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


def write_folder_atomically(folder: Path, files: dict[str, bytes], marker: str) -> None:
    """Make folder hold exactly files, so that a reader sees the old folder or the whole new one.

    The files are written into a new folder beside it, which then takes its place
    in one rename (the old one is removed after). An existing folder is replaced
    only when it is empty or holds `marker`, the sign that safeproc wrote it:
    anything else in it would be lost.
    """
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise FolderRefused(f"`{shown_name(str(folder))}` is not a folder; name a new or empty folder, or one safeproc wrote before")
    if folder.exists() and any(folder.iterdir()) and not (folder / marker).is_file():
        raise FolderRefused(
            f"`{shown_name(str(folder))}` holds files that safeproc did not write, which replacing it would lose; "
            "name a new or empty folder"
        )
    parent = folder.absolute().parent
    if not parent.is_dir():
        raise FolderRefused(f"cannot write `{shown_name(str(folder))}`: the folder `{shown_name(str(parent))}` does not exist")
    building = Path(tempfile.mkdtemp(dir=parent, prefix=f".{folder.name}.", suffix=".part"))
    old: Path | None = None
    try:
        os.chmod(building, 0o777 & ~_current_umask())
        for name, data in sorted(files.items()):
            (building / name).write_bytes(data)
        if folder.exists():
            old = Path(tempfile.mkdtemp(dir=parent, prefix=f".{folder.name}.", suffix=".old"))
            os.replace(folder, old / "previous")
        os.replace(building, folder)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        if old is not None and (old / "previous").exists() and not folder.exists():
            os.replace(old / "previous", folder)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def _current_umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask
