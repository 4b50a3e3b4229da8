"""Document signatures for the index, in the near-duplicate engine's scheme, without datasketch.

``dedup.neardup.signatures`` imports datasketch, and datasketch imports scipy (0.4 s):
too slow for a pre-commit hook that must answer in about a second. This module
re-implements the few pieces the index needs, value for value (the tests compare it with
``dedup.neardup``):

* shingles: word n-grams of the lower-cased normalised line; each token hashed with
  xxh3-64, an n-gram's hash is the polynomial ``(t1 * P + t2) * P + t3 mod 2**64``, its
  32-bit shingle hash the top half; a line shorter than n tokens is one shingle;
* MinHash: datasketch's ``affine32`` scheme (``fmix32`` then ``a * h + b mod 2**32`` with
  datasketch's permutations for ``num_perm`` and ``seed``), minimum per document;
* a document's signature is the MinHash of the union of its kept paragraphs' shingles;
* LSH: band keys as in ``dedup.neardup.lsh.band_keys``, bands/rows as datasketch's
  ``_optimal_param`` with equal false-positive/false-negative weights.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Final

import numpy as np
import numpy.typing as npt
from xxhash import xxh3_64_intdigest

U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]

_P: Final = 0x9E3779B97F4A7C15  # the engine's n-gram multiplier
_M64: Final = (1 << 64) - 1
# Shingles per MinHash block: a (num_perm x block) uint32 matrix of 128 x 8192 is 4 MiB.
_BLOCK_SHINGLES: Final = 8192
# The engine's band-row multipliers (dedup.neardup.lsh._MULTS): fixed, keys are persisted.
_MULTS: Final = np.random.RandomState(20240607).randint(
    0, 2**62, size=1024, dtype=np.uint64
) * np.uint64(2) + np.uint64(1)


def _word_table() -> bytes:
    # ASCII bytes that are not [0-9A-Za-z_] become spaces; bytes of multi-byte UTF-8
    # characters stay word bytes (same table as the engine, minus its paragraph marker).
    table = bytearray(range(256))
    for code in range(128):
        char = chr(code)
        if not (char.isalnum() or char == "_"):
            table[code] = 0x20
    return bytes(table)


_WORD_TABLE: Final = _word_table()


def tokens(norm: str) -> list[bytes]:
    """Lower-cased word tokens of a normalised line (a line without words is one token)."""
    raw = norm.lower().encode()
    found = raw.translate(_WORD_TABLE).split()
    if found:
        return found
    squeezed = raw.replace(b" ", b"")
    return [squeezed] if squeezed else []


def shingle_hashes(norm: str, size: int) -> list[int]:
    """32-bit hashes of the word ``size``-gram shingles of one normalised line."""
    th = [xxh3_64_intdigest(t) for t in tokens(norm)]
    if not th:
        return []
    if len(th) <= size:
        h = 0
        for t in th:
            h = (h * _P + t) & _M64
        return [h >> 32]
    out = []
    for i in range(len(th) - size + 1):
        h = 0
        for t in th[i : i + size]:
            h = (h * _P + t) & _M64
        out.append(h >> 32)
    return out


def document_shingles(norms: Iterable[str], size: int) -> set[int]:
    """The union of the paragraphs' shingle hashes: the set a document signature stands for."""
    out: set[int] = set()
    for norm in norms:
        out.update(shingle_hashes(norm, size))
    return out


def exact_hash(norm: str) -> int:
    """A paragraph's identity for exact matching (the engine's: xxh3-64 of the lower-cased
    norm), as a signed 64-bit integer so SQLite can store it."""
    return to_signed(xxh3_64_intdigest(norm.lower().encode()))


def to_signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[U32, U32]:
    """datasketch's ``affine32`` permutations (``MinHash._init_permutations``)."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _fmix32(h: U32) -> U32:
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def minhash(shingles: Iterable[int], num_perm: int, seed: int) -> U32:
    """MinHash signature (uint32, ``num_perm`` values) of a set of 32-bit shingle hashes."""
    hashes = np.fromiter(shingles, dtype=np.uint32)
    if len(hashes) == 0:
        return np.full(num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
    a, b = permutations(num_perm, seed)
    mixed = _fmix32(hashes)
    # Blocks of shingles with a running minimum: a (num_perm x n) matrix for a 50 MB
    # one-line document would be gigabytes; min is associative, so values are unchanged.
    out = np.full(num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
    with np.errstate(over="ignore"):
        for lo in range(0, len(mixed), _BLOCK_SHINGLES):
            perm = np.multiply.outer(a, mixed[lo : lo + _BLOCK_SHINGLES])
            perm += b[:, None]
            np.minimum(out, perm.min(axis=1), out=out)
    return out


def _fmix64(h: U64) -> U64:
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


def band_keys(signature: U32, bands: int, rows: int) -> list[int]:
    """The ``bands`` LSH keys of one signature, as signed 64-bit integers (SQLite INTEGER)."""
    if bands * rows > len(signature):
        raise ValueError(f"bands x rows = {bands * rows} exceeds num_perm = {len(signature)}")
    used = signature[: bands * rows].astype(np.uint64).reshape(bands, rows)
    with np.errstate(over="ignore"):
        combined = (used * _MULTS[:rows]).sum(axis=1, dtype=np.uint64)
        keys = _fmix64(combined + np.arange(bands, dtype=np.uint64))
    return [int(k) for k in keys.astype(np.int64)]


@lru_cache(maxsize=32)
def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) minimising equally weighted false-positive and false-negative areas.

    datasketch's ``_optimal_param`` integrates with scipy; a fine trapezoid grid finds the
    same optimum (tested) without importing scipy.
    """
    pairs = [(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)]
    b = np.array([p[0] for p in pairs], dtype=np.float64)[:, None]
    r = np.array([p[1] for p in pairs], dtype=np.float64)[:, None]
    lo = np.linspace(0.0, threshold, 1001)[None, :]
    hi = np.linspace(threshold, 1.0, 1001)[None, :]
    fp = np.trapezoid(1 - (1 - lo**r) ** b, lo, axis=1)
    fn = np.trapezoid((1 - hi**r) ** b, hi, axis=1)
    best = int(np.argmin(0.5 * fp + 0.5 * fn))  # first minimum, like datasketch's loop
    return pairs[best]


def jaccard(a: set[int], b: set[int]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def signature_of(norms: Sequence[str], num_perm: int, seed: int, shingle_size: int) -> U32:
    return minhash(document_shingles(norms, shingle_size), num_perm, seed)
