"""Documents to output records (the rows of documents/removed/edits.jsonl)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dedup.model import Document

STRIP_WHITESPACE = "strip-whitespace"


def document_record(doc: Document) -> dict[str, Any]:
    kept = doc.kept_paragraphs()
    return {
        "doc_id": doc.doc_id,
        "source": doc.source,
        "path": doc.text_path,
        "url": doc.url,
        "title": kept[0].text if kept else "",
        "text": "\n\n".join(p.text for p in kept[1:]),
        "lines": [p.line for p in kept],
        "status": doc.status,
        "duplicate_of": doc.duplicate_of,
        "similarity": doc.similarity,
        "reject_reason": doc.reject_reason,
    }


def removal_records(doc: Document) -> Iterator[dict[str, Any]]:
    for p in doc.paragraphs:
        if p.removal is None:
            continue
        yield {
            "doc_id": doc.doc_id,
            "line": p.line,
            "text": p.raw.rstrip(),
            "reason": p.removal.reason,
            "detail": p.removal.detail,
            "similarity": p.removal.similarity,
        }


def edit_records(doc: Document) -> Iterator[dict[str, Any]]:
    """Every kept paragraph whose output differs from its raw line (so restore is exact)."""
    for p in doc.paragraphs:
        if p.removal is not None:
            continue
        before = p.raw.rstrip()
        if p.text == before:
            continue
        rules = ",".join(e.rule for e in p.edits) or STRIP_WHITESPACE
        yield {
            "doc_id": doc.doc_id,
            "line": p.line,
            "rule": rules,
            "before": before,
            "after": p.text,
        }
