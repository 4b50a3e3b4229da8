"""``near_duplicate_kept`` on a crowd of similar kept documents: the LSH buckets' pairs
are not all verified one by one, and the same pairs are found (dedup.validate.neardups)."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

from dedup.text import normalize
from dedup.validate import neardups
from dedup.validate.neardups import _prefix_pairs, engine_near_duplicates


def _shared(n: int, seed: int = 4) -> list[list[str]]:
    """``n`` documents sharing 8 of their 10 paragraphs: similarity ~0.67, one LSH crowd
    under the 0.8 threshold (the QA generator genshared.py)."""
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(50000)]
    common = [" ".join(rng.choices(vocab, k=40)) + "." for _ in range(8)]
    docs = []
    for i in range(n):
        own = [" ".join(rng.choices(vocab, k=40)) + "." for _ in range(2)]
        docs.append([f"Title of doc {i} here today", *common[:4], own[0], *common[4:], own[1]])
    return [[normalize(p) for p in doc] for doc in docs]


def test_crowd_is_not_verified_pair_by_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    """600 such documents: the buckets pair ~94,000 of them; verifying each (exact
    shingle Jaccard) grew with the square (4,000 documents: 40 s)."""
    monkeypatch.setattr(neardups, "_PAIRS", 10_000, raising=False)  # as for 1,000 documents
    verified = 0
    real = np.intersect1d

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal verified
        verified += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(np, "intersect1d", counting)
    docs = _shared(600)
    # two true near-duplicates in the crowd, to be found
    docs.append([*docs[10][:-1], docs[10][-1].replace("w", "v", 1)])
    docs.append(list(docs[20]))
    ids = [f"d{i}" for i in range(len(docs))]
    pairs = engine_near_duplicates(ids, docs, 0.8)
    assert [(a, b) for a, b, _ in pairs] == [("d10", "d600"), ("d20", "d601")]
    assert verified < len(docs)


@pytest.mark.parametrize("seed", range(4))
def test_crowd_path_finds_the_buckets_pairs(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Forced through the prefix filter (any bucket pair counts as a crowd), the pairs are
    those of verifying every bucket pair: near copies, empty documents, shared paragraphs."""
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(3000)]
    found = 0
    for _ in range(25):
        common = [" ".join(rng.choices(vocab, k=rng.randint(5, 40))) for _ in range(8)]
        docs: list[list[str]] = []
        for _ in range(rng.randint(2, 120)):
            r = rng.random()
            if r < 0.15 and docs:
                copy = list(rng.choice(docs))
                if copy:
                    k = rng.randrange(len(copy))
                    copy[k] = copy[k].replace("w", "v", 1)
                docs.append(copy)
            elif r < 0.2:
                docs.append([])
            else:
                mine = [" ".join(rng.choices(vocab, k=rng.randint(1, 40))) for _ in range(3)]
                docs.append(rng.sample(common, rng.randint(0, 8)) + mine[: rng.randint(0, 3)])
        docs = [[normalize(p) for p in doc] for doc in docs]
        ids = [f"d{i}" for i in range(len(docs))]
        threshold = rng.choice([0.5, 0.7, 0.8, 0.9, 1.0])
        monkeypatch.setattr(neardups, "_PAIRS", 1 << 40)
        expected = engine_near_duplicates(ids, docs, threshold)
        monkeypatch.setattr(neardups, "_PAIRS", 0)
        monkeypatch.setattr(neardups, "_ROWS", rng.choice([1, 7, 1 << 20]))
        assert engine_near_duplicates(ids, docs, threshold) == expected
        found += len(expected)
    assert found > 20


def test_prefix_pairs_keep_every_pair_over_the_threshold() -> None:
    rng = random.Random(2)
    sets = []
    for _ in range(80):
        base = rng.sample(range(60), rng.randint(0, 40))
        sets.append(np.unique(np.array(base, dtype=np.uint32)))
    for threshold in (0.3, 0.5, 0.8, 1.0):
        found = {tuple(p) for p in _prefix_pairs(sets, threshold).tolist()}
        for i in range(len(sets)):
            for j in range(i + 1, len(sets)):
                inter = np.intersect1d(sets[i], sets[j]).size
                union = sets[i].size + sets[j].size - inter
                if union and inter / union >= threshold:
                    assert (i, j) in found, (threshold, i, j)
