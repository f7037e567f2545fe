"""What a failed import reports: one ``ImportError_`` per problem, with its line and where in the document
it is, collected (``_Collector``) so that a file reports every error at once in ``ImportFailed``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImportError_:
    line: int | None
    where: str
    message: str

    def __str__(self) -> str:
        location = f"line {self.line}" if self.line else "file"
        return f"{location}: {self.where + ': ' if self.where else ''}{self.message}"


class ImportFailed(Exception):
    def __init__(self, errors: list[ImportError_]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class _Collector:
    def __init__(self) -> None:
        self.errors: list[ImportError_] = []

    def add(self, line: int | None, where: str, message: str) -> None:
        self.errors.append(ImportError_(line, where, message))
