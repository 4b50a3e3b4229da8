"""Per-document signature data carried from the map phase to the reduce phase.

It lives in ``doc.meta[META_KEY]`` as one small picklable object of numpy arrays, so the
reduce phase sees signatures and ids only (DESIGN.md §1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Final

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

    def drop_removed(self, doc: Document) -> None:
        """Keep only the rows whose paragraph in ``doc`` is still kept."""
        kept = np.array([doc.paragraphs[i].removal is None for i in self.index.tolist()], bool)
        if not kept.all():
            self.select(kept)

    def count(self, stage: str, key: str, value: int = 1) -> None:
        bucket = self.counts.setdefault(stage, {})
        bucket[key] = bucket.get(key, 0) + value

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Every document's sketch crosses from a worker to the main process. Pickled as
        # five numpy arrays, its per-array overhead made unpickling sketches ~1.2 s of the
        # main process at 100 MB (it shares the two cores with the workers); one buffer
        # and the shapes unpickle several times faster.
        arrays = [self.exact, self.para_keys, self.doc_keys, self.doc_sig, self.sigs, self.index]
        shapes = tuple(None if a is None else a.shape for a in arrays)
        data = b"".join(a.tobytes() for a in arrays if a is not None)
        return _rebuild_sketch, (shapes, data, self.kept_chars, self.counts)


# dtypes of DocSketch's arrays in __reduce__ order: 8-byte ones first keeps them aligned.
_DTYPES: Final = (np.uint64, np.uint64, np.uint64, np.uint32, np.uint32, np.int32)


def _rebuild_sketch(
    shapes: tuple[tuple[int, ...] | None, ...],
    data: bytes,
    kept_chars: int,
    counts: dict[str, dict[str, int]],
) -> DocSketch:
    buffer = bytearray(data)  # writable arrays, like the ones pickled
    arrays: list[Any] = []
    offset = 0
    for shape, dtype in zip(shapes, _DTYPES, strict=True):
        if shape is None:
            arrays.append(None)
            continue
        count = math.prod(shape)
        arrays.append(np.frombuffer(buffer, dtype, count, offset).reshape(shape))
        offset += count * np.dtype(dtype).itemsize
    exact, para_keys, doc_keys, doc_sig, sigs, index = arrays
    # What outlives the paragraph stages gets its own memory: as views they would keep the
    # whole buffer alive after ReleaseParagraphKeysStage dropped the paragraph arrays.
    index = index.copy()
    doc_keys = None if doc_keys is None else doc_keys.copy()
    doc_sig = None if doc_sig is None else doc_sig.copy()
    return DocSketch(index, exact, sigs, para_keys, doc_sig, doc_keys, kept_chars, counts)


def get_sketch(doc: Document) -> DocSketch | None:
    sketch = doc.meta.get(META_KEY)
    return sketch if isinstance(sketch, DocSketch) else None
