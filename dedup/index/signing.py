"""The index's adapter over the near-duplicate engine's signatures (``dedup.neardup``).

There is one implementation of shingles, MinHash and band keys: the engine's. This module
only fits it to the index: SQLite INTEGERs are signed 64-bit, so exact hashes and band
keys are stored as signed values, and a document is signed from the set of its kept
paragraphs' shingles (the MinHash of the union, equal to the engine's element-wise
minimum of paragraph signatures). ``dedup.neardup.signatures`` and ``dedup.neardup.lsh``
do not import datasketch (nor scipy) unless datasketch objects are asked for, so ``dedup
check`` stays fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from dedup.neardup.lsh import band_keys
from dedup.neardup.signatures import Signer, jaccard, shingle_batch, shingle_set
from dedup.neardup.signatures import exact_hash as _exact_hash

if TYPE_CHECKING:
    from dedup.index.scheme import Scheme

__all__ = ["document_shingles", "exact_hash", "jaccard", "sign_norms", "signer", "to_signed"]


def to_signed(value: int) -> int:
    """An unsigned 64-bit value as the signed one SQLite can store (same bits)."""
    return value - (1 << 64) if value >= 1 << 63 else value


def exact_hash(norm: str) -> int:
    """A paragraph's identity for exact matching (the engine's), signed for SQLite."""
    return to_signed(_exact_hash(norm))


def document_shingles(norms: Sequence[str], size: int) -> set[int]:
    """The union of the paragraphs' 32-bit shingle hashes (the engine's shingles)."""
    return shingle_set(norms, size)


@lru_cache(maxsize=8)
def signer(num_perm: int, seed: int, shingle_size: int) -> Signer:
    return Signer(num_perm, seed, shingle_size)


def sign_norms(norms: Sequence[str], scheme: Scheme) -> tuple[set[int], list[int]]:
    """Shingle set and signed band keys of a document's kept, normalised paragraphs.

    A document without shingles gets no band keys: it would otherwise collide with every
    other empty document.
    """
    batch = shingle_batch(norms, scheme.shingle_size)
    if len(batch.hashes) == 0:
        return set(), []
    sig = signer(scheme.num_perm, scheme.seed, scheme.shingle_size).set_signature(batch.hashes)
    keys = band_keys(sig, scheme.bands, scheme.rows).astype(np.int64)
    return set(batch.hashes.tolist()), [int(k) for k in keys]
