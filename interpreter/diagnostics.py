"""Diagnostics are values: every stage returns what it built and a tuple of these.

Only the front ends (repl/) turn them into text, JSON or SARIF.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from attrs import frozen

from interpreter.source import Span


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@frozen
class Label:
    """A secondary place in the source that helps explain a diagnostic."""

    span: Span | None
    message: str


@frozen
class Diagnostic:
    code: str
    severity: Severity
    message: str
    span: Span | None
    labels: tuple[Label, ...] = ()
    notes: tuple[str, ...] = ()
    help: str | None = None
    # What to write under the caret of the main span; the message is used if empty.
    label: str = ""
    # Words that could stand in place of the main span's text (the names of a "did you
    # mean"), nearest first: the language server offers each as a quick fix.
    replacements: tuple[str, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def error(code: str, message: str, span: Span | None, **extra: Any) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, span, **extra)


def warning(code: str, message: str, span: Span | None, **extra: Any) -> Diagnostic:
    return Diagnostic(code, Severity.WARNING, message, span, **extra)


def note(code: str, message: str, span: Span | None, **extra: Any) -> Diagnostic:
    return Diagnostic(code, Severity.NOTE, message, span, **extra)


def sort_key(diagnostic: Diagnostic) -> tuple:
    span = diagnostic.span
    if span is None:
        return ("", 0, 0, diagnostic.code)
    return (span.file, span.line, span.column, diagnostic.code)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)
