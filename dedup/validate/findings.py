"""What validation produces: findings, and the result that collects them.

Kept free of pandas/pandera so importing it (e.g. from ``dedup.config``) stays cheap.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

# Order in which findings are listed: by table, then file line, then check name.
_SCHEMA_ORDER = {"manifest.json": 0, "documents.jsonl": 1, "removed.jsonl": 2, "edits.jsonl": 3}


@dataclass(frozen=True, slots=True)
class Finding:
    """One failed check on one record.

    ``schema`` names the table (the output file), ``line`` the 1-based line of the record
    in that file, ``failure_case`` the offending value (shortened) and ``message`` says
    what is wrong in words.
    """

    schema: str
    check: str
    column: str | None
    doc_id: str | None
    line: int | None
    failure_case: Any
    message: str

    def __str__(self) -> str:
        where = f"{self.schema}:{self.line}" if self.line is not None else self.schema
        shown = self.doc_id if self.doc_id else repr(self.doc_id)
        who = f"doc_id={shown}: " if self.doc_id is not None else ""
        return f"{where}: {who}{self.check}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def sort_key(self) -> tuple[int, int, str, str]:
        return (_SCHEMA_ORDER.get(self.schema, 9), self.line or 0, self.check, self.column or "")


@dataclass(slots=True)
class ValidationResult:
    findings: list[Finding] = field(default_factory=list)
    # Checks that could not run (e.g. no rule set loaded), said in words.
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.findings

    @property
    def status(self) -> str:
        return "passed" if self.passed else "failed"

    def by_check(self) -> dict[str, int]:
        counts = Counter(f.check for f in self.findings)
        return dict(sorted(counts.items()))

    def to_json(self) -> dict[str, Any]:
        """The content of ``DIR/validation.json``."""
        return {
            "status": self.status,
            "findings": [f.to_dict() for f in self.findings],
            "notes": list(self.notes),
        }

    def manifest_summary(self) -> dict[str, Any]:
        """The ``validation`` entry of ``manifest.json``."""
        return {"status": self.status, "findings": len(self.findings), "by_check": self.by_check()}

    def summary_lines(self, limit: int = 20) -> list[str]:
        """At most ``limit`` findings as one line each, then how many were left out."""
        lines = [str(f) for f in self.findings[:limit]]
        if len(self.findings) > limit:
            lines.append(f"... and {len(self.findings) - limit} more")
        return lines
