"""Rebuild the raw input documents from an output folder (the lossless audit trail).

Every non-blank input line is in exactly one place: a kept paragraph (``documents.jsonl``
``title``/``text`` with its raw line number in ``lines``; its raw form in ``edits.jsonl``
when an edit changed it) or a removal (``removed.jsonl``). Lines are put back at their
line numbers; blank lines fill the gaps. The result equals the input apart from line
endings, trailing whitespace, a byte-order mark and trailing blank lines.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dedup.errors import OutputError
from dedup.io.jsonl import iter_jsonl
from dedup.io.writers import safe_relative
from dedup.records import record_paragraphs

REQUIRED = ("documents.jsonl", "removed.jsonl", "edits.jsonl", "manifest.json")


@dataclass(slots=True)
class RestoredDocument:
    doc_id: str
    path: str
    lines: dict[int, str]  # line number -> raw text (trailing whitespace stripped)

    def text(self) -> str:
        if not self.lines:
            return ""
        last = max(self.lines)
        return "".join(self.lines.get(n, "") + "\n" for n in range(1, last + 1))


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    for _, record in iter_jsonl(path, OutputError):
        yield record


def restore_documents(out_dir: str | os.PathLike[str]) -> Iterator[RestoredDocument]:
    """Yield every non-rejected document of ``out_dir`` rebuilt from its records."""
    out_dir = Path(out_dir)
    for name in REQUIRED:
        if not (out_dir / name).is_file():
            raise OutputError(
                f"{name} is missing; not a complete dedup output folder", path=out_dir
            )
    removed: dict[str, dict[int, str]] = defaultdict(dict)
    for r in _jsonl(out_dir / "removed.jsonl"):
        removed[r["doc_id"]][int(r["line"])] = r["text"]
    edited: dict[str, dict[int, str]] = defaultdict(dict)
    for e in _jsonl(out_dir / "edits.jsonl"):
        edited[e["doc_id"]][int(e["line"])] = e["before"]
    for d in _jsonl(out_dir / "documents.jsonl"):
        if d["status"] == "rejected" and not d["lines"] and d["doc_id"] not in removed:
            continue
        doc_id = d["doc_id"]
        kept = record_paragraphs(d)
        if len(kept) != len(d["lines"]):
            raise OutputError(
                f"document {doc_id!r}: {len(kept)} paragraphs but {len(d['lines'])} line numbers",
                path=out_dir / "documents.jsonl",
            )
        lines = dict(zip(d["lines"], kept, strict=True))
        lines.update(edited.get(doc_id, {}))
        lines.update(removed.get(doc_id, {}))
        yield RestoredDocument(doc_id, d.get("path") or doc_id, lines)


def not_restorable(out_dir: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """``(doc_id, reject reason)`` of the rejected documents nothing of which was kept (an
    empty input, or one that could not be read or decoded): they cannot be rebuilt."""
    out = Path(out_dir)
    removed = {str(r.get("doc_id")) for r in _jsonl(out / "removed.jsonl")}
    return [
        (str(d["doc_id"]), str(d.get("reject_reason") or ""))
        for d in _jsonl(out / "documents.jsonl")
        if d["status"] == "rejected" and not d["lines"] and d["doc_id"] not in removed
    ]


def restore(out_dir: str | os.PathLike[str], to: str | os.PathLike[str]) -> int:
    """Write every restored document under ``to`` with its input's relative name."""
    to = Path(to)
    count = 0
    for doc in restore_documents(out_dir):
        target = to / safe_relative(doc.path)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(doc.text(), encoding="utf-8")
        except OSError as exc:
            left = f"; {count} documents were restored before it: remove {to} and retry"
            raise OutputError(
                f"cannot write: {exc.strerror}{left if count else ''}", path=target
            ) from None
        count += 1
    return count
