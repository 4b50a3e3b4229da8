"""Verification of candidate pairs, and union-find for clustering verified pairs.

Paragraphs are compared with rapidfuzz's normalised Indel ratio (about a million pairs a
second). Documents are compared by the exact Jaccard similarity of their word-shingle sets:
the quantity MinHash estimates and ``--doc-threshold`` is defined on, insensitive to the
order of paragraphs (an Indel ratio is not: moving one paragraph of ten costs ~20%).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz.distance import Indel

from dedup.neardup.signatures import jaccard, shingle_set

__all__ = ["UnionFind", "jaccard", "same_numbers", "shingle_set", "verify", "verify_documents"]

_NUMBER = re.compile(r"\d+")


def verify(a_norm: str, b_norm: str, cutoff: float = 0.0) -> float:
    """Similarity (0-1) of two normalised paragraphs: rapidfuzz normalised Indel ratio.

    Case-insensitive. Returns 0.0 when below ``cutoff`` (rapidfuzz then stops early).
    """
    return float(Indel.normalized_similarity(a_norm.lower(), b_norm.lower(), score_cutoff=cutoff))


def same_numbers(a_norm: str, b_norm: str) -> bool:
    """Whether two paragraphs carry the same numbers in the same order.

    Two lines of one page that differ only in their numbers state different facts (a
    recipe's quantities, a table's scores, a day's meal plan), not the same line twice.
    """
    return _NUMBER.findall(a_norm) == _NUMBER.findall(b_norm)


def verify_documents(a_norms: Sequence[str], b_norms: Sequence[str], size: int = 3) -> float:
    """Exact Jaccard similarity of two documents' word-shingle sets."""
    return jaccard(shingle_set(a_norms, size), shingle_set(b_norms, size))


class UnionFind:
    """Union-find over 0..n-1; the root of a set is always its smallest member."""

    def __init__(self, n: int) -> None:
        # A list, not a numpy array: scalar access from Python is ~3x faster.
        self.parent = list(range(n))
        self.touched: set[int] = set()

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.touched.update((a, b))
            lo, hi = (ra, rb) if ra < rb else (rb, ra)
            self.parent[hi] = lo

    def groups(self) -> dict[int, list[int]]:
        """Sets with more than one member: root -> members in ascending order."""
        out: dict[int, list[int]] = {}
        for i in sorted(self.touched):
            out.setdefault(self.find(i), []).append(i)
        return {root: members for root, members in out.items() if len(members) > 1}
