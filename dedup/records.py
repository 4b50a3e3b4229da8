"""Documents to output records (the rows of documents/removed/edits.jsonl)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dedup.model import Document

STRIP_WHITESPACE = "strip-whitespace"
# Where a duplicate's twin is: "run" (in this output) or "index" (an earlier run's document,
# set in doc.meta by dedup.index.runs); None for documents that are no duplicates.
DUPLICATE_SCOPE_KEY = "duplicate_scope"
SCOPE_RUN = "run"
SCOPE_INDEX = "index"
DUPLICATE_SCOPES = (SCOPE_RUN, SCOPE_INDEX)


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
        "duplicate_scope": (
            doc.meta.get(DUPLICATE_SCOPE_KEY, SCOPE_RUN) if doc.status == "duplicate" else None
        ),
        "reject_reason": doc.reject_reason,
    }


def record_paragraphs(record: dict[str, Any]) -> list[str]:
    """The kept paragraphs of a ``documents.jsonl`` record, title first: the inverse of
    :func:`document_record`, aligned with its ``lines``. Non-string fields read as empty."""
    title, body = record.get("title"), record.get("text")
    title = title if isinstance(title, str) else ""
    body = body if isinstance(body, str) else ""
    return ([title] if title else []) + (body.split("\n\n") if body else [])


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
