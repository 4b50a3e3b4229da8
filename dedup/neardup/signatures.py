"""MinHash signatures for many paragraphs at once, in datasketch's ``affine32`` scheme.

Shingles are word n-grams of the lower-cased normalised text (``\\w+`` tokens). Each token
is hashed once with xxh3-64; an n-gram's 64-bit hash is the polynomial
``((t1 * P + t2) * P + t3) mod 2**64`` of its token hashes and its 32-bit shingle hash is
the top half. A paragraph with fewer than n tokens gives one shingle (all its tokens), so
a four-word line still has a usable signature; identical lines are in any case caught by
the exact hash (xxh3-64 of the lower-cased normalised text).

The MinHash itself is datasketch's: ``fmix32(h)`` then ``a * h + b mod 2**32`` with
datasketch's permutations for (``num_perm``, ``seed``), minimum per paragraph. So a
signature equals ``datasketch.MinHash(num_perm, seed, hashfunc=shingle_hash32,
scheme="affine32")`` updated with :func:`shingles` encoded as UTF-8 (tested), and can be
wrapped with :meth:`Signer.to_minhash` for ``MinHashLSH`` or a persistent index.

datasketch is imported only where its objects are built (:meth:`Signer.to_minhash`,
:meth:`Signer.datasketch_minhash`): it imports scipy (~0.4 s), too slow for ``dedup
check``, which signs with this module too (:func:`permutations` re-creates datasketch's
permutations, tested bit for bit).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt
from xxhash import xxh3_64_intdigest

if TYPE_CHECKING:
    from datasketch import LeanMinHash, MinHash

SCHEME: Final = "affine32"
HASH_NAME: Final = "xxh3_64 per token, polynomial n-gram, top 32 bits"
TOKENIZER: Final = "lowercase; ASCII [0-9a-z_] runs + non-ASCII chars/1"
_P: Final = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit multiplier (golden ratio)
_P_INT: Final = int(_P)
_M64: Final = (1 << 64) - 1
_SHIFT32: Final = np.uint64(32)
# Shingles per MinHash block: a (block x num_perm) uint32 matrix of 8192 x 128 is 4 MiB.
_BLOCK_SHINGLES: Final = 8192

U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]


def _word_table() -> bytes:
    # Byte translation: ASCII characters that are not [0-9A-Za-z_] become spaces; bytes of
    # multi-byte UTF-8 characters (letters in other scripts) stay word bytes. "\n" becomes
    # NUL, the paragraph marker of ``shingle_batch`` (a NUL in the text is a space).
    table = bytearray(range(256))
    for code in range(128):
        char = chr(code)
        if not (char.isalnum() or char == "_"):
            table[code] = 0x20
    table[0x0A] = 0x00
    return bytes(table)


_WORD_TABLE: Final = _word_table()
_MARK_HASH: Final = np.uint64(xxh3_64_intdigest(b"\x00"))


def tokens(norm: str) -> list[bytes]:
    """Matching tokens of a normalised line: its lower-cased words as UTF-8 bytes.

    Words are runs of ASCII letters, digits and ``_`` plus any non-ASCII character
    (normalisation has already unified typographic quotes and dashes). A line without word
    characters (``|``, ``***``) is one token, itself without spaces, so separators still
    have an identity.
    """
    raw = norm.lower().encode()
    found = raw.translate(_WORD_TABLE).split()
    if found:
        return found
    squeezed = raw.replace(b" ", b"")
    return [squeezed] if squeezed else []


def shingles(norm: str, size: int = 3) -> list[bytes]:
    """The word n-gram shingles of one normalised line: tokens joined by one space."""
    toks = tokens(norm)
    if len(toks) <= size:
        return [b" ".join(toks)] if toks else []
    return [b" ".join(toks[i : i + size]) for i in range(len(toks) - size + 1)]


def shingle_hash32(shingle: bytes) -> int:
    """datasketch ``hashfunc`` for :func:`shingles`: the same 32-bit value as the batch path."""
    h = 0
    for tok in shingle.split(b" "):
        h = (h * _P_INT + xxh3_64_intdigest(tok)) & _M64
    return h >> 32


def exact_hash(norm: str) -> int:
    """Identity of a paragraph for exact matching: xxh3-64 of the lower-cased norm."""
    return xxh3_64_intdigest(norm.lower().encode())


def shingle_set(norms: Sequence[str], size: int = 3) -> set[int]:
    """The set of 32-bit shingle hashes of a document's (kept, normalised) paragraphs."""
    return set(shingle_batch(norms, size).hashes.tolist())


