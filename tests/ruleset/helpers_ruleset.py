"""Shared helpers for the ruleset tests (a module, not a conftest: test dirs are not packages)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from dedup.model import Document
from dedup.text import segment

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "rules"
SEEDS = REPO / "seeds"
LABELS = REPO / "tests" / "data" / "seeds.labels.tsv"


def write_pack(folder: Path, text: str, name: str = "pack.yaml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def doc_of(text: str, doc_id: str = "doc", url: str | None = None) -> Document:
    return Document(doc_id=doc_id, source=doc_id, paragraphs=segment(text), url=url)


def removed_lines(doc: Document) -> dict[int, str]:
    return {p.line: p.removal.detail for p in doc.paragraphs if p.removal is not None}
