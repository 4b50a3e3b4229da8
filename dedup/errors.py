"""One exception tree for the whole package.

Every error carries data (file, line, code) so the CLI can print it as one line,
``path:line: CODE message``, and tests can assert on fields instead of strings::

    DedupError
    ├── InputError          an input file cannot be read or decoded (fatal or per-document)
    │   └── DecodeError     bytes that are not valid text in the accepted encodings
    ├── RuleError           a rule pack is invalid (YAML syntax, unknown key, bad regex, ...)
    ├── ConfigError         a configuration value is invalid; names the CLI flag / toml key
    ├── OutputError         the output folder cannot be written or is unsafe (inside an input)
    ├── OutputFormatError   a folder given as dedup output is incomplete, unparsable or of
    │                       another format / tool major version
    ├── IndexError_         the persistent signature index is corrupt or incompatible
    ├── WorkerError         a worker process died mid-run (killed, e.g. out of memory)
    └── ValidationFailed    the cleaned corpus failed validation (carries the findings)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


class DedupError(Exception):
    """Base class: ``str(err)`` is the one-line message the CLI prints."""

    code = "DEDUP"

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        if code is not None:
            self.code = code

    def location(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line is not None else self.path

    def __str__(self) -> str:
        parts = [p for p in (self.location(), self.field) if p]
        prefix = ": ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message


class InputError(DedupError):
    code = "INPUT"


class DecodeError(InputError):
    code = "DECODE"


class RuleError(DedupError):
    code = "RULE"


class ConfigError(DedupError):
    code = "CONFIG"


class OutputError(DedupError):
    code = "OUTPUT"


class OutputFormatError(DedupError):
    code = "FORMAT"


class IndexError_(DedupError):
    code = "INDEX"


class WorkerError(DedupError):
    """A worker process of the map phase died (killed by the system, e.g. out of memory)."""

    code = "WORKER"


@dataclass(frozen=True, slots=True)
class ErrorRecord:
    """A collected (non-raised) error, e.g. one rule-pack problem among several."""

    path: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        loc = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{loc}: {self.field}: {self.message}" if self.field else f"{loc}: {self.message}"


class RuleErrors(RuleError):
    """Several rule-pack errors collected before raising (pandera-style lazy errors)."""

    def __init__(self, records: list[ErrorRecord]) -> None:
        self.records = records
        first = records[0]
        super().__init__(first.message, path=first.path, line=first.line, field=first.field)

    def __str__(self) -> str:
        return "\n".join(str(r) for r in self.records)


class ValidationFailed(DedupError):
    code = "VALIDATION"

    def __init__(self, message: str, findings: list[Any]) -> None:
        super().__init__(message)
        self.findings = findings
