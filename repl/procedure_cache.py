"""Procedures read from disk once per run: many cases name the same file."""

from __future__ import annotations

from pathlib import Path

from interpreter.pipeline import Analysis, analyse_bytes
from interpreter.scenario import LoadedCase, compile_procedure, load_case
from interpreter.simulate import Plan
from interpreter.source import read_regular_file
from repl.garbage_collector import collector_paused


class ProcedureCache:
    """The files behind `procedure "..."` lines, analysed and compiled once each (see scenario.ProcedureSource)."""

    def __init__(self) -> None:
        self._analyses: dict[Path, tuple[Analysis | None, Plan | None, str | None]] = {}
        self._resolved: dict[str, Path] = {}

    def get(self, path: Path) -> tuple[Analysis | None, Plan | None, str | None]:
        """The analysis and plan of a procedure file, or the reason it cannot be read."""
        key = self._key(path)
        if key not in self._analyses:
            self._analyses[key] = self._load(path)
        return self._analyses[key]

    def remember(self, path: Path, analysis: Analysis) -> None:
        """Use this analysis for the file at path (the language server's unsaved text of it)."""
        plan, problem = compile_procedure(analysis)
        self._analyses[self._key(path)] = (analysis, plan, problem)

    def same_file(self, first: Path, second: Path) -> bool:
        return self._key(first) == self._key(second)

    def _key(self, path: Path) -> Path:
        # Resolving a path asks the file system; a batch names the same few paths many times.
        key = self._resolved.get(str(path))
        if key is None:
            key = self._resolved[str(path)] = path.resolve()
        return key

    @staticmethod
    def _load(path: Path) -> tuple[Analysis | None, Plan | None, str | None]:
        try:
            data = read_regular_file(path)
        except OSError as exc:
            return None, None, (exc.strerror or str(exc)).lower()
        with collector_paused():
            analysis = analyse_bytes(data, str(path))
        plan, problem = compile_procedure(analysis)
        return analysis, plan, problem


def load_case_file(data: bytes, name: str, procedures: ProcedureCache, procedure_override: Path | None = None) -> LoadedCase:
    """A case file read and checked against its procedure, with the collector paused while it parses."""
    with collector_paused():
        return load_case(data, name, procedures, procedure_override)
