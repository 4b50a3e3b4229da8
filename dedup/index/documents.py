"""One file to one cleaned, signed document: shared by the corpus index and ``dedup check``.

Both sides clean with the same rule set and sign with the same scheme, so a checked file
and its twin in the corpus get comparable signatures.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dedup.index.scheme import Scheme
from dedup.index.signing import exact_hash, sign_norms
from dedup.io.decode import decode_bytes
from dedup.io.readers import read_file
from dedup.model import Document
from dedup.text.segment import segment


@dataclass(slots=True)
class Signed:
    """A cleaned document with what the index needs."""

    doc: Document
    norms: list[str]  # normalised kept paragraphs (title first)
    shingles: set[int]
    keys: list[int]
    line_hashes: dict[int, int] = field(default_factory=dict)  # hash -> first raw line

    @property
    def title(self) -> str:
        return self.doc.title


def read_text(path: Path, max_bytes: int, shown: str | None = None) -> tuple[str, bytes]:
    """Text and bytes of a file; :class:`InputError` (code TOO_LARGE, UNREADABLE, DECODE,
    BINARY, MISSING) when it cannot be used."""
    where = shown or str(path)
    data = read_file(path, max_bytes, shown=where)
    return decode_bytes(data, where, replace_hint=False), data  # no such option here


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def clean(text: str, doc_id: str, source: str, ruleset: Any) -> Document:
    """Segment and apply the rules (paragraphs are marked, never deleted)."""
    doc = Document(doc_id=doc_id, source=source, paragraphs=segment(text), text_path=doc_id)
    if doc.paragraphs:
        ruleset.apply(doc)
    return doc


def sign(doc: Document, scheme: Scheme) -> Signed:
    """Signature, band keys and line hashes of a cleaned document.

    Line hashes cover every non-blank raw line (before the rules), so the index can say how
    many corpus documents contain a line whatever the rules later decide about it.
    """
    norms = [p.norm for p in doc.kept_paragraphs()]
    shingles, keys = sign_norms(norms, scheme)
    line_hashes: dict[int, int] = {}
    for p in doc.paragraphs:
        line_hashes.setdefault(exact_hash(p.norm), p.line)
    return Signed(doc, norms, shingles, keys, line_hashes)
