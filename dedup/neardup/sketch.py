"""Per-document signature data carried from the map phase to the reduce phase.

It lives in ``doc.meta[META_KEY]`` as one small picklable object of numpy arrays, so the
reduce phase sees signatures and ids only (DESIGN.md §1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt

from dedup.model import Document

META_KEY: Final = "neardup"

U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
I32 = npt.NDArray[np.int32]


@dataclass(slots=True)
class DocSketch:
    """Signature data of one document's kept paragraphs (rows of the arrays).

    ``index[i]`` is the position in ``doc.paragraphs`` of row ``i``; ``exact`` the exact
    hashes; ``sigs`` the paragraph signatures (dropped after the map phase unless asked
    for, to keep the reduce phase small); ``para_keys`` the paragraph LSH band keys;
    ``doc_sig``/``doc_keys`` the document signature and its band keys.
    """

    index: I32
    exact: U64
    sigs: U32 | None
    para_keys: U64
    doc_sig: U32 | None = None
    doc_keys: U64 | None = None
    kept_chars: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def select(self, rows: npt.NDArray[np.bool_]) -> None:
        """Keep only the given rows (paragraphs removed by a later map stage drop out)."""
        self.index = self.index[rows]
        self.exact = self.exact[rows]
        self.para_keys = self.para_keys[rows]
        if self.sigs is not None:
            self.sigs = self.sigs[rows]

    def count(self, stage: str, key: str, value: int = 1) -> None:
        bucket = self.counts.setdefault(stage, {})
        bucket[key] = bucket.get(key, 0) + value


def get_sketch(doc: Document) -> DocSketch | None:
    sketch = doc.meta.get(META_KEY)
    return sketch if isinstance(sketch, DocSketch) else None
