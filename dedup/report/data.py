"""The view model the template renders: plain data, computed once in ``build``.

Everything here is display-ready (numbers, short strings, fixed CSS class names), so the
template holds no logic beyond loops; content strings are escaped by Jinja2's autoescape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from dedup.model import REASONS

# CSS class per known category; unknown reasons share one class. Class names never come
# from the data, so content cannot inject markup through them.
CATEGORY_CSS: Final = {
    "kept": "cat-kept",
    "edited": "cat-edited",
    **{reason: f"cat-{i}" for i, reason in enumerate(REASONS)},
}
OTHER_CSS: Final = "cat-other"


def css_for(category: str) -> str:
    return CATEGORY_CSS.get(category, OTHER_CSS)


@dataclass(slots=True)
class Example:
    doc_id: str
    line: str
    text: str
    after: str | None = None  # for in-line edits


@dataclass(slots=True)
class ReasonRow:
    reason: str
    count: int
    chars: int
    css: str


@dataclass(slots=True)
class RuleRow:
    rule_id: str
    pack: str
    kind: str
    why: str
    removed: int = 0
    edited: int = 0
    examples: list[Example] = field(default_factory=list)
    in_manifest: bool = True

    @property
    def hits(self) -> int:
        return self.removed + self.edited


@dataclass(slots=True)
class RulePack:
    path: str
    pack: str
    sha256: str
    rules: int


@dataclass(slots=True)
class Bar:
    label: str
    value: int
    css: str
    y: float
    width: float


@dataclass(slots=True)
class BarChart:
    title: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_height: int


@dataclass(slots=True)
class Verdict:
    status: str  # "passed" | "failed" | "unknown"
    docs_in: int
    docs_kept: int
    docs_duplicate: int
    docs_rejected: int
    paragraphs_in: int
    paragraphs_kept: int
    paragraphs_removed: int
    chars_in: int
    chars_removed: int
    findings: int
    runtime_s: float | None
    version: str
    created: str
    command: str
    packs: list[RulePack]
    parameters_json: str
    inputs: list[str]
    mismatches: list[str]
    command_cut: int = 0  # characters left off a very long command line
    inputs_total: int = 0  # inputs in the manifest (``inputs`` holds the first few)

    @property
    def paragraph_share(self) -> float:
        return 100.0 * self.paragraphs_removed / self.paragraphs_in if self.paragraphs_in else 0.0

    @property
    def char_share(self) -> float:
        return 100.0 * self.chars_removed / self.chars_in if self.chars_in else 0.0


@dataclass(slots=True)
class FindingRow:
    """One validation finding (``dedup.validate.findings.Finding`` as stored in JSON)."""

    check: str
    document: str
    where: str  # "documents.jsonl:12"
    failure: str
    message: str


@dataclass(slots=True)
class ClusterRow:
    canonical: str
    members: list[tuple[str, float | None]]  # the first few, in clusters.jsonl order
    members_total: int = 0

    @property
    def members_cut(self) -> int:
        return max(0, self.members_total - len(self.members))


@dataclass(slots=True)
class BoilerplateRow:
    text: str
    representative: str
    documents: int
    paragraphs: int


@dataclass(slots=True)
class Line:
    line: int
    text: str  # raw line (for edited lines: the ``before`` form)
    category: str  # "kept", "edited" or a removal reason
    css: str
    badge: str = ""  # rule id, or twin "doc_id:line"
    similarity: float | None = None
    after: str | None = None
    cut: int = 0  # characters left off a very long line


@dataclass(slots=True)
class DocRow:
    """Summary of one document, for the searchable list of all ids."""

    index: int
    doc_id: str
    status: str
    kept: int = 0
    removed: int = 0
    removed_chars: int = 0
    edited: int = 0
    in_sample: bool = False


@dataclass(slots=True)
class DocDetail:
    row: DocRow
    source: str
    url: str
    duplicate_of: str
    similarity: float | None
    reject_reason: str
    lines: list[Line]
    # "index": the twin is an earlier run's document (dedup clean --index), not in this output
    duplicate_scope: str = ""
    lines_cut: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ReportData:
    verdict: Verdict
    findings: list[FindingRow]
    findings_total: int
    validation_notes: list[str]
    validation_notes_total: int
    reasons: list[ReasonRow]
    reason_chart: BarChart
    rule_chart: BarChart
    rules: list[RuleRow]
    dead_rules: list[RuleRow]
    clusters: list[ClusterRow]
    clusters_total: int
    cluster_members_total: int  # documents in all clusters (members, canonicals excluded)
    boilerplate: list[BoilerplateRow]
    boilerplate_total: int
    details: list[DocDetail]
    rows: list[DocRow]
    rows_total: int
    sample_limit: int
    sample_order: str  # "input" or "worst"
    sample_cut: int  # sampled documents left out of the detail by the line budget
    categories: list[tuple[str, str, int]]  # (category, css, lines in the sample)
    limits: dict[str, int]
