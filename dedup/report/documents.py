"""The per-document detail of the report: which documents, and their raw lines.

For a bounded sample (all documents when they fit, else the worst first), every raw line
is rebuilt from the output folder in line order: kept paragraphs from ``documents.jsonl``
(``title``/``text`` aligned with ``lines``), edited lines' raw form from ``edits.jsonl``,
removed lines from ``removed.jsonl``.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any, Final

from dedup.records import record_paragraphs
from dedup.report import load
from dedup.report.coerce import as_int, as_sim, as_str
from dedup.report.data import DocDetail, DocRow, Line, css_for

MAX_LINE_CHARS: Final = 2_000  # longer raw lines are cut in the detail view
MAX_DOC_LINES: Final = 1_000  # lines shown per sampled document
# Lines shown across all detailed documents: ~300 bytes of HTML each, so the detail stays
# under ~8 MB. Scraped pages run to ~170 lines (the 181 benchmark pages: 31,000 lines),
# so 200 of them alone made a 9.5 MB page, and 200 long ones would make 60 MB.
MAX_DETAIL_LINES: Final = 25_000


def badness(row: DocRow) -> tuple[int, int, bool, int, int]:
    """Sort key, larger is worse: removals matter most, then whole-document verdicts, then
    in-line edits (many are trivial whitespace fixes); input order breaks ties."""
    return (row.removed, row.removed_chars, row.status != "kept", row.edited, -row.index)


def pick_sample(rows: list[DocRow], limit: int) -> tuple[list[DocRow], str]:
    """All documents in input order if they fit; otherwise the worst ``limit`` first."""
    if len(rows) <= limit:
        return list(rows), "input"
    return sorted(rows, key=badness, reverse=True)[:limit], "worst"


def _cut(text: str) -> tuple[str, int]:
    if len(text) <= MAX_LINE_CHARS:
        return text, 0
    return text[:MAX_LINE_CHARS], len(text) - MAX_LINE_CHARS


def _kept_lines(rec: dict[str, Any], warnings: list[str]) -> list[tuple[int, str]]:
    """Kept paragraphs with their raw line numbers: ``title`` + ``text`` split on blank lines."""
    paragraphs = record_paragraphs(rec)
    numbers = [n for n in rec.get("lines") or [] if isinstance(n, int)]
    if len(numbers) != len(paragraphs):
        warnings.append(
            f"documents.jsonl lists {len(numbers)} line numbers for {len(paragraphs)} "
            "kept paragraphs; the detail below pairs them in order"
        )
    return list(zip(numbers, paragraphs, strict=False))


def _detail(
    row: DocRow, rec: dict[str, Any], removed: list[dict[str, Any]], edits: list[dict[str, Any]]
) -> DocDetail:
    warnings: list[str] = []
    edit_by_line = {as_int(e.get("line")): e for e in edits}
    lines: list[Line] = []
    for number, text in _kept_lines(rec, warnings):
        edit = edit_by_line.get(number)
        if edit is None:
            shown, cut = _cut(text)
            lines.append(Line(number, shown, "kept", css_for("kept"), cut=cut))
        else:
            shown, cut = _cut(as_str(edit.get("before")))
            after = as_str(edit.get("after"))[:MAX_LINE_CHARS]
            rule = as_str(edit.get("rule"))
            lines.append(
                Line(number, shown, "edited", css_for("edited"), rule, after=after, cut=cut)
            )
    for rem in removed:
        reason = as_str(rem.get("reason"))
        shown, cut = _cut(as_str(rem.get("text")))
        lines.append(
            Line(
                as_int(rem.get("line")),
                shown,
                reason,
                css_for(reason),
                as_str(rem.get("detail")),
                similarity=as_sim(rem.get("similarity")),
                cut=cut,
            )
        )
    lines.sort(key=lambda ln: ln.line)
    cut_lines = max(0, len(lines) - MAX_DOC_LINES)
    return DocDetail(
        row=row,
        source=as_str(rec.get("source")),
        url=as_str(rec.get("url")),
        duplicate_of=as_str(rec.get("duplicate_of")),
        similarity=as_sim(rec.get("similarity")),
        reject_reason=as_str(rec.get("reject_reason")),
        duplicate_scope=as_str(rec.get("duplicate_scope")),
        lines=lines[:MAX_DOC_LINES],
        lines_cut=cut_lines,
        warnings=warnings,
    )


def document_details(
    out_dir: Path, sample: list[DocRow], max_lines: int | None = None
) -> list[DocDetail]:
    """The detail of ``sample``'s documents, in its order, until their lines reach
    ``max_lines`` (default :data:`MAX_DETAIL_LINES`; the first document is always shown);
    the rest stay in the id list."""
    budget = MAX_DETAIL_LINES if max_lines is None else max_lines
    wanted_index = {row.index: row for row in sample}
    wanted_ids = {row.doc_id for row in sample}
    records: dict[int, dict[str, Any]] = {}
    for index, rec in enumerate(load.iter_jsonl(out_dir / load.DOCUMENTS, required=True)):
        if index in wanted_index:
            records[index] = rec
    removed: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rec in load.iter_jsonl(out_dir / load.REMOVED, warn=False):  # said in the first pass
        if as_str(rec.get("doc_id")) in wanted_ids:
            removed[as_str(rec.get("doc_id"))].append(rec)
    edits: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rec in load.iter_jsonl(out_dir / load.EDITS, warn=False):  # said in the first pass
        if as_str(rec.get("doc_id")) in wanted_ids:
            edits[as_str(rec.get("doc_id"))].append(rec)
    details: list[DocDetail] = []
    shown = 0
    for row in sample:
        rec = records.get(row.index, {})
        detail = _detail(row, rec, removed.get(row.doc_id, []), edits.get(row.doc_id, []))
        if details and shown + len(detail.lines) > budget:
            break  # the sample's order is its priority: stop rather than skip ahead
        row.in_sample = True
        shown += len(detail.lines)
        details.append(detail)
    return details
