"""Finding the national specification a local procedure implements, and its edition in force on a date.

`implements working_together_2023` names a file, `working-together-2023.proc` (or
`working_together_2023.proc`), looked for in this order:

1. each folder in the environment variable SAFEPROC_NATIONAL_PATH (separated by
   the system's path separator, as PATH is);
2. a `national` folder beside the procedure's folder or any folder above it (the
   layout `procedures/pan-sussex/cspr.proc` with `procedures/national/`), and
   `procedures/national` under any of those folders;
3. the national folder shipped with safeproc.

`implements "some/file.proc"` names a file directly, relative to the procedure.
Editions link backwards: a specification says `in force from DATE` and `replaces
NAME`; `--as-of DATE` follows those links to the edition that applied that day.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from attrs import frozen

from interpreter import model as m
from interpreter.diagnostics import Diagnostic, Label, Severity, has_errors
from interpreter.pipeline import Analysis, analyse_bytes
from interpreter.source import read_regular_file
from interpreter.suggest import did_you_mean
from repl.commands import is_file

SEARCH_PATH_VARIABLE = "SAFEPROC_NATIONAL_PATH"
SHIPPED = Path(__file__).resolve().parents[1] / "procedures" / "national"


@frozen
class Found:
    """The specification a procedure implements, analysed, or why there is none."""

    analysis: Analysis | None
    path: Path | None
    diagnostics: tuple[Diagnostic, ...]


def search_folders(procedure_file: Path) -> list[Path]:
    folders: list[Path] = [Path(entry) for entry in os.environ.get(SEARCH_PATH_VARIABLE, "").split(os.pathsep) if entry]
    here = procedure_file.resolve().parent if procedure_file.name else Path.cwd()
    ancestors: list[Path] = []
    for folder in (here, *here.parents):
        ancestors.extend((folder / "national", folder / "procedures" / "national"))
    folders.extend(ancestors)
    folders.append(SHIPPED)
    seen: set[Path] = set()
    unique = []
    for index, folder in enumerate(folders):
        try:
            key = folder.resolve()
            exists = folder.is_dir()
        except OSError:
            continue
        # A folder found by looking upwards must be the user's own and closed to others:
        # a `national` folder planted in a shared place (/tmp/national) is not trusted.
        searched_upwards = index >= len(folders) - len(ancestors) - 1 and folder != SHIPPED
        if exists and key not in seen and (not searched_upwards or _private(folder)):
            seen.add(key)
            unique.append(folder)
    return unique


def _private(folder: Path) -> bool:
    """Whether a folder (and the one holding it) belongs to this user and no one else can write to it."""
    if not hasattr(os, "getuid"):
        return True
    for path in (folder, folder.parent):
        try:
            status = path.stat()
        except OSError:
            return False
        if status.st_uid not in (os.getuid(), 0) or status.st_mode & 0o022 and not status.st_mode & 0o1000:
            return False
    return True


def _file_names(name: str) -> tuple[str, ...]:
    return (f"{name}.proc", f"{name.replace('_', '-')}.proc")


def _name_of(path: Path) -> str:
    return path.stem.replace("-", "_")


def _specifications_in(folders: list[Path]) -> dict[str, Path]:
    """Every specification the folders hold, by the name `implements` would use; the first folder wins."""
    found: dict[str, Path] = {}
    for folder in folders:
        try:
            files = sorted(folder.glob("*.proc"))
        except OSError:
            continue
        for path in files:
            found.setdefault(_name_of(path), _shown(path))
    return found


_cache: dict[tuple[Path, bool], tuple[tuple[int, int], Analysis]] = {}


def _analysed(path: Path, names_only: bool = False) -> Analysis | str:
    """The specification at path, analysed once per run (and again once it changes, for the
    language server, which runs for a whole editing session); or why it cannot be read.

    `names_only`: read as far as its names, without the flow and deadline checks."""
    try:
        status = path.stat()
    except OSError as exc:
        return exc.strerror or str(exc)
    key, version = (path.resolve(), names_only), (status.st_mtime_ns, status.st_size)
    if key not in _cache or _cache[key][0] != version:
        try:
            data = read_regular_file(path)
        except OSError as exc:
            return exc.strerror or str(exc)
        _cache[key] = (version, analyse_bytes(data, str(path), checks=()) if names_only else analyse_bytes(data, str(path)))
    return _cache[key][1]


def find_specification(procedure: m.Procedure, as_of: date | None = None, against: Path | None = None, names_only: bool = False) -> Found:
    """The specification the procedure implements (or `against`), in the edition in force on `as_of`.

    `names_only` is for checking a procedure's links (`implements`, `satisfies`,
    `plays`), which need only the names the specification declares: it is read that
    far, and P605 then means those names cannot be trusted. `verify`, which follows
    the specification's flow, has it checked whole.
    """
    header = procedure.header
    where = header.implements_span if header is not None else None
    procedure_file = Path(procedure.file)
    folders = search_folders(procedure_file)
    if against is not None:
        path: Path | None = against
    elif header is None or header.implements is None:
        return Found(None, None, ())
    else:
        path = _locate(header.implements, procedure_file, folders)
        if path is None:
            return Found(None, None, (_not_found(header.implements, where, folders),))
    assert path is not None
    try:
        itself = path.resolve() == procedure_file.resolve()
    except OSError:
        itself = False
    if itself:
        return Found(
            None,
            path,
            (
                Diagnostic(
                    "P601", Severity.ERROR, "this procedure names itself as the national specification it implements", where, label="itself"
                ),
            ),
        )
    analysis = _analysed(path, names_only)
    if isinstance(analysis, str):
        return Found(None, path, (_unreadable(path, analysis, where),))
    if as_of is not None:
        analysis, path, problem = _edition_on(analysis, path, as_of, folders, where)
        if problem is not None:
            return Found(None, path, (problem,))
    if has_errors(analysis.diagnostics) or analysis.resolved is None or analysis.graph is None:
        count = sum(1 for d in analysis.diagnostics if d.is_error)
        # Read only as far as its names, the specification may have more errors than were counted.
        errors = "errors in what it declares" if names_only else f"{count} error{'s' if count != 1 else ''} of its own"
        return Found(
            None,
            path,
            (
                Diagnostic(
                    "P605",
                    Severity.ERROR,
                    f"the national specification `{path}` has {errors}",
                    where,
                    label="implemented here",
                    help=f"run `safeproc check {path}` and correct it first",
                ),
            ),
        )
    return Found(analysis, path, ())


def _shown(path: Path) -> Path:
    """A path as short as it can be said: relative to the working folder when it is under it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except (ValueError, OSError):
        return path


