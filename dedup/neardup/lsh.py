"""LSH banding on signature arrays: band keys, and candidate pairs from sorted keys.

A band key is a 64-bit hash of ``rows`` consecutive signature values. For the corpus pass
the keys of all items sit in one numpy array per band; sorting it puts equal keys next to
each other, so candidates come out of one sort instead of a dict of Python objects
(datasketch's ``MinHashLSH`` with one object per paragraph peaked at 10 GiB on 100 MB).

The optimal (bands, rows) split is datasketch's ``_optimal_param`` computed without
datasketch, whose ``lsh`` module imports scipy (~0.4 s) for its integrals.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import numpy as np
import numpy.typing as npt

U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]

# Odd 64-bit multipliers for combining the rows of a band (fixed: keys are persisted).
_MULTS = np.random.RandomState(20240607).randint(0, 2**62, size=1024, dtype=np.uint64) * np.uint64(
    2
) + np.uint64(1)


@lru_cache(maxsize=64)
def lsh_params(threshold: float, num_perm: int, recall_weight: float = 0.5) -> tuple[int, int]:
    """datasketch's optimal (bands, rows) for ``threshold``; false negatives weigh
    ``recall_weight`` and false positives ``1 - recall_weight`` (datasketch's default: 0.5).

    Same search as ``datasketch.lsh._optimal_param``: every split with ``bands * rows <=
    num_perm``, the first one with the least weighted sum of the false-positive area
    (integral of ``1 - (1 - s**r)**b`` over [0, threshold]) and the false-negative area
    (integral of ``(1 - s**r)**b`` over [threshold, 1]). datasketch integrates with scipy's
    ``quad``; the integrands are polynomials of degree ``b * r <= num_perm``, which
    Gauss-Legendre quadrature with ``num_perm // 2 + 1`` nodes integrates exactly, so the
    areas agree to rounding (the split is tested equal to datasketch's on a grid).
    """
    pairs = [(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)]
    b = np.array([p[0] for p in pairs], dtype=np.float64)[:, None]
    r = np.array([p[1] for p in pairs], dtype=np.float64)[:, None]
    x, w = _gauss_legendre(num_perm // 2 + 1)
    lo = (x + 1) * (threshold / 2)  # nodes mapped from [-1, 1] to [0, threshold]
    hi = threshold + (x + 1) * ((1 - threshold) / 2)  # ... and to [threshold, 1]
    fp = (1 - (1 - lo**r) ** b) @ w * (threshold / 2)
    fn = ((1 - hi**r) ** b) @ w * ((1 - threshold) / 2)
    best = int(np.argmin(fp * (1 - recall_weight) + fn * recall_weight))  # first minimum
    return pairs[best]


@lru_cache(maxsize=8)
def _gauss_legendre(n: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    x, w = np.polynomial.legendre.leggauss(n)
    return x[None, :], w


def _fmix64(h: U64) -> U64:
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


def band_keys(signatures: U32, bands: int, rows: int) -> U64:
    """Band keys of signatures: uint64 array (n, bands) for an (n, num_perm) input.

    Band ``j`` covers signature columns ``j*rows .. (j+1)*rows - 1`` (datasketch's layout).
    A 1-D signature gives a 1-D array of ``bands`` keys.
    """
    sig = np.atleast_2d(signatures)
    if bands * rows > sig.shape[1]:
        raise ValueError(f"bands x rows = {bands * rows} exceeds num_perm = {sig.shape[1]}")
    used = sig[:, : bands * rows].astype(np.uint64).reshape(len(sig), bands, rows)
    with np.errstate(over="ignore"):
        combined = (used * _MULTS[:rows]).sum(axis=2, dtype=np.uint64)
        keys = _fmix64(combined + np.arange(bands, dtype=np.uint64))
    return keys if signatures.ndim == 2 else keys[0]


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
# Above this many row bits the packed sort keeps too few key bits (see candidate_pairs).
_MAX_ROW_BITS = 26


def candidate_pairs(keys: U64) -> npt.NDArray[np.int64]:
    """Pairs of rows sharing at least one key: int64 array (m, 2), rows i < j, unique, sorted.

    ``keys`` is (n, k): band keys (plus, optionally, extra columns such as exact hashes).
    Keys of different bands never collide (band keys mix in the band number), so all
    columns are sorted together, once. Each run of equal keys is linked as a star from its
    lowest row: enough for union-find, and linear instead of quadratic for big groups
    (boilerplate in thousands of documents).

    Candidates are verified by every caller, so a few extra pairs are harmless: keys are
    multiplied by an odd constant (a bijection) and only their top ``64 - log2(n)`` bits
    are compared, with the row number in the low bits. One ``np.sort`` of those packed
    values is ~6x faster than the ``argsort`` of the keys plus run bookkeeping it replaces
    (the reduce phase's hot spot, pyinstrument); at 100 MB (12.8 M keys, 45 key bits)
    about two extra pairs are expected.
    """
    return _pairs(np.unique(_candidate_codes(keys)), keys.shape[0])


def _candidate_codes(keys: U64) -> I64:
    """The star pairs of :func:`candidate_pairs` as codes ``i * n + j``, not yet unique."""
    n = keys.shape[0]
    if n < 2:
        return np.empty(0, dtype=np.int64)
    row_bits = (n - 1).bit_length()
    if row_bits > _MAX_ROW_BITS:
        return _candidate_codes_argsort(keys)
    shift = np.uint64(row_bits)
    with np.errstate(over="ignore"):
        packed = keys * _GOLDEN  # a bijection that spreads low-bit differences upwards
    packed >>= shift
    packed <<= shift
    packed |= np.arange(n, dtype=np.uint64)[:, None]
    packed = packed.ravel()
    packed.sort()
    key_part = packed >> shift
    idx = _in_runs(key_part)  # usually a small share of all keys
    run_rows = (packed[idx] & ((np.uint64(1) << shift) - np.uint64(1))).astype(np.int64)
    return _star_codes(key_part[idx], run_rows, n)


def candidate_pairs_in_blocks(blocks: Iterable[U64]) -> npt.NDArray[np.int64]:
    """:func:`candidate_pairs` of a key matrix given as blocks of its columns (each
    (n, k_i), same rows), one block in memory at a time; the same pairs.

    Runs of equal keys never span two columns' bands, so the pairs of the whole matrix are
    the union of each block's. The sort needs three copies of the keys it sorts: for the
    boilerplate stage's 27 columns of ~760,000 paragraphs at 100 MB that was +0.4 GB of
    peak memory all at once, a sixth of it in blocks of four or five columns.
    """
    codes: list[I64] = []
    n = 0
    for block in blocks:
        n = block.shape[0]
        codes.append(_candidate_codes(block))
    if not codes:
        return _pairs(np.empty(0, dtype=np.int64), n)
    return _pairs(np.unique(np.concatenate(codes)), n)  # deduplicated once, not per block


def _pairs(codes: I64, n: int) -> npt.NDArray[np.int64]:
    # Pairs are handled as one int64 code each: np.unique(axis=0) sorts row views, far slower.
    return np.stack([codes // n, codes % n], axis=1) if n else np.empty((0, 2), np.int64)


def _candidate_pairs_argsort(keys: U64) -> npt.NDArray[np.int64]:
    return _pairs(np.unique(_candidate_codes_argsort(keys)), keys.shape[0])


def _candidate_codes_argsort(keys: U64) -> I64:
    # The exact path for very large inputs (no key bits given up for the row number). An
    # unstable sort is ~3x faster than a stable one.
    flat = keys.ravel()
    order = np.argsort(flat)
    sorted_keys = flat[order]
    idx = _in_runs(sorted_keys)
    run_rows = (order[idx] // keys.shape[1]).astype(np.int64)
    return _star_codes(sorted_keys[idx], run_rows, keys.shape[0])


def _in_runs(sorted_keys: U64) -> npt.NDArray[np.intp]:
    """Positions of the sorted keys that equal a neighbour (runs of two or more)."""
    same = sorted_keys[1:] == sorted_keys[:-1]
    in_run = np.zeros(len(sorted_keys), dtype=bool)
    in_run[1:] |= same
    in_run[:-1] |= same
    return np.nonzero(in_run)[0]


def _star_codes(run_keys: U64, run_rows: I64, n: int) -> I64:
    """Each run of equal keys as pairs (lowest row, other row), coded ``i * n + j``."""
    if len(run_keys) == 0:
        return np.empty(0, dtype=np.int64)
    starts = np.ones(len(run_keys), dtype=bool)
    starts[1:] = run_keys[1:] != run_keys[:-1]
    first = np.minimum.reduceat(run_rows, np.nonzero(starts)[0])[np.cumsum(starts) - 1]
    keep = run_rows != first
    codes: I64 = first[keep] * n + run_rows[keep]
    return codes


def exact_pairs(hashes: U64) -> npt.NDArray[np.int64]:
    """Pairs (first, other) of rows with equal hashes, as a star from the first row."""
    return candidate_pairs(hashes.reshape(-1, 1))
