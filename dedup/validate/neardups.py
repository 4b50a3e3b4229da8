"""The ``near_duplicate_kept`` check: no two kept documents are near-duplicates.

The near-dup engine's measure and machinery (MinHash document signatures, LSH, exact
shingle Jaccard), run again on the written corpus, reusing the engine's signatures where
they cover exactly the kept lines. Heavy imports (numpy, the near-dup engine) are local.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from dedup.text import normalize
from dedup.validate.corpus import KeptDoc, Signature
from dedup.validate.findings import Finding

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from dedup.neardup.signatures import Signer

    U32 = npt.NDArray[np.uint32]
else:
    U32 = Any

log = logging.getLogger(__name__)

# (doc_id, text) pairs and a threshold -> (earlier doc_id, later doc_id, similarity)
NearDupFinder = Callable[[Sequence[tuple[str, str]], float], Iterable[tuple[str, str, float]]]

# Bucket pairs (counted with repeats) verified one by one; past this the buckets hold a
# crowd of similar documents and their pairs go through a prefix filter first.
_PAIRS = 1 << 15
_ROWS = 1 << 20  # prefix matches expanded at once


def check_near_duplicates(
    kept: Sequence[KeptDoc],
    threshold: float,
    finder: NearDupFinder | None = None,
    *,
    num_perm: int = 128,
    seed: int = 1,
    shingle_size: int = 3,
) -> list[Finding]:
    """No two kept documents are near-duplicates at or above ``threshold``.

    ``finder`` None: the built-in engine-based finder on the documents' paragraphs,
    reusing their ``signature`` where present; else ``finder`` on (doc_id, text) pairs.
    """
    by_id = {kd.doc_id: kd for kd in kept}
    order = {kd.doc_id: n for n, kd in enumerate(kept)}
    if finder is None:
        pairs: Iterable[tuple[str, str, float]] = engine_near_duplicates(
            [kd.doc_id for kd in kept],
            [kd.norms() for kd in kept],
            threshold,
            signatures=[kd.signature for kd in kept],
            num_perm=num_perm,
            seed=seed,
            shingle_size=shingle_size,
        )
    else:
        pairs = finder([(kd.doc_id, kd.title + "\n" + kd.text) for kd in kept], threshold)
    findings: list[Finding] = []
    for a, b, sim in sorted(pairs, key=lambda t: (order.get(t[1], 0), order.get(t[0], 0))):
        # report on the later document: the earlier one is the natural canonical
        first, later = (a, b) if order.get(a, 0) <= order.get(b, 0) else (b, a)
        kd = by_id[later]
        findings.append(
            kd.finding(
                "near_duplicate_kept",
                "text",
                first,
                f"kept document is a near-duplicate of kept {first!r} "
                f"(similarity {sim:.2f} >= {threshold:.2f})",
            )
        )
    return findings


def _doc_norms(text: str) -> list[str]:
    return [normalize(line) for line in text.split("\n") if line.strip()]


def minhash_near_duplicates(
    docs: Sequence[tuple[str, str]],
    threshold: float,
    *,
    num_perm: int = 128,
    seed: int = 1,
    shingle_size: int = 3,
) -> list[tuple[str, str, float]]:
    """Built-in finder on (doc_id, text) pairs: :func:`engine_near_duplicates` of their
    normalised non-blank lines."""
    return engine_near_duplicates(
        [doc_id for doc_id, _ in docs],
        [_doc_norms(text) for _, text in docs],
        threshold,
        num_perm=num_perm,
        seed=seed,
        shingle_size=shingle_size,
    )


def engine_near_duplicates(
    ids: Sequence[str],
    norms: Sequence[Sequence[str]],
    threshold: float,
    *,
    signatures: Sequence[Signature | None] | None = None,
    num_perm: int = 128,
    seed: int = 1,
    shingle_size: int = 3,
) -> list[tuple[str, str, float]]:
    """(earlier id, later id, similarity) of documents with shingle Jaccard >= threshold.

    The near-dup engine's measure and machinery: its vectorised MinHash document
    signatures (``signatures[i]`` reused when given: the engine's own for exactly these
    lines), LSH band keys tuned 0.15 below the threshold for recall, then every pair
    sharing a band verified by exact word-shingle Jaccard. Unlike the engine's clustering
    (a star per bucket suffices for union-find), *all* pairs in a bucket are verified.
    Positions, not ids, identify documents: ids may repeat in a broken table.
    """
    import numpy as np

    from dedup.neardup.lsh import band_keys, lsh_params
    from dedup.neardup.signatures import shingle_batch

    n = len(ids)
    if n < 2:
        return []
    signer = _signer(num_perm, seed, shingle_size)
    sigs = np.empty((n, num_perm), dtype=np.uint32)
    todo = []
    for i in range(n):
        given = signatures[i] if signatures is not None else None
        if given is not None and given.shape == (num_perm,):
            sigs[i] = given
        else:
            todo.append(i)
    if todo:
        sigs[todo] = _document_signatures(signer, [norms[i] for i in todo])
    bands, rows = lsh_params(max(0.05, threshold - 0.15), num_perm)
    keys = band_keys(sigs, bands, rows)
    # Sorted unique uint32 arrays, not Python sets: 4 bytes a shingle instead of ~60, which
    # kept validation of a 100 MB corpus within its memory budget (sets took +440 MB).
    arrays: dict[int, U32] = {}

    def shingles_of(i: int) -> U32:
        # Hashed again for the few candidates: keeping every signed document's shingle
        # hashes from signing held ~80 MB at 100 MB of text through the whole check.
        found = arrays.get(i)
        if found is None:
            found = arrays[i] = np.unique(shingle_batch(list(norms[i]), shingle_size).hashes)
        return found

    candidates = _bucket_pairs(keys, limit=_PAIRS)
    if candidates is None:
        candidates = _crowd_pairs(keys, shingles_of, threshold)

    pairs: list[tuple[str, str, float]] = []
    for a, b in candidates.tolist():
        sa, sb = shingles_of(a), shingles_of(b)
        union = sa.size + sb.size
        if union == 0:
            sim = 1.0  # two empty documents are identical, as ``jaccard`` says
        else:
            inter = np.intersect1d(sa, sb, assume_unique=True).size
            sim = inter / (union - inter)
        if sim >= threshold:
            pairs.append((ids[a], ids[b], sim))
    log.debug(
        "near-duplicate check: %d documents (%d signed here), %d candidates, %d pairs",
        n,
        len(todo),
        len(candidates),
        len(pairs),
    )
    return pairs


@lru_cache(maxsize=4)
def _signer(num_perm: int, seed: int, shingle_size: int) -> Signer:
    from dedup.neardup.signatures import Signer

    return Signer(num_perm, seed, shingle_size)


def _document_signatures(
    signer: Signer, docs: Sequence[Sequence[str]], chunk: int = 512
) -> Signature:
    """Document signatures (element-wise minimum over the paragraphs), one shingle batch
    per ``chunk`` documents: a single batch over a whole corpus tokenises all of it into
    Python objects at once (+440 MB at 100 MB of text)."""
    import numpy as np

    from dedup.neardup.signatures import shingle_batch

    out = np.tile(signer.empty, (len(docs), 1))
    for lo in range(0, len(docs), chunk):
        part = docs[lo : lo + chunk]
        flat = [norm for doc in part for norm in doc]
        counts = np.array([len(doc) for doc in part], dtype=np.int64)
        bounds = np.zeros(len(part) + 1, dtype=np.int64)
        np.cumsum(counts, out=bounds[1:])
        batch = shingle_batch(flat, signer.shingle_size)
        if flat:
            paragraph_sigs = signer.minhash_batch(batch)
            has = counts > 0  # reduceat misreads empty segments: empty documents stay empty
            out[lo : lo + len(part)][has] = np.minimum.reduceat(
                paragraph_sigs, bounds[:-1][has], axis=0
            )
    return out


def _bucket_pairs(
    keys: npt.NDArray[np.uint64], limit: int | None = None
) -> npt.NDArray[np.int64] | None:
    """All pairs (i < j) of rows sharing a band key, unique, sorted; None when the buckets
    hold more than ``limit`` pairs (counted once per bucket they share).

    Band keys mix in the band number, so all bands are sorted together, once.
    """
    import numpy as np

    n = len(keys)
    flat = keys.ravel()
    rows = np.repeat(np.arange(n, dtype=np.int64), keys.shape[1])
    order = np.argsort(flat, kind="stable")
    sorted_keys = flat[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    sizes = np.diff(np.r_[starts, len(flat)])
    if limit is not None and int((sizes * (sizes - 1) // 2).sum()) > limit:
        return None
    codes = [np.empty(0, dtype=np.int64)]
    for start, size in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist(), strict=True):
        members = np.unique(rows[order[start : start + size]])
        lo, hi = np.triu_indices(len(members), 1)
        codes.append(members[lo] * n + members[hi])
    unique = np.unique(np.concatenate(codes))
    return np.stack([unique // n, unique % n], axis=1)


def _crowd_pairs(
    keys: npt.NDArray[np.uint64], shingles_of: Callable[[int], U32], threshold: float
) -> npt.NDArray[np.int64]:
    """The pairs :func:`_bucket_pairs` would give whose similarity can reach ``threshold``,
    without listing every pair of a crowded bucket.

    4,000 kept documents sharing 8 of their 10 paragraphs (similarity ~0.67: in one LSH
    bucket, under the threshold) were 8 million pairs, each verified: 40 s. Instead the
    documents in buckets are joined by the prefix filter of set-similarity joins
    (:func:`_prefix_pairs`), which keeps every pair with Jaccard >= ``threshold`` and few
    others, and of those the pairs that share a band key, as the buckets would pair them:
    the same pairs reach verification. Pairs of empty documents (similarity 1) are all
    kept, as by the buckets. Where the prefixes would match more often than the buckets
    pair documents (a crowd of true near-duplicates: every pair is a finding), the
    buckets' pairs are listed after all.
    """
    import numpy as np

    flat = keys.ravel()
    order = np.argsort(flat, kind="stable")
    sorted_keys = flat[order]
    shared = np.r_[False, sorted_keys[1:] == sorted_keys[:-1]]
    sizes = np.diff(np.r_[np.flatnonzero(~shared), len(flat)])
    shared[:-1] |= shared[1:]
    members = np.unique(order[shared] // keys.shape[1])
    sets = [shingles_of(i) for i in members.tolist()]
    prefixed = _prefix_pairs(sets, threshold, int((sizes * (sizes - 1) // 2).sum()))
    if prefixed is None:
        listed = _bucket_pairs(keys)
        assert listed is not None  # no limit
        return listed
    empty = members[np.array([len(x) == 0 for x in sets], dtype=bool)]
    lo, hi = np.triu_indices(len(empty), 1)
    found = members[prefixed]
    pairs = np.concatenate([found, np.stack([empty[lo], empty[hi]], axis=1)])
    # As the buckets pair them: sharing a band key (chunks bound the comparison's memory).
    keep = np.zeros(len(pairs), dtype=bool)
    step = max(1, _ROWS // keys.shape[1])
    for start in range(0, len(pairs), step):
        part = pairs[start : start + step]
        keep[start : start + step] = (keys[part[:, 0]] == keys[part[:, 1]]).any(axis=1)
    n = len(keys)
    codes = np.unique(pairs[keep, 0] * n + pairs[keep, 1])
    return np.stack([codes // n, codes % n], axis=1)


def _prefix_pairs(
    sets: Sequence[U32], threshold: float, most: int | None = None
) -> npt.NDArray[np.int64] | None:
    """Pairs (i < j) of non-empty sets that may have Jaccard >= ``threshold``: all of them,
    and few others (the prefix filter, as in AllPairs / PPJoin); None if the prefixes
    match more than ``most`` times.

    Order tokens rarest first (ties by value) and each set in that order. If ``|y| <= |x|``
    and ``J(x, y) >= t``, their overlap is at least ``t (|x| + |y|) / (1 + t)`` and
    ``|y| >= t |x|``; the first token they share then lies within the first
    ``|x| - ceil(t |x|) + 1`` tokens of ``x`` (its probe prefix) and the first
    ``|y| - ceil(2t / (1 + t) |y|) + 1`` of ``y`` (its index prefix). So only pairs sharing
    a token between a probe prefix and an index prefix are candidates, and rare tokens
    make up the prefixes: documents that share common paragraphs meet only where they
    share rare ones.
    """
    import numpy as np

    m = len(sets)
    sizes = np.array([len(x) for x in sets], dtype=np.int64)
    tokens = np.concatenate([np.empty(0, dtype=np.uint32), *sets])
    tokens.sort()
    starts = np.flatnonzero(np.r_[True, tokens[1:] != tokens[:-1]])
    values = tokens[starts]
    rank = np.empty(len(values), dtype=np.int64)
    rank[np.lexsort((values, np.diff(np.r_[starts, len(tokens)])))] = np.arange(len(values))
    del tokens, starts
    t = threshold - 1e-9  # longer prefixes where rounding might matter
    probe = sizes - np.ceil(t * sizes).astype(np.int64) + 1
    index = sizes - np.ceil(2 * t / (1 + t) * sizes).astype(np.int64) + 1
    probe_rows: list[npt.NDArray[np.int64]] = [np.empty(0, dtype=np.int64)]
    index_rows: list[npt.NDArray[np.int64]] = [np.empty(0, dtype=np.int64)]
    for i, one in enumerate(sets):
        if len(one):
            ranks = np.sort(rank[np.searchsorted(values, one)])
            probe_rows.append(ranks[: probe[i]])
            index_rows.append(ranks[: index[i]])
    nonempty = np.flatnonzero(sizes > 0)
    p_tok = np.concatenate(probe_rows)
    p_set = np.repeat(nonempty, np.minimum(probe, sizes)[nonempty])
    i_tok = np.concatenate(index_rows)
    i_set = np.repeat(nonempty, np.minimum(index, sizes)[nonempty])
    by_token = np.argsort(i_tok, kind="stable")
    i_tok, i_set = i_tok[by_token], i_set[by_token]
    left = np.searchsorted(i_tok, p_tok, "left")
    count = np.searchsorted(i_tok, p_tok, "right") - left
    total = np.cumsum(count)
    if most is not None and len(total) and int(total[-1]) > most:
        return None
    codes = [np.empty(0, dtype=np.int64)]
    lo = 0
    while lo < len(count):  # a bounded number of matches at a time
        done = int(total[lo - 1]) if lo else 0
        hi = max(lo + 1, int(np.searchsorted(total, done + _ROWS, "right")))
        c = count[lo:hi]
        rows = np.repeat(np.arange(len(c)), c)
        x = p_set[lo:hi][rows]
        y = i_set[left[lo:hi][rows] + np.arange(len(rows)) - np.repeat(np.cumsum(c) - c, c)]
        sx, sy = sizes[x], sizes[y]
        ok = ((sy < sx) | ((sy == sx) & (y < x))) & (sy >= t * sx)
        codes.append(np.unique(np.minimum(x, y)[ok] * m + np.maximum(x, y)[ok]))
        lo = hi
    unique = np.unique(np.concatenate(codes))
    return np.stack([unique // m, unique % m], axis=1)
