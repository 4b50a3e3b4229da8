"""Near repeats among one document's paragraphs (``paragraph_repeated``), without an n x n
score matrix.

A score matrix of every pair grew with the square of a document's paragraph count: a
20,000-line document took 34 s and 3.6 GB. Now a document with at most ``_CELLS`` pairs is
still scored at once with ``rapidfuzz.process.cdist``; a longer one finds its candidate
pairs first, with a filter that cannot miss a pair over the threshold, and scores only
those (:func:`_filtered`). Where the filter cannot apply (a threshold or a paragraph too
short for pieces of ``_MIN_PIECE`` characters), and for paragraphs whose pieces are found
everywhere, pairs are scored in blocks of ``_CELLS``: memory bounded, time growing with
the square, up to a budget of ``SCORE_BUDGET`` scores a document (~5 s): past it the check stops
and says so (:class:`NearScan`), as one pathological page must not stall a pipeline.

The filter (pigeonhole, as in PassJoin): ``ratio(x, y) >= t`` allows at most
``d = (1 - t)(|x| + |y|)`` insertions and deletions, and no more than
``tau(|x|) = floor(2 (1 - t) |x| / t) + 1`` whatever the partner's length (a partner may
be at most ``d`` characters longer). Each edit touches at most one of ``x``'s disjoint
pieces, so of any ``tau + 1`` of them one comes through whole, in ``y``, at most ``tau``
characters from where it was in ``x``; and ``|x|`` and ``|y|`` differ by at most ``tau``.
Pieces have one length ``g`` for the whole document (short enough that every paragraph
has ``tau + 1`` of them), a paragraph is cut into as many as fit, and its ``tau + 1``
rarest are looked up, by a hash of their characters, in an index of every ``g``-character
window of every paragraph. The paragraph's numbers are mixed into the hash, as a pair is
only a repeat with the same numbers; hash collisions only add candidates. Candidates are
scored exactly as the matrix would score them (``fuzz.ratio``, rounded to float32 as
``cdist`` returns it), in the same order, so the findings are the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    I64 = npt.NDArray[np.int64]

# (a, b, similarity): text b nearly repeats the earlier text a (positions in the texts).
NearPair = tuple[int, int, float]


class NearScan(NamedTuple):
    """The near repeats found, and where the scoring budget ran out: the first text not
    compared with every earlier one (the pairs among those before it are all found), or
    None when every pair was considered."""

    pairs: list[NearPair]
    scanned: int | None = None


_CELLS = 1 << 20  # scores computed at once: 4 MB of float32
# Scores one document may cost: 2**25 matrix cells (~5 s of rapidfuzz on 80-character
# lines; 8,000 alike lines in full), a candidate scored alone counting as _CALL cells.
SCORE_BUDGET = 1 << 25
_CALL = 8
_ROWS = 1 << 20  # index matches expanded at once (~60 MB of int64 temporaries)
_DENSE = 1.0  # matches per earlier text from which a text is scored against them all
_MIN_PIECE = 4  # shorter pieces (thresholds below ~0.9) find most pairs: score blocks
_MAX_PIECE = 32
_BASE = 0x100000001B3  # polynomial hash of a piece's code points (mod 2**64)
_MIX = 0x9E3779B97F4A7C15  # spreads a numbers key over the hash
# The numbers a paragraph carries, as dedup.neardup.verification.same_numbers reads them.
_NUMBERS = re.compile(r"\d+")


def near_repeats(texts: Sequence[str], threshold: float) -> NearScan:
    """For each text (in order) that nearly repeats an earlier one, the earliest such
    earlier text that is not itself a near repeat: rapidfuzz ratio >= ``threshold`` (< 1)
    and the same numbers (``same_numbers``). ``texts`` are distinct."""
    import numpy as np

    n = len(texts)
    if n < 2:
        return NearScan([])
    if n * n > _CELLS:
        lengths = np.array([len(t) for t in texts], dtype=np.int64)
        taus = max_edits(lengths, threshold)
        piece = min(int((lengths // (taus + 1)).min()), _MAX_PIECE)
        if piece >= _MIN_PIECE:
            return _filtered(texts, threshold, lengths, taus, piece)
    return _blocked(texts, threshold)


def max_edits(lengths: I64, threshold: float) -> I64:
    """``tau``: the most insertions and deletions a text of each length can be from any
    text with a ratio >= ``threshold`` (+1: a margin for rounding)."""
    import numpy as np

    return (2 * (1 - threshold) * lengths / threshold).astype(np.int64) + 1


class _Greedy:
    """Which pairs are reported (as with one matrix): each later text with its earliest
    earlier text over the threshold that is not itself reported, with the same numbers."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = texts
        self.flagged = [False] * len(texts)
        self.pairs: list[NearPair] = []
        self.budget = SCORE_BUDGET
        self.scanned = 0  # texts before this one were compared with every earlier text

    def spend(self, cells: int) -> bool:
        """Whether ``cells`` more scores fit in the budget (then spent)."""
        if cells > self.budget:
            self.budget = -1
            return False
        self.budget -= cells
        return True

    def scan(self) -> NearScan:
        return NearScan(self.pairs, None if self.budget >= 0 else self.scanned)

    def open(self, a: int, b: int) -> bool:
        return not self.flagged[b] and not self.flagged[a]

    def take(self, a: int, b: int, score: float) -> None:
        from dedup.neardup.verification import same_numbers

        x, y = self.texts[a], self.texts[b]
        if x != y and same_numbers(x, y):
            self.flagged[b] = True
            self.pairs.append((a, b, score / 100))