def jaccard(a: set[int], b: set[int]) -> float:
    """Exact Jaccard similarity of two shingle sets (two empty sets are identical)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


@lru_cache(maxsize=16)
def permutations(num_perm: int, seed: int) -> tuple[U32, U32]:
    """datasketch's ``affine32`` permutations ``(a, b)`` for (num_perm, seed).

    The same draws as ``MinHash._init_permutations``: ``RandomState(seed)``, then odd
    ``a`` below 2**32, then ``b`` below 2**32 (tested against datasketch). Read-only,
    since the arrays are shared through the cache.
    """
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    a.flags.writeable = False
    b.flags.writeable = False
    return a, b


def _fmix32(h: U32) -> U32:
    # MurmurHash3 finalizer, as datasketch applies it before the affine permutation.
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


@dataclass(frozen=True, slots=True)
class ShingledBatch:
    """Shingle hashes of many paragraphs: ``hashes[offsets[i]:offsets[i+1]]`` is paragraph i.

    Every paragraph has at least one shingle except lines with no characters at all, which
    callers never pass (the segmenter drops blank lines).
    """

    hashes: U32
    offsets: npt.NDArray[np.int64]


def shingle_batch(norms: Sequence[str], size: int = 3) -> ShingledBatch:
    """Hash the shingles of many normalised lines with one xxh3 call per token."""
    if not norms:
        return ShingledBatch(np.empty(0, dtype=np.uint32), np.zeros(1, dtype=np.int64))
    # One translate + split over the joined lines (bytes.split is far faster than a
    # Unicode regex); a NUL token between lines marks each paragraph's end.
    joined = (" \n ".join(norms).lower() + " \n").encode().translate(_WORD_TABLE)
    all_tokens = joined.split()
    th = np.fromiter(map(xxh3_64_intdigest, all_tokens), dtype=np.uint64, count=len(all_tokens))
    is_mark = th == _MARK_HASH
    ends = np.nonzero(is_mark)[0]
    th = th[~is_mark]
    lengths = np.diff(ends, prepend=-1) - 1
    if (lengths == 0).any():
        # Lines without word characters: one token, the line itself (see ``tokens``).
        pieces = np.split(th, np.cumsum(lengths)[:-1])
        for i in np.nonzero(lengths == 0)[0].tolist():
            toks = tokens(norms[i])
            if toks:
                pieces[i] = np.array([xxh3_64_intdigest(toks[0])], dtype=np.uint64)
                lengths[i] = 1
        th = np.concatenate(pieces) if pieces else th
    starts = np.zeros(len(norms) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    n_sh = np.where(lengths > size, lengths - size + 1, np.minimum(lengths, 1))
    offsets = np.zeros(len(norms) + 1, dtype=np.int64)
    np.cumsum(n_sh, out=offsets[1:])
    total = int(offsets[-1])
    out = np.empty(total, dtype=np.uint64)
    with np.errstate(over="ignore"):
        # Long paragraphs: rolling polynomial over the flat token array, then keep the
        # windows that start inside a paragraph and end inside the same one.
        long_mask = lengths > size
        if long_mask.any() and len(th) >= size:
            win = th[: len(th) - size + 1].copy()
            for k in range(1, size):
                win = win * _P + th[k : len(th) - size + 1 + k]
            para_of_start = np.repeat(np.arange(len(norms)), lengths)[: len(win)]
            pos = np.arange(len(win)) - starts[para_of_start]
            valid = long_mask[para_of_start] & (pos <= lengths[para_of_start] - size)
            out_long = win[valid]
            # Shingle slots of long paragraphs are contiguous in paragraph order.
            long_slots = np.repeat(long_mask, n_sh)
            out[long_slots] = out_long
        short_idx = np.nonzero((lengths <= size) & (lengths > 0))[0]
        for i in short_idx.tolist():
            h = 0
            for t in th[starts[i] : starts[i + 1]].tolist():
                h = (h * _P_INT + t) & _M64
            out[offsets[i]] = h
    return ShingledBatch((out >> _SHIFT32).astype(np.uint32), offsets)


class Signer:
    """Computes MinHash signatures with datasketch's permutations for (num_perm, seed)."""

    def __init__(self, num_perm: int = 128, seed: int = 1, shingle_size: int = 3) -> None:
        self.num_perm = num_perm
        self.seed = seed
        self.shingle_size = shingle_size
        self._a, self._b = permutations(num_perm, seed)

    def __getstate__(self) -> dict[str, Any]:
        return {"num_perm": self.num_perm, "seed": self.seed, "shingle_size": self.shingle_size}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["num_perm"], state["seed"], state["shingle_size"])  # type: ignore[misc]

    @cached_property
    def empty(self) -> U32:
        """The signature of an empty set (datasketch's initial hash values)."""
        return np.full(self.num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)

    def minhash_batch(self, batch: ShingledBatch) -> U32:
        """Signatures of all paragraphs in ``batch``: shape (n_paragraphs, num_perm)."""
        n = len(batch.offsets) - 1
        out = np.empty((self.num_perm, n), dtype=np.uint32)
        if n == 0:
            return out.T
        counts = np.diff(batch.offsets)
        mixed = _fmix32(batch.hashes)
        # Blocks of whole paragraphs, about _BLOCK_SHINGLES shingles each; the permuted
        # values are laid out (num_perm, shingles) because reducing along the contiguous
        # axis is about twice as fast as along rows.
        p = 0
        while p < n:
            start = batch.offsets[p]
            q = int(np.searchsorted(batch.offsets, start + _BLOCK_SHINGLES, side="right")) - 1
            q = min(max(q, p + 1), n)
            if q == p + 1 and counts[p] > _BLOCK_SHINGLES:
                # One paragraph bigger than a block (a 50 MB line is ~10 M shingles): a
                # running minimum over blocks of its shingles keeps memory at one block.
                out[:, p] = self._running_min(mixed[start : batch.offsets[q]])
                p = q
                continue
            block = mixed[start : batch.offsets[q]]
            perm = np.multiply.outer(self._a, block)
            perm += self._b[:, None]
            local = batch.offsets[p:q] - start
            nonempty = counts[p:q] > 0
            if nonempty.all():
                out[:, p:q] = np.minimum.reduceat(perm, local, axis=1)
            else:
                out[:, p:q] = self.empty[:, None]
                idx = np.nonzero(nonempty)[0]
                if len(idx):
                    out[:, p + idx] = np.minimum.reduceat(perm, local[idx], axis=1)
            p = q
        return out.T

    def _running_min(self, mixed: U32) -> U32:
        # min is associative, so the blockwise minimum is bit-identical to the one-shot one.
        acc = self.empty.copy()
        for lo in range(0, len(mixed), _BLOCK_SHINGLES):
            perm = np.multiply.outer(self._a, mixed[lo : lo + _BLOCK_SHINGLES])
            perm += self._b[:, None]
            np.minimum(acc, perm.min(axis=1), out=acc)
        return acc

    def set_signature(self, hashes: U32) -> U32:
        """The signature of a set of 32-bit shingle hashes (duplicates do not matter)."""
        return self._running_min(_fmix32(np.asarray(hashes, dtype=np.uint32)))

    def paragraph_signatures(self, norms: Sequence[str]) -> U32:
        """Signatures of normalised lines: uint32 array (len(norms), num_perm)."""
        return self.minhash_batch(shingle_batch(norms, self.shingle_size))

    def document_signature(self, paragraph_sigs: U32) -> U32:
        """A document's signature: the element-wise minimum of its paragraphs' signatures.

        This is the MinHash of the union of the paragraphs' shingle sets.
        """
        if len(paragraph_sigs) == 0:
            return self.empty.copy()
        return np.asarray(paragraph_sigs.min(axis=0), dtype=np.uint32)

    def to_minhash(self, signature: U32) -> LeanMinHash:
        """A datasketch ``LeanMinHash`` with these hash values (for MinHashLSH, indexes)."""
        from datasketch import LeanMinHash

        return LeanMinHash(seed=self.seed, hashvalues=signature, scheme=SCHEME)

    def datasketch_minhash(self) -> MinHash:
        """An empty datasketch ``MinHash`` that produces the same signatures via ``update``."""
        from datasketch import MinHash

        return MinHash(
            num_perm=self.num_perm,
            seed=self.seed,
            hashfunc=shingle_hash32,
            permutations=(self._a, self._b),
            scheme=SCHEME,
        )


def estimate_jaccard(a: U32, b: U32) -> float:
    """MinHash estimate of the Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)