def _locate(name: str, procedure_file: Path, folders: list[Path]) -> Path | None:
    if name.endswith(".proc") or "/" in name or os.sep in name:
        path = Path(name)
        if not path.is_absolute():
            path = procedure_file.parent / path
        return _shown(path) if is_file(path) else None
    for folder in folders:
        for file_name in _file_names(name):
            candidate = folder / file_name
            if is_file(candidate):
                return _shown(candidate)
    return None


def _not_found(name: str, where, folders: list[Path]) -> Diagnostic:
    known = _specifications_in(folders)
    looked = ", ".join(str(_shown(f)) for f in folders) or "nowhere (no national folder found)"
    suggestion = did_you_mean(name, known)
    return Diagnostic(
        "P601",
        Severity.ERROR,
        f"no national specification `{name}` can be found",
        where,
        label="not found",
        notes=(f"looked in: {looked}",),
        help=suggestion
        or (f"the specifications found are {', '.join(f'`{n}`' for n in sorted(known))}" if known else None)
        or f"put `{_file_names(name)[1]}` in a `national` folder, or set {SEARCH_PATH_VARIABLE}",
    )


def _unreadable(path: Path, reason: str, where) -> Diagnostic:
    return Diagnostic(
        "P601", Severity.ERROR, f"the national specification `{path}` cannot be read: {reason.lower()}", where, label="named here"
    )


def _edition_on(analysis: Analysis, path: Path, as_of: date, folders: list[Path], where) -> tuple[Analysis, Path, Diagnostic | None]:
    """Follow `replaces` back, and newer editions that replace this one forward, to the one in force on as_of."""
    known = _specifications_in([path.parent, *folders])
    # Newer editions: those whose `replaces` names this one (directly or in a chain).
    by_replaced: dict[str, tuple[Analysis, Path]] = {}
    for other_path in known.values():
        other = _analysed(other_path)
        if isinstance(other, str) or other.procedure is None or other.procedure.header is None:
            continue
        replaced = other.procedure.header.replaces
        if replaced is not None:
            replaced = _name_of(Path(replaced)) if replaced.endswith(".proc") else replaced
            # Two editions replacing one: the one in force later is the newer.
            earlier = by_replaced.get(replaced)
            if earlier is None or (_in_force(other) or date.min) > (_in_force(earlier[0]) or date.min):
                by_replaced[replaced] = (other, other_path)
    current, current_path = analysis, path
    seen = {_name_of(path)}
    while True:
        name = _name_of(current_path)
        newer = by_replaced.get(name)
        if newer is None or newer[1].stem.replace("-", "_") in seen:
            break
        newer_from = _in_force(newer[0])
        if newer_from is None or newer_from > as_of:
            break
        current, current_path = newer
        seen.add(name)
    while True:
        starts = _in_force(current)
        if starts is None or starts <= as_of:
            return current, current_path, None
        header = current.procedure.header if current.procedure is not None else None
        older_name = header.replaces if header is not None else None
        if older_name is not None and older_name.endswith(".proc"):
            older_name = _name_of(Path(older_name))
        older_path = known.get(older_name) if older_name else None
        older = _analysed(older_path) if older_path is not None else None
        if older is None or isinstance(older, str) or _name_of(older_path) in seen:  # type: ignore[arg-type]
            return (
                current,
                current_path,
                Diagnostic(
                    "P607",
                    Severity.ERROR,
                    f"no edition of the specification was in force on {as_of.isoformat()}: `{current_path}` came into force on {starts.isoformat()}",
                    where,
                    label="implemented here",
                    labels=(Label(header.span if header else None, "and replaces no earlier edition that safeproc can find"),),
                    help="choose a later date, or add the earlier edition (with `in force from`) beside this one and name it with `replaces`",
                ),
            )
        seen.add(_name_of(older_path))  # type: ignore[arg-type]
        current, current_path = older, older_path  # type: ignore[assignment]


def _in_force(analysis: Analysis) -> date | None:
    header = analysis.procedure.header if analysis.procedure is not None else None
    return header.in_force_from if header is not None else None