def _blocked(texts: Sequence[str], threshold: float) -> NearScan:
    """Every pair scored, ``_CELLS`` at a time (the whole matrix at once when small)."""
    n = len(texts)
    greedy = _Greedy(texts)
    block = max(1, _CELLS // n)
    for lo in range(0, n, block):
        if not _score_block(texts, lo, min(n, lo + block), threshold, greedy):
            break
    return greedy.scan()


def _score_block(texts: Sequence[str], lo: int, hi: int, threshold: float, greedy: _Greedy) -> bool:
    """Texts ``lo``..``hi - 1`` scored against every text before ``hi``, in the greedy's
    order; False (nothing scored) when that is over the budget."""
    import numpy as np
    from rapidfuzz import fuzz, process

    if not greedy.spend((hi - lo) * hi):
        return False
    if lo == 0 and hi == len(texts):  # the same list twice: rapidfuzz scores half the matrix
        scores = process.cdist(texts, texts, scorer=fuzz.ratio, score_cutoff=threshold * 100)
    else:
        scores = process.cdist(
            texts[lo:hi], texts[:hi], scorer=fuzz.ratio, score_cutoff=threshold * 100
        )
    # (row, column) = (b - lo, a) over the cutoff, a < b, in the order "each b, its
    # earliest a": numpy finds the few of them instead of a Python loop over every pair.
    hits = np.argwhere(scores > 0)
    for r, a in hits[hits[:, 1] < hits[:, 0] + lo].tolist():
        if greedy.open(a, lo + r):
            greedy.take(a, lo + r, float(scores[r, a]))
    greedy.scanned = hi
    return True


def _filtered(
    texts: Sequence[str], threshold: float, lengths: I64, taus: I64, piece: int
) -> NearScan:
    """The pairs that pass the piece filter (module docstring), scored in the greedy's
    order, a bounded number of candidates at a time."""
    import numpy as np
    from rapidfuzz import fuzz

    n = len(texts)
    cutoff = threshold * 100
    starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    hashes = _window_hashes(texts, lengths, starts, piece)
    # The index: every window by hash. Those that run into the next text are left in: a
    # piece that matches one only adds a candidate.
    at = np.argsort(hashes)
    keys = hashes[at]
    text_of = np.repeat(np.arange(n, dtype=np.int32), lengths)
    # Every disjoint piece of every text, and how often its characters occur anywhere.
    owner, offset = _pieces(lengths // piece)
    offset *= piece
    left, count = _ranges(keys, hashes[starts[owner] + offset])
    del hashes
    # A text has lengths // piece >= tau + 1 pieces, of which at most tau are edited: one of
    # its tau + 1 rarest comes through whole. Only those are looked up (~6x fewer matches
    # than its first tau + 1 in English news text).
    rarest = np.lexsort((count, owner))
    rank = np.arange(len(rarest)) - np.repeat(_firsts(lengths // piece), lengths // piece)
    kept = rarest[rank <= taus[owner[rarest]]]
    owner, offset, left, count = owner[kept], offset[kept], left[kept], count[kept]
    first = _firsts(taus + 1)
    rows_of = np.add.reduceat(count, first)
    # A text whose pieces match more windows than there are texts before it is scored
    # against all of those instead, a block at a time (many paragraphs with a long phrase
    # in common at the same place: 5,000 of them took 12.6 s through the filter, 2.1 s so).
    dense = rows_of > _DENSE * np.arange(n)
    greedy = _Greedy(texts)
    for lo, hi in _chunks(rows_of, dense):
        if dense[lo]:
            if not _score_block(texts, lo, hi, threshold, greedy):
                break
            continue
        span = slice(first[lo], first[hi] if hi < n else len(owner))
        c = count[span]
        rows = np.repeat(np.arange(len(c)), c)
        window = at[left[span][rows] + np.arange(len(rows)) - np.repeat(np.cumsum(c) - c, c)]
        b = owner[span][rows]
        a = text_of[window]
        tau = taus[b]
        near = (
            (a < b)
            & (np.abs(lengths[a] - lengths[b]) <= tau)
            & (np.abs(window - starts[a] - offset[span][rows]) <= tau)
        )
        codes = np.unique(b[near] * n + a[near])
        if not greedy.spend(_CALL * len(codes)):
            break
        for code in codes.tolist():  # by b, then a
            b_, a_ = divmod(code, n)
            if greedy.open(a_, b_):
                score = fuzz.ratio(texts[a_], texts[b_], score_cutoff=cutoff)
                if score:
                    greedy.take(a_, b_, float(np.float32(score)))  # as cdist's float32
        greedy.scanned = hi
    return greedy.scan()


def _firsts(counts: I64) -> I64:
    """Where each group starts in a flat array of groups of ``counts`` items."""
    import numpy as np

    first = np.zeros(len(counts), dtype=np.int64)
    np.cumsum(counts[:-1], out=first[1:])
    return first


def _pieces(counts: I64) -> tuple[I64, I64]:
    """(group, index within the group) of each item of groups of ``counts`` items."""
    import numpy as np

    owner = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    return owner, np.arange(len(owner), dtype=np.int64) - _firsts(counts)[owner]


def _ranges(keys: I64, needles: I64) -> tuple[I64, I64]:
    """(first index, count) of each needle in the sorted ``keys``; the needles are looked
    up in sorted order (numpy's search then walks the keys forward: ~7x faster)."""
    import numpy as np

    order = np.argsort(needles)
    left = np.empty(len(needles), dtype=np.int64)
    count = np.empty(len(needles), dtype=np.int64)
    left[order] = np.searchsorted(keys, needles[order], "left")
    count[order] = np.searchsorted(keys, needles[order], "right") - left[order]
    return left, count


def _chunks(rows: I64, dense: npt.NDArray[np.bool_]) -> Iterator[tuple[int, int]]:
    """Consecutive ranges of texts, all ``dense`` or none: dense ones ``_CELLS`` scores
    at a time, the others matching about ``_ROWS`` windows together."""
    import numpy as np

    total = np.cumsum(rows)
    ends = np.r_[np.flatnonzero(dense[1:] != dense[:-1]) + 1, len(rows)]
    lo = 0
    for end in ends.tolist():
        while lo < end:
            if dense[lo]:
                hi = lo + max(1, _CELLS // end)
            else:
                done = int(total[lo - 1]) if lo else 0
                hi = max(lo + 1, int(np.searchsorted(total, done + _ROWS, "right")))
            hi = min(hi, end)
            yield lo, hi
            lo = hi


def _window_hashes(texts: Sequence[str], lengths: I64, starts: I64, piece: int) -> I64:
    """A hash of the ``piece`` code points from each position of the texts joined, with
    the numbers of the text the position is in mixed in."""
    import numpy as np

    joined = "".join(texts).encode("utf-32-le", "surrogatepass")
    points = np.frombuffer(joined, dtype=np.uint32).astype(np.uint64)
    m = len(points) - piece + 1
    hashes = np.zeros(m, dtype=np.uint64)
    for k in range(piece):
        hashes *= np.uint64(_BASE)
        hashes += points[k : k + m]
    keys: dict[tuple[str, ...], int] = {}
    numbers = np.array(
        [keys.setdefault(tuple(_NUMBERS.findall(t)), len(keys)) for t in texts], dtype=np.uint64
    )
    hashes ^= np.repeat(numbers * np.uint64(_MIX), lengths)[:m]
    return hashes.view(np.int64)
